/**
 * The evaluator's EvalIO backed by a real store: `builtins.path`, `"${./x}"`, filterSource, toFile
 * and derivationStrict's .drv writes become valid, registered store paths. Reads of logical store
 * paths go to the store's physical location; everything else is the host file system.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError } from '@m/core';
import { fromDerivationData, fsPath, readDirTyped, readTextFile, toDerivationData, type EvalIO, type FileType } from '@m/eval';
import {
  type Derivation,
  base16Decode,
  fromUtf8,
  makeFixedOutputPath,
  parseDerivation,
  utf8,
} from '@m/nix-compat';
import type { Store } from '@m/store';
import { createFetchers } from './fetch';

export interface StoreEvalIOOptions {
  /** Environment for builtins.getEnv (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Filled with every derivation the evaluator writes (or finds already valid), by .drv path, for
   * realise's `derivations` option: a build of what was just instantiated reads no .drv file back.
   */
  derivations?: Map<string, Derivation>;
}

function typeOf(st: fs.Stats): FileType {
  if (st.isFile()) return 'regular';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'unknown';
}

/** Reads and parses the .drv at `drvPath` from `store`. */
export function readStoreDerivation(store: Store, drvPath: string): Derivation {
  if (!store.isValid(drvPath)) throw new MError('STORE_ERROR', `path '${drvPath}' is not valid`);
  const text = fromUtf8(fs.readFileSync(store.realPath(drvPath)));
  return parseDerivation(text, { storeDir: store.storeDir });
}

function drvName(drvPath: string): string {
  const base = nodePath.basename(drvPath);
  return base.slice(33, base.endsWith('.drv') ? -4 : undefined);
}

export function createStoreEvalIO(store: Store, opts: StoreEvalIOOptions = {}): EvalIO {
  const storeDir = store.storeDir;
  const env = opts.env ?? process.env;
  const inStore = (p: string): boolean => p.startsWith(storeDir + '/');
  /** Physical location of `p`: store paths live under the store's root. */
  const physical = (p: string): string => {
    if (!inStore(p) || store.root === storeDir) return p;
    return nodePath.join(store.root, p.slice(storeDir.length + 1));
  };

  return {
    storeDir,
    readFile: (p) => readTextFile(physical(p)),
    readFileBytes: (p) => new Uint8Array(fs.readFileSync(fsPath(physical(p)))),
    pathExists: (p) => fs.existsSync(fsPath(physical(p))),
    readDir: (p) => readDirTyped(physical(p)),
    fileType: (p) => {
      try {
        return typeOf(fs.lstatSync(fsPath(physical(p))));
      } catch {
        return undefined;
      }
    },
    getEnv: (name) => env[name],
    addPathToStore(o) {
      if (o.expectedSha256 !== undefined) {
        // As Nix: a path already valid under its expected name is not read again.
        const expected = makeFixedOutputPath({
          method: o.method,
          hash: { type: 'sha256', bytes: base16Decode(o.expectedSha256) },
          name: o.name,
          storeDir,
        });
        if (store.isValid(expected)) {
          store.addTempRoot(expected);
          return expected;
        }
      }
      return store.addPath({ name: o.name, srcPath: physical(o.path), method: o.method, filter: o.filter });
    },
    addTextToStore: (name, text, references) => store.addText(name, utf8(text), references),
    writeDerivation: (d, printed) => {
      const drv = fromDerivationData(d);
      let drvPath: string;
      // A .drv already valid at the path the evaluator computed is neither printed nor hashed again.
      // The root goes first: gc may not delete it between the validity check and its use.
      if (printed !== undefined && (store.addTempRoot(printed.path), store.isValid(printed.path))) drvPath = printed.path;
      else drvPath = store.writeDerivation(drv, d.name, printed?.aterm);
      opts.derivations?.set(drvPath, drv);
      return drvPath;
    },
    readDerivation: (drvPath) => toDerivationData(drvName(drvPath), readStoreDerivation(store, drvPath)),
    isInStore: inStore,
    ...createFetchers({
      add: (o) => store.addPath({ name: o.name, srcPath: o.path, method: o.method }),
      tempDir: () => store.makeTempDir(),
      gitCacheDir: nodePath.join(store.root, '.m', 'git-cache'),
      env,
    }),
  };
}
