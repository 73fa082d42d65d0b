/** Checks a fixed-output derivation's output against its declared hash, as Nix 2.8 does. */
import * as fs from 'node:fs';
import { MError } from '@m/core';
import { type Derivation, type Hash, fixedOutputHash, hashBytes, narEncode, printHash } from '@m/nix-compat';
import { fsNarSource, hashPath } from '@m/store';

export interface FixedOutputCheck {
  /** Content address to record, e.g. `fixed:r:sha256:<base32>`. */
  ca: string;
}

function sameHash(a: Hash, b: Hash): boolean {
  return a.type === b.type && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
}

function* chunks(p: string): Generator<Uint8Array> {
  const fd = fs.openSync(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * `physical` is the built output (not yet in the store), `logical` its store path.
 * Throws BUILD_FAILED on a wrong file type, references, or a hash mismatch.
 */
export function checkFixedOutput(
  drvPath: string,
  drv: Derivation,
  physical: string,
  logical: string,
  references: string[],
): FixedOutputCheck {
  const out = drv.outputs.get('out')!;
  const { method, hash: wanted } = fixedOutputHash(out);
  let got: Hash;
  if (method === 'flat') {
    const st = fs.lstatSync(physical);
    if (!st.isFile() || (st.mode & 0o100) !== 0)
      throw new MError(
        'BUILD_FAILED',
        `output path '${logical}' should be a non-executable regular file since recursive hashing is not enabled (outputHashMode=flat)`,
      );
    got = hashBytes(wanted.type, chunks(physical));
  } else {
    got = wanted.type === 'sha256' ? hashPath(physical).hash : hashTypedNar(physical, wanted.type);
  }
  if (!sameHash(wanted, got))
    throw new MError(
      'BUILD_FAILED',
      `hash mismatch in fixed-output derivation '${drvPath}':\n  specified: ${printHash(wanted, 'sri')}\n     got:    ${printHash(got, 'sri')}`,
    );
  if (references.length > 0)
    throw new MError('BUILD_FAILED', `illegal path references in fixed-output derivation '${drvPath}'`);
  return { ca: `fixed:${method === 'recursive' ? 'r:' : ''}${printHash(got, 'base32', true)}` };
}

/** hashPath is sha256-only; other hash types hash the NAR stream directly. */
function hashTypedNar(physical: string, type: Hash['type']): Hash {
  return hashBytes(type, narEncode(physical, fsNarSource()));
}
