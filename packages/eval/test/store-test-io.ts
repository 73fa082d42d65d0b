/**
 * Test helper: a file-system EvalIO whose store writes go to a temporary physical directory,
 * with store paths computed by @m/nix-compat exactly as Nix computes them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import {
  computeStorePathForText,
  derivationStorePath,
  hashBytes,
  makeFixedOutputPath,
  narHash,
  parseDerivation,
  printDerivation,
  type Derivation,
  type NarSource,
} from '@m/nix-compat';
import { createPlainFsIO, type EvalIO, type FileType } from '../src/index';

function fsSource(filter?: (p: string, t: FileType) => boolean): NarSource {
  return {
    lstat(p) {
      const st = fs.lstatSync(p);
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'regular';
      return { type, executable: (st.mode & 0o100) !== 0, size: st.size };
    },
    *readChunks(p) {
      yield new Uint8Array(fs.readFileSync(p));
    },
    readdir(p) {
      const names = fs.readdirSync(p).sort();
      if (!filter) return names;
      return names.filter((n) => {
        const full = p + '/' + n;
        const st = fs.lstatSync(full);
        const t: FileType = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : st.isFile() ? 'regular' : 'unknown';
        return filter(full, t);
      });
    },
    readlink: (p) => fs.readlinkSync(p),
  };
}

function copyTree(src: NarSource, from: string, to: string): void {
  const st = src.lstat(from);
  if (st.type === 'directory') {
    fs.mkdirSync(to, { recursive: true });
    for (const n of src.readdir(from)) copyTree(src, from + '/' + n, to + '/' + n);
  } else if (st.type === 'symlink') fs.symlinkSync(src.readlink(from), to);
  else fs.copyFileSync(from, to);
}

export function createStoreTestIO(storeDir = '/nix/store'): EvalIO & { physicalStore: string } {
  const physicalStore = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'm-store-test-'));
  const plain = createPlainFsIO({ storeDir, physicalStore });
  const phys = (sp: string): string => nodePath.join(physicalStore, sp.slice(storeDir.length));
  const writeOnce = (sp: string, text: string): void => {
    if (!fs.existsSync(phys(sp))) fs.writeFileSync(phys(sp), text);
  };
  return {
    ...plain,
    physicalStore,
    addTextToStore(name, text, references) {
      const sp = computeStorePathForText(name, text, references, storeDir);
      writeOnce(sp, text);
      return sp;
    },
    addPathToStore(opts) {
      const src = fsSource(opts.filter);
      let sp: string;
      if (opts.method === 'flat') {
        const h = hashBytes('sha256', new Uint8Array(fs.readFileSync(opts.path)));
        sp = makeFixedOutputPath({ method: 'flat', hash: h, name: opts.name, storeDir });
      } else {
        sp = makeFixedOutputPath({ method: 'recursive', hash: narHash(opts.path, src).hash, name: opts.name, storeDir });
      }
      if (!fs.existsSync(phys(sp))) copyTree(src, opts.path, phys(sp));
      return sp;
    },
    writeDerivation(d) {
      const drv: Derivation = {
        outputs: new Map([...d.outputs].map(([k, o]) => [k, { ...o }])),
        inputDrvs: new Map([...d.inputDrvs].map(([k, v]) => [k, new Set(v)])),
        inputSrcs: new Set(d.inputSrcs),
        platform: d.platform,
        builder: d.builder,
        args: d.args,
        env: d.env,
      };
      const sp = derivationStorePath(drv, d.name, storeDir);
      writeOnce(sp, printDerivation(drv));
      return sp;
    },
    readDerivation(drvPath) {
      const drv = parseDerivation(plain.readFile(drvPath), { storeDir });
      const base = drvPath.slice(drvPath.lastIndexOf('/') + 1);
      return {
        name: base.slice(33, -4),
        outputs: drv.outputs,
        inputDrvs: new Map([...drv.inputDrvs].map(([k, v]) => [k, [...v]])),
        inputSrcs: [...drv.inputSrcs],
        platform: drv.platform,
        builder: drv.builder,
        args: drv.args,
        env: drv.env,
      };
    },
  };
}
