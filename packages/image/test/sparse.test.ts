/** Sparse files: holes cost a memcmp per MiB, and the archive is the same whatever the thread count. */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildImage } from '@m/image';
import { shAsync, tempDir } from './fixtures';

test('a 256 MiB sparse file: small archive, identical bytes with 1 and 2 threads, contents intact', async () => {
  const dir = tempDir('m-image-sparse-');
  const base = `${'s'.repeat(32)}-sparse`;
  const p = `/nix/store/${base}`;
  mkdirSync(join(dir, 'store', base), { recursive: true });
  const fd = openSync(join(dir, 'store', base, 'big'), 'w');
  ftruncateSync(fd, 256 * 2 ** 20);
  writeSync(fd, Buffer.from('middle'), 0, 6, 100 * 2 ** 20 + 7);
  closeSync(fd);
  const build = (threads: number, out: string) =>
    buildImage({ roots: [p], graph: new Map([[p, []]]), physicalStore: join(dir, 'store'), out: join(dir, out), cacheDir: join(dir, `cache-${threads}`), threads });
  const a = await build(1, 'a.tar.gz');
  const b = await build(2, 'b.tar.gz');
  expect(b.archiveDigest).toBe(a.archiveDigest);
  expect(statSync(a.out).size).toBeLessThan(2 * 2 ** 20);
  await shAsync(`cd '${dir}' && mkdir x && gunzip -c a.tar.gz | tar -xf - -C x && tar -xf x/blobs/sha256/${a.layers[0]!.digest.slice(7)} -C x`);
  const big = join(dir, 'x', 'nix/store', base, 'big');
  expect(statSync(big).size).toBe(256 * 2 ** 20);
  expect(readFileSync(big).subarray(100 * 2 ** 20 + 7, 100 * 2 ** 20 + 13).toString()).toBe('middle');
}, 120_000);
