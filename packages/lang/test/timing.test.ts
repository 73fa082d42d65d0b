/**
 * Timing report (printed, not asserted: the machine's load makes times noisy) for a generated
 * ~530 KB package-set-shaped Nix file: parser construction, lexing (our scanner and chevrotain's
 * reference lexer), parsing (the fast path, and chevrotain's parser alone), parse + bindVars,
 * printing, and real `nix-instantiate --parse` on the same file. What is asserted is correctness:
 * the file parses and prints exactly as Nix prints it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse, showExpr } from '../src/index';
import { parseWithOnly } from '../src/parse';
import { tokenize } from '../src/lexer';
import { getParser } from '../src/parser';
import { createReferenceLexer } from '../src/tokens';
import { nixBaseScope } from './nix-oracle';

function generate(size: number): string {
  const parts: string[] = [
    '{ lib ? { optional = c: x: if c then [ x ] else [ ]; }, stdenv ? { mkDerivation = x: x; isLinux = true; cc = 1; }, fetchurl ? (x: x) }:\n',
    'let\n  inherit (lib) optional;\n  mkVersion = major: minor: "${toString major}.${toString minor}";\nin rec {\n',
  ];
  let total = parts.join('').length;
  for (let i = 0; total < size; i++) {
    const p =
      `  pkg${i} = stdenv.mkDerivation rec {\n` +
      `    pname = "pkg-${i}"; version = mkVersion 1 ${i};\n` +
      `    src = fetchurl { url = "https://example.org/\${pname}-\${version}.tar.gz"; sha256 = "0${i}abcdef"; };\n` +
      `    buildInputs = [ pkg${Math.max(0, i - 1)} ] ++ optional (${i} > 3) stdenv.cc;\n` +
      `    configureFlags = [ "--enable-x" "--with-level=\${toString (${i} * 3 + 1)}" ];\n` +
      `    postInstall = ''\n      mkdir -p $out/share/\${pname}\n      echo "built \${pname}" > $out/README # ''\${x}\n    '';\n` +
      `    meta = with lib; { description = "Package number ${i}"; priority = ${i} * 2 - 1 / 3 + 1.5e-2; homepage = https://example.org/${i}; };\n` +
      `    passthru.tests = if ${i} < 10 || !stdenv.isLinux then { } else { inherit src; x = ./tests/t${i}.nix; y = a: { b ? 1, ... }@c: a.b.c or c; };\n` +
      `  };\n`;
    parts.push(p);
    total += p.length;
  }
  parts.push('}\n');
  return parts.join('');
}

function cpuMs(f: () => void): number {
  const c = process.cpuUsage();
  f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

test('a ~530 KB file: timings, and the same --parse output as Nix', () => {
  const src = generate(530_000);
  const dir = mkdtempSync(join(tmpdir(), 'm-lang-timing-'));
  const file = join(dir, 'large.nix');
  writeFileSync(file, src);
  const scope = nixBaseScope();
  const opts = { file, basePath: dir, home: '/home/u' };

  const ctor = cpuMs(() => getParser());
  const lexFirst = cpuMs(() => tokenize(src));
  const reference = createReferenceLexer();
  const refLexFirst = cpuMs(() => reference.tokenize(src));
  let ast: ReturnType<typeof parse>['ast'];
  const parseFirst = cpuMs(() => (ast = parse(src, opts).ast));
  const chevrotainFirst = cpuMs(() => expect(parseWithOnly(src, opts, 'chevrotain')!.errors).toEqual([]));
  const bindFirst = cpuMs(() => expect(parse(src, { ...opts, scope }).errors).toEqual([]));
  let out = '';
  const showFirst = cpuMs(() => (out = showExpr(ast!)));
  // Warm figures: best of a few runs.
  const best = (f: () => void) => Math.min(...[0, 1, 2].map(() => cpuMs(f)));
  const lexWarm = best(() => tokenize(src));
  const refLexWarm = best(() => reference.tokenize(src));
  const parseWarm = best(() => parse(src, opts));
  const chevrotainWarm = best(() => parseWithOnly(src, opts, 'chevrotain'));
  const bindWarm = best(() => parse(src, { ...opts, scope }));

  const t0 = performance.now();
  const nix = spawnSync('nix-instantiate', ['--parse', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const nixWall = performance.now() - t0;

  const f = (x: number) => x.toFixed(0).padStart(5);
  console.log(
    [
      `file: ${(src.length / 1024).toFixed(0)} KB, ${tokenize(src).tokens.length} tokens (CPU ms; first run / best warm run)`,
      `parser construction       ${f(ctor)}`,
      `lex (lexer.ts)            ${f(lexFirst)} / ${f(lexWarm)}`,
      `lex (chevrotain Lexer)    ${f(refLexFirst)} / ${f(refLexWarm)}`,
      `parse (lex + parse)       ${f(parseFirst)} / ${f(parseWarm)}`,
      `parse, chevrotain only    ${f(chevrotainFirst)} / ${f(chevrotainWarm)}`,
      `parse + bindVars          ${f(bindFirst)} / ${f(bindWarm)}`,
      `showExpr                  ${f(showFirst)}`,
      `nix-instantiate --parse   ${f(nixWall)} (wall, whole process)`,
    ].join('\n'),
  );
  if (nix.status === 0 || nix.error === undefined) {
    expect(nix.status).toBe(0);
    expect(out + '\n').toBe(nix.stdout);
  }
});
