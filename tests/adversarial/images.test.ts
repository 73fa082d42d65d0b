/**
 * Hostile image contents, built with makeContainerImage through the real CLI, then unpacked by
 * umoci (OCI layout) and loaded and run by podman (docker archive): store paths that are or hold
 * absolute and `..` symlinks, file names with newlines and non-UTF-8 bytes, 20k files, a 1 GiB
 * sparse file (checked in the store and streamed from the archive; a 64 MiB one is unpacked), a
 * layer trying to shadow the store. Expectation for each: the image is written (or
 * refused with a clean `error:`), symlinks stay symlinks with their targets verbatim, names keep
 * their bytes, and nothing is created outside the unpack directory or the container.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { buildImage } from '../../packages/image/src/index';
import { privatePodman, removeAsync, runMakes, sh, shAsync } from '../image/helpers';
import { mIsBuilt, type RunResult } from '../lib/run';
import { attempt } from './attempt';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-adv-images-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const podman = privatePodman(path.join(work, 'podman'));
/** A name no legitimate file on the host has; its presence outside the bundles is an escape. */
const PROBE = `m-adv-escape-probe-${process.pid}`;
const hostProbes = [`/tmp/${PROBE}`, `/etc/${PROBE}`, `/${PROBE}`, path.join(work, PROBE), path.join(os.tmpdir(), PROBE)];

const shell = 'inputs.nixpkgs.bash inputs.nixpkgs.coreutils';
const outputs: Record<string, string> = {
  // One image for the symlink, name and many-files cases: one build, one unpack, one podman load.
  hostile: `{ makeContainerImage, makeDerivation, inputs, ... }:
let
  rootLink = makeDerivation { name = "root-link"; builder = "ln -s / $out"; };
  dotdotLink = makeDerivation { name = "dotdot-link"; builder = "ln -s ../../.. $out"; };
in makeContainerImage {
  config = { Cmd = [ "/bin/bash" ]; };
  layers = [
    ${shell}
    (makeDerivation {
      name = "links";
      env = { envRootLink = rootLink; envDotdotLink = dotdotLink; };
      builder = ''
        mkdir -p $out/links
        ln -s /etc/shadow $out/links/abs-shadow
        ln -s / $out/links/abs-root
        ln -s /tmp $out/links/abs-tmp
        ln -s ../../../../../../../../../tmp $out/links/up-tmp
        ln -s .. $out/links/parent
        ln -s $envRootLink $out/links/via-root-link
        ln -s $envDotdotLink $out/links/via-dotdot-link
        ln -s /nix/store/../../../../tmp $out/links/store-up
        ln -s links/abs-root $out/root-alias
      '';
    })
    (makeDerivation {
      name = "names";
      builder = ''
        mkdir -p $out/names
        echo nl > "$out/names/$(printf 'new\\nline')"
        echo tab > "$out/names/$(printf 'tab\\tname')"
        echo long > "$out/names/$(printf 'x%.0s' $(seq 1 200))"
        echo dots > "$out/names/...."
        echo dash > "$out/names/-rf"
        echo bs > "$out/names/back\\\\slash"
        echo uni > "$out/names/ünïcødé ✓"
        ln -s "$(printf 'new\\nline')" "$out/names/$(printf 'link\\nto newline')"
      '';
    })
    (makeDerivation {
      name = "many";
      builder = ''
        mkdir -p $out/many
        cd $out/many
        for i in $(seq 1 20000); do echo $i > f$i; done
      '';
    })
  ];
}`,
  bytes: `{ makeContainerImage, makeDerivation, ... }:
makeContainerImage {
  layers = [
    (makeDerivation {
      name = "bytes";
      builder = ''
        mkdir -p $out/names
        echo bad > "$out/names/$(printf 'bad\\377\\376bytes')"
        echo latin > "$out/names/$(printf 'caf\\351')"
      '';
    })
  ];
}`,
  sparse: `{ makeContainerImage, makeDerivation, ... }:
makeContainerImage {
  layers = [
    (makeDerivation {
      name = "sparse";
      builder = ''
        mkdir -p $out/data
        truncate -s 1G $out/data/sparse
        echo end >> $out/data/sparse
      '';
    })
  ];
}`,
  'sparse-small': `{ makeContainerImage, makeDerivation, inputs, ... }:
makeContainerImage {
  layers = [
    ${shell}
    (makeDerivation {
      name = "sparse-small";
      builder = ''
        mkdir -p $out/data
        truncate -s 64M $out/data/sparse
        echo end >> $out/data/sparse
      '';
    })
  ];
}`,
  shadow: `{ makeContainerImage, makeDerivation, inputs, ... }:
makeContainerImage {
  layers = [
    ${shell}
    (makeDerivation {
      name = "shadow";
      env.envSh = "\${inputs.nixpkgs.bash}/bin/bash";
      builder = ''
        mkdir -p "$out$(dirname $envSh)"
        echo evil > "$out$envSh"
      '';
    })
  ];
}`,
  'bad-env': `{ makeContainerImage, inputs, ... }:
makeContainerImage { config = { Env = [ "NO_EQUALS_SIGN" ]; }; layers = [ inputs.nixpkgs.coreutils ]; }`,
};

