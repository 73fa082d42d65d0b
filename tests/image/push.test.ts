/**
 * Issue 11 item 3: `m image push` and makes' `deployContainer` against real registries: Debian's
 * docker-registry (distribution 2.8) started here on 127.0.0.1, one open and one behind basic auth
 * (an htpasswd file with a bcrypt hash from apache2-utils' htpasswd). The pushed image is read
 * back with skopeo and pulled and run with podman. Pushing again uploads no blob, by m's report
 * and by the registry's access log; wrong or missing credentials fail with a clear message,
 * exit 1 and nothing tagged. A third registry uses token auth (Bearer challenge): its token
 * service is a small server here issuing RS256 JWTs signed with a key whose self-signed
 * certificate (openssl) is the registry's rootcertbundle and, self-signed, its TLS certificate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M_BIN, hasJsStackTrace, runCommand, type RunResult } from '../lib/run';
import { physicalOf, privatePodman, removeAsync, runMakes, sh, shAsync } from './helpers';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-image-push-'));
const project = path.join(work, 'project');
const storeRoot = path.join(work, 'store');
const pm = privatePodman(path.join(work, 'podman'));
const started = Date.now();

interface Registry {
  port: number;
  host: string;
  log: string;
  proc: ChildProcess;
}
const registries: Registry[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts docker-registry with a fresh config and storage under `work`; basic auth when `htpasswd` is given. */
/** GET /v2/ over http, or over https accepting any certificate; the status, 0 when nothing answers. */
function probe(port: number, tls: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = (tls ? https : http).get({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

async function startRegistry(name: string, htpasswd?: string, tokenAuth?: string, tls?: { cert: string; key: string }): Promise<Registry> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const auth = tokenAuth ?? (htpasswd === undefined ? '' : `auth:\n  htpasswd:\n    realm: m-test\n    path: ${htpasswd}\n`);
  fs.writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${dir}/data
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: m-test-secret
${tls ? `  tls:\n    certificate: ${tls.cert}\n    key: ${tls.key}\n` : ''}${auth}`,
  );
  const log = path.join(dir, 'registry.log');
  const fd = fs.openSync(log, 'w');
  const proc = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const r: Registry = { port, host: `127.0.0.1:${port}`, log, proc };
  registries.push(r);
  for (let i = 0; ; i++) {
    const status = await probe(port, tls !== undefined);
    if (status === 200 || status === 401) return r;
    if (i > 200 || proc.exitCode !== null) throw new Error(`docker-registry did not start:\n${fs.readFileSync(log, 'utf8')}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Blob upload requests (POST/PATCH/PUT on …/blobs/uploads/) in a registry's access log so far. */
const uploadRequests = (r: Registry): number =>
  fs.readFileSync(r.log, 'utf8').split('\n').filter((l) => /"(POST|PATCH|PUT) \/v2\/[^ ]*\/blobs\/uploads\//.test(l)).length;

const m = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
  runCommand(M_BIN, args, { cwd: project, env: { M_STORE: storeRoot, ...env }, timeoutMs: 120_000 });

const files: Record<string, string> = {
  'makes/image/main.nix': `{ inputs, makeContainerImage, makeDerivation, ... }:
makeContainerImage {
  name = "m-test/pushed";
  tag = "v1";
  layers = [
    (makeDerivation {
      name = "greeting";
      builder = ''
        mkdir -p $out/etc
        echo "hello from the registry" > $out/etc/greeting
      '';
    })
    # A layer of 12 MiB, more than the 8 MiB m queues for an upload before it waits.
    (makeDerivation {
      name = "bulk";
      builder = ''
        mkdir -p $out/srv
        { yes 0123456789abcdef || true; } | head -c 12582912 > $out/srv/bulk
      '';
    })
  ];
  config.Cmd = [ "\${inputs.nixpkgs.busybox-static}/bin/busybox" "cat" "/etc/greeting" ];
}
`,
  // zstd: the push reads the archive through zstd -d.
  'makes/image-arm/main.nix': `{ makeContainerImage, ... }:
makeContainerImage {
  name = "m-test/pushed-arm";
  architecture = "arm64";
  compression = "zstd";
  config.Cmd = [ "/bin/true" ];
}
`,
};

let image: string; // logical store path of the archive
let armImage: string;
let manifestDigest: string; // the archive's own manifest digest (index.json)
let layerDigests: string[];
let open: Registry;
let secured: Registry;

beforeAll(async () => {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    fs.writeFileSync(path.join(project, rel), text);
  }
  const htpasswd = path.join(work, 'htpasswd');
  sh(`htpasswd -Bbn pusher 's3cret pass' > '${htpasswd}'`);
  const [built, arm, o, s] = await Promise.all([
    runMakes(['.', '/image'], { cwd: project, storeRoot }),
    runMakes(['.', '/image-arm'], { cwd: project, storeRoot }),
    startRegistry('open'),
    startRegistry('secured', htpasswd),
  ]);
  open = o;
  secured = s;
  expect(built.code, built.stderr).toBe(0);
  image = built.stdout.trim().split('\n').pop()!;
  expect(arm.code, arm.stderr).toBe(0);
  armImage = arm.stdout.trim().split('\n').pop()!;
  const archive = physicalOf(storeRoot, image);
  const index = JSON.parse(sh(`tar -xzOf '${archive}' index.json`));
  manifestDigest = index.manifests[0].digest;
  const manifest = JSON.parse(sh(`tar -xzOf '${archive}' blobs/sha256/${manifestDigest.slice(7)}`));
  layerDigests = manifest.layers.map((l: { digest: string }) => l.digest);
  fs.writeFileSync(
    path.join(project, 'makes.nix'),
    `{ outputs, ... }: {
  deployContainer.app = {
    credentials = { token = "PUSH_TOKEN"; user = "PUSH_USER"; };
    image = "${secured.host}/team/app:v1";
    src = outputs."/image";
  };
  deployContainerManifest.multi = {
    credentials.token = "PUSH_TOKEN";
    image = "${open.host}/m-test/multi:latest";
    manifests = [
      { image = "${open.host}/m-test/pushed:v1"; platform = { architecture = "amd64"; os = "linux"; }; }
      { image = "${open.host}/m-test/pushed-arm:v1"; platform = { architecture = "arm64"; os = "linux"; }; }
    ];
    tags = [ "1.0" ];
  };
}
`,
  );
}, 240_000);

let tokenServer: http.Server | undefined;

afterAll(async () => {
  tokenServer?.close();
  for (const r of registries) r.proc.kill('SIGTERM');
  await pm.cleanupAsync();
  await removeAsync(work);
  // eslint-disable-next-line no-console
  console.log(`push.test.ts: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 300_000);

describe('m image push to an open registry', () => {
  it('pushes from the store, prints the archive\'s manifest digest, and skopeo reads it back', async () => {
    const r = await m(['image', 'push', image, `docker://${open.host}/m-test/pushed:v1`, '--tls-verify=false']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${manifestDigest}\n`);
    expect(r.stderr).toMatch(new RegExp(`wrote manifest ${manifestDigest} as ${open.host}/m-test/pushed:v1 \\(\\d+ blobs uploaded, 0 already present\\)`));
    expect(uploadRequests(open)).toBeGreaterThan(0);
    const info = JSON.parse(await shAsync(`skopeo inspect --tls-verify=false docker://${open.host}/m-test/pushed:v1`));
    expect(info.Digest).toBe(manifestDigest);
    expect(info.Layers).toEqual(layerDigests);
    expect(info.Architecture).toBe('amd64');
  });

  it('a second push uploads no blob (HEAD finds them all), by m\'s report and the registry log', async () => {
    const before = uploadRequests(open);
    const r = await m(['image', 'push', image, `docker://${open.host}/m-test/pushed:v1`, '--tls-verify=false']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${manifestDigest}\n`);
    expect(r.stderr).not.toMatch(/uploading blob/);
    expect(r.stderr).toMatch(/\(0 blobs uploaded, \d+ already present\)/);
    expect(uploadRequests(open)).toBe(before);
  });

  it('tags: another tag of the same image is one manifest PUT', async () => {
    const before = uploadRequests(open);
    const r = await m(['image', 'push', './store-link', `${open.host}/m-test/pushed:latest`], { M_REGISTRY_TLS_VERIFY: 'false' });
    // ./store-link does not exist: a clear error, no trace.
    expect(r.code).toBe(1);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
    // The out-link `m . /image` left (.m/out-image) names the image as well as its store path.
    expect(fs.realpathSync(path.join(project, '.m/out-image'))).toBe(fs.realpathSync(physicalOf(storeRoot, image)));
    const t = await m(['image', 'push', '.m/out-image', `${open.host}/m-test/pushed:latest`], { M_REGISTRY_TLS_VERIFY: 'false' });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toBe(`${manifestDigest}\n`);
    expect(uploadRequests(open)).toBe(before);
    const tags = JSON.parse(await shAsync(`skopeo list-tags --tls-verify=false docker://${open.host}/m-test/pushed`));
    expect(tags.Tags.sort()).toEqual(['latest', 'v1']);
  });

  it('podman pulls it from the registry and runs it', async () => {
    await pm.podmanAsync(`pull -q --tls-verify=false ${open.host}/m-test/pushed:v1`);
    expect(await pm.runAsync(`${open.host}/m-test/pushed:v1`, '')).toBe('hello from the registry\n');
  }, 120_000);

  it('bad references and sources are refused clearly', async () => {
    const bad = await m(['image', 'push', image, 'docker://127.0.0.1:1/Upper/Case:v1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a valid repository name/);
    const transport = await m(['image', 'push', image, 'oci:somewhere']);
    expect(transport.code).toBe(1);
    expect(transport.stderr).toMatch(/only the docker:\/\/ transport is supported/);
    const tls = await m(['image', 'push', image, `docker://${open.host}/m-test/x:v1`]);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toMatch(/does not speak TLS: use --tls-verify=false/);
    for (const r of [bad, transport, tls]) expect(hasJsStackTrace(r.stderr)).toBe(false);
  });
});

describe('deployContainerManifest', () => {
  it('writes a two-platform index of pushed images (blobs mounted across repositories) under its tags; podman runs the amd64 one', async () => {
    const arm = await m(['image', 'push', armImage, `docker://${open.host}/m-test/pushed-arm:v1`, '--tls-verify=false']);
    expect(arm.code, arm.stderr).toBe(0);
    const armDigest = arm.stdout.trim();
    const contentUploads = (): number =>
      fs.readFileSync(open.log, 'utf8').split('\n').filter((l) => /"(PATCH|PUT) \/v2\/[^ ]*\/blobs\/uploads\//.test(l)).length;
    const before = contentUploads();
    const r = await m(['.', '/deployContainerManifest/multi'], { PUSH_TOKEN: 'unused', M_REGISTRY_TLS_VERIFY: 'false' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mounted blob sha256:/);
    expect(r.stderr).toContain(`as ${open.host}/m-test/multi:latest, ${open.host}/m-test/multi:1.0`);
    const indexDigest = r.stdout.trim().split('\n').pop()!;
    // Mounts are POSTs with ?mount=: no blob content is uploaded again.
    expect(contentUploads()).toBe(before);
    expect(fs.readFileSync(open.log, 'utf8')).toMatch(/"POST \/v2\/m-test\/multi\/blobs\/uploads\/\?mount=sha256/);
    for (const tag of ['latest', '1.0']) {
      const raw = JSON.parse(await shAsync(`skopeo inspect --raw --tls-verify=false docker://${open.host}/m-test/multi:${tag}`));
      expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(raw.manifests.map((d: { digest: string; platform: { architecture: string } }) => [d.digest, d.platform.architecture])).toEqual([
        [manifestDigest, 'amd64'],
        [armDigest, 'arm64'],
      ]);
    }
    const list = JSON.parse(await shAsync(`skopeo inspect --tls-verify=false docker://${open.host}/m-test/multi:1.0`));
    expect(list.Digest).toBe(indexDigest);
    expect(list.Layers).toEqual(layerDigests);
    await pm.podmanAsync(`pull -q --tls-verify=false ${open.host}/m-test/multi:1.0`);
    expect(await pm.runAsync(`${open.host}/m-test/multi:1.0`, '')).toBe('hello from the registry\n');
  }, 120_000);
});

describe('deployContainer and basic auth', () => {
  const secureRef = (): string => `docker://${secured.host}/team/app:v1`;

  it('no credentials, or wrong ones: a clear error, exit 1, nothing uploaded or tagged', async () => {
    const [none, wrong] = await Promise.all([
      m(['image', 'push', image, secureRef(), '--tls-verify=false']),
      m(['image', 'push', '--creds', 'pusher:wrong', image, secureRef(), '--tls-verify=false']),
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/requires a user name and password/);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`error: registry ${secured.host} refused the credentials of user 'pusher' \\(HTTP 401\\)`));
    const script = await m(['.', '/deployContainer/app'], { PUSH_USER: 'pusher', PUSH_TOKEN: 'nope', M_REGISTRY_TLS_VERIFY: 'false' });
    expect(script.code).toBe(1);
    expect(script.stderr).toMatch(/refused the credentials/);
    const missing = await m(['.', '/deployContainer/app'], { PUSH_USER: 'pusher', M_REGISTRY_TLS_VERIFY: 'false' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Env var is required but is empty or not present: PUSH_TOKEN/);
    for (const r of [none, wrong, script, missing]) expect(hasJsStackTrace(r.stderr)).toBe(false);
    expect(uploadRequests(secured)).toBe(0);
    const tags = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--creds', 'pusher:s3cret pass', secureRef()]);
    expect(tags.code).not.toBe(0);
  }, 120_000);

  it('/deployContainer/app pushes with the credentials named in makes.nix; again, it uploads nothing', async () => {
    const first = await m(['.', '/deployContainer/app'], { PUSH_USER: 'pusher', PUSH_TOKEN: 's3cret pass', M_REGISTRY_TLS_VERIFY: 'false' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${manifestDigest}\n`);
    expect(first.stderr).toContain(`[INFO] Syncing container image: ${secured.host}/team/app:v1`);
    const uploads = uploadRequests(secured);
    expect(uploads).toBeGreaterThan(0);
    const info = JSON.parse(await shAsync(`skopeo inspect --tls-verify=false --creds 'pusher:s3cret pass' ${secureRef()}`));
    expect(info.Digest).toBe(manifestDigest);
    expect(info.Layers).toEqual(layerDigests);
    const again = await m(['.', '/deployContainer/app'], { PUSH_USER: 'pusher', PUSH_TOKEN: 's3cret pass', M_REGISTRY_TLS_VERIFY: 'false' });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/\(0 blobs uploaded, \d+ already present\)/);
    expect(uploadRequests(secured)).toBe(uploads);
  }, 120_000);

  it('the secrets are not in the store: the script holds only the variable names', () => {
    const hits = sh(`grep -rl 's3cret' '${storeRoot}' 2>/dev/null || true`).trim();
    expect(hits).toBe('');
    expect(sh(`grep -rl 'PUSH_TOKEN' '${storeRoot}' --include='*' 2>/dev/null | head -1`).trim()).not.toBe('');
  });

  it('sign = true is refused (no cosign in Debian)', async () => {
    fs.writeFileSync(
      path.join(project, 'makes.nix'),
      `{ outputs, ... }: {
  deployContainer.signed = {
    credentials.token = "PUSH_TOKEN";
    image = "${secured.host}/team/app:signed";
    sign = true;
    src = outputs."/image";
  };
}
`,
    );
    const r = await m(['.', '/deployContainer/signed'], { PUSH_TOKEN: 'x' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sign = true needs cosign/);
    expect(hasJsStackTrace(r.stderr)).toBe(false);
  });
});

describe('token auth (Bearer challenge)', () => {
  it('over https (self-signed, --tls-verify=false), m gets a token from the realm with the credentials and pushes; a refused login fails with exit 1', async () => {
    const dir = path.join(work, 'token');
    fs.mkdirSync(dir, { recursive: true });
    sh(`openssl req -x509 -newkey rsa:2048 -nodes -keyout '${dir}/key.pem' -out '${dir}/cert.pem' -days 2 -subj /CN=m-test-token 2>/dev/null`);
    const key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    const der = new X509Certificate(fs.readFileSync(path.join(dir, 'cert.pem'))).raw.toString('base64');
    const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
    const scopesSeen: string[] = [];
    tokenServer = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (basic !== 'robot:t0ken-pass') {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      scopesSeen.push(...scopes);
      const access = scopes.map((sc) => {
        const [type, name, actions] = sc.split(':');
        return { type, name, actions: actions!.split(',') };
      });
      const now = Math.floor(Date.now() / 1000);
      const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }));
      const claims = b64url(JSON.stringify({ iss: 'm-test-issuer', sub: 'robot', aud: 'm-test-registry', exp: now + 600, nbf: now - 60, iat: now, jti: randomUUID(), access }));
      const sig = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${head}.${claims}.${b64url(sig)}` }));
    });
    await new Promise<void>((r) => tokenServer!.listen(0, '127.0.0.1', r));
    const tport = (tokenServer.address() as net.AddressInfo).port;
    const reg = await startRegistry(
      'token',
      undefined,
      `auth:\n  token:\n    realm: http://127.0.0.1:${tport}/token\n    service: m-test-registry\n    issuer: m-test-issuer\n    rootcertbundle: ${dir}/cert.pem\n`,
      { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') },
    );
    // Served over https with a self-signed certificate: verified, it is refused clearly.
    const verified = await m(['image', 'push', image, `docker://${reg.host}/robots/app:v1`], { M_REGISTRY_USER: 'robot', M_REGISTRY_PASSWORD: 't0ken-pass' });
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(new RegExp(`error: cannot reach registry ${reg.host}: .*(self.signed|certificate)`));
    expect(hasJsStackTrace(verified.stderr)).toBe(false);
    const ref = `docker://${reg.host}/robots/app:v1`;
    const wrong = await m(['image', 'push', image, ref, '--tls-verify=false'], { M_REGISTRY_USER: 'robot', M_REGISTRY_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`registry ${reg.host}: the token service 127\\.0\\.0\\.1:${tport} refused the credentials \\(HTTP 401\\)`));
    expect(hasJsStackTrace(wrong.stderr)).toBe(false);
    const ok = await m(['image', 'push', image, ref, '--tls-verify=false'], { M_REGISTRY_USER: 'robot', M_REGISTRY_PASSWORD: 't0ken-pass' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`${manifestDigest}\n`);
    expect(scopesSeen).toContain('repository:robots/app:pull,push');
    // skopeo asks the token service in this process: run it asynchronously.
    const inspect = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--creds', 'robot:t0ken-pass', ref]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(JSON.parse(inspect.stdout).Digest).toBe(manifestDigest);
  }, 120_000);
});
