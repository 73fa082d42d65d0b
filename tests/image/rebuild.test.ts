/**
 * Rebuilding an image after one layer changed, at the m level: a copy of makes/example is built,
 * then its custom layer's builder is changed and it is built again in the same store. Only the
 * changed store path is archived and compressed again: every other store path's cached gzip
 * members (store/.m/image-layer-cache) are left untouched and reappear verbatim in the new archive,
 * and the unchanged layers keep their digests. (Assertions are on what was recomputed, not on time.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mIsBuilt, type RunResult } from '../lib/run';
import { REPO_ROOT, STORE_PATH_RE, parseTranscript, physicalOf, removeAsync, runMakes, sh, shAsync, unpackArchive, type UnpackedImage } from './helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-image-rebuild-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const mainNix = path.join(project, 'makes', 'example', 'main.nix');

interface CacheEntry {
  ino: number;
  mtimeMs: number;
  size: number;
}
/** name → identity of every file of the image layer cache. */
function cacheState(): Map<string, CacheEntry> {
  const root = path.join(storeRoot, '.m', 'image-layer-cache');
  const state = new Map<string, CacheEntry>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        state.set(path.relative(root, p), { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size });
      }
    }
  };
  walk(root);
  return state;
}

let first: RunResult;
let second: RunResult;
let before: Map<string, CacheEntry>;
let after: Map<string, CacheEntry>;
let img1: UnpackedImage;
let img2: UnpackedImage;

const customOf = (stderr: string): string =>
  parseTranscript(stderr).storeLayers.flatMap((l) => l.paths).find((p) => p.endsWith('-custom-layer'))!;

beforeAll(async () => {
  if (!mIsBuilt()) return;
  fs.mkdirSync(path.dirname(mainNix), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'makes', 'example', 'main.nix'), mainNix);
  first = await runMakes(['.', '/example'], { cwd: project, storeRoot });
  if (first.code !== 0) return;
  before = cacheState();
  const text = fs.readFileSync(mainNix, 'utf8');
  const changed = text.replace('echo my-file-contents > $out', 'echo my-file-contents-v2 > $out');
  if (changed === text) throw new Error('makes/example/main.nix no longer has the line this test changes');
  fs.writeFileSync(mainNix, changed);
  second = await runMakes(['.', '/example'], { cwd: project, storeRoot });
  if (second.code !== 0) return;
  after = cacheState();
  const unpack = async (r: RunResult, name: string): Promise<UnpackedImage> => {
    const tar = path.join(work, `${name}.tar`);
    await shAsync(`gunzip -c '${physicalOf(storeRoot, r.stdout.trim())}' > '${tar}'`);
    return unpackArchive(tar, path.join(work, name));
  };
  img1 = await unpack(first, 'first');
  img2 = await unpack(second, 'second');
}, 240_000);

afterAll(() => removeAsync(work), 300_000);

describe.skipIf(!mIsBuilt())('rebuild after the custom layer changed', () => {
  it('both builds succeed; the image and the custom layer get new store paths', () => {
    for (const r of [first, second]) {
      expect(r.stderr).not.toMatch(/^error/m);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toMatch(STORE_PATH_RE);
    }
    expect(second.stdout).not.toBe(first.stdout);
    expect(customOf(second.stderr)).not.toBe(customOf(first.stderr));
    // The second run imports nothing and builds only the custom layer, then the image (a derivation too).
    expect(second.stderr).not.toMatch(/imported host package/);
    expect(second.stderr.match(/building \S+/g)).toEqual(['building custom-layer', 'building container-image.tar.gz']);
  });

  it('the layering is the same except for the changed path', () => {
    const a = parseTranscript(first.stderr);
    const b = parseTranscript(second.stderr);
    expect(b.storeLayers.length).toBe(a.storeLayers.length);
    const swap = (p: string): string => (p === customOf(first.stderr) ? customOf(second.stderr) : p);
    expect(b.storeLayers).toEqual(a.storeLayers.map((l) => ({ n: l.n, paths: l.paths.map(swap) })));
  });

  it('only the changed store path was archived and compressed again; every other cached piece is untouched', () => {
    const newBase = path.basename(customOf(second.stderr));
    const added = [...after.keys()].filter((k) => !before.has(k)).sort();
    const layerFiles = added.filter((k) => k.split(path.sep).at(-2) === 'layers');
    const pieceFiles = added.filter((k) => k.split(path.sep).at(-2) === 'pieces');
    expect(pieceFiles.map((k) => path.basename(k))).toEqual([`${newBase}.gz`, `${newBase}.json`]);
    expect(layerFiles).toHaveLength(1); // the one layer whose path list changed
    expect(added).toHaveLength(3);
    for (const [k, v] of before) expect(after.get(k), k).toEqual(v);
  });

  it('the unchanged layers keep their digests; the changed layer and the customisation layer differ', () => {
    const changedIndex = parseTranscript(first.stderr).storeLayers.findIndex((l) => l.paths.includes(customOf(first.stderr)));
    const d1 = img1.manifest.layers.map((l) => l.digest);
    const d2 = img2.manifest.layers.map((l) => l.digest);
    expect(d2).toHaveLength(d1.length);
    d1.forEach((d, i) => {
      if (i === changedIndex || i === d1.length - 1) expect(d2[i], `layer ${i + 1}`).not.toBe(d);
      else expect(d2[i], `layer ${i + 1}`).toBe(d);
    });
    const blob = path.join(img2.dir, 'blobs/sha256', d2[changedIndex]!.slice(7));
    const member = `nix/store/${path.basename(customOf(second.stderr))}/working-dir/my-file`;
    expect(sh(`tar -xOf '${blob}' '${member}'`)).toBe('my-file-contents-v2\n');
  });

  it('the cached compressed members of the unchanged paths appear verbatim in the new archive', () => {
    const archive = fs.readFileSync(physicalOf(storeRoot, second.stdout.trim()));
    const pieces = [...before.keys()].filter((k) => k.endsWith('.gz') && k.split(path.sep).at(-2) === 'pieces');
    expect(pieces.length).toBe(parseTranscript(first.stderr).storeLayers.length);
    const root = path.join(storeRoot, '.m', 'image-layer-cache');
    for (const k of pieces) {
      if (k.includes('-custom-layer')) continue;
      const bytes = fs.readFileSync(path.join(root, k));
      expect(archive.indexOf(bytes), k).toBeGreaterThan(0);
    }
  });
});
