/** Test helpers: throwaway stores and hand-written /bin/sh derivations. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Derivation, emptyDerivation, instantiateDerivation } from '@m/nix-compat';
import { type Store, openStore } from '@m/store';

export function tmpDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `m-realise-${tag}-`));
}

export function rmrf(p: string): void {
  if (!fs.existsSync(p)) return;
  execFileSync('chmod', ['-R', 'u+w', p]);
  fs.rmSync(p, { recursive: true, force: true });
}

export interface DrvSpec {
  name: string;
  /** Shell script run by /bin/sh -c (busybox inside the sandbox). */
  script: string;
  outputs?: string[];
  /** Input derivations: drv path → outputs used. */
  inputs?: Record<string, string[]>;
  inputSrcs?: string[];
  system?: string;
  env?: Record<string, string>;
  /** Fixed output: hash in any form Nix accepts, `r:sha256` style algo. */
  fixed?: { hashAlgo: string; hash: string };
}

/** Computes output paths as derivationStrict does, writes the .drv into `store`, returns its path. */
export function makeDrvWriter(store: Store) {
  const hashes = new Map<string, string>();
  return function writeDrv(spec: DrvSpec): string {
    const d: Derivation = emptyDerivation();
    const outs = spec.outputs ?? ['out'];
    for (const o of outs) d.outputs.set(o, { path: '', hashAlgo: spec.fixed?.hashAlgo ?? '', hash: spec.fixed?.hash ?? '' });
    for (const [p, os] of Object.entries(spec.inputs ?? {})) d.inputDrvs.set(p, new Set(os));
    for (const s of spec.inputSrcs ?? []) d.inputSrcs.add(s);
    d.platform = spec.system ?? 'x86_64-linux';
    d.builder = '/bin/sh';
    d.args = ['-c', spec.script];
    d.env.set('builder', '/bin/sh');
    d.env.set('name', spec.name);
    d.env.set('system', d.platform);
    if (spec.outputs) d.env.set('outputs', outs.join(' '));
    for (const [k, v] of Object.entries(spec.env ?? {})) d.env.set(k, v);
    for (const o of outs) d.env.set(o, '');
    const inst = instantiateDerivation(d, (p) => hashes.get(p)!, { storeDir: store.storeDir });
    const drvPath = store.writeDerivation(inst.drv, spec.name);
    if (drvPath !== inst.drvPath) throw new Error(`drv path mismatch ${drvPath} ${inst.drvPath}`);
    hashes.set(drvPath, inst.hashModulo);
    return drvPath;
  };
}

export function freshStore(tag: string): { root: string; store: Store; writeDrv: ReturnType<typeof makeDrvWriter> } {
  const root = path.join(tmpDir(tag), 'store');
  const store = openStore({ root });
  return { root, store, writeDrv: makeDrvWriter(store) };
}

export function readOut(store: Store, p: string, file?: string): string {
  return fs.readFileSync(file ? path.join(store.realPath(p), file) : store.realPath(p), 'utf8');
}
