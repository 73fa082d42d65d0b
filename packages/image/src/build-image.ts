/**
 * buildImage: a closure of store paths → one compressed tar (gzip by default, zstd or none, see
 * compressors.ts) holding both a `docker save` archive (manifest.json) and an OCI image layout
 * (oci-layout, index.json), sharing blobs/sha256/*; written to a file or streamed to a descriptor.
 *
 * Steps: (1) closure of the roots, of the store paths named in `config` and of the explicit layers'
 * dependencies; (2) explicit layers, then popularity ordering and layering of the rest
 * (popularity.ts, layering.ts), within maxLayers with the base image's layers counted; (3) each
 * store layer's tar digest and compressed pieces, from the per-store-path cache when present
 * (layer-cache.ts), and the base image's layer blobs, reused unchanged (from-image.ts); (4) the
 * customisation layer (customisation.ts); (5) config (merged over the base's), manifests, index;
 * (6) the outer tar, entries sorted by name, written as independent compressed members: small bytes
 * compressed on the pool, cached piece members copied verbatim.
 */
import { closeSync, mkdtempSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MError } from '@m/core';
import { DEFAULT_STORE_DIR, parseStorePath } from '@m/nix-compat';
import { type Compression, type Compressor, checkCompression, createCompressor } from './compressors';
import { applyTreePerms, buildRootTree, customisationFromOutput, writeRootTree } from './customisation';
import { type BaseLayer, mergeBaseConfig, readBaseImage } from './from-image';
import {
  CREATED,
  type HistoryEntry,
  MEDIA_TYPES,
  type Descriptor,
  dockerManifestJson,
  historyEntry,
  imageConfigJson,
  normaliseContainerConfig,
  ociIndexJson,
  ociManifestJson,
  storePathsInValue,
} from './image-json';
import { createLayerCache, layerKey, type LayerCache, type LayerInfo } from './layer-cache';
import { DEFAULT_MAX_LAYERS, checkMaxLayers, planPopularityLayers } from './layering';
import { type PermRule, rulesFor, rulesKey } from './perms';
import { type ReferenceGraph, closureOf, orderByPopularity } from './popularity';
import { type ByteSink, MEMBER_SIZE, hashingSink, memberStream, teeSink, writeAllSync } from './sinks';
import { writeStorePathEntries } from './store-walk';
import { TAR_TRAILER, tarEntryHeader, tarFileEntry, tarPadding } from './tar';

export type ImageEvent =
  | { type: 'base-layer'; layer: number; digest: string; message: string }
  | { type: 'layer'; layer: number; paths: string[]; cached: boolean; message: string }
  | { type: 'customisation'; layer: number; message: string }
  | { type: 'manifests'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'done'; message: string };

export interface BuildImageOptions {
  /** Logical store paths of the `layers` entries; their top-level contents form the image root. */
  roots: readonly string[];
  /** References of every path of the closure (self-references allowed). */
  graph: ReadonlyMap<string, readonly string[]>;
  /** Directory holding the `<hash>-<name>` entries. */
  physicalStore: string;
  storeDir?: string;
  /** Every layer of the image counts, base image layers included: 2 to 125 (default 65). */
  maxLayers?: number;
  /** The OCI "config" object (Env, WorkingDir, Entrypoint, Cmd, User, ExposedPorts, Labels, Volumes, StopSignal, …). */
  config?: Record<string, unknown>;
  arch?: string;
  os?: string;
  /** `name:tag` (default container-image:latest). */
  tag?: string;
  /** The config's `created` (default 1970-01-01T00:00:01Z); see resolveCreated. */
  created?: string;
  /** Explicit layers (nix2container's buildLayer): each the closure of its store paths, minus earlier ones. */
  groups?: readonly (readonly string[])[];
  /** false: no store path is archived, only the customisation layer (dockerTools' includeStorePaths). */
  includeStorePaths?: boolean;
  /** nix2container's perms (perms.ts). */
  perms?: readonly PermRule[];
  /** Colliding root entries are an error instead of first-wins with a warning. */
  strictCollisions?: boolean;
  /** The output of the customisation derivation (extraCommands/fakeRootCommands): root/ and meta. */
  customisation?: string;
  /** A base image archive: logical store path (for messages) and physical file. */
  fromImage?: { logical: string; physical: string };
  compression?: Compression;
  /** Per-store-path layer cache; a private temporary directory when absent. */
  cacheDir?: string;
  /** Where base images are unpacked (default: the OS temp directory). */
  tmpDir?: string;
  onEvent?: (e: ImageEvent) => void;
  /** The archive to write (atomically: temp file + rename)… */
  out?: string;
  /** …or an open file descriptor to stream it to (stdout), nothing being stored. */
  outFd?: number;
  /** Compression threads (default: every core). */
  threads?: number;
}

