/**
 * Node built-in modules the main thread needs only on some paths, loaded on first use: loading
 * node:tty, node:stream or node:worker_threads costs several milliseconds of start-up each (they pull in
 * streams and sockets), which a cached `m PROJECT OUTPUT` or a usage error should not pay.
 * (build.mjs makes node:crypto, node:zlib and node:child_process lazy in the bundles.)
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const lazyTty = (): typeof import('node:tty') => load('node:tty') as typeof import('node:tty');
export const lazyStream = (): typeof import('node:stream') => load('node:stream') as typeof import('node:stream');
export const lazyWorkerThreads = (): typeof import('node:worker_threads') => load('node:worker_threads') as typeof import('node:worker_threads');

/** node:tty's isatty, loading node:tty on the first call. */
export function isatty(fd: number): boolean {
  return lazyTty().isatty(fd);
}
