import { fsPathBytes } from '@m/nix-compat';

/** A node:fs path for a byte-string path (surrogateescape): the raw bytes when it is not plain Unicode. */
export function fsPath(p: string): string | Buffer {
  const b = fsPathBytes(p);
  return typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
