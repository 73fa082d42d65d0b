/** The builder's environment, exactly as Nix 2.8 sets it up (LocalDerivationGoal::initEnv). */
import { hashBytes, printHash } from '@m/nix-compat';
import { HOMELESS_SHELTER, type BuildRequest } from './request';

export interface BuilderEnv {
  env: Record<string, string>;
  /** Files to create in the build directory (passAsFile attributes): name → contents. */
  files: Record<string, string>;
}

/** `buildTop` is the build directory as the builder sees it (/build in the sandbox). */
export function makeBuilderEnv(req: BuildRequest, buildTop: string, hostEnv: NodeJS.ProcessEnv = process.env): BuilderEnv {
  const env: Record<string, string> = {};
  const files: Record<string, string> = {};
  env.PATH = '/path-not-set';
  env.HOME = HOMELESS_SHELTER;
  env.NIX_STORE = req.storeDir;
  env.NIX_BUILD_CORES = String(req.cores);

  const passAsFile = new Set((req.env.passAsFile ?? '').split(/[ \t\n\r]+/).filter((s) => s !== ''));
  for (const [k, v] of Object.entries(req.env)) {
    if (!passAsFile.has(k)) {
      env[k] = v;
    } else {
      const fn = `.attr-${printHash(hashBytes('sha256', k), 'base32')}`;
      files[fn] = v;
      env[`${k}Path`] = `${buildTop}/${fn}`;
    }
  }
  for (const [name, p] of Object.entries(req.outputs)) env[name] = p;

  env.NIX_BUILD_TOP = buildTop;
  env.TMPDIR = env.TEMPDIR = env.TMP = env.TEMP = buildTop;
  env.PWD = buildTop;

  if (req.fixedOutput) {
    env.NIX_OUTPUT_CHECKED = '1';
    for (const name of (req.env.impureEnvVars ?? '').split(/[ \t\n\r]+/).filter((s) => s !== ''))
      env[name] = hostEnv[name] ?? '';
  }

  env.NIX_LOG_FD = '2';
  env.TERM = 'xterm-256color';
  return { env, files };
}
