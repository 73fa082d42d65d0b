/** The command table of `m`: each command gets its arguments and returns an exit code. */
import type { Output } from './output';

export interface CommandContext {
  /** Arguments after the command name. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: Output;
}

export interface Command {
  name: string;
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Prints `error: MESSAGE` and how to get help, as Nix does for usage errors. */
export function usageFailure(out: Output, message: string, helpCommand: string): number {
  out.stderr(`error: ${message}\nTry '${helpCommand} --help' for more information.\n`);
  return 1;
}
