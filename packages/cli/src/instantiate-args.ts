/**
 * Command-line parsing for `m instantiate`, following nix-instantiate 2.8's legacy argument
 * parser: compound short flags are expanded (`-Afoo` → `-A -f -o -o`, `-I/x` → `-I /x`), the
 * common Nix flags are accepted, and a bad flag yields a UsageError with Nix's own wording.
 */

export interface SearchPathEntry {
  prefix: string;
  path: string;
}

export interface InstantiateOptions {
  files: string[];
  readStdin: boolean;
  fromArgs: boolean;
  findFile: boolean;
  evalOnly: boolean;
  parseOnly: boolean;
  output: 'plain' | 'json' | 'xml';
  xmlLocation: boolean;
  strict: boolean;
  attrPaths: string[];
  readWrite: boolean;
  /** `--dry-run` / `--readonly-mode`: nothing is written to the store. */
  readOnly: boolean;
  addRoot?: string;
  noGcWarning: boolean;
  showTrace: boolean;
  /** `-I` entries in command-line order (raw, `prefix=path` or `path`). */
  includes: string[];
  /** `--arg` / `--argstr`, in order; later ones with the same name win. */
  autoArgs: { name: string; kind: 'expr' | 'str'; value: string }[];
  store?: string;
  help: boolean;
  version: boolean;
}

/** A command-line mistake: rendered as `error: MESSAGE` + a hint to use --help, exit 1. */
export interface UsageError {
  usage: true;
  message: string;
}

export function isUsageError(e: unknown): e is UsageError {
  return typeof e === 'object' && e !== null && (e as UsageError).usage === true;
}

function usageError(message: string): UsageError {
  return { usage: true, message };
}

export function defaultInstantiateOptions(): InstantiateOptions {
  return {
    files: [],
    readStdin: false,
    fromArgs: false,
    findFile: false,
    evalOnly: false,
    parseOnly: false,
    output: 'plain',
    xmlLocation: true,
    strict: false,
    attrPaths: [],
    readWrite: false,
    readOnly: false,
    noGcWarning: false,
    showTrace: false,
    includes: [],
    autoArgs: [],
    help: false,
    version: false,
  };
}

type Handler = (o: InstantiateOptions, args: string[]) => void;
interface FlagSpec {
  arity: number;
  handler: Handler;
}

const ignore: Handler = () => {};

/** Nix configuration settings that nix-instantiate accepts as `--NAME` / `--no-NAME` flags. */
const BOOL_SETTINGS = [
  'pure-eval', 'restrict-eval', 'allow-import-from-derivation', 'sandbox', 'keep-outputs',
  'keep-derivations', 'trace-function-calls', 'allow-unsafe-native-code-during-evaluation',
  'use-sqlite-wal', 'fsync-metadata', 'print-missing', 'warn-dirty', 'accept-flake-config',
  'auto-optimise-store', 'require-sigs', 'substitute', 'builders-use-substitutes', 'keep-env-derivations',
];
/** Nix configuration settings that take one value as `--NAME VALUE`. */
const VALUE_SETTINGS = [
  'system', 'extra-platforms', 'allowed-uris', 'extra-allowed-uris', 'builders', 'substituters',
  'extra-substituters', 'trusted-public-keys', 'extra-trusted-public-keys', 'experimental-features',
  'extra-experimental-features', 'build-users-group', 'max-build-log-size', 'nix-path', 'tarball-ttl',
  'system-features', 'extra-system-features', 'connect-timeout', 'stalled-download-timeout',
  'netrc-file', 'max-free', 'min-free', 'build-dir', 'sandbox-paths', 'extra-sandbox-paths',
];

function buildFlagTables(): { long: Map<string, FlagSpec>; short: Map<string, FlagSpec> } {
  const long = new Map<string, FlagSpec>();
  const short = new Map<string, FlagSpec>();
  const add = (name: string, shortName: string | undefined, arity: number, handler: Handler = ignore) => {
    const spec = { arity, handler };
    long.set(name, spec);
    if (shortName) short.set(shortName, spec);
  };
  // Common Nix flags (logging, settings).
  add('verbose', 'v', 0);
  add('quiet', undefined, 0);
  add('debug', undefined, 0);
  add('option', undefined, 2);
  add('log-format', undefined, 1);
  add('max-jobs', 'j', 1);
  add('show-trace', undefined, 0, (o) => { o.showTrace = true; });
  add('no-show-trace', undefined, 0, (o) => { o.showTrace = false; });
  for (const s of BOOL_SETTINGS) {
    add(s, undefined, 0);
    add(`no-${s}`, undefined, 0);
  }
  for (const s of VALUE_SETTINGS) add(s, undefined, 1);
  // Legacy-command flags.
  add('no-build-output', 'Q', 0);
  add('keep-failed', 'K', 0);
  add('keep-going', 'k', 0);
  add('fallback', undefined, 0);
  add('cores', undefined, 1);
  add('max-silent-time', undefined, 1);
  add('timeout', undefined, 1);
  add('readonly-mode', undefined, 0, (o) => { o.readOnly = true; });
  add('no-gc-warning', undefined, 0, (o) => { o.noGcWarning = true; });
  add('store', undefined, 1, (o, [dir]) => { o.store = dir; });
  // Evaluation flags.
  add('arg', undefined, 2, (o, [name, expr]) => { o.autoArgs.push({ name: name!, kind: 'expr', value: expr! }); });
  add('argstr', undefined, 2, (o, [name, s]) => { o.autoArgs.push({ name: name!, kind: 'str', value: s! }); });
  add('include', 'I', 1, (o, [p]) => { o.includes.push(p!); });
  add('impure', undefined, 0);
  add('override-flake', undefined, 2);
  add('eval-store', undefined, 1);
  return { long, short };
}

