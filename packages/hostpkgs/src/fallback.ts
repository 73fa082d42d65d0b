/**
 * Hosts without dpkg: a program found on PATH plus the libraries `ldd` reports. The C library
 * (loader, libc, libm, …) becomes one store path `glibc-host`, the program and its other
 * libraries another, `<name>-host`, patched like dpkg imports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError } from '@m/core';
import type { Store } from '@m/store';
import { buildUnit } from './build';
import { type ElfInfo, readElf } from './elf';
import type { HostPkgEvent } from './import';
import type { Entry, PackagePlan, Ref } from './plan';
import { runTool } from './run';

const GLIBC = /^(ld-linux|ld64|libc\.so|libm\.so|libmvec\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libutil\.so|libanl\.so|libnss_|libBrokenLocale\.so|libthread_db\.so)/;
const GLIBC_PKG = 'glibc-host';

function which(name: string): string | undefined {
  if (!/^[A-Za-z0-9+._-]+$/.test(name)) return undefined;
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** soname → host path of everything the dynamic linker loads for `file` (the loader included). */
function lddLibraries(file: string): Map<string, string> {
  const r = runTool('ldd', [file]);
  const libs = new Map<string, string>();
  if (r.status !== 0) return libs; // static programs: nothing to add
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\S+) => (\/\S+) \(0x/.exec(line) ?? /^\s*(\/\S+) \(0x/.exec(line);
    if (!m) continue;
    const target = m[2] ?? m[1]!;
    libs.set(path.basename(m[2] ? m[1]! : m[1]!), target);
  }
  return libs;
}

function plan(name: string, version: string): PackagePlan {
  return { pkg: { name, version, architecture: process.arch, source: name }, entries: new Map(), dirs: new Set(['lib', 'bin']), deps: new Set(), notes: [] };
}

function entry(rel: string, host: string, elf: ElfInfo | undefined, owners: Map<string, string>, loader?: string): Entry {
  const refs: Ref[] = [];
  if (elf?.interp && !elf.soname && loader) refs.push({ what: 'interp', name: elf.interp, spellings: [], owner: GLIBC_PKG, rel: `lib/${loader}` });
  for (const soname of elf?.needed ?? []) {
    const owner = owners.get(soname);
    refs.push({ what: 'needed', name: soname, spellings: [], owner, rel: owner ? `lib/${soname}` : undefined });
  }
  return { rel, host, kind: 'file', elf, refs };
}

export function importFromPath(store: Store, name: string, emit: (e: HostPkgEvent) => void): string {
  const prog = which(name);
  if (!prog) throw new MError('MISSING_ATTR', `host package '${name}' is not installed (no dpkg database, and no program '${name}' on PATH)`);
  const real = fs.realpathSync(prog);
  const libs = lddLibraries(real);
  const owners = new Map<string, string>();
  for (const soname of libs.keys()) owners.set(soname, GLIBC.test(soname) ? GLIBC_PKG : name);
  const loader = [...libs.keys()].find((s) => s.startsWith('ld-'));

  const glibc = plan(GLIBC_PKG, 'host');
  const own = plan(name, 'host');
  // Libraries' own needs are resolved through the same ldd listing (it is transitive).
  for (const [soname, host] of libs) {
    const file = fs.realpathSync(host);
    const elf = readElf(file);
    const p = owners.get(soname) === GLIBC_PKG ? glibc : own;
    const isLoader = soname === loader;
    p.entries.set(`lib/${soname}`, isLoader ? { rel: `lib/${soname}`, host: file, kind: 'file', refs: [] } : entry(`lib/${soname}`, file, elf, owners));
  }
  own.entries.set(`bin/${name}`, entry(`bin/${name}`, real, readElf(real), owners, loader));
  for (const e of own.entries.values()) for (const r of e.refs) if (r.owner === GLIBC_PKG) own.deps.add(GLIBC_PKG);

  const deps = new Map<string, string>();
  if (glibc.entries.size > 0) {
    const g = buildUnit(store, GLIBC_PKG, [glibc], deps);
    deps.set(GLIBC_PKG, g.storePath);
    emit({ kind: 'imported', package: GLIBC_PKG, storePath: g.storePath, patched: g.patched, ms: 0 });
  }
  const r = buildUnit(store, `${name}-host`, [own], deps);
  emit({ kind: 'imported', package: `${name}-host`, storePath: r.storePath, patched: r.patched, ms: 0 });
  return r.storePath;
}
