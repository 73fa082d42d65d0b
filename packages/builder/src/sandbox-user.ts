/**
 * The host identity a build runs as when m runs as root: one dedicated unprivileged uid/gid per
 * concurrent build, from Nix's auto-allocate-uids range (872415232 + slot), held through a lock
 * file per slot. The lock file holds "<pid> <start time> <token>"; a holder that no longer runs
 * leaves a stale lock, which the next allocation breaks. Processes of a released uid cannot
 * outlive their build: the build's PID namespace dies with it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';

/** First host uid/gid of the pool (Nix's start-id). */
export const BUILD_UID_BASE = 872415232;
/** Number of slots, i.e. concurrent root builds on one machine. */
export const BUILD_UID_SLOTS = 256;
/** Where the slot locks live (the host's, shared by every store). */
export const BUILD_USER_LOCK_DIR = '/run/m/build-users';

export interface BuildUser {
  uid: number;
  gid: number;
  release(): void;
}

/** True when builds must drop to a pool identity (m runs as root). */
export function needsBuildUser(): boolean {
  return process.geteuid?.() === 0;
}

const heldHere = new Set<number>();

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return rest[19] ?? '';
  } catch {
    return undefined;
  }
}

/** Whether the lock text names a live holder (this process: only if the slot is held here). */
function isLive(text: string, slot: number): boolean {
  const m = /^(\d+) (\d+) /.exec(text);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return heldHere.has(slot);
  return startTimeOf(pid) === m[2];
}

function tryTake(dir: string, slot: number, content: string): boolean {
  const lock = path.join(dir, String(slot));
  const tmp = path.join(dir, `.new-${slot}-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  try {
    for (let i = 0; i < 2; i++) {
      try {
        fs.linkSync(tmp, lock); // atomic: fails when the slot is taken
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let text: string;
      try {
        text = fs.readFileSync(lock, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (isLive(text, slot)) return false;
      // Stale: move it aside, and only discard it if it is still the one judged stale.
      const aside = `${tmp}.stale`;
      try {
        fs.renameSync(lock, aside);
      } catch {
        continue;
      }
      if (fs.readFileSync(aside, 'utf8') !== text) {
        try {
          fs.linkSync(aside, lock);
        } catch {
          /* a new holder took it; that one wins */
        }
        fs.rmSync(aside, { force: true });
        return false;
      }
      fs.rmSync(aside, { force: true });
    }
    return false;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Takes a free slot; `fallbackDir` is used when the host lock directory cannot be created. */
export function acquireBuildUser(fallbackDir: string): BuildUser {
  let dir = BUILD_USER_LOCK_DIR;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    dir = fallbackDir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const token = randomBytes(8).toString('hex');
  const content = `${process.pid} ${startTimeOf(process.pid) ?? ''} ${token}\n`;
  for (let slot = 0; slot < BUILD_UID_SLOTS; slot++) {
    if (heldHere.has(slot) || !tryTake(dir, slot, content)) continue;
    heldHere.add(slot);
    const lock = path.join(dir, String(slot));
    const id = BUILD_UID_BASE + slot;
    let released = false;
    return {
      uid: id,
      gid: id,
      release() {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lock, 'utf8') === content) fs.rmSync(lock, { force: true });
        } catch {
          /* already gone */
        }
        heldHere.delete(slot);
      },
    };
  }
  throw new MError('BUILD_FAILED', `all ${BUILD_UID_SLOTS} build users are in use (lock files in '${dir}')`);
}
