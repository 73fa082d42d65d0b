/** Timing sanity run (not an assertion on speed): parse a generated ~500 KB Nix file. */
import { expect, test } from 'vitest';
import { parse } from '../src/index';

function generate(size: number): string {
  const parts: string[] = ['{ lib, stdenv, fetchurl, ... }:\nlet\n  helpers = rec {\n'];
  let i = 0;
  while (parts.reduce((n, p) => n + p.length, 0) < size) {
    parts.push(
      `    pkg${i} = stdenv.mkDerivation rec {\n` +
        `      pname = "pkg-${i}"; version = "1.${i}.0";\n` +
        `      src = fetchurl { url = "https://example.org/\${pname}-\${version}.tar.gz"; sha256 = "0${i}abcdef"; };\n` +
        `      buildInputs = [ pkg${Math.max(0, i - 1)} ] ++ lib.optional (${i} > 3) stdenv.cc;\n` +
        `      meta = { description = ''\n        Package number ${i}, with \${pname}\n      ''; priority = ${i} * 2 - 1 / 3; };\n` +
        `      passthru.tests = if ${i} < 10 || !stdenv.isLinux then { } else { inherit src; x = ./tests/t${i}.nix; };\n` +
        `    };\n`,
    );
    i++;
  }
  parts.push('  };\nin helpers\n');
  return parts.join('');
}

test('a 500 KB file parses quickly', () => {
  const src = generate(500_000);
  parse(src.slice(0, 20_000), { file: '/gen/default.nix', basePath: '/gen' }); // warm up
  const t0 = performance.now();
  const r = parse(src, { file: '/gen/default.nix', basePath: '/gen', scope: { names: ['builtins', 'true', 'false', 'null', '__sub', '__mul', '__div', '__lessThan'] } });
  const ms = performance.now() - t0;
  console.log(`parsed ${(src.length / 1024).toFixed(0)} KB in ${ms.toFixed(0)} ms`);
  expect(r.errors).toEqual([]);
});
