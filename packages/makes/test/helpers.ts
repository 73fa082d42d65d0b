/** Test helpers: throwaway projects and stores. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore, type Store } from '@m/store';

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-makes-${tag}-`));
}

export function rmrf(p: string): void {
  if (!fs.existsSync(p)) return;
  execFileSync('chmod', ['-R', 'u+w', p]);
  fs.rmSync(p, { recursive: true, force: true });
}

/** Writes `files` (relative path → content) under a new project directory. */
export function makeProject(tag: string, files: Record<string, string>): string {
  const dir = tmpDir(tag);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

export function freshStore(tag: string): { root: string; store: Store } {
  const root = path.join(tmpDir(tag), 'store');
  return { root, store: openStore({ root }) };
}
