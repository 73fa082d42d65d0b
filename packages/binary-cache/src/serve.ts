/**
 * `m serve`: the local store as a binary cache over HTTP, like nix-serve. NARs are served
 * uncompressed (`Compression: none`), streamed from the store; narinfos are signed on the fly
 * when a secret key is given. URLs:
 *   GET /nix-cache-info
 *   GET|HEAD /<hashPart>.narinfo
 *   GET|HEAD /nar/<hashPart>-<narHash>.nar
 * Read-only by default: anything else is refused (404 / 405). With `writable`, it also takes
 * uploads as Nix's HTTP binary cache store and `m copy --to` send them (PUT `nar/…` files, then
 * `<hash>.narinfo`): when a narinfo arrives, its path is verified (signature by a trusted key,
 * hashes, NAR structure) and imported into the store, after its references.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isMError } from '@m/core';
import type { AddressInfo } from 'node:net';
import {
  type PublicKey,
  type SecretKey,
  narEncode,
  narInfoFileName,
  parseHash,
  parseNarInfo,
  pathFingerprint,
  verifyDetached,
  printCacheInfo,
  printHash,
  printNarInfo,
} from '@m/nix-compat';
import { type Store, META_DIR, fsNarSource } from '@m/store';
import { importNar } from './import-nar';
import { localNarInfo, signNarInfo } from './push';

export interface WritableOptions {
  /** Required as `Authorization: Bearer TOKEN` on uploads when set. */
  token?: string;
  trustedKeys: PublicKey[];
  /** Refuse narinfos without a valid signature by a trusted key (default true). */
  requireSigs?: boolean;
}

const MAX_NARINFO = 1 << 20;

export interface ServeOptions {
  store: Store;
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  secretKey?: SecretKey;
  /** Priority advertised in nix-cache-info (default 30, as nix-serve). */
  priority?: number;
  /** Accept uploads (see above); read-only when absent. */
  writable?: WritableOptions;
  onRequest?: (e: { method: string; url: string; status: number }) => void;
}

export interface CacheServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Finds valid store paths by hash part; re-reads the store directory when a hash is unknown. */
function createHashIndex(store: Store) {
  let index = new Map<string, string>();
  const refresh = () => {
    index = new Map();
    for (const name of fs.readdirSync(store.root)) if (name !== META_DIR && name.length > 33) index.set(name.slice(0, 32), name);
  };
  return (hashPart: string): string | undefined => {
    if (!index.has(hashPart)) refresh();
    const base = index.get(hashPart);
    if (base === undefined) return undefined;
    const p = `${store.storeDir}/${base}`;
    return store.isValid(p) ? p : undefined;
  };
}

