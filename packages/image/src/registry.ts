/**
 * A client of the OCI distribution API (the registry protocol behind `docker push`), as much as
 * pushing needs: image references, the auth challenge (Basic, or Bearer with a token from the
 * realm the registry names), blob HEAD, blob upload (POST, one PATCH streaming the whole blob,
 * PUT `?digest=`, which the registry checks), cross-repository mount, manifest GET/PUT. Plain `node:http(s)`, so
 * request bodies are streamed with back-pressure and TLS verification can be turned off.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { createHash } from 'node:crypto';
import { MError } from '@m/core';

export interface ImageReference {
  /** host[:port] as written (docker.io → registry-1.docker.io). */
  registry: string;
  /** Repository path, e.g. `team/app` (`library/x` for a one-component docker.io name). */
  repository: string;
  /** A tag, or a `sha256:…` digest. */
  reference: string;
}

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPO_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Parses `[docker://]HOST[:PORT]/REPO[:TAG|@sha256:…]` (docker's rules: no host part → docker.io). */
export function parseImageReference(text: string): ImageReference {
  const bad = (why: string): MError =>
    new MError('BAD_ARGUMENT', `'${text}' is not an image reference: ${why}`, { hint: 'write it as docker://HOST[:PORT]/REPOSITORY[:TAG], e.g. docker://127.0.0.1:5000/team/app:1.0' });
  let s = text.startsWith('docker://') ? text.slice('docker://'.length) : text;
  // Other transports of containers/image (skopeo's names), and URLs.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(oci|oci-archive|docker-archive|docker-daemon|dir|containers-storage|ostree|sif|tarball):/.test(s))
    throw bad('only the docker:// transport is supported');
  let reference = 'latest';
  const at = s.indexOf('@');
  if (at >= 0) {
    reference = s.slice(at + 1);
    s = s.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(reference)) throw bad(`'${reference}' is not a sha256 digest`);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon > s.lastIndexOf('/')) {
      reference = s.slice(colon + 1);
      s = s.slice(0, colon);
      if (!TAG_RE.test(reference)) throw bad(`'${reference}' is not a valid tag`);
    }
  }
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  let registry: string;
  let repository: string;
  if (first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = s.slice(slash + 1);
  } else {
    registry = 'registry-1.docker.io';
    repository = slash < 0 ? `library/${s}` : s;
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = 'registry-1.docker.io';
  if (!REPO_RE.test(repository)) throw bad(`'${repository}' is not a valid repository name (lower-case letters, digits, . _ - and /)`);
  return { registry, repository, reference };
}

export const formatReference = (r: ImageReference): string =>
  `${r.registry}/${r.repository}${r.reference.startsWith('sha256:') ? '@' : ':'}${r.reference}`;

export interface Credentials {
  username?: string;
  password?: string;
  /** A bearer token used as is (no token exchange). */
  token?: string;
}

