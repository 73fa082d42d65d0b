/**
 * `m image push`: an image archive from the store (what makeContainerImage writes: an OCI layout
 * in a gzip, zstd or plain tar) to a registry, read in one streaming pass with nothing unpacked
 * or re-packed. Blob members are named by their digest, so each blob is HEADed as its member
 * starts and, when the registry lacks it, streamed straight from the decompressor into the upload
 * (back-pressure: the archive is read no faster than the registry takes it). Small blobs (the
 * manifest and config) are kept until index.json, the last member, says which manifest is the
 * image's; then its config and any small layers are pushed and the manifest is PUT under the tag.
 * The blobs and manifest pushed are the archive's own bytes, so the digest printed is the one in
 * the archive's index.json.
 */
import { createHash } from 'node:crypto';
import { MError } from '@m/core';
import { decompressed } from './from-image';
import { MEDIA_TYPES } from './image-json';
import { formatReference, openRegistry, type Credentials, type ImageReference, type RegistryClient } from './registry';
import { readTar, type TarFileSink } from './tar-read';

export type PushEvent =
  | { type: 'connected'; message: string }
  | { type: 'blob-exists'; digest: string; size: number; message: string }
  | { type: 'blob-upload'; digest: string; size: number; message: string }
  | { type: 'manifest'; digest: string; message: string };

export interface PushOptions {
  /** The archive file (physical path). */
  archive: string;
  /** Its name in messages (the logical store path). */
  name?: string;
  destination: ImageReference;
  credentials?: Credentials;
  tlsVerify?: boolean;
  onEvent?: (e: PushEvent) => void;
}

export interface PushResult {
  /** The manifest's digest (sha256:…), as the registry confirmed it. */
  digest: string;
  mediaType: string;
  size: number;
  /** `registry/repository:tag`. */
  reference: string;
  /** Digests of blobs uploaded, and of blobs the registry already had. */
  uploaded: string[];
  skipped: string[];
}

/** Blobs up to this size are kept in memory until index.json names the manifest. */
const SMALL_BLOB = 1 << 20;
/** Bytes queued for an upload before the archive reader waits. */
const QUEUE_HIGH = 8 << 20;

const mib = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const short = (d: string): string => d.slice(0, 19);

interface Streamed {
  digest: string;
  size: number;
  /** Settles once the blob is known to be in the registry. */
  done: Promise<void>;
}

