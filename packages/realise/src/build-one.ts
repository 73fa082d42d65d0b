/**
 * One derivation: lock its outputs, re-check them, build in the sandbox (streaming its log to the
 * store's log file), check the result (fixed-output hashes, cycles, Nix's output checks), and
 * register the outputs with their references and deriver in one transaction. A failed check
 * registers nothing.
 */
import * as fs from 'node:fs';
import { runBuild } from '@m/builder';
import { MError } from '@m/core';
import { type Derivation, isFixedOutputDerivation } from '@m/nix-compat';
import type { PathRegistration, Store } from '@m/store';
import { type RequestSettings, makeBuildRequest, outputPaths } from './build-request';
import { checkFixedOutput } from './fixed-output';
import { type BuiltOutput, checkOutputs } from './output-checks';
import { checkOutputCycles } from './output-cycles';
import { lockOutputs } from './output-locks';
import { runImageBuilder } from './builtin-image';
import { checkCanBuild, isBuiltin } from './platform';

export interface BuildOneContext {
  store: Store;
  settings: RequestSettings;
  loadDrv(p: string): Derivation;
  signal: AbortSignal;
  /** Called once the locks are held and the build really starts; returns nothing. */
  onStart(): void;
  onLog(line: string): void;
}

/** 'built' when this call built it; 'valid' when the outputs were (or became) valid meanwhile. */
export type BuildOneOutcome = 'built' | 'valid';

/** Removes a tree even when the builder left read-only directories in it. */
export function removeTree(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    const fix = (q: string): void => {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(q);
      } catch {
        return;
      }
      if (!st.isDirectory()) return;
      fs.chmodSync(q, 0o755);
      for (const e of fs.readdirSync(q)) fix(`${q}/${e}`);
    };
    fix(p);
    fs.rmSync(p, { recursive: true, force: true });
  }
}

export async function buildOne(ctx: BuildOneContext, drvPath: string, drv: Derivation): Promise<BuildOneOutcome> {
  const { store } = ctx;
  const outs = outputPaths(drvPath, drv);
  const paths = Object.values(outs);
  const allValid = (): boolean => paths.every((p) => store.isValid(p));
  if (allValid()) return 'valid';
  checkCanBuild(drvPath, drv);

  const release = await lockOutputs(store, paths, allValid, ctx.signal);
  if (release === undefined) {
    if (ctx.signal.aborted) throw new MError('BUILD_FAILED', `build of '${drvPath}' was interrupted`);
    return 'valid';
  }
  try {
    if (allValid()) return 'valid';
    for (const p of paths) store.addTempRoot(p);
    ctx.onStart();
    const tempDir = store.makeTempDir();
    try {
      // Builtin builders (checkCanBuild accepted them) run in this process and write into tempDir.
      const builtin = isBuiltin(drv);
      const result = builtin
        ? await runImageBuilder({ store, loadDrv: ctx.loadDrv, onLog: ctx.onLog }, drvPath, drv, tempDir)
        : await runBuild(makeBuildRequest(store, drvPath, drv, ctx.loadDrv, tempDir, ctx.settings), {
            onLog: ctx.onLog,
            signal: ctx.signal,
            logFile: store.logPath(drvPath),
          });

      const regs: PathRegistration[] = [];
      const built = new Map<string, BuiltOutput>();
      const fixed = isFixedOutputDerivation(drv);
      for (const [name, logical] of Object.entries(outs)) {
        if (store.isValid(logical)) continue;
        const physical = result.outputs[name]!;
        const refs = (result.references[name] ?? []).filter((r) => r.startsWith(store.storeDir + '/'));
        const ca = fixed ? checkFixedOutput(drvPath, drv, physical, logical, refs).ca : undefined;
        // Unsandboxed builds write their outputs in place.
        regs.push({ path: logical, references: refs, deriver: drvPath, ca, from: ctx.settings.noSandbox && !builtin ? undefined : physical });
        built.set(name, { path: logical, references: refs, physical });
      }
      const byPath = new Map(Object.entries(outs).map(([n, p]) => [p, n]));
      checkOutputCycles(
        drvPath,
        new Map(
          Object.keys(outs).map((n) => {
            const reg = regs.find((r) => r.path === outs[n]);
            const refs = reg ? [...reg.references].map((r) => byPath.get(r)).filter((x): x is string => x !== undefined) : [];
            return [n, new Set(refs)];
          }),
        ),
      );
      checkOutputs(store, drvPath, drv, built);
      store.registerOutputs(regs);
      return 'built';
    } finally {
      removeTree(tempDir);
    }
  } finally {
    release();
  }
}
