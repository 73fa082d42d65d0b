/**
 * Inter-process locks as lock files, without fcntl/flock (Node has neither).
 *
 * Acquire: write our identity "<pid> <starttime>" to a private temp file, then link(2) it to
 * `<name>.lock`. link fails with EEXIST if the lock exists, and the lock file is complete the
 * moment it appears (never empty or half-written).
 * Stale locks: if the holder process is dead (pid gone, or pid recycled: start time differs), the
 * lock is removed — but only inside a serialising section (a BEGIN IMMEDIATE transaction on the
 * store database) after re-reading that the file still names the same dead holder. Creators never
 * overwrite, only the owner or a serialised breaker unlinks, so two breakers cannot remove a lock
 * that a third process has just taken.
 * Waiting: polling with a growing back-off (up to 50 ms).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MError } from '@m/core';
import { type ProcessId, formatId, isAlive, parseId, sleepSync } from './process-id';

export type Release = () => void;

export interface Locks {
  /** Blocks until the lock `name` is ours. */
  acquire(name: string): Release;
  /** Takes the lock if free (or stale), else returns undefined. */
  tryAcquire(name: string): Release | undefined;
}

/** Lock files held by this process (all store handles), to catch self-deadlock. */
const heldHere = new Set<string>();

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function makeLocks(dir: string, me: ProcessId, serialise: (fn: () => void) => void): Locks {
  const content = formatId(me) + '\n';

  /** One attempt: 'ok', 'busy' or 'retry' (a stale lock was cleared or vanished). */
  function attempt(file: string): 'ok' | 'busy' | 'retry' {
    if (heldHere.has(file)) throw new MError('INTERNAL', `lock '${file}' is already held by this process`);
    const tmp = path.join(dir, `.tmp-${me.pid}-${randomBytes(6).toString('hex')}`);
    fs.writeFileSync(tmp, content);
    try {
      fs.linkSync(tmp, file);
      heldHere.add(file);
      return 'ok';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const holder = readOr(file);
    if (holder === undefined) return 'retry';
    const id = parseId(holder);
    const stale = id === undefined || !isAlive(id) || holder === content; // ours but not held: leaked
    if (!stale) return 'busy';
    serialise(() => {
      if (readOr(file) === holder) fs.rmSync(file, { force: true });
    });
    return 'retry';
  }

  function releaser(file: string): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      heldHere.delete(file);
      if (readOr(file) === content) fs.rmSync(file, { force: true });
    };
  }

  return {
    acquire(name) {
      const file = path.join(dir, `${name}.lock`);
      for (let i = 0; ; i++) {
        const r = attempt(file);
        if (r === 'ok') return releaser(file);
        if (r === 'busy') sleepSync(Math.min(1 + i * 2, 50));
      }
    },
    tryAcquire(name) {
      const file = path.join(dir, `${name}.lock`);
      for (;;) {
        const r = attempt(file);
        if (r === 'ok') return releaser(file);
        if (r === 'busy') return undefined;
      }
    },
  };
}

/** Removes lock temp files left by dead processes. */
export function cleanLockTemps(dir: string): void {
  for (const f of fs.readdirSync(dir)) {
    const m = /^\.tmp-(\d+)-/.exec(f);
    if (m && !isAlive({ pid: Number(m[1]), start: '' })) fs.rmSync(path.join(dir, f), { force: true });
  }
}
