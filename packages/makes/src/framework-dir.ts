/**
 * Where the framework's Nix files (packages/makes/nix) are: beside this module when running from
 * sources, or found from the CLI bundle (packages/cli/dist → packages/makes/nix); M_MAKES_NIX_DIR
 * overrides both.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nodePath from 'node:path';
import { MError } from '@m/core';

export function frameworkDir(env: NodeJS.ProcessEnv = process.env): string {
  const here = nodePath.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    env.M_MAKES_NIX_DIR,
    nodePath.join(here, '../nix'),
    nodePath.join(here, '../../makes/nix'),
    nodePath.join(here, '../node_modules/@m/makes/nix'),
  ].filter((c): c is string => !!c);
  for (const c of candidates) if (existsSync(nodePath.join(c, 'default.nix'))) return c;
  throw new MError('IO_ERROR', `the makes framework files were not found (looked in ${candidates.join(', ')})`);
}
