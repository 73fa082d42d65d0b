/** Nix refuses outputs of one derivation that refer to each other in a cycle. */
import { MError } from '@m/core';
import { sortedUtf8 } from '@m/nix-compat';

/**
 * `refs`: output name → names of the derivation's other outputs it refers to (already valid
 * outputs map to none). Depth-first in byte order of names, like Nix, so the same cycle is named.
 */
export function checkOutputCycles(drvPath: string, refs: Map<string, Set<string>>): void {
  const visited = new Set<string>();
  const onPath = new Set<string>();
  const visit = (name: string, parent: string | undefined): void => {
    if (onPath.has(name))
      throw new MError('BUILD_FAILED', `cycle detected in build of '${drvPath}' in the references of output '${name}' from output '${parent}'`);
    if (visited.has(name)) return;
    visited.add(name);
    onPath.add(name);
    for (const child of sortedUtf8(refs.get(name) ?? [])) if (child !== name && refs.has(child)) visit(child, name);
    onPath.delete(name);
  };
  for (const n of sortedUtf8(refs.keys())) visit(n, undefined);
}