export interface RegistryOptions {
  credentials?: Credentials;
  /** false: accept any certificate, and fall back to plain http when the registry does not speak TLS. */
  tlsVerify?: boolean;
  /** More token scopes (e.g. `repository:other:pull` to mount blobs from it). */
  extraScopes?: string[];
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request body: a buffer, or a writer that streams it (`write` resolves when the socket can take more). */
export type Body = Buffer | { length: number; pipe(write: (chunk: Buffer) => Promise<void>): Promise<void> };

export interface RegistryClient {
  readonly ref: ImageReference;
  /** The base URL the registry answered on (https:// or, with tlsVerify false, possibly http://). */
  readonly base: string;
  hasBlob(digest: string): Promise<boolean>;
  /** Uploads a blob of `size` bytes; `body` streams it. */
  uploadBlob(digest: string, body: Body): Promise<void>;
  /** Mounts a blob from another repository of the same registry; false when the registry wants an upload. */
  mountBlob(digest: string, fromRepository: string): Promise<boolean>;
  putManifest(reference: string, mediaType: string, body: Buffer): Promise<string>;
  /** The manifest's descriptor (media type, digest, size) and bytes, or undefined if absent. */
  getManifest(reference: string): Promise<{ mediaType: string; digest: string; size: number; body: Buffer } | undefined>;
}

const MAX_ERROR_BODY = 64 << 10;

function errorDetail(res: Response): string {
  const text = res.body.subarray(0, 2000).toString('utf8');
  try {
    const j = JSON.parse(text);
    if (Array.isArray(j.errors) && j.errors.length > 0) return j.errors.map((e: any) => `${e.code ?? 'ERROR'}: ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    /* not JSON */
  }
  return text.trim().split('\n')[0] ?? '';
}

/** Parses `Bearer realm="…",service="…",scope="…"` / `Basic realm="…"`. */
export function parseChallenge(header: string | undefined): { scheme: string; params: Record<string, string> } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Body;
}

function send(req: RawRequest, tlsVerify: boolean): Promise<Response> {
  const u = new URL(req.url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'user-agent': 'm', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = req.body.length;
    else if (req.method === 'PUT' || req.method === 'POST') headers['content-length'] = 0;
    const r = mod.request(u, { method: req.method, headers, rejectUnauthorized: tlsVerify, timeout: 120_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // Only small documents (JSON, errors) are ever read; a huge body is cut off.
        if (size < MAX_ERROR_BODY * 16) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('no answer within 120 s')));
    r.on('error', reject);
    const body = req.body;
    if (body === undefined) r.end();
    else if (Buffer.isBuffer(body)) r.end(body);
    else {
      const write = (chunk: Buffer): Promise<void> =>
        new Promise((ok, fail) => {
          if (r.destroyed) return fail(new Error('the connection was closed'));
          if (r.write(chunk)) ok();
          else {
            const onDrain = (): void => (r.off('close', onClose), ok());
            const onClose = (): void => (r.off('drain', onDrain), fail(new Error('the connection was closed')));
            r.once('drain', onDrain);
            r.once('close', onClose);
          }
        });
      body.pipe(write).then(() => r.end(), (e) => r.destroy(e instanceof Error ? e : new Error(String(e))));
    }
  });
}

const netError = (host: string, e: unknown): MError =>
  e instanceof MError ? e : new MError('IO_ERROR', `registry ${host}: ${(e as Error).message}`, { cause: e });

/**
 * Connects to the registry of `ref`: pings `/v2/`, answers its auth challenge with the
 * credentials (Basic, or a Bearer token for `repository:REPO:pull,push`), and checks that they
 * were accepted, so that a wrong password fails before anything is uploaded.
 */
export async function openRegistry(ref: ImageReference, opts: RegistryOptions = {}): Promise<RegistryClient> {
  const tlsVerify = opts.tlsVerify ?? true;
  const creds = opts.credentials ?? {};
  const host = ref.registry;
  let base = `https://${host}`;
  let auth: string | undefined;

  const ping = async (): Promise<Response> => {
    try {
      return await send({ method: 'GET', url: `${base}/v2/`, headers: auth ? { authorization: auth } : {} }, tlsVerify);
    } catch (e) {
      if (!tlsVerify && base.startsWith('https:')) {
        base = `http://${host}`;
        return send({ method: 'GET', url: `${base}/v2/`, headers: auth ? { authorization: auth } : {} }, tlsVerify);
      }
      throw e;
    }
  };
  let res: Response;
  try {
    res = await ping();
  } catch (e) {
    const msg = (e as Error).message;
    const plain = /wrong version number|packet length too long|EPROTO/i.test(msg) ? ' (it does not speak TLS: use --tls-verify=false for a plain http registry)' : '';
    throw new MError('IO_ERROR', `cannot reach registry ${host}: ${msg}${plain}`);
  }
  if (res.status === 401) {
    const ch = parseChallenge(res.headers['www-authenticate'] as string | undefined);
    const hasUser = creds.username !== undefined && creds.username !== '';
    if (ch?.scheme === 'basic') {
      if (!hasUser) throw new MError('IO_ERROR', `registry ${host} requires a user name and password`, { hint: 'pass --creds USER:PASSWORD, or set M_REGISTRY_USER and M_REGISTRY_PASSWORD' });
      auth = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    } else if (ch?.scheme === 'bearer') {
      if (creds.token !== undefined && !hasUser) auth = `Bearer ${creds.token}`;
      else {
        const realm = ch.params.realm;
        if (!realm) throw new MError('IO_ERROR', `registry ${host} asked for a bearer token without naming a realm`);
        const url = new URL(realm);
        if (ch.params.service) url.searchParams.set('service', ch.params.service);
        url.searchParams.set('scope', `repository:${ref.repository}:pull,push`);
        for (const sc of opts.extraScopes ?? []) url.searchParams.append('scope', sc);
        const headers: Record<string, string> = {};
        if (hasUser) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
        let tr: Response;
        try {
          tr = await send({ method: 'GET', url: url.toString(), headers }, tlsVerify);
        } catch (e) {
          throw netError(url.host, e);
        }
        if (tr.status === 401 || tr.status === 403) throw new MError('IO_ERROR', `registry ${host}: the token service ${url.host} refused the credentials (HTTP ${tr.status})`);
        if (tr.status !== 200) throw new MError('IO_ERROR', `registry ${host}: the token service answered HTTP ${tr.status}: ${errorDetail(tr)}`);
        let token: string | undefined;
        try {
          const j = JSON.parse(tr.body.toString('utf8'));
          token = j.token ?? j.access_token;
        } catch {
          /* below */
        }
        if (typeof token !== 'string' || token === '') throw new MError('IO_ERROR', `registry ${host}: the token service gave no token`);
        auth = `Bearer ${token}`;
      }
    } else throw new MError('IO_ERROR', `registry ${host} requires authentication of an unknown kind (${String(res.headers['www-authenticate'])})`);
    res = await ping().catch((e) => {
      throw netError(host, e);
    });
    if (res.status === 401 || res.status === 403)
      throw new MError('IO_ERROR', `registry ${host} refused the credentials${hasUser ? ` of user '${creds.username}'` : ''} (HTTP ${res.status})`, {
        hint: 'check the user name and password (or token)',
      });
  }
  if (res.status !== 200) throw new MError('IO_ERROR', `registry ${host} does not answer as an OCI registry: GET /v2/ gave HTTP ${res.status}`);

  const repoUrl = (): string => `${base}/v2/${ref.repository}`;
  const call = async (req: RawRequest): Promise<Response> => {
    try {
      return await send({ ...req, headers: { ...(auth ? { authorization: auth } : {}), ...req.headers } }, tlsVerify);
    } catch (e) {
      throw netError(host, e);
    }
  };
  const fail = (what: string, res: Response): MError => {
    const denied = res.status === 401 || res.status === 403 ? ' (access denied: do the credentials allow pushing to this repository?)' : '';
    return new MError('IO_ERROR', `registry ${host}: ${what} gave HTTP ${res.status}${denied}: ${errorDetail(res)}`);
  };
  const absolute = (location: string): string => new URL(location, base).toString();

  return {
    ref,
    get base() {
      return base;
    },
    async hasBlob(digest) {
      const res = await call({ method: 'HEAD', url: `${repoUrl()}/blobs/${digest}` });
      // A redirect (to the storage holding it) also means the registry has the blob.
      if (res.status === 200 || res.status === 307 || res.status === 302) return true;
      if (res.status === 404) return false;
      throw fail(`HEAD of blob ${digest}`, res);
    },
    async mountBlob(digest, from) {
      const res = await call({ method: 'POST', url: `${repoUrl()}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` });
      if (res.status === 201) return true;
      if (res.status === 202) {
        // An upload was started instead; it is abandoned (the registry expires it).
        const loc = res.headers.location;
        if (typeof loc === 'string') await call({ method: 'DELETE', url: absolute(loc) }).catch(() => undefined);
        return false;
      }
      throw fail(`mounting blob ${digest}`, res);
    },
    async uploadBlob(digest, body) {
      const start = await call({ method: 'POST', url: `${repoUrl()}/blobs/uploads/` });
      if (start.status !== 202 || typeof start.headers.location !== 'string') throw fail(`starting the upload of blob ${digest}`, start);
      // One PATCH carrying the whole blob (a single chunk, Content-Range given), then PUT
      // ?digest= to close it: what docker push does, which every registry accepts (some refuse a
      // monolithic PUT with a body).
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (body.length > 0) headers['content-range'] = `0-${body.length - 1}`;
      const patched = await call({ method: 'PATCH', url: absolute(start.headers.location), headers, body });
      if (patched.status !== 202 || typeof patched.headers.location !== 'string') throw fail(`uploading blob ${digest}`, patched);
      const loc = new URL(absolute(patched.headers.location));
      loc.searchParams.set('digest', digest);
      const res = await call({ method: 'PUT', url: loc.toString() });
      if (res.status !== 201) throw fail(`completing the upload of blob ${digest}`, res);
    },
    async putManifest(reference, mediaType, body) {
      const res = await call({ method: 'PUT', url: `${repoUrl()}/manifests/${reference}`, headers: { 'content-type': mediaType }, body });
      if (res.status !== 201) throw fail(`PUT of manifest ${reference}`, res);
      const d = res.headers['docker-content-digest'];
      return typeof d === 'string' ? d : '';
    },
    async getManifest(reference) {
      const accept = [
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ].join(', ');
      const res = await call({ method: 'GET', url: `${repoUrl()}/manifests/${reference}`, headers: { accept } });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw fail(`GET of manifest ${reference}`, res);
      const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
      return { mediaType, digest, size: res.body.length, body: res.body };
    },
  };
}
