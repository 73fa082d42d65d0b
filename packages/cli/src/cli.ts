/** Top-level dispatch of `m`: global flags, then the command table. */
import { COMMANDS, findCommand } from './commands';
import { usageFailure, type CommandContext } from './command';
import { M_VERSION } from './version';

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: m COMMAND [options]\n\nCommands:\n${lines.join('\n')}\n\nOptions:\n  --help     show this help\n  --version  show the version\n\nRun 'm COMMAND --help' for the options of a command.\n`;
}

/** Runs `m ARGS…`; returns the exit code. */
export async function runCli(ctx: Omit<CommandContext, 'args'> & { argv: string[] }): Promise<number> {
  const [first, ...rest] = ctx.argv;
  const { out } = ctx;
  if (first === undefined) {
    out.stderr(topLevelHelp());
    return 1;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    out.stdout(topLevelHelp());
    return 0;
  }
  if (first === '--version') {
    out.stdout(`m ${M_VERSION}\n`);
    return 0;
  }
  if (first.startsWith('-')) return usageFailure(out, `unrecognised flag '${first}'`, 'm');
  const cmd = findCommand(first);
  if (!cmd) return usageFailure(out, `unknown command '${first}'`, 'm');
  return cmd.run({ args: rest, env: ctx.env, cwd: ctx.cwd, out });
}
