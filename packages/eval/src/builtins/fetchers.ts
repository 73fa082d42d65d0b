/**
 * Fetchers (Nix 2.8 primops/fetchTree.cc, fetchMercurial.cc): arguments, defaults and results
 * here; the download, unpacking, git and hash checks are EvalIO's (`fetchUrl`, `fetchGit`). A
 * pinned fetchurl/fetchTarball whose store path already exists returns it without asking EvalIO;
 * an EvalIO without fetch operations, and fetchMercurial, are MError NOT_AVAILABLE.
 * fetchTree needs the 'flakes' experimental feature, which Nix 2.8 disables by default.
 */
import { MError } from '@m/core';
import { showId, type Pos } from '@m/lang';
import { makeFixedOutputPath, parseHashAllowEmpty, printHash, type Hash } from '@m/nix-compat';
import {
  attrPos,
  attrsFromObject,
  coerceToString,
  evalError,
  forceBool,
  force,
  forceAttrs,
  forceStringNoCtx,
  isAttrs,
  mkInt,
  mkString,
  type BuiltinDef,
  type EvalState,
  type Lazy,
  type Value,
} from './api';
import { getState } from '../state';
import { K_PRIMOP, type PrimOp } from '../value';

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

/**
 * Where a failed fetch is reported: the call, as in Nix; but when the call sits in a wrapper in
 * another file (makes' fetchUrl/fetchArchive/fetchNixpkgs, nixpkgs-style helpers) and the caller's
 * own attributes were passed through (`args // { … }` keeps their positions), the first of them
 * (url, sha256, rev, ref, name) written in another file than the call: the user's fetch.
 */
function errorPos(arg: Value, pos: Pos | undefined): Pos | undefined {
  if (pos === undefined || !isAttrs(arg)) return pos;
  for (const n of ['url', 'sha256', 'rev', 'ref', 'name']) {
    const p = attrPos(arg, n);
    if (p !== undefined && p.file !== pos.file) return p;
  }
  return pos;
}

function storePathValue(p: string): Value {
  return mkString(p, new Set([p]));
}

/** fetchurl / fetchTarball (Nix's `fetch` helper of fetchTree.cc). */
function fetch(args: Lazy[], ctx: EvalState, pos: Pos | undefined, who: string, unpack: boolean, defaultName: string, keepRoot = false): Value {
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
    // Offline with the content already in the store: nothing to download.
    const expectedPath = makeFixedOutputPath({
      method: unpack ? 'recursive' : 'flat',
      hash: expectedHash,
      name,
      storeDir: ctx.storeDir,
    });
    if (ctx.io.pathExists(expectedPath)) return storePathValue(expectedPath);
  }
  if (!ctx.io.fetchUrl) {
    throw notAvailable(who, unpack ? `cannot download and unpack '${url}'` : `cannot download '${url}'`, pos);
  }
  try {
    return storePathValue(ctx.io.fetchUrl({ url, name, unpack, expectedSha256: expectedHash?.bytes, who, ...(keepRoot ? { keepRoot } : {}) }));
  } catch (e) {
    if (e instanceof MError && e.pos === undefined && pos !== undefined) e.pos = errorPos(arg, pos);
    throw e;
  }
}

const GIT_ATTRS = new Set(['url', 'ref', 'rev', 'name', 'submodules', 'shallow', 'allRefs']);

/** builtins.fetchGit (Nix 2.8's prim_fetchGit over the git input scheme). */
function fetchGit(args: Lazy[], ctx: EvalState, pos: Pos | undefined): Value {
  const arg = force(args[0], pos);
  let url: string | undefined;
  let ref: string | undefined;
  let rev: string | undefined;
  let name = 'source';
  let submodules = false;
  let allRefs = false;
  if (isAttrs(arg)) {
    for (const [n, v] of forceAttrs(arg, pos).map) {
      const aPos = attrPos(arg, n) ?? pos;
      if (!GIT_ATTRS.has(n)) throw evalError(`unsupported Git input attribute '${showId(n)}'`, aPos);
      if (n === 'url') url = coerceToString(v, aPos, new Set(), false, false);
      else if (n === 'ref') ref = forceStringNoCtx(v, aPos);
      else if (n === 'rev') {
        rev = forceStringNoCtx(v, aPos);
        if (!/^[0-9a-f]*$/.test(rev) || rev.length !== 40) {
          throw evalError(/^[0-9a-fA-F]*$/.test(rev) ? `hash '${rev}' has wrong length for hash type 'sha1'` : `invalid base-16 hash '${rev}'`, aPos);
        }
      } else if (n === 'name') name = forceStringNoCtx(v, aPos);
      else if (n === 'submodules') submodules = forceBool(v, aPos);
      else if (n === 'allRefs') allRefs = forceBool(v, aPos);
      else forceBool(v, aPos);
    }
    if (url === undefined) throw evalError("input attribute 'url' is missing", pos);
  } else url = coerceToString(arg, pos, new Set(), false, false);

  if (!url.includes('://')) url = 'file://' + url;
  if (url.startsWith('file://') && !url.startsWith('file:///')) {
    const authority = url.slice('file://'.length).split('/')[0];
    throw evalError(`file:// URL '${url}' has unexpected authority '${authority}'`, pos);
  }
  if (ctx.pureEval && rev === undefined) {
    throw evalError("in pure evaluation mode, 'fetchGit' requires a Git revision", pos);
  }
  if (!ctx.io.fetchGit) throw notAvailable('fetchGit', `cannot fetch git repository '${url}'`, pos);
  let res;
  try {
    res = ctx.io.fetchGit({ url, ref, rev, name, submodules, allRefs });
  } catch (e) {
    if (e instanceof MError && e.pos === undefined && pos !== undefined) e.pos = errorPos(arg, pos);
    throw e;
  }
  for (const w of res.warnings) ctx.warn(w);
  const d = new Date(res.lastModified * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const lastModifiedDate = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return attrsFromObject({
    lastModified: mkInt(res.lastModified),
    lastModifiedDate,
    narHash: printHash({ type: 'sha256', bytes: res.narHash }, 'sri', true),
    outPath: storePathValue(res.storePath),
    rev: res.rev,
    revCount: mkInt(res.revCount),
    shortRev: res.rev.slice(0, 7),
    submodules,
  });
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
    fn: fetchGit,
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

/**
 * Not a Nix builtin: makes' `fetchArchive { url, sha256, stripRoot = false; }` (nixpkgs' fetchzip
 * keeping the archive's top level), fetchTarball's arguments and checks with the whole unpacked
 * archive as the result. The makes framework passes it to its Nix code; `builtins` does not have it.
 */
export const fetchArchiveKeepRoot: PrimOp = {
  k: K_PRIMOP,
  name: 'fetchArchiveKeepRoot',
  arity: 1,
  fn: (args, pos) => fetch(args, getState(), pos, 'fetchArchive', true, 'source', true),
};
