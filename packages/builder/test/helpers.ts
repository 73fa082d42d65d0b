/** Test helpers: a throwaway physical store with hand-made store paths. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NIX_BASE32_ALPHABET, storePathHashPart } from '@m/nix-compat';
import type { BuildRequest } from '../src/index';

export const STORE_DIR = '/nix/store';

export function randomHashPart(): string {
  return [...randomBytes(32)].map((b) => NIX_BASE32_ALPHABET[b % 32]).join('');
}

export function fakeStorePath(name: string): string {
  return `${STORE_DIR}/${randomHashPart()}-${name}`;
}

export interface TestStore {
  physical: string;
  /** Creates `logical` physically, as a file with `contents` or a directory of files. */
  add(logical: string, contents: string | Record<string, string>): string;
  phys(logical: string): string;
  cleanup(): void;
}

export function makeTestStore(): TestStore {
  const physical = fs.mkdtempSync(path.join(os.tmpdir(), 'm-builder-store-'));
  const phys = (logical: string): string => path.join(physical, path.basename(logical));
  return {
    physical,
    phys,
    add(logical, contents) {
      const p = phys(logical);
      if (typeof contents === 'string') fs.writeFileSync(p, contents);
      else {
        fs.mkdirSync(p);
        for (const [n, c] of Object.entries(contents)) fs.writeFileSync(path.join(p, n), c);
      }
      return p;
    },
    cleanup: () => fs.rmSync(physical, { recursive: true, force: true }),
  };
}

/** A request running `/bin/sh -c script` with one output `out`. */
export function shRequest(store: TestStore, script: string, extra: Partial<BuildRequest> = {}): BuildRequest {
  const out = extra.outputs?.out ?? fakeStorePath('test-out');
  const outputs = extra.outputs ?? { out };
  const inputPaths = extra.inputPaths ?? [];
  return {
    drvPath: fakeStorePath('test.drv'),
    builder: '/bin/sh',
    args: ['-c', script],
    env: { name: 'test', system: 'x86_64-linux', out, builder: '/bin/sh' },
    outputs,
    inputPaths,
    storeDir: STORE_DIR,
    physicalStore: store.physical,
    fixedOutput: false,
    cores: 1,
    refscanNeedles: [...inputPaths, ...Object.values(outputs)].map(storePathHashPart),
    ...extra,
  };
}

/** Pids of processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(marker)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}
