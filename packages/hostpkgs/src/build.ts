/**
 * Turning planned packages into one store path: copy the laid-out files into store temp space,
 * rewrite symlinks, point ELF interpreters and RUNPATHs at dependency store paths (the package's
 * own libraries through $ORIGIN, so a path never refers to itself), then register the tree under
 * a content address: recursive sha256 of the NAR with the dependency paths as references.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MError } from '@m/core';
import { makeFixedOutputPath, printHash, sortedUtf8 } from '@m/nix-compat';
import { type Store, hashPath } from '@m/store';
import { relativeLink } from './layout';
import type { Entry, PackagePlan } from './plan';
import { runTool } from './run';

export interface BuildResult {
  storePath: string;
  references: string[];
  patched: number;
  notes: string[];
}

/** Libraries every process started by our interpreter has already loaded (matched by soname). */
const ALWAYS_LOADED = /^(libc\.so\.6|ld-linux[^/]*)$/;

function depPathOf(deps: Map<string, string>, owner: string): string {
  const p = deps.get(owner);
  if (p === undefined) throw new MError('INTERNAL', `host package '${owner}' was not imported before its dependants`);
  return p;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs patchelf on every job, several at a time, in one shell; throws naming the first failure. */
function patchAll(jobs: { file: string; args: string[] }[]): void {
  if (jobs.length === 0) return;
  const width = Math.max(2, Math.min(8, os.availableParallelism()));
  const lines = ['command -v patchelf >/dev/null || { echo "NOPATCHELF" >&2; exit 127; }'];
  jobs.forEach((j, i) => {
    const cmd = ['patchelf', ...j.args, j.file].map(quote).join(' ');
    lines.push(`{ ${cmd} 2>/dev/null || { ${cmd} 2>&1 | sed 's/^/FAILED ${String(i)} /' >&2; }; } &`);
    if ((i + 1) % width === 0) lines.push('wait');
  });
  lines.push('wait');
  const r = runTool('sh', ['-c', lines.join('\n')], { mustStart: true });
  if (r.stderr.includes('NOPATCHELF')) throw new MError('NOT_AVAILABLE', 'patchelf is not installed', { hint: 'install patchelf' });
  const m = /^FAILED (\d+) (.*)$/m.exec(r.stderr);
  if (m) throw new MError('STORE_ERROR', `patchelf failed on '${jobs[Number(m[1])]!.file}': ${m[2]}`);
}

/** The patchelf arguments for ELF entry `e`, or undefined when it can stay as it is. */
function elfArgs(e: Entry, own: Set<string>, deps: Map<string, string>, notes: string[]): string[] | undefined {
  const elf = e.elf!;
  const args: string[] = [];
  const interp = e.refs.find((r) => r.what === 'interp');
  if (interp?.owner && interp.rel) {
    if (own.has(interp.owner)) notes.push(`${e.rel}: interpreter is in the same store path; left unchanged`);
    else args.push('--set-interpreter', `${depPathOf(deps, interp.owner)}/${interp.rel}`);
  }
  const needs = e.refs.filter((r) => r.what === 'needed');
  if (args.length === 0 && needs.every((r) => ALWAYS_LOADED.test(r.name))) return undefined;
  const dirs: string[] = [];
  const add = (d: string) => {
    if (!dirs.includes(d)) dirs.push(d);
  };
  const here = path.posix.dirname(e.rel);
  const originOf = (relDir: string) => {
    const r = path.posix.relative(here, relDir);
    return r === '' ? '$ORIGIN' : `$ORIGIN/${r}`;
  };
  for (const r of needs) {
    if (!r.owner || !r.rel) continue;
    const dir = path.posix.dirname(r.rel);
    add(own.has(r.owner) ? originOf(dir) : `${depPathOf(deps, r.owner)}/${dir}`);
  }
  if (elf.needed.length > 0 || args.length > 0) args.push('--set-rpath', dirs.join(':'));
  return args;
}

/** Builds and registers the store path for `plans` (one package, or a cycle of packages merged). */
export function buildUnit(store: Store, name: string, plans: PackagePlan[], deps: Map<string, string>): BuildResult {
  const own = new Set(plans.map((p) => p.pkg.name));
  const notes = plans.flatMap((p) => p.notes.map((n) => `${p.pkg.name}: ${n}`));
  const refs = new Set<string>();
  const tmp = store.makeTempDir();
  const jobs: { file: string; args: string[] }[] = [];
  try {
    const root = path.join(tmp, 'out');
    fs.mkdirSync(root);
    const placed = new Set<string>();
    for (const plan of plans) {
      for (const e of plan.entries.values()) {
        if (placed.has(e.rel)) continue;
        const dst = path.join(root, e.rel);
        if (e.kind === 'symlink') {
          const r = e.refs[0]!;
          if (!r.owner || !r.rel) {
            notes.push(`${plan.pkg.name}: ${e.rel} -> ${r.name}: target not provided by any package; left out`);
            continue;
          }
          const target = own.has(r.owner) ? relativeLink(e.rel, r.rel) : `${depPathOf(deps, r.owner)}/${r.rel}`;
          if (!own.has(r.owner)) refs.add(depPathOf(deps, r.owner));
          fs.mkdirSync(path.dirname(dst), { recursive: true });
          fs.symlinkSync(target, dst);
          placed.add(e.rel);
          continue;
        }
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        try {
          fs.copyFileSync(e.host, dst);
        } catch (err) {
          notes.push(`${plan.pkg.name}: cannot copy ${e.host} (${(err as Error).message}); left out`);
          continue;
        }
        placed.add(e.rel);
        const mode = fs.statSync(dst).mode & 0o777;
        fs.chmodSync(dst, (mode & 0o111) | 0o644);
        if (!e.elf) continue;
        for (const r of e.refs) if (r.owner && !own.has(r.owner)) refs.add(depPathOf(deps, r.owner));
        const args = elfArgs(e, own, deps, notes);
        if (args) jobs.push({ file: dst, args });
      }
    }
    patchAll(jobs);
    const nar = hashPath(root);
    const references = sortedUtf8(refs);
    const storePath = makeFixedOutputPath({
      method: 'recursive',
      hash: nar.hash,
      name,
      references,
      storeDir: store.storeDir,
    });
    const release = store.lockPaths([storePath]);
    try {
      if (!store.isValid(storePath))
        store.registerOutputs([
          { path: storePath, references, from: root, ca: `fixed:r:${printHash(nar.hash, 'base32', true)}` },
        ]);
    } finally {
      release();
    }
    store.addTempRoot(storePath);
    return { storePath, references, patched: jobs.length, notes };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