/** What the test itself creates in its work directory; anything else there is an escape. */
const OWN = new Set(['project', 'store', 'podman', 'bytes-store']);

function checkNoEscape(): void {
  for (const p of hostProbes) expect(fs.existsSync(p), `${p} exists on the host`).toBe(false);
  expect(fs.readdirSync(work).filter((n) => !OWN.has(n) && !n.startsWith('unpack-'))).toEqual([]);
}

async function build(output: string): Promise<RunResult> {
  return runMakes(['.', `/${output}`], { cwd: project, storeRoot });
}

interface Unpacked {
  rootfs: string;
  /** The .tar.gz in the store. */
  archive: string;
  imageId: string;
}

/** gunzip → outer tar; umoci unpacks its OCI layout into a fresh bundle (as root, as CI). */
async function umociUnpack(r: RunResult, name: string): Promise<Unpacked> {
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  const archive = path.join(storeRoot, path.basename(r.stdout.trim()));
  const dir = path.join(work, `unpack-${name}`);
  fs.mkdirSync(dir);
  await shAsync(`mkdir '${dir}/layout' && gunzip -c '${archive}' | tar -xf - -C '${dir}/layout'`);
  await shAsync(`umoci unpack --image '${dir}/layout:latest' '${dir}/bundle' 2>&1`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'layout', 'manifest.json'), 'utf8'));
  return { rootfs: path.join(dir, 'bundle', 'rootfs'), archive, imageId: path.basename(manifest[0].Config) };
}

async function podmanLoad(u: Unpacked): Promise<void> {
  // podman 4.3 cannot read a gzip outer archive: the uncompressed tar goes in through stdin.
  await shAsync(`gunzip -c '${u.archive}' | ${podman.base} load -q >/dev/null`);
}

