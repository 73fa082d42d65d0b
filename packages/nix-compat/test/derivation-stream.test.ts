/**
 * The streaming ATerm printer: byte-equal to a plain reference printer on strings that cross its
 * chunk and block boundaries, and to Nix on derivations with large environment strings.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  type Derivation,
  type InputDrvHashLookup,
  base16Encode,
  bytesEqual,
  cloneDerivation,
  computeDerivationOutputPaths,
  concatBytes,
  createHashSink,
  derivationStorePath,
  emptyDerivation,
  fromUtf8,
  hashBytes,
  hashDerivationModuloHex,
  instantiateDerivation,
  parseDerivation,
  printDerivation,
  printDerivationBytes,
  sortedUtf8,
  storePathName,
  streamDerivation,
  streamDerivationWithReplacements,
  streamMaskedDerivation,
  utf8,
  utf8Into,
} from '../src/index';
import { nixEvalJson } from './nix-oracle';

/** Reference printer: the ATerm as one JS string, escaped with String.replace, then encoded. */
function referenceAterm(drv: Derivation, inputs: ReadonlyMap<string, Iterable<string>> = drv.inputDrvs): Uint8Array {
  const esc: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const q = (s: string, escape = false): string => `"${escape ? s.replace(/["\\\n\r\t]/g, (c) => esc[c]!) : s}"`;
  const outs = sortedUtf8(drv.outputs.keys()).map((k) => {
    const o = drv.outputs.get(k)!;
    return `(${q(k)},${q(o.path)},${q(o.hashAlgo)},${q(o.hash)})`;
  });
  const ins = sortedUtf8(inputs.keys()).map((k) => `(${q(k)},[${sortedUtf8(inputs.get(k)!).map((o) => q(o)).join(',')}])`);
  const srcs = sortedUtf8(drv.inputSrcs).map((s) => q(s));
  const env = sortedUtf8(drv.env.keys()).map((k) => `(${q(k, true)},${q(drv.env.get(k)!, true)})`);
  const text = `Derive([${outs.join(',')}],[${ins.join(',')}],[${srcs.join(',')}],${q(drv.platform)},${q(drv.builder, true)},[${drv.args.map((a) => q(a, true)).join(',')}],[${env.join(',')}])`;
  return utf8(text);
}

function collect(write: (sink: (c: Uint8Array) => void) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  write((c) => chunks.push(c.slice()));
  return concatBytes(chunks);
}

function drvWithEnv(env: Record<string, string>, args: string[] = []): Derivation {
  const d = emptyDerivation();
  d.platform = 'x86_64-linux';
  d.builder = '/bin/sh';
  d.args = args;
  d.outputs.set('out', { path: '', hashAlgo: '', hash: '' });
  for (const [k, v] of Object.entries(env)) d.env.set(k, v);
  return d;
}

const CHUNK = 64 * 1024;

