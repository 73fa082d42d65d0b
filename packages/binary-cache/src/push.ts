/**
 * Copying store paths into a binary cache (`m copy --to`, makes' cache writers): the closure,
 * dependencies first; per path the compressed NAR is uploaded before its narinfo, so a reader
 * never sees a narinfo whose NAR is missing. Paths the cache already has are skipped.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { MError } from '@m/core';
import {
  type NarInfo,
  type SecretKey,
  narEncode,
  narInfoFileName,
  nixBase32Encode,
  parseHash,
  pathFingerprint,
  printCacheInfo,
  printHash,
  printNarInfo,
  signDetached,
} from '@m/nix-compat';
import { type Store, fsNarSource } from '@m/store';
import { type Compression, compressNar, narExtension } from './compression';
import { runInDependencyOrder } from './schedule';
import type { CacheTransport } from './transport';

/** Uploads at a time (compression runs in subprocesses, so this also spreads it over the cores). */
const DEFAULT_JOBS = 4;

export type PushEvent = { type: 'copying'; path: string; to: string } | { type: 'present'; path: string; to: string };

export interface PushOptions {
  store: Store;
  cache: CacheTransport;
  /** Paths whose closures are copied. */
  paths: string[];
  compression?: Compression;
  /** Signs each narinfo (Sig line); without it the paths are uploaded unsigned. */
  secretKey?: SecretKey;
  /** Parallel uploads (default 4). */
  jobs?: number;
  onEvent?: (e: PushEvent) => void;
}

export interface PushResult {
  /** Paths uploaded by this call, dependencies first. */
  copied: string[];
  /** Paths the cache already had. */
  present: string[];
}

/** The narinfo describing a valid store path (unsigned, without file fields). */
export function localNarInfo(store: Store, storePath: string, url: string, compression: string): NarInfo {
  const pi = store.queryPathInfo(storePath);
  if (!pi) throw new MError('STORE_ERROR', `path '${storePath}' is not valid`);
  const info: NarInfo = {
    storePath,
    url,
    compression,
    narHash: pi.narHash,
    narSize: pi.narSize,
    references: pi.references,
    sigs: [],
  };
  if (pi.deriver !== undefined) info.deriver = pi.deriver;
  if (pi.ca !== undefined) info.ca = pi.ca;
  return info;
}

export function signNarInfo(info: NarInfo, key: SecretKey): void {
  const sig = signDetached(key, pathFingerprint(info.storePath, info.narHash, info.narSize, info.references));
  info.sigs = [...info.sigs.filter((s) => !s.startsWith(`${key.name}:`)), sig];
}

/** Writes nix-cache-info unless the cache has one. */
export async function ensureCacheInfo(cache: CacheTransport, storeDir: string): Promise<void> {
  if (await cache.has('nix-cache-info')) return;
  await cache.put('nix-cache-info', Buffer.from(printCacheInfo({ storeDir, wantMassQuery: true })), 'text/x-nix-cache-info');
}

export async function pushPaths(opts: PushOptions): Promise<PushResult> {
  const { store, cache } = opts;
  const compression = opts.compression ?? 'xz';
  for (const p of opts.paths) if (!store.isValid(p)) throw new MError('STORE_ERROR', `path '${p}' is not valid`);
  const order = store.closure(opts.paths);
  await ensureCacheInfo(cache, store.storeDir);
  const res: PushResult = { copied: [], present: [] };
  // Each path's narinfo goes up after those of its references, as Nix's copyPaths orders them.
  await runInDependencyOrder(order, (p) => store.references(p), opts.jobs ?? DEFAULT_JOBS, async (p) => {
    const infoName = narInfoFileName(p);
    if (await cache.has(infoName)) {
      res.present.push(p);
      opts.onEvent?.({ type: 'present', path: p, to: cache.url });
      return;
    }
    opts.onEvent?.({ type: 'copying', path: p, to: cache.url });
    const tmp = store.makeTempDir();
    try {
      const file = path.join(tmp, 'nar');
      const { input, output } = await compressNar(compression, narEncode(store.realPath(p), fsNarSource()), file);
      const info = localNarInfo(store, p, '', compression);
      const recorded = parseHash(info.narHash);
      if (printHash(recorded, 'base32') !== printHash(input.hash, 'base32') || input.size !== info.narSize)
        throw new MError('STORE_ERROR', `path '${p}' was modified! expected hash '${info.narHash}', got '${printHash(input.hash, 'base32', true)}'`, {
          hint: "run 'm store verify --check-contents'",
        });
      info.url = `nar/${nixBase32Encode(output.hash.bytes)}${narExtension(compression)}`;
      info.fileHash = printHash(output.hash, 'base32', true);
      info.fileSize = output.size;
      if (opts.secretKey) signNarInfo(info, opts.secretKey);
      if (!(await cache.has(info.url))) await cache.put(info.url, { file }, 'application/x-nix-nar');
      await cache.put(infoName, Buffer.from(printNarInfo(info)), 'text/x-nix-narinfo');
      res.copied.push(p);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
  return res;
}
