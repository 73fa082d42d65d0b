/** A hand-made store for image tests: busybox-static as `<hash>-busybox`, plus small paths. */
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nixBase32Encode } from '@m/nix-compat';

export const STORE_DIR = '/nix/store';
export const BUSYBOX = '/bin/busybox';

/** A deterministic fake store path for `name` (hash part derived from the name and a salt). */
export function fakeStorePath(name: string, salt = ''): string {
  const h = createHash('sha256').update(`${salt}:${name}`).digest().subarray(0, 20);
  return `${STORE_DIR}/${nixBase32Encode(h)}-${name}`;
}

export const base = (p: string): string => p.slice(STORE_DIR.length + 1);

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface SeedStore {
  physicalStore: string;
  busybox: string;
  custom: string;
  graph: Map<string, string[]>;
}

/** The seed example's closure: a busybox "coreutils" and a custom layer with working-dir/my-file. */
export function makeSeedStore(physicalStore = tempDir('m-image-store-')): SeedStore {
  const busybox = fakeStorePath('busybox');
  const custom = fakeStorePath('custom-layer');
  const bb = join(physicalStore, base(busybox));
  mkdirSync(join(bb, 'bin'), { recursive: true });
  mkdirSync(join(bb, 'libexec'), { recursive: true });
  copyFileSync(BUSYBOX, join(bb, 'bin/busybox'));
  chmodSync(join(bb, 'bin/busybox'), 0o555);
  for (const tool of ['ls', 'cat', 'pwd', 'env', 'sh', 'echo', 'id'])
    symlinkSync(`${busybox}/bin/busybox`, join(bb, 'bin', tool));
  writeFileSync(join(bb, 'libexec/README'), 'busybox helpers\n');
  const cl = join(physicalStore, base(custom));
  mkdirSync(join(cl, 'working-dir'), { recursive: true });
  writeFileSync(join(cl, 'working-dir/my-file'), 'my-file-contents\n');
  const graph = new Map<string, string[]>([
    [busybox, [busybox]],
    [custom, []],
  ]);
  return { physicalStore, busybox, custom, graph };
}

import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/**
 * `sh` without blocking the test worker: vitest's worker gives up on its own RPC calls when its event
 * loop is blocked for a minute, so podman, skopeo, umoci and large tar pipelines run through this one.
 */
export function shAsync(cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve(stdout);
    });
  });
}

export const sha256File = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Gunzips `out` to `<dir>/image.tar` and extracts it to `<dir>/x`; returns both paths. */
export async function unpackArchive(out: string, dir: string): Promise<{ tar: string; root: string }> {
  const tar = join(dir, 'image.tar');
  const root = join(dir, 'x');
  mkdirSync(root, { recursive: true });
  await shAsync(`gunzip -c '${out}' > '${tar}' && tar -xf '${tar}' -C '${root}'`);
  return { tar, root };
}

/** `tar tv` of a tar file, as [mode, owner, size, name(+ -> target)] with the date dropped. */
export function listTar(file: string): string[] {
  return sh(`tar --numeric-owner -tvf '${file}'`)
    .trim()
    .split('\n')
    .map((l) => l.replace(/^(\S+)\s+(\S+)\s+(\d+)\s+\S+\s+\S+\s+/, '$1 $2 $3 '));
}
