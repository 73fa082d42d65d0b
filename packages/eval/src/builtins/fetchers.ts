/**
 * Fetchers (Nix 2.8 primops/fetchTree.cc, fetchMercurial.cc), offline: fetchurl reads local
 * `file://` URLs and fetchTarball unpacks local plain or gzip tarballs; a pinned
 * fetchurl/fetchTarball whose store path already exists returns it; everything that needs the
 * network, git or hg is MError NOT_AVAILABLE.
 * fetchTree needs the 'flakes' experimental feature, which Nix 2.8 disables by default.
 */
import { MError } from '@m/core';
import { showId, type Pos } from '@m/lang';
import {
  hashBytes,
  hashEquals,
  makeFixedOutputPath,
  narHash,
  parseHashAllowEmpty,
  printHash,
  treeNarSource,
  type Hash,
  type NarTree,
} from '@m/nix-compat';
import {
  attrPos,
  evalError,
  force,
  forceAttrs,
  forceStringNoCtx,
  isAttrs,
  mkString,
  type BuiltinDef,
  type EvalState,
  type Lazy,
  type Value,
} from './api';
import { readFileBytes } from './files';
import { unpackTarball, withTreeOnDisk } from './tarball';

function notAvailable(what: string, detail: string, pos?: Pos): MError {
  return new MError('NOT_AVAILABLE', `${what} is not available offline: ${detail}`, { pos });
}

/** Nix's resolveUri: `channel:` shorthands. */
function resolveUri(uri: string): string {
  if (uri.startsWith('channel:')) return `https://nixos.org/channels/${uri.slice(8)}/nixexprs.tar.xz`;
  return uri;
}

function baseNameOf(p: string): string {
  const q = p.endsWith('/') ? p.slice(0, -1) : p;
  return q.slice(q.lastIndexOf('/') + 1);
}

function storePathValue(p: string): Value {
  return mkString(p, new Set([p]));
}

/** fetchurl / fetchTarball (Nix's `fetch` helper of fetchTree.cc). */
function fetch(args: Lazy[], ctx: EvalState, pos: Pos | undefined, who: string, unpack: boolean, defaultName: string): Value {
  let url: string | undefined;
  let expectedHash: Hash | undefined;
  let name = defaultName;
  const arg = force(args[0], pos);
  if (isAttrs(arg)) {
    for (const [n, v] of forceAttrs(arg, pos).map) {
      const aPos = attrPos(arg, n) ?? pos;
      if (n === 'url') url = forceStringNoCtx(v, aPos);
      else if (n === 'sha256') {
        const { hash, warning } = parseHashAllowEmpty(forceStringNoCtx(v, aPos), 'sha256');
        if (warning !== undefined) ctx.warn(warning);
        expectedHash = hash;
      } else if (n === 'name') name = forceStringNoCtx(v, aPos);
      else throw evalError(`unsupported argument '${showId(n)}' to '${who}'`, aPos);
    }
    if (url === undefined) throw evalError("'url' argument required", pos);
  } else url = forceStringNoCtx(arg, pos);

  url = resolveUri(url);
  if (name === '') name = baseNameOf(url);
  if (ctx.pureEval && !expectedHash) {
    throw evalError(`in pure evaluation mode, '${who}' requires a 'sha256' argument`);
  }

  if (expectedHash) {
    const expectedPath = makeFixedOutputPath({
      method: unpack ? 'recursive' : 'flat',
      hash: expectedHash,
      name,
      storeDir: ctx.storeDir,
    });
    if (ctx.io.pathExists(expectedPath)) return storePathValue(expectedPath);
  }

  if (!url.startsWith('file://')) {
    throw notAvailable(who, unpack ? `cannot download and unpack '${url}'` : `cannot download '${url}'`, pos);
  }

  const file = decodeURIComponent(url.slice('file://'.length));
  if (ctx.io.fileType(file) !== 'regular') {
    throw new MError('IO_ERROR', `unable to download '${url}': file '${file}' does not exist`, { pos });
  }
  if (unpack) return storePathValue(addTarballToStore(ctx, url, file, name, expectedHash));
  if (expectedHash) {
    const got = hashBytes('sha256', readFileBytes(ctx, file));
    if (!hashEquals(got, expectedHash)) throw hashMismatch(url, expectedHash, got);
  }
  return storePathValue(ctx.io.addPathToStore({ name, path: file, method: 'flat' }));
}

/**
 * Unpacks a local tarball whose single top-level member becomes the store path `name`
 * (recursive), checking its NAR hash against `expectedHash` when given, like Nix's downloadTarball.
 */
function addTarballToStore(ctx: EvalState, url: string, file: string, name: string, expectedHash: Hash | undefined): string {
  const tree = unpackTarball(readFileBytes(ctx, file), url);
  if (tree.entries.size !== 1) {
    throw new MError('EVAL_ERROR', `tarball '${url}' contains an unexpected number of top-level files`);
  }
  const top = tree.entries.values().next().value as NarTree;
  if (expectedHash) {
    const got = narHash('', treeNarSource(top)).hash;
    if (!hashEquals(got, expectedHash)) throw hashMismatch(url, expectedHash, got);
  }
  return withTreeOnDisk(top, (path) => ctx.io.addPathToStore({ name, path, method: 'recursive' }));
}

function hashMismatch(url: string, specified: Hash, got: Hash): MError {
  return new MError(
    'EVAL_ERROR',
    `hash mismatch in file downloaded from '${url}':\n  specified: ${printHash(specified, 'base32', true)}\n  got:       ${printHash(got, 'base32', true)}`,
  );
}

function urlOf(args: Lazy[], pos: Pos | undefined): string {
  const arg = force(args[0], pos);
  if (isAttrs(arg)) {
    const u = arg.map.get('url');
    if (u === undefined) return '<unknown>';
    return forceStringNoCtx(u, attrPos(arg, 'url') ?? pos);
  }
  return typeof arg === 'string' ? arg : forceStringNoCtx(arg, pos);
}

export const fetcherBuiltins: BuiltinDef[] = [
  { name: '__fetchurl', arity: 1, fn: (args, ctx, pos) => fetch(args, ctx, pos, 'fetchurl', false, '') },
  { name: 'fetchTarball', arity: 1, fn: (args, ctx, pos) => fetch(args, ctx, pos, 'fetchTarball', true, 'source') },
  {
    name: 'fetchGit',
    arity: 1,
    fn: (args, _ctx, pos) => {
      throw notAvailable('fetchGit', `cannot fetch git repository '${urlOf(args, pos)}'`, pos);
    },
  },
  {
    name: 'fetchMercurial',
    arity: 1,
    fn: (args, _ctx, pos) => {
      throw notAvailable('fetchMercurial', `cannot fetch mercurial repository '${urlOf(args, pos)}'`, pos);
    },
  },
  {
    name: 'fetchTree',
    arity: 1,
    fn: () => {
      throw new MError(
        'EVAL_ERROR',
        "experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override",
      );
    },
  },
];
