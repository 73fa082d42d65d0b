/**
 * Building an output with realise. Images (makeContainerImage, `builtin:m-container-image`) are
 * ordinary derivations that realise builds with m's builtin builder (@m/realise builtin-image.ts),
 * whether they are the requested output or an input of another derivation; their progress lines
 * (`Creating layer 1 from paths: …`) are routed to `onImageEvent`. `streamOutput` writes an image
 * derivation's archive to a file descriptor instead (dockerTools' streamLayeredImage): its inputs are
 * built and registered, the archive itself is never stored.
 */
import { rmSync } from 'node:fs';
import { MError, isMError } from '@m/core';
import { buildImage, checkContainerConfig, IMAGE_BUILDER } from '@m/image';
import { type RealiseEvent, type RealiseOptions, imageBuildOptions, readStoreDerivation, realise } from '@m/realise';
import type { Store } from '@m/store';

export { IMAGE_BUILDER };

export interface BuildOutputOptions {
  store: Store;
  jobs?: number;
  onEvent?: (e: RealiseEvent) => void;
  /** A progress line of an image derivation (`Creating layer 1 from paths: …`, `warning: …`). */
  onImageEvent?: (e: { message: string }) => void;
  /** The makes output being built (`/image`), named in config errors. */
  output?: string;
  /** Aborts the builds (SIGINT/SIGTERM): they are killed and cleaned up. */
  signal?: AbortSignal;
  /** Binary-cache substitution, tried before building (realise's option). */
  substitute?: RealiseOptions['substitute'];
}

/** The config of an image derivation is checked before anything is built, naming the output. */
function checkImageConfig(store: Store, drvPath: string, output: string | undefined): void {
  const drv = readStoreDerivation(store, drvPath);
  if (drv.builder !== IMAGE_BUILDER) return;
  try {
    checkContainerConfig(JSON.parse(drv.env.get('config') ?? '{}'));
  } catch (e) {
    if (!isMError(e)) throw new MError('BAD_ARGUMENT', `the config of '${drvPath}' is not JSON`);
    const where = output === undefined ? `'${drvPath}'` : `output '${output}'`;
    throw new MError(e.code, `${e.message} (in ${where})`, { hint: e.hint, cause: e });
  }
}

function realiseOptions(opts: BuildOutputOptions): RealiseOptions {
  const { store } = opts;
  const images = new Map<string, boolean>();
  const isImage = (p: string): boolean => {
    let v = images.get(p);
    if (v === undefined) images.set(p, (v = readStoreDerivation(store, p).builder === IMAGE_BUILDER));
    return v;
  };
  return {
    store,
    jobs: opts.jobs,
    signal: opts.signal,
    substitute: opts.substitute,
    onEvent: (e) => {
      if (e.type === 'log' && isImage(e.drvPath)) opts.onImageEvent?.({ message: e.line });
      else opts.onEvent?.(e);
    },
  };
}

/** Builds `drvPath` (all outputs) unless they are valid already. */
export async function buildOutput(drvPath: string, opts: BuildOutputOptions): Promise<void> {
  checkImageConfig(opts.store, drvPath, opts.output);
  await realise([drvPath], realiseOptions(opts));
}

/** Streams the archive of image derivation `drvPath` to `fd` (after building its inputs); nothing is registered. */
export async function streamOutput(drvPath: string, fd: number, opts: BuildOutputOptions): Promise<void> {
  const { store } = opts;
  const drv = readStoreDerivation(store, drvPath);
  if (drv.builder !== IMAGE_BUILDER)
    throw new MError('BAD_ARGUMENT', `${opts.output === undefined ? `'${drvPath}'` : `output '${opts.output}'`} is not a container image, so it cannot be streamed`, {
      hint: '--stream writes the archive of a makeContainerImage output to stdout',
    });
  checkImageConfig(store, drvPath, opts.output);
  const inputs = [...drv.inputDrvs.keys()];
  if (inputs.length > 0) await realise(inputs, realiseOptions(opts));
  const tmp = store.makeTempDir();
  try {
    const o = imageBuildOptions(
      { store, loadDrv: (p) => readStoreDerivation(store, p), onLog: (line) => opts.onImageEvent?.({ message: line }) },
      drvPath,
      drv,
      tmp,
    );
    await buildImage({ ...o, outFd: fd });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
