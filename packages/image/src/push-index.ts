/**
 * makes' deployContainerManifest (manifest-tool's `push from-spec`): a multi-platform image
 * index made of images already in a registry. Each listed image's manifest is fetched; when it
 * lives in another repository of the same registry, its blobs are mounted into the target
 * repository (cross-repository mount, nothing downloaded) and the manifest is PUT there by digest,
 * since a registry only accepts an index whose manifests are in the same repository. The index
 * (OCI, or a Docker manifest list when the images are Docker schema 2) is then PUT under the
 * target's tag and every extra tag.
 */
import { createHash } from 'node:crypto';
import { MError } from '@m/core';
import { canonicalJson, MEDIA_TYPES } from './image-json';
import { formatReference, openRegistry, parseImageReference, type Credentials, type ImageReference } from './registry';

export interface IndexSpec {
  /** Where the index goes: registry/repo:tag. */
  image: string;
  manifests: { image: string; platform: { architecture: string; os: string; variant?: string } }[];
  /** More tags for the same index. */
  tags?: string[];
}

export type IndexEvent = { type: 'manifest' | 'mount' | 'index'; message: string };

export interface PushIndexOptions {
  spec: IndexSpec;
  credentials?: Credentials;
  tlsVerify?: boolean;
  onEvent?: (e: IndexEvent) => void;
}

const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

const bad = (what: string): MError => new MError('BAD_ARGUMENT', `deployContainerManifest: ${what}`);

/** Checks the JSON shape of a spec (as makes' YAML: image, manifests[].image/platform, tags). */
export function checkIndexSpec(v: unknown): IndexSpec {
  const o = v as IndexSpec;
  if (typeof o !== 'object' || o === null || typeof o.image !== 'string') throw bad('the spec needs an image (registry/repository:tag)');
  if (!Array.isArray(o.manifests) || o.manifests.length === 0) throw bad('the spec needs at least one entry in manifests');
  for (const m of o.manifests) {
    if (typeof m?.image !== 'string' || typeof m.platform?.architecture !== 'string' || typeof m.platform?.os !== 'string')
      throw bad('each manifest needs image and platform.architecture / platform.os strings');
  }
  if (o.tags !== undefined && (!Array.isArray(o.tags) || o.tags.some((t) => typeof t !== 'string'))) throw bad('tags must be a list of strings');
  return o;
}

export async function pushIndex(opts: PushIndexOptions): Promise<{ digest: string; references: string[] }> {
  const spec = checkIndexSpec(opts.spec);
  const onEvent = opts.onEvent ?? (() => {});
  const target: ImageReference = parseImageReference(spec.image);
  const sources = spec.manifests.map((m) => ({ ref: parseImageReference(m.image), platform: m.platform }));
  for (const s of sources) {
    if (s.ref.registry !== target.registry) throw bad(`'${formatReference(s.ref)}' is on another registry than '${formatReference(target)}'`);
  }
  const otherRepos = [...new Set(sources.map((s) => s.ref.repository).filter((r) => r !== target.repository))];
  const client = await openRegistry(target, {
    credentials: opts.credentials,
    tlsVerify: opts.tlsVerify,
    extraScopes: otherRepos.map((r) => `repository:${r}:pull`),
  });
  const descriptors: Record<string, unknown>[] = [];
  let docker = 0;
  for (const s of sources) {
    const src = s.ref.repository === target.repository ? client : await openRegistry(s.ref, { credentials: opts.credentials, tlsVerify: opts.tlsVerify });
    const got = await src.getManifest(s.ref.reference);
    if (got === undefined) throw new MError('IO_ERROR', `deployContainerManifest: '${formatReference(s.ref)}' is not in the registry (push it first, e.g. with deployContainer)`);
    let doc: { mediaType?: string; config?: { digest?: string }; layers?: { digest?: string }[]; manifests?: unknown };
    try {
      doc = JSON.parse(got.body.toString('utf8'));
    } catch {
      throw new MError('IO_ERROR', `deployContainerManifest: the manifest of '${formatReference(s.ref)}' is not JSON`);
    }
    if (doc.manifests !== undefined) throw bad(`'${formatReference(s.ref)}' is itself an index; list single-platform images`);
    const mediaType = got.mediaType || doc.mediaType || MEDIA_TYPES.manifest;
    if (mediaType === DOCKER_MANIFEST) docker++;
    if (s.ref.repository !== target.repository) {
      for (const b of [doc.config, ...(doc.layers ?? [])]) {
        const d = b?.digest;
        if (typeof d !== 'string') continue;
        if (await client.hasBlob(d)) continue;
        if (!(await client.mountBlob(d, s.ref.repository)))
          throw new MError('IO_ERROR', `deployContainerManifest: registry ${target.registry} would not mount blob ${d} from ${s.ref.repository} into ${target.repository}`);
        onEvent({ type: 'mount', message: `mounted blob ${d.slice(0, 19)} from ${s.ref.repository}` });
      }
      await client.putManifest(got.digest, mediaType, got.body);
    }
    onEvent({ type: 'manifest', message: `${formatReference(s.ref)}: ${got.digest} (${s.platform.os}/${s.platform.architecture}${s.platform.variant ? `/${s.platform.variant}` : ''})` });
    const platform: Record<string, string> = { architecture: s.platform.architecture, os: s.platform.os };
    if (s.platform.variant) platform.variant = s.platform.variant;
    descriptors.push({ mediaType, digest: got.digest, size: got.size, platform });
  }
  const indexType = docker === sources.length ? DOCKER_LIST : MEDIA_TYPES.index;
  const body = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: indexType, manifests: descriptors }));
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const references: string[] = [];
  for (const tag of [target.reference, ...(spec.tags ?? [])]) {
    const ref = { ...target, reference: tag };
    if (!tag.startsWith('sha256:')) parseImageReference(formatReference(ref)); // checks the tag
    const confirmed = await client.putManifest(tag, indexType, body);
    if (confirmed !== '' && confirmed !== digest) throw new MError('IO_ERROR', `registry ${target.registry} stored the index under digest ${confirmed}, not ${digest}`);
    references.push(formatReference(ref));
  }
  onEvent({ type: 'index', message: `wrote index ${digest} (${descriptors.length} platforms) as ${references.join(', ')}` });
  return { digest, references };
}
