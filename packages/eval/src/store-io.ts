/**
 * createFsEvalIO: the real EvalIO. Reads the filesystem; store objects are written under
 * `physicalStore` as `<physicalStore>/<hash>-<name>` (logical path `<storeDir>/<hash>-<name>`),
 * with paths computed by @m/nix-compat exactly as Nix computes them. Writes are atomic (a
 * temporary sibling renamed into place) and idempotent (an existing object is kept).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { MError } from '@m/core';
import {
  compareUtf8,
  computeStorePathForText,
  fromUtf8,
  utf8,
  derivationStorePath,
  hashBytes,
  makeFixedOutputPath,
  narHash,
  parseDerivation,
  printDerivationBytes,
  type Derivation,
  type NarSource,
  type NarTree,
} from '@m/nix-compat';
import { fromDerivationData, toDerivationData } from './builtins/store-state';
import { checkFetched } from './fetched';
import { createPlainFsIO, fsPath, type EvalIO, type FileType, type FsEvalIOOptions } from './io';

function fileTypeOf(st: fs.Stats): FileType {
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : st.isFile() ? 'regular' : 'unknown';
}

const names = (p: string): string[] => fs.readdirSync(fsPath(p), { encoding: 'buffer' }).map((b) => fromUtf8(b));
const linkTarget = (p: string): string => fromUtf8(fs.readlinkSync(fsPath(p), { encoding: 'buffer' }));

/**
 * A NAR source over the real filesystem, leaving out entries rejected by `filter`. Names and link
 * targets are byte strings (non-UTF-8 kept exactly, see EvalIO.readFile).
 */
function fsNarSource(filter?: (p: string, t: FileType) => boolean): NarSource {
  return {
    lstat(p) {
      const st = fs.lstatSync(fsPath(p));
      // Devices, FIFOs and sockets are refused before anything opens them (a FIFO would block).
      if (!st.isSymbolicLink() && !st.isDirectory() && !st.isFile()) throw new MError('IO_ERROR', `file '${p}' has an unsupported type`);
      const type = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'regular';
      return { type, executable: (st.mode & 0o100) !== 0, size: st.size };
    },
    *readChunks(p) {
      yield new Uint8Array(fs.readFileSync(fsPath(p)));
    },
    readdir(p) {
      const all = names(p).sort(compareUtf8);
      return filter ? all.filter((n) => filter(p + '/' + n, fileTypeOf(fs.lstatSync(fsPath(p + '/' + n))))) : all;
    },
    readlink: linkTarget,
  };
}

function copyInto(src: NarSource, from: string, to: string): void {
  const st = src.lstat(from);
  if (st.type === 'directory') {
    fs.mkdirSync(fsPath(to));
    for (const n of src.readdir(from)) copyInto(src, from + '/' + n, to + '/' + n);
  } else if (st.type === 'symlink') fs.symlinkSync(fsPath(src.readlink(from)), fsPath(to));
  else {
    fs.copyFileSync(fsPath(from), fsPath(to));
    fs.chmodSync(fsPath(to), st.executable ? 0o555 : 0o444);
  }
}