export interface BuiltLayer {
  /** Store paths of the layer; empty for the customisation layer and base image layers. */
  paths: string[];
  /** sha256:… of the layer blob (uncompressed, so also its diff_id, except for compressed base layers). */
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
}

export interface BuildImageResult {
  /** The archive written ('' when streamed to outFd). */
  out: string;
  layers: BuiltLayer[];
  config: Descriptor;
  manifest: Descriptor;
  /** sha256:… of the written archive. */
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

interface LayerCtx {
  cache: LayerCache;
  pool: Compressor;
  physicalStore: string;
  storeDir: string;
  prefix: Buffer;
  perms: readonly PermRule[];
}

/** The cache name of a store path's piece: its base name, plus a digest of the perms that apply to it. */
function pieceName(ctx: LayerCtx, path: string): string {
  const base = path.slice(ctx.storeDir.length + 1);
  const k = rulesKey(rulesFor(ctx.perms, path));
  return k === '' ? base : `${base}~perms-${k}`;
}

function layerCached(ctx: LayerCtx, paths: readonly string[]): boolean {
  const names = paths.map((p) => pieceName(ctx, p));
  return ctx.cache.layer(layerKey(ctx.storeDir, names)) !== undefined && names.every((n) => ctx.cache.piece(n) !== undefined);
}

/** Ensures every piece of the layer is cached and returns the layer's digest and size. */
async function prepareStoreLayer(plan: LayerPlan, ctx: LayerCtx): Promise<LayerInfo> {
  const names = plan.paths.map((p) => pieceName(ctx, p));
  const key = layerKey(ctx.storeDir, names);
  const cached = ctx.cache.layer(key);
  if (cached !== undefined && names.every((n) => ctx.cache.piece(n) !== undefined)) return cached;

  const layerHash = hashingSink();
  layerHash.write(ctx.prefix);
  const storeName = ctx.storeDir.slice(1);
  for (const [i, path] of plan.paths.entries()) {
    const base = path.slice(ctx.storeDir.length + 1);
    const physical = join(ctx.physicalStore, base);
    const rules = rulesFor(ctx.perms, path);
    if (ctx.cache.piece(names[i]!) !== undefined) {
      await writeStorePathEntries(physical, `${storeName}/${base}`, layerHash, undefined, rules);
      continue;
    }
    const tmp = ctx.cache.openPiece(names[i]!);
    try {
      const members = memberStream(ctx.pool, tmp.fd);
      let tarSize = 0;
      const counter: ByteSink = { write: (b) => void (tarSize += b.length) };
      await writeStorePathEntries(physical, `${storeName}/${base}`, teeSink(layerHash, members, counter), undefined, rules);
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

/** Caches a base image layer blob's compressed members under `blob-<hex>`. */
async function prepareBlobPiece(layer: BaseLayer, ctx: LayerCtx): Promise<string> {
  const name = `blob-${layer.digest.slice(7)}`;
  if (ctx.cache.piece(name) !== undefined) return name;
  const tmp = ctx.cache.openPiece(name);
  try {
    const members = memberStream(ctx.pool, tmp.fd);
    const src = openSync(layer.file, 'r');
    try {
      const buf = Buffer.allocUnsafeSlow(1 << 20);
      for (;;) {
        const n = readSync(src, buf, 0, buf.length, null);
        if (n === 0) break;
        await members.write(buf.subarray(0, n));
      }
    } finally {
      closeSync(src);
    }
    const { compressedSize } = await members.end();
    tmp.commit({ tarSize: layer.size, gzSize: compressedSize });
  } catch (e) {
    tmp.abort();
    throw e;
  }
  return name;
}

/** The outer archive writer: buffers small bytes, compresses them on the pool, copies cached members. */
function archiveWriter(fd: number, pool: Compressor) {
  const hash = createHash('sha256');
  let size = 0;
  let small: Buffer[] = [];
  let smallLen = 0;
  const emit = (b: Uint8Array): void => {
    writeAllSync(fd, b);
    hash.update(b);
    size += b.length;
  };
  const flush = async (): Promise<void> => {
    if (smallLen === 0) return;
    const all = Buffer.concat(small, smallLen);
    small = [];
    smallLen = 0;
    const jobs: Promise<Buffer>[] = [];
    for (let off = 0; off < all.length; off += pool.memberSize) {
      const piece = pool.buffer(Math.min(pool.memberSize, all.length - off));
      all.copy(piece, 0, off, off + piece.length);
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

/** Explicit layers: each group's closure minus the paths of earlier groups, in popularity order; empty ones dropped. */
function planGroups(groups: readonly (readonly string[])[], graph: ReferenceGraph): string[][] {
  const taken = new Set<string>();
  const out: string[][] = [];
  for (const deps of groups) {
    const paths = orderByPopularity([deps], graph).filter((p) => !taken.has(p));
    for (const p of paths) taken.add(p);
    if (paths.length > 0) out.push(paths);
  }
  return out;
}

export async function buildImage(opts: BuildImageOptions): Promise<BuildImageResult> {
  const storeDir = (opts.storeDir ?? DEFAULT_STORE_DIR).replace(/\/+$/, '');
  const maxLayers = opts.maxLayers ?? DEFAULT_MAX_LAYERS;
  checkMaxLayers(maxLayers);
  const compression = checkCompression(opts.compression ?? 'gzip');
  const tag = opts.tag ?? 'container-image:latest';
  const created = opts.created ?? CREATED;
  const onEvent = opts.onEvent ?? (() => {});
  if ((opts.out === undefined) === (opts.outFd === undefined)) throw new MError('INTERNAL', 'buildImage needs exactly one of out and outFd');
  const containerConfig = normaliseContainerConfig(opts.config ?? {});
  const perms = opts.perms ?? [];
  const includeStorePaths = opts.includeStorePaths ?? true;

  const roots = [...new Set(opts.roots)];
  for (const r of roots) checkStorePath(r, storeDir, 'layer');
  const configPaths = storePathsInValue(containerConfig, storeDir);
  for (const p of configPaths)
    if (!opts.graph.has(p))
      throw new MError('BAD_ARGUMENT', `makeContainerImage: config mentions '${p}', which is not in the closure's reference graph`);
  const groupDeps = (opts.groups ?? []).map((g) => [...new Set(g)]);
  for (const g of groupDeps) for (const p of g) checkStorePath(p, storeDir, 'explicit layer dependency');
  const closure = closureOf([...roots, ...configPaths, ...groupDeps.flat()], opts.graph);
  for (const p of closure) checkStorePath(p, storeDir, 'closure path');

  const groups = includeStorePaths ? planGroups(groupDeps, opts.graph) : [];
  const inGroups = new Set(groups.flat());
  const ordered = includeStorePaths ? orderByPopularity([roots, configPaths], opts.graph).filter((p) => !inGroups.has(p)) : [];

  // The image root is checked (conflicts, non-directory roots) before any expensive work.
  const warn = (message: string): void => onEvent({ type: 'warning', message });
  let tree = buildRootTree(
    roots.map((r) => ({ logical: r, physical: join(opts.physicalStore, r.slice(storeDir.length + 1)) })),
    storeDir,
    { strict: opts.strictCollisions, onWarning: warn },
  );
  if (opts.customisation !== undefined) tree = customisationFromOutput(opts.customisation, tree, storeDir);
  applyTreePerms(tree, perms);

  const ownCache = opts.cacheDir === undefined ? mkdtempSync(join(tmpdir(), 'm-image-cache-')) : undefined;
  const cache = createLayerCache(opts.cacheDir ?? ownCache!, storeDir, compression === 'gzip' ? 'gz' : compression === 'zstd' ? 'zst' : 'tar');
  const baseTmp = opts.fromImage === undefined ? undefined : mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'm-image-base-'));
  const pool = createCompressor(compression, { threads: opts.threads });
  const prefix = layerPrefix(storeDir);
  const tmpOut = opts.out === undefined ? undefined : `${opts.out}.tmp-${process.pid}`;
  try {
    const base = opts.fromImage === undefined ? undefined : await readBaseImage(opts.fromImage.physical, opts.fromImage.logical, baseTmp!);
    const baseLayers = base?.layers ?? [];
    const storeLayers = [...groups, ...planPopularityLayers(ordered, maxLayers, { baseLayers: baseLayers.length, groups: groups.length })];
    if (baseLayers.length + storeLayers.length + 1 > maxLayers)
      throw new MError('BAD_ARGUMENT', `makeContainerImage: the image needs ${baseLayers.length + storeLayers.length + 1} layers (${baseLayers.length} base image layers, ${groups.length} explicit layers and the customisation layer at least) but maxLayers is ${maxLayers}`);
    const ctx: LayerCtx = { cache, pool, physicalStore: opts.physicalStore, storeDir, prefix, perms };

    // (3) base layers (cached compressed by digest), then store layers, two (zstd: four) at a time so small paths keep the pool busy.
    const basePieces: string[] = [];
    for (const [i, l] of baseLayers.entries()) {
      onEvent({ type: 'base-layer', layer: i + 1, digest: l.digest, message: `Adding base layer ${i + 1} from ${l.digest}` });
      basePieces.push(await prepareBlobPiece(l, ctx));
    }
    const plans: LayerPlan[] = storeLayers.map((paths) => ({ paths }));
    await runLimited(plans, compression === 'zstd' ? 4 : 2, async (plan, i) => {
      // Layers start in index order, so their messages come out in order.
      const n = baseLayers.length + i + 1;
      onEvent({ type: 'layer', layer: n, paths: plan.paths, cached: layerCached(ctx, plan.paths), message: `Creating layer ${n} from paths: ${pyListRepr(plan.paths)}` });
      plan.info = await prepareStoreLayer(plan, ctx);
    });

    // (4) customisation layer, in memory.
    const custIndex = baseLayers.length + plans.length + 1;
    onEvent({ type: 'customisation', layer: custIndex, message: `Creating layer ${custIndex} with customisation...` });
    const custParts: Buffer[] = [];
    await writeRootTree(tree, { write: (b) => void custParts.push(Buffer.from(b)) });
    custParts.push(TAR_TRAILER);
    const custTar = Buffer.concat(custParts);
    const custDigest = `sha256:${createHash('sha256').update(custTar).digest('hex')}`;

    // (5) JSON documents.
    onEvent({ type: 'manifests', message: 'Adding manifests...' });
    const layers: BuiltLayer[] = [
      ...baseLayers.map((l) => ({ paths: [], digest: l.digest, size: l.size, mediaType: l.mediaType, diffId: l.diffId })),
      ...plans.map((p) => ({ paths: p.paths, digest: p.info!.digest, size: p.info!.size, mediaType: MEDIA_TYPES.layer, diffId: p.info!.digest })),
      { paths: [], digest: custDigest, size: custTar.length, mediaType: MEDIA_TYPES.layer, diffId: custDigest },
    ];
    const baseConfig = base?.imageConfig;
    const baseHistory = Array.isArray(baseConfig?.history) ? (baseConfig.history as HistoryEntry[]) : [];
    const configJson = Buffer.from(
      imageConfigJson({
        arch: opts.arch ?? 'amd64',
        os: opts.os ?? 'linux',
        config: mergeBaseConfig(baseConfig?.config as Record<string, unknown> | undefined, containerConfig),
        created,
        diffIds: layers.map((l) => l.diffId),
        history: [
          ...baseHistory,
          ...layers
            .slice(baseLayers.length)
            .map((l) => historyEntry(created, l.paths.length > 0 ? `store paths: ${pyListRepr(l.paths)}` : 'customisation layer')),
        ],
      }),
    );
    const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const configDesc: Descriptor = { mediaType: MEDIA_TYPES.config, digest: sha(configJson), size: configJson.length };
    const manifestJson = Buffer.from(
      ociManifestJson(
        configDesc,
        layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
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
    baseLayers.forEach((l, i) => {
      blobs.set(l.digest, {
        digest: l.digest,
        write: async () => {
          w.add(tarEntryHeader({ name: `blobs/sha256/${l.digest.slice(7)}`, type: 'file', mode: 0o644, size: l.size }));
          await w.copyMembers(cache.piecePath(basePieces[i]!));
          w.add(tarPadding(l.size));
        },
      });
    });
    for (const p of plans) {
      const info = p.info!;
      blobs.set(info.digest, {
        digest: info.digest,
        write: async () => {
          w.add(tarEntryHeader({ name: `blobs/sha256/${info.digest.slice(7)}`, type: 'file', mode: 0o644, size: info.size }));
          w.add(prefix);
          for (const path of p.paths) await w.copyMembers(cache.piecePath(pieceName(ctx, path)));
          w.add(TAR_TRAILER);
        },
      });
    }

    const fd = tmpOut === undefined ? opts.outFd! : openSync(tmpOut, 'w');
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
      if (tmpOut !== undefined) closeSync(fd);
    }
    if (tmpOut !== undefined) renameSync(tmpOut, opts.out!);
    onEvent({ type: 'done', message: 'Done.' });
    return { out: opts.out ?? '', layers, config: configDesc, manifest: manifestDesc, archiveDigest: archive.digest, archiveSize: archive.size };
  } finally {
    if (tmpOut !== undefined) rmSync(tmpOut, { force: true });
    await pool.close();
    if (ownCache !== undefined) rmSync(ownCache, { recursive: true, force: true });
    if (baseTmp !== undefined) rmSync(baseTmp, { recursive: true, force: true });
  }
}
