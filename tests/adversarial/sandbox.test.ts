/**
 * Sandbox escape attempts by a hostile builder. Run as root (as CI does), a builder must change
 * nothing on the host and read nothing outside its input closure.
 *
 * Two drivers: the real CLI (`m build` on a temp project and store; bwrap) for the reproductions
 * of issue 14 and what needs registration, and `runBuild` directly with one batched probe script
 * per sandbox implementation (bwrap and the util-linux unshare fallback), sandboxed and
 * fixed-output. Host state the attacks aim at is snapshotted first and compared afterwards.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type BuildRequest, runBuild } from '../../packages/builder/src/index';
import { type TestStore, fakeStorePath, makeTestStore, processesWith, shRequest } from '../../packages/builder/test/helpers';
import { bin, ensureBuilt } from '../../packages/cli/test/helpers';
import { attempt } from './attempt';

type Kind = 'bwrap' | 'unshare';
/**
 * The probe runs: each implementation sandboxed and fixed-output, on a store only root can reach
 * (as root, the sources are staged for the build user); bwrap once more on a store anyone can
 * reach (sources opened directly by the build user).
 */
interface Config {
  kind: Kind;
  fod: boolean;
  openStore: boolean;
}
const CONFIGS: Config[] = [
  { kind: 'bwrap', fod: false, openStore: false },
  { kind: 'bwrap', fod: false, openStore: true },
  { kind: 'unshare', fod: false, openStore: false },
  { kind: 'bwrap', fod: true, openStore: false },
  { kind: 'unshare', fod: true, openStore: false },
];
const key = (c: Config): string => `${c.kind}${c.openStore ? '-open-store' : ''}${c.fod ? '-fod' : ''}`;
const BUILD_UID_BASE = 872415232;
const IS_ROOT = process.geteuid?.() === 0;

const rand = (): string => randomBytes(6).toString('hex');
const sleepMarker = (): string => String(700000 + Math.floor(Math.random() * 99999));

/** Host state an escape would change. */
interface HostState {
  corePattern: string;
  overcommitRatio: string;
  devModes: Record<string, number>;
  busybox: { mode: number; nlink: number; uid: number };
}
function hostState(): HostState {
  const devModes: Record<string, number> = {};
  for (const n of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) devModes[n] = fs.statSync(`/dev/${n}`).mode;
  const bb = fs.statSync('/bin/busybox');
  return {
    corePattern: fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8'),
    overcommitRatio: fs.readFileSync('/proc/sys/vm/overcommit_ratio', 'utf8'),
    devModes,
    busybox: { mode: bb.mode, nlink: bb.nlink, uid: bb.uid },
  };
}

/** Puts back what an escape changed, so one failure does not damage the machine. */
function restoreHost(before: HostState): void {
  const now = hostState();
  try {
    if (now.corePattern !== before.corePattern) fs.writeFileSync('/proc/sys/kernel/core_pattern', before.corePattern);
    if (now.overcommitRatio !== before.overcommitRatio) fs.writeFileSync('/proc/sys/vm/overcommit_ratio', before.overcommitRatio);
    for (const [n, m] of Object.entries(before.devModes)) if (now.devModes[n] !== m) fs.chmodSync(`/dev/${n}`, m & 0o7777);
  } catch {
    /* not root: nothing could have changed */
  }
}

