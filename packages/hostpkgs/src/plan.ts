/**
 * Planning an import: the files of each host package laid out for the store, the ELF objects among
 * them, and which package (itself or another) provides every library, interpreter and symlink
 * target it refers to. Owner lookups are batched per breadth-first level.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type DebPackage, findOwners, listPackageFiles } from './dpkg';
import { type ElfInfo, isElfFile, readElf } from './elf';
import { layoutPath } from './layout';
import { pathSpellings, resolveSoname } from './resolve';

export const X86_64 = 62;

/** Something a file refers to, and where it is: `owner` undefined until looked up or when unknown. */
export interface Ref {
  what: 'needed' | 'interp' | 'symlink';
  /** Soname, interpreter path or raw link target. */
  name: string;
  /** Host paths to look the owner up by (first owned one wins). */
  spellings: string[];
  /** Owning package (own name for the package itself). */
  owner?: string;
  /** Store-relative path in the owner's layout. */
  rel?: string;
}

export interface Entry {
  rel: string;
  host: string;
  kind: 'file' | 'symlink';
  elf?: ElfInfo;
  refs: Ref[];
}

export interface PackagePlan {
  pkg: DebPackage;
  entries: Map<string, Entry>;
  /** Store-relative directories implied by the entries. */
  dirs: Set<string>;
  /** Packages this one refers to (its own name excluded). */
  deps: Set<string>;
  /** Messages about left-out or unresolved things. */
  notes: string[];
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** Only file targets outside the package are looked up (directories are shared by many packages). */
function isFileOrMissing(p: string): boolean {
  try {
    return !fs.statSync(p).isDirectory();
  } catch {
    return true;
  }
}

/** Lays out the package's files and finds what its ELF objects and symlinks refer to. */
export function planPackage(pkg: DebPackage): PackagePlan {
  const entries = new Map<string, Entry>();
  for (const host of listPackageFiles(pkg)) {
    const rel = layoutPath(host);
    if (!rel) continue;
    const st = lstat(host);
    if (!st || st.isDirectory() || !(st.isFile() || st.isSymbolicLink())) continue;
    const kind = st.isFile() ? 'file' : 'symlink';
    const prev = entries.get(rel);
    if (prev && (prev.kind === 'file' || kind === 'symlink')) continue;
    entries.set(rel, { rel, host, kind, refs: [] });
  }
  const dirs = new Set<string>();
  for (const rel of entries.keys()) {
    for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  }
  for (const rel of [...entries.keys()]) if (dirs.has(rel)) entries.delete(rel);

  const plan: PackagePlan = { pkg, entries, dirs, deps: new Set(), notes: [] };
  const own = (rel: string | undefined) => rel !== undefined && (entries.has(rel) || dirs.has(rel));

  for (const e of entries.values()) {
    if (e.kind === 'symlink') {
      const target = fs.readlinkSync(e.host);
      const abs = path.posix.resolve(path.posix.dirname(e.host), target);
      const rel = layoutPath(abs);
      if (rel === e.rel) continue;
      const ref: Ref = { what: 'symlink', name: target, spellings: [] };
      if (own(rel)) Object.assign(ref, { owner: pkg.name, rel });
      else if (isFileOrMissing(abs)) ref.spellings = pathSpellings(abs);
      e.refs.push(ref);
      continue;
    }
    let elf: ElfInfo | undefined;
    try {
      elf = isElfFile(e.host) ? readElf(e.host) : undefined;
    } catch {
      plan.notes.push(`cannot read ${e.host}; left out`);
      entries.delete(e.rel);
      continue;
    }
    if (!elf || !elf.dynamic || elf.machine !== X86_64) continue;
    e.elf = elf;
    const isLoader = (elf.soname ?? path.basename(e.rel)).startsWith('ld-linux');
    if (isLoader) continue;
    if (elf.interp && !elf.soname) {
      const ref: Ref = { what: 'interp', name: elf.interp, spellings: pathSpellings(elf.interp) };
      const rel = layoutPath(elf.interp);
      if (own(rel) && rel?.startsWith('lib/')) Object.assign(ref, { owner: pkg.name, rel });
      e.refs.push(ref);
    }
    for (const soname of elf.needed) {
      const found = resolveSoname(soname, { hostPath: e.host, machine: elf.machine, runpath: elf.runpath, rpath: elf.rpath });
      const ref: Ref = { what: 'needed', name: soname, spellings: found ? pathSpellings(found) : [] };
      const rel = found ? layoutPath(found) : undefined;
      if (own(rel)) Object.assign(ref, { owner: pkg.name, rel });
      else if (!found && entries.has(`lib/${soname}`)) Object.assign(ref, { owner: pkg.name, rel: `lib/${soname}` });
      e.refs.push(ref);
    }
  }
  return plan;
}

/** Fills in the owners of the plans' unresolved references (one dpkg query) and their deps. */
export function resolveOwners(plans: PackagePlan[]): void {
  const pending: Ref[] = [];
  for (const p of plans)
    for (const e of p.entries.values()) for (const r of e.refs) if (!r.owner && r.spellings.length) pending.push(r);
  const owners = findOwners(pending.flatMap((r) => r.spellings));
  for (const p of plans) {
    for (const e of p.entries.values()) {
      for (const r of e.refs) {
        if (!r.owner) {
          const s = r.spellings.find((x) => owners.has(x));
          if (s !== undefined) {
            r.owner = owners.get(s)!;
            r.rel = layoutPath(s);
          }
        }
        if (r.owner && r.owner !== p.pkg.name) p.deps.add(r.owner);
        if (!r.owner && r.what !== 'symlink') p.notes.push(`${e.rel}: ${r.what} '${r.name}' not found on the host`);
      }
    }
  }
}
