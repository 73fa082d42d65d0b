/**
 * Reading untrusted tarballs (fetchTarball, fetchGit's `git archive`): plain or gzip-compressed tar
 * into an in-memory NarTree, with no I/O (EvalIO's fetchers write the tree to the store). node-tar's `Parser` decodes the archive
 * (ustar, GNU long names and base-256 numbers, pax headers, gzip); the tree is assembled here with
 * the rules of Nix 2.8's extraction (libarchive with SECURE_NODOTDOT and SECURE_SYMLINKS), because
 * node-tar's own `Unpack` rewrites absolute symlink targets and drops symlinks that leave the
 * directory, which would change the NAR and so the store path. The rules:
 * - a leading `/` of a member name or hard-link target is dropped (Nix prefixes the destination);
 * - a member name or hard-link target containing `..` is an error;
 * - a member below a symlink member ("extract through symlink") is an error;
 * - symlink targets are kept verbatim (they are data, never followed here);
 * - a hard link copies the member it names, which must exist already;
 * - device nodes and fifos are an error (a store path cannot hold them).
 * Nothing reaches the disk until the whole archive has been checked; the fetchers then write the
 * tree node by node with exclusive creation, so no member can reach outside its directory.
 */
import { Parser, type ReadEntry } from 'tar';
import { MError } from '@m/core';
import type { NarTree } from '@m/nix-compat';

type Dir = NarTree & { type: 'directory'; entries: Map<string, NarTree> };

function mkDir(): Dir {
  return { type: 'directory', entries: new Map() };
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** A plain tar: ustar magic at 257, or an archive that starts with its end marker. */
function isPlainTar(b: Uint8Array): boolean {
  if (b.length >= 263 && b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72) return true;
  return b.length >= 512 && b.subarray(0, 512).every((x) => x === 0);
}

function extractError(url: string, why: string): MError {
  return new MError('EVAL_ERROR', `failed to extract archive '${url}' (${why})`);
}

/** The components of a member name or hard-link target, as libarchive's secure extraction sees them. */
function splitMember(name: string, url: string): string[] {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw extractError(url, `Path contains '..': '${name}'`);
  return parts;
}

const DATA_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/**
 * The members of a tarball as a directory tree (its top level is the directory the tarball
 * unpacks into). Throws NOT_AVAILABLE for compressions other than gzip.
 */
export function unpackTarball(bytes: Uint8Array, url: string): Dir {
  if (!isGzip(bytes) && !isPlainTar(bytes)) {
    throw new MError('NOT_AVAILABLE', `cannot unpack '${url}': m unpacks only plain and gzip-compressed tarballs`);
  }
  const root = mkDir();
  /** The directory at `parts`, created as needed; a symlink on the way is an error, as in libarchive. */
  const dirAt = (parts: string[], member: string): Dir => {
    let d = root;
    for (const p of parts) {
      const c = d.entries.get(p);
      if (c !== undefined && c.type === 'directory') d = c as Dir;
      else if (c !== undefined && c.type === 'symlink') throw extractError(url, `Cannot extract through symlink '${member}'`);
      else {
        const fresh = mkDir();
        d.entries.set(p, fresh);
        d = fresh;
      }
    }
    return d;
  };
  const lookup = (parts: string[]): NarTree | undefined => {
    let t: NarTree | undefined = root;
    for (const p of parts) {
      if (t === undefined || t.type !== 'directory') return undefined;
      t = (t as Dir).entries.get(p);
    }
    return t;
  };

  let failure: unknown;
  const onEntry = (entry: ReadEntry): void => {
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => {
      if (failure !== undefined) return;
      try {
        addEntry(entry, Buffer.concat(chunks));
      } catch (e) {
        failure = e;
      }
    });
  };
  const addEntry = (entry: ReadEntry, data: Buffer): void => {
    const name = entry.path;
    const parts = splitMember(name, url);
    if (parts.length === 0) return;
    const base = parts[parts.length - 1]!;
    const parentParts = parts.slice(0, -1);
    switch (entry.type) {
      case 'Directory':
      case 'GNUDumpDir': {
        const existing = lookup(parts);
        if (existing?.type === 'symlink') throw extractError(url, `Cannot extract through symlink '${name}'`);
        dirAt(parts, name);
        return;
      }
      case 'SymbolicLink':
        dirAt(parentParts, name).entries.set(base, { type: 'symlink', target: entry.linkpath ?? '' });
        return;
      case 'Link': {
        const targetName = entry.linkpath ?? '';
        const target = lookup(splitMember(targetName, url));
        if (target === undefined || target.type !== 'regular') throw extractError(url, `Hard-link target '${targetName}' does not exist`);
        dirAt(parentParts, name).entries.set(base, { ...target });
        return;
      }
      default:
        if (DATA_TYPES.has(entry.type)) {
          const mode = entry.mode ?? 0o644;
          dirAt(parentParts, name).entries.set(base, { type: 'regular', executable: (mode & 0o100) !== 0, contents: new Uint8Array(data) });
          return;
        }
        throw extractError(url, `member '${name}' is of type ${entry.type}, which a store path cannot hold`);
    }
  };

  const parser = new Parser({
    onReadEntry: onEntry,
    onwarn: (code: string, message: string | Error) => {
      if (code === 'TAR_ENTRY_INFO') return;
      failure ??= extractError(url, `${code}: ${message instanceof Error ? message.message : message}`);
    },
  });
  parser.on('error', (e: Error) => {
    failure ??= extractError(url, e.message);
  });
  try {
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    failure ??= extractError(url, e instanceof Error ? e.message : String(e));
  }
  if (failure !== undefined) throw failure;
  return root;
}
