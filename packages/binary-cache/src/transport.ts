/**
 * Where a binary cache lives: a `file:///DIR` directory or an `http(s)://HOST/PATH` server (GET to
 * read, PUT to write, as Nix's HttpBinaryCacheStore). Store URLs may carry Nix's query parameters
 * (`?compression=zstd&secret-key=FILE&priority=40`); `params` holds them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MError } from '@m/core';

export interface CacheTransport {
  /** The cache's URL without query parameters (as printed in messages). */
  readonly url: string;
  readonly params: ReadonlyMap<string, string>;
  /** The file's bytes, or undefined when the cache does not have it (404 / no such file). */
  get(rel: string): Promise<Buffer | undefined>;
  /** The file as a stream of chunks, or undefined when absent. */
  getStream(rel: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  has(rel: string): Promise<boolean>;
  /** Writes a file (atomically for directories), from bytes or from a local file. */
  put(rel: string, data: Buffer | { file: string }, contentType: string): Promise<void>;
}

export interface TransportOptions {
  /** Seconds before a request that got no response counts as failed (default 10). */
  timeoutSeconds?: number;
  /** Sent as `Authorization: Bearer TOKEN` (writable HTTP caches). */
  token?: string;
}

/** A request that could not reach the cache at all (refused, timed out, DNS): the cache is down. */
export function unreachable(url: string, why: string): MError {
  return new MError('IO_ERROR', `unable to download '${url}': ${why}`, { cause: { kind: 'unreachable' } });
}

export function isUnreachable(e: unknown): boolean {
  return e instanceof MError && (e.cause as { kind?: string } | undefined)?.kind === 'unreachable';
}

function splitUrl(raw: string): { base: string; params: Map<string, string> } {
  const q = raw.indexOf('?');
  const base = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
  const params = new Map<string, string>(q < 0 ? [] : new URLSearchParams(raw.slice(q + 1)));
  return { base, params };
}

/**
 * File names inside a cache come from narinfos (URL:), i.e. from the cache itself: only plain
 * relative names are followed, never `..`, absolute paths or other schemes.
 */
function checkRel(url: string, rel: string): void {
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0') || /^[a-z][a-z0-9+.-]*:/i.test(rel) || rel.split('/').some((s) => s === '..' || s === '.' || s === ''))
    throw new MError('STORE_ERROR', `binary cache '${url}' names an invalid file '${rel}'`);
}

function guarded(t: CacheTransport): CacheTransport {
  return {
    url: t.url,
    params: t.params,
    get: (rel) => (checkRel(t.url, rel), t.get(rel)),
    getStream: (rel) => (checkRel(t.url, rel), t.getStream(rel)),
    has: (rel) => (checkRel(t.url, rel), t.has(rel)),
    put: (rel, data, type) => (checkRel(t.url, rel), t.put(rel, data, type)),
  };
}

export function openTransport(rawUrl: string, opts: TransportOptions = {}): CacheTransport {
  const { base, params } = splitUrl(rawUrl);
  if (base.startsWith('file://')) return guarded(fileTransport(base, params));
  if (base.startsWith('http://') || base.startsWith('https://')) return guarded(httpTransport(base, params, opts));
  throw new MError('BAD_ARGUMENT', `don't know how to open Nix store with URI '${rawUrl}'`, {
    hint: 'm supports file:///DIR and http(s)://HOST/PATH binary caches',
  });
}

function fileTransport(url: string, params: Map<string, string>): CacheTransport {
  const root = fileURLToPath(url.length > 'file://'.length ? url : 'file:///');
  const full = (rel: string) => path.join(root, rel);
  const absent = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
  return {
    url,
    params,
    async get(rel) {
      try {
        return await fs.promises.readFile(full(rel));
      } catch (e) {
        if (absent(e)) return undefined;
        throw new MError('IO_ERROR', `reading '${full(rel)}': ${(e as Error).message}`);
      }
    },
    async getStream(rel) {
      try {
        const fh = await fs.promises.open(full(rel), 'r');
        return fh.createReadStream();
      } catch (e) {
        if (absent(e)) return undefined;
        throw new MError('IO_ERROR', `reading '${full(rel)}': ${(e as Error).message}`);
      }
    },
    async has(rel) {
      return fs.existsSync(full(rel));
    },
    async put(rel, data) {
      const dest = full(rel);
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        if (Buffer.isBuffer(data)) await fs.promises.writeFile(tmp, data, { mode: 0o644 });
        else {
          await fs.promises.copyFile(data.file, tmp);
          await fs.promises.chmod(tmp, 0o644);
        }
        await fs.promises.rename(tmp, dest);
      } catch (e) {
        await fs.promises.rm(tmp, { force: true });
        throw new MError('IO_ERROR', `writing '${dest}': ${(e as Error).message}`);
      }
    },
  };
}

function httpTransport(url: string, params: Map<string, string>, opts: TransportOptions): CacheTransport {
  const timeoutMs = (opts.timeoutSeconds ?? 10) * 1000;
  const headers: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};

  /** A request whose response headers must arrive within the timeout; the body may take longer. */
  const request = async (rel: string, init: RequestInit): Promise<Response> => {
    const target = `${url}/${rel}`;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      return await fetch(target, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) }, signal: ctl.signal });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = ctl.signal.aborted ? `timed out after ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw unreachable(target, why);
    } finally {
      clearTimeout(timer);
    }
  };
  const failed = (rel: string, res: Response, what = 'download'): MError =>
    new MError('IO_ERROR', `unable to ${what} '${url}/${rel}': HTTP error ${res.status}${res.statusText ? ` (${res.statusText})` : ''}`);
  const absent = (res: Response) => res.status === 404 || res.status === 403 || res.status === 410;

  return {
    url,
    params,
    async get(rel) {
      const res = await request(rel, {});
      if (absent(res)) return undefined;
      if (!res.ok) throw failed(rel, res);
      return Buffer.from(await res.arrayBuffer());
    },
    async getStream(rel) {
      const res = await request(rel, {});
      if (absent(res)) return undefined;
      if (!res.ok || !res.body) throw failed(rel, res);
      return Readable.fromWeb(res.body as never);
    },
    async has(rel) {
      const res = await request(rel, { method: 'HEAD' });
      if (absent(res)) return false;
      if (!res.ok) throw failed(rel, res);
      return true;
    },
    async put(rel, data, contentType) {
      const body = Buffer.isBuffer(data) ? data : await fs.promises.readFile(data.file);
      const res = await request(rel, { method: 'PUT', body, headers: { 'content-type': contentType } });
      const reply = await res.text().catch(() => '');
      if (!res.ok) {
        const e = failed(rel, res, 'upload');
        const why = reply.trim().split('\n')[0]?.slice(0, 200);
        throw why ? new MError('IO_ERROR', `${e.message}: ${why}`) : e;
      }
    },
  };
}
