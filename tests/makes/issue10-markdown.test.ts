/**
 * Issue 10, a linter of makes ≤ 24.09 ported: lintMarkdown with Debian's mdl (ruby-mdl, the tool
 * makes used), Debian's Ruby run from the store. A clean file passes; a directory with a bad file
 * fails the build (exit 100) with mdl's findings; a project style file is honoured.
 */
import { describe, expect, it } from 'vitest';
import { mIsBuilt } from '../lib/run';
import { gitProject } from './git-project';

const files: Record<string, string> = {
  'makes.nix': `{ ... }: {
    lintMarkdown.good.targets = [ "/docs/good.md" ];
    lintMarkdown.all.targets = [ "/docs" ];
    # An option named config makes the set a full module (as in nixpkgs): its settings go under config.
    lintMarkdown.relaxed.config = { targets = [ "/docs" ]; config = "/mdl-style.rb"; };
  }`,
  'docs/good.md': '# Title\n\nSome text.\n\n- one\n- two\n',
  'docs/bad.md': '# Heading\nText right under it.\n',
  'mdl-style.rb': "all\nexclude_rule 'MD022'\n",
};

const { m } = gitProject('m-issue10-markdown-', files);

describe.skipIf(!mIsBuilt())('issue 10: lintMarkdown (mdl)', () => {
  it('m . lists the lintMarkdown outputs; a clean file passes', async () => {
    const list = await m(['.']);
    expect(list.stdout).toContain('  /lintMarkdown/all\n  /lintMarkdown/good\n  /lintMarkdown/relaxed\n');
    const r = await m(['.', '/lintMarkdown/good']);
    expect(r.code, r.stderr).toBe(0);
  }, 360_000);

  it("a bad file fails the build with mdl's findings; a project style file is used", async () => {
    const r = await m(['.', '/lintMarkdown/all']);
    expect(r.code).toBe(100);
    expect(r.stderr).toMatch(/-docs\/bad\.md:1: MD022 Headers should be surrounded by blank lines/);
    expect(r.stderr).toContain('[CRITICAL] mdl found problems in');
    const relaxed = await m(['.', '/lintMarkdown/relaxed']);
    expect(relaxed.code, relaxed.stderr).toBe(0);
  }, 360_000);
});
