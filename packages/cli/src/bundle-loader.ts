/**
 * Loads a bundle of the evaluation code through V8's code cache, on whichever thread calls it:
 * dist/m-eval-bundle.cjs (eval-bundle.ts: `m instantiate`, on the main thread first,
 * main-thread-eval.ts) or dist/m-worker-bundle.cjs (worker.ts: every job in the worker,
 * worker-loader.ts), each a CommonJS function.
 *
 * The code cache holds the bytecode of every function the first run compiled, so later runs skip
 * parsing and compiling most of the ~1 MB bundle. It is kept in dist/.v8-cache, else in
 * $XDG_CACHE_HOME/m/v8-cache (~/.cache/m/v8-cache), under a name keyed by the bundle's content
 * hash (fixed at build time), the thread, the Node version and the architecture; V8 itself rejects a cache
 * made by another V8 or with other flags, and the cache is then rewritten. Any I/O failure means
 * running without a cache. M_CODE_CACHE=0 disables it.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import { Script } from 'node:vm';
import { mark } from './timing';
import type { EvalBundle } from './worker';

/** The SHA-256 (hex prefix) of each bundle, defined by build.mjs. */
declare const M_BUNDLE_HASHES: Record<BundleName, string>;

export type BundleName = 'm-eval-bundle' | 'm-worker-bundle';

function cacheDirs(dist: string): string[] {
  const xdg = process.env.XDG_CACHE_HOME || nodePath.join(homedir(), '.cache');
  return [nodePath.join(dist, '.v8-cache'), nodePath.join(xdg, 'm', 'v8-cache')];
}

function readCache(dirs: string[], name: string): Buffer | undefined {
  for (const d of dirs) {
    try {
      return fs.readFileSync(nodePath.join(d, name));
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

function writableDir(dirs: string[]): string | undefined {
  for (const d of dirs) {
    try {
      fs.mkdirSync(d, { recursive: true });
      fs.accessSync(d, fs.constants.W_OK);
      return d;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

/** A cache of another bundle in the shared directory is removed once unused for this long. */
const SHARED_CACHE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/**
 * Writes the cache atomically and removes the caches of other bundles: all of them from dist's
 * own directory (one bundle lives there), only old ones from the per-user directory (several
 * installations may share it).
 */
function writeCache(dir: string, ownDir: boolean, prefix: string, name: string, hash: string, data: Buffer): void {
  try {
    const tmp = nodePath.join(dir, `.${name}.${process.pid}-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, nodePath.join(dir, name));
    for (const f of fs.readdirSync(dir)) {
      if (!f.startsWith(prefix) || f.includes(hash)) continue;
      const p = nodePath.join(dir, f);
      if (ownDir || Date.now() - fs.statSync(p).mtimeMs > SHARED_CACHE_MAX_AGE_MS) fs.rmSync(p, { force: true });
    }
  } catch {
    // a cache is an optimisation only
  }
}

export interface LoadedBundle {
  bundle: EvalBundle;
  /** Writes the code cache when there was none (or V8 rejected it); call after the job ran. */
  saveCache(): void;
}

const loaded = new Map<BundleName, LoadedBundle>();

/**
 * The bundle `which` of the directory `dist` (loaded once per thread). `thread` names the cache:
 * V8 accepts a cache only under the flags it was made with, and the main thread sets one before
 * evaluating (main-thread-eval.ts), so each thread keeps its own.
 */
export function loadEvalBundle(dist: string, which: BundleName, thread: 'main' | 'worker'): LoadedBundle {
  const done = loaded.get(which);
  if (done !== undefined) return done;
  const file = nodePath.join(dist, `${which}.cjs`);
  // The bundle is ASCII (build.mjs: charset 'ascii'), so latin1 decodes it exactly, and faster.
  const source = fs.readFileSync(file, 'latin1');
  const useCache = process.env.M_CODE_CACHE !== '0';
  const hash = M_BUNDLE_HASHES[which];
  // Caches of the worker bundle are named m-worker-…, of the eval bundle m-eval-….
  const prefix = `${which.replace(/-bundle$/, '')}-`;
  const name = `${prefix}${hash}-${thread}-${process.version}-${process.arch}.bin`;
  const dirs = cacheDirs(dist);
  const cachedData = useCache ? readCache(dirs, name) : undefined;
  mark(cachedData ? `read code cache (${cachedData.length} bytes)` : 'no code cache');

  // The CommonJS wrapper adds no line: stack traces show the bundle's own line numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  mark(cachedData ? `bundle compiled (code cache ${accepted ? 'accepted' : 'rejected'})` : 'bundle compiled');
  const module = { exports: {} as EvalBundle };
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dist);
  mark('bundle evaluated');

  let saved = !useCache || accepted;
  const saveCache = (): void => {
    if (saved) return;
    saved = true;
    const dir = writableDir(dirs);
    if (dir === undefined) return;
    writeCache(dir, dir === dirs[0], prefix, name, hash, script.createCachedData());
    mark('code cache written');
  };
  const l = { bundle: module.exports, saveCache };
  loaded.set(which, l);
  return l;
}
