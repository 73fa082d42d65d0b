/** Test helpers: temp dirs, fixture trees, the real Nix oracle, and a bundled worker for child processes. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { expect } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-store-${tag}-`));
}

/** Removes a tree even if it contains read-only store directories. */
export function rmrf(p: string): void {
  if (!fs.existsSync(p)) return;
  execFileSync('chmod', ['-R', 'u+w', p]);
  fs.rmSync(p, { recursive: true, force: true });
}

/** A small tree with every entry type the store accepts. */
export function makeSampleTree(dir: string): string {
  fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'empty'));
  fs.writeFileSync(path.join(dir, 'a.txt'), 'hello\n');
  fs.writeFileSync(path.join(dir, 'sub', 'b'), 'x');
  fs.writeFileSync(path.join(dir, 'sub', 'deeper', 'zero'), '');
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'setuid'), 'not really', { mode: 0o4755 });
  fs.writeFileSync(path.join(dir, 'skip-me'), 'filtered out');
  fs.writeFileSync(path.join(dir, 'B-upper'), 'sorting: uppercase before lowercase');
  fs.writeFileSync(path.join(dir, 'büch'), 'non-ASCII name');
  fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(3 * 1024 * 1024 + 5, 7));
  fs.symlinkSync('a.txt', path.join(dir, 'link'));
  fs.symlinkSync('/nonexistent/target', path.join(dir, 'dangling'));
  return dir;
}

/** A tree of `n` files of `size` bytes in `dirs` subdirectories. */
export function makeBigTree(dir: string, n: number, size: number, dirs = 10): string {
  for (let d = 0; d < dirs; d++) fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
  const buf = Buffer.alloc(size);
  for (let i = 0; i < n; i++) {
    buf.writeUInt32LE(i, 0);
    fs.writeFileSync(path.join(dir, `d${i % dirs}`, `f${i}`), buf);
  }
  return dir;
}

export function nix(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** `nix-instantiate --eval` of `expr` (read-write mode: paths are really added). */
export function nixEval(expr: string): string {
  return JSON.parse(nix('nix-instantiate', ['--read-write-mode', '--eval', '--strict', '--json', '-E', expr]));
}

export function nixStr(s: string): string {
  return JSON.stringify(s).replace(/\$\{/g, '\\${');
}

let workerFile: string | undefined;

/**
 * Bundles test/worker.ts for plain `node` (better-sqlite3 stays external and resolves from this
 * package's node_modules, where the bundle is written).
 */
export function workerScript(): string {
  if (workerFile) return workerFile;
  const outDir = path.join(here, '..', 'node_modules', '.cache', 'm-store-test');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `worker-${process.pid}.mjs`);
  buildSync({
    entryPoints: [path.join(here, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile,
    logLevel: 'error',
  });
  workerFile = outfile;
  return outfile;
}

/** Every entry under `p` (including `p`) with its mode bits and mtime in seconds. */
export function listMeta(p: string): { path: string; mode: number; mtime: number; kind: string }[] {
  const out: { path: string; mode: number; mtime: number; kind: string }[] = [];
  const walk = (q: string) => {
    const st = fs.lstatSync(q);
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    out.push({ path: q, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000), kind });
    if (st.isDirectory()) for (const n of fs.readdirSync(q)) walk(path.join(q, n));
  };
  walk(p);
  return out;
}

export interface Job {
  root: string;
  adds: { name: string; srcPath: string; method?: 'recursive' | 'flat' }[];
  texts?: { name: string; text: string }[];
}
export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled worker on `job`, killing it with SIGKILL after `killAfterMs` if given. */
export function run(worker: string, job: Job, killAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [worker, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The worker's JSON answer, asserting a clean exit (no SQLITE_BUSY or other error on stderr). */
export function result(o: Outcome): { paths: string[]; written: string[] } {
  expect(o.stderr).toBe('');
  expect(o.code).toBe(0);
  return JSON.parse(o.stdout);
}
