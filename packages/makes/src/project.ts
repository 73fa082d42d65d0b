/**
 * A makes project: discovery of its outputs and their evaluation with the framework
 * (packages/makes/nix) on the evaluator, with a store-backed EvalIO that records what was read.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError, type SourcePos } from '@m/core';
import {
  type AutoArg,
  type Evaluator,
  type Lazy,
  type PrimOp,
  type Value,
  K_PRIMOP,
  createEvaluator,
  fetchArchiveKeepRoot,
  isAttrs,
  isList,
  isPath,
  isString,
  mkAttrs,
  mkPath,
  mkString,
  strOf,
} from '@m/eval';
import type { HostPkgEvent } from '@m/hostpkgs';
import { createStoreEvalIO } from '@m/realise';
import type { Store } from '@m/store';
import { type MakesCacheConfig, NO_CACHE, readCacheConfig } from './cache-config';
import { type Dep, createDepRecorder, statHash } from './deps';
import { DEFAULT_MAKES_DIRS, discoverOutputs, unknownOutputError } from './discover';
import { frameworkDir } from './framework-dir';
import { gitIndexFingerprint } from './git-index';
import { plainDirReader } from './plain-fs';
import { explainUntracked, gitSourceIO } from './git-source';
import { hostPackagesValue } from './host-inputs';
import { PROJECT_META_DIR } from './out-link';
import { createRecordingIO } from './recording-io';

export const SYSTEM = 'x86_64-linux';
const DPKG_STATUS = '/var/lib/dpkg/status';

export interface MakesProjectOptions {
  /** Absolute project directory (the one holding makes/ and makes.nix). */
  projectDir: string;
  store: Store;
  env?: NodeJS.ProcessEnv;
  onHostEvent?: (e: HostPkgEvent) => void;
  trace?: (msg: string) => void;
  warn?: (msg: string) => void;
  /**
   * false: take the directory as it is even inside a git work tree (a revision the CLI exported,
   * which holds exactly the revision's tracked files). Default: seen through git, as makes.
   */
  git?: boolean;
}

export interface OutputResult {
  name: string;
  /** Absent when the output is a store path that needs no build (e.g. a host package). */
  drvPath?: string;
  outPath: string;
}

export interface MakesProject {
  readonly projectDir: string;
  readonly evaluator: Evaluator;
  /** `extendingMakesDirs` of makes.nix (default ["/makes"]); evaluates makes.nix if present. */
  makesDirs(): string[];
  /** Output name → its main.nix, or makes.nix for an output a module defines (jobs, dev, …). */
  outputs(): Map<string, string>;
  /** The outputs that are not main.nix files (for the CLI's listing cache): name → makes.nix. */
  moduleOutputs(): Record<string, string>;
  /** Evaluates an output and instantiates its derivation (writes the .drv files). */
  evalOutput(name: string): OutputResult;
  /** Everything evaluation depended on so far. */
  deps(): Dep[];
  /** makes.nix's `cache` option (binary caches to read and write). */
  cacheConfig(): MakesCacheConfig;
}

function primop(name: string, arity: number, fn: (args: Lazy[], pos: unknown) => Value): PrimOp {
  return { k: K_PRIMOP, name, arity, fn: fn as PrimOp['fn'] };
}