/** The host identity of a process, read from the host: Uid/Gid lines and the uid/gid maps. */
interface HostView {
  uids: number[];
  gids: number[];
  uidMap: string;
  gidMap: string;
}
function hostView(pid: number): HostView | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const ids = (k: string) => (new RegExp(`^${k}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).map(Number);
    return {
      uids: ids('Uid'),
      gids: ids('Gid'),
      uidMap: fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8'),
      gidMap: fs.readFileSync(`/proc/${pid}/gid_map`, 'utf8'),
    };
  } catch {
    return undefined;
  }
}

/** Pids of `sleep <marker>` processes (the builder's own, not the sandbox tools naming it). */
function sleepers(marker: string): number[] {
  return processesWith(marker).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
    } catch {
      return false;
    }
  });
}

/** Polls the host for the builder's `sleep <marker>` while `p` runs. */
async function watching<T>(marker: string, p: Promise<T>): Promise<{ result: T; views: HostView[] }> {
  const views: HostView[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      for (const pid of sleepers(marker)) {
        const v = hostView(pid);
        if (v) views.push(v);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return { result: await p, views };
  } finally {
    done = true;
    await poll;
  }
}

async function gone(marker: string): Promise<number[]> {
  for (let i = 0; i < 40 && sleepers(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return sleepers(marker);
}

/** Every map line's host side (second column) is a pool id, never 0. */
function mapsOnlyToPool(map: string): boolean {
  const lines = map.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  return lines.length > 0 && lines.every(([, host]) => host !== undefined && host >= BUILD_UID_BASE);
}

// ---------------------------------------------------------------------------------------------
// Shared fixtures

let before: HostState;
let hostDir: string;
let hostSecretFile: string;
const hostSecret = `host-secret-${rand()}`;
const otherSecret = `other-store-secret-${rand()}`;
let tcp: net.Server;
let port = 0;
let abstract: net.Server;
const abstractName = `m-adv-${rand()}`;
let abstractHits = 0;
const shadowFirstLine = (() => {
  try {
    return fs.readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '';
  } catch {
    return '';
  }
})();

beforeAll(async () => {
  before = hostState();
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-adv-host-'));
  fs.chmodSync(hostDir, 0o755);
  hostSecretFile = path.join(hostDir, 'secret');
  fs.writeFileSync(hostSecretFile, `${hostSecret}\n`, { mode: 0o644 });
  tcp = net.createServer((s) => s.end('hello from host\n'));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  port = (tcp.address() as net.AddressInfo).port;
  abstract = net.createServer((s) => {
    abstractHits++;
    s.end('abstract hello\n');
  });
  await new Promise<void>((r) => abstract.listen(`\0${abstractName}`, r));
});

afterAll(async () => {
  restoreHost(before);
  await new Promise<void>((r) => tcp.close(() => r()));
  await new Promise<void>((r) => abstract.close(() => r()));
  fs.rmSync(hostDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Batched probes through runBuild: one build per sandbox implementation and mode

/** Sections of the probe report: name → raw output. */
type Report = Record<string, string>;
interface ProbeRun {
  report: Report;
  views: HostView[];
  sleepMarker: string;
  leftBehind: number[];
  physicalBefore: string[];
  physicalAfter: string[];
  hostTmpMarker: string;
  inputFile: string;
}

const PROBE = String.raw`
exec > $out 2>&1
s() { echo "@@$1"; }
sleep $SLEEPMARK &
s id; id; cat /proc/self/uid_map /proc/self/gid_map; grep -E '^(Cap|NoNewPrivs)' /proc/self/status
s shadow; cat /etc/shadow; ls /etc
s root; ls -la /root; ls -la /root/.ssh
s hostfile; cat $HOSTSECRET; ls $HOSTDIR
s inputs; cat $INPUT/f $FILEIN
s otherstore; cat $OTHER; ls /nix/store
s linkroot; ls $LINKROOT/; cat $LINKROOT/etc/shadow; cat $LINKROOT$HOSTSECRET; readlink $LINKROOT
s linkfile; cat $LINKFILE; readlink $LINKFILE
s proc1root; ls /proc/1/root/; cat /proc/1/root/etc/shadow; cat /proc/1/root$HOSTSECRET; for p in /proc/[0-9]*; do readlink $p/root; done; nsenter -t $HOSTPID -m cat /etc/shadow
s procsys; echo "|/bin/touch $HOSTDIR/pwned" > /proc/sys/kernel/core_pattern && echo WROTE-core; echo 77 > /proc/sys/vm/overcommit_ratio && echo WROTE-overcommit; sysctl -w kernel.domainname=pwned && echo WROTE-domainname; sh -c 'kill -SEGV $$'; cat /proc/sys/kernel/core_pattern
s sys; ls /sys; mkdir -p /build/sysmnt; mount -t sysfs sysfs /build/sysmnt && echo MOUNTED-sysfs; echo 1 > /sys/kernel/mm/ksm/run && echo WROTE-sys
s kmem; head -c 16 /proc/kcore | od | head -1; cat /proc/kmsg & sleep 0.2; kill $! 2>/dev/null; dmesg | head -2; head -c 1 /dev/mem
s net; if nc -w 2 127.0.0.1 $PORT </dev/null; then echo CONNECTED; else echo NO-CONNECT; fi; grep -ci ":$(printf %04X $PORT) " /proc/net/tcp; ip -o link | cut -d: -f2
s abstract; /usr/bin/perl -e 'use Socket; socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "socket: $!"; if (connect($s, pack_sockaddr_un("\0".$ENV{ABSTRACT}))) { print "CONNECTED\n"; print while <$s>; } else { print "refused: $!\n" }'; grep -c "$ABSTRACT" /proc/net/unix
s storewrite; echo x > $INPUT/f && echo WROTE-input; echo x > $INPUT/new && echo CREATED-input; chmod 777 $INPUT && echo CHMOD-input; rm -rf $INPUT && echo REMOVED-input; touch /nix/store/planted && echo planted-in-sandbox-store; mount -o remount,rw $INPUT && echo REMOUNTED
s hosttmp; echo x > /tmp/$TMPMARK && echo wrote-sandbox-tmp; echo x > $HOSTDIR/planted && echo WROTE-hostdir
s mknod; mknod /build/mem c 1 1 && echo MKNOD-mem; mknod /tmp/sda b 8 0 && echo MKNOD-sda; head -c 1 /build/mem
s devchmod; chmod 600 /dev/null && echo CHMOD-null; chmod 600 /dev/full && echo CHMOD-full; chown 1000 /dev/zero && echo CHOWN-zero; echo ok > /dev/null && echo null-ok
s devlist; ls /dev
s hardlink; ln $INPUT/f /build/hl && echo LINKED-input; ln /bin/sh /build/sh && echo LINKED-sh; ln /etc/passwd /tmp/pw && echo LINKED-etc; ln $FILEIN /build/fl && echo LINKED-filein
s ptrace; /usr/bin/perl -e '$r = syscall(101, 16, $ENV{HOSTPID}+0, 0, 0); print $r == 0 ? "ATTACHED\n" : "ptrace: $!\n"'; kill -9 $HOSTPID && echo KILLED-host
s mount; mkdir -p /build/m; mount -t tmpfs none /build/m && echo MOUNTED-tmpfs; mount --bind / /build/m && echo MOUNTED-bind; mount -o remount,rw / && echo REMOUNTED-root; umount /proc && echo UMOUNTED-proc
s setuid; /usr/bin/mount -t tmpfs none /build/m && echo SETUID-MOUNTED; /usr/bin/su -c id && echo SU; setpriv --reuid 0 id && echo SETPRIV-ROOT
s unshare; unshare -U -r -m sh -c 'id; mount -t tmpfs none /nix/store && echo NESTED-MOUNT; cat /etc/shadow; cat $HOSTSECRET; echo x > /proc/sys/kernel/core_pattern && echo NESTED-WROTE-core; echo nested-done'; echo "rc=$?"
s env; env; cat /proc/1/environ | tr '\0' '\n'
s end
`;

function parseReport(text: string): Report {
  const r: Report = {};
  let cur = '';
  for (const line of text.split('\n')) {
    const m = /^@@(\w+)$/.exec(line);
    if (m) cur = m[1]!;
    else if (cur) r[cur] = (r[cur] ?? '') + line + '\n';
  }
  return r;
}

let store: TestStore;
const runs = new Map<string, ProbeRun>();
const input = fakeStorePath('adv-input');
const other = fakeStorePath('adv-other');
const linkRoot = fakeStorePath('adv-link-root');
const linkFile = fakeStorePath('adv-link-file');
const fileIn = fakeStorePath('adv-file-input');

async function probe(c: Config): Promise<ProbeRun> {
  const { kind, fod } = c;
  const marker = sleepMarker();
  const tmpMarker = `m-adv-${rand()}`;
  const out = fakeStorePath('adv-probe');
  const env = {
    out, name: 'probe', SLEEPMARK: marker, HOSTSECRET: hostSecretFile, HOSTDIR: hostDir, OTHER: other, INPUT: input,
    LINKROOT: linkRoot, LINKFILE: linkFile, FILEIN: fileIn, PORT: String(port), ABSTRACT: abstractName,
    HOSTPID: String(process.pid), TMPMARK: tmpMarker,
  };
  const req: BuildRequest = shRequest(store, PROBE, {
    sandbox: kind,
    fixedOutput: fod,
    env,
    outputs: { out },
    inputPaths: [input, linkRoot, linkFile, fileIn],
    timeoutSeconds: 60,
    // perl and its libraries, and the host's setuid binaries, as a sandbox-paths setting could bind them
    sandboxPaths: { '/bin/sh': '/bin/busybox', '/usr': '/usr', '/lib': '/usr/lib', '/lib64': '/usr/lib64' },
  });
  fs.chmodSync(store.physical, c.openStore ? 0o755 : 0o700);
  const physicalBefore = fs.readdirSync(store.physical).sort();
  const { result, views } = await watching(marker, runBuild(req));
  const text = fs.readFileSync(result.outputs.out!, 'utf8');
  if (process.env.M_ADV_DUMP) fs.writeFileSync(path.join(process.env.M_ADV_DUMP, `${key(c)}.txt`), text);
  const inputFile = fs.readFileSync(path.join(store.phys(input), 'f'), 'utf8');
  fs.rmSync(result.tempDir, { recursive: true, force: true });
  return {
    report: parseReport(text),
    views,
    sleepMarker: marker,
    leftBehind: await gone(marker),
    physicalBefore: physicalBefore.filter((e) => e !== '.m'),
    physicalAfter: fs.readdirSync(store.physical).filter((e) => e !== '.m').sort(),
    hostTmpMarker: tmpMarker,
    inputFile,
  };
}

describe('sandbox escapes by a builder (runBuild, bwrap and unshare)', () => {
  beforeAll(async () => {
    store = makeTestStore();
    store.add(input, { f: 'input data\n' });
    store.add(other, `${otherSecret}\n`);
    store.add(fileIn, 'file input\n');
    fs.symlinkSync('/', store.phys(linkRoot));
    fs.symlinkSync(hostSecretFile, store.phys(linkFile));
    for (const c of CONFIGS) runs.set(key(c), await probe(c));
  }, 180_000);
  afterAll(() => store.cleanup());

  const each = (fn: (r: ProbeRun, k: string) => void, modes: boolean[] = [false, true]) => () => {
    for (const c of CONFIGS.filter((x) => modes.includes(x.fod))) {
      const k = key(c);
      const r = runs.get(k);
      if (!r) throw new Error(`no probe run for ${k}`);
      try {
        fn(r, k);
      } catch (e) {
        throw new Error(`[${k}] ${(e as Error).message}`);
      }
    }
  };

  attempt('sandbox', 'builder runs as an unprivileged host identity: uid/gid maps only to the build-user pool, never to 0', each((r) => {
    expect(r.report.id).toContain('uid=1000(nixbld) gid=100(nixbld)');
    expect(r.views.length).toBeGreaterThan(0);
    for (const v of r.views) {
      if (IS_ROOT) {
        for (const id of [...v.uids, ...v.gids]) expect(id).toBeGreaterThanOrEqual(BUILD_UID_BASE);
        expect(mapsOnlyToPool(v.uidMap)).toBe(true);
        expect(mapsOnlyToPool(v.gidMap)).toBe(true);
      } else {
        for (const id of v.uids) expect(id).toBe(process.geteuid!());
      }
    }
  }));

  attempt('sandbox', 'no capabilities and no_new_privs in the builder', each((r) => {
    for (const c of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) expect(r.report.id).toMatch(new RegExp(`${c}:\\s+0+\\n`));
    expect(r.report.id).toMatch(/NoNewPrivs:\s+1/);
  }));

  attempt('sandbox', "reading the host's /etc/shadow", each((r) => {
    expect(r.report.shadow).toContain("can't open '/etc/shadow'");
    if (shadowFirstLine) expect(r.report.shadow).not.toContain(shadowFirstLine);
  }));

  attempt('sandbox', 'listing /root', each((r) => expect(r.report.root).toContain('/root: No such file or directory')));

  attempt('sandbox', 'reading a world-readable host file outside the closure', each((r) => {
    expect(r.report.hostfile).not.toContain(hostSecret);
    expect(r.report.hostfile).toContain('No such file or directory');
  }));

  attempt('sandbox', 'reading a store path outside the closure', each((r) => {
    expect(r.report.inputs).toBe('input data\nfile input\n');
    expect(r.report.otherstore).not.toContain(otherSecret);
    expect(r.report.otherstore).toContain(`can't open '${other}': No such file or directory`);
    expect(r.report.otherstore.split('\n')).not.toContain(path.basename(other));
  }));

  attempt('sandbox', 'a symlink store path to / stays a symlink: no host files through it', each((r) => {
    expect(r.report.linkroot).not.toContain(hostSecret);
    if (shadowFirstLine) expect(r.report.linkroot).not.toContain(shadowFirstLine);
    expect(r.report.linkroot).toMatch(/^\/$/m);
  }));

  attempt('sandbox', 'a symlink store path to a host file resolves inside the sandbox', each((r) => {
    expect(r.report.linkfile).not.toContain(hostSecret);
    expect(r.report.linkfile).toContain(hostSecretFile);
  }));

  attempt('sandbox', 'host root through /proc/1/root, /proc/*/root and nsenter', each((r) => {
    expect(r.report.proc1root).not.toContain(hostSecret);
    if (shadowFirstLine) expect(r.report.proc1root).not.toContain(shadowFirstLine);
    expect(r.report.proc1root).toMatch(/^bin\nbuild\ndev\netc\n/);
    expect(r.report.proc1root).toContain(`can't open '/proc/1/root${hostSecretFile}': No such file or directory`);
  }));

  attempt('sandbox', 'writing /proc/sys (core_pattern, vm, sysctl) and a crash to trigger it', each((r) => {
    expect(r.report.procsys).not.toMatch(/WROTE-/);
    const now = hostState();
    expect(now.corePattern).toBe(before.corePattern);
    expect(now.overcommitRatio).toBe(before.overcommitRatio);
    expect(fs.existsSync(path.join(hostDir, 'pwned'))).toBe(false);
  }));

  attempt('sandbox', 'writing /sys or mounting sysfs', each((r) => {
    expect(r.report.sys).not.toMatch(/MOUNTED-sysfs|WROTE-sys/);
  }));

  attempt('sandbox', 'kernel memory and log: /proc/kcore, /proc/kmsg, dmesg, /dev/mem', each((r) => {
    expect(r.report.kmem).toMatch(/kcore/);
    expect(r.report.kmem).not.toMatch(/^0000000 /m);
    expect(r.report.kmem).toMatch(/dmesg: klogctl: Operation not permitted|dmesg: .*denied/);
  }));

  attempt('sandbox', 'outbound TCP to a host server on 127.0.0.1 (host loopback invisible)', each((r) => {
    expect(r.report.net).toContain('NO-CONNECT');
    expect(r.report.net).not.toContain('hello from host');
    expect(r.report.net).toMatch(/^NO-CONNECT\n0\n lo\n$/m);
  }, [false]));

  attempt('sandbox', 'connecting to an abstract unix socket of the host', each((r) => {
    expect(r.report.abstract).toMatch(/refused: Connection refused/);
    expect(r.report.abstract).not.toContain('abstract hello');
    expect(r.report.abstract.trim().split('\n').at(-1)).toBe('0');
  }, [false]));

  attempt('sandbox', 'writing, chmod-ing, removing or remounting an input store path', each((r) => {
    expect(r.report.storewrite).not.toMatch(/WROTE-input|CREATED-input|CHMOD-input|REMOVED-input|REMOUNTED/);
    expect(r.inputFile).toBe('input data\n');
  }));

  attempt('sandbox', 'planting a path in the physical store', each((r) => {
    expect(r.physicalAfter).toEqual(r.physicalBefore);
    expect(fs.existsSync(path.join(store.physical, 'planted'))).toBe(false);
  }));

  attempt('sandbox', "writing the host's /tmp or a host directory", each((r) => {
    expect(fs.existsSync(path.join(os.tmpdir(), r.hostTmpMarker))).toBe(false);
    expect(fs.existsSync(path.join('/tmp', r.hostTmpMarker))).toBe(false); // host-path-ok: a builder must not reach the host's /tmp
    expect(r.report.hosttmp).not.toContain('WROTE-hostdir');
    expect(fs.existsSync(path.join(hostDir, 'planted'))).toBe(false);
  }));

  attempt('sandbox', 'creating device nodes (mknod)', each((r) => expect(r.report.mknod).not.toMatch(/MKNOD-/)));

  attempt('sandbox', 'chmod/chown of /dev nodes through to the host', each((r) => {
    expect(r.report.devchmod).not.toMatch(/CHMOD-|CHOWN-/);
    expect(r.report.devchmod).toContain('null-ok');
    expect(hostState().devModes).toEqual(before.devModes);
  }));

  attempt('sandbox', '/dev holds only the minimal nodes', each((r) => {
    const nodes = r.report.devlist.trim().split(/\s+/);
    for (const n of nodes) expect(['full', 'null', 'random', 'tty', 'urandom', 'zero', 'shm', 'pts', 'ptmx', 'fd', 'stdin', 'stdout', 'stderr', 'core', 'mqueue']).toContain(n);
    for (const n of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) expect(nodes).toContain(n);
  }));

  attempt('sandbox', 'hard links to inputs, host binaries and /etc out of their mounts', each((r) => {
    expect(r.report.hardlink).not.toMatch(/LINKED-/);
    const bb = fs.statSync('/bin/busybox');
    expect({ mode: bb.mode, nlink: bb.nlink, uid: bb.uid }).toEqual(before.busybox);
  }));

  attempt('sandbox', 'ptrace or kill of a host process', each((r) => {
    expect(r.report.ptrace).toMatch(/ptrace: No such process/);
    expect(r.report.ptrace).not.toMatch(/ATTACHED|KILLED-host/);
  }));

  attempt('sandbox', 'mounting inside the sandbox (tmpfs, bind of /, remount rw, umount /proc)', each((r) => {
    expect(r.report.mount).not.toMatch(/MOUNTED-|REMOUNTED-|UMOUNTED-/);
  }));

  attempt('sandbox', 'setuid binaries visible through sandbox paths grant nothing', each((r) => {
    expect(r.report.setuid).not.toMatch(/SETUID-MOUNTED|SU\n|SETPRIV-ROOT/);
    expect(r.report.setuid).not.toContain('uid=0');
  }));

  attempt('sandbox', 'a nested user namespace is refused (bwrap) or gains nothing on the host (unshare)', each((r, k) => {
    if (k.startsWith('bwrap')) expect(r.report.unshare).toMatch(/unshare: unshare\(0x[0-9a-f]+\): No space left on device/);
    expect(r.report.unshare).not.toContain(hostSecret);
    expect(r.report.unshare).not.toContain('NESTED-WROTE-core');
    if (shadowFirstLine) expect(r.report.unshare).not.toContain(shadowFirstLine);
    expect(hostState().corePattern).toBe(before.corePattern);
  }));

  attempt('sandbox', 'host environment variables are not visible (own environment and /proc/1/environ)', each((r) => {
    for (const k of Object.keys(process.env)) if (!['PATH', 'HOME', 'TERM', 'PWD', 'SHLVL', '_'].includes(k)) expect(r.report.env).not.toMatch(new RegExp(`^${k}=`, 'm'));
    for (const line of r.report.env.split('\n')) if (/^(PATH|HOME|PWD)=/.test(line)) expect(['PATH=/path-not-set', 'HOME=/homeless-shelter', 'PWD=/build']).toContain(line);
    expect(r.report.env).not.toContain(process.cwd());
  }));

  attempt('sandbox', 'a background process left running is killed with the build', each((r) => {
    expect(r.leftBehind).toEqual([]);
  }));

  attempt('sandbox', 'a fixed-output build keeps the network (and nothing else)', each((r) => {
    expect(r.report.net).toContain('CONNECTED');
    expect(r.report.net).toContain('hello from host');
    expect(r.report.shadow).toContain("can't open '/etc/shadow'");
    expect(r.report.hostfile).not.toContain(hostSecret);
    expect(r.physicalAfter).toEqual(r.physicalBefore);
  }, [true]));
});

