/**
 * Huge build logs (issue 14): the log was kept in memory as one string, so more than 512 MiB of
 * it was an internal error and left a stale lock. Now it streams to `.m/logs` with bounded
 * memory, and `m log` streams it back. Run against the built `m` (`pnpm build`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { attempt } from './attempt';
import { MiB, build, makeWork, runM } from './outputs-lib';

const BIG = 600 * MiB;
/** The m process's peak RSS allowed while it handles 600 MiB of log (it idles at ~75 MiB). */
const RSS_LIMIT_KIB = 256 * 1024;

const work = makeWork('logs');
afterAll(() => work.remove());

describe('huge build logs', () => {
  attempt('fault', '600 MiB of log without newlines: bounded memory, the whole log on disk and through m log', async () => {
    const store = path.join(work.dir, 'log-store-1');
    const r = await build(work, store, 'log-flat', `head -c ${BIG} /dev/zero | tr '\\0' a; echo ok > $out`, ['-Q'], 170_000);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.peakKiB).toBeGreaterThan(0);
    expect(r.peakKiB).toBeLessThan(RSS_LIMIT_KIB);
    const logs = fs.readdirSync(path.join(store, '.m', 'logs'));
    expect(logs).toHaveLength(1);
    expect(fs.statSync(path.join(store, '.m', 'logs', logs[0]!)).size).toBe(BIG);
    console.log(`600 MiB log without newlines: m build peak RSS ${(r.peakKiB / 1024).toFixed(0)} MiB, ${r.ms} ms wall`);

    const drv = `/nix/store/${logs[0]!.replace(/\.log$/, '')}`;
    const l = await runM(work, ['log', '--store', store, drv], { timeoutMs: 120_000 });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdoutBytes).toBe(BIG);
    expect(l.peakKiB).toBeLessThan(RSS_LIMIT_KIB);
    console.log(`m log of it: peak RSS ${(l.peakKiB / 1024).toFixed(0)} MiB, ${l.ms} ms wall`);
  }, 300_000);

  attempt('fault', '600 MiB of log in 100-byte lines: bounded memory, the whole log on disk', async () => {
    const store = path.join(work.dir, 'log-store-2');
    const line = 'b'.repeat(99);
    const r = await build(work, store, 'log-lines', `yes ${line} | head -c ${BIG}; echo ok > $out`, ['-Q'], 170_000);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.peakKiB).toBeLessThan(RSS_LIMIT_KIB);
    const logs = fs.readdirSync(path.join(store, '.m', 'logs'));
    expect(fs.statSync(path.join(store, '.m', 'logs', logs[0]!)).size).toBe(BIG);
    console.log(`600 MiB log in lines: m build peak RSS ${(r.peakKiB / 1024).toFixed(0)} MiB, ${r.ms} ms wall`);
  }, 200_000);
});
