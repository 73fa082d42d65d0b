/**
 * EvalIO: every filesystem and store access of the evaluator goes through this interface.
 * Paths are absolute, canonical filesystem paths; store paths are logical (under `storeDir`).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fromUtf8, fsPathBytes } from '@m/nix-compat';

export type FileType = 'regular' | 'directory' | 'symlink' | 'unknown';

export interface AddPathOptions {
  /** Store path name (usually the base name of `path`). */
  name: string;
  /** Absolute source path on the filesystem. */
  path: string;
  /** `recursive` hashes the NAR serialisation (directories allowed); `flat` a single file's bytes. */
  method: 'flat' | 'recursive';
  /** Entries for which it returns false are left out (builtins.path / filterSource). */
  filter?: (path: string, type: FileType) => boolean;
  /** Expected sha256 (hex) of the content, for fixed-output `builtins.path { sha256 }`. */
  expectedSha256?: string;
}

export interface DerivationOutputSpec {
  path: string;
  hashAlgo: string;
  hash: string;
}

/** A derivation as in Nix's ATerm, with logical store paths. */
export interface DerivationData {
  name: string;
  outputs: Map<string, DerivationOutputSpec>;
  inputDrvs: Map<string, string[]>;
  inputSrcs: string[];
  platform: string;
  builder: string;
  args: string[];
  env: Map<string, string>;
}

/** A .drv as derivationStrict printed it. */
export interface PrintedDerivation {
  /** Its store path. */
  path: string;
  /** Its ATerm bytes, in order; absent in read-only mode (nothing is written). */
  aterm?: readonly Uint8Array[];
}

/** A download for builtins.fetchurl / fetchTarball (Nix's downloadFile / downloadTarball). */
export interface FetchUrlRequest {
  /** `file://`, `http://` or `https://` URL (after `channel:` resolution). */
  url: string;
  /** Store path name. */
  name: string;
  /** false: the file itself, flat; true: a tarball unpacked, its single top-level member, recursive. */
  unpack: boolean;
  /** Expected sha256 of the file (flat) or of the unpacked tree's NAR; a mismatch registers nothing. */
  expectedSha256?: Uint8Array;
  /**
   * With `unpack`: the whole unpacked archive is the result, not its single top-level member
   * (makes' fetchArchive with stripRoot = false, as nixpkgs' fetchzip; no Nix builtin does this).
   */
  keepRoot?: boolean;
  /** The builtin asking ('fetchurl', 'fetchTarball'), for messages. */
  who: string;
}

/** builtins.fetchGit's arguments, after defaults that need no I/O. */
export interface FetchGitRequest {
  /** A local path (absolute) or a `file://`, `http(s)://`, `ssh://`, `git+…` URL. */
  url: string;
  ref?: string;
  /** 40 hex digits. */
  rev?: string;
  name: string;
  submodules: boolean;
  /** Look for `rev` in every ref, not only in `ref`. */
  allRefs: boolean;
}

export interface FetchGitResult {
  storePath: string;
  /** 40 hex digits; forty zeros for a dirty local working tree. */
  rev: string;
  revCount: number;
  /** Commit time (seconds since the epoch). */
  lastModified: number;
  /** sha256 of the tree's NAR. */
  narHash: Uint8Array;
  /** Warnings to show (a dirty working tree). */
  warnings: string[];
}

