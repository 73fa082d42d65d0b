/**
 * Issue 10, item 2: formatBash (shfmt), lintBash (shellcheck), lintNix (nix-instantiate --parse),
 * lintWithAjv (Ajv): each fails non-zero with its tool's findings on bad input.
 * The project is tests/makes/issue10-fixture.ts's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { useCatalogueProject } from './issue10-fixture';

const proj = useCatalogueProject('m-issue10-lint-');
const { m, project } = proj;

describe.skipIf(!mIsBuilt())('issue 10: formatBash, lintBash, lintNix, lintWithAjv (item 2)', () => {
  it('formatBash: in CI shows shfmt diff and fails, else formats in place', async () => {
    const ci = await m(['.', '/formatBash'], { CI: 'true' });
    expect(ci.code).toBe(1);
    expect(ci.stdout).toContain('-echo  "$1"\n+  echo "$1"');
    const local = await m(['.', '/formatBash']);
    expect(local.code, local.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project, 'scripts/ugly.sh'), 'utf8')).toBe('#!/bin/bash\nif [ "$1" ]; then\n  echo "$1"\nfi\n');
    expect((await m(['.', '/formatBash'], { CI: 'true' })).code).toBe(0);
  }, 300_000);

  it("lintBash: the build fails with shellcheck's findings", async () => {
    const r = await m(['.', '/lintBash']);
    expect(r.code).toBe(100); // a failed build, as Nix
    expect(r.stderr).toMatch(/warn\.sh line 2:/);
    expect(r.stderr).toContain('SC2086');
  }, 300_000);

  it("lintNix: Nix's parser reports the syntax error with its position", async () => {
    const r = await m(['.', '/lintNix']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: syntax error, unexpected ';'");
    expect(r.stderr).toContain(`${fs.realpathSync(project)}/nix/bad.nix:1:7:`);
    fs.writeFileSync(path.join(project, 'nix/bad.nix'), '{ a = 2; }\n');
    const fixed = await m(['.', '/lintNix']);
    expect(fixed.code, fixed.stderr).toBe(0);
  }, 300_000);

  it("lintWithAjv: Ajv's errors for the invalid file", async () => {
    const r = await m(['.', '/lintWithAjv/config']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/good\.yaml valid\n/);
    expect(r.stderr).toMatch(/bad\.json invalid\n/);
    expect(r.stderr).toContain("should have required property 'name'");
    expect(r.stderr).toContain('"dataPath": ".port"');
  }, 300_000);
});
