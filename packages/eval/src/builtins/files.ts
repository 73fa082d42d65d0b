/**
 * Store and file builtins (Nix 2.8 primops.cc): toFile, path, filterSource, storePath,
 * readFile, readDir, pathExists, hashFile. All file access goes through EvalIO.
 */
import { MError, isMError } from '@m/core';
import { showId, type Pos } from '@m/lang';
import {
  base16Encode,
  computeStorePathForText,
  hashBytes,
  isDerivationPath,
  makeFixedOutputPath,
  parseHashAllowEmpty,
  parseHashType,
  fromUtf8,
  utf8,
  type FileIngestionMethod,
  type Hash,
} from '@m/nix-compat';
import {
  attrPos,
  callFunction,
  coerceToPath,
  evalError,
  force,
  forceAttrs,
  forceBool,
  forceStringCtx,
  forceStringNoCtx,
  isFunction,
  mkAttrs,
  mkString,
  showType,
  typeError,
  type BuiltinDef,
  type EvalState,
  type Lazy,
  type Value,
} from './api';
import { canonPath } from '../coerce';
import type { FileType } from '../io';
import { decodeContextElem } from './context';
import { referencesOf, storeState, toStorePath } from './store-state';

function ioError(msg: string, pos?: Pos): MError {
  return new MError('IO_ERROR', msg, { pos });
}

function baseNameOf(p: string): string {
  const q = p.endsWith('/') ? p.slice(0, -1) : p;
  return q.slice(q.lastIndexOf('/') + 1);
}

/**
 * Nix's realiseContext: every store path in the context must exist; derivation outputs would
 * have to be built (import from derivation), which m cannot do during evaluation.
 */
export function realiseContext(ctx: EvalState, context: Set<string>, pos: Pos | undefined): void {
  for (const elem of context) {
    const d = decodeContextElem(elem);
    if (!ctx.io.pathExists(d.path) && !storeState(ctx).drvs.has(d.path)) {
      throw evalError(`path '${d.path}' is not valid`, pos);
    }
    if (d.output !== '' && isDerivationPath(d.path)) {
      throw new MError(
        'NOT_AVAILABLE',
        `building '${d.path}' during evaluation (import from derivation) is not available: m does not build derivations`,
        { pos },
      );
    }
  }
}

/** Nix's realisePath: a path or string coerced to an absolute path whose context is realised. */
export function realisePath(ctx: EvalState, v: Lazy, pos: Pos | undefined): string {
  const context = new Set<string>();
  let path: string;
  try {
    path = coerceToPath(v, pos, context);
  } catch (e) {
    if (isMError(e)) e.addTrace('while realising the context of a path', pos);
    throw e;
  }
  try {
    realiseContext(ctx, context, pos);
  } catch (e) {
    if (isMError(e)) e.addTrace(`while realising the context of path '${path}'`, pos);
    throw e;
  }
  return path;
}

/** The bytes of a file through EvalIO (readFileBytes when the IO has it). */
export function readFileBytes(ctx: EvalState, path: string): Uint8Array {
  return ctx.io.readFileBytes ? ctx.io.readFileBytes(path) : utf8(ctx.io.readFile(path));
}

function checkReadableFile(ctx: EvalState, path: string): void {
  const t = ctx.io.fileType(path);
  if (t === undefined) {
    // A missing component or a file used as a directory.
    let dir = path.slice(0, path.lastIndexOf('/'));
    while (dir !== '' && ctx.io.fileType(dir) === undefined) dir = dir.slice(0, dir.lastIndexOf('/'));
    const dt = dir === '' ? 'directory' : ctx.io.fileType(dir);
    const why = dt === 'directory' || dt === 'symlink' ? 'No such file or directory' : 'Not a directory';
    throw ioError(`opening file '${path}': ${why}`);
  }
  if (t === 'directory') throw ioError('reading from file: Is a directory');
}

export interface AddPathArgs {
  name: string;
  path: string;
  filter?: Lazy;
  method: FileIngestionMethod;
  expectedHash?: Hash;
  context: Set<string>;
}

/** Nix's addPath (builtins.path, filterSource): copies a (filtered) path into the store. */
export function addPath(ctx: EvalState, a: AddPathArgs, pos: Pos | undefined): Value {
  let path = a.path;
  try {
    realiseContext(ctx, a.context, pos);
    if (ctx.io.fileType(path) === undefined) throw ioError(`getting status of '${path}': No such file or directory`);
    const filterFun = a.filter;
    const filter =
      filterFun === undefined
        ? undefined
        : (p: string, type: FileType): boolean =>
            forceBool(callFunction(filterFun, [p, type], pos), pos);
    let expectedPath: string | undefined;
    if (a.expectedHash) {
      expectedPath = makeFixedOutputPath({ method: a.method, hash: a.expectedHash, name: a.name, storeDir: ctx.storeDir });
    }
    const dst = ctx.io.addPathToStore({
      name: a.name,
      path,
      method: a.method,
      filter,
      expectedSha256:
        a.expectedHash && a.expectedHash.type === 'sha256' ? base16Encode(a.expectedHash.bytes) : undefined,
    });
    if (expectedPath !== undefined && expectedPath !== dst) {
      throw evalError(`store path mismatch in (possibly filtered) path added from '${path}'`);
    }
    return mkString(dst, new Set([dst]));
  } catch (e) {
    if (isMError(e)) e.addTrace(`while adding path '${path}'`, pos);
    throw e;
  }
}