const TABLES = buildFlagTables();

function isAlpha(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}

/** Expands `-abc` into `-a -b -c` and `-j3` into `-j 3`, as Nix does. */
function expandCompound(arg: string): string[] {
  const out = ['-' + arg[1]];
  for (let j = 2; j < arg.length; j++) {
    if (isAlpha(arg[j])) out.push('-' + arg[j]);
    else {
      out.push(arg.slice(j));
      break;
    }
  }
  return out;
}

/**
 * nix-instantiate's own arguments (the ones not handled by the common tables). Returns the new
 * index past the consumed arguments, or -1 when `args[i]` is not recognised.
 */
function parseOwnArg(o: InstantiateOptions, args: string[], i: number): number {
  const arg = args[i]!;
  const value = (): string => {
    if (i + 1 >= args.length) throw usageError(`'${arg}' requires an argument`);
    return args[i + 1]!;
  };
  switch (arg) {
    case '--help': o.help = true; return i + 1;
    case '--version': o.version = true; return i + 1;
    case '-': o.readStdin = true; return i + 1;
    case '--expr': case '-E': o.fromArgs = true; return i + 1;
    case '--eval': case '--eval-only': o.evalOnly = true; return i + 1;
    case '--read-write-mode': o.readWrite = true; return i + 1;
    case '--parse': case '--parse-only': o.parseOnly = true; o.evalOnly = true; return i + 1;
    case '--find-file': o.findFile = true; return i + 1;
    case '--attr': case '-A': o.attrPaths.push(value()); return i + 2;
    case '--add-root': o.addRoot = value(); return i + 2;
    case '--indirect': return i + 1;
    case '--xml': o.output = 'xml'; return i + 1;
    case '--json': o.output = 'json'; return i + 1;
    case '--no-location': o.xmlLocation = false; return i + 1;
    case '--strict': o.strict = true; return i + 1;
    case '--repair': return i + 1;
    case '--dry-run': o.readOnly = true; return i + 1;
  }
  if (arg !== '' && arg[0] === '-') return -1;
  o.files.push(arg);
  return i + 1;
}

function processFlag(o: InstantiateOptions, args: string[], i: number): number {
  const arg = args[i]!;
  let spec: FlagSpec | undefined;
  let name = arg;
  if (arg.startsWith('--')) spec = TABLES.long.get(arg.slice(2));
  else if (arg.length === 2) {
    spec = TABLES.short.get(arg[1]!);
  }
  if (spec) {
    const params = args.slice(i + 1, i + 1 + spec.arity);
    if (params.length < spec.arity) throw usageError(`flag '${name}' requires ${spec.arity} argument(s)`);
    spec.handler(o, params);
    return i + 1 + spec.arity;
  }
  return parseOwnArg(o, args, i);
}

/** Parses the arguments after `instantiate`. Throws a UsageError for bad flags. */
export function parseInstantiateArgs(argv: readonly string[]): InstantiateOptions {
  const o = defaultInstantiateOptions();
  const args = [...argv];
  let dashDash = false;
  let i = 0;
  while (i < args.length) {
    let arg = args[i]!;
    if (!dashDash && arg.length > 2 && arg[0] === '-' && arg[1] !== '-' && isAlpha(arg[1])) {
      args.splice(i, 1, ...expandCompound(arg));
      arg = args[i]!;
    }
    if (!dashDash && arg === '--') {
      dashDash = true;
      i++;
    } else if (!dashDash && arg.startsWith('-')) {
      const next = processFlag(o, args, i);
      if (next < 0) throw usageError(`unrecognised flag '${arg}'`);
      i = next;
    } else {
      // Positional arguments are handed one at a time to nix-instantiate's own parser.
      if (parseOwnArg(o, [arg], 0) < 0) throw usageError(`unexpected argument '${arg}'`);
      i++;
    }
  }
  return o;
}

/** Splits NIX_PATH at colons, keeping `prefix=scheme://…` URIs whole, as Nix does. */
export function parseNixPathVar(s: string): string[] {
  const res: string[] = [];
  let p = 0;
  while (p < s.length) {
    const start = p;
    let start2 = p;
    while (p < s.length && s[p] !== ':') {
      if (s[p] === '=') start2 = p + 1;
      p++;
    }
    if (p >= s.length) {
      if (p !== start) res.push(s.slice(start, p));
      break;
    }
    if (isUri(s.slice(start2))) {
      p++;
      while (p < s.length && s[p] !== ':') p++;
    }
    res.push(s.slice(start, p));
    if (p >= s.length) break;
    p++;
  }
  return res;
}

export function isUri(s: string): boolean {
  if (s.startsWith('channel:')) return true;
  const pos = s.indexOf('://');
  if (pos < 0) return false;
  return ['http', 'https', 'file', 'channel', 'git', 's3', 'ssh'].includes(s.slice(0, pos));
}

/** `prefix=path` or `path` → a search path entry (split at the first `=`). */
export function toSearchPathEntry(s: string): SearchPathEntry {
  const eq = s.indexOf('=');
  return eq < 0 ? { prefix: '', path: s } : { prefix: s.slice(0, eq), path: s.slice(eq + 1) };
}
