/**
 * Writes the tar entries of one store path (no end-of-archive marker) into a sink.
 *
 * Safety contract: nothing is ever followed. Every node is lstat'ed; a symlink becomes a symlink
 * entry with its target verbatim (absolute or `..` targets included: they resolve inside the
 * container, not here); files are opened with O_NOFOLLOW and must keep the size lstat reported;
 * hard links become independent regular files; fifos, sockets and devices are refused. Member
 * names are built from the logical store path plus directory entry names, so they are relative and
 * never contain `..`. Modes are canonical like the store's: directories 0555, files 0555 when any
 * execute bit is set and 0444 otherwise, symlinks 0777. Directory entries are visited in UTF-8
 * byte order, depth first (a directory right before its contents). Names are byte strings
 * (surrogateescape, see nix-compat's bytes.ts), so non-UTF-8 names are archived byte for byte.
 */
import { closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { MError } from '@m/core';
import { compareUtf8, fromUtf8, fsPathBytes } from '@m/nix-compat';
import type { ByteSink } from './sinks';
import { fsPath } from './fs-path';
import { type PermRule, applyPerms } from './perms';
import { tarEntryHeader, tarPadding } from './tar';

const READ_SIZE = 1 << 20;


function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a fifo';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'of an unknown file type';
}

function ioError(physical: string, e: unknown): MError {
  const msg = e instanceof Error ? e.message : String(e);
  return new MError('IO_ERROR', `reading '${physical}' for a container layer: ${msg}`, { cause: e });
}

/** Writes a regular file's data and padding (the header is written by the caller). */
export async function writeFileData(physical: string, size: number, sink: ByteSink, readBuffer: Buffer): Promise<void> {
  let fd: number;
  try {
    fd = openSync(fsPath(physical), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw ioError(physical, e);
  }
  try {
    let left = size;
    while (left > 0) {
      const want = Math.min(left, READ_SIZE);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, readBuffer, got, want - got, null);
        if (n === 0) throw new MError('IO_ERROR', `'${physical}' shrank while it was being archived`);
        got += n;
      }
      left -= got;
      await sink.write(readBuffer.subarray(0, got));
    }
    if (readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0)
      throw new MError('IO_ERROR', `'${physical}' grew while it was being archived`);
  } finally {
    closeSync(fd);
  }
  const pad = tarPadding(size);
  if (pad.length > 0) await sink.write(pad);
}

/**
 * Archives `physical` (a store path on disk) under the member name `name` (e.g. nix/store/<base>).
 * File data goes through one read buffer per call, reused once the sink's write() settles.
 * `perms` (perms.ts) change the owner and mode of the entries they match (a symlink keeps 0777).
 */
export async function writeStorePathEntries(
  physical: string,
  name: string,
  sink: ByteSink,
  readBuffer: Buffer = Buffer.allocUnsafeSlow(READ_SIZE),
  perms: readonly PermRule[] = [],
): Promise<void> {
  const attrs = perms.length === 0 ? undefined : applyPerms(perms, `/${name}`);
  let st: Stats;
  try {
    st = lstatSync(fsPath(physical));
  } catch (e) {
    throw ioError(physical, e);
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = fromUtf8(readlinkSync(fsPath(physical), { encoding: 'buffer' }));
    } catch (e) {
      throw ioError(physical, e);
    }
    await sink.write(tarEntryHeader({ ...attrs, name, type: 'symlink', mode: 0o777, linkname: target }));
  } else if (st.isDirectory()) {
    await sink.write(tarEntryHeader({ name, type: 'directory', mode: 0o555, ...attrs }));
    let names: string[];
    try {
      names = readdirSync(fsPath(physical), { encoding: 'buffer' }).map((n) => fromUtf8(n));
    } catch (e) {
      throw ioError(physical, e);
    }
    names.sort(compareUtf8);
    for (const n of names) await writeStorePathEntries(`${physical}/${n}`, `${name}/${n}`, sink, readBuffer, perms);
  } else if (st.isFile()) {
    const mode = (st.mode & 0o111) !== 0 ? 0o555 : 0o444;
    await sink.write(tarEntryHeader({ name, type: 'file', mode, size: st.size, ...attrs }));
    await writeFileData(physical, st.size, sink, readBuffer);
  } else {
    throw new MError('STORE_ERROR', `'${physical}' is ${kindOf(st)}, which a container layer cannot hold`, {
      hint: 'store paths may contain only regular files, directories and symlinks',
    });
  }
}
