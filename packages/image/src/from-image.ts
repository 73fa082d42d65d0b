/**
 * `fromImage`: a base image archive in the store (docker save or OCI layout, as a plain tar or
 * gzip/zstd compressed, such as another makeContainerImage output). Its files are unpacked into a
 * temporary directory; the layers are then reused unchanged (same blob bytes, digest and media
 * type) below the new ones, and its config is merged under the new one (mergeBaseConfig).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { MError } from '@m/core';
import { MEDIA_TYPES } from './image-json';
import { readTar } from './tar-read';

export interface BaseLayer {
  /** sha256:… of the blob as stored (compressed or not). */
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
  /** The unpacked blob. */
  file: string;
}

export interface BaseImage {
  layers: BaseLayer[];
  /** The whole image config document (architecture, config, history, rootfs, …). */
  imageConfig: Record<string, unknown>;
}

const bad = (file: string, what: string): MError =>
  new MError('BAD_ARGUMENT', `makeContainerImage: fromImage '${file}' ${what}`, { hint: 'fromImage must be a docker save or OCI image archive (.tar, .tar.gz or .tar.zst)' });

function magic(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    return b;
  } finally {
    closeSync(fd);
  }
}

export function decompressed(file: string): AsyncIterable<Buffer> {
  const m = magic(file);
  if (m[0] === 0x1f && m[1] === 0x8b) return createReadStream(file).pipe(createGunzip());
  if (m.readUInt32LE(0) === 0xfd2fb528) {
    const p = spawn('zstd', ['-q', '-d', '-c', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    return p.stdout;
  }
  return createReadStream(file);
}

const sha256File = (file: string): string => {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return `sha256:${h.digest('hex')}`;
};

const isGzipFile = (file: string): boolean => {
  const m = magic(file);
  return m[0] === 0x1f && m[1] === 0x8b;
};

/** Unpacks and reads the base image `file` (logical name `name` for messages) under `tmp`. */
export async function readBaseImage(file: string, name: string, tmp: string): Promise<BaseImage> {
  const files = new Map<string, string>();
  let n = 0;
  try {
    await readTar(decompressed(file), (member, _size) => {
      const dest = join(tmp, `f${n++}`);
      files.set(member, dest);
      const fd = openSync(dest, 'w');
      return { write: (c) => void writeSync(fd, c), end: () => closeSync(fd) };
    });
  } catch (e) {
    if (e instanceof MError) throw bad(name, `could not be read: ${e.message}`);
    throw bad(name, `could not be read: ${(e as Error).message}`);
  }
  const json = (member: string): any => {
    const f = files.get(member);
    if (f === undefined) throw bad(name, `has no member '${member}'`);
    try {
      return JSON.parse(readFileSync(f, 'utf8'));
    } catch {
      throw bad(name, `has a member '${member}' that is not JSON`);
    }
  };
  const blob = (digest: string): string => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw bad(name, `names the digest '${digest}'`);
    const f = files.get(`blobs/sha256/${digest.slice(7)}`);
    if (f === undefined) throw bad(name, `lacks the blob ${digest}`);
    return f;
  };

  if (files.has('index.json')) {
    let index = json('index.json');
    let manifest: any;
    for (let depth = 0; manifest === undefined; depth++) {
      const d = index?.manifests?.[0];
      if (d === undefined || depth > 4) throw bad(name, 'has an index without a manifest');
      const doc = JSON.parse(readFileSync(blob(d.digest), 'utf8'));
      if (d.mediaType === MEDIA_TYPES.index || Array.isArray(doc.manifests)) index = doc;
      else manifest = doc;
    }
    const imageConfig = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'));
    const diffIds: string[] = imageConfig?.rootfs?.diff_ids ?? [];
    const descs: any[] = manifest.layers ?? [];
    if (diffIds.length !== descs.length) throw bad(name, 'has a config whose diff_ids do not match its layers');
    const layers = descs.map((d, i) => {
      const f = blob(d.digest);
      if (sha256File(f) !== d.digest) throw bad(name, `has a blob whose content does not match its digest ${d.digest}`);
      return { digest: d.digest, size: d.size, mediaType: d.mediaType ?? MEDIA_TYPES.layer, diffId: diffIds[i]!, file: f };
    });
    return { layers, imageConfig };
  }
  if (files.has('manifest.json')) {
    const m = json('manifest.json')?.[0];
    if (m === undefined || typeof m.Config !== 'string' || !Array.isArray(m.Layers)) throw bad(name, 'has a manifest.json without Config and Layers');
    const imageConfig = json(m.Config);
    const diffIds: string[] = imageConfig?.rootfs?.diff_ids ?? [];
    if (diffIds.length !== m.Layers.length) throw bad(name, 'has a config whose diff_ids do not match its layers');
    const layers = m.Layers.map((l: string, i: number) => {
      const f = files.get(l.replace(/^(\.\/)+/, ''));
      if (f === undefined) throw bad(name, `lacks the layer '${l}'`);
      const digest = sha256File(f);
      const gz = isGzipFile(f);
      if (!gz && digest !== diffIds[i]) throw bad(name, `has a layer '${l}' whose content does not match its diff_id`);
      return { digest, size: statSync(f).size, mediaType: gz ? `${MEDIA_TYPES.layer}+gzip` : MEDIA_TYPES.layer, diffId: diffIds[i]!, file: f };
    });
    return { layers, imageConfig };
  }
  throw bad(name, 'has neither index.json nor manifest.json');
}

/**
 * The base config under the new one, as dockerTools overlays it: every key of the base's `config`
 * is kept unless the new config sets it, and Env is the base's followed by the new entries, one
 * per variable (the last value wins, at the place of the first).
 */
export function mergeBaseConfig(base: Record<string, unknown> | undefined, ours: Record<string, unknown>): Record<string, unknown> {
  if (base === undefined || base === null || typeof base !== 'object') return ours;
  const out: Record<string, unknown> = { ...base, ...ours };
  const env = [...((base.Env as string[] | undefined) ?? []), ...((ours.Env as string[] | undefined) ?? [])];
  if (env.length > 0) {
    const byKey = new Map<string, string>();
    for (const e of env) byKey.set(String(e).split('=', 1)[0]!, String(e));
    out.Env = [...byKey.values()];
  }
  return out;
}