export function serveStore(opts: ServeOptions): Promise<CacheServer> {
  const { store } = opts;
  const find = createHashIndex(store);
  const cacheInfo = printCacheInfo({ storeDir: store.storeDir, wantMassQuery: true, priority: opts.priority ?? 30 });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const method = req.method ?? 'GET';
    const url = (req.url ?? '/').split('?')[0]!;
    const send = (status: number, body: string | undefined, type = 'text/plain'): void => {
      res.writeHead(status, { 'content-type': type, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) });
      res.end(method === 'HEAD' ? undefined : body);
      opts.onRequest?.({ method, url, status });
    };
    if (method === 'PUT' && opts.writable) {
      upload(req, url, opts.writable).then(
        () => send(200, 'ok\n'),
        (e: unknown) => {
          req.resume();
          const status = (e as { status?: number }).status ?? (isMError(e) ? 400 : 500);
          send(status, `${e instanceof Error ? e.message : String(e)}\n`);
        },
      );
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', opts.writable ? 'GET, HEAD, PUT' : 'GET, HEAD');
      return send(405, 'this binary cache is read-only\n');
    }
    if (url === '/nix-cache-info') return send(200, cacheInfo, 'text/x-nix-cache-info');

    let m = /^\/([0-9a-df-np-sv-z]{32})\.narinfo$/.exec(url);
    if (m) {
      const p = find(m[1]!);
      if (!p) return send(404, 'no such path\n');
      const info = localNarInfo(store, p, '', 'none');
      info.url = `nar/${m[1]}-${printHash(parseHash(info.narHash), 'base32')}.nar`;
      if (opts.secretKey) signNarInfo(info, opts.secretKey);
      return send(200, printNarInfo(info), 'text/x-nix-narinfo');
    }

    m = /^\/nar\/([0-9a-df-np-sv-z]{32})-([0-9a-df-np-sv-z]{52})\.nar$/.exec(url);
    if (m) {
      const p = find(m[1]!);
      const pi = p ? store.queryPathInfo(p) : undefined;
      if (!p || !pi || printHash(parseHash(pi.narHash), 'base32') !== m[2]) return send(404, 'no such NAR\n');
      res.writeHead(200, { 'content-type': 'application/x-nix-nar', 'content-length': pi.narSize });
      if (method === 'HEAD') {
        res.end();
        opts.onRequest?.({ method, url, status: 200 });
        return;
      }
      // Streamed with back-pressure; the store's files are read synchronously chunk by chunk.
      const chunks = narEncode(store.realPath(p), fsNarSource());
      const pump = (): void => {
        for (;;) {
          let r: IteratorResult<Uint8Array>;
          try {
            r = chunks.next();
          } catch {
            res.destroy();
            return;
          }
          if (r.done) {
            res.end();
            opts.onRequest?.({ method, url, status: 200 });
            return;
          }
          if (!res.write(Buffer.from(r.value))) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('close', () => chunks.return(undefined));
      pump();
      return;
    }
    send(404, 'not found\n');
  };

  let uploads: string | undefined;
  const refuse = (status: number, message: string): Error => Object.assign(new Error(message), { status });

  /** One PUT: a NAR file is kept until its narinfo arrives; a narinfo imports its path. */
  const upload = async (req: http.IncomingMessage, url: string, w: WritableOptions): Promise<void> => {
    if (w.token !== undefined && req.headers.authorization !== `Bearer ${w.token}`) throw refuse(401, 'a valid token is required to upload');
    if (url === '/nix-cache-info') {
      req.resume();
      return;
    }
    uploads ??= store.makeTempDir();
    const nar = /^\/nar\/([0-9a-z]+\.nar(?:\.xz|\.zst)?)$/.exec(url);
    if (nar) {
      const dest = path.join(uploads, nar[1]!);
      const part = `${dest}.part`;
      await pipeline(req, fs.createWriteStream(part, { mode: 0o600 }));
      fs.renameSync(part, dest);
      return;
    }
    const ni = /^\/([0-9a-df-np-sv-z]{32})\.narinfo$/.exec(url);
    if (!ni) throw refuse(404, `cannot upload '${url}'`);
    let text = '';
    for await (const chunk of req) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_NARINFO) throw refuse(413, 'narinfo too large');
    }
    const info = parseNarInfo(text, url.slice(1), store.storeDir);
    if (narInfoFileName(info.storePath) !== `${ni[1]}.narinfo`) throw refuse(400, `'${url}' describes '${info.storePath}'`);
    if (store.isValid(info.storePath)) return;
    if (w.requireSigs !== false) {
      const fp = pathFingerprint(info.storePath, info.narHash, info.narSize, info.references);
      if (!info.sigs.some((sig) => verifyDetached(fp, sig, w.trustedKeys)))
        throw refuse(403, `no valid signature by a trusted key for '${info.storePath}'`);
    }
    for (const r of info.references)
      if (r !== info.storePath && !store.isValid(r)) throw refuse(400, `reference '${r}' of '${info.storePath}' is not in this cache; upload it first`);
    const m = /^nar\/([0-9a-z]+\.nar(?:\.xz|\.zst)?)$/.exec(info.url);
    const file = m ? path.join(uploads, m[1]!) : undefined;
    if (!file || !fs.existsSync(file)) throw refuse(400, `the NAR '${info.url}' of '${info.storePath}' was not uploaded`);
    try {
      await importNar(store, info, fs.createReadStream(file), 'an upload');
    } finally {
      fs.rmSync(file, { force: true });
    }
  };

  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${(e as Error).message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}`,
        port: addr.port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            server.closeAllConnections();
            if (uploads) fs.rmSync(uploads, { recursive: true, force: true });
          }),
      });
    });
  });
}
