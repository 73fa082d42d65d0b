/** All commands of `m`, by name. Later: build, store, and `m PROJECT /output`. */
import type { Command } from './command';
import { instantiateCommand } from './instantiate-command';

export const COMMANDS: readonly Command[] = [instantiateCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
