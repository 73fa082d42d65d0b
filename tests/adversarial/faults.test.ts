/**
 * Faults, part 1: gc while builds and `m . /x` runs use paths (temp roots), a lost, truncated,
 * corrupt or read-only database, and a full disk. Each case runs the real CLI on a private store.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { attempt } from './attempt';
import {
  PROBE,
  canMount,
  cleanError,
  metaEntries,
  removeWork,
  runM,
  startM,
  storeEntries,
  until,
  sleep,
  workDir,
} from './faults-lib';

const mounting = canMount();

describe.skipIf(!mIsBuilt())('faults: gc and running builds', () => {
  const w = workDir('gc');
  const store = path.join(w, 'store');
  const project = path.join(w, 'project');
  const run = (args: string[], cwd = w) => runM(args, { cwd, store });

  beforeAll(() => {
    fs.writeFileSync(path.join(w, 'probe.nix'), PROBE);
    const makes: Record<string, string> = {
      'makes/dep/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "dep"; builder = "echo dep-content > $out"; }`,
      'makes/slow/main.nix': `{ makeDerivation, outputs, ... }: makeDerivation {
        name = "slow"; env.envDep = outputs."/dep";
        builder = "sleep 10; cat $envDep > $out"; }`,
      'makes/run/main.nix': `{ makeScript, outputs, ... }: makeScript {
        name = "run"; entrypoint = "sleep 10; cat \${outputs."/dep"}"; }`,
    };
    for (const [rel, text] of Object.entries(makes)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), text);
    }
  });
  afterAll(() => removeWork(w));

  attempt(
    'fault',
    'gc during a build keeps the input closure of the running build (issue 14 #3)',
    async () => {
      fs.writeFileSync(
        path.join(w, 'ab.nix'),
        `let p = import ./probe.nix; a = p { name = "a"; script = "echo A > $out"; };
         in { inherit a; b = p { name = "b"; script = "sleep 10; cat \${a} > $out"; }; }`,
      );
      const a = await run(['build', 'ab.nix', '-A', 'a', '--no-out-link']);
      expect(a.code).toBe(0);
      const aPath = a.stdout.trim();
      const b = startM(['build', 'ab.nix', '-A', 'b', '--no-out-link'], { cwd: w, store });
      await until(() => /building '.*-b\.drv'/.test(b.stderr()), 30_000, 'b to start building');
      await sleep(1000);
      const gc = await run(['store', 'gc']);
      expect(gc.code).toBe(0);
      expect(b.child.exitCode, 'b must still be building when gc is done').toBe(null);
      expect(gc.stderr).not.toContain(`deleting '${aPath}'`);
      const rb = await b.done;
      expect(rb.stderr).not.toMatch(/not valid/);
      expect(rb.code).toBe(0);
      expect(fs.readFileSync(path.join(store, path.basename(rb.stdout.trim())), 'utf8')).toBe('A\n');
      // Once nothing uses it, a is garbage again: the roots were temporary.
      const gc2 = await run(['store', 'gc']);
      expect(gc2.stderr).toContain(`deleting '${aPath}'`);
    },
    90_000,
  );

  attempt(
    'fault',
    'gc during an m . /x build and during its program deletes nothing they use',
    async () => {
      expect((await run(['.', '/dep'], project)).code).toBe(0);
      const slow = startM(['.', '/slow'], { cwd: project, store });
      await until(() => /building slow/.test(slow.stderr()), 60_000, '/slow to start building');
      await sleep(1000);
      expect((await run(['store', 'gc'])).code).toBe(0);
      expect(slow.child.exitCode, '/slow must still be building when gc is done').toBe(null);
      const rs = await slow.done;
      expect(rs.code).toBe(0);
      expect(fs.readFileSync(path.join(store, path.basename(rs.stdout.trim())), 'utf8')).toBe('dep-content\n');

      const prog = startM(['.', '/run'], { cwd: project, store });
      // m prints a script's store path on stderr just before running it.
      await until(() => prog.stderr().includes('/nix/store/'), 60_000, '/run to start its program');
      await sleep(1000);
      const gc = await run(['store', 'gc']);
      expect(gc.code).toBe(0);
      expect(prog.child.exitCode, '/run must still be running when gc is done').toBe(null);
      const rr = await prog.done;
      expect(rr.code).toBe(0);
      expect(rr.stdout).toContain('dep-content');
      expect(metaEntries(store, 'temproots')).toEqual([]);
    },
    150_000,
  );
});

describe.skipIf(!mIsBuilt())('faults: the store database', () => {
  const w = workDir('db');
  const store = path.join(w, 'store');
  const db = path.join(store, '.m', 'db.sqlite');
  const run = (args: string[]) => runM(args, { cwd: w, store });
  let kept = '';

  beforeAll(async () => {
    fs.writeFileSync(path.join(w, 'probe.nix'), PROBE);
    fs.writeFileSync(
      path.join(w, 'kept.nix'),
      `let p = import ./probe.nix; dep = p { name = "dep"; script = "echo dep > $out"; };
       in p { name = "kept"; script = "mkdir $out; echo \${dep} > $out/ref"; }`,
    );
    const r = await run(['build', 'kept.nix']);
    expect(r.code).toBe(0);
    kept = r.stdout.trim();
    // An unrooted path as well: gc may delete it, but only after the database is back.
    expect((await run(['build', '-E', `(import ./probe.nix) { name = "loose"; script = "echo loose > $out"; }`, '--no-out-link'])).code).toBe(0);
  });
  afterAll(() => removeWork(w));

  /** The fault is an error naming the file and the recovery; gc deletes nothing; repair recovers. */
  async function faultThenRepair(kind: RegExp): Promise<void> {
    const before = storeEntries(store).sort();
    const fresh = `(import ./probe.nix) { name = "new${Math.random().toString(36).slice(2, 8)}"; script = "echo > $out"; }`;
    for (const args of [['build', '-E', fresh, '--no-out-link'], ['store', 'gc'], ['store', 'verify']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(cleanError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toMatch(kind);
      expect(r.stderr).toContain(db);
      expect(r.stderr).toContain('m store verify --repair');
    }
    expect(storeEntries(store).sort()).toEqual(before);

    const rep = await run(['store', 'verify', '--repair']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stderr).toMatch(/rebuilt the database: \d+ store paths/);
    const check = await run(['store', 'verify', '--check-contents']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toMatch(/error|warning/);
    expect((await run(['store', 'gc'])).code).toBe(0);
    // The rooted closure survived (the result link and what it references), with its references.
    expect(fs.existsSync(path.join(w, 'result', 'ref'))).toBe(true);
    const refs = await run(['store', 'path-info', '-r', 'result']);
    expect(refs.code).toBe(0);
    expect(refs.stdout).toMatch(/-dep\n/);
    // Nothing to rebuild: the database knows the outputs again.
    const again = await run(['build', 'kept.nix']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(kept);
    expect(again.stderr).not.toMatch(/building/);
  }

  attempt('fault', 'a deleted database is an error, not an empty store; --repair rebuilds it (issue 14 #4)', async () => {
    fs.rmSync(db);
    await faultThenRepair(/database '.*' is missing/);
  }, 90_000);

  attempt('fault', 'a truncated database is an error; --repair rebuilds it', async () => {
    const size = fs.statSync(db).size;
    fs.truncateSync(db, Math.floor(size / 2));
    await faultThenRepair(/is corrupt \(truncated/);
  }, 90_000);

  attempt('fault', 'a database truncated to zero bytes is an error; --repair rebuilds it', async () => {
    fs.truncateSync(db, 0);
    await faultThenRepair(/is corrupt \(the file is empty\)/);
  }, 90_000);

  attempt('fault', 'a database with a garbage header is an error; --repair rebuilds it', async () => {
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.from('garbage garbage garbage garbage!'), 0, 32, 0);
    fs.closeSync(fd);
    await faultThenRepair(/is corrupt \(not an SQLite database\)/);
  }, 90_000);

  attempt('fault', 'a database with a garbage table page is an error; --repair rebuilds it', async () => {
    const fd = fs.openSync(db, 'r+');
    const header = Buffer.alloc(100);
    fs.readSync(fd, header, 0, 100, 0);
    const pageSize = header.readUInt16BE(16);
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, pageSize); // page 2: valid_paths
    fs.closeSync(fd);
    await faultThenRepair(/is corrupt/);
  }, 90_000);

  const chattrWorks = (() => {
    if (process.getuid?.() !== 0) return false;
    const probe = path.join(workDir('chattr'), 'f');
    fs.writeFileSync(probe, '');
    const ok = spawnSync('chattr', ['+i', probe]).status === 0;
    spawnSync('chattr', ['-i', probe]);
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
    return ok;
  })();

  attempt('fault', 'an immutable (read-only) database: clean error, prompt exit, nothing created or changed (issue 14 #6)', async () => {
    if (!chattrWorks) return; // the file system of the temp directory has no immutable flag
    const mode = fs.statSync(db).mode;
    execFileSync('chattr', ['+i', db]);
    try {
      const r = await runM(['build', '-E', `(import ./probe.nix) { name = "ro"; script = "echo > $out"; }`, '--no-out-link'], { cwd: w, store, timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(15_000);
      expect(cleanError(r.stderr), r.stderr).toBe(true);
      expect(r.stderr).toContain(`cannot write the store database '${db}'`);
      expect(fs.existsSync(`${db}-shm`) || fs.existsSync(`${db}-wal`)).toBe(false);
    } finally {
      execFileSync('chattr', ['-i', db]);
    }
    expect(fs.statSync(db).mode).toBe(mode);
    expect((await run(['build', '-E', `(import ./probe.nix) { name = "ro"; script = "echo > $out"; }`, '--no-out-link'])).code).toBe(0);
  }, 60_000);

  attempt('fault', 'a store on a read-only file system: clean error and prompt exit for builds and gc', async () => {
    if (!mounting) return;
    const mnt = workDir('romount');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]);
    try {
      execFileSync('cp', ['-a', store, mnt]);
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const roStore = path.join(mnt, 'store');
      for (const args of [['build', '-E', `(import ./probe.nix) { name = "ro2"; script = "echo > $out"; }`, '--no-out-link'], ['store', 'gc']]) {
        const r = await runM(args, { cwd: w, store: roStore, timeoutMs: 30_000 });
        expect(r.code).toBe(1);
        expect(r.ms).toBeLessThan(15_000);
        expect(cleanError(r.stderr), r.stderr).toBe(true);
        expect(r.stderr).toMatch(/cannot write the store database '.*': read-only file system/);
      }
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!mIsBuilt() || !mounting)('faults: a full disk', () => {
  const w = workDir('full');
  const store = path.join(w, 'store');
  const run = (args: string[]) => runM(args, { cwd: w, store });

  beforeAll(() => {
    fs.mkdirSync(store);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', store]);
    fs.writeFileSync(path.join(w, 'probe.nix'), PROBE);
    fs.writeFileSync(path.join(w, 'big.bin'), Buffer.alloc(5 * 1024 * 1024, 1));
  });
  afterAll(() => {
    spawnSync('umount', [store]);
    removeWork(w);
  });

  /** After a failure: gc leaves only valid paths and no temp garbage; the store verifies. */
  async function consistent(): Promise<void> {
    const gc = await run(['store', 'gc']);
    expect(gc.code, gc.stderr).toBe(0);
    expect(metaEntries(store, 'tmp')).toEqual([]);
    expect(metaEntries(store, 'locks')).toEqual([]);
    const v = await run(['store', 'verify', '--check-contents']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr).not.toMatch(/not valid|error/);
  }

  attempt('fault', 'a build filling the disk fails cleanly and leaves no partial valid path', async () => {
    expect((await run(['build', '-E', `(import ./probe.nix) { name = "small"; script = "echo small > $out"; }`, '--no-out-link'])).code).toBe(0);
    const r = await run(['build', '-E', `(import ./probe.nix) { name = "huge"; script = "mkdir $out; echo x > $out/a; head -c 8000000 /dev/zero > $out/big"; }`, '--no-out-link']);
    expect(r.code).not.toBe(0);
    expect(cleanError(r.stderr), r.stderr).toBe(true);
    expect(storeEntries(store).some((n) => /-huge$/.test(n) && fs.existsSync(path.join(store, n, 'a')))).toBe(false);
    await consistent();
    expect(storeEntries(store).some((n) => n.endsWith('-huge'))).toBe(false);
  }, 60_000);

  attempt('fault', 'copying a source bigger than the free space fails cleanly', async () => {
    const r = await run(['build', '-E', `(import ./probe.nix) { name = "src"; script = "cat \${./big.bin} > $out"; }`, '--no-out-link']);
    expect(r.code).toBe(1);
    expect(cleanError(r.stderr), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/no space left on device|ENOSPC/i);
    await consistent();
    expect(storeEntries(store).some((n) => n.endsWith('-big.bin'))).toBe(false);
  }, 60_000);

  attempt('fault', 'a disk too full for the database to grow: clean error, then recovery once space is freed', async () => {
    const filler = path.join(store, '.m', 'filler');
    // Fill all but a few bytes, then try to register many new paths in one go.
    spawnSync('sh', ['-c', `head -c 100000000 /dev/zero > '${filler}'`]);
    try {
      const many = `builtins.genList (i: builtins.toFile "t\${toString i}" (builtins.concatStringsSep "" (builtins.genList (_: "x") 200))) 300`;
      const r = await run(['build', '-E', `(import ./probe.nix) { name = "many"; script = "echo \${toString (${many})} > $out"; }`, '--no-out-link']);
      expect(r.code).not.toBe(0);
      expect(cleanError(r.stderr), r.stderr).toBe(true);
    } finally {
      fs.rmSync(filler, { force: true });
    }
    await consistent();
    expect((await run(['build', '-E', `(import ./probe.nix) { name = "after"; script = "echo after > $out"; }`, '--no-out-link'])).code).toBe(0);
  }, 60_000);
});
