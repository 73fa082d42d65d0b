/** An EvalIO that records every host file, directory, tree and variable an evaluation used. */
import type { EvalIO } from '@m/eval';
import { type DepRecorder, fileHash, fileTypeOf, listingHash, treeEntries } from './deps';

export function createRecordingIO(inner: EvalIO, rec: DepRecorder, env: NodeJS.ProcessEnv): EvalIO {
  const host = (p: string): boolean => !inner.isInStore(p);
  return {
    storeDir: inner.storeDir,
    readFile(p) {
      if (host(p)) rec.add({ k: 'file', p, h: fileHash(p) });
      return inner.readFile(p);
    },
    readFileBytes(p) {
      if (host(p)) rec.add({ k: 'file', p, h: fileHash(p) });
      return inner.readFileBytes ? inner.readFileBytes(p) : new TextEncoder().encode(inner.readFile(p));
    },
    pathExists(p) {
      if (host(p)) rec.add({ k: 'type', p, t: fileTypeOf(p) });
      return inner.pathExists(p);
    },
    readDir(p) {
      if (host(p)) rec.add({ k: 'dir', p, h: listingHash(p) });
      return inner.readDir(p);
    },
    fileType(p) {
      if (host(p)) rec.add({ k: 'type', p, t: fileTypeOf(p) });
      return inner.fileType(p);
    },
    getEnv(n) {
      rec.add({ k: 'env', n, v: env[n] ?? null });
      return inner.getEnv(n);
    },
    addPathToStore(o) {
      const res = inner.addPathToStore(o);
      if (host(o.path)) {
        const filter = o.filter;
        rec.add({ k: 'tree', p: o.path, e: treeEntries(o.path, (abs, type) => (filter ? filter(abs, type as never) : true)) });
      }
      return res;
    },
    addTextToStore: (name, text, refs) => inner.addTextToStore(name, text, refs),
    writeDerivation: (d, printed) => inner.writeDerivation(d, printed),
    readDerivation: (p) => inner.readDerivation(p),
    isInStore: (p) => inner.isInStore(p),
    // A pinned fetch (a hash, or a git rev) always gives the same store path; an unpinned one can
    // change between runs, so it records a dependency no later run matches (NUL is never in a
    // variable's name): the evaluation is not reused.
    fetchUrl: inner.fetchUrl && ((req) => {
      if (req.expectedSha256 === undefined) rec.add({ k: 'env', n: `\0unpinned ${req.url}`, v: '' });
      return inner.fetchUrl!(req);
    }),
    fetchGit: inner.fetchGit && ((req) => {
      if (req.rev === undefined) rec.add({ k: 'env', n: `\0unpinned ${req.url}`, v: '' });
      return inner.fetchGit!(req);
    }),
  };
}