describe('streaming ATerm printer', () => {
  test('escapes, non-ASCII, escaped bytes and lone surrogates', () => {
    const d = drvWithEnv(
      { a: 'q" b\\ n\n t\t r\r é ✓ 😀 ${x}', b: 'raw \udc80\udcff bytes', c: 'lone \ud800 high \udc10 low', '': '' },
      ['a\nb', ''],
    );
    expect(bytesEqual(printDerivationBytes(d), referenceAterm(d))).toBe(true);
  });

  test('surrogate pairs and escapes at every offset around chunk and block boundaries', () => {
    // The printer writes blocks of a third of its free room; offsets shift with the prefix length.
    for (let prefix = 0; prefix < 12; prefix++) {
      for (const unit of ['😀', '\n', 'é', '\udcfe', 'x']) {
        const s = 'p'.repeat(prefix) + unit.repeat(((CHUNK / 3) | 0) + 7) + 'y'.repeat(CHUNK - 5) + unit.repeat(CHUNK);
        const d = drvWithEnv({ s, t: `${unit}z`.repeat(5000) });
        expect(bytesEqual(printDerivationBytes(d), referenceAterm(d)), `${prefix} ${JSON.stringify(unit)}`).toBe(true);
      }
    }
  });

  test('a long mixed string with every kind of unit', () => {
    const units = ['a', '"', '\\', '\n', '\r', '\t', 'é', '✓', '😀', '\udc80', '\udcc3\udca9', ' '];
    let seed = 1;
    const parts: string[] = [];
    for (let i = 0; i < 400_000; i++) parts.push(units[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % units.length]!);
    const d = drvWithEnv({ big: parts.join(''), small: 'x' });
    const bytes = printDerivationBytes(d);
    expect(bytes.length).toBeGreaterThan(3 * CHUNK);
    expect(bytesEqual(bytes, referenceAterm(d))).toBe(true);
    // Parsing the printed text gives the derivation back.
    expect(parseDerivation(fromUtf8(bytes)).env.get('big')).toBe(d.env.get('big'));
  });

  test('the replaced-inputs sink gets the ATerm hashDerivationModulo hashes', () => {
    const d = drvWithEnv({ big: 'line "q"\n'.repeat(20_000) });
    d.inputDrvs.set('/nix/store/0000000000000000000000000000000a-a.drv', new Set(['out', 'dev']));
    d.inputDrvs.set('/nix/store/0000000000000000000000000000000b-b.drv', new Set(['out']));
    const repl = new Map([['ff00', new Set(['out', 'dev'])], ['aa11', new Set(['out'])]]);
    const plain: Uint8Array[] = [];
    const replaced: Uint8Array[] = [];
    streamDerivationWithReplacements(d, (c) => plain.push(c.slice()), repl, (c) => replaced.push(c.slice()));
    expect(bytesEqual(concatBytes(plain), referenceAterm(d))).toBe(true);
    expect(bytesEqual(concatBytes(replaced), referenceAterm(d, repl))).toBe(true);
    expect(bytesEqual(collect((s) => streamDerivation(d, s, { inputDrvReplacements: repl })), referenceAterm(d, repl))).toBe(true);
  });

  test('large strings shared between derivations print the same from the escape cache', () => {
    const big = 'shared "x"\n é 😀\t'.repeat(20_000);
    const twin = big.slice(0, 7) + big.slice(7); // equal content, another string object
    const other = big.slice(1) + '!'; // same length, different content
    const kept: Uint8Array[] = [];
    for (const [i, v] of [big, twin, other, big, big.toUpperCase(), big].entries()) {
      const d = drvWithEnv({ v, i: String(i), w: i % 2 === 0 ? big : 'small' });
      const printed = printDerivationBytes(d);
      expect(bytesEqual(printed, referenceAterm(d)), `derivation ${i}`).toBe(true);
      kept.push(printed);
    }
    // Bytes handed out earlier are not changed by later prints.
    expect(bytesEqual(kept[0]!, referenceAterm(drvWithEnv({ v: big, i: '0', w: big })))).toBe(true);
    // Many large strings: the cache stays bounded and every print stays right.
    for (let k = 0; k < 20; k++) {
      const d = drvWithEnv({ v: `${k}\n`.repeat(40_000 + k), w: big });
      expect(bytesEqual(printDerivationBytes(d), referenceAterm(d)), `round ${k}`).toBe(true);
    }
  });

  test('a large string prints the same on every print: escaped, escaped again, kept, reused', () => {
    const big = 'kept "x"\n é 😀\t\udc80'.repeat(8_000);
    for (let k = 0; k < 6; k++) {
      const d = drvWithEnv({ v: big, i: String(k) });
      const masked = collect((s) => streamDerivation(d, s, { maskOutputs: true }));
      expect(bytesEqual(masked, referenceAterm(drvWithEnv({ v: big, i: String(k) })))).toBe(true);
      expect(bytesEqual(printDerivationBytes(d), referenceAterm(d)), `print ${k}`).toBe(true);
    }
    // More distinct large strings than either list holds, each printed three times.
    for (let k = 0; k < 40; k++) {
      const d = drvWithEnv({ v: `${k} "q"\n`.repeat(20_000 + k) });
      for (let r = 0; r < 3; r++) expect(bytesEqual(printDerivationBytes(d), referenceAterm(d)), `string ${k} print ${r}`).toBe(true);
    }
  });

  test('writers share one chunk buffer only one at a time (prints inside a sink, after a failed print)', () => {
    const a = drvWithEnv({ big: 'a\n'.repeat(CHUNK), k: 'a' });
    const b = drvWithEnv({ big: 'b\t'.repeat(CHUNK), k: 'b' });
    // A sink that prints another derivation while the outer print's chunk is still being read.
    const outer: Uint8Array[] = [];
    const inner: Uint8Array[] = [];
    streamDerivation(a, (c) => {
      const before = c.slice();
      inner.push(collect((s) => streamDerivation(b, s)));
      expect(bytesEqual(c, before)).toBe(true);
      outer.push(before);
    });
    expect(bytesEqual(concatBytes(outer), referenceAterm(a))).toBe(true);
    for (const x of inner) expect(bytesEqual(x, referenceAterm(b))).toBe(true);
    // A sink that throws mid-print leaves the next prints right.
    expect(() =>
      streamDerivation(b, () => {
        throw new Error('sink failed');
      }),
    ).toThrow('sink failed');
    expect(bytesEqual(printDerivationBytes(a), referenceAterm(a))).toBe(true);
    expect(bytesEqual(collect((s) => streamDerivation(b, s)), referenceAterm(b))).toBe(true);
  });

  test('utf8Into writes what utf8 returns for the slice', () => {
    const s = 'ab"é\n😀\udc80✓x\udcff\ud800y';
    const out = new Uint8Array(s.length * 3 + 8);
    for (let i = 0; i <= s.length; i++) {
      for (let j = i; j <= s.length; j++) {
        const cutsPair = (k: number): boolean => k > 0 && k < s.length && s.charCodeAt(k - 1) === 0xd83d;
        if (cutsPair(i) || cutsPair(j)) continue;
        const end = utf8Into(s, i, j, out, 3);
        expect([...out.subarray(3, end)]).toEqual([...utf8(s.slice(i, j))]);
      }
    }
  });

  test('printDerivation decodes the printed bytes', () => {
    const d = drvWithEnv({ a: 'é\udc80\n' });
    expect(utf8(printDerivation(d))).toEqual(printDerivationBytes(d));
  });
});

