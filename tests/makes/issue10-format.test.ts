/**
 * Issue 10, item 2: formatYaml, formatMarkdown, lintGitMailMap, testLicense (reuse): each fails
 * non-zero with its tool's findings, then passes once fixed.
 * The project is tests/makes/issue10-fixture.ts's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { useCatalogueProject } from './issue10-fixture';

const proj = useCatalogueProject('m-issue10-format-');
const { m, project } = proj;

describe.skipIf(!mIsBuilt())('issue 10: formatYaml, formatMarkdown, lintGitMailMap, testLicense (item 2)', () => {
  it('formatYaml rewrites the file, fails once, then passes', async () => {
    const y = await m(['.', '/formatYaml']);
    expect(y.code).toBe(1);
    expect(y.stderr).toContain('./yaml/config.yaml was not formatted; formatted it');
    expect(fs.readFileSync(path.join(project, 'yaml/config.yaml'), 'utf8')).toBe(
      'name: demo\nlist:\n  - 1\n  - two # kept\nnested: { a: true, b: null }\n',
    );
    expect((await m(['.', '/formatYaml'])).code).toBe(0);
  }, 360_000);

  it('formatMarkdown writes the table of contents, fails once, then passes', async () => {
    const md = await m(['.', '/formatMarkdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('+  - [Install it!](#install-it)\n+    - [With `m`](#with-m)\n+  - [Install it!](#install-it-1)');
    const again = await m(['.', '/formatMarkdown']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Table of contents is ok');
  }, 360_000);

  it('lintGitMailMap checks .mailmap against the history', async () => {
    const none = await m(['.', '/lintGitMailMap']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('.mailmap does not exist');
    fs.writeFileSync(path.join(project, '.mailmap'), 'Ann Example <ann@example.com> Ann Example <ann@example.com>\n');
    const unmapped = await m(['.', '/lintGitMailMap']);
    expect(unmapped.code).toBe(1);
    expect(unmapped.stderr).toContain('[ERROR]   Not in .mailmap: bob <bob@example.com>');
    fs.appendFileSync(path.join(project, '.mailmap'), 'Bob Builder <bob@example.com> bob <bob@example.com>\n');
    const ok = await m(['.', '/lintGitMailMap']);
    expect(ok.code, ok.stderr).toBe(0);
  }, 300_000);

  it("testLicense: reuse lint's report, failing until every file is licensed", async () => {
    const r = await m(['.', '/testLicense']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('* scripts/warn.sh');
    expect(r.stdout).toContain('not compliant with version 3.0 of the REUSE Specification');
    fs.mkdirSync(path.join(project, '.reuse'));
    fs.writeFileSync(
      path.join(project, '.reuse/dep5'),
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2026 Ann Example\nLicense: MIT\n',
    );
    fs.mkdirSync(path.join(project, 'LICENSES'));
    fs.writeFileSync(path.join(project, 'LICENSES/MIT.txt'), 'MIT License\n');
    const ok = await m(['.', '/testLicense']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
  }, 300_000);
});
