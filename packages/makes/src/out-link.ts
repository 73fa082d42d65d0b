/**
 * Out-links of `m PROJECT /output`, m's counterpart of makes' `~/.cache/makes/out-<attr>`: a
 * symlink `.m/out-<attr>` in the project (`/hello/world` → `.m/out-hello-world`, `/` → `.m/out-`)
 * pointing to the output's physical path in the store, registered as an indirect GC root, so the
 * last output of each output name survives `m store gc` and can be reached on the host. `.m/`
 * holds a `.gitignore` of `*`, so git never sees it. When the project cannot be written to (a
 * read-only checkout), the link goes to the store's `.m/out/<project hash>/` instead. Light: no
 * evaluator, no database.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { addIndirectRootAt, indirectRootPath } from '@m/store/roots';

/** The project's folder of m's own files (out-links). */
export const PROJECT_META_DIR = '.m';

/** makes' name for the out-link of `output`. */
export function outLinkName(output: string): string {
  return 'out' + output.replace(/\//g, '-');
}

/** Creates `<projectDir>/.m` with its `.gitignore` when missing; false when the project is not writable. */
export function ensureProjectMetaDir(projectDir: string): boolean {
  const dir = nodePath.join(projectDir, PROJECT_META_DIR);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const ignore = nodePath.join(dir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# m: out-links of `m . /output` (GC roots)\n*\n');
    return true;
  } catch {
    return false;
  }
}

function replaceSymlink(link: string, target: string): void {
  fs.mkdirSync(nodePath.dirname(link), { recursive: true });
  const tmp = nodePath.join(nodePath.dirname(link), `.${nodePath.basename(link)}.tmp-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp);
  fs.renameSync(tmp, link);
}

function readlinkOr(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** The store-side folder name for a project source word (`github:o/r@v` → `github-o-r-v`). */
export function sourceLinkDir(word: string): string {
  return word.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'project';
}

function linkAndRoot(link: string, storeRoot: string, physicalPath: string): string {
  if (readlinkOr(link) === physicalPath && readlinkOr(indirectRootPath(storeRoot, link)) === nodePath.resolve(link)) return link;
  replaceSymlink(link, physicalPath);
  addIndirectRootAt(storeRoot, link);
  return link;
}

export interface OutLinkOptions {
  /**
   * Keep the link in the store, `.m/out/<storeDir>/out-<name>`, instead of the project: for a
   * project that is a temporary export (makes' `github:…`/`gitlab:…`/`local:…@REV` sources).
   */
  storeDir?: string;
}

/**
 * Points the out-link of `output` at `physicalPath` (in the store at `storeRoot`) and registers it
 * as a GC root. Returns the link's path. A link and root already in place are left as they are
 * (a cached run writes nothing).
 */
export function writeOutLink(projectDir: string, storeRoot: string, output: string, physicalPath: string, opts: OutLinkOptions = {}): string {
  const inStore = (dir: string): string => linkAndRoot(nodePath.join(storeRoot, '.m', 'out', dir, outLinkName(output)), storeRoot, physicalPath);
  if (opts.storeDir !== undefined) return inStore(opts.storeDir);
  const link = nodePath.join(projectDir, PROJECT_META_DIR, outLinkName(output));
  if (ensureProjectMetaDir(projectDir)) {
    try {
      return linkAndRoot(link, storeRoot, physicalPath);
    } catch {
      /* not writable after all: the store's folder below */
    }
  }
  return inStore(createHash('sha256').update(projectDir).digest('hex').slice(0, 32));
}
