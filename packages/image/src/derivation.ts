/**
 * The builtin builder `builtin:m-container-image`: the environment of an image derivation (written
 * by packages/makes/nix/make-container-image.nix) → buildImage options. The environment is the
 * contract; every store path in it is an input of the derivation, so the builder reads nothing
 * beyond the derivation's input closure:
 *
 *   layers        store paths whose top-level contents form the image root (space separated)
 *   config        the OCI config object, as JSON
 *   maxLayers     2 … 125
 *   imageOptions  JSON: { name, tag, created, architecture, compression, includeStorePaths,
 *                 ignoreCollisions, perms, fromImage, customisation, groups } (all optional)
 */
import { MError } from '@m/core';
import type { BuildImageOptions } from './build-image';
import { checkCompression } from './compressors';
import { checkContainerConfig } from './config-check';
import { resolveCreated } from './image-json';
import { parsePerms } from './perms';

export const IMAGE_BUILDER = 'builtin:m-container-image';

export interface ImageDerivationInputs {
  storeDir: string;
  isStorePath(p: string): boolean;
  /** Where a logical store path is on disk. */
  physicalOf(p: string): string;
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `name:tag` checked as a docker reference (lower-case path components, optional registry host). */
export function imageReference(name: string, tag: string): string {
  const hosted = /^([^/]+)\/(.+)$/.exec(name);
  const ok =
    NAME.test(name) ||
    (hosted !== null && /^[a-zA-Z0-9.-]+(:\d+)?$/.test(hosted[1]!) && /[.:]|^localhost$/.test(hosted[1]!) && NAME.test(hosted[2]!));
  if (!ok)
    throw new MError('BAD_ARGUMENT', `makeContainerImage: name '${name}' is not a valid image name`, {
      hint: 'lower-case letters, digits and separators (. _ __ -), components separated by /, optionally after a registry host[:port]/',
    });
  if (!TAG.test(tag)) throw new MError('BAD_ARGUMENT', `makeContainerImage: tag '${tag}' is not a valid tag`, { hint: 'up to 128 characters of letters, digits, _ . and -, not starting with . or -' });
  return `${name}:${tag}`;
}

function json(env: ReadonlyMap<string, string>, key: string, dflt: string, drvPath: string): unknown {
  try {
    return JSON.parse(env.get(key) ?? dflt);
  } catch {
    throw new MError('BAD_ARGUMENT', `the ${key} of '${drvPath}' is not JSON`);
  }
}

type EnvOptions = Omit<BuildImageOptions, 'graph' | 'physicalStore' | 'out' | 'outFd' | 'cacheDir' | 'onEvent' | 'threads' | 'tmpDir'>;

/** The buildImage options an image derivation asks for (the reference graph and output are the caller's). */
export function imageOptionsFromEnv(env: ReadonlyMap<string, string>, drvPath: string, io: ImageDerivationInputs): EnvOptions {
  const config = checkContainerConfig(json(env, 'config', '{}', drvPath));
  const o = json(env, 'imageOptions', '{}', drvPath) as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new MError('BAD_ARGUMENT', `the imageOptions of '${drvPath}' is not an object`);
  const str = (k: string, dflt: string): string => {
    const v = o[k] ?? dflt;
    if (typeof v !== 'string') throw new MError('BAD_ARGUMENT', `makeContainerImage: ${k} must be a string`);
    return v;
  };
  const storePath = (k: string, v: unknown): string => {
    if (typeof v !== 'string' || !io.isStorePath(v)) throw new MError('BAD_ARGUMENT', `makeContainerImage: ${k} must be a store path, got ${JSON.stringify(v)}`);
    return v;
  };
  const groups = (o.groups ?? []) as unknown;
  if (!Array.isArray(groups) || groups.some((g) => !Array.isArray(g)))
    throw new MError('BAD_ARGUMENT', 'makeContainerImage: each explicit layer needs `deps`, a list of store paths');
  const fromImage = o.fromImage === undefined || o.fromImage === null ? undefined : storePath('fromImage', o.fromImage);
  const customisation = o.customisation === undefined || o.customisation === null ? undefined : storePath('customisation', o.customisation);
  const maxLayers = Number(env.get('maxLayers') ?? '65');
  return {
    roots: (env.get('layers') ?? '').split(/\s+/).filter((s) => s !== ''),
    storeDir: io.storeDir,
    maxLayers,
    config,
    arch: str('architecture', 'amd64'),
    os: 'linux',
    tag: imageReference(str('name', 'container-image'), str('tag', 'latest')),
    created: resolveCreated(o.created),
    groups: (groups as unknown[][]).map((g, i) => g.map((p) => storePath(`layers (explicit layer ${i + 1}) deps`, p))),
    includeStorePaths: o.includeStorePaths === undefined ? true : o.includeStorePaths === true,
    perms: parsePerms(o.perms, io.isStorePath),
    strictCollisions: o.ignoreCollisions === false,
    customisation: customisation === undefined ? undefined : io.physicalOf(customisation),
    fromImage: fromImage === undefined ? undefined : { logical: fromImage, physical: io.physicalOf(fromImage) },
    compression: checkCompression(o.compression ?? 'gzip'),
  };
}
