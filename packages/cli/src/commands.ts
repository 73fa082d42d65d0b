/** All commands of `m`, by name; `m PROJECT …` (makes-command.ts) when the first word is a path. */
import type { Command } from './command';
import { buildCommand } from './build-command';
import { instantiateCommand } from './instantiate-command';
import { logCommand, showDerivationCommand, storeCommand } from './store-commands';
import { looksLikeProject, projectCommand } from './makes-command';
import { copyCommand, imageCommand, keyCommand, serveCommand } from './cache-commands';

export const COMMANDS: readonly Command[] = [
  instantiateCommand,
  buildCommand,
  storeCommand,
  logCommand,
  showDerivationCommand,
  copyCommand,
  keyCommand,
  serveCommand,
  imageCommand,
];

/** A known command, else `m PROJECT …` when `name` is a path (`.`, `./x`, `/abs`). */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name) ?? (looksLikeProject(name) ? projectCommand(name) : undefined);
}
