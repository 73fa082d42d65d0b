/**
 * Importing paths from a binary cache into the store, all checks before anything is
 * registered: the file against FileHash/FileSize, the decompressed NAR against NarHash/NarSize
 * (decompression stops past NarSize), the NAR's structure while unpacking (no `..`, `/`,
 * duplicate or unsorted names), and the unpacked tree re-hashed. References must be valid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MError, isMError } from '@m/core';
import { type NarInfo, hashEquals, narDecode, parseHash, printHash } from '@m/nix-compat';
import { type Store, hashPath } from '@m/store';
import { type Compression, decompressNar } from './compression';

function hashMismatch(what: string, p: string, specified: string, got: string): MError {
  return new MError('STORE_ERROR', `${what} mismatch importing path '${p}';\n  specified: ${specified}\n  got:       ${got}`, {
    hint: 'the binary cache served data that does not match its narinfo; nothing was registered',
  });
}

/** A verified path unpacked in the store's temp space, not yet registered. */
export interface StagedPath {
  info: NarInfo;
  /** The unpacked tree (moved into the store by registration). */
  tree: string;
  /** Removes what is left of the staging directory. */
  dispose(): void;
}

/** Verifies `info.storePath`'s (compressed) NAR `file` and unpacks it into temp space. */
export async function stageNar(store: Store, info: NarInfo, file: AsyncIterable<Uint8Array>, from: string): Promise<StagedPath> {
  const p = info.storePath;
  const tmp = store.makeTempDir();
  const dispose = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const narFile = path.join(tmp, 'nar');
    const { input, output } = await decompressNar(info.compression as Compression, file, narFile, info.narSize).catch((e: unknown) => {
      if (!isMError(e)) throw e;
      throw new MError('STORE_ERROR', `${e.message}, importing path '${p}' from '${from}'`, { hint: 'nothing was registered' });
    });
    if (info.fileHash !== undefined && !hashEquals(parseHash(info.fileHash), input.hash))
      throw hashMismatch('file hash', p, info.fileHash, printHash(input.hash, 'base32', true));
    if (info.fileSize !== undefined && info.fileSize !== input.size) throw hashMismatch('file size', p, String(info.fileSize), String(input.size));
    const expected = parseHash(info.narHash);
    if (!hashEquals(expected, output.hash)) throw hashMismatch('hash', p, info.narHash, printHash(output.hash, 'base32', true));
    if (info.narSize !== output.size) throw hashMismatch('NAR size', p, String(info.narSize), String(output.size));

    const tree = path.join(tmp, 'x');
    unpackNar(narFile, tree);
    fs.rmSync(narFile);
    const actual = hashPath(tree);
    if (!hashEquals(expected, actual.hash)) throw hashMismatch('hash', p, info.narHash, printHash(actual.hash, 'base32', true));
    return { info, tree, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/**
 * Registers staged paths in one transaction (those not valid meanwhile), under their locks.
 * References must be valid or in the batch. Returns the paths registered; disposes all.
 */
export function registerStaged(store: Store, staged: readonly StagedPath[]): string[] {
  try {
    const release = store.lockPaths(staged.map((s) => s.info.storePath));
    try {
      const todo = staged.filter((s) => !store.isValid(s.info.storePath));
      if (todo.length > 0)
        store.registerOutputs(
          todo.map(({ info, tree }) => ({ path: info.storePath, references: info.references, deriver: info.deriver, ca: info.ca, from: tree })),
        );
      return todo.map((s) => s.info.storePath);
    } finally {
      release();
    }
  } finally {
    for (const s of staged) s.dispose();
  }
}

/** Verifies and registers one path; false if it was valid already. */
export async function importNar(store: Store, info: NarInfo, file: AsyncIterable<Uint8Array>, from: string): Promise<boolean> {
  return registerStaged(store, [await stageNar(store, info, file, from)]).length > 0;
}

/** Writes the NAR in `narFile` out as a file tree at `dest` (which must not exist). */
export function unpackNar(narFile: string, dest: string): void {
  const chunks = function* (): Generator<Uint8Array> {
    const fd = fs.openSync(narFile, 'r');
    try {
      for (;;) {
        // A fresh buffer per chunk: the decoder keeps unread bytes of the previous chunk.
        const buf = Buffer.allocUnsafe(1 << 20);
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        yield buf.subarray(0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  for (const e of narDecode(chunks())) {
    const target = dest + e.path;
    if (e.type === 'directory') fs.mkdirSync(target, { mode: 0o755 });
    else if (e.type === 'symlink') fs.symlinkSync(e.target, target);
    else fs.writeFileSync(target, e.contents, { mode: e.executable ? 0o755 : 0o644, flag: 'wx' });
  }
}
