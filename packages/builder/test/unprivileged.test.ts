/**
 * m run by an unprivileged user (tested from root by dropping to nobody): builds run directly as
 * that user, under bwrap and the unshare fallback, with the same view of the sandbox.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOBODY = 65534;

describe.runIf(process.geteuid?.() === 0)('as an unprivileged user', () => {
  let dir: string;
  let bundle: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-unpriv-'));
    fs.chmodSync(dir, 0o755);
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(
      entry,
      `import * as fs from 'node:fs';
import { runBuild } from ${JSON.stringify(path.join(here, '../src/index'))};
import { fakeStorePath, makeTestStore, shRequest } from ${JSON.stringify(path.join(here, 'helpers'))};
(async () => {
  const store = makeTestStore();
  const link = fakeStorePath('l');
  fs.symlinkSync('/', store.phys(link));
  const file = fakeStorePath('f');
  store.add(file, 'plain\\n');
  const report: Record<string, unknown> = {};
  for (const sandbox of ['bwrap', 'unshare'] as const) {
    const out = fakeStorePath('o');
    const script = 'exec > $out 2>&1; id; readlink ' + link + '; cat ' + file + '; echo x > /proc/sys/kernel/hostname || echo denied; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status';
    const r = await runBuild(shRequest(store, script, { sandbox, inputPaths: [link, file], outputs: { out }, env: { out } }));
    report[sandbox] = { text: fs.readFileSync(r.outputs.out!, 'utf8'), owner: fs.statSync(r.outputs.out!).uid };
  }
  store.cleanup();
  process.stdout.write(JSON.stringify(report));
})().catch((e) => { process.stderr.write(String(e.message)); process.exit(1); });
`,
    );
    bundle = path.join(dir, 'main.cjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', outfile: bundle, logLevel: 'error' });
    fs.chmodSync(bundle, 0o644);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds as the calling user under bwrap and unshare', () => {
    const r = spawnSync('/usr/bin/setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, bundle], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as Record<string, { text: string; owner: number }>;
    for (const sandbox of ['bwrap', 'unshare']) {
      expect(report[sandbox]!.owner).toBe(NOBODY);
      expect(report[sandbox]!.text).toMatch(/^uid=1000\(nixbld\) gid=100\(nixbld\)\n\/\nplain\n.*\ndenied\nCapEff:\s+0+\nNoNewPrivs:\s+1\n$/);
    }
  });
});
