/** The util-linux unshare fallback, forced; the same guarantees as with bwrap. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuildFailure, type BuildRequest, runBuild } from '../src/index';
import { type TestStore, fakeStorePath, makeTestStore, processesWith, shRequest } from './helpers';

let store: TestStore;
let server: net.Server;
let port = 0;
beforeAll(async () => {
  store = makeTestStore();
  server = net.createServer((s) => s.end('hello from host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  store.cleanup();
  await new Promise<void>((r) => server.close(() => r()));
});

const req = (script: string, extra: Partial<BuildRequest> = {}) => shRequest(store, script, { sandbox: 'unshare', ...extra });

async function buildText(script: string, extra: Partial<BuildRequest> = {}): Promise<string> {
  const r = await runBuild(req(script, extra));
  return fs.readFileSync(r.outputs.out!, 'utf8');
}

describe('unshare sandbox', () => {
  it('builds, as nixbld in /build, with the same environment', async () => {
    const out = fakeStorePath('u-out');
    const text = await buildText('exec > $out; id; hostname; pwd; env | sort', { outputs: { out }, env: { out, name: 'u' } });
    expect(text).toBe(
      'uid=1000(nixbld) gid=100(nixbld)\nlocalhost\n/build\n' +
        [
          'HOME=/homeless-shelter', 'NIX_BUILD_CORES=1', 'NIX_BUILD_TOP=/build', 'NIX_LOG_FD=2', 'NIX_STORE=/nix/store',
          'PATH=/path-not-set', 'PWD=/build', 'SHLVL=1', 'TEMP=/build', 'TEMPDIR=/build', 'TERM=xterm-256color', 'TMP=/build',
          'TMPDIR=/build', 'name=u', `out=${out}`,
        ].join('\n') + '\n',
    );
  });

  it('isolates the store, the host files and the network', async () => {
    const input = fakeStorePath('u-input');
    const other = fakeStorePath('u-other');
    store.add(input, { data: 'input data\n' });
    store.add(other, 'secret\n');
    const out = fakeStorePath('u-iso');
    const text = await buildText(
      `exec > $out 2>&1; ls /nix/store; cat ${input}/data; cat ${other}; cat /etc/hostname; ls ${process.cwd()}; ` +
        `echo x > /x || echo denied-root; echo x > ${input}/data || echo denied-input; ` +
        `if nc 127.0.0.1 ${port} </dev/null; then echo CONNECTED; else echo NO-CONNECT; fi`,
      { inputPaths: [input], outputs: { out }, env: { out } },
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual([path.basename(input), path.basename(out)].sort());
    expect(lines[2]).toBe('input data');
    expect(text).not.toContain('secret');
    expect(text).toContain("cat: can't open '/etc/hostname': No such file or directory");
    expect(text).toContain(`ls: ${process.cwd()}: No such file or directory`);
    expect(text).toContain('denied-root');
    expect(text).toContain('denied-input');
    expect(text).toContain('NO-CONNECT');
    expect(fs.readFileSync(path.join(store.phys(input), 'data'), 'utf8')).toBe('input data\n');
  });

  it('reaches the host network when fixed-output', async () => {
    const text = await buildText(`exec > $out 2>&1; nc 127.0.0.1 ${port} </dev/null`, { fixedOutput: true });
    expect(text).toBe('hello from host\n');
  });

  it('kills everything on timeout', async () => {
    const m = String(800000 + Math.floor(Math.random() * 99999));
    const err = await runBuild(req(`sleep ${m} & echo waiting; sleep ${m}`, { timeoutSeconds: 1 })).catch((e) => e);
    expect((err.cause as BuildFailure).kind).toBe('timeout');
    for (let i = 0; i < 20 && processesWith(m).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(m)).toEqual([]);
  });
});