describe('large environment strings against nix-instantiate', () => {
  // ≈ 1.7 MB each, with every escaped character, multi-byte characters and a 4-byte one.
  const bigExpr = (tag: string, n = 40000): string =>
    `builtins.concatStringsSep "" (builtins.genList (i: "${tag} q\\" b\\\\ n\\n t\\t r\\r é ✓ 😀 \${toString i}\\n") ${n})`;
  const prelude = `
    mk = attrs: derivation ({ system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);
    big = mk { name = "big"; script = ${bigExpr('a')}; outputs = [ "out" "dev" ]; };
    dep = mk { name = "dep"; script = ${bigExpr('b')}; a = big.dev; b = "\${big}"; };
    fixed = mk { name = "fixed"; script = ${bigExpr('c')}; outputHashAlgo = "sha256"; outputHashMode = "recursive"; outputHash = "1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"; };
    top = mk { name = "top"; script = ${bigExpr('d')}; d = dep; f = fixed; };
    mid = mk { name = "mid"; script = ${bigExpr('e', 6000)}; outputs = [ "out" "lib" ]; a = big.dev; t = top; z = "after the outputs"; };
  `;
  // mid's printed tail (≈ 300 KB) is kept between its two prints; the others' are printed twice.
  const names = ['big', 'dep', 'fixed', 'top', 'mid'];
  let infos: Record<string, string>;
  const readDrv = (p: string): string => readFileSync(p, 'utf8');
  const memo = new Map<string, string>();
  const lookup: InputDrvHashLookup = (p) => {
    let h = memo.get(p);
    if (h === undefined) memo.set(p, (h = hashDerivationModuloHex(parseDerivation(readDrv(p)), lookup)));
    return h;
  };

  beforeAll(() => {
    infos = nixEvalJson<Record<string, string>>(`let ${prelude} in { ${names.map((n) => `${n} = ${n}.drvPath;`).join(' ')} }`);
  }, 120_000);

  test.each(names)('%s: printed bytes, drv path, outputs and hash modulo equal Nix', (n) => {
    const drvPath = infos[n]!;
    const text = readFileSync(drvPath);
    const real = parseDerivation(readDrv(drvPath));
    expect(bytesEqual(printDerivationBytes(real), new Uint8Array(text))).toBe(true);
    const name = storePathName(drvPath).slice(0, -'.drv'.length);
    expect(derivationStorePath(real, name)).toBe(drvPath);

    const blank = cloneDerivation(real);
    for (const [o, out] of blank.outputs) {
      blank.outputs.set(o, { ...out, path: '' });
      blank.env.delete(o);
    }
    const inst = instantiateDerivation(blank, lookup, { keepAterm: true });
    expect(inst.drvPath).toBe(drvPath);
    expect(bytesEqual(concatBytes(inst.aterm!), new Uint8Array(text))).toBe(true);
    expect(inst.hashModulo).toBe(lookup(drvPath));
    const h = createHashSink('sha256');
    for (const c of inst.aterm!) h.update(c);
    expect(h.finish().size).toBe(text.length);
  });
});