const run = (u: Unpacked, script: string): Promise<string> => podman.runAsync(u.imageId, `/bin/bash -c '${script.replace(/'/g, `'\\''`)}'`);

/** The in-container checks of the `hostile` image, one section each, run in a single container. */
const IN_CONTAINER: Record<string, string> = {
  // Links resolve in the container: the host's shadow is not there, and writes through `/` and
  // `..` links land in the container's /tmp.
  links: `mkdir -p /tmp; cat /links/abs-shadow 2>&1 || true; i=0; for l in links/abs-root/tmp links/abs-tmp links/up-tmp links/via-root-link/tmp links/store-up root-alias/tmp; do i=$((i+1)); echo x > /$l/${PROBE}-$i || echo "cannot write via $l"; done; shopt -s nullglob; a=(/tmp/${PROBE}-*); echo \${#a[@]}; shopt -u nullglob`,
  names: `shopt -s dotglob; a=(/names/*); echo \${#a[@]}; shopt -u dotglob; cat "/names/$(printf "new\\nline")"; cat /names/x*`,
  many: 'ls /many | wc -l; cat /many/f20000',
};

let hostileImage: Promise<{ u: Unpacked; out: Record<string, string> }> | undefined;
/**
 * The `hostile` image, built, unpacked by umoci, loaded into podman and run once (vfs copies the
 * whole image for each container, so one container serves every attempt that reads it).
 */
function hostile(): Promise<{ u: Unpacked; out: Record<string, string> }> {
  hostileImage ??= (async () => {
    const u = await umociUnpack(await build('hostile'), 'hostile');
    await podmanLoad(u);
    const script = Object.entries(IN_CONTAINER)
      .map(([k, cmd]) => `echo "@@${k}"; ${cmd}`)
      .join('; ');
    const out: Record<string, string> = {};
    for (const part of (await run(u, script)).split('@@').slice(1)) {
      const nl = part.indexOf('\n');
      out[part.slice(0, nl)] = part.slice(nl + 1);
    }
    return { u, out };
  })();
  return hostileImage;
}

beforeAll(() => {
  for (const [name, text] of Object.entries(outputs)) {
    fs.mkdirSync(path.join(project, 'makes', name), { recursive: true });
    fs.writeFileSync(path.join(project, 'makes', name, 'main.nix'), text);
  }
});

afterAll(async () => {
  // The private podman storage goes with the work directory (faster than `podman rmi` on vfs);
  // removed by a subprocess: a synchronous removal of the stores and vfs copies blocked the test
  // worker past vitest's one-minute RPC limit under load.
  await removeAsync(work);
}, 300_000);

describe.skipIf(!mIsBuilt() || process.getuid?.() !== 0)('hostile images (umoci as root, podman)', () => {
  attempt(
    'image',
    'absolute and `..` symlinks (and store paths that are symlinks to / and ..) stay symlinks; writes through them stay in the container',
    async () => {
      const { u, out } = await hostile();
      const store = path.join(u.rootfs, 'nix', 'store');
      const links = fs.readdirSync(store).find((n) => n.endsWith('-links'))!;
      const rootLink = fs.readdirSync(store).find((n) => n.endsWith('-root-link'))!;
      const dotdotLink = fs.readdirSync(store).find((n) => n.endsWith('-dotdot-link'))!;
      const expected: Record<string, string> = {
        'abs-shadow': '/etc/shadow',
        'abs-root': '/',
        'abs-tmp': '/tmp',
        'up-tmp': '../../../../../../../../../tmp',
        parent: '..',
        'via-root-link': `/nix/store/${rootLink}`,
        'via-dotdot-link': `/nix/store/${dotdotLink}`,
        'store-up': '/nix/store/../../../../tmp',
      };
      for (const [n, target] of Object.entries(expected)) {
        const p = path.join(store, links, 'links', n);
        expect(fs.lstatSync(p).isSymbolicLink(), n).toBe(true);
        expect(fs.readlinkSync(p), n).toBe(target);
        // The customisation layer links each entry of the layer, never what the entry points at.
        expect(fs.readlinkSync(path.join(u.rootfs, 'links', n)), n).toBe(`/nix/store/${links}/links/${n}`);
      }
      expect(fs.readlinkSync(path.join(store, rootLink))).toBe('/');
      expect(fs.readlinkSync(path.join(store, dotdotLink))).toBe('../../..');
      expect(fs.readlinkSync(path.join(u.rootfs, 'root-alias'))).toBe(`/nix/store/${links}/root-alias`);
      checkNoEscape();
      const linksOut = out.links!;
      expect(linksOut).not.toMatch(/^root:/m);
      expect(linksOut).not.toMatch(/cannot write/);
      expect(linksOut.trim().split('\n').at(-1)).toBe('6');
      expect(fs.readdirSync('/tmp').filter((n) => n.startsWith(PROBE))).toEqual([]); // host-path-ok: the host's /tmp must stay free of the image's probe files
      checkNoEscape();
    },
    240_000,
  );

  attempt(
    'image',
    'file names with newlines, tabs, 200 bytes, leading dashes and unicode keep their bytes in umoci and podman',
    async () => {
      const { u, out } = await hostile();
      const store = path.join(u.rootfs, 'nix', 'store');
      const dir = path.join(store, fs.readdirSync(store).find((n) => n.endsWith('-names'))!, 'names');
      expect(fs.readdirSync(dir).sort()).toEqual(
        ['new\nline', 'tab\tname', 'x'.repeat(200), '....', '-rf', 'back\\slash', 'ünïcødé ✓', 'link\nto newline'].sort(),
      );
      expect(fs.readFileSync(path.join(dir, 'new\nline'), 'utf8')).toBe('nl\n');
      expect(fs.readlinkSync(path.join(dir, 'link\nto newline'))).toBe('new\nline');
      expect(out.names).toBe('8\nnl\nlong\n');
      checkNoEscape();
    },
    240_000,
  );

  attempt(
    'image',
    '20,000 files in one store path: all of them in umoci and podman',
    async () => {
      const { u, out } = await hostile();
      const store = path.join(u.rootfs, 'nix', 'store');
      const dir = path.join(store, fs.readdirSync(store).find((n) => n.endsWith('-many'))!, 'many');
      expect(fs.readdirSync(dir).length).toBe(20_000);
      expect(fs.readFileSync(path.join(dir, 'f12345'), 'utf8')).toBe('12345\n');
      expect(out.many).toBe('20000\n20000\n');
      checkNoEscape();
    },
    240_000,
  );

  attempt(
    'image',
    'non-UTF-8 file names: the image (from the store) keeps the raw bytes in umoci and podman',
    async () => {
      // The layer is written by @m/image from a store laid out here, so the names' bytes reach the
      // archive whatever the builder does with them.
      const physicalStore = path.join(work, 'bytes-store');
      const base = `${'b'.repeat(32)}-bytes`;
      const names = [Buffer.from('bad\xff\xfebytes', 'latin1'), Buffer.from('caf\xe9', 'latin1'), Buffer.from('ok')];
      fs.mkdirSync(path.join(physicalStore, base, 'names'), { recursive: true });
      for (const n of names) fs.writeFileSync(Buffer.concat([Buffer.from(path.join(physicalStore, base, 'names') + '/'), n]), 'x\n');
      fs.symlinkSync(Buffer.from('caf\xe9', 'latin1'), Buffer.concat([Buffer.from(path.join(physicalStore, base, 'names') + '/'), Buffer.from('link\xff', 'latin1')]));
      const logical = `/nix/store/${base}`;
      const dir = path.join(work, 'unpack-bytes');
      fs.mkdirSync(dir);
      await buildImage({ roots: [logical], graph: new Map([[logical, []]]), physicalStore, out: path.join(dir, 'image.tar.gz') });
      await shAsync(`cd '${dir}' && gunzip -c image.tar.gz > image.tar && mkdir layout && tar -xf image.tar -C layout && umoci unpack --image layout:latest bundle 2>&1`);
      const unpacked = path.join(dir, 'bundle', 'rootfs', 'nix', 'store', base, 'names');
      const got = fs.readdirSync(unpacked, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort();
      expect(got).toEqual([...names, Buffer.from('link\xff', 'latin1')].map((b) => b.toString('hex')).sort());
      const link = Buffer.concat([Buffer.from(unpacked + '/'), Buffer.from('link\xff', 'latin1')]);
      expect(fs.readlinkSync(link, { encoding: 'buffer' }).toString('hex')).toBe(Buffer.from('caf\xe9', 'latin1').toString('hex'));
      // The customisation layer's symlinks at the image root keep the bytes too.
      const top = Buffer.concat([Buffer.from(path.join(dir, 'bundle', 'rootfs', 'names') + '/'), Buffer.from('caf\xe9', 'latin1')]);
      expect(fs.readlinkSync(top, { encoding: 'buffer' }).toString('latin1')).toBe(`${logical}/names/caf\xe9`);
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'layout', 'manifest.json'), 'utf8'));
      await podman.podmanAsync(`load -q -i '${dir}/image.tar' >/dev/null`);
      // No shell in this image: podman's own copy-out reads the file system as loaded.
      const id = path.basename(manifest[0].Config);
      const ctr = (await podman.podmanAsync(`create ${id} /none`)).trim();
      await podman.podmanAsync(`cp ${ctr}:/nix/store/${base}/names '${dir}/copied'`);
      await podman.podmanAsync(`rm ${ctr} >/dev/null`);
      expect(fs.readdirSync(path.join(dir, 'copied'), { encoding: 'buffer' }).map((b) => b.toString('hex')).sort()).toEqual(got);
      checkNoEscape();
      await podman.podmanAsync(`rmi -f ${id} >/dev/null 2>&1 || true`);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(physicalStore, { recursive: true, force: true });
    },
    240_000,
  );

  attempt(
    'image',
    'non-UTF-8 file names through the CLI: built with the bytes kept, or refused with a clean error',
    async () => {
      const r = await build('bytes');
      if (r.code !== 0) {
        expect(r.stderr).toMatch(/^error: /m);
        expect(r.stderr).not.toMatch(/\n\s+at .*\.(c?js|ts):\d+/);
      } else {
        const u = await umociUnpack(r, 'bytes-cli');
        const store = path.join(u.rootfs, 'nix', 'store');
        const dir = path.join(store, fs.readdirSync(store).find((n) => n.endsWith('-bytes'))!, 'names');
        expect(fs.readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort()).toEqual(
          [Buffer.from('bad\xff\xfebytes', 'latin1'), Buffer.from('caf\xe9', 'latin1')].map((b) => b.toString('hex')).sort(),
        );
        fs.rmSync(path.dirname(u.rootfs), { recursive: true, force: true });
      }
      checkNoEscape();
    },
    240_000,
  );

  attempt(
    'image',
    'a 1 GiB sparse file: the store keeps it sparse, the archive and layer cache stay small, the layer holds all 1 GiB',
    async () => {
      const t0 = Date.now();
      const r = await build('sparse');
      expect(r.stderr).not.toMatch(/^error/m);
      expect(r.code).toBe(0);
      const archive = path.join(storeRoot, path.basename(r.stdout.trim()));
      expect(fs.statSync(archive).size).toBeLessThan(4 * 2 ** 20);
      const storePath = fs.readdirSync(storeRoot).find((n) => n.endsWith('-sparse'))!;
      const st = fs.statSync(path.join(storeRoot, storePath, 'data', 'sparse'));
      expect(st.size).toBe(2 ** 30 + 4);
      expect(st.blocks * 512).toBeLessThan(16 * 2 ** 20);
      // The layer cache holds compressed pieces only.
      expect(Number(sh(`du -sk '${storeRoot}/.m/image-layer-cache'`).split('\t')[0])).toBeLessThan(64 * 1024);
      expect(Date.now() - t0).toBeLessThan(150_000);
      // The layer, streamed (never written out): the whole file with its last bytes.
      const manifest = JSON.parse(await shAsync(`tar -xzOf '${archive}' manifest.json`));
      const layer = manifest[0].Layers[0];
      const member = `nix/store/${storePath}/data/sparse`;
      const listing = await shAsync(`gunzip -c '${archive}' | tar -xOf - '${layer}' | tar -tvf - '${member}'`);
      expect(listing).toMatch(new RegExp(` ${2 ** 30 + 4} .* ${member}\n$`));
      expect(await shAsync(`gunzip -c '${archive}' | tar -xOf - '${layer}' | tar -xOf - '${member}' | tail -c 4`)).toBe('end\n');
      checkNoEscape();
    },
    240_000,
  );

  attempt(
    'image',
    'a 64 MiB sparse file: umoci unpacks and podman runs it whole',
    async () => {
      const u = await umociUnpack(await build('sparse-small'), 'sparse-small');
      const store = path.join(u.rootfs, 'nix', 'store');
      const file = path.join(store, fs.readdirSync(store).find((n) => n.endsWith('-sparse-small'))!, 'data', 'sparse');
      expect(fs.statSync(file).size).toBe(64 * 2 ** 20 + 4);
      const fd = fs.openSync(file, 'r');
      const tail = Buffer.alloc(4);
      fs.readSync(fd, tail, 0, 4, 64 * 2 ** 20);
      fs.closeSync(fd);
      expect(tail.toString()).toBe('end\n');
      await podmanLoad(u);
      fs.rmSync(path.dirname(u.rootfs), { recursive: true, force: true });
      expect(await run(u, 'stat -L -c %s /data/sparse; tail -c 4 /data/sparse')).toBe(`${64 * 2 ** 20 + 4}\nend\n`);
      await podman.podmanAsync(`rmi -f ${u.imageId} >/dev/null 2>&1 || true`);
      checkNoEscape();
    },
    240_000,
  );

  attempt('image', 'a layer shadowing a store path of the closure through /nix/store is refused', async () => {
    const r = await build('shadow');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: makeContainerImage: layer '\/nix\/store\/[a-z0-9]{32}-shadow' provides '\/nix\/store', which would replace the store directory or shadow store paths/m);
    checkNoEscape();
  });

  attempt('image', 'an Env entry without = is refused before anything is written, naming the field and the output', async () => {
    const r = await build('bad-env');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: makeContainerImage: config\.Env\[0\] must be KEY=VALUE with a non-empty KEY, got "NO_EQUALS_SIGN" \(in output '\/bad-env'\)/m);
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(storeRoot).filter((n) => n.endsWith('container-image.tar.gz') && n.includes('bad-env'))).toEqual([]);
    checkNoEscape();
  });
});
