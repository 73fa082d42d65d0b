/**
 * Arguments of `m PROJECT [options] [OUTPUT [ARGS…]]`: options come before OUTPUT (`m` also takes
 * the global ones before PROJECT, cli.ts); everything after OUTPUT belongs to the output's script.
 */
import { PROJECT_FORMS } from './project-source';

/** makes' name of the output that stands for all the others (`m . /__all__` builds them all). */
export const ALL_OUTPUTS = '/__all__';

export interface MakesOptions {
  project: string;
  output?: string;
  scriptArgs: string[];
  json: boolean;
  /** 0 quiet, 1 normal, 2+ verbose (build logs). */
  verbosity: number;
  store?: string;
  jobs?: number;
  showTrace: boolean;
  noCache: boolean;
  /** Write a container image output's archive to stdout instead of storing it. */
  stream: boolean;
  help: boolean;
}

export class MakesUsageError extends Error {}

export function parseMakesArgs(project: string, args: readonly string[]): MakesOptions {
  const o: MakesOptions = { project, scriptArgs: [], json: false, verbosity: 1, showTrace: false, noCache: false, stream: false, help: false };
  let i = 0;
  const value = (flag: string): string => {
    const v = args[++i];
    if (v === undefined) throw new MakesUsageError(`flag '${flag}' requires an argument`);
    return v;
  };
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    switch (a) {
      case '--json':
        o.json = true;
        break;
      case '-v':
      case '--verbose':
        o.verbosity++;
        break;
      case '-q':
      case '--quiet':
        o.verbosity = 0;
        break;
      case '--store':
        o.store = value(a);
        break;
      case '-j':
      case '--jobs': {
        const v = value(a);
        const n = v === 'auto' ? undefined : Number(v);
        if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new MakesUsageError(`'${v}' is not a valid number of jobs`);
        o.jobs = n;
        break;
      }
      case '--show-trace':
        o.showTrace = true;
        break;
      case '--no-eval-cache':
        o.noCache = true;
        break;
      case '--stream':
        o.stream = true;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new MakesUsageError(`unrecognised flag '${a}'`);
    }
  }
  if (i < args.length) {
    o.output = args[i]!;
    o.scriptArgs = args.slice(i + 1);
  }
  return o;
}

export const MAKES_HELP = `Usage: m PROJECT [options] [OUTPUT [ARGS...]]

Evaluate and build OUTPUT of the makes project PROJECT. A script output (makeScript) then runs with
ARGS and m exits with its exit code; any other output's store path is printed. Outputs are the
main.nix files under makes/ (makes/foo/main.nix is /foo) and those makes.nix defines (jobs, …);
${ALL_OUTPUTS} builds every output and prints each with its store path. Without OUTPUT: on a
terminal, a picker (type to filter, arrows to select, Enter to run, Esc to cancel), else the list
of outputs.

PROJECT is one of:
${PROJECT_FORMS}

Options (before OUTPUT; also before PROJECT: --store, -j, -q, -v):
  --json               with no OUTPUT, print the outputs as JSON
  -v, --verbose        show build logs
  -q, --quiet          show errors only
  -j, --jobs N         parallel builds (default: number of CPUs)
  --store DIR          physical store directory (default: $M_STORE, else store/ beside the
                       nearest makes/ or .git, else ~/.cache/m/store)
  --show-trace         show the evaluation trace of errors
  --no-eval-cache      evaluate even when nothing the last evaluation read has changed
  --stream             write a container image output's archive to stdout without storing
                       it (m . /image --stream | podman load)
`;
