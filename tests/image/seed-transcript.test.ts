/**
 * The seed's transcript (shared/seed/makeContainerImage.md), for real: `m . /example` on this
 * repository's makes/example in a fresh store prints the layer messages and the image's store path;
 * the gunzipped archive loads into podman as container-image:latest and runs with runc; skopeo reads
 * it as docker-archive and as oci-archive; umoci unpacks it; every digest checks out.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasJsStackTrace, mIsBuilt } from '../lib/run';
import {
  REPO_ROOT,
  STORE_PATH_RE,
  checkDigests,
  parseTranscript,
  physicalOf,
  privatePodman,
  runMakes,
  removeAsync,
  shAsync,
  unpackArchive,
  type UnpackedImage,
} from './helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-image-seed-'));
const storeRoot = path.join(work, 'store');
const tar = path.join(work, 'image.tar');
const pm = privatePodman(path.join(work, 'podman'));

let stdout = '';
let stderr = '';
let code = -1;
let img: UnpackedImage;

beforeAll(async () => {
  if (!mIsBuilt()) return;
  const r = await runMakes(['.', '/example'], { cwd: REPO_ROOT, storeRoot });
  ({ stdout, stderr, code } = r);
  if (code === 0) {
    await shAsync(`gunzip -c '${physicalOf(storeRoot, stdout.trim())}' > '${tar}'`);
    img = await unpackArchive(tar, path.join(work, 'unpacked'));
  }
}, 240_000);

afterAll(async () => {
  try {
    await pm.cleanupAsync();
  } finally {
    await removeAsync(work);
  }
}, 300_000);

describe.skipIf(!mIsBuilt())('m . /example (the seed transcript)', () => {
  it('prints the store path on stdout and the layer messages on stderr', () => {
    expect(stderr).not.toMatch(/^error/m);
    expect(hasJsStackTrace(stderr)).toBe(false);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\/nix\/store\/\S+\n$/);
    const out = stdout.trim();
    expect(out).toMatch(STORE_PATH_RE);
    expect(fs.statSync(physicalOf(storeRoot, out)).isFile()).toBe(true);

    const t = parseTranscript(stderr);
    // Layers 1..N from paths, then N+1 with customisation, then manifests, then Done., in that order.
    expect(t.storeLayers.length).toBeGreaterThanOrEqual(2);
    expect(t.storeLayers.map((l) => l.n)).toEqual(t.storeLayers.map((_, i) => i + 1));
    expect(t.customisation).toBe(t.storeLayers.length + 1);
    expect(t.order).toHaveLength(t.storeLayers.length + 3);
    expect([...t.order].sort((a, b) => a - b)).toEqual(t.order);
    const lines = stderr.split('\n');
    expect(lines.slice(t.order.at(-3)!, t.order.at(-1)! + 1).filter((l) => !l.startsWith('['))).toEqual([
      `Creating layer ${t.customisation} with customisation...`,
      'Adding manifests...',
      'Done.',
    ]);
    // One store path per layer (the closure is far below maxLayers - 2 = 63), each exactly once.
    const paths = t.storeLayers.flatMap((l) => l.paths);
    for (const l of t.storeLayers) expect(l.paths).toHaveLength(1);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) expect(p).toMatch(/^\/nix\/store\/[0-9a-df-np-sv-z]{32}-\S+$/);
    expect(paths.some((p) => /-coreutils-[^/]*$/.test(p))).toBe(true);
    expect(paths.some((p) => p.endsWith('-custom-layer'))).toBe(true);
    expect(paths.some((p) => /-libc6-[^/]*$/.test(p))).toBe(true);
  });

  it('every blob digest, diff_id, size and manifest checks out', () => {
    checkDigests(img);
    const t = parseTranscript(stderr);
    expect(img.manifest.layers).toHaveLength(t.storeLayers.length + 1);
    expect(img.config.architecture).toBe('amd64');
    expect(img.config.os).toBe('linux');
    expect(img.config.config.Env).toEqual(['EXAMPLE_ENV_VAR=example-value']);
    expect(img.config.config.WorkingDir).toBe('/working-dir');
  });

  it('skopeo inspects it as docker-archive: and as oci-archive:', async () => {
    const layers = img.manifest.layers.map((l) => l.digest);
    const d = JSON.parse(await shAsync(`skopeo inspect docker-archive:'${tar}'`));
    const o = JSON.parse(await shAsync(`skopeo inspect oci-archive:'${tar}'`));
    expect(d.Layers).toEqual(layers);
    expect(o.Layers).toEqual(layers);
    expect(o.Digest).toBe(img.index.manifests[0]!.digest);
    for (const x of [d, o]) {
      expect(x.Env).toEqual(['EXAMPLE_ENV_VAR=example-value']);
      expect(x.Architecture).toBe('amd64');
      expect(x.Os).toBe('linux');
    }
  }, 60_000);

  it('umoci unpacks it into the merged root', async () => {
    const layout = img.dir;
    const bundle = path.join(work, 'bundle');
    await shAsync(`umoci unpack ${process.getuid?.() === 0 ? '' : '--rootless '}--image '${layout}:latest' '${bundle}'`);
    const rootfs = path.join(bundle, 'rootfs');
    expect(fs.readdirSync(rootfs).sort()).toEqual(['bin', 'libexec', 'nix', 'working-dir']);
    const custom = parseTranscript(stderr).storeLayers.flatMap((l) => l.paths).find((p) => p.endsWith('-custom-layer'))!;
    expect(fs.readlinkSync(path.join(rootfs, 'working-dir/my-file'))).toBe(`${custom}/working-dir/my-file`);
    expect(fs.readFileSync(path.join(rootfs, custom, 'working-dir/my-file'), 'utf8')).toBe('my-file-contents\n');
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    expect(spec.process.cwd).toBe('/working-dir');
    expect(spec.process.env).toContain('EXAMPLE_ENV_VAR=example-value');
  }, 60_000);

  describe('podman (vfs, runc) loads and runs it', () => {
    it('loads as container-image:latest', async () => {
      const loaded = await pm.podmanAsync(`load -i '${tar}'`);
      expect(loaded).toMatch(/Loaded image: localhost\/container-image:latest/);
      const names = (await pm.podmanAsync(`images --format '{{.Repository}}:{{.Tag}}'`)).trim().split('\n');
      expect(names).toEqual(['localhost/container-image:latest']);
      // The image id is the config digest.
      expect((await pm.podmanAsync(`inspect --format '{{.Id}}' container-image:latest`)).trim()).toBe(img.manifest.config.digest.slice(7));
    }, 60_000);

    it('pwd prints /working-dir', async () => expect(await pm.runAsync('container-image:latest', 'pwd')).toBe('/working-dir\n'), 30_000);
    it('ls . prints my-file', async () => expect(await pm.runAsync('container-image:latest', 'ls .')).toBe('my-file\n'), 30_000);
    it('cat my-file prints my-file-contents', async () =>
      expect(await pm.runAsync('container-image:latest', 'cat my-file')).toBe('my-file-contents\n'), 30_000);
    it('ls / shows the image root next to the runtime\'s own', async () => {
      const entries = (await pm.runAsync('container-image:latest', 'ls /')).trim().split('\n');
      expect(entries).toEqual(expect.arrayContaining(['bin', 'libexec', 'nix', 'working-dir', 'dev', 'etc', 'proc', 'sys']));
    }, 30_000);
    it('EXAMPLE_ENV_VAR is set', async () =>
      expect(await pm.runAsync('container-image:latest', 'env')).toMatch(/^EXAMPLE_ENV_VAR=example-value$/m), 30_000);

    it('the image is removed afterwards', async () => {
      await pm.podmanAsync('rmi container-image:latest');
      expect((await pm.podmanAsync(`images -q`)).trim()).toBe('');
    }, 30_000);
  });
});
