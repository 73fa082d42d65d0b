/**
 * Building an output: realise for ordinary derivations, plus m's own builder for
 * makeContainerImage (`builtin:m-container-image`): once the layers are built, @m/image writes
 * the image from their closure, and the result is registered as the derivation's output.
 * Image derivations are supported as the requested output (not as inputs of other derivations).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError, isMError } from '@m/core';
import { type ImageEvent, buildImage, checkContainerConfig } from '@m/image';
import { type RealiseEvent, type RealiseOptions, readStoreDerivation, realise } from '@m/realise';
import type { Store } from '@m/store';

export const IMAGE_BUILDER = 'builtin:m-container-image';

export interface BuildOutputOptions {
  store: Store;
  jobs?: number;
  onEvent?: (e: RealiseEvent) => void;
  onImageEvent?: (e: ImageEvent) => void;
  /** The makes output being built (`/image`), named in config errors. */
  output?: string;
  /** Aborts the builds (SIGINT/SIGTERM): they are killed and cleaned up. */
  signal?: AbortSignal;
  /** Binary-cache substitution, tried before building (realise's option). */
  substitute?: RealiseOptions['substitute'];
}

/** Builds `drvPath` (all outputs) unless they are valid already. */
export async function buildOutput(drvPath: string, opts: BuildOutputOptions): Promise<void> {
  const { store } = opts;
  const drv = readStoreDerivation(store, drvPath);
  if (drv.builder !== IMAGE_BUILDER) {
    await realise([drvPath], { store, jobs: opts.jobs, onEvent: opts.onEvent, signal: opts.signal, substitute: opts.substitute });
    return;
  }
  const out = drv.outputs.get('out')?.path;
  if (!out) throw new MError('STORE_ERROR', `derivation '${drvPath}' has no output 'out'`);
  if (store.isValid(out)) return;

  let config: Record<string, unknown>;
  try {
    config = JSON.parse(drv.env.get('config') ?? '{}') as Record<string, unknown>;
  } catch {
    throw new MError('BAD_ARGUMENT', `the config of '${drvPath}' is not JSON`);
  }
  // The config is checked before any layer is built or anything is written.
  try {
    config = checkContainerConfig(config);
  } catch (e) {
    if (!isMError(e)) throw e;
    const where = opts.output === undefined ? `'${drvPath}'` : `output '${opts.output}'`;
    throw new MError(e.code, `${e.message} (in ${where})`, { hint: e.hint, cause: e });
  }
  const inputs = [...drv.inputDrvs.keys()];
  if (inputs.length > 0) await realise(inputs, { store, jobs: opts.jobs, onEvent: opts.onEvent, signal: opts.signal, substitute: opts.substitute });

  const roots = (drv.env.get('layers') ?? '').split(/\s+/).filter((s) => s !== '');
  for (const r of roots) if (!store.isValid(r)) throw new MError('STORE_ERROR', `layer '${r}' of '${drvPath}' is not a valid store path`);
  const graph = new Map<string, string[]>();
  for (const p of store.closure(roots)) graph.set(p, store.references(p));

  const release = store.lockPaths([out]);
  try {
    if (store.isValid(out)) return;
    const tmp = store.makeTempDir();
    const file = nodePath.join(tmp, 'image.tar.gz');
    try {
      await buildImage({
        roots,
        graph,
        physicalStore: store.root,
        storeDir: store.storeDir,
        maxLayers: Number(drv.env.get('maxLayers') ?? '65'),
        config,
        arch: 'amd64',
        os: 'linux',
        tag: 'container-image:latest',
        cacheDir: nodePath.join(store.root, '.m', 'image-layer-cache'),
        onEvent: opts.onImageEvent,
        out: file,
      });
      store.registerOutputs([{ path: out, references: [], deriver: drvPath, from: file }]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    release();
  }
}
