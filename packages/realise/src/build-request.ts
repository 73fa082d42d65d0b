/** Turning a stored Derivation into the builder's plain BuildRequest. */
import { type BuildRequest } from '@m/builder';
import { MError } from '@m/core';
import { type Derivation, isFixedOutputDerivation, storePathHashPart } from '@m/nix-compat';
import type { Store } from '@m/store';

export interface RequestSettings {
  cores: number;
  sandboxPaths?: Record<string, string>;
  timeoutSeconds?: number;
  maxSilentSeconds?: number;
  noSandbox?: boolean;
  sandbox?: 'bwrap' | 'unshare';
}

/** Output name → path of a derivation (all outputs must have known paths). */
export function outputPaths(drvPath: string, drv: Derivation): Record<string, string> {
  const outs: Record<string, string> = {};
  for (const [name, o] of drv.outputs) {
    if (o.path === '') throw new MError('NOT_AVAILABLE', `output '${name}' of '${drvPath}' has no known path (content-addressed derivations are not supported)`);
    outs[name] = o.path;
  }
  return outs;
}

/** Nix's getBoolAttr("__noChroot"): "1" in the environment, or true in structured attributes. */
function wantsNoChroot(drv: Derivation): boolean {
  const json = drv.env.get('__json');
  if (json === undefined) return drv.env.get('__noChroot') === '1';
  try {
    return (JSON.parse(json) as Record<string, unknown>).__noChroot === true;
  } catch {
    return false;
  }
}

/**
 * inputs = closure of inputSrcs and of the used outputs of inputDrvs (all must be valid);
 * needles = hash parts of those inputs and of the outputs.
 */
export function makeBuildRequest(
  store: Store,
  drvPath: string,
  drv: Derivation,
  loadDrv: (p: string) => Derivation,
  tempDir: string,
  s: RequestSettings,
): BuildRequest {
  // As Nix 2.8 with sandbox = true (LocalDerivationGoal::startBuilder).
  if (!s.noSandbox && wantsNoChroot(drv))
    throw new MError('BUILD_FAILED', `derivation '${drvPath}' has '__noChroot' set, but that's not allowed when 'sandbox' is 'true'`);
  const roots = new Set(drv.inputSrcs);
  for (const [inDrvPath, outNames] of drv.inputDrvs) {
    const inDrv = loadDrv(inDrvPath);
    for (const o of outNames) {
      const p = inDrv.outputs.get(o)?.path;
      if (p === undefined || p === '')
        throw new MError('STORE_ERROR', `derivation '${inDrvPath}' does not have an output named '${o}' (needed by '${drvPath}')`);
      roots.add(p);
    }
  }
  const inputPaths = store.closure(roots);
  const outputs = outputPaths(drvPath, drv);
  return {
    drvPath,
    builder: drv.builder,
    args: [...drv.args],
    env: Object.fromEntries(drv.env),
    outputs,
    inputPaths,
    storeDir: store.storeDir,
    physicalStore: store.root,
    sandboxPaths: s.sandboxPaths,
    fixedOutput: isFixedOutputDerivation(drv),
    timeoutSeconds: s.timeoutSeconds,
    maxSilentSeconds: s.maxSilentSeconds,
    cores: s.cores,
    refscanNeedles: [...new Set([...inputPaths, ...Object.values(outputs)].map(storePathHashPart))],
    tempDir,
    noSandbox: s.noSandbox,
    sandbox: s.sandbox,
  };
}
