/** The build-user pool: one unprivileged host identity per concurrent build when m runs as root. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../src/index';
import { BUILD_UID_BASE, acquireBuildUser, poolBase } from '../src/sandbox-user';
import { type TestStore, makeTestStore, processesWith, shRequest } from './helpers';

const IS_ROOT = process.geteuid?.() === 0;

describe('pool base', () => {
  it("is Nix's start-id where the namespace maps it, else the top of a container's map", () => {
    const all = '0 0 4294967295\n';
    expect(poolBase(all, all)).toBe(BUILD_UID_BASE);
    const container = '0 100000 65536\n';
    expect(poolBase(container, container)).toBe(65534 - 256);
    expect(poolBase('0 1000 1\n', '0 1000 1\n')).toBeUndefined();
    expect(poolBase(all, '0 1000 1\n')).toBeUndefined();
  });
});

describe('slot locks', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-build-users-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives concurrent builds distinct ids and reuses released slots', () => {
    const a = acquireBuildUser(dir, dir);
    const b = acquireBuildUser(dir, dir);
    expect(a.uid).not.toBe(b.uid);
    expect(a.gid).toBe(a.uid);
    const first = a.uid;
    a.release();
    const c = acquireBuildUser(dir, dir);
    expect(c.uid).toBe(first);
    b.release();
    c.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('breaks a stale lock and skips one held by a live process', () => {
    const self = fs.readFileSync('/proc/1/stat', 'utf8');
    const start = self.slice(self.lastIndexOf(')') + 2).split(' ')[19];
    fs.writeFileSync(path.join(dir, '0'), `1 ${start} live\n`);
    fs.writeFileSync(path.join(dir, '1'), '999999999 1 dead\n');
    const u = acquireBuildUser(dir, dir);
    const base = poolBase(fs.readFileSync('/proc/self/uid_map', 'utf8'), fs.readFileSync('/proc/self/gid_map', 'utf8'))!;
    expect(u.uid - base).toBe(1);
    expect(fs.readFileSync(path.join(dir, '0'), 'utf8')).toBe(`1 ${start} live\n`);
    u.release();
    fs.rmSync(path.join(dir, '0'));
  });
});

describe.runIf(IS_ROOT)('as root', () => {
  let store: TestStore;
  beforeAll(() => {
    store = makeTestStore();
  });
  afterAll(() => store.cleanup());

  it('runs two concurrent builds as two different unprivileged host users', async () => {
    const markers = ['812345', '812346'].map((m) => `${m}${Math.floor(Math.random() * 9)}`);
    const uids = new Set<number>();
    let done = false;
    const poll = (async () => {
      while (!done) {
        for (const m of markers)
          for (const pid of processesWith(m)) {
            try {
              if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== `sleep\0${m}\0`) continue;
              const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
              if (uid) uids.add(Number(uid));
            } catch {
              /* gone */
            }
          }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(markers.map((m) => runBuild(shRequest(store, `sleep ${m} & sleep 1; kill $!; touch $out`))));
    done = true;
    await poll;
    expect(uids.size).toBe(2);
    for (const u of uids) expect(u).toBeGreaterThanOrEqual(1000);
  });
});
