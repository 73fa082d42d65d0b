import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { narEncode } from '@m/nix-compat';
import { fsNarSource } from '../src/fs-nar-source';

const hasNixStore = spawnSync('nix-store', ['--version']).status === 0;

describe('the output NAR source', () => {
  it.skipIf(!hasNixStore)('keeps non-UTF-8 file names and link targets byte for byte (same NAR as nix-store --dump)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-nar-bytes-'));
    try {
      const out = path.join(dir, 'out');
      fs.mkdirSync(out);
      const bad = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe]), Buffer.from('x')]);
      fs.writeFileSync(Buffer.concat([Buffer.from(`${out}/`), bad]), 'hi\n');
      fs.symlinkSync(bad, Buffer.concat([Buffer.from(`${out}/link`)]));
      const ours = Buffer.concat([...narEncode(out, fsNarSource())]);
      const nix = spawnSync('nix-store', ['--dump', out], { maxBuffer: 1 << 24 });
      expect(nix.status).toBe(0);
      expect(ours.equals(nix.stdout)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
