/**
 * The host identity a build runs as when m runs as root: one dedicated unprivileged uid/gid per
 * concurrent build, from Nix's auto-allocate-uids range (872415232 + slot; in a container whose
 * user namespace lacks it, the top of its id map), held through a lock
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
/** Lowest base accepted when the pool must move (below: system and login users). */
const MIN_BASE = 1000;
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

/** [first id, count] ranges of a /proc/<pid>/{uid,gid}_map, as seen inside. */
function mappedRanges(map: string): [number, number][] {
  return map.trim().split('\n').filter((l) => l.trim() !== '').map((l) => {
    const [inside, , count] = l.trim().split(/\s+/).map(Number);
    return [inside!, count!];
  });
}

/**
 * The pool's first id: Nix's start-id when this user namespace maps it (the initial namespace
 * does), else the top of the largest range both maps share, below the nobody ids (root of a
 * container with a 65536-id map); undefined when no such range has room.
 */
export function poolBase(uidMap: string, gidMap: string): number | undefined {
  const inAll = (lo: number, hi: number): boolean =>
    [uidMap, gidMap].every((m) => mappedRanges(m).some(([first, n]) => lo >= first && hi <= first + n));
  if (inAll(BUILD_UID_BASE, BUILD_UID_BASE + BUILD_UID_SLOTS)) return BUILD_UID_BASE;
  let best: number | undefined;
  for (const [first, n] of mappedRanges(uidMap)) {
    const top = Math.min(first + n, 65534);
    const base = top - BUILD_UID_SLOTS;
    if (base >= MIN_BASE && inAll(base, top) && (best === undefined || base > best)) best = base;
  }
  return best;
}

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
export function acquireBuildUser(fallbackDir: string, lockDir = BUILD_USER_LOCK_DIR): BuildUser {
  const base = poolBase(fs.readFileSync('/proc/self/uid_map', 'utf8'), fs.readFileSync('/proc/self/gid_map', 'utf8'));
  if (base === undefined)
    throw new MError('BUILD_FAILED', `cannot build as root: this user namespace maps no ${BUILD_UID_SLOTS} unprivileged ids for build users`, {
      hint: 'run m as an unprivileged user, or give the container a larger uid/gid map',
    });
  let dir = lockDir;
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
    const id = base + slot;
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