export interface EvalIO {
  /** Logical store directory, e.g. `/nix/store`. */
  readonly storeDir: string;
  /**
   * Nix's read-only mode (nix-instantiate --eval, --dry-run, --readonly-mode): writeDerivation
   * only computes the path, so derivations instantiated in this run are not valid store paths.
   */
  readonly readOnly?: boolean;
  /**
   * `import`, `builtins.readFile`, parsing files: the bytes decoded losslessly with @m/nix-compat's
   * `fromUtf8` (invalid UTF-8 kept as escaped bytes). Paths, names and strings throughout EvalIO
   * are in that same representation; `fsPath` turns one into what node:fs needs.
   */
  readFile(path: string): string;
  /** Raw bytes of a file (builtins.hashFile, fetchurl of file:// URLs); optional, else UTF-8 of readFile. */
  readFileBytes?(path: string): Uint8Array;
  /** `builtins.pathExists`, `import` of directories, search path lookup. */
  pathExists(path: string): boolean;
  /** `builtins.readDir`: entry names with their types. */
  readDir(path: string): Map<string, FileType>;
  /** Type of a path without following a final symlink; undefined when missing. */
  fileType(path: string): FileType | undefined;
  /** `builtins.getEnv`. */
  getEnv(name: string): string | undefined;
  /** Copies a path into the store (`"${./x}"`, builtins.path, filterSource); returns the store path. */
  addPathToStore(opts: AddPathOptions): string;
  /** `builtins.toFile`, derivation-related text files; returns the store path. */
  addTextToStore(name: string, text: string, references: string[]): string;
  /**
   * Writes a .drv (derivationStrict); returns its store path. `printed`, when given, is that path
   * and the .drv's bytes as the evaluator already computed them from `drv`, to use instead of
   * printing and hashing `drv` again.
   */
  writeDerivation(drv: DerivationData, printed?: PrintedDerivation): string;
  /** Reads an existing .drv (for hashDerivationModulo of input derivations). */
  readDerivation(drvPath: string): DerivationData;
  /** True when `path` is (inside) a store path. */
  isInStore(path: string): boolean;
  /**
   * builtins.fetchurl / fetchTarball: downloads (or reads a `file://` URL), checks the hash and
   * adds the result to the store; returns the store path. Absent: only already-valid pinned paths.
   */
  fetchUrl?(req: FetchUrlRequest): string;
  /** builtins.fetchGit: exports a revision (or a dirty local working tree) into the store. */
  fetchGit?(req: FetchGitRequest): FetchGitResult;
}

/** A path for node:fs: the string, or its raw bytes when it holds non-UTF-8 bytes. */
export const fsPath: (p: string) => string | Buffer = fsPathBytes;

/** A file's contents as a Nix string (lossless, see EvalIO.readFile). */
export function readTextFile(physicalPath: string): string {
  return fromUtf8(fs.readFileSync(fsPath(physicalPath)));
}

/** Directory entries with their types, names decoded losslessly (non-UTF-8 names kept exactly). */
export function readDirTyped(physicalPath: string): Map<string, FileType> {
  const m = new Map<string, FileType>();
  for (const d of fs.readdirSync(fsPath(physicalPath), { withFileTypes: true, encoding: 'buffer' })) {
    m.set(
      fromUtf8(d.name),
      d.isFile() ? 'regular' : d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'unknown',
    );
  }
  return m;
}

export interface FsEvalIOOptions {
  /** Logical store dir used in store paths (default `/nix/store`). */
  storeDir?: string;
  /** Physical directory where store objects are written as `<physicalStore>/<hash>-<name>`. */
  physicalStore: string;
  env?: NodeJS.ProcessEnv;
  /** See EvalIO.readOnly. */
  readOnly?: boolean;
}

/**
 * Filesystem-backed EvalIO. Store writes go to `physicalStore`; reading a logical store path
 * (`/nix/store/x`) falls back to the physical copy when the logical one does not exist.
 *
 * The store-writing methods are bound to @m/nix-compat's path computations; see `store-io.ts`.
 */
export function createPlainFsIO(opts: { storeDir?: string; physicalStore?: string; env?: NodeJS.ProcessEnv }): Pick<
  EvalIO,
  'storeDir' | 'readFile' | 'readFileBytes' | 'pathExists' | 'readDir' | 'fileType' | 'getEnv' | 'isInStore'
> & { physical(path: string): string } {
  const storeDir = opts.storeDir ?? '/nix/store';
  const env = opts.env ?? process.env;
  const physical = (p: string): string => {
    if (opts.physicalStore && (p === storeDir || p.startsWith(storeDir + '/')) && !fs.existsSync(fsPath(p))) {
      return nodePath.join(opts.physicalStore, p.slice(storeDir.length));
    }
    return p;
  };
  const typeOfStat = (st: fs.Stats): FileType =>
    st.isFile() ? 'regular' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'unknown';
  return {
    storeDir,
    physical,
    readFile: (p) => readTextFile(physical(p)),
    readFileBytes: (p) => new Uint8Array(fs.readFileSync(fsPath(physical(p)))),
    pathExists: (p) => fs.existsSync(fsPath(physical(p))),
    readDir: (p) => readDirTyped(physical(p)),
    fileType: (p) => {
      try {
        return typeOfStat(fs.lstatSync(fsPath(physical(p))));
      } catch {
        return undefined;
      }
    },
    getEnv: (name) => env[name],
    isInStore: (p) => p.startsWith(storeDir + '/'),
  };
}
