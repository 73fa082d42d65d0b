/** Top-level dispatch of `m`: global flags, then the command table. */
import { COMMANDS, findCommand } from './commands';
import { PROJECT_FORMS } from './project-source';
import { usageFailure, type CommandContext } from './command';
import { M_VERSION } from './version';

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: m PROJECT [OUTPUT] [ARGS...]
       m COMMAND [options]

Build OUTPUT of the makes project PROJECT (makes/<name>/main.nix is /<name>; /__all__ builds them
all) and run it with ARGS when it is a script. Without OUTPUT: a picker on a terminal, else the
list of outputs ('m . --help' for the options). PROJECT is one of:
${PROJECT_FORMS}

Commands:
${lines.join('\n')}

Options:
  --help     show this help
  --version  show the version
  --store DIR, -j N, -q, -v   before PROJECT or COMMAND: passed on to it

Run 'm COMMAND --help' for the options of a command.
`;
}

/** Global flags that may come before PROJECT or COMMAND (value-taking ones map to true). */
const GLOBAL_FLAGS: Record<string, boolean> = { '--store': true, '-j': true, '--jobs': true, '-q': false, '--quiet': false, '-v': false, '--verbose': false };

const SUBCOMMANDS = new Set(['store', 'key', 'image']);

/** Runs `m ARGS…`; returns the exit code. */
export async function runCli(ctx: Omit<CommandContext, 'args'> & { argv: string[] }): Promise<number> {
  // `m --store DIR -q . /x` is `m . --store DIR -q /x`: leading global flags go to the command.
  const leading: string[] = [];
  let at = 0;
  while (at < ctx.argv.length && GLOBAL_FLAGS[ctx.argv[at]!] !== undefined) {
    const flag = ctx.argv[at++]!;
    leading.push(flag);
    if (GLOBAL_FLAGS[flag]) {
      if (at >= ctx.argv.length) return usageFailure(ctx.out, `flag '${flag}' requires an argument`, 'm');
      leading.push(ctx.argv[at++]!);
    }
  }
  const [first, ...afterFirst] = ctx.argv.slice(at);
  // Commands with subcommands (`m store gc`) read their options after the subcommand.
  const rest =
    leading.length > 0 && first !== undefined && SUBCOMMANDS.has(first) && afterFirst.length > 0
      ? [afterFirst[0]!, ...leading, ...afterFirst.slice(1)]
      : [...leading, ...afterFirst];
  const { out } = ctx;
  if (first === undefined && leading.length > 0) return usageFailure(out, `'${leading[0]}' needs a PROJECT or COMMAND after it`, 'm');
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
