/**
 * buildImage: a closure of store paths → one gzip-compressed tar holding both a `docker save`
 * archive (manifest.json) and an OCI image layout (oci-layout, index.json), sharing blobs/sha256/*.
 *
 * Steps: (1) closure of the roots and of store paths named in `config`; (2) popularity ordering and
 * layering (popularity.ts, layering.ts); (3) each store layer's tar digest and compressed pieces,
 * from the per-store-path cache when present (layer-cache.ts); (4) the customisation layer;
 * (5) config, manifests, index; (6) the outer tar, entries sorted by name, written as gzip members:
 * small bytes compressed on the pool, cached piece members copied verbatim.
 */
import { closeSync, mkdtempSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MError } from '@m/core';
import { DEFAULT_STORE_DIR, parseStorePath } from '@m/nix-compat';
import { buildRootTree, writeRootTree } from './customisation';
import { createGzipPool, type GzipPool } from './gzip-pool';
import {
  MEDIA_TYPES,
  type Descriptor,
  dockerManifestJson,
  imageConfigJson,
  normaliseContainerConfig,
  ociIndexJson,
  ociManifestJson,
  storePathsInValue,
} from './image-json';
import { createLayerCache, layerKey, type LayerCache, type LayerInfo } from './layer-cache';
import { DEFAULT_MAX_LAYERS, checkMaxLayers, splitIntoLayers } from './layering';
import { closureOf, orderByPopularity } from './popularity';
import { type ByteSink, MEMBER_SIZE, hashingSink, memberStream, teeSink } from './sinks';
import { writeStorePathEntries } from './store-walk';
import { TAR_TRAILER, tarEntryHeader, tarFileEntry } from './tar';

export type ImageEvent =
  | { type: 'layer'; layer: number; paths: string[]; cached: boolean; message: string }
  | { type: 'customisation'; layer: number; message: string }
  | { type: 'manifests'; message: string }
  | { type: 'done'; message: string };

export interface BuildImageOptions {
  /** Logical store paths of the `layers` entries; their top-level contents form the image root. */
  roots: readonly string[];
  /** References of every path of the closure (self-references allowed). */
  graph: ReadonlyMap<string, readonly string[]>;
  /** Directory holding the `<hash>-<name>` entries. */
  physicalStore: string;
  storeDir?: string;
  maxLayers?: number;
  /** The OCI "config" object (Env, WorkingDir, Entrypoint, Cmd, User, ExposedPorts, Labels, Volumes, StopSignal, …). */
  config?: Record<string, unknown>;
  arch?: string;
  os?: string;
  tag?: string;
  /** Per-store-path layer cache; a private temporary directory when absent. */
  cacheDir?: string;
  onEvent?: (e: ImageEvent) => void;
  /** The .tar.gz to write (atomically: temp file + rename). */
  out: string;
  /** Compression threads (default: every core). */
  threads?: number;
}

export interface BuiltLayer {
  /** Store paths of the layer; empty for the customisation layer. */
  paths: string[];
  /** sha256:… of the uncompressed layer tar (blob digest and diff_id alike). */
  digest: string;
  size: number;
}

export interface BuildImageResult {
  out: string;
  layers: BuiltLayer[];
  config: Descriptor;
  manifest: Descriptor;
  /** sha256:… of the written .tar.gz. */
  archiveDigest: string;
  archiveSize: number;
}

/** Python's repr of a list of plain strings, as nixpkgs prints layer contents. */
function pyListRepr(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

/** Tar entries of the store directory's ancestors, at the start of every layer. */
function layerPrefix(storeDir: string): Buffer {
  const parts = storeDir.split('/').filter((p) => p !== '');
  return Buffer.concat(parts.map((_, i) => tarEntryHeader({ name: parts.slice(0, i + 1).join('/'), type: 'directory', mode: 0o555 })));
}

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
}

interface LayerPlan {
  paths: string[];
  info?: LayerInfo;
}

