/**
 * Finds places where committed tests and scripts read absolute host paths that a clean machine
 * lacks. Allowed: installed tools and system files (/usr, /bin, /sbin, /lib, /lib64, /etc, /dev,
 * /proc, /sys), temp paths the same file creates itself (mkdir/write/mkdtemp of that path), and
 * lines marked `host-path-ok` (a test checking that nothing appeared on the host, e.g. in /tmp).
 */
const READ_CALLS =
  'readFileSync|readFile|createReadStream|statSync|lstatSync|existsSync|readdirSync|openSync|accessSync|copyFileSync|cpSync|realpathSync|readlinkSync|opendirSync';
const CREATE_CALLS = 'mkdirSync|mkdtempSync|writeFileSync|mkdir|writeFile';
const SYSTEM_ROOTS = new Set(['usr', 'bin', 'sbin', 'lib', 'lib64', 'etc', 'dev', 'proc', 'sys']);

export interface HostPathRead {
  line: number;
  path: string;
}

function isSystemPath(p: string): boolean {
  return SYSTEM_ROOTS.has(p.split('/')[1] ?? '');
}

/** Absolute paths this source creates itself (literal first argument of a creating call). */
function createdPaths(source: string): string[] {
  const re = new RegExp(`\\b(?:${CREATE_CALLS})\\(\\s*['"\`](/[^'"\`]*)['"\`]`, 'g');
  return [...source.matchAll(re)].map((m) => m[1]!);
}

/** `const NAME = '/abs/path'` declarations, so `readFileSync(NAME)` is resolved too. */
function literalConstants(source: string): Map<string, string> {
  const re = /\b(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=\s*['"`](\/[^'"`$]*)['"`]/g;
  return new Map([...source.matchAll(re)].map((m) => [m[1]!, m[2]!]));
}

/** Reads of absolute host paths in a TypeScript/JavaScript or shell source. */
export function findHostPathReads(source: string, kind: 'js' | 'sh'): HostPathRead[] {
  const created = createdPaths(source);
  const consts = literalConstants(source);
  const found: HostPathRead[] = [];
  const lines = source.split('\n');
  const jsRead = new RegExp(`\\b(?:${READ_CALLS})\\(\\s*(?:['"\`](/[^'"\`]*)['"\`]|([A-Za-z_$][\\w$]*))`, 'g');
  const shRead = /(?:^|[\s;|&(])(?:cat|source|\.|head|tail|grep\s+\S+)\s+(\/[^\s;|&)]+)|<\s*(\/[^\s;|&)]+)/g;
  lines.forEach((text, i) => {
    if (text.includes('host-path-ok')) return;
    const matches = kind === 'js' ? text.matchAll(jsRead) : text.matchAll(shRead);
    for (const m of matches) {
      const p = m[1] ?? (kind === 'js' ? consts.get(m[2]!) : m[2]);
      if (p === undefined || isSystemPath(p)) continue;
      if (created.some((c) => p === c || p.startsWith(`${c}/`))) continue;
      found.push({ line: i + 1, path: p });
    }
  });
  return found;
}
