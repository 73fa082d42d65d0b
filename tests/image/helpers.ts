/**
 * Helpers for the m-level image tests: `m PROJECT /OUTPUT` in a private store, podman with a
 * private storage root (so test files neither share images with each other nor touch the host's),
 * and checks of an unpacked image archive (blob digests, diff_ids, docker and OCI manifests).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { M_BIN, REPO_ROOT, runCommand, type RunResult } from '../lib/run';

export { REPO_ROOT };

/** Runs `m ARGS` in `cwd` with the store at `storeRoot` (both M_STORE and --store are honoured; M_STORE is used). */
export function runMakes(args: string[], opts: { cwd: string; storeRoot: string }): Promise<RunResult> {
  return runCommand(M_BIN, args, { cwd: opts.cwd, env: { M_STORE: opts.storeRoot }, timeoutMs: 240_000 });
}

export function sh(cmd: string): string {
  return execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

/**
 * `sh` without blocking the test worker: vitest's worker gives up on its own RPC calls when its event
 * loop is blocked for a minute, so long podman/umoci/tar pipelines run through this one.
 */
export function shAsync(cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve(stdout);
    });
  });
}

/** `rm -rf` in a subprocess: removing a large tree (stores, podman's vfs storage) never blocks the test worker. */
export async function removeAsync(dir: string): Promise<void> {
  await shAsync(`chmod -R u+w '${dir}' 2>/dev/null; rm -rf '${dir}'`);
}

export const sha256File = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

export const STORE_PATH_RE = /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-container-image\.tar\.gz$/;

/** The physical file of a logical /nix/store path in the store at `storeRoot`. */
export const physicalOf = (storeRoot: string, logical: string): string => path.join(storeRoot, path.basename(logical));

export interface TranscriptLines {
  /** `Creating layer N from paths: [...]` lines, in order, with their path lists. */
  storeLayers: { n: number; paths: string[] }[];
  customisation: number | undefined;
  /** Indices in stderr's lines of the customisation, manifests and done messages. */
  order: number[];
}

/** Parses the image messages out of m's stderr. */
export function parseTranscript(stderr: string): TranscriptLines {
  const lines = stderr.split('\n');
  const storeLayers: { n: number; paths: string[] }[] = [];
  let customisation: number | undefined;
  const order: number[] = [];
  lines.forEach((l, i) => {
    const m = /^Creating layer (\d+) from paths: \[(.*)\]$/.exec(l);
    if (m) {
      storeLayers.push({ n: Number(m[1]), paths: [...m[2]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) });
      order.push(i);
      return;
    }
    const c = /^Creating layer (\d+) with customisation\.\.\.$/.exec(l);
    if (c) {
      customisation = Number(c[1]);
      order.push(i);
    } else if (l === 'Adding manifests...' || l === 'Done.') order.push(i);
  });
  return { storeLayers, customisation, order };
}

/** Podman with the flags the issue prescribes, on a private storage root under `dir`. */
export function privatePodman(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const base =
    `podman --root '${dir}/root' --runroot '${dir}/runroot' --tmpdir '${dir}/tmp' ` +
    '--storage-driver=vfs --cgroup-manager=cgroupfs --runtime=runc';
  const runFlags = 'run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024';
  return {
    base,
    podman: (args: string): string => sh(`${base} ${args}`),
    podmanAsync: (args: string): Promise<string> => shAsync(`${base} ${args}`),
    run: (image: string, cmd: string): string => sh(`${base} ${runFlags} ${image} ${cmd}`),
    runAsync: (image: string, cmd: string): Promise<string> => shAsync(`${base} ${runFlags} ${image} ${cmd}`),
    /** Removes every image and the storage root. */
    cleanup(): void {
      try {
        sh(`${base} rmi -a -f >/dev/null 2>&1 || true`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    /** cleanup without blocking the test worker (vfs storage holds a full copy of every image). */
    async cleanupAsync(): Promise<void> {
      try {
        await shAsync(`${base} rmi -a -f >/dev/null 2>&1 || true`);
      } finally {
        await removeAsync(dir);
      }
    },
  };
}

interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface UnpackedImage {
  dir: string;
  index: { manifests: OciDescriptor[] };
  manifest: { config: OciDescriptor; layers: OciDescriptor[] };
  config: { architecture: string; os: string; config: Record<string, unknown>; rootfs: { type: string; diff_ids: string[] }; history: unknown[] };
  docker: { Config: string; Layers: string[]; RepoTags: string[] }[];
}

/** Unpacks the (gunzipped) outer tar into `dir` and reads its JSON documents. */
export async function unpackArchive(tar: string, dir: string): Promise<UnpackedImage> {
  fs.mkdirSync(dir, { recursive: true });
  await shAsync(`tar -xf '${tar}' -C '${dir}'`);
  const json = (rel: string): any => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8'));
  const index = json('index.json');
  const manifest = json(`blobs/sha256/${index.manifests[0].digest.slice(7)}`);
  const config = json(`blobs/sha256/${manifest.config.digest.slice(7)}`);
  return { dir, index, manifest, config, docker: json('manifest.json') };
}

/** Every blob's name is its sha256 and every descriptor's size is right; diff_ids, docker and OCI manifests agree. */
export function checkDigests(img: UnpackedImage): void {
  checkDigestsOf(img, 'container-image:latest');
}

/** checkDigests for an image tagged `repoTag` (name:tag). */
export function checkDigestsOf(img: UnpackedImage, repoTag: string): void {
  const blobs = path.join(img.dir, 'blobs/sha256');
  const names = fs.readdirSync(blobs);
  for (const f of names) expect(sha256File(path.join(blobs, f)), `blob ${f}`).toBe(f);
  const sizeOf = (d: OciDescriptor): number => fs.statSync(path.join(blobs, d.digest.slice(7))).size;
  expect(img.index.manifests).toHaveLength(1);
  expect(img.index.manifests[0]!.annotations?.['org.opencontainers.image.ref.name']).toBe(repoTag.slice(repoTag.lastIndexOf(':') + 1));
  expect(img.index.manifests[0]!.annotations?.['io.containerd.image.name']).toBe(repoTag);
  for (const d of [img.index.manifests[0]!, img.manifest.config, ...img.manifest.layers]) expect(sizeOf(d), d.digest).toBe(d.size);
  // Layers are stored uncompressed inside the (as a whole compressed) archive: blob digest = diff_id.
  // history has one entry per layer (m writes no empty_layer entries).
  expect(img.config.rootfs.type).toBe('layers');
  expect(img.config.rootfs.diff_ids).toEqual(img.manifest.layers.map((l) => l.digest));
  expect(img.config.history).toHaveLength(img.manifest.layers.length);
  expect(img.docker).toEqual([
    {
      Config: `blobs/sha256/${img.manifest.config.digest.slice(7)}`,
      Layers: img.manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
      RepoTags: [repoTag],
    },
  ]);
  // Nothing unreferenced is shipped.
  const referenced = new Set([img.index.manifests[0]!, img.manifest.config, ...img.manifest.layers].map((d) => d.digest.slice(7)));
  expect(new Set(names)).toEqual(referenced);
}