/** Ensures every piece of the layer is cached and returns the layer's digest and size. */
async function prepareStoreLayer(
  plan: LayerPlan,
  ctx: { cache: LayerCache; pool: GzipPool; physicalStore: string; storeDir: string; prefix: Buffer },
): Promise<LayerInfo> {
  const bases = plan.paths.map((p) => p.slice(ctx.storeDir.length + 1));
  const key = layerKey(ctx.storeDir, bases);
  const cached = ctx.cache.layer(key);
  if (cached !== undefined && bases.every((b) => ctx.cache.piece(b) !== undefined)) return cached;

  const layerHash = hashingSink();
  layerHash.write(ctx.prefix);
  const storeName = ctx.storeDir.slice(1);
  for (const base of bases) {
    const physical = join(ctx.physicalStore, base);
    if (ctx.cache.piece(base) !== undefined) {
      await writeStorePathEntries(physical, `${storeName}/${base}`, layerHash);
      continue;
    }
    const tmp = ctx.cache.openPiece(base);
    try {
      const members = memberStream(ctx.pool, tmp.fd);
      let tarSize = 0;
      const counter: ByteSink = { write: (b) => void (tarSize += b.length) };
      await writeStorePathEntries(physical, `${storeName}/${base}`, teeSink(layerHash, members, counter));
      const { compressedSize } = await members.end();
      tmp.commit({ tarSize, gzSize: compressedSize });
    } catch (e) {
      tmp.abort();
      throw e;
    }
  }
  layerHash.write(TAR_TRAILER);
  const info = { digest: `sha256:${layerHash.hash.digest('hex')}`, size: layerHash.size };
  ctx.cache.putLayer(key, info);
  return info;
}

/** The outer archive writer: buffers small bytes, compresses them on the pool, copies cached members. */
function archiveWriter(fd: number, pool: GzipPool) {
  const hash = createHash('sha256');
  let size = 0;
  let small: Buffer[] = [];
  let smallLen = 0;
  const emit = (b: Uint8Array): void => {
    writeSync(fd, b);
    hash.update(b);
    size += b.length;
  };
  const flush = async (): Promise<void> => {
    if (smallLen === 0) return;
    const all = Buffer.concat(small, smallLen);
    small = [];
    smallLen = 0;
    const jobs: Promise<Buffer>[] = [];
    for (let off = 0; off < all.length; off += MEMBER_SIZE) {
      const piece = new Uint8Array(Math.min(MEMBER_SIZE, all.length - off));
      piece.set(all.subarray(off, off + piece.length));
      jobs.push(pool.compress(piece));
    }
    for (const j of jobs) emit(await j);
  };
  return {
    add(b: Buffer): void {
      small.push(b);
      smallLen += b.length;
    },
    async copyMembers(path: string): Promise<void> {
      await flush();
      const src = openSync(path, 'r');
      try {
        const buf = Buffer.allocUnsafeSlow(MEMBER_SIZE);
        for (;;) {
          const n = readSync(src, buf, 0, buf.length, null);
          if (n === 0) break;
          emit(buf.subarray(0, n));
        }
      } finally {
        closeSync(src);
      }
    },
    async finish(): Promise<{ digest: string; size: number }> {
      await flush();
      return { digest: `sha256:${hash.digest('hex')}`, size };
    },
  };
}

function checkStorePath(p: string, storeDir: string, what: string): void {
  try {
    parseStorePath(p, storeDir);
  } catch (e) {
    throw new MError('BAD_ARGUMENT', `makeContainerImage: ${what} '${p}' is not a store path in '${storeDir}'`, { cause: e });
  }
}

