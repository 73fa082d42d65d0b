/** Nothing is followed out of the store; odd file types and names are handled or refused. */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { existsSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage } from '@m/image';
import { base, fakeStorePath, listTar, sh, tempDir, unpackArchive } from './fixtures';

function storeWith(name: string, make: (dir: string) => void) {
  const physicalStore = tempDir('m-image-safety-');
  const path = fakeStorePath(name);
  const d = join(physicalStore, base(path));
  mkdirSync(d);
  make(d);
  return { physicalStore, path, graph: new Map([[path, []]]) as Map<string, string[]> };
}

async function layerListing(s: ReturnType<typeof storeWith>, roots = [s.path]): Promise<{ store: string[]; custom: string[] }> {
  const dir = tempDir('m-image-safety-out-');
  const r = await buildImage({ roots, graph: s.graph, physicalStore: s.physicalStore, out: join(dir, 'i.tar.gz') });
  const { root } = await unpackArchive(r.out, dir);
  const blob = (i: number): string => join(root, 'blobs/sha256', r.layers[i]!.digest.slice(7));
  return { store: listTar(blob(0)), custom: listTar(blob(r.layers.length - 1)) };
}

describe('safety', () => {
  test('absolute and `..` symlinks are stored as symlinks, never followed', async () => {
    const s = storeWith('links', (d) => {
      mkdirSync(join(d, 'bin'));
      symlinkSync('/etc', join(d, 'etc-link'));
      symlinkSync('/etc/passwd', join(d, 'bin/passwd'));
      symlinkSync('../../../../..', join(d, 'up'));
      symlinkSync('/usr/bin', join(d, 'usrbin'));
    });
    const { store, custom } = await layerListing(s);
    const p = `nix/store/${base(s.path)}`;
    expect(store).toEqual([
      'dr-xr-xr-x 0/0 0 nix/',
      'dr-xr-xr-x 0/0 0 nix/store/',
      `dr-xr-xr-x 0/0 0 ${p}/`,
      `dr-xr-xr-x 0/0 0 ${p}/bin/`,
      `lrwxrwxrwx 0/0 0 ${p}/bin/passwd -> /etc/passwd`,
      `lrwxrwxrwx 0/0 0 ${p}/etc-link -> /etc`,
      `lrwxrwxrwx 0/0 0 ${p}/up -> ../../../../..`,
      `lrwxrwxrwx 0/0 0 ${p}/usrbin -> /usr/bin`,
    ]);
    // The root's symlinked directory stays a leaf of the image root: /usrbin -> the store path's usrbin.
    expect(custom).toContain(`lrwxrwxrwx 0/0 0 usrbin -> ${s.path}/usrbin`);
    expect(custom.every((l) => !l.includes(' ../') && !/ \/\S/.test(l.split(' ')[3]!))).toBe(true);
  });

  test('a store path that is itself a symlink is stored as one', async () => {
    const physicalStore = tempDir('m-image-safety-');
    const link = fakeStorePath('just-a-link');
    const dirPath = fakeStorePath('a-dir');
    symlinkSync('/etc', join(physicalStore, base(link)));
    mkdirSync(join(physicalStore, base(dirPath)));
    const graph = new Map<string, string[]>([[dirPath, [link]], [link, []]]);
    const dir = tempDir('m-image-safety-out-');
    const r = await buildImage({ roots: [dirPath], graph, physicalStore, out: join(dir, 'i.tar.gz') });
    const { root } = await unpackArchive(r.out, dir);
    const linkLayer = r.layers.find((l) => l.paths[0] === link)!;
    expect(listTar(join(root, 'blobs/sha256', linkLayer.digest.slice(7)))).toEqual([
      'dr-xr-xr-x 0/0 0 nix/',
      'dr-xr-xr-x 0/0 0 nix/store/',
      `lrwxrwxrwx 0/0 0 nix/store/${base(link)} -> /etc`,
    ]);
    // As a `layers` root it cannot be merged into the image root.
    await expect(
      buildImage({ roots: [link], graph, physicalStore, out: join(dir, 'j.tar.gz') }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/is not a directory/) });
  });

  test('hard links become regular files', async () => {
    const s = storeWith('hardlinks', (d) => {
      writeFileSync(join(d, 'a'), 'same bytes\n');
      linkSync(join(d, 'a'), join(d, 'b'));
    });
    const { store } = await layerListing(s);
    const p = `nix/store/${base(s.path)}`;
    expect(store.slice(3)).toEqual([`-r--r--r-- 0/0 11 ${p}/a`, `-r--r--r-- 0/0 11 ${p}/b`]);
  });

  test('fifos are refused with an MError', async () => {
    const s = storeWith('fifo', (d) => sh(`mkfifo '${d}/pipe'`));
    await expect(
      buildImage({ roots: [s.path], graph: s.graph, physicalStore: s.physicalStore, out: join(tempDir('m-x-'), 'i.tar.gz') }),
    ).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringMatching(/is a fifo, which a container layer cannot hold/) });
  });

  test('long names and link targets survive (pax headers)', async () => {
    const deep = Array.from({ length: 8 }, (_, i) => `directory-level-${i}-${'x'.repeat(20)}`).join('/');
    const longLink = `/${'t'.repeat(150)}`;
    const s = storeWith('long', (d) => {
      mkdirSync(join(d, deep), { recursive: true });
      writeFileSync(join(d, deep, 'f'.repeat(120)), 'x');
      symlinkSync(longLink, join(d, 'l'));
    });
    const { store } = await layerListing(s);
    const p = `nix/store/${base(s.path)}`;
    expect(store).toContain(`-r--r--r-- 0/0 1 ${p}/${deep}/${'f'.repeat(120)}`);
    expect(store).toContain(`lrwxrwxrwx 0/0 0 ${p}/l -> ${longLink}`);
  });

  test('two layers providing the same file: the first wins with a warning; strictCollisions makes it an error', async () => {
    const physicalStore = tempDir('m-image-safety-');
    const [a, b] = [fakeStorePath('one'), fakeStorePath('two')] as [string, string];
    for (const p of [a, b]) {
      mkdirSync(join(physicalStore, base(p), 'bin'), { recursive: true });
      writeFileSync(join(physicalStore, base(p), 'bin/tool'), p);
    }
    const graph = new Map<string, string[]>([[a, []], [b, []]]);
    const warnings: string[] = [];
    const out = join(tempDir('m-x-'), 'i.tar.gz');
    const r = await buildImage({ roots: [a, b], graph, physicalStore, out, onEvent: (e) => e.type === 'warning' && warnings.push(e.message) });
    expect(warnings).toEqual([`makeContainerImage: '/bin/tool' is provided by both '${a}' and '${b}'; the image keeps the one of '${a}'`]);
    const cust = r.layers.at(-1)!.digest.slice(7);
    const listing = execFileSync('sh', ['-c', `tar -xzOf '${out}' blobs/sha256/${cust} | tar -tvf -`], { encoding: 'utf8' });
    expect(listing).toContain(`bin/tool -> ${a}/bin/tool`);
    await expect(
      buildImage({ roots: [a, b], graph, physicalStore, strictCollisions: true, out: join(tempDir('m-x-'), 'i.tar.gz') }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/'\/bin\/tool' is provided by both/) });
  });

  test('store paths named in config join the closure; unknown ones are refused', async () => {
    const physicalStore = tempDir('m-image-safety-');
    const app = fakeStorePath('app');
    const tool = fakeStorePath('tool');
    for (const p of [app, tool]) mkdirSync(join(physicalStore, base(p)));
    const graph = new Map<string, string[]>([[app, []], [tool, []]]);
    const out = join(tempDir('m-x-'), 'i.tar.gz');
    const r = await buildImage({ roots: [app], graph, physicalStore, out, config: { Entrypoint: [`${tool}/bin/tool`] } });
    expect(r.layers.map((l) => l.paths)).toEqual([[app], [tool], []]);
    await expect(
      buildImage({ roots: [app], graph, physicalStore, out, config: { Cmd: [`${fakeStorePath('missing')}/bin/x`] } }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(buildImage({ roots: [app], graph, physicalStore, out, config: { Env: 'A=1' } })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/config.Env must be a list of strings/),
    });
  });
});

