import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBytes, printHash } from '@m/nix-compat';
import { type BuildFailure, runBuild } from '../src/index';
import { type TestStore, fakeStorePath, makeTestStore, shRequest } from './helpers';

let store: TestStore;
beforeAll(() => {
  store = makeTestStore();
});
afterAll(() => store.cleanup());

async function buildText(script: string, extra = {}): Promise<string> {
  const r = await runBuild(shRequest(store, script, extra));
  const text = fs.readFileSync(r.outputs.out!, 'utf8');
  fs.rmSync(r.tempDir, { recursive: true, force: true });
  return text;
}

describe('sandboxed build', () => {
  it('runs a busybox builder that writes $out', async () => {
    const req = shRequest(store, 'echo hi > $out; echo building');
    const lines: string[] = [];
    const logFile = path.join(store.physical, 'runs.log');
    const r = await runBuild(req, { onLog: (l) => lines.push(l), logFile });
    expect(r.exitCode).toBe(0);
    expect(fs.readFileSync(r.outputs.out!, 'utf8')).toBe('hi\n');
    expect(path.basename(r.outputs.out!)).toBe(path.basename(req.outputs.out!));
    expect(r.references).toEqual({ out: [] });
    expect(lines).toEqual(['building']);
    expect(fs.readFileSync(logFile, 'utf8')).toBe('building\n');
    fs.rmSync(r.tempDir, { recursive: true });
  });

  it('interleaves stdout and stderr in order', async () => {
    const lines: string[] = [];
    const logFile = path.join(store.physical, 'interleaves.log');
    await runBuild(shRequest(store, 'echo a; echo b >&2; echo c; echo d >&2; touch $out'), { onLog: (l) => lines.push(l), logFile });
    expect(lines).toEqual(['a', 'b', 'c', 'd']);
    expect(fs.readFileSync(logFile, 'utf8')).toBe('a\nb\nc\nd\n');
  });

  it("sets up the environment exactly as Nix's initEnv", async () => {
    const out = fakeStorePath('env-out');
    const dev = fakeStorePath('env-dev');
    const drvEnv = {
      name: 'env', out, dev, builder: '/bin/env', system: 'x86_64-linux',
      TMPDIR: '/overridden-by-nix', PATH: '/my/path', big: 'lots of text', passAsFile: 'big',
    };
    const req = { ...shRequest(store, ''), builder: '/bin/env', args: [], env: drvEnv, outputs: { out, dev }, cores: 3,
      sandboxPaths: { '/bin/sh': '/bin/busybox', '/bin/env': '/bin/busybox' } };
    const logFile = path.join(store.physical, 'env.log');
    const err = await runBuild(req, { logFile }).catch((e) => e);
    expect(err.code).toBe('BUILD_FAILED');
    const log = fs.readFileSync(logFile, 'utf8');
    const got = Object.fromEntries(log.trimEnd().split('\n').map((l: string) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const attrFile = `.attr-${printHash(hashBytes('sha256', 'big'), 'base32')}`;
    expect(got).toEqual({
      PATH: '/my/path',
      HOME: '/homeless-shelter',
      NIX_STORE: '/nix/store',
      NIX_BUILD_CORES: '3',
      name: 'env', out, dev, builder: '/bin/env', system: 'x86_64-linux', passAsFile: 'big',
      bigPath: `/build/${attrFile}`,
      NIX_BUILD_TOP: '/build',
      TMPDIR: '/build', TEMPDIR: '/build', TMP: '/build', TEMP: '/build',
      PWD: '/build',
      NIX_LOG_FD: '2',
      TERM: 'xterm-256color',
    });
  });

  it('passAsFile contents, user, hostname and /etc as Nix makes them', async () => {
    const text = await buildText(
      'exec > $out; cat $bigPath; echo; id; hostname; cat /etc/passwd /etc/group /etc/hosts; pwd; ls -a /build',
      { env: { big: 'the contents', passAsFile: 'big' } },
    );
    const attrFile = `.attr-${printHash(hashBytes('sha256', 'big'), 'base32')}`;
    expect(text).toBe(
      'the contents\n' +
        'uid=1000(nixbld) gid=100(nixbld)\n' +
        'localhost\n' +
        'root:x:0:0:Nix build user:/build:/noshell\n' +
        'nixbld:x:1000:100:Nix build user:/build:/noshell\n' +
        'nobody:x:65534:65534:Nobody:/:/noshell\n' +
        'root:x:0:\nnixbld:!:100:\nnogroup:x:65534:\n' +
        '127.0.0.1 localhost\n::1 localhost\n' +
        '/build\n' +
        `.\n..\n${attrFile}\n`,
    );
  });

  it('sees only its input closure in the store, and nothing of the host', async () => {
    const input = fakeStorePath('input');
    const other = fakeStorePath('other');
    store.add(input, { 'data': 'input data\n' });
    store.add(other, 'secret\n');
    const out = fakeStorePath('iso-out');
    const text = await buildText(
      `exec > $out 2>&1; ls /nix/store; cat ${input}/data; cat ${other}; cat /etc/hostname; ls /root; ls ${process.cwd()}; ls /; ls /proc/1/root/work; ls /tmp`,
      { inputPaths: [input], outputs: { out }, env: { out } },
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual([path.basename(input), path.basename(out)].sort());
    expect(lines[2]).toBe('input data');
    expect(text).not.toContain('secret');
    expect(text).toContain(`cat: can't open '${other}': No such file or directory`);
    expect(text).toContain("cat: can't open '/etc/hostname': No such file or directory");
    expect(text).toContain("ls: /root: No such file or directory");
    expect(text).toContain(`ls: ${process.cwd()}: No such file or directory`);
    const rootListing = text.slice(text.indexOf('bin\n')).split('\n').slice(0, 7);
    expect(rootListing).toEqual(['bin', 'build', 'dev', 'etc', 'nix', 'proc', 'tmp']);
    expect(text).toContain('ls: /proc/1/root/work: No such file or directory');
  });

  it('cannot write outside $out, /build and its own scratch, and nothing else escapes', async () => {
    const input = fakeStorePath('ro-input');
    store.add(input, { f: 'original\n' });
    const out = fakeStorePath('w-out');
    const junk = fakeStorePath('junk');
    const before = fs.readdirSync(store.physical).sort();
    const text = await buildText(
      [
        'exec > $out 2>&1',
        'for f in /x /etc/x /bin/x /nix/x /dev/x /proc/x ' + `${input}/f ${input}/new`
          + '; do if echo bad > $f; then echo "wrote $f"; else echo "denied $f"; fi; done',
        'rm -f /bin/sh && echo removed-sh',
        `chmod 777 ${input} && echo chmod-input`,
        'echo ok > /build/x && echo wrote-build',
        'echo ok > /dev/shm/x && echo wrote-shm',
        'echo ok > /dev/null && echo wrote-null',
        `echo junk > ${junk} && echo wrote-junk`,
      ].join('\n'),
      { inputPaths: [input], outputs: { out }, env: { out } },
    );
    for (const f of ['/x', '/etc/x', '/bin/x', '/nix/x', '/dev/x', '/proc/x', `${input}/f`, `${input}/new`]) expect(text).toContain(`denied ${f}`);
    expect(text).not.toContain('wrote /');
    expect(text).not.toContain('removed-sh');
    expect(text).not.toContain('chmod-input');
    expect(text).toContain('wrote-build');
    expect(text).toContain('wrote-shm');
    expect(text).toContain('wrote-null');
    expect(text).toContain('wrote-junk');
    expect(fs.readFileSync(path.join(store.phys(input), 'f'), 'utf8')).toBe('original\n');
    expect(fs.existsSync(path.join(store.phys(input), 'new'))).toBe(false);
    expect(fs.readdirSync(store.physical).sort()).toEqual(before);
    expect(fs.statSync('/bin/busybox').size).toBeGreaterThan(100_000);
  });
});

describe('network', () => {
  let server: net.Server;
  let port = 0;
  beforeAll(async () => {
    server = net.createServer((s) => s.end('hello from host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probe = () =>
    `exec > $out 2>&1; if nc 127.0.0.1 ${port} </dev/null; then echo CONNECTED; else echo NO-CONNECT; fi; ` +
    'if nslookup example.org >/dev/null 2>&1; then echo RESOLVED; else echo NO-RESOLVE; fi; ' +
    'if wget -q -T 2 -O - http://example.org/ >/dev/null 2>&1; then echo FETCHED; else echo NO-FETCH; fi; ' +
    'ls /sys/class/net 2>/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1';

  it('has no network (only its own loopback) when not fixed-output', async () => {
    const text = await buildText(probe());
    expect(text).toContain('NO-CONNECT');
    expect(text).not.toContain('hello from host');
    expect(text).toContain('NO-RESOLVE');
    expect(text).toContain('NO-FETCH');
    expect(text.trim().split('\n').at(-1)!.trim()).toBe('lo');
  });

  it('reaches the host network when fixed-output', async () => {
    const text = await buildText(probe(), { fixedOutput: true });
    expect(text).toContain('hello from host');
    expect(text).toContain('CONNECTED');
  });
});

describe('inputs of every kind', () => {
  for (const sandbox of ['bwrap', 'unshare'] as const) {
    it(`${sandbox}: a symlink store path stays a symlink (resolved inside), a file store path is a file`, async () => {
      const link = fakeStorePath('link-to-root');
      const file = fakeStorePath('plain-file');
      fs.symlinkSync('/', store.phys(link));
      store.add(file, 'plain\n');
      const out = fakeStorePath('kinds-out');
      const text = await buildText(`exec > $out 2>&1; readlink ${link}; ls ${link}/; cat ${link}/etc/shadow; cat ${file}`, {
        inputPaths: [link, file], outputs: { out }, env: { out }, sandbox,
      });
      expect(text).toBe(
        '/\nbin\nbuild\ndev\netc\nnix\nproc\ntmp\n' +
          `cat: can't open '${link}/etc/shadow': No such file or directory\nplain\n`,
      );
    });
  }
});