export async function buildImage(opts: BuildImageOptions): Promise<BuildImageResult> {
  const storeDir = (opts.storeDir ?? DEFAULT_STORE_DIR).replace(/\/+$/, '');
  const maxLayers = opts.maxLayers ?? DEFAULT_MAX_LAYERS;
  checkMaxLayers(maxLayers);
  const tag = opts.tag ?? 'container-image:latest';
  const onEvent = opts.onEvent ?? (() => {});
  const containerConfig = normaliseContainerConfig(opts.config ?? {});

  const roots = [...new Set(opts.roots)];
  for (const r of roots) checkStorePath(r, storeDir, 'layer');
  const configPaths = storePathsInValue(containerConfig, storeDir);
  for (const p of configPaths)
    if (!opts.graph.has(p))
      throw new MError('BAD_ARGUMENT', `makeContainerImage: config mentions '${p}', which is not in the closure's reference graph`);
  const closure = closureOf([...roots, ...configPaths], opts.graph);
  for (const p of closure) checkStorePath(p, storeDir, 'closure path');
  const ordered = orderByPopularity([roots, configPaths], opts.graph);
  const storeLayers = splitIntoLayers(ordered, maxLayers);

  // The image root is checked (conflicts, non-directory roots) before any expensive work.
  const tree = buildRootTree(
    roots.map((r) => ({ logical: r, physical: join(opts.physicalStore, r.slice(storeDir.length + 1)) })),
    storeDir,
  );

  const ownCache = opts.cacheDir === undefined ? mkdtempSync(join(tmpdir(), 'm-image-cache-')) : undefined;
  const cache = createLayerCache(opts.cacheDir ?? ownCache!, storeDir);
  const pool = createGzipPool({ threads: opts.threads });
  const prefix = layerPrefix(storeDir);
  const tmpOut = `${opts.out}.tmp-${process.pid}`;
  try {
    // (3) store layers, two at a time so small paths keep the pool busy.
    const plans: LayerPlan[] = storeLayers.map((paths) => ({ paths }));
    const ctx = { cache, pool, physicalStore: opts.physicalStore, storeDir, prefix };
    await runLimited(plans, 2, async (plan, i) => {
      // Layers start in index order, so their messages come out in order.
      const bases = plan.paths.map((p) => p.slice(storeDir.length + 1));
      const cached =
        cache.layer(layerKey(storeDir, bases)) !== undefined && bases.every((b) => cache.piece(b) !== undefined);
      onEvent({ type: 'layer', layer: i + 1, paths: plan.paths, cached, message: `Creating layer ${i + 1} from paths: ${pyListRepr(plan.paths)}` });
      plan.info = await prepareStoreLayer(plan, ctx);
    });

    // (4) customisation layer, in memory (directories and symlinks only).
    const custIndex = plans.length + 1;
    onEvent({ type: 'customisation', layer: custIndex, message: `Creating layer ${custIndex} with customisation...` });
    const custParts: Buffer[] = [];
    await writeRootTree(tree, { write: (b) => void custParts.push(Buffer.from(b)) });
    custParts.push(TAR_TRAILER);
    const custTar = Buffer.concat(custParts);
    const custDigest = `sha256:${createHash('sha256').update(custTar).digest('hex')}`;

    // (5) JSON documents.
    onEvent({ type: 'manifests', message: 'Adding manifests...' });
    const layers: BuiltLayer[] = [
      ...plans.map((p) => ({ paths: p.paths, digest: p.info!.digest, size: p.info!.size })),
      { paths: [], digest: custDigest, size: custTar.length },
    ];
    const configJson = Buffer.from(
      imageConfigJson({
        arch: opts.arch ?? 'amd64',
        os: opts.os ?? 'linux',
        config: containerConfig,
        diffIds: layers.map((l) => l.digest),
        history: layers.map((l) => (l.paths.length > 0 ? `store paths: ${pyListRepr(l.paths)}` : 'customisation layer')),
      }),
    );
    const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const configDesc: Descriptor = { mediaType: MEDIA_TYPES.config, digest: sha(configJson), size: configJson.length };
    const manifestJson = Buffer.from(
      ociManifestJson(
        configDesc,
        layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, digest: l.digest, size: l.size })),
      ),
    );
    const manifestDesc: Descriptor = { mediaType: MEDIA_TYPES.manifest, digest: sha(manifestJson), size: manifestJson.length };

    // (6) the outer archive, entries in name order.
    type Blob = { digest: string; write: () => Promise<void> };
    const blobs = new Map<string, Blob>();
    const addBuffer = (digest: string, data: Buffer): void => {
      blobs.set(digest, { digest, write: async () => w.add(tarFileEntry(`blobs/sha256/${digest.slice(7)}`, data, 0o644)) });
    };
    addBuffer(configDesc.digest, configJson);
    addBuffer(manifestDesc.digest, manifestJson);
    addBuffer(custDigest, custTar);
    for (const p of plans) {
      const info = p.info!;
      blobs.set(info.digest, {
        digest: info.digest,
        write: async () => {
          w.add(tarEntryHeader({ name: `blobs/sha256/${info.digest.slice(7)}`, type: 'file', mode: 0o644, size: info.size }));
          w.add(prefix);
          for (const path of p.paths) await w.copyMembers(cache.piecePath(path.slice(storeDir.length + 1)));
          w.add(TAR_TRAILER);
        },
      });
    }

    const fd = openSync(tmpOut, 'w');
    const w = archiveWriter(fd, pool);
    let archive: { digest: string; size: number };
    try {
      w.add(tarEntryHeader({ name: 'blobs', type: 'directory', mode: 0o755 }));
      w.add(tarEntryHeader({ name: 'blobs/sha256', type: 'directory', mode: 0o755 }));
      for (const d of [...blobs.keys()].sort()) await blobs.get(d)!.write();
      w.add(tarFileEntry('index.json', Buffer.from(ociIndexJson(manifestDesc, tag)), 0o644));
      w.add(tarFileEntry('manifest.json', Buffer.from(dockerManifestJson(configDesc.digest, layers.map((l) => l.digest), tag)), 0o644));
      w.add(tarFileEntry('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'), 0o644));
      w.add(TAR_TRAILER);
      archive = await w.finish();
    } finally {
      closeSync(fd);
    }
    renameSync(tmpOut, opts.out);
    onEvent({ type: 'done', message: 'Done.' });
    return { out: opts.out, layers, config: configDesc, manifest: manifestDesc, archiveDigest: archive.digest, archiveSize: archive.size };
  } finally {
    rmSync(tmpOut, { force: true });
    await pool.close();
    if (ownCache !== undefined) rmSync(ownCache, { recursive: true, force: true });
  }
}
