/**
 * Per-store-path layer cache. Store paths never change, so the tar entries of `<hash>-<name>` and
 * their compressed form are computed once:
 *
 *   <cacheDir>/v2-<S>/pieces/<base>.gz    the store path's tar entries (no end marker) as gzip
 *                                         members of the compressor's memberSize input bytes
 *                                         each (gzip-pool.ts: libdeflate or zlib, level 6),
 *                                         starting at its first byte
 *   <cacheDir>/v2-<S>/pieces/<base>.json  { tarSize, gzSize }
 *   <cacheDir>/v2-<S>/layers/<key>.json   { digest, size } of a whole layer tar, keyed by the
 *                                         sha256 of the layer's store path list
 *
 * where <S> is the first 16 hex digits of sha256(storeDir): member names embed the store directory.
 * With zstd (or no) compression the pieces are `<base>.zst` + `<base>.zst.json` (`.tar`, `.tar.json`).
 * A piece name is a store path's base name (plus `~perms-<digest>` when perms change its entries),
 * or `blob-<hex>` for a base image's layer blob.
 *
 * A layer tar is LAYER_PREFIX (the store directory's ancestors) + the pieces of its paths +
 * TAR_TRAILER. Because gzip members may end anywhere, a piece's cached members are reused as-is
 * wherever the piece lands in the outer archive: the outer archive is compressed as the sequence
 * "small bytes (headers, prefix, trailer, JSON) as their own members" + "cached piece members", so
 * no byte alignment is needed between a piece and the outer tar. Writes are atomic (temp + rename).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// v2: gzip pieces of 8 MiB, libdeflate for pieces of 256 KiB and more (v1: 1 MiB, zlib only).
const VERSION = 'v2';

export interface PieceInfo {
  tarSize: number;
  gzSize: number;
}
export interface LayerInfo {
  digest: string;
  size: number;
}

export interface LayerCache {
  piecePath(base: string): string;
  piece(base: string): PieceInfo | undefined;
  layer(key: string): LayerInfo | undefined;
  /** Opens a temp file for a piece's members; `commit` renames it into place. */
  openPiece(base: string): { fd: number; commit(info: PieceInfo): void; abort(): void };
  putLayer(key: string, info: LayerInfo): void;
}

let tmpCounter = 0;
const tmpName = (p: string): string => `${p}.tmp-${process.pid}-${tmpCounter++}`;

function readJson<T>(p: string): T | undefined {
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeAtomic(p: string, data: string): void {
  const t = tmpName(p);
  writeFileSync(t, data);
  renameSync(t, p);
}

export function layerKey(storeDir: string, paths: readonly string[]): string {
  return createHash('sha256').update([VERSION, storeDir, ...paths].join('\0')).digest('hex');
}

/** The cache's directory for one store directory. */
export function layerCacheRoot(cacheDir: string, storeDir: string): string {
  return join(cacheDir, `${VERSION}-${createHash('sha256').update(storeDir).digest('hex').slice(0, 16)}`);
}

export function createLayerCache(cacheDir: string, storeDir: string, ext: 'gz' | 'zst' | 'tar' = 'gz'): LayerCache {
  const root = layerCacheRoot(cacheDir, storeDir);
  const pieces = join(root, 'pieces');
  const layers = join(root, 'layers');
  mkdirSync(pieces, { recursive: true });
  mkdirSync(layers, { recursive: true });
  const piecePath = (base: string): string => join(pieces, `${base}.${ext}`);
  const infoPath = (base: string): string => join(pieces, ext === 'gz' ? `${base}.json` : `${base}.${ext}.json`);
  return {
    piecePath,
    piece(base) {
      const info = readJson<PieceInfo>(infoPath(base));
      return info !== undefined && existsSync(piecePath(base)) ? info : undefined;
    },
    layer(key) {
      return readJson<LayerInfo>(join(layers, `${key}.json`));
    },
    openPiece(base) {
      const t = tmpName(piecePath(base));
      const fd = openSync(t, 'w');
      let open = true;
      const close = (): void => {
        if (open) closeSync(fd);
        open = false;
      };
      return {
        fd,
        commit(info) {
          close();
          renameSync(t, piecePath(base));
          writeAtomic(infoPath(base), JSON.stringify(info));
        },
        abort() {
          close();
          rmSync(t, { force: true });
        },
      };
    },
    putLayer(key, info) {
      writeAtomic(join(layers, `${key}.json`), JSON.stringify(info));
    },
  };
}