describe('customisation layer', () => {
  test('a layer cannot replace the store directory or shadow store paths through it', async () => {
    const physicalStore = tempDir('m-x-');
    const dep = fakeStorePath('dep');
    const bad = fakeStorePath('shadow');
    const link = fakeStorePath('nixlink');
    mkdirSync(join(physicalStore, base(dep), 'bin'), { recursive: true });
    writeFileSync(join(physicalStore, base(dep), 'bin', 'sh'), 'real');
    mkdirSync(join(physicalStore, base(bad), 'nix', 'store', base(dep), 'bin'), { recursive: true });
    writeFileSync(join(physicalStore, base(bad), 'nix', 'store', base(dep), 'bin', 'sh'), 'evil');
    mkdirSync(join(physicalStore, base(link)));
    symlinkSync('/', join(physicalStore, base(link), 'nix'));
    const graph = new Map<string, string[]>([[dep, []], [bad, [dep]], [link, []]]);
    const out = join(tempDir('m-x-'), 'i.tar.gz');
    await expect(buildImage({ roots: [bad], graph, physicalStore, out })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/provides '\/nix\/store', which would replace the store directory or shadow store paths/),
    });
    await expect(buildImage({ roots: [link], graph, physicalStore, out })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(existsSync(out)).toBe(false);
  });
});
