/** The store-derivation data type, as stored in ATerm .drv files. */

export interface DerivationOutput {
  /** Absolute store path; "" while not yet computed (or for deferred/floating outputs). */
  path: string;
  /** "" for input-addressed outputs; otherwise `[r:]<hashType>`, e.g. "r:sha256". */
  hashAlgo: string;
  /** Lowercase base16 of the fixed output hash; "" unless fixed-output. */
  hash: string;
}

export interface Derivation {
  outputs: Map<string, DerivationOutput>;
  /** drv path → names of the outputs used. */
  inputDrvs: Map<string, Set<string>>;
  inputSrcs: Set<string>;
  platform: string;
  builder: string;
  args: string[];
  env: Map<string, string>;
}

export function emptyDerivation(): Derivation {
  return {
    outputs: new Map(),
    inputDrvs: new Map(),
    inputSrcs: new Set(),
    platform: '',
    builder: '',
    args: [],
    env: new Map(),
  };
}

/** Deep copy. */
export function cloneDerivation(drv: Derivation): Derivation {
  return {
    outputs: new Map([...drv.outputs].map(([k, v]) => [k, { ...v }])),
    inputDrvs: new Map([...drv.inputDrvs].map(([k, v]) => [k, new Set(v)])),
    inputSrcs: new Set(drv.inputSrcs),
    platform: drv.platform,
    builder: drv.builder,
    args: [...drv.args],
    env: new Map(drv.env),
  };
}

/** True when the output carries a fixed content hash (a fixed-output derivation's "out"). */
export function isFixedOutput(o: DerivationOutput): boolean {
  return o.hashAlgo !== '' && o.hash !== '' && o.hash !== 'impure';
}

/** True when every output is fixed (Nix allows only one, named "out"). */
export function isFixedOutputDerivation(drv: Derivation): boolean {
  if (drv.outputs.size === 0) return false;
  for (const o of drv.outputs.values()) if (!isFixedOutput(o)) return false;
  return true;
}

/** All store paths a .drv file references: inputSrcs ∪ inputDrvs keys. */
export function derivationReferences(drv: Derivation): Set<string> {
  const refs = new Set(drv.inputSrcs);
  for (const p of drv.inputDrvs.keys()) refs.add(p);
  return refs;
}
