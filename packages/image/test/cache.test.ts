/** Reproducibility, the per-store-path cache, and layering of a larger closure. */
import { describe, expect, test } from 'vitest';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, layerCacheRoot, type ImageEvent } from '@m/image';
import { base, fakeStorePath, makeSeedStore, sha256File, tempDir, unpackArchive } from './fixtures';

/** A synthetic closure: `n` small paths, path i referencing a few lower ones; root references all tops. */
function makeSyntheticStore(n: number, salt = '', physicalStore = tempDir('m-image-synth-')) {
  const paths = Array.from({ length: n }, (_, i) => fakeStorePath(`pkg-${String(i).padStart(3, '0')}`, salt));
  const graph = new Map<string, string[]>();
  paths.forEach((p, i) => {
    const refs = [i - 1, Math.floor(i / 2), Math.floor(i / 3)].filter((j) => j >= 0 && j < i).map((j) => paths[j]!);
    graph.set(p, [...new Set(refs)]);
    const d = join(physicalStore, base(p));
    mkdirSync(join(d, 'share', `pkg-${i}`), { recursive: true });
    writeFileSync(join(d, 'share', `pkg-${i}`, 'data'), `contents of ${i}\n`.repeat(i + 1));
  });
  return { physicalStore, paths, graph, root: paths[n - 1]! };
}

describe('reproducibility', () => {
  test('two builds in two different physical stores and caches give identical bytes', async () => {
    const a = makeSeedStore();
    const b = makeSeedStore();
    const outA = join(tempDir('m-image-a-'), 'img.tar.gz');
    const outB = join(tempDir('m-image-b-'), 'img.tar.gz');
    const opts = { config: { WorkingDir: '/working-dir', Env: ['A=1'] } };
    const ra = await buildImage({ ...opts, roots: [a.busybox, a.custom], graph: a.graph, physicalStore: a.physicalStore, out: outA });
    const rb = await buildImage({
      ...opts, roots: [b.busybox, b.custom], graph: b.graph, physicalStore: b.physicalStore, out: outB,
      cacheDir: tempDir('m-image-cache-'), threads: 1,
    });
    expect(sha256File(outA)).toBe(sha256File(outB));
    expect(ra.archiveDigest).toBe(rb.archiveDigest);
  });

  test('a warm cache gives the same bytes as a cold one', async () => {
    const s = makeSyntheticStore(12);
    const cacheDir = tempDir('m-image-cache-');
    const out1 = join(tempDir('m-image-1-'), 'img.tar.gz');
    const out2 = join(tempDir('m-image-2-'), 'img.tar.gz');
    const common = { roots: [s.root], graph: s.graph, physicalStore: s.physicalStore, maxLayers: 6, cacheDir };
    await buildImage({ ...common, out: out1 });
    const events: ImageEvent[] = [];
    await buildImage({ ...common, out: out2, onEvent: (e) => events.push(e) });
    expect(readFileSync(out1).equals(readFileSync(out2))).toBe(true);
    expect(events.filter((e) => e.type === 'layer').every((e) => e.type === 'layer' && e.cached)).toBe(true);
  });
});

describe('cache', () => {
  test('rebuilding after one store path changed redoes only its layer', async () => {
    const dir = tempDir('m-image-rebuild-');
    const s = makeSyntheticStore(8, '', join(dir, 'store'));
    const cacheDir = join(dir, 'cache');
    const common = { graph: s.graph, physicalStore: s.physicalStore, maxLayers: 65, cacheDir };
    await buildImage({ ...common, roots: [s.root], out: join(dir, '1.tar.gz') });
    const pieceTimes = (): Map<string, number> =>
      new Map(s.paths.map((p) => [p, statSync(join(layerCacheRoot(cacheDir, '/nix/store'), 'pieces', `${base(p)}.gz`)).mtimeMs]));
    const before = pieceTimes();

    // A new version of the top package: a different store path with different contents.
    const newRoot = fakeStorePath('pkg-007', 'v2');
    mkdirSync(join(s.physicalStore, base(newRoot), 'share'), { recursive: true });
    writeFileSync(join(s.physicalStore, base(newRoot), 'share/data'), 'new\n');
    const graph = new Map(s.graph);
    graph.set(newRoot, graph.get(s.root)!);
    const events: ImageEvent[] = [];
    const r = await buildImage({ ...common, graph, roots: [newRoot], out: join(dir, '2.tar.gz'), onEvent: (e) => events.push(e) });
    const layerEvents = events.flatMap((e) => (e.type === 'layer' ? [e] : []));
    expect(layerEvents.filter((e) => !e.cached).map((e) => e.paths)).toEqual([[newRoot]]);
    const after = pieceTimes();
    for (const p of s.paths) if (p !== s.root) expect(after.get(p)).toBe(before.get(p));
    const { root } = await unpackArchive(r.out, dir);
    for (const l of r.layers) expect(sha256File(join(root, 'blobs/sha256', l.digest.slice(7)))).toBe(l.digest.slice(7));
    // The cached compressed members of unchanged paths are copied into the archive verbatim.
    const archive = readFileSync(r.out);
    const piece = readFileSync(join(layerCacheRoot(cacheDir, '/nix/store'), 'pieces', `${base(s.paths[3]!)}.gz`));
    expect(piece.length).toBeGreaterThan(20);
    expect(archive.indexOf(piece)).toBeGreaterThan(0);
  });
});

describe('layering of a 72-path closure', () => {
  const s = makeSyntheticStore(72);
  test.each([
    [2, 2, [72]],
    [3, 3, [1, 71]],
    [65, 65, [...Array(63).fill(1), 9]],
  ])('maxLayers %i → %i layers', async (maxLayers, total, storeSizes) => {
    const dir = tempDir('m-image-layers-');
    const events: string[] = [];
    const r = await buildImage({
      roots: [s.root], graph: s.graph, physicalStore: s.physicalStore, maxLayers, out: join(dir, 'i.tar.gz'),
      onEvent: (e) => events.push(e.message),
    });
    expect(r.layers.length).toBe(total);
    expect(r.layers.slice(0, -1).map((l) => l.paths.length)).toEqual(storeSizes);
    expect(events.at(-3)).toBe(`Creating layer ${total} with customisation...`);
    const { root } = await unpackArchive(r.out, dir);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
    expect(manifest[0].Layers).toHaveLength(total);
    for (const l of r.layers) expect(sha256File(join(root, 'blobs/sha256', l.digest.slice(7)))).toBe(l.digest.slice(7));
  });
  test('maxLayers 1 is an MError', async () => {
    await expect(
      buildImage({ roots: [s.root], graph: s.graph, physicalStore: s.physicalStore, maxLayers: 1, out: '/nonexistent/x' }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
