/**
 * The JSON documents of an image: the image config (OCI image spec "config" / docker's image
 * JSON), the OCI manifest and index, docker's manifest.json. All are canonical JSON (keys sorted,
 * no whitespace) so that equal inputs give equal digests.
 */
import { MError } from '@m/core';
import { isStorePath } from '@m/nix-compat';
import { checkContainerConfig } from './config-check';

export const CREATED = '1970-01-01T00:00:01Z';
export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new MError('BAD_ARGUMENT', `makeContainerImage: config contains the number ${v}`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new MError('BAD_ARGUMENT', `makeContainerImage: config contains a ${typeof v}, which JSON cannot hold`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The config as written into the image: checked by `checkContainerConfig` (config-check.ts). */
export function normaliseContainerConfig(config: Record<string, unknown>): Record<string, unknown> {
  return checkContainerConfig(config);
}

/** Store paths (`<storeDir>/<hash>-<name>`) mentioned in any string of `v`, sorted. */
export function storePathsInValue(v: unknown, storeDir: string): string[] {
  const found = new Set<string>();
  const prefix = storeDir.endsWith('/') ? storeDir : `${storeDir}/`;
  const visit = (x: unknown): void => {
    if (typeof x === 'string') {
      let i = x.indexOf(prefix);
      while (i >= 0) {
        let j = i + prefix.length;
        while (j < x.length && /[0-9a-zA-Z+\-._?=]/.test(x[j]!)) j++;
        const candidate = x.slice(i, j);
        if (isStorePath(candidate, storeDir.replace(/\/$/, ''))) found.add(candidate);
        i = x.indexOf(prefix, j);
      }
    } else if (Array.isArray(x)) x.forEach(visit);
    else if (isObject(x)) Object.entries(x).forEach(([k, y]) => (visit(k), visit(y)));
  };
  visit(v);
  return [...found].sort();
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  [k: string]: unknown;
}

/** History of the layers m writes: one entry per layer, with its store paths as comment. */
export const historyEntry = (created: string, comment: string): HistoryEntry => ({ created, created_by: 'm makeContainerImage', comment });

export function imageConfigJson(opts: {
  arch: string;
  os: string;
  config: Record<string, unknown>;
  /** created (default 1970-01-01T00:00:01Z). */
  created?: string;
  diffIds: readonly string[];
  history: readonly HistoryEntry[];
}): string {
  return canonicalJson({
    architecture: opts.arch,
    config: opts.config,
    created: opts.created ?? CREATED,
    history: opts.history,
    os: opts.os,
    rootfs: { type: 'layers', diff_ids: opts.diffIds },
  });
}

/** `created`: an RFC 3339 time, or "now" (the current time, to the second: not reproducible). */
export function resolveCreated(v: unknown, now: () => Date = () => new Date()): string {
  if (v === undefined || v === null) return CREATED;
  if (v === 'now') return now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v))) return v;
  throw new MError('BAD_ARGUMENT', `makeContainerImage: created must be "now" or an RFC 3339 time such as "${CREATED}", got ${JSON.stringify(v)}`);
}

export function ociManifestJson(config: Descriptor, layers: readonly Descriptor[]): string {
  return canonicalJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config, layers });
}

/** Splits `name:tag` (the tag defaults to latest; a registry port's colon is not a tag). */
export function parseTag(tag: string): { name: string; ref: string } {
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  if (colon > slash) return { name: tag.slice(0, colon), ref: tag.slice(colon + 1) };
  return { name: tag, ref: 'latest' };
}

/**
 * The OCI index. `org.opencontainers.image.ref.name` is the tag alone (as the image-layout spec
 * and `docker save` write it); `io.containerd.image.name` carries the full name:tag, which podman
 * and containerd prefer when naming the loaded image.
 */
export function ociIndexJson(manifest: Descriptor, tag: string): string {
  const { name, ref } = parseTag(tag);
  return canonicalJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [
      {
        ...manifest,
        annotations: { 'io.containerd.image.name': `${name}:${ref}`, 'org.opencontainers.image.ref.name': ref },
      },
    ],
  });
}

/** docker save's manifest.json, pointing at the OCI blobs (the layout of Docker ≥ 25). */
export function dockerManifestJson(configDigest: string, layerDigests: readonly string[], tag: string): string {
  const { name, ref } = parseTag(tag);
  const blob = (d: string): string => `blobs/sha256/${d.slice('sha256:'.length)}`;
  return canonicalJson([{ Config: blob(configDigest), Layers: layerDigests.map(blob), RepoTags: [`${name}:${ref}`] }]);
}
