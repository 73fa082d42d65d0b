/**
 * The makes/fetch-example output of this repository: fetchUrl and fetchArchive of the project's own
 * files through file:// URLs, pinned by sha256 (no network); the store paths m reports are real
 * Nix 2.8's for the same URLs and hashes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { M_BIN, REPO_ROOT, hasNix, mIsBuilt, runCommand, runNix } from '../lib/run';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm-fetchers-example-'));
const here = `file://${REPO_ROOT}/makes/fetch-example`;

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!mIsBuilt() || !hasNix)('makes/fetch-example', () => {
  it('m . /fetch-example runs offline; its fetched paths are Nix\'s', async () => {
    const main = fs.readFileSync(path.join(REPO_ROOT, 'makes/fetch-example/main.nix'), 'utf8');
    const [notesHash, greetHash] = [...main.matchAll(/sha256 = "([0-9a-z]{52})"/g)].map((x) => x[1]!);
    const [r, theirs] = await Promise.all([
      runCommand(M_BIN, ['.', '/fetch-example'], { cwd: REPO_ROOT, home: work, env: { M_STORE: path.join(work, 'store') }, timeoutMs: 240_000 }),
      runNix(['--eval', '--strict', '-E', `[ (builtins.fetchurl { url = "${here}/notes.txt"; sha256 = "${notesHash}"; }) (builtins.fetchTarball { url = "${here}/greet-1.0.tar.gz"; sha256 = "${greetHash}"; }) ]`], { cwd: work }),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Fetched by sha256 from a file:// URL: no network needed.\ngreet: hello from a fetched archive\n');
    expect(theirs.code, theirs.stderr).toBe(0);
    const [notes, greet] = [...theirs.stdout.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
    expect(greet).toMatch(/-source$/);
    expect(r.stderr).toContain(`[INFO] fetchUrl: ${notes}\n`);
    expect(r.stderr).toContain(`[INFO] fetchArchive: ${greet}\n`);
  }, 300_000);
});