/** Creates `file` with the bytes of `chunks`, in order (one writev(2) for the usual .drv). */
function writeChunks(file: string, chunks: readonly Uint8Array[], mode: number): void {
  const fd = fs.openSync(file, 'wx', mode);
  try {
    let done = fs.writevSync(fd, chunks as Uint8Array[]);
    // A short write (rare: signals, huge files) goes on from where it stopped.
    for (const c of chunks) {
      if (done >= c.length) {
        done -= c.length;
        continue;
      }
      for (let o = done; o < c.length; ) o += fs.writeSync(fd, c, o);
      done = 0;
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function createFsEvalIO(opts: FsEvalIOOptions): EvalIO {
  const storeDir = opts.storeDir ?? '/nix/store';
  const physicalStore = opts.physicalStore;
  fs.mkdirSync(physicalStore, { recursive: true });
  const plain = createPlainFsIO({ storeDir, physicalStore, env: opts.env });
  const phys = (sp: string): string => nodePath.join(physicalStore, sp.slice(storeDir.length + 1));

  /** Creates the object once: `write(tmp)` fills a temporary path that is then renamed into place. */
  const materialise = (sp: string, write: (tmp: string) => void): void => {
    const dest = phys(sp);
    if (fs.existsSync(dest)) return;
    const tmp = `${dest}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      write(tmp);
      fs.renameSync(tmp, dest);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(dest)) throw e;
    }
  };

  return {
    storeDir,
    readOnly: opts.readOnly === true,
    readFile: plain.readFile,
    readFileBytes: plain.readFileBytes,
    pathExists: plain.pathExists,
    readDir: plain.readDir,
    fileType: plain.fileType,
    getEnv: plain.getEnv,
    isInStore: plain.isInStore,
    addTextToStore(name, text, references) {
      const sp = computeStorePathForText(name, text, references, storeDir);
      materialise(sp, (tmp) => fs.writeFileSync(tmp, utf8(text), { mode: 0o444 }));
      return sp;
    },
    addPathToStore(o) {
      const source = plain.physical(o.path);
      const src = fsNarSource(o.filter);
      const hash =
        o.method === 'flat' ? hashBytes('sha256', new Uint8Array(fs.readFileSync(fsPath(source)))) : narHash(source, src).hash;
      const sp = makeFixedOutputPath({ method: o.method, hash, name: o.name, storeDir });
      materialise(sp, (tmp) => copyInto(src, source, tmp));
      return sp;
    },
    writeDerivation(d, printed) {
      // derivationStrict hands over the path and bytes it computed: nothing to convert or print.
      if (printed !== undefined && (opts.readOnly || printed.aterm !== undefined)) {
        if (!opts.readOnly) materialise(printed.path, (tmp) => writeChunks(tmp, printed.aterm!, 0o444));
        return printed.path;
      }
      const drv: Derivation = fromDerivationData(d);
      const sp = printed?.path ?? derivationStorePath(drv, d.name, storeDir);
      if (opts.readOnly) return sp;
      const aterm = printed?.aterm ?? [printDerivationBytes(drv)];
      materialise(sp, (tmp) => writeChunks(tmp, aterm, 0o444));
      return sp;
    },
    readDerivation(drvPath) {
      const drv = parseDerivation(plain.readFile(drvPath), { storeDir });
      const base = drvPath.slice(drvPath.lastIndexOf('/') + 1);
      return toDerivationData(base.slice(33, -'.drv'.length), drv);
    },
    fetchUrl(req) {
      // Local `file://` URLs only: this EvalIO has no network (realise's fetchers add http(s)).
      if (!req.url.startsWith('file://')) {
        throw new MError('NOT_AVAILABLE', `${req.who} is not available offline: cannot download '${req.url}'`);
      }
      const file = decodeURIComponent(req.url.slice('file://'.length));
      if (plain.fileType(file) !== 'regular') {
        throw new MError('IO_ERROR', `unable to download '${req.url}': file '${file}' does not exist`);
      }
      const bytes = new Uint8Array(fs.readFileSync(fsPath(plain.physical(file))));
      const got = checkFetched(req, bytes);
      const sp = makeFixedOutputPath({ method: got.method, hash: got.hash, name: req.name, storeDir });
      if (got.method === 'flat') materialise(sp, (tmp) => fs.writeFileSync(tmp, bytes, { mode: 0o444 }));
      else materialise(sp, (tmp) => writeTree(got.tree, tmp));
      return sp;
    },
  };
}

/** Writes an unpacked tree as a store object: read-only, created exclusively node by node. */
function writeTree(t: NarTree, to: string): void {
  if (t.type === 'directory') {
    fs.mkdirSync(to);
    const entries = t.entries instanceof Map ? t.entries : new Map(Object.entries(t.entries));
    for (const [n, c] of entries) writeTree(c, nodePath.join(to, n));
    fs.chmodSync(to, 0o555);
  } else if (t.type === 'symlink') fs.symlinkSync(t.target, to);
  else fs.writeFileSync(to, t.contents, { mode: t.executable ? 0o555 : 0o444, flag: 'wx' });
}