describe("instantiateDerivation replays the masked print's tail", () => {
  /** The slow composition: output paths from a masked print, then a full print hashed twice. */
  function reference(blank: Derivation, lookup: InputDrvHashLookup, name: string) {
    const drv = computeDerivationOutputPaths(blank, lookup, { name });
    return {
      drvPath: derivationStorePath(drv, name),
      aterm: printDerivationBytes(drv),
      hashModulo: hashDerivationModuloHex(drv, lookup),
    };
  }
  const inputHash = (p: string): string => base16Encode(hashBytes('sha256', p).bytes);
  const text = (units: number, seed: string): string => {
    const piece = `${seed} "quoted" back\\slash tab\t cr\r é ✓ 😀 line\n`;
    return piece.repeat(Math.ceil(units / piece.length)).slice(0, units);
  };
  function make(name: string, script: string, outputs: string[], withInputs: boolean): Derivation {
    const d = emptyDerivation();
    d.platform = 'x86_64-linux';
    d.builder = '/bin/sh';
    d.args.push('-c', 'eval "$script"');
    d.env.set('name', name);
    d.env.set('a-before', 'first');
    d.env.set('script', script);
    d.env.set('zz-after', text(3000, 'after'));
    for (const o of outputs) {
      d.outputs.set(o, { path: '', hashAlgo: '', hash: '' });
      d.env.set(o, '');
    }
    if (withInputs) {
      d.inputDrvs.set('/nix/store/00000000000000000000000000000000-a.drv', new Set(['out', 'dev']));
      d.inputDrvs.set('/nix/store/11111111111111111111111111111111-b.drv', new Set(['out']));
      d.inputSrcs.add('/nix/store/22222222222222222222222222222222-src');
    }
    return d;
  }

  // Small, crossing the 64 KiB chunk, just under and over the 1 MiB that is kept.
  test.each([100, 70_000, 800_000, 1_100_000])('a %i-unit env string, with and without inputDrvs, one to three outputs', (units) => {
    for (const [outputs, withInputs] of [[['out'], false], [['out', 'dev'], true], ['bin dev out'.split(' '), true]] as const) {
      // Up to 1 MiB of escaped bytes the tail is kept; above, the string is printed again. Fresh
      // strings each time: a string printed a third time is cached, and its cached bytes are kept.
      const probe = make('probe', text(units, `p${units}-${outputs.length}`), [...outputs], withInputs);
      expect(streamMaskedDerivation(probe, new Map(), () => {}, 1024 * 1024) !== undefined).toBe(units < 1_000_000);
      const blank = make(`t${units}`, text(units, `s${units}-${outputs.length}`), [...outputs], withInputs);
      const got = instantiateDerivation(blank, inputHash, { name: `t${units}`, keepAterm: true });
      const want = reference(blank, inputHash, `t${units}`);
      expect(got.drvPath).toBe(want.drvPath);
      expect(got.hashModulo).toBe(want.hashModulo);
      expect(bytesEqual(concatBytes(got.aterm!), want.aterm)).toBe(true);
    }
  });

  test('a large string shared by many derivations (its escaped bytes cached) is replayed byte-exact', () => {
    const shared = text(300_000, 'shared');
    for (let i = 0; i < 6; i++) {
      const blank = make(`s${i}`, shared, ['out', 'dev'], i % 2 === 0);
      const want = reference(blank, inputHash, `s${i}`);
      const got = instantiateDerivation(blank, inputHash, { name: `s${i}`, keepAterm: true });
      expect([i, got.drvPath, got.hashModulo]).toEqual([i, want.drvPath, want.hashModulo]);
      expect(bytesEqual(concatBytes(got.aterm!), want.aterm)).toBe(true);
    }
  });
});
