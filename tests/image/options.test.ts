/**
 * makeContainerImage's dockerTools / nix2container options end to end, in one project and one
 * fresh store: `/base` (name, tag, created = "now", architecture, zstd) is the `fromImage` of `/app`
 * (explicit layer, Entrypoint naming a store path that is in no layer, extraCommands,
 * fakeRootCommands, perms, two makeScripts colliding on /makes-action.sh, maxLayers), which is in
 * turn the input of `/uses`. `/app` is first streamed (`--stream`, nothing stored), then built as
 * an input. The results are inspected with skopeo, umoci, tar and podman (non-root User writing
 * the 1777 /tmp). `m build` of a plain Nix file builds two chained image derivations directly, in
 * two stores (same bytes). `/app` is also streamed straight into `podman load`; `/strict`
 * (ignoreCollisions = false) and `/toofew`, `/toomany` (maxLayers 1, 126) fail clearly. Long
 * podman/skopeo/umoci/tar pipelines run asynchronously (shAsync), so the test worker never blocks.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, hasJsStackTrace, mIsBuilt, runCommand, type RunResult } from '../lib/run';
import { checkDigestsOf, parseTranscript, privatePodman, removeAsync, runMakes, sh, shAsync, sha256File, unpackArchive, type UnpackedImage } from './helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-image-options-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const storeRoot2 = path.join(work, 'other', 'second-store');
const pm = privatePodman(path.join(work, 'podman'));
const started = Date.now();

const files: Record<string, string> = {
  'makes/base/main.nix': `{ inputs, makeContainerImage, ... }:
makeContainerImage {
  name = "localhost/m-test/base";
  tag = "v1";
  created = "now";
  architecture = "arm64";
  compression = "zstd";
  layers = [ inputs.nixpkgs.bash inputs.nixpkgs.coreutils ];
  config = {
    Env = [ "BASE_VAR=from-base" "SHARED=from-base" ];
    Labels = { "org.example.base" = "yes"; };
  };
}
`,
  'makes/app/main.nix': `{ inputs, outputs, makeContainerImage, makeDerivation, makeScript, ... }:
let
  app = makeDerivation {
    name = "hello-app";
    builder = ''
      mkdir -p $out/bin
      printf '#!%s\\necho "hello from app as $(id -u)"\\n' "\${inputs.nixpkgs.bash}/bin/bash" > $out/bin/hello-app
      chmod +x $out/bin/hello-app
    '';
  };
  data = makeDerivation {
    name = "data-layer";
    builder = ''
      mkdir -p $out/data
      echo secret > $out/data/file
    '';
  };
in
makeContainerImage {
  name = "m-test/app";
  tag = "2.0";
  created = "2024-01-02T03:04:05Z";
  fromImage = outputs."/base";
  maxLayers = 16;
  layers = [
    data
    (makeScript { name = "one"; entrypoint = "echo one"; })
    (makeScript { name = "two"; entrypoint = "echo two"; })
    { deps = [ app ]; }
  ];
  config = {
    Entrypoint = [ "\${app}/bin/hello-app" ];
    Env = [ "SHARED=from-app" "APP_VAR=1" ];
    User = "1000:1000";
  };
  extraCommands = ''
    mkdir -m 1777 tmp
    echo extra > extra-file
    chmod 0640 extra-file
  '';
  fakeRootCommands = ''
    mkdir -p home/app
    chown 1000:1000 home/app
    chmod 0700 home/app
  '';
  perms = [
    { path = data; regex = "/data$"; mode = "0750"; uid = 1000; gid = 1000; uname = "app"; gname = "app"; }
    { path = data; regex = "/data/file$"; mode = "0640"; uid = 1000; gid = 1000; }
  ];
}
`,
  'makes/uses/main.nix': `{ outputs, makeDerivation, ... }:
makeDerivation { name = "uses-image"; builder = ''mkdir $out; cp \${outputs."/app"} $out/app.tar.gz''; }
`,
  'makes/nostore/main.nix': `{ inputs, makeContainerImage, ... }:
makeContainerImage { includeStorePaths = false; compression = "none"; layers = [ inputs.nixpkgs.coreutils ]; }
`,
  'makes/toomany/main.nix': `{ makeContainerImage, ... }: makeContainerImage { maxLayers = 126; }
`,
  'makes/toofew/main.nix': `{ makeContainerImage, ... }: makeContainerImage { maxLayers = 1; }
`,
  // Colliding top-level files with the strict option: an error naming both store paths.
  'makes/strict/main.nix': `{ makeContainerImage, makeScript, ... }:
makeContainerImage {
  ignoreCollisions = false;
  layers = [
    (makeScript { name = "one"; entrypoint = "echo one"; })
    (makeScript { name = "two"; entrypoint = "echo two"; })
  ];
}
`,
  // Two image derivations written by hand, the second using the first as fromImage: `m build`.
  'plain.nix': `let
  layer = builtins.path { name = "plain-root"; path = ./plain-root; };
  image = name: options: derivation {
    inherit name;
    system = "x86_64-linux";
    builder = "builtin:m-container-image";
    layers = [ layer ];
    maxLayers = "8";
    config = builtins.toJSON { Cmd = [ "/hello" ]; };
    imageOptions = builtins.toJSON options;
  };
in image "top.tar.gz" { name = "plain/top"; fromImage = image "bottom.tar.gz" { name = "plain/bottom"; }; }
`,
  'plain-root/hello': 'hello\n',
};

let streamRun: RunResult;
let streamFile: string;
let storeAfterStream: string[] = [];
let usesRun: RunResult;
let appArchive: string;
let app: UnpackedImage;
let base: UnpackedImage;
let nostoreRun: RunResult;
let toomanyRun: RunResult;
let toofewRun: RunResult;
let strictRun: RunResult;
let plainRun: RunResult;
let plainRun2: RunResult;

const m = (args: string[]): Promise<RunResult> => runMakes(args, { cwd: project, storeRoot });
const physical = (logical: string): string => path.join(storeRoot, path.basename(logical));
const imageFiles = (): string[] => fs.readdirSync(storeRoot).filter((n) => /\.tar(\.gz|\.zst)?$/.test(n));

beforeAll(async () => {
  if (!mIsBuilt()) return;
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  execFileSync('git', ['init', '-q', project]);
  // In a git work tree m sees only tracked files, as makes.
  execFileSync('git', ['-C', project, 'add', '-A']);
  // Streamed first: /base is built and stored as an input, /app's archive only goes to stdout.
  streamFile = path.join(work, 'streamed.tar.gz');
  streamRun = await runCommand('sh', ['-c', `'${M_BIN}' . --stream /app > '${streamFile}'`], {
    cwd: project,
    env: { M_STORE: storeRoot },
    timeoutMs: 240_000,
  });
  storeAfterStream = imageFiles();
  usesRun = await m(['.', '/uses']);
  nostoreRun = await m(['.', '/nostore']);
  toomanyRun = await m(['.', '/toomany']);
  toofewRun = await m(['.', '/toofew']);
  strictRun = await m(['.', '/strict']);
  plainRun = await runCommand(M_BIN, ['build', '--no-out-link', 'plain.nix'], { cwd: project, env: { M_STORE: storeRoot }, timeoutMs: 120_000 });
  plainRun2 = await runCommand(M_BIN, ['build', '--no-out-link', 'plain.nix'], { cwd: project, env: { M_STORE: storeRoot2 }, timeoutMs: 120_000 });
  const appFile = imageFiles().find((n) => n.endsWith('-app.tar.gz'));
  const baseFile = imageFiles().find((n) => n.endsWith('-base.tar.zst'));
  if (appFile === undefined || baseFile === undefined) return;
  appArchive = path.join(storeRoot, appFile);
  await shAsync(`gunzip -c '${appArchive}' > '${work}/app.tar'`);
  await shAsync(`zstd -q -dc '${path.join(storeRoot, baseFile)}' > '${work}/base.tar'`);
  app = await unpackArchive(`${work}/app.tar`, path.join(work, 'app'));
  base = await unpackArchive(`${work}/base.tar`, path.join(work, 'base'));
}, 600_000);

afterAll(async () => {
  try {
    await pm.cleanupAsync();
  } finally {
    await removeAsync(work);
  }
}, 300_000);

const podmanFlags = 'run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024';
const inApp = (user: string, script: string): Promise<string> =>
  pm.podmanAsync(`${podmanFlags} --user ${user} --entrypoint /bin/bash m-test/app:2.0 -c '${script.replace(/'/g, `'\\''`)}'`);

describe.skipIf(!mIsBuilt())('makeContainerImage options', () => {
  it('--stream writes the archive to stdout without storing it; the build that follows gives the same bytes', () => {
    expect(streamRun.stderr).not.toMatch(/^error/m);
    expect(hasJsStackTrace(streamRun.stderr)).toBe(false);
    expect(streamRun.code).toBe(0);
    expect(storeAfterStream.filter((n) => n.endsWith('-app.tar.gz'))).toEqual([]);
    expect(storeAfterStream.filter((n) => n.endsWith('-base.tar.zst'))).toHaveLength(1);
    expect(usesRun.code).toBe(0);
    expect(sha256File(streamFile)).toBe(sha256File(appArchive));
  });

  it('an image is an ordinary derivation: the input of another image and of a derivation, built in one run on a fresh store', () => {
    expect(usesRun.stderr).not.toMatch(/^error/m);
    expect(usesRun.stderr).toMatch(/building app\.tar\.gz/);
    const uses = usesRun.stdout.trim();
    expect(sha256File(path.join(physical(uses), 'app.tar.gz'))).toBe(sha256File(appArchive));
  });

  it('m build builds an image derivation and the image it uses as fromImage', async () => {
    expect(plainRun.stderr).not.toMatch(/^error/m);
    expect(plainRun.code).toBe(0);
    const top = plainRun.stdout.trim();
    expect(top).toMatch(/-top\.tar\.gz$/);
    const tar = path.join(work, 'top.tar');
    await shAsync(`gunzip -c '${physical(top)}' > '${tar}'`);
    const img = await unpackArchive(tar, path.join(work, 'top'));
    checkDigestsOf(img, 'plain/top:latest');
    // bottom's store layer and customisation layer, then top's.
    expect(img.manifest.layers).toHaveLength(4);
    expect(img.manifest.layers[0]!.digest).toBe(img.manifest.layers[2]!.digest);
    // Another store (another physical path, its own layer cache) builds the same bytes.
    expect(plainRun2.code, plainRun2.stderr).toBe(0);
    expect(plainRun2.stdout).toBe(plainRun.stdout);
    expect(sha256File(path.join(storeRoot2, path.basename(top)))).toBe(sha256File(physical(top)));
  });

  it('name, tag, created, architecture and zstd compression of the base image', async () => {
    checkDigestsOf(base, 'localhost/m-test/base:v1');
    expect(base.config.architecture).toBe('arm64');
    const created = Date.parse(base.config.created as string);
    expect(created).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(created).toBeLessThanOrEqual(Date.now());
    const d = JSON.parse(await shAsync(`skopeo inspect docker-archive:'${work}/base.tar'`));
    expect(d.Architecture).toBe('arm64');
    expect(d.Created).toBe(base.config.created);
  });

  it('fromImage: base layers reused unchanged, base config merged (Env by variable, Labels kept); explicit created', async () => {
    checkDigestsOf(app, 'm-test/app:2.0');
    const baseLayers = base.manifest.layers.map((l) => l.digest);
    expect(app.manifest.layers.slice(0, baseLayers.length).map((l) => l.digest)).toEqual(baseLayers);
    const o = JSON.parse(await shAsync(`skopeo inspect oci-archive:'${work}/app.tar'`));
    expect(o.Env).toEqual(['BASE_VAR=from-base', 'SHARED=from-app', 'APP_VAR=1']);
    expect(o.Labels).toEqual({ 'org.example.base': 'yes' });
    expect(o.Created).toBe('2024-01-02T03:04:05Z');
    expect(o.Architecture).toBe('amd64');
    expect(app.config.history).toHaveLength(app.manifest.layers.length);
  });

  it('explicit layer, config store paths in the closure, maxLayers, first-wins collision with a warning', () => {
    const t = parseTranscript(usesRun.stderr);
    const baseCount = base.manifest.layers.length;
    // The explicit layer comes right after the base layers and holds the closure of the app.
    const explicit = t.storeLayers[0]!;
    expect(explicit.n).toBe(baseCount + 1);
    expect(explicit.paths.some((p) => p.endsWith('-hello-app'))).toBe(true);
    expect(explicit.paths.some((p) => /-bash-[^/]*$/.test(p))).toBe(true);
    expect(app.manifest.layers.length).toBeLessThanOrEqual(16);
    expect(t.customisation).toBe(app.manifest.layers.length);
    const one = t.storeLayers.flatMap((l) => l.paths).find((p) => p.endsWith('-one'))!;
    expect(usesRun.stderr).toMatch(
      new RegExp(`^warning: makeContainerImage: '/makes-action\\.sh' is provided by both '${one}' and '/nix/store/[a-z0-9]{32}-two'; the image keeps the one of '${one}'$`, 'm'),
    );
  });

  it('perms, extraCommands and fakeRootCommands are recorded in the tar (modes, owners, names)', () => {
    const blob = (d: string): string => path.join(app.dir, 'blobs/sha256', d.slice(7));
    const cust = sh(`tar --numeric-owner -tvf '${blob(app.manifest.layers.at(-1)!.digest)}'`);
    expect(cust).toMatch(/^drwxrwxrwt 0\/0 +0 1970-01-01 00:00 tmp\/$/m);
    expect(cust).toMatch(/^drwx------ 1000\/1000 +0 1970-01-01 00:00 home\/app\/$/m);
    expect(cust).toMatch(/^drwxr-x--- 1000\/1000 +0 1970-01-01 00:00 data\/$/m);
    expect(cust).toMatch(/^-rw-r----- 0\/0 +6 1970-01-01 00:00 extra-file$/m);
    expect(sh(`tar -tvf '${blob(app.manifest.layers.at(-1)!.digest)}' data`)).toMatch(/^drwxr-x--- app\/app /m);
    const dataLayer = app.manifest.layers.find((l) => sh(`tar -tf '${blob(l.digest)}'`).includes('-data-layer/data/file'))!;
    expect(sh(`tar --numeric-owner -tvf '${blob(dataLayer.digest)}'`)).toMatch(/^-rw-r----- 1000\/1000 +7 .* nix\/store\/[a-z0-9]{32}-data-layer\/data\/file$/m);
  });

  it('umoci unpacks the merged root with those modes and owners', async () => {
    const bundle = path.join(work, 'bundle');
    await shAsync(`umoci unpack --image '${app.dir}:2.0' '${bundle}'`);
    const rootfs = path.join(bundle, 'rootfs');
    const st = (p: string): fs.Stats => fs.lstatSync(path.join(rootfs, p));
    expect(st('tmp').mode & 0o7777).toBe(0o1777);
    expect([st('home/app').uid, st('home/app').mode & 0o7777]).toEqual([1000, 0o700]);
    expect(fs.readFileSync(path.join(rootfs, 'extra-file'), 'utf8')).toBe('extra\n');
    expect(fs.readlinkSync(path.join(rootfs, 'makes-action.sh'))).toMatch(/-one\/makes-action\.sh$/);
  }, 60_000);

  it('podman runs the Entrypoint as User 1000; a non-root user writes /tmp (1777) and its fake-root home', async () => {
    expect(await pm.podmanAsync(`load -i '${work}/app.tar'`)).toMatch(/Loaded image: localhost\/m-test\/app:2\.0/);
    expect(await pm.podmanAsync(`${podmanFlags} m-test/app:2.0`)).toBe('hello from app as 1000\n');
    expect(await inApp('1000:1000', 'touch /tmp/x && touch /home/app/y && cat /data/file && stat -c "%a %u" /tmp /home/app')).toBe('secret\n1777 0\n700 1000\n');
    expect(await inApp('2000:2000', 'touch /tmp/z && echo tmp-ok; touch /home/app/z 2>/dev/null || echo home-denied')).toBe('tmp-ok\nhome-denied\n');
  }, 120_000);

  it('includeStorePaths = false keeps only the customisation layer; compression = "none" writes a plain tar', async () => {
    expect(nostoreRun.code).toBe(0);
    const out = nostoreRun.stdout.trim();
    expect(out).toMatch(/-container-image\.tar$/);
    const img = await unpackArchive(physical(out), path.join(work, 'nostore'));
    checkDigestsOf(img, 'container-image:latest');
    expect(img.manifest.layers).toHaveLength(1);
    expect(sh(`tar -tf '${path.join(img.dir, 'blobs/sha256', img.manifest.layers[0]!.digest.slice(7))}'`)).not.toMatch(/nix\/store\/./);
    const d = JSON.parse(await shAsync(`skopeo inspect docker-archive:'${physical(out)}'`));
    expect(d.Layers).toEqual(img.manifest.layers.map((l) => l.digest));
  });

  it('ignoreCollisions = false: colliding root files fail the build, naming both store paths', () => {
    expect(strictRun.code).not.toBe(0);
    expect(strictRun.stderr).toMatch(/'\/makes-action\.sh' is provided by both '\/nix\/store\/[a-z0-9]{32}-one' and '\/nix\/store\/[a-z0-9]{32}-two'/);
    expect(hasJsStackTrace(strictRun.stderr)).toBe(false);
    expect(imageFiles().filter((n) => n.endsWith('-container-image.tar.gz'))).toEqual([]);
  });

  it('m . --stream /app | podman load: the streamed archive loads as the image built in the store', async () => {
    await pm.podmanAsync('rmi -f m-test/app:2.0');
    const r = await runCommand('bash', ['-c', `set -o pipefail; '${M_BIN}' . --stream /app | ${pm.base} load`], {
      cwd: project,
      env: { M_STORE: storeRoot },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Loaded image: localhost\/m-test\/app:2\.0/);
    expect((await pm.podmanAsync(`inspect --format '{{.Id}}' m-test/app:2.0`)).trim()).toBe(app.manifest.config.digest.slice(7));
  }, 240_000);

  it('maxLayers above 125 or below 2 is an evaluation error', () => {
    expect(toomanyRun.code).toBe(1);
    expect(toomanyRun.stderr).toMatch(/^error: makeContainerImage: maxLayers must be an integer from 2 to 125, got 126$/m);
    expect(hasJsStackTrace(toomanyRun.stderr)).toBe(false);
    expect(toofewRun.code).toBe(1);
    expect(toofewRun.stderr).toMatch(/^error: makeContainerImage: maxLayers must be an integer from 2 to 125, got 1$/m);
    expect(hasJsStackTrace(toofewRun.stderr)).toBe(false);
  });
});
