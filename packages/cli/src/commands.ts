/** All commands of `m`, by name; `m PROJECT …` (makes-command.ts) when the first word is a path. */
import type { Command } from './command';
import { buildCommand } from './build-command';
import { instantiateCommand } from './instantiate-command';
import { logCommand, showDerivationCommand, storeCommand } from './store-commands';
import { looksLikeProject, projectCommand } from './makes-command';

export const COMMANDS: readonly Command[] = [instantiateCommand, buildCommand, storeCommand, logCommand, showDerivationCommand];

/** A known command, else `m PROJECT …` when `name` is a path (`.`, `./x`, `/abs`). */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name) ?? (looksLikeProject(name) ? projectCommand(name) : undefined);
}
