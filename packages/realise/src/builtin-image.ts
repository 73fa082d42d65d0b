/**
 * m's builtin builder for images (`builtin:m-container-image`, @m/image's derivation.ts): the
 * image is written by @m/image, in this process, from the derivation's environment and its input
 * closure only (the store paths the derivation depends on, with their references), like Nix's own
 * builtin builders. Progress lines (`Creating layer 1 from paths: …`, warnings) go to `onLog`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ImageEvent, IMAGE_BUILDER, archiveSuffix, buildImage, imageOptionsFromEnv } from '@m/image';
import { type Derivation, isStorePath } from '@m/nix-compat';
import type { Store } from '@m/store';
import { makeBuildRequest, outputPaths } from './build-request';

export { IMAGE_BUILDER };

/** Builtin builders this machine runs. */
export const BUILTIN_BUILDERS: ReadonlySet<string> = new Set([IMAGE_BUILDER]);

export interface ImageBuildContext {
  store: Store;
  loadDrv(p: string): Derivation;
  onLog(line: string): void;
  /** Called with each event, besides its line going to onLog. */
  onEvent?: (e: ImageEvent) => void;
}

const lineOf = (e: ImageEvent): string => (e.type === 'warning' ? `warning: ${e.message}` : e.message);

/** The buildImage options of an image derivation, with its input closure as reference graph. */
export function imageBuildOptions(ctx: ImageBuildContext, drvPath: string, drv: Derivation, tempDir: string) {
  const { store } = ctx;
  const req = makeBuildRequest(store, drvPath, drv, ctx.loadDrv, tempDir, { cores: 1 });
  const graph = new Map<string, string[]>();
  for (const p of req.inputPaths) graph.set(p, store.references(p));
  const fromEnv = imageOptionsFromEnv(drv.env, drvPath, {
    storeDir: store.storeDir,
    isStorePath: (p) => isStorePath(p, store.storeDir) && graph.has(p),
    physicalOf: (p) => path.join(store.root, p.slice(store.storeDir.length + 1)),
  });
  return {
    ...fromEnv,
    graph,
    physicalStore: store.root,
    cacheDir: path.join(store.root, '.m', 'image-layer-cache'),
    tmpDir: tempDir,
    onEvent: (e: ImageEvent) => {
      ctx.onEvent?.(e);
      ctx.onLog(lineOf(e));
    },
  };
}

/** Builds the image into `tempDir`; returns what runBuild would (output → physical file, no references). */
export async function runImageBuilder(
  ctx: ImageBuildContext,
  drvPath: string,
  drv: Derivation,
  tempDir: string,
): Promise<{ outputs: Record<string, string>; references: Record<string, string[]> }> {
  // The progress lines are the build log (`m log`), as a sandboxed builder's output would be.
  const logFile = ctx.store.logPath(drvPath);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '');
  const opts = imageBuildOptions(
    { ...ctx, onLog: (line) => (fs.appendFileSync(logFile, `${line}\n`), ctx.onLog(line)) },
    drvPath,
    drv,
    tempDir,
  );
  const outs = outputPaths(drvPath, drv);
  const file = path.join(tempDir, `image${archiveSuffix(opts.compression ?? 'gzip')}`);
  await buildImage({ ...opts, out: file });
  return { outputs: Object.fromEntries(Object.keys(outs).map((n) => [n, file])), references: Object.fromEntries(Object.keys(outs).map((n) => [n, []])) };
}
