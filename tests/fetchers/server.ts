/**
 * A small HTTP server on 127.0.0.1 for the fetcher tests: serves the files of a map, counts the
 * requests per path and can be stopped (to check that a pinned fetch already in the store needs no
 * download).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  base: string;
  /** Files served, by URL path (e.g. `/a.txt`); may change while the server runs. */
  files: Map<string, Buffer>;
  /** Requests received per URL path. */
  hits: Map<string, number>;
  stop(): Promise<void>;
}

export async function startFileServer(files: Record<string, Buffer | string> = {}): Promise<FileServer> {
  const served = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const body = served.get(p);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    base: `http://127.0.0.1:${port}`,
    files: served,
    hits,
    stop: () => {
      if (stopped) return Promise.resolve();
      stopped = true;
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
