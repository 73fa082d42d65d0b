/**
 * The evaluation cache of `m PROJECT /output`: per project, the result of each output's
 * evaluation (its .drv and output path) with everything that evaluation read (deps.ts). A later
 * run whose dependencies all still hold skips evaluation. Kept at
 * `<store>/.m/makes-cache/<hash of project dir>.json`; light (no evaluator) so the CLI's main thread
 * can use it. Entries also record the version of m, so a new m never trusts an older one's work.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { type Dep, depHolds } from './deps';

export interface CachedOutput {
  deps: Dep[];
  drvPath?: string;
  outPath: string;
}

export interface CachedConfig {
  deps: Dep[];
  makesDirs: string[];
  /** Outputs makes.nix's modules define (jobs, dev, …), not main.nix files: name → makes.nix. */
  moduleOutputs?: Record<string, string>;
}

/** The discovered main.nix outputs plus the cached module outputs, sorted by name. */
export function withModuleOutputs(found: Map<string, string>, moduleOutputs: Record<string, string> | undefined): Map<string, string> {
  if (!moduleOutputs) return found;
  const all = new Map([...found, ...Object.entries(moduleOutputs).filter(([n]) => !found.has(n))]);
  return new Map([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface ProjectCache {
  version: string;
  projectDir: string;
  config?: CachedConfig;
  outputs: Record<string, CachedOutput>;
}

export function cacheFile(storeRoot: string, projectDir: string): string {
  const key = createHash('sha256').update(projectDir).digest('hex').slice(0, 32);
  return nodePath.join(storeRoot, '.m', 'makes-cache', `${key}.json`);
}

export function readProjectCache(storeRoot: string, projectDir: string, version: string): ProjectCache {
  const empty: ProjectCache = { version, projectDir, outputs: {} };
  try {
    const c = JSON.parse(fs.readFileSync(cacheFile(storeRoot, projectDir), 'utf8')) as ProjectCache;
    if (c.version !== version || c.projectDir !== projectDir || typeof c.outputs !== 'object') return empty;
    return c;
  } catch {
    return empty;
  }
}

/** Merges `update` into the stored cache (re-read first: other runs may have added entries). */
export function writeProjectCache(storeRoot: string, projectDir: string, version: string, update: { config?: CachedConfig; outputs?: Record<string, CachedOutput> }): void {
  const file = cacheFile(storeRoot, projectDir);
  try {
    const cur = readProjectCache(storeRoot, projectDir, version);
    const next: ProjectCache = {
      version,
      projectDir,
      config: update.config ?? cur.config,
      outputs: { ...cur.outputs, ...(update.outputs ?? {}) },
    };
    fs.mkdirSync(nodePath.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next));
    fs.renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

/** True when every dep holds; `check` may be one createDepChecker shared by several lists. */
export function depsHold(deps: readonly Dep[], env: NodeJS.ProcessEnv, check: (dep: Dep) => boolean = (d) => depHolds(d, env)): boolean {
  return deps.every(check);
}
