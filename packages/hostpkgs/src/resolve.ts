/** Finding the host file the dynamic linker would load for a DT_NEEDED soname. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readElf } from './elf';
import { runTool } from './run';

let cache: Map<string, string[]> | undefined;

/** soname → paths from the dynamic linker cache (`ldconfig -p`), in cache order. */
function ldCache(): Map<string, string[]> {
  if (cache) return cache;
  cache = new Map();
  for (const bin of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    const r = runTool(bin, ['-p']);
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s+(\S+) \(([^)]*)\)(?: OS ABI: [^=]*)? => (\/.*)$/.exec(line);
      if (!m) continue;
      const list = cache.get(m[1]!) ?? [];
      list.push(m[3]!);
      cache.set(m[1]!, list);
    }
    break;
  }
  return cache;
}

function defaultDirs(): string[] {
  const dirs: string[] = [];
  for (const base of ['/lib', '/usr/lib']) {
    try {
      for (const d of fs.readdirSync(base)) if (/-linux-gnu/.test(d)) dirs.push(`${base}/${d}`);
    } catch {
      /* absent */
    }
  }
  return [...dirs, '/lib64', '/usr/lib64', '/lib', '/usr/lib'];
}

function matches(p: string, machine: number): boolean {
  try {
    return fs.statSync(p).isFile() && readElf(p)?.machine === machine;
  } catch {
    return false;
  }
}

export interface Requester {
  /** Host path of the object that needs the library. */
  hostPath: string;
  machine: number;
  runpath?: string;
  rpath?: string;
}

/** Host path of library `soname` as the requester would load it on the host, or undefined. */
export function resolveSoname(soname: string, req: Requester): string | undefined {
  if (soname.includes('/')) return matches(soname, req.machine) ? soname : undefined;
  const origin = path.dirname(req.hostPath);
  const own = `${req.runpath ?? ''}:${req.rpath ?? ''}`
    .split(':')
    .filter((d) => d !== '')
    .map((d) => d.replace(/\$(ORIGIN|\{ORIGIN\})/g, origin));
  for (const d of own) if (matches(path.join(d, soname), req.machine)) return path.join(d, soname);
  for (const p of ldCache().get(soname) ?? []) if (matches(p, req.machine)) return p;
  for (const d of defaultDirs()) if (matches(path.join(d, soname), req.machine)) return path.join(d, soname);
  return undefined;
}

/** Spellings of a host path dpkg may have recorded (merged /usr: with and without /usr, resolved). */
export function pathSpellings(p: string): string[] {
  const out = new Set<string>([p]);
  try {
    out.add(fs.realpathSync(p));
  } catch {
    /* dangling */
  }
  for (const q of [...out]) {
    const m = /^\/(bin|sbin|lib|lib32|lib64|libx32)(\/.*)$/.exec(q);
    if (m) out.add(`/usr/${m[1]}${m[2]}`);
    const u = /^\/usr\/(bin|sbin|lib|lib32|lib64|libx32)(\/.*)$/.exec(q);
    if (u) out.add(`/${u[1]}${u[2]}`);
  }
  return [...out];
}
