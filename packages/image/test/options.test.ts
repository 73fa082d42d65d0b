/**
 * buildImage's options at the library level: compression kinds give the same tar, streaming to a
 * descriptor gives the stored bytes, a docker-save base with gzip layers is reused unchanged,
 * perms and customisation records reach the tar headers, and the builtin builder's environment is
 * checked (names, tags, created, perms, compression).
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { buildImage, checkCompression, imageOptionsFromEnv, mergeBaseConfig, parseMeta, parsePerms, resolveCreated } from '@m/image';
import { zstdRawFrame } from '../src/compressors';
import { base, fakeStorePath, listTar, makeSeedStore, sh, shAsync, tempDir } from './fixtures';

const s = makeSeedStore();
const common = { roots: [s.busybox, s.custom], graph: s.graph, physicalStore: s.physicalStore, config: { Cmd: ['/bin/sh'] } };
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('compression and streaming', () => {
  test('gzip, zstd and none hold the same tar; zstd raw frames decode', async () => {
    const dir = tempDir('m-image-comp-');
    const cacheDir = join(dir, 'cache');
    for (const [c, f] of [['gzip', 'i.tar.gz'], ['zstd', 'i.tar.zst'], ['none', 'i.tar']] as const)
      await buildImage({ ...common, cacheDir, compression: c, out: join(dir, f) });
    const tarOf = (cmd: string): string => sha(Buffer.from(sh(`${cmd} | base64 -w0`), 'base64'));
    const plain = sha(readFileSync(join(dir, 'i.tar')));
    expect(tarOf(`gunzip -c '${join(dir, 'i.tar.gz')}'`)).toBe(plain);
    expect(tarOf(`zstd -q -dc '${join(dir, 'i.tar.zst')}'`)).toBe(plain);
    writeFileSync(join(dir, 'raw.zst'), Buffer.concat([zstdRawFrame(Buffer.alloc(0)), zstdRawFrame(Buffer.alloc(300_000, 7))]));
    expect(sh(`zstd -q -dc '${join(dir, 'raw.zst')}' | wc -c`).trim()).toBe('300000');
    expect(() => checkCompression('xz')).toThrow(/compression must be one of "gzip", "zstd", "none", got "xz"/);
  });

  test('outFd receives the bytes the file would hold', async () => {
    const dir = tempDir('m-image-fd-');
    const cacheDir = join(dir, 'cache');
    await buildImage({ ...common, cacheDir, out: join(dir, 'a.tar.gz') });
    const fd = openSync(join(dir, 'b.tar.gz'), 'w');
    const r = await buildImage({ ...common, cacheDir, outFd: fd });
    closeSync(fd);
    expect(r.out).toBe('');
    expect(readFileSync(join(dir, 'b.tar.gz')).equals(readFileSync(join(dir, 'a.tar.gz')))).toBe(true);
  });
});

describe('fromImage', () => {
  test('a docker save archive with a gzip layer: the blob is reused as is, diff_id from its config, Env merged', async () => {
    const dir = tempDir('m-image-from-');
    const layerDir = join(dir, 'layer');
    mkdirSync(join(layerDir, 'etc'), { recursive: true });
    writeFileSync(join(layerDir, 'etc/base-file'), 'from the base\n');
    sh(`tar --numeric-owner --owner=0 --group=0 --mtime=@1 -C '${layerDir}' -cf '${dir}/layer.tar' etc`);
    const layerTar = readFileSync(join(dir, 'layer.tar'));
    const layerGz = gzipSync(layerTar);
    const cfg = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux',
      config: { Env: ['PATH=/usr/bin', 'KEEP=1'], WorkingDir: '/base', Cmd: ['/base-cmd'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layerTar)}`] },
      history: [{ created_by: 'base' }],
    }));
    const archive = join(dir, 'archive');
    mkdirSync(join(archive, 'abc'), { recursive: true });
    writeFileSync(join(archive, 'abc/layer.tar.gz'), layerGz);
    writeFileSync(join(archive, 'cfg.json'), cfg);
    writeFileSync(join(archive, 'manifest.json'), JSON.stringify([{ Config: 'cfg.json', RepoTags: ['base:1'], Layers: ['abc/layer.tar.gz'] }]));
    sh(`tar -C '${archive}' -cf '${dir}/base.tar' manifest.json cfg.json abc`);
    const baseLogical = fakeStorePath('base.tar');
    const out = join(dir, 'i.tar.gz');
    const events: string[] = [];
    const r = await buildImage({
      ...common,
      config: { Env: ['PATH=/nix/bin', 'NEW=2'], Cmd: ['/bin/sh'] },
      fromImage: { logical: baseLogical, physical: join(dir, 'base.tar') },
      out,
      onEvent: (e) => events.push(e.message),
    });
    expect(events[0]).toBe(`Adding base layer 1 from sha256:${sha(layerGz)}`);
    expect(events[1]).toMatch(/^Creating layer 2 from paths:/);
    expect(r.layers[0]).toMatchObject({ digest: `sha256:${sha(layerGz)}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffId: `sha256:${sha(layerTar)}` });
    const x = join(dir, 'x');
    mkdirSync(x);
    sh(`tar -xzf '${out}' -C '${x}'`);
    expect(readFileSync(join(x, 'blobs/sha256', sha(layerGz))).equals(layerGz)).toBe(true);
    const config = JSON.parse(readFileSync(join(x, 'blobs/sha256', r.config.digest.slice(7)), 'utf8'));
    expect(config.config).toEqual({ Env: ['PATH=/nix/bin', 'KEEP=1', 'NEW=2'], WorkingDir: '/base', Cmd: ['/bin/sh'] });
    expect(config.rootfs.diff_ids[0]).toBe(`sha256:${sha(layerTar)}`);
    expect(config.history[0]).toEqual({ created_by: 'base' });
    // skopeo lists a docker archive's layers by diff_id, an OCI layout's by blob digest.
    const d = JSON.parse(await shAsync(`gunzip -c '${out}' > '${dir}/i.tar' && skopeo inspect docker-archive:'${dir}/i.tar'`));
    expect(d.Layers[0]).toBe(`sha256:${sha(layerTar)}`);
    expect(JSON.parse(await shAsync(`skopeo inspect oci-archive:'${dir}/i.tar'`)).Layers[0]).toBe(`sha256:${sha(layerGz)}`);
  }, 60_000);

  test('a file that is no image archive is refused by name', async () => {
    const dir = tempDir('m-image-from-bad-');
    writeFileSync(join(dir, 'junk'), gzipSync(Buffer.from('not a tar at all, just text that is long enough to be junk '.repeat(20))));
    const logical = fakeStorePath('junk');
    await expect(buildImage({ ...common, fromImage: { logical, physical: join(dir, 'junk') }, out: join(dir, 'i.tar.gz') })).rejects.toThrow(
      new RegExp(`fromImage '${logical}'`),
    );
  });

  test('mergeBaseConfig keeps base keys under the new ones and merges Env by variable', () => {
    expect(mergeBaseConfig({ Env: ['A=1', 'B=1'], User: 'x' }, { Env: ['B=2', 'C=3'] })).toEqual({ Env: ['A=1', 'B=2', 'C=3'], User: 'x' });
    expect(mergeBaseConfig(undefined, { Cmd: ['a'] })).toEqual({ Cmd: ['a'] });
  });
});

describe('perms and customisation records', () => {
  test('perms set mode and owner in the store layer and on merged directories; customisation meta is parsed', async () => {
    const dir = tempDir('m-image-perms-');
    const perms = parsePerms(
      [
        { path: s.custom, regex: 'working-dir$', mode: '1777', uid: 1000, gid: 100, uname: 'u', gname: 'g' },
        { path: s.custom, regex: '/my-file$', mode: '0600', uid: 7 },
      ],
      (p) => p.startsWith('/nix/store/'),
    );
    const r = await buildImage({ ...common, perms, out: join(dir, 'i.tar.gz') });
    sh(`mkdir '${dir}/x' && tar -xzf '${dir}/i.tar.gz' -C '${dir}/x'`);
    const blob = (d: string): string => join(dir, 'x/blobs/sha256', d.slice(7));
    const custom = r.layers.find((l) => l.paths.includes(s.custom))!;
    expect(listTar(blob(custom.digest))).toEqual(
      expect.arrayContaining([
        `drwxrwxrwt 1000/100 0 nix/store/${base(s.custom)}/working-dir/`,
        `-rw------- 7/0 17 nix/store/${base(s.custom)}/working-dir/my-file`,
      ]),
    );
    expect(listTar(blob(r.layers.at(-1)!.digest))).toContain('drwxrwxrwt 1000/100 0 working-dir/');
    expect(sh(`tar -tvf '${blob(r.layers.at(-1)!.digest)}' working-dir`)).toMatch(/^drwxrwxrwt u\/g /);
    expect(parseMeta('1777 0 0 tmp\x00700 1000 1000 home/a b\x00')).toEqual(
      new Map([
        ['tmp', { mode: 0o1777, uid: 0, gid: 0 }],
        ['home/a b', { mode: 0o700, uid: 1000, gid: 1000 }],
      ]),
    );
  });

  test('perms are checked', () => {
    const isSp = (p: string): boolean => p.startsWith('/nix/store/');
    expect(() => parsePerms([{ path: '/etc', regex: '' }], isSp)).toThrow(/perms\[0\]: path must be a store path/);
    expect(() => parsePerms([{ path: s.custom, regex: '(' }], isSp)).toThrow(/perms\[0\]: regex "\(" is invalid/);
    expect(() => parsePerms([{ path: s.custom, regex: '', mode: '999' }], isSp)).toThrow(/perms\[0\]\.mode must be an octal mode string/);
    expect(() => parsePerms([{ path: s.custom, regex: '', owner: 1 }], isSp)).toThrow(/unexpected attribute 'owner'/);
  });
});

describe('the builtin builder environment', () => {
  const io = { storeDir: '/nix/store', isStorePath: (p: string) => p.startsWith('/nix/store/'), physicalOf: (p: string) => p };
  const env = (o: Record<string, unknown>): Map<string, string> =>
    new Map([['layers', s.custom], ['config', '{}'], ['maxLayers', '5'], ['imageOptions', JSON.stringify(o)]]);

  test('defaults and a full set', () => {
    expect(imageOptionsFromEnv(env({}), 'x.drv', io)).toMatchObject({ tag: 'container-image:latest', created: '1970-01-01T00:00:01Z', arch: 'amd64', compression: 'gzip', includeStorePaths: true, strictCollisions: false, maxLayers: 5 });
    const o = imageOptionsFromEnv(
      env({ name: 'registry.example:5000/team/app', tag: 'v1.2_3', created: '2024-01-02T03:04:05Z', architecture: 'arm64', compression: 'zstd', includeStorePaths: false, ignoreCollisions: false, groups: [[s.busybox]] }),
      'x.drv',
      io,
    );
    expect(o).toMatchObject({ tag: 'registry.example:5000/team/app:v1.2_3', arch: 'arm64', compression: 'zstd', includeStorePaths: false, strictCollisions: true, groups: [[s.busybox]] });
  });

  test('bad names, tags, times and groups are refused', () => {
    expect(() => imageOptionsFromEnv(env({ name: 'Upper/Case' }), 'x.drv', io)).toThrow(/name 'Upper\/Case' is not a valid image name/);
    expect(() => imageOptionsFromEnv(env({ tag: '-bad' }), 'x.drv', io)).toThrow(/tag '-bad' is not a valid tag/);
    expect(() => imageOptionsFromEnv(env({ created: 'yesterday' }), 'x.drv', io)).toThrow(/created must be "now" or an RFC 3339 time/);
    expect(() => imageOptionsFromEnv(env({ groups: [['/etc']] }), 'x.drv', io)).toThrow(/explicit layer 1\) deps must be a store path/);
    expect(resolveCreated('now', () => new Date('2030-05-06T07:08:09.123Z'))).toBe('2030-05-06T07:08:09Z');
  });
});
