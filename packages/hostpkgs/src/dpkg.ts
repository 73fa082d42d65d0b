/** Queries of the host's dpkg database (Debian and derivatives), all synchronous. */
import * as fs from 'node:fs';
import { runTool } from './run';

export const DPKG_ADMIN = '/var/lib/dpkg';

export interface DebPackage {
  /** Package name without architecture qualifier (`libc6`). */
  name: string;
  /** Debian version (`2.36-9+deb12u14`). */
  version: string;
  architecture: string;
  /** Source package name (`glibc`). */
  source: string;
}

function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number } {
  const r = runTool(cmd, args, { maxBuffer: 256 * 1024 * 1024, mustStart: true });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? 1 };
}

let dpkgPresent: boolean | undefined;
/** True when the host has a dpkg database and dpkg-query. */
export function hasDpkg(): boolean {
  if (dpkgPresent === undefined) {
    try {
      dpkgPresent = fs.existsSync(`${DPKG_ADMIN}/status`) && run('dpkg-query', ['--version']).status === 0;
    } catch {
      dpkgPresent = false;
    }
  }
  return dpkgPresent;
}

let nativeArch: string | undefined;
export function dpkgArchitecture(): string {
  nativeArch ??= run('dpkg', ['--print-architecture']).stdout.trim();
  return nativeArch;
}

/** Modification time of dpkg's status file: any install or removal changes it. */
export function dpkgStatusStamp(): number {
  return fs.statSync(`${DPKG_ADMIN}/status`).mtimeMs;
}

/** Installed packages among `names` (missing or not-installed names are absent from the map). */
export function queryPackages(names: string[]): Map<string, DebPackage> {
  const out = new Map<string, DebPackage>();
  if (names.length === 0) return out;
  const fmt = '${Package}\t${Version}\t${Architecture}\t${source:Package}\t${db:Status-Status}\n';
  const r = run('dpkg-query', ['-W', `-f=${fmt}`, '--', ...names]);
  const native = dpkgArchitecture();
  for (const line of r.stdout.split('\n')) {
    const [name, version, architecture, source, status] = line.split('\t');
    if (!name || status !== 'installed' || !version || !architecture) continue;
    const prev = out.get(name);
    // Prefer the native architecture when several are installed (multiarch).
    if (prev && (prev.architecture === native || architecture !== native)) continue;
    out.set(name, { name, version, architecture, source: source || name });
  }
  return out;
}

/** The paths dpkg installed for `pkg` (the .list file, else `dpkg -L`). */
export function listPackageFiles(pkg: DebPackage): string[] {
  for (const f of [`${pkg.name}:${pkg.architecture}.list`, `${pkg.name}.list`]) {
    try {
      return fs.readFileSync(`${DPKG_ADMIN}/info/${f}`, 'utf8').split('\n').filter((l) => l.startsWith('/'));
    } catch {
      /* try the next name */
    }
  }
  const r = run('dpkg', ['-L', pkg.name]);
  return r.stdout.split('\n').filter((l) => l.startsWith('/'));
}

/** Owning package name (architecture qualifier dropped) of each of `paths` dpkg knows. */
export function findOwners(paths: Iterable<string>): Map<string, string> {
  const list = [...new Set(paths)];
  const out = new Map<string, string>();
  if (list.length === 0) return out;
  const r = run('dpkg-query', ['-S', '--', ...list]);
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('diversion by')) continue;
    const i = line.indexOf(': /');
    if (i < 0) continue;
    const first = line.slice(0, i).split(', ')[0]!;
    out.set(line.slice(i + 2), first.replace(/:[^:]*$/, ''));
  }
  return out;
}

/** Names of all installed packages (for suggestions). */
export function allPackageNames(): string[] {
  const r = run('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Status}\n']);
  return r.stdout
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f[1] === 'installed')
    .map((f) => f[0]!);
}