// ---------------------------------------------------------------------------------------------
// Through the real CLI (bwrap, as CI runs it): the reproductions of issue 14 and registration

interface MRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runM(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<MRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('sandbox escapes by a builder (m build)', () => {
  let dir: string;
  let mStore: string;
  const envSecret = `env-secret-${rand()}`;
  const bgMarker = sleepMarker();
  const uidMarker = sleepMarker();
  const pwned = () => path.join(hostDir, 'pwned-cli');
  const fodContent = 'fod\n';
  const r: Record<string, MRun> = {};
  let uidViews: HostView[] = [];
  let bgLeft: number[] = [];

  const build = (attr: string, env: NodeJS.ProcessEnv = {}) => runM(['build', 'probe.nix', '-A', attr, '--no-out-link', '--store', mStore], dir, env);

  beforeAll(async () => {
    ensureBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-adv-cli-'));
    mStore = path.join(dir, 'store');
    const fodHash = createHash('sha256').update(fodContent).digest('hex');
    fs.writeFileSync(
      path.join(dir, 'probe.nix'),
      String.raw`
let
  mk = a: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; } // a);
  sh = name: script: mk { inherit name; args = [ "-c" script ]; };
  linkroot = sh "linkroot" "ln -s / $out";
  linkshadow = sh "linkshadow" "ln -s /etc/shadow $out";
in {
  crash = sh "crash" ''
    echo "|/usr/bin/touch ${pwned()}" > /proc/sys/kernel/core_pattern && echo WROTE-core
    sh -c 'kill -SEGV $$'
    chmod 600 /dev/full && echo CHMOD-full
    touch $out
  '';
  uid = sh "uid" "sleep ${uidMarker} & sleep 1; kill $!; touch $out";
  steal = sh "steal" "cp ${"$"}{linkroot}/etc/shadow $out";
  stealsecret = sh "stealsecret" "cat ${"$"}{linkroot}${hostSecretFile} > $out";
  stealfile = sh "stealfile" "cat ${"$"}{linkshadow} > $out";
  nochroot = mk { name = "nochroot"; args = [ "-c" "touch $out" ]; __noChroot = true; };
  nochrootjson = mk { name = "nochrootjson"; args = [ "-c" "touch $out" ]; __noChroot = true; __structuredAttrs = true; };
  modes = sh "modes" ''
    mkdir $out; echo x > $out/suid; chmod 6777 $out/suid; echo y > $out/ww; chmod 666 $out/ww
    mkdir $out/d; chmod 3777 $out/d; ln -s suid $out/link; ln /bin/sh $out/sh && echo LINKED-sh; echo done
  '';
  bg = sh "bg" "sleep ${bgMarker} & echo started; touch $out";
  env = sh "env" "env > $out";
  fod = mk {
    name = "fod";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = "${fodHash}";
    args = [ "-c" ''
      if nc -w 2 127.0.0.1 ${port} </dev/null; then echo FOD-CONNECTED; fi
      cat /etc/shadow || echo FOD-NO-SHADOW
      cat ${hostSecretFile} || echo FOD-NO-SECRET
      touch /nix/store/planted-by-fod && echo FOD-planted-in-sandbox
      printf 'fod\n' > $out
    '' ];
  };
}
`,
    );
    r.crash = await build('crash');
    const w = await watching(uidMarker, build('uid'));
    r.uid = w.result;
    uidViews = w.views;
    for (const a of ['steal', 'stealsecret', 'stealfile', 'nochroot', 'nochrootjson', 'modes', 'fod']) r[a] = await build(a);
    r.env = await build('env', { M_ADV_SECRET: envSecret });
    r.bg = await build('bg');
    bgLeft = await gone(bgMarker);
  }, 170_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const outPath = (run: MRun): string => path.join(mStore, path.basename(run.stdout.trim()));

  attempt('sandbox', 'issue 14 #1: core_pattern write + SIGSEGV runs nothing on the host', () => {
    expect(r.crash!.status).toBe(0);
    expect(r.crash!.stderr).not.toContain('WROTE-core');
    expect(hostState().corePattern).toBe(before.corePattern);
    expect(fs.existsSync(pwned())).toBe(false);
  });

  attempt('sandbox', "issue 14 #1: chmod 600 /dev/full leaves the host's /dev/full alone", () => {
    expect(r.crash!.stderr).not.toContain('CHMOD-full');
    expect(hostState().devModes).toEqual(before.devModes);
  });

  attempt('sandbox', 'issue 14 #1: the builder of m build runs as a pool user, no map line to host 0', () => {
    expect(r.uid!.status).toBe(0);
    expect(uidViews.length).toBeGreaterThan(0);
    if (!IS_ROOT) return;
    for (const v of uidViews) {
      for (const id of [...v.uids, ...v.gids]) expect(id).toBeGreaterThanOrEqual(BUILD_UID_BASE);
      expect(mapsOnlyToPool(v.uidMap)).toBe(true);
      expect(mapsOnlyToPool(v.gidMap)).toBe(true);
    }
  });

  attempt('sandbox', 'issue 14 #2: cp $a/etc/shadow through a symlink store path to /', () => {
    expect(r.steal!.status).toBe(100);
    expect(r.steal!.stderr).toContain("can't stat");
    if (shadowFirstLine) expect(r.steal!.stderr).not.toContain(shadowFirstLine);
    expect(fs.readdirSync(mStore).filter((e) => e.endsWith('-steal'))).toEqual([]);
  });

  attempt('sandbox', 'issue 14 #2: a host file read through a symlink store path to /', () => {
    expect(r.stealsecret!.status).toBe(100);
    expect(r.stealsecret!.stderr).not.toContain(hostSecret);
  });

  attempt('sandbox', 'issue 14 #2: a symlink store path to /etc/shadow read by a dependent', () => {
    expect(r.stealfile!.status).toBe(100);
    if (shadowFirstLine) expect(r.stealfile!.stderr).not.toContain(shadowFirstLine);
    expect(fs.readlinkSync(path.join(mStore, fs.readdirSync(mStore).find((e) => e.endsWith('-linkshadow'))!))).toBe('/etc/shadow');
  });

  attempt('sandbox', "issue 14 #5: __noChroot is refused with Nix's message", () => {
    expect(r.nochroot!.status).toBe(1);
    expect(r.nochroot!.stderr).toMatch(/^error: derivation '\/nix\/store\/[a-z0-9]{32}-nochroot\.drv' has '__noChroot' set, but that's not allowed when 'sandbox' is 'true'$/m);
    expect(r.nochroot!.stderr).not.toMatch(/\n\s+at /);
    expect(r.nochrootjson!.status).toBe(1);
    expect(r.nochrootjson!.stderr).toMatch(/^error: derivation '\/nix\/store\/[a-z0-9]{32}-nochrootjson\.drv' has '__noChroot' set, but that's not allowed when 'sandbox' is 'true'$/m);
  });

  attempt('sandbox', 'setuid, setgid, sticky and world-writable outputs are stripped and owned by the store owner', () => {
    expect(r.modes!.status).toBe(0);
    const out = outPath(r.modes!);
    const owner = { uid: process.geteuid!(), gid: process.getegid!() };
    const walk = (p: string): void => {
      const st = fs.lstatSync(p);
      expect({ p, uid: st.uid, gid: st.gid }).toEqual({ p, ...owner });
      if (!st.isSymbolicLink()) expect([0o444, 0o555]).toContain(st.mode & 0o7777);
      if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    };
    walk(out);
    expect(fs.statSync(path.join(out, 'suid')).mode & 0o7777).toBe(0o555);
    expect(fs.statSync(path.join(out, 'ww')).mode & 0o7777).toBe(0o444);
    expect(fs.statSync(path.join(out, 'd')).mode & 0o7777).toBe(0o555);
  });

  attempt('sandbox', 'a hard link to a host binary in $out (would be chmod-ed by canonicalisation)', () => {
    expect(r.modes!.stderr).not.toContain('LINKED-sh');
    expect(fs.existsSync(path.join(outPath(r.modes!), 'sh'))).toBe(false);
    const bb = fs.statSync('/bin/busybox');
    expect({ mode: bb.mode, nlink: bb.nlink, uid: bb.uid }).toEqual(before.busybox);
  });

  attempt('sandbox', "m's environment does not leak into the build", () => {
    expect(r.env!.status).toBe(0);
    const text = fs.readFileSync(outPath(r.env!), 'utf8');
    expect(text).not.toContain(envSecret);
    expect(text).not.toContain('M_ADV_SECRET');
  });

  attempt('sandbox', 'a background process outliving the build is dead when m exits', () => {
    expect(r.bg!.status).toBe(0);
    expect(r.bg!.stderr).toContain('started');
    expect(bgLeft).toEqual([]);
  });

  attempt('sandbox', 'a fixed-output build reaches the network but no host file and not the store', () => {
    expect(r.fod!.status).toBe(0);
    expect(r.fod!.stderr).toContain('FOD-CONNECTED');
    expect(r.fod!.stderr).toContain('FOD-NO-SHADOW');
    expect(r.fod!.stderr).toContain('FOD-NO-SECRET');
    expect(r.fod!.stderr).not.toContain(hostSecret);
    expect(fs.existsSync(path.join(mStore, 'planted-by-fod'))).toBe(false);
  });
});
