/** Command-line parsing for `m build` (the flags of nix-build 2.8 that m supports). */
import { isUsageError, type UsageError } from './instantiate-args';

export interface BuildOptions {
  /** Files (or, with -E, expressions); default ./default.nix. */
  files: string[];
  fromArgs: boolean;
  attrPaths: string[];
  autoArgs: { name: string; kind: 'expr' | 'str'; value: string }[];
  includes: string[];
  /** Parallel builds; undefined: the number of cores. */
  jobs?: number;
  /** NIX_BUILD_CORES. */
  cores?: number;
  /** Base name of the result links (default ./result); undefined with --no-out-link. */
  outLink?: string;
  keepGoing: boolean;
  timeoutSeconds?: number;
  maxSilentSeconds?: number;
  noSandbox: boolean;
  /** Do not print build logs (-Q). */
  quiet: boolean;
  showTrace: boolean;
  store?: string;
  help: boolean;
  /** Binary caches to substitute from (`--substituters`); undefined: $M_SUBSTITUTERS. */
  substituters?: string[];
  trustedPublicKeys?: string;
  requireSigs?: boolean;
  fallback?: boolean;
  connectTimeout?: number;
}

export { isUsageError };

function usage(message: string): UsageError {
  return { usage: true, message };
}

function nonNegativeInt(flag: string, s: string): number {
  if (!/^\d+$/.test(s)) throw usage(`flag '${flag}' requires an integer argument, got '${s}'`);
  return Number(s);
}

/** Settings accepted as `--option NAME VALUE` that m honours; others are ignored like unknown Nix settings. */
function applyOption(o: BuildOptions, name: string, value: string): void {
  if (name === 'sandbox' && (value === 'false' || value === 'relaxed')) o.noSandbox = true;
  else if (name === 'sandbox' && value === 'true') o.noSandbox = false;
  else if (name === 'max-jobs') o.jobs = value === 'auto' ? undefined : nonNegativeInt('--option max-jobs', value);
  else if (name === 'cores') o.cores = nonNegativeInt('--option cores', value);
  else if (name === 'keep-going') o.keepGoing = value === 'true';
  else if (name === 'timeout') o.timeoutSeconds = nonNegativeInt('--option timeout', value) || undefined;
  else if (name === 'max-silent-time') o.maxSilentSeconds = nonNegativeInt('--option max-silent-time', value) || undefined;
  else if (name === 'substituters') o.substituters = value.split(/\s+/).filter((w) => w !== '');
  else if (name === 'trusted-public-keys') o.trustedPublicKeys = value;
  else if (name === 'require-sigs') o.requireSigs = value !== 'false';
  else if (name === 'fallback') o.fallback = value === 'true';
  else if (name === 'connect-timeout') o.connectTimeout = nonNegativeInt('--option connect-timeout', value) || undefined;
}

/** Parses the arguments after `build`. Throws a UsageError for bad flags. */
export function parseBuildArgs(argv: readonly string[]): BuildOptions {
  const o: BuildOptions = {
    files: [],
    fromArgs: false,
    attrPaths: [],
    autoArgs: [],
    includes: [],
    outLink: './result',
    keepGoing: false,
    noSandbox: false,
    quiet: false,
    showTrace: false,
    help: false,
  };
  const args = [...argv];
  let dashDash = false;
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    if (dashDash || a === '-' || !a.startsWith('-')) {
      o.files.push(a);
      continue;
    }
    // `-j4`, `-Afoo`, `-ofoo`: a short flag with its value attached.
    if (/^-[jAoI].+$/.test(a)) {
      args.splice(i, 1, a.slice(0, 2), a.slice(2));
      a = args[i]!;
    }
    const take = (n: number): string[] => {
      if (i + n >= args.length) throw usage(`flag '${a}' requires ${n} argument(s)`);
      const vs = args.slice(i + 1, i + 1 + n);
      i += n;
      return vs;
    };
    switch (a) {
      case '--':
        dashDash = true;
        break;
      case '--help':
        o.help = true;
        break;
      case '-E':
      case '--expr':
        o.fromArgs = true;
        break;
      case '-A':
      case '--attr':
        o.attrPaths.push(take(1)[0]!);
        break;
      case '--arg': {
        const [name, value] = take(2);
        o.autoArgs.push({ name: name!, kind: 'expr', value: value! });
        break;
      }
      case '--argstr': {
        const [name, value] = take(2);
        o.autoArgs.push({ name: name!, kind: 'str', value: value! });
        break;
      }
      case '-I':
      case '--include':
        o.includes.push(take(1)[0]!);
        break;
      case '-j':
      case '--max-jobs': {
        const v = take(1)[0]!;
        o.jobs = v === 'auto' ? undefined : nonNegativeInt(a, v);
        break;
      }
      case '--cores':
        o.cores = nonNegativeInt(a, take(1)[0]!);
        break;
      case '-o':
      case '--out-link':
        o.outLink = take(1)[0]!;
        break;
      case '--no-out-link':
      case '--no-link':
        o.outLink = undefined;
        break;
      case '-k':
      case '--keep-going':
        o.keepGoing = true;
        break;
      case '--timeout':
        o.timeoutSeconds = nonNegativeInt(a, take(1)[0]!) || undefined;
        break;
      case '--max-silent-time':
        o.maxSilentSeconds = nonNegativeInt(a, take(1)[0]!) || undefined;
        break;
      case '--no-sandbox':
        o.noSandbox = true;
        break;
      case '--sandbox':
        o.noSandbox = false;
        break;
      case '-Q':
      case '--no-build-output':
        o.quiet = true;
        break;
      case '--show-trace':
        o.showTrace = true;
        break;
      case '--store':
        o.store = take(1)[0]!;
        break;
      case '--option': {
        const [name, value] = take(2);
        applyOption(o, name!, value!);
        break;
      }
      case '--substituters':
        o.substituters = take(1)[0]!.split(/\s+/).filter((w) => w !== '');
        break;
      case '--trusted-public-keys':
        o.trustedPublicKeys = take(1)[0]!;
        break;
      case '--no-require-sigs':
        o.requireSigs = false;
        break;
      case '--fallback':
        o.fallback = true;
        break;
      // Accepted for compatibility with nix-build; no effect in m.
      case '-v':
      case '--verbose':
      case '--quiet':
      case '-K':
      case '--keep-failed':
      case '--no-gc-warning':
      case '--indirect':
        break;
      default:
        throw usage(`unrecognised flag '${a}'`);
    }
  }
  if (o.jobs === 0) throw usage("'-j 0' (no local builds) is not supported by m: there are no remote builders");
  return o;
}
