import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../src/index';
import { rmrf, tmpDir } from './helpers';

let work: string;
beforeAll(() => {
  work = tmpDir('troots');
});
afterAll(() => rmrf(work));

/** "<pid> <starttime>" of a live process, as lock and temp-root files name their owner. */
function idOf(pid: number): { pid: number; start: string } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { pid, start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]! };
}

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.on('exit', () => r())));
}

describe('temp roots across processes', () => {
  test("another live process's temp-roots file keeps paths; a dead one's is ignored and removed", async () => {
    const root = path.join(work, 'other');
    const s = openStore({ root });
    const t = s.addText('kept', 'kept by another process');
    s.close();

    const other = spawn('sleep', ['30']);
    const { pid, start } = idOf(other.pid!);
    const file = path.join(root, '.m', 'temproots', `${pid}-${start}-test`);
    fs.writeFileSync(file, `${t}\n/nix/store/0123456789abcdfghijklmnpqrsvwxyz-partial-line`);

    const g = openStore({ root });
    expect(g.gc({ dryRun: true }).deleted).toEqual([]);
    expect(g.gc().deleted).toEqual([]);
    other.kill('SIGKILL');
    await exited(other);
    expect(g.gc({ dryRun: true }).deleted).toEqual([t]);
    expect(fs.existsSync(file)).toBe(true); // a dry run changes nothing
    expect(g.gc().deleted).toEqual([t]);
    expect(fs.existsSync(file)).toBe(false);
    g.close();
  });

  test('adding a temp root waits while another process runs gc', async () => {
    const root = path.join(work, 'wait');
    const s = openStore({ root });
    const gcHolder = spawn('sleep', ['0.8']);
    const { pid, start } = idOf(gcHolder.pid!);
    fs.writeFileSync(path.join(root, '.m', 'locks', 'gc.lock'), `${pid} ${start}\n`);
    const t0 = Date.now();
    s.addTempRoot('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    await exited(gcHolder);
    fs.rmSync(path.join(root, '.m', 'locks', 'gc.lock'));
    s.close();
  });

  test("closing a handle removes its file; a caller's own file outlives the handle", () => {
    const root = path.join(work, 'close');
    const own = openStore({ root });
    own.addTempRoot('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-x');
    const dir = path.join(root, '.m', 'temproots');
    expect(fs.readdirSync(dir)).toHaveLength(1);
    own.close();
    expect(fs.readdirSync(dir)).toEqual([]);

    const name = `${process.pid}-${idOf(process.pid).start}-caller`;
    const shared = openStore({ root, tempRootsFile: name });
    shared.addTempRoot('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-y');
    shared.close();
    expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-y\n');
  });

  test('roots added one by one and in batches are all in the file, once each, readable by gc while the handle is open', () => {
    const root = path.join(work, 'batches');
    const s = openStore({ root });
    const kept = Array.from({ length: 30 }, (_, i) => s.addText(`kept-${i}`, `kept ${i}`));
    const again = openStore({ root });
    // Another handle's gc sees every root of the first handle while it is open: nothing is deleted.
    for (const p of kept.slice(0, 10)) s.addTempRoot(p);
    s.addTempRoots(kept.slice(10));
    s.addTempRoots(kept); // already rooted: nothing written again
    expect(again.gc().deleted).toEqual([]);
    const dir = path.join(root, '.m', 'temproots');
    const file = fs.readdirSync(dir).find((n) => fs.readFileSync(path.join(dir, n), 'utf8') !== '')!;
    expect(fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => l !== '').sort()).toEqual([...kept].sort());
    s.close();
    expect(again.gc().deleted.sort()).toEqual([...kept].sort());
    again.close();
  });

  test('a shared temp-roots file is appended to again by a later handle after an earlier one closed', () => {
    const root = path.join(work, 'reopen');
    const name = `${process.pid}-${idOf(process.pid).start}-reopen`;
    const a = openStore({ root, tempRootsFile: name });
    a.addTempRoot('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-a');
    a.close();
    const b = openStore({ root, tempRootsFile: name });
    b.addTempRoot('/nix/store/0123456789abcdfghijklmnpqrsvwxyz-b');
    b.close();
    expect(fs.readFileSync(path.join(root, '.m', 'temproots', name), 'utf8')).toBe(
      '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-a\n/nix/store/0123456789abcdfghijklmnpqrsvwxyz-b\n',
    );
  });
});
