/** Whether this machine can build a derivation (Nix's canBuildLocally), and the error when not. */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import type { Derivation } from '@m/nix-compat';
import { BUILTIN_BUILDERS } from './builtin-image';

export const THIS_SYSTEM = 'x86_64-linux';
/** Platforms this machine also runs (Nix's default extra-platforms on x86_64-linux). */
export const EXTRA_PLATFORMS: readonly string[] = ['i686-linux'];

function sortedSet(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/** Nix's default system-features (kvm only when /dev/kvm is usable). */
export function systemFeatures(): string[] {
  const f = ['nixos-test', 'benchmark', 'big-parallel'];
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    f.push('kvm');
  } catch {
    /* no kvm */
  }
  return sortedSet(f);
}

export function isBuiltin(drv: Derivation): boolean {
  return drv.builder.startsWith('builtin:');
}

export function requiredSystemFeatures(drv: Derivation): string[] {
  return sortedSet((drv.env.get('requiredSystemFeatures') ?? '').split(/[ \t\n\r]+/).filter((s) => s !== ''));
}

/** Throws Nix's "a '<system>' with features {…} is required to build" error when the drv cannot run here. */
export function checkCanBuild(drvPath: string, drv: Derivation, features: string[] = systemFeatures()): void {
  const required = requiredSystemFeatures(drv);
  const platformOk = drv.platform === THIS_SYSTEM || EXTRA_PLATFORMS.includes(drv.platform) || isBuiltin(drv);
  if (platformOk && required.every((f) => features.includes(f))) {
    if (isBuiltin(drv) && !BUILTIN_BUILDERS.has(drv.builder))
      throw new MError('NOT_AVAILABLE', `unsupported builtin builder '${drv.builder.slice('builtin:'.length)}' (needed by '${drvPath}')`);
    return;
  }
  throw new MError(
    'BUILD_FAILED',
    `a '${drv.platform}' with features {${required.join(', ')}} is required to build '${drvPath}', but I am a '${THIS_SYSTEM}' with features {${features.join(', ')}}`,
  );
}