export const fileBuiltins: BuiltinDef[] = [
  {
    name: '__toFile',
    arity: 2,
    fn: (args, ctx, pos) => {
      const name = forceStringNoCtx(args[0], pos);
      const context = new Set<string>();
      const contents = forceStringCtx(args[1], context, pos);
      const refs: string[] = [];
      for (const p of context) {
        if (!p.startsWith('/')) {
          throw evalError(
            `in 'toFile': the file named '${name}' must not contain a reference to a derivation but contains (${p})`,
            pos,
          );
        }
        refs.push(p);
      }
      const expected = computeStorePathForText(name, contents, refs, ctx.storeDir);
      const sp = ctx.io.addTextToStore(name, contents, refs);
      if (sp !== expected) throw new MError('INTERNAL', `toFile: store returned '${sp}', expected '${expected}'`);
      storeState(ctx).references.set(sp, refs);
      return mkString(sp, new Set([sp]));
    },
  },
  {
    name: '__path',
    arity: 1,
    fn: (args, ctx, pos) => {
      const attrs = forceAttrs(args[0], pos);
      let path = '';
      let name = '';
      let filter: Lazy | undefined;
      let method: FileIngestionMethod = 'recursive';
      let expectedHash: Hash | undefined;
      const context = new Set<string>();
      for (const [n, v] of attrs.map) {
        const aPos = attrPos(attrs, n) ?? pos;
        if (n === 'path') path = coerceToPath(v, aPos, context);
        else if (n === 'name') name = forceStringNoCtx(v, aPos);
        else if (n === 'filter') {
          force(v, pos);
          filter = v;
        } else if (n === 'recursive') method = forceBool(v, aPos) ? 'recursive' : 'flat';
        else if (n === 'sha256') {
          const { hash, warning } = parseHashAllowEmpty(forceStringNoCtx(v, aPos), 'sha256');
          if (warning !== undefined) ctx.warn(warning);
          expectedHash = hash;
        } else throw evalError(`unsupported argument '${showId(n)}' to 'addPath'`, aPos);
      }
      if (path === '') throw evalError("'path' required", pos);
      if (name === '') name = baseNameOf(path);
      return addPath(ctx, { name, path, filter, method, expectedHash, context }, pos);
    },
  },
  {
    name: '__filterSource',
    arity: 2,
    fn: (args, ctx, pos) => {
      const context = new Set<string>();
      const path = coerceToPath(args[1], pos, context);
      const f = force(args[0], pos);
      if (!isFunction(f)) {
        throw typeError(`first argument in call to 'filterSource' is not a function but ${showType(f)}`, pos);
      }
      return addPath(ctx, { name: baseNameOf(path), path, filter: f, method: 'recursive', context }, pos);
    },
  },
  {
    name: '__storePath',
    arity: 1,
    fn: (args, ctx, pos) => {
      if (ctx.pureEval) throw evalError("'builtins.storePath' is not allowed in pure evaluation mode", pos);
      const context = new Set<string>();
      let path = coerceToPath(args[0], pos, context);
      path = canonPath(path);
      if (!ctx.io.isInStore(path)) throw evalError(`path '${path}' is not in the Nix store`, pos);
      const sp = toStorePath(ctx, path);
      if (!ctx.io.pathExists(sp) && !storeState(ctx).drvs.has(sp)) {
        throw new MError('STORE_ERROR', `path '${sp}' is not valid`, { pos });
      }
      context.add(sp);
      return mkString(path, context);
    },
  },
  {
    name: '__readFile',
    arity: 1,
    fn: (args, ctx, pos) => {
      const path = realisePath(ctx, args[0], pos);
      checkReadableFile(ctx, path);
      // NUL is checked on the bytes, before decoding (a huge file of zeros fails as in Nix)
      const bytes = readFileBytes(ctx, path);
      if (bytes.indexOf(0) >= 0) {
        throw evalError(`the contents of the file '${path}' cannot be represented as a Nix string`);
      }
      const s = fromUtf8(bytes);
      const refs = ctx.io.isInStore(path) ? referencesOf(ctx, toStorePath(ctx, path)) : [];
      return mkString(s, new Set(refs));
    },
  },
  {
    name: '__readDir',
    arity: 1,
    fn: (args, ctx, pos) => {
      const path = realisePath(ctx, args[0], pos);
      const t = ctx.io.fileType(path);
      if (t === undefined) throw ioError(`opening directory '${path}': No such file or directory`);
      if (t !== 'directory' && !(t === 'symlink' && ctx.io.pathExists(path + '/.'))) {
        throw ioError(`opening directory '${path}': Not a directory`);
      }
      const res = new Map<string, Lazy>();
      for (const [name, type] of ctx.io.readDir(path)) res.set(name, type);
      return mkAttrs(res);
    },
  },
  {
    name: '__pathExists',
    arity: 1,
    fn: (args, ctx, pos) => {
      const path = realisePath(ctx, args[0], pos);
      try {
        return ctx.io.fileType(path) !== undefined;
      } catch {
        return false;
      }
    },
  },
  {
    name: '__hashFile',
    arity: 2,
    fn: (args, ctx, pos) => {
      const type = parseHashType(forceStringNoCtx(args[0], pos));
      const path = realisePath(ctx, args[1], pos);
      checkReadableFile(ctx, path);
      return base16Encode(hashBytes(type, readFileBytes(ctx, path)).bytes);
    },
  },
];
