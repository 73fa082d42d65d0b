/**
 * narinfo text, fingerprints and ed25519 signatures against real Nix 2.8: a cache written by
 * `nix copy --to file://…?secret-key=…` is parsed and printed back byte for byte, and since
 * ed25519 is deterministic, signing the fingerprint with Nix's secret key gives Nix's own Sig.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateSecretKey,
  parseCacheInfo,
  parseNarInfo,
  parsePublicKey,
  parseSecretKey,
  pathFingerprint,
  printNarInfo,
  printPublicKey,
  printSecretKey,
  signDetached,
  toPublicKey,
  verifyDetached,
} from '../src/index';
import { nix } from './nix-oracle';

const hasNix = fs.existsSync('/usr/bin/nix-store');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-narinfo-'));
const created: string[] = [];
afterAll(() => {
  for (const p of created.reverse()) nix('nix-store', ['--delete', p]);
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasNix)('narinfo and signatures as Nix 2.8 writes them', () => {
  const tag = randomBytes(6).toString('hex');
  const setup = () => {
    nix('nix-store', ['--generate-binary-cache-key', 'oracle-1', path.join(work, 'sec'), path.join(work, 'pub')]);
    const top = JSON.parse(
      nix('nix-instantiate', ['--read-write-mode', '--eval', '-E', `builtins.toFile "t-${tag}" "\${builtins.toFile "d-${tag}" "${tag}"}"`]),
    ) as string;
    const dep = nix('nix-store', ['-q', '--references', top]).trim();
    created.push(dep, top);
    const cache = path.join(work, 'cache');
    nix('nix', ['--extra-experimental-features', 'nix-command', 'copy', '--to', `file://${cache}?secret-key=${work}/sec`, top]);
    return { top, dep, cache };
  };
  let s: ReturnType<typeof setup>;

  it('parses and prints narinfo files byte for byte', () => {
    s = setup();
    const text = fs.readFileSync(path.join(s.cache, `${path.basename(s.top).slice(0, 32)}.narinfo`), 'utf8');
    const info = parseNarInfo(text, 'x');
    expect(info.storePath).toBe(s.top);
    expect(info.references).toEqual([s.dep]);
    expect(info.compression).toBe('xz');
    expect(info.narHash).toBe(nix('nix-store', ['-q', '--hash', s.top]).trim());
    expect(info.ca).toMatch(/^text:sha256:/);
    expect(printNarInfo(info)).toBe(text);
    expect(parseCacheInfo(fs.readFileSync(path.join(s.cache, 'nix-cache-info'), 'utf8')).storeDir).toBe('/nix/store');
  });

  it("signs fingerprints exactly as Nix does and verifies Nix's signatures", () => {
    const sec = parseSecretKey(fs.readFileSync(path.join(work, 'sec'), 'utf8'));
    const pub = parsePublicKey(fs.readFileSync(path.join(work, 'pub'), 'utf8'));
    expect(printPublicKey(toPublicKey(sec))).toBe(fs.readFileSync(path.join(work, 'pub'), 'utf8').trim());
    expect(printSecretKey(sec)).toBe(fs.readFileSync(path.join(work, 'sec'), 'utf8').trim());
    for (const p of [s.top, s.dep]) {
      const info = parseNarInfo(fs.readFileSync(path.join(s.cache, `${path.basename(p).slice(0, 32)}.narinfo`), 'utf8'), 'x');
      const fp = pathFingerprint(info.storePath, info.narHash, info.narSize, info.references);
      expect(fp).toBe(`1;${p};${info.narHash};${info.narSize};${info.references.join(',')}`);
      expect(signDetached(sec, fp)).toBe(info.sigs[0]);
      expect(verifyDetached(fp, info.sigs[0]!, [pub])).toBe(true);
      expect(verifyDetached(fp.replace('1;', '1; '), info.sigs[0]!, [pub])).toBe(false);
      expect(verifyDetached(fp, info.sigs[0]!, [toPublicKey(generateSecretKey('oracle-1'))])).toBe(false);
    }
  });
});

describe('narinfo parsing refuses what Nix refuses', () => {
  const good = [
    'StorePath: /nix/store/fzss7k5ynyq8l57gvi9ywr0v12q70bfc-b',
    'URL: nar/1ghr4yfqhmim30j9img7pyza4qvhpaijrhgr5jhhcyib2dqv83y6.nar.zst',
    'Compression: zstd',
    'NarHash: sha256:1vjcl4n0hrvyi740zkjjc266583wr9p27xzmh276pds274vn3kia',
    'NarSize: 120',
    'References: ',
    '',
  ].join('\n');
  it.each([
    ['no StorePath', good.replace(/^StorePath.*\n/m, '')],
    ['no URL', good.replace(/^URL.*\n/m, '')],
    ['no NarHash', good.replace(/^NarHash.*\n/m, '')],
    ['a cut NarHash', good.replace(/kia$/m, '')],
    ['no NarSize', good.replace(/^NarSize.*\n/m, '')],
    ['a store path elsewhere', good.replace('/nix/store/fzss', '/tmp/store/fzss')],
    ['a bad reference', good.replace('References: ', 'References: ../../etc')],
    ['a line without a colon', good + 'garbage\n'],
  ])('%s', (_name, text) => {
    expect(() => parseNarInfo(text, 'f.narinfo')).toThrow(/NAR info file 'f.narinfo' is corrupt/);
  });
  it('reads a missing Compression as bzip2, as Nix', () => {
    expect(parseNarInfo(good.replace(/^Compression.*\n/m, ''), 'x').compression).toBe('bzip2');
  });
});