export function openMakesProject(opts: MakesProjectOptions): MakesProject {
  const { store } = opts;
  const projectDir = nodePath.resolve(opts.projectDir);
  const env = opts.env ?? process.env;
  const rec = createDepRecorder();
  // In a git work tree only tracked files reach the store (git-source.ts); the index is then a
  // dependency of the evaluation, since `git add` changes what projectPath copies.
  const fwDir = frameworkDir(env);
  const io = gitSourceIO(createRecordingIO(createStoreEvalIO(store, { env }), rec, env), {
    projectDir,
    env,
    onGitUsed: (git) => rec.add({ k: 'git', p: git.indexFile, h: gitIndexFingerprint(git.indexFile) }),
    ownDirs: new Set([nodePath.resolve(store.root), nodePath.join(projectDir, PROJECT_META_DIR)]),
    asIs: [fwDir],
    git: opts.git,
  });
  const ev = createEvaluator({ io, nixPath: [], storeDir: store.storeDir, trace: opts.trace, warn: opts.warn });
  const storeRoot = nodePath.resolve(store.root);
  // m's own folders: the store when it sits in the project, and the out-links (.m/out-<name>).
  const ownMeta = nodePath.join(projectDir, PROJECT_META_DIR);
  const skip = new Set([storeRoot, ownMeta]);

  const forceString = (v: Lazy, what: string, pos: unknown): string => {
    const s = ev.force(v);
    if (!isString(s)) throw new MError('TYPE_ERROR', `${what} must be a string`, { pos: pos as never });
    return strOf(s);
  };

  const projectPath = primop('projectPath', 1, ([rel], pos) => {
    const r = forceString(rel!, 'the argument of projectPath', pos);
    if (!r.startsWith('/')) {
      throw new MError('BAD_ARGUMENT', `projectPath arguments must start with: /, currently it is: ${r}`, { pos: pos as never });
    }
    const src = nodePath.join(projectDir, r);
    if (!fs.existsSync(src)) throw new MError('IO_ERROR', `projectPath '${r}': ${src} does not exist`, { pos: pos as never });
    const base = nodePath.basename(src);
    const name = r === '/' || base === '' ? 'src' : base.replace(/^\.+/, '') || 'src';
    const sp = io.addPathToStore({
      name,
      path: src,
      method: 'recursive',
      filter: (p, type) => !(type === 'directory' && nodePath.basename(p) === '.git') && !skip.has(nodePath.resolve(p)),
    });
    return mkString(sp, new Set([sp]));
  });

  const findOutputs = primop('findOutputs', 1, ([dirs]) => {
    const list = ev.force(dirs!);
    if (!isList(list)) throw new MError('TYPE_ERROR', 'extendingMakesDirs must be a list of strings');
    const names = list.map((d) => forceString(d, 'each of extendingMakesDirs', undefined));
    const found = discoverOutputs(projectDir, names, io, skip);
    return mkAttrs(new Map([...found].map(([n, f]) => [n, mkPath(f)])));
  });

  const nixpkgs = hostPackagesValue({
    store,
    onEvent: opts.onHostEvent,
    onImport: () => rec.add({ k: 'stat', p: DPKG_STATUS, h: statHash(DPKG_STATUS) }),
  });

  const fwFile = nodePath.join(fwDir, 'default.nix');
  const makesNix = nodePath.join(projectDir, 'makes.nix');

  // Module-system errors (unknown option, wrong type, …) at the definition's position.
  const throwAt = primop('throwAt', 3, ([posV, msgV, hintV], pos) => {
    const p = ev.force(posV!);
    let at: SourcePos | undefined;
    if (isAttrs(p)) {
      const field = (n: string): Value | undefined => (p.map.has(n) ? ev.force(p.map.get(n)!) : undefined);
      const file = field('file');
      const line = field('line');
      const column = field('column');
      if (file !== undefined && isString(file) && typeof line === 'bigint' && typeof column === 'bigint') {
        at = { file: strOf(file), line: Number(line), column: Number(column) };
      }
    }
    const hint = ev.force(hintV!);
    throw new MError('THROWN', forceString(msgV!, 'the message of a module error', pos), {
      pos: at ?? (pos as SourcePos | undefined),
      hint: hint === null ? undefined : forceString(hintV!, 'the hint of a module error', pos),
    });
  });

  /** The framework: makes.nix and the builtin modules evaluated (once per project handle). */
  let fwMemo: Value | undefined;
  const framework = (): Value => {
    if (fwMemo) return fwMemo;
    const fn = ev.evalFile(fwFile);
    const args = new Map<string, AutoArg>([
      ['nixpkgs', nixpkgs as unknown as AutoArg],
      ['projectPath', projectPath],
      ['projectSrc', projectDir],
      ['makesNix', io.pathExists(makesNix) ? mkPath(makesNix) : null],
      ['findOutputs', findOutputs],
      ['system', SYSTEM],
      ['throwAt', throwAt],
      ['fetchArchiveKeepRoot', fetchArchiveKeepRoot],
    ]);
    return (fwMemo = ev.autoCallFunction(fn, args));
  };
  const config = (): Value => ev.force(attr(framework(), 'config'));

  const attr = (v: Value, name: string): Lazy => {
    if (!isAttrs(v)) throw new MError('TYPE_ERROR', `expected a set with attribute '${name}'`);
    const a = v.map.get(name);
    if (a === undefined) throw new MError('MISSING_ATTR', `attribute '${name}' missing`);
    return a;
  };

  let dirsMemo: string[] | undefined;
  const makesDirs = (): string[] => {
    if (dirsMemo) return dirsMemo;
    if (!io.pathExists(makesNix)) return (dirsMemo = [...DEFAULT_MAKES_DIRS]);
    const dirs = ev.force(attr(config(), 'extendingMakesDirs'));
    if (!isList(dirs)) throw new MError('TYPE_ERROR', 'extendingMakesDirs in makes.nix must be a list of strings');
    return (dirsMemo = dirs.map((d) => forceString(d, 'each of extendingMakesDirs', undefined)));
  };

  // Without makes.nix no module adds an output, so discovery alone lists them (no evaluation).
  let outputsMemo: Map<string, string> | undefined;
  const outputs = (): Map<string, string> => {
    if (outputsMemo) return outputsMemo;
    if (!io.pathExists(makesNix)) return (outputsMemo = discoverOutputs(projectDir, makesDirs(), io, skip));
    const files = ev.force(attr(framework(), 'outputFiles'));
    const all = ev.force(attr(config(), 'outputs'));
    if (!isAttrs(files) || !isAttrs(all)) throw new MError('TYPE_ERROR', 'the outputs of makes.nix must be a set');
    const found = new Map<string, string>();
    for (const name of [...all.map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const f = files.map.get(name);
      const v = f === undefined ? undefined : ev.force(f);
      found.set(name, v !== undefined && isPath(v) ? v.path : makesNix);
    }
    return (outputsMemo = found);
  };

  /** The outputs defined by makes.nix's modules (jobs, dev, …), not by main.nix files: name → makes.nix. */
  const moduleOutputs = (): Record<string, string> => {
    const fromFiles = discoverOutputs(projectDir, makesDirs(), io, skip);
    return Object.fromEntries([...outputs()].filter(([n]) => !fromFiles.has(n)));
  };

  const evalOutput = (name: string): OutputResult => {
    const all = outputs();
    const file = all.get(name);
    if (file === undefined) throw unknownOutputError(name, all.keys(), discoverOutputs(projectDir, makesDirs(), plainDirReader, skip).get(name));
    const v = ev.force(attr(ev.force(attr(config(), 'outputs')), name));
    if (isString(v)) {
      const s = strOf(v);
      if (!store.toStorePath(s)) throw new MError('TYPE_ERROR', `output '${name}' is a string, not a derivation or store path`);
      return { name, outPath: s };
    }
    if (!isAttrs(v) || v.map.get('type') === undefined || strOf(ev.force(v.map.get('type')!) as string) !== 'derivation') {
      throw new MError('TYPE_ERROR', `output '${name}' (${file}) must evaluate to a derivation`);
    }
    const outPath = ev.force(attr(v, 'outPath'));
    if (!isString(outPath)) throw new MError('TYPE_ERROR', `the outPath of output '${name}' is not a string`);
    const drv = v.map.get('drvPath');
    if (drv === undefined) return { name, outPath: strOf(outPath) };
    const drvPath = ev.force(drv);
    if (!isString(drvPath)) throw new MError('TYPE_ERROR', `the drvPath of output '${name}' is not a string`);
    return { name, drvPath: strOf(drvPath), outPath: strOf(outPath) };
  };

  const cacheConfig = (): MakesCacheConfig =>
    io.pathExists(makesNix) ? readCacheConfig(ev, ev.force(attr(config(), 'cache'))) : NO_CACHE;

  // An untracked file the evaluation looked for is named as such (git-source.ts).
  const explained = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    try {
      return f(...a);
    } catch (e) {
      throw explainUntracked(e, projectDir, env);
    }
  };
  return {
    projectDir,
    evaluator: ev,
    makesDirs: explained(makesDirs),
    outputs: explained(outputs),
    moduleOutputs: explained(moduleOutputs),
    evalOutput: explained(evalOutput),
    deps: rec.list,
    cacheConfig: explained(cacheConfig),
  };
}
