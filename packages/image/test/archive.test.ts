import { describe, expect, test, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, type BuildImageResult, type ImageEvent } from '@m/image';
import { base, listTar, makeSeedStore, sh, shAsync, sha256File, tempDir, unpackArchive, type SeedStore } from './fixtures';

const config = { Env: ['EXAMPLE_ENV_VAR=example-value'], WorkingDir: '/working-dir', Cmd: ['sh'], Labels: { a: 'b' }, ExposedPorts: ['80/tcp'] };

describe('seed example archive', () => {
  let store: SeedStore;
  let dir: string;
  let out: string;
  let result: BuildImageResult;
  const events: ImageEvent[] = [];
  let root: string;
  let tar: string;

  beforeAll(async () => {
    store = makeSeedStore();
    dir = tempDir('m-image-archive-');
    out = join(dir, 'container-image.tar.gz');
    result = await buildImage({
      roots: [store.busybox, store.custom],
      graph: store.graph,
      physicalStore: store.physicalStore,
      config,
      out,
      cacheDir: join(dir, 'cache'),
      onEvent: (e) => events.push(e),
    });
    ({ root, tar } = await unpackArchive(out, dir));
  });

  test('progress messages are the seed transcript', () => {
    expect(events.map((e) => e.message)).toEqual([
      `Creating layer 1 from paths: ['${store.busybox}']`,
      `Creating layer 2 from paths: ['${store.custom}']`,
      'Creating layer 3 with customisation...',
      'Adding manifests...',
      'Done.',
    ]);
  });

  test('outer tar: sorted, reproducible metadata, both layouts', () => {
    const lines = listTar(tar);
    const names = lines.map((l) => l.split(' ').slice(3).join(' '));
    expect(names).toEqual([...names].sort());
    for (const l of lines) expect(l).toMatch(/^[-d]rw.r-.r-. 0\/0 /);
    expect(sh(`tar --full-time -tvf '${tar}'`)).not.toMatch(/ (?!1970-01-01 00:00:01)\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /);
    expect(names).toEqual(expect.arrayContaining(['index.json', 'manifest.json', 'oci-layout', 'blobs/sha256/']));
  });

  test('gzip members: fixed headers, valid concatenation', () => {
    const gz = readFileSync(out);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    expect(sh(`gzip -t '${out}' && echo ok`).trim()).toBe('ok');
    expect(sha256File(tar)).toMatch(/^[0-9a-f]{64}$/);
    expect(`sha256:${sha256File(out)}`).toBe(result.archiveDigest);
  });

  test('every blob matches its digest; diff_ids, manifests and index agree', () => {
    const blobs = join(root, 'blobs/sha256');
    for (const f of readdirSync(blobs)) expect(sha256File(join(blobs, f))).toBe(f);
    const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations).toEqual({
      'io.containerd.image.name': 'container-image:latest',
      'org.opencontainers.image.ref.name': 'latest',
    });
    expect(index.manifests[0].digest).toBe(result.manifest.digest);
    const manifest = JSON.parse(readFileSync(join(blobs, result.manifest.digest.slice(7)), 'utf8'));
    const imageConfig = JSON.parse(readFileSync(join(blobs, manifest.config.digest.slice(7)), 'utf8'));
    expect(imageConfig.rootfs.diff_ids).toEqual(manifest.layers.map((l: { digest: string }) => l.digest));
    for (const l of manifest.layers) expect(readFileSync(join(blobs, l.digest.slice(7))).length).toBe(l.size);
    expect(imageConfig).toMatchObject({
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:01Z',
      config: { ...config, ExposedPorts: { '80/tcp': {} } },
    });
    expect(imageConfig.history).toHaveLength(3);
    const docker = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
    expect(docker).toEqual([
      {
        Config: `blobs/sha256/${manifest.config.digest.slice(7)}`,
        Layers: manifest.layers.map((l: { digest: string }) => `blobs/sha256/${l.digest.slice(7)}`),
        RepoTags: ['container-image:latest'],
      },
    ]);
    expect(JSON.parse(readFileSync(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  test('store layer holds the store path; customisation layer is the merged root', () => {
    const [bb, , cust] = result.layers.map((l) => join(root, 'blobs/sha256', l.digest.slice(7)));
    const bbList = listTar(bb!);
    expect(bbList.slice(0, 3)).toEqual([
      'dr-xr-xr-x 0/0 0 nix/',
      'dr-xr-xr-x 0/0 0 nix/store/',
      `dr-xr-xr-x 0/0 0 nix/store/${base(store.busybox)}/`,
    ]);
    expect(bbList).toContain(`lrwxrwxrwx 0/0 0 nix/store/${base(store.busybox)}/bin/ls -> ${store.busybox}/bin/busybox`);
    expect(bbList.find((l) => l.endsWith('/bin/busybox'))).toMatch(/^-r-xr-xr-x 0\/0 \d+ /);
    expect(listTar(cust!)).toEqual([
      'dr-xr-xr-x 0/0 0 bin/',
      ...['busybox', 'cat', 'echo', 'env', 'id', 'ls', 'pwd', 'sh'].map(
        (t) => `lrwxrwxrwx 0/0 0 bin/${t} -> ${store.busybox}/bin/${t}`,
      ),
      'dr-xr-xr-x 0/0 0 libexec/',
      `lrwxrwxrwx 0/0 0 libexec/README -> ${store.busybox}/libexec/README`,
      'dr-xr-xr-x 0/0 0 nix/',
      'dr-xr-xr-x 0/0 0 nix/store/',
      'dr-xr-xr-x 0/0 0 working-dir/',
      `lrwxrwxrwx 0/0 0 working-dir/my-file -> ${store.custom}/working-dir/my-file`,
    ]);
  });

  test('skopeo reads both the docker-archive and the oci-archive', async () => {
    const d = JSON.parse(await shAsync(`skopeo inspect docker-archive:'${tar}'`));
    const o = JSON.parse(await shAsync(`skopeo inspect oci-archive:'${tar}'`));
    const layers = result.layers.map((l) => l.digest);
    expect(d.Layers).toEqual(layers);
    expect(o.Layers).toEqual(layers);
    expect(o.Digest).toBe(result.manifest.digest);
    expect(d.Env).toEqual(config.Env);
    // A full copy verifies every blob against its digest.
    await shAsync(`skopeo copy -q docker-archive:'${tar}' oci:'${dir}/copy-d:latest'`);
    await shAsync(`skopeo copy -q oci-archive:'${tar}' oci:'${dir}/copy-o:latest'`);
  });

  test('umoci unpacks the OCI layout into the expected root', async () => {
    await shAsync(`umoci unpack --image '${root}:latest' '${dir}/bundle'`);
    const rootfs = join(dir, 'bundle/rootfs');
    expect(readdirSync(rootfs).sort()).toEqual(['bin', 'libexec', 'nix', 'working-dir']);
    expect(readFileSync(join(rootfs, 'nix/store', base(store.custom), 'working-dir/my-file'), 'utf8')).toBe('my-file-contents\n');
    expect(sh(`readlink '${rootfs}/working-dir/my-file'`).trim()).toBe(`${store.custom}/working-dir/my-file`);
    const spec = JSON.parse(readFileSync(join(dir, 'bundle/config.json'), 'utf8'));
    expect(spec.process.cwd).toBe('/working-dir');
    expect(spec.process.env).toContain('EXAMPLE_ENV_VAR=example-value');
  });
});