/** Pushes an image archive to `destination`; see the file comment. */
export async function pushImage(opts: PushOptions): Promise<PushResult> {
  const name = opts.name ?? opts.archive;
  const onEvent = opts.onEvent ?? (() => {});
  const client = await openRegistry(opts.destination, { credentials: opts.credentials, tlsVerify: opts.tlsVerify });
  onEvent({ type: 'connected', message: `pushing '${name}' to ${client.base}/v2/${opts.destination.repository}` });
  const uploaded: string[] = [];
  const skipped: string[] = [];
  const small = new Map<string, Buffer>();
  const other = new Map<string, Buffer>();
  const streamed = new Map<string, Streamed>();

  // The reader waits on `gate` (when set) before taking the next chunk of the archive.
  let gate: Promise<void> | undefined;
  async function* gated(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of src) {
      yield c;
      while (gate !== undefined) {
        const g = gate;
        await g;
        if (gate === g) gate = undefined;
      }
    }
  }

  const streamBlob = (digest: string, size: number): TarFileSink => {
    const queue: Buffer[] = [];
    let queued = 0;
    let ended = false;
    let drop = false;
    let wake: (() => void) | undefined;
    let release: (() => void) | undefined;
    const hash = createHash('sha256');
    const kick = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const letReaderOn = (): void => {
      const r = release;
      release = undefined;
      gate = undefined;
      r?.();
    };
    const job = (async () => {
      if (await client.hasBlob(digest)) {
        drop = true;
        queue.length = 0;
        queued = 0;
        skipped.push(digest);
        onEvent({ type: 'blob-exists', digest, size, message: `blob ${short(digest)} (${mib(size)}) is already in the registry` });
        letReaderOn();
        return;
      }
      onEvent({ type: 'blob-upload', digest, size, message: `uploading blob ${short(digest)} (${mib(size)})` });
      await client.uploadBlob(digest, {
        length: size,
        async pipe(write) {
          for (;;) {
            const c = queue.shift();
            if (c !== undefined) {
              queued -= c.length;
              if (queued < QUEUE_HIGH / 4) letReaderOn();
              await write(c);
              continue;
            }
            if (ended) return;
            await new Promise<void>((r) => (wake = r));
          }
        },
      });
      uploaded.push(digest);
    })();
    let failure: unknown;
    const done = job.then(
      () => letReaderOn(),
      (e) => {
        failure = e;
        letReaderOn();
        throw e;
      },
    );
    done.catch(() => {}); // observed through `gate` or `streamed`
    streamed.set(digest, { digest, size, done });
    return {
      write(chunk) {
        if (failure !== undefined) throw failure;
        hash.update(chunk);
        if (drop) return;
        queue.push(chunk);
        queued += chunk.length;
        kick();
        if (queued >= QUEUE_HIGH && gate === undefined) gate = new Promise<void>((r) => (release = r));
      },
      end() {
        ended = true;
        kick();
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== digest) throw new MError('STORE_ERROR', `image archive '${name}': blob ${digest} holds content with digest ${actual}`, { hint: 'run m store verify --check-contents' });
        // One upload at a time: the next member waits until this blob is in the registry.
        gate = done;
      },
    };
  };

  const collect = (into: Map<string, Buffer>, key: string): TarFileSink => {
    const parts: Buffer[] = [];
    return { write: (c) => void parts.push(c), end: () => void into.set(key, Buffer.concat(parts)) };
  };

  try {
    await readTar(gated(decompressed(opts.archive)), (member, size) => {
      const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(member);
      if (m) {
        const digest = `sha256:${m[1]}`;
        return size <= SMALL_BLOB ? collect(small, digest) : streamBlob(digest, size);
      }
      if (member === 'index.json' || member === 'oci-layout') {
        if (size > SMALL_BLOB) throw new MError('BAD_ARGUMENT', `image archive '${name}': ${member} is ${size} bytes`);
        return collect(other, member);
      }
      return undefined;
    });
  } catch (e) {
    if (e instanceof MError) throw e;
    throw new MError('IO_ERROR', `reading image archive '${name}': ${(e as Error).message}`, { cause: e });
  }
  for (const s of streamed.values()) await s.done;

  const indexBytes = other.get('index.json');
  if (indexBytes === undefined)
    throw new MError('BAD_ARGUMENT', `'${name}' is not an OCI image archive (it has no index.json)`, { hint: 'push an image built by makeContainerImage' });
  let manifestDesc: { mediaType?: string; digest?: string; size?: number } | undefined;
  try {
    manifestDesc = JSON.parse(indexBytes.toString('utf8'))?.manifests?.[0];
  } catch {
    /* below */
  }
  const manifestDigest = manifestDesc?.digest;
  if (typeof manifestDigest !== 'string') throw new MError('BAD_ARGUMENT', `image archive '${name}': index.json names no manifest`);
  const manifestBytes = small.get(manifestDigest);
  if (manifestBytes === undefined) throw new MError('BAD_ARGUMENT', `image archive '${name}' lacks its manifest blob ${manifestDigest}`);
  if (`sha256:${createHash('sha256').update(manifestBytes).digest('hex')}` !== manifestDigest)
    throw new MError('STORE_ERROR', `image archive '${name}': the manifest's content does not match its digest ${manifestDigest}`);
  const mediaType = manifestDesc?.mediaType ?? MEDIA_TYPES.manifest;
  let manifest: { config?: { digest?: string; size?: number }; layers?: { digest?: string; size?: number }[]; manifests?: unknown };
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new MError('BAD_ARGUMENT', `image archive '${name}': its manifest is not JSON`);
  }
  if (manifest.manifests !== undefined || manifest.config === undefined)
    throw new MError('BAD_ARGUMENT', `image archive '${name}': index.json points at an index, not an image manifest (multi-platform archives are pushed with deployContainerManifest)`);

  await pushRemaining(client, [manifest.config, ...(manifest.layers ?? [])], { small, streamed, uploaded, skipped, name, onEvent });

  const ref = opts.destination.reference;
  const confirmed = await client.putManifest(ref, mediaType, manifestBytes);
  if (confirmed !== '' && confirmed !== manifestDigest)
    throw new MError('IO_ERROR', `registry ${opts.destination.registry} stored the manifest under digest ${confirmed}, not ${manifestDigest}`);
  const reference = formatReference(opts.destination);
  onEvent({ type: 'manifest', digest: manifestDigest, message: `wrote manifest ${manifestDigest} as ${reference} (${uploaded.length} blobs uploaded, ${skipped.length} already present)` });
  return { digest: manifestDigest, mediaType, size: manifestBytes.length, reference, uploaded, skipped };
}

async function pushRemaining(
  client: RegistryClient,
  descs: ({ digest?: string; size?: number } | undefined)[],
  ctx: { small: Map<string, Buffer>; streamed: Map<string, Streamed>; uploaded: string[]; skipped: string[]; name: string; onEvent: (e: PushEvent) => void },
): Promise<void> {
  const seen = new Set<string>();
  for (const d of descs) {
    const digest = d?.digest;
    if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new MError('BAD_ARGUMENT', `image archive '${ctx.name}': its manifest names the blob '${String(digest)}'`);
    if (seen.has(digest) || ctx.streamed.has(digest)) continue;
    seen.add(digest);
    const bytes = ctx.small.get(digest);
    if (bytes === undefined) throw new MError('BAD_ARGUMENT', `image archive '${ctx.name}' lacks the blob ${digest} its manifest names`);
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest)
      throw new MError('STORE_ERROR', `image archive '${ctx.name}': blob ${digest} holds other content`, { hint: 'run m store verify --check-contents' });
    if (await client.hasBlob(digest)) {
      ctx.skipped.push(digest);
      ctx.onEvent({ type: 'blob-exists', digest, size: bytes.length, message: `blob ${short(digest)} (${mib(bytes.length)}) is already in the registry` });
      continue;
    }
    ctx.onEvent({ type: 'blob-upload', digest, size: bytes.length, message: `uploading blob ${short(digest)} (${mib(bytes.length)})` });
    await client.uploadBlob(digest, bytes);
    ctx.uploaded.push(digest);
  }
}
