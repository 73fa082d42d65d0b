/**
 * Hostile inputs against the JS engine's size limits: strings past V8's maximum length, lists
 * past the largest fast array, huge files. Each must end promptly as a Nix-style `error:` with the
 * position of the call, exit 1, no JavaScript stack and no "internal error".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { hasJsStackTrace, runM } from '../lib/run';
import { attempt } from './attempt';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm-adv-bytes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 16 MiB string, built by doubling (cheap: V8 concatenations are ropes). */
const BIG = 'let double = n: s: if n == 0 then s else double (n - 1) (s + s); big = double 24 "x"; in';

interface Expect {
  /** The error message must match this. */
  message: RegExp;
  /** `FILE:LINE:COL` of the call that hit the limit. */
  at: string;
}

async function limitError(name: string, source: string, want: Expect): Promise<void> {
  const file = path.join(dir, `${name}.nix`);
  fs.writeFileSync(file, source);
  const r = await runM(['--eval', '--strict', file], { cwd: dir, timeoutMs: 150_000 });
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.stderr).toMatch(want.message);
  expect(r.stderr).toContain(`at ${file}:${want.at}:`);
  expect(r.stderr).not.toContain('internal error');
  expect(hasJsStackTrace(r.stderr), r.stderr).toBe(false);
}

const TIMEOUT = 160_000;

describe('JS size limits are positioned Nix errors', () => {
  attempt(
    'input',
    'string concatenation past V8 maximum string length (s + s)',
    () =>
      limitError('concat', 'let f = n: s: if n == 0 then s else f (n - 1) (s + s); in builtins.stringLength (f 30 "x")\n', {
        message: /out of memory: the string would be longer than \d+ bytes/,
        at: '1:48',
      }),
    TIMEOUT,
  );

  attempt(
    'input',
    'string interpolation past the maximum string length',
    () =>
      limitError('interp', `${BIG}\nlet s = "\${big}\${big}\${big}\${big}"; in builtins.stringLength "\${s}\${s}\${s}\${s}\${s}\${s}\${s}\${s}"\n`, {
        message: /out of memory: the string would be longer/,
        at: '2:63',
      }),
    TIMEOUT,
  );

  attempt(
    'input',
    'concatStringsSep past the maximum string length',
    () =>
      limitError('sep', `${BIG}\nbuiltins.stringLength (builtins.concatStringsSep "," (builtins.genList (x: big) 40))\n`, {
        message: /out of memory: the string would be longer/,
        at: '2:24',
      }),
    TIMEOUT,
  );

  attempt(
    'input',
    'toJSON of a value whose text is past the maximum string length',
    () =>
      limitError('json', `${BIG}\nbuiltins.stringLength (builtins.toJSON (builtins.genList (x: big) 40))\n`, {
        message: /out of memory: the string would be longer/,
        at: '2:24',
      }),
    TIMEOUT,
  );

  attempt(
    'input',
    'genList of 2^31 elements',
    () =>
      limitError('genlist', 'builtins.length (builtins.genList (x: x) 2147483648)\n', {
        message: /out of memory: cannot create a list of 2147483648 elements/,
        at: '1:18',
      }),
    TIMEOUT,
  );

  attempt(
    'input',
    'concatLists past the largest list',
    () =>
      limitError(
        'concatlists',
        'let l = builtins.genList (x: x) 100000; in\nbuiltins.length (builtins.concatLists (builtins.genList (x: l) 2000))\n',
        { message: /out of memory: cannot create a list of 200000000 elements/, at: '2:18' },
      ),
    TIMEOUT,
  );

  attempt(
    'input',
    'readFile of a 700 MiB file of zero bytes fails as in Nix (NUL), not on the string limit',
    async () => {
      const big = path.join(dir, 'zeros.dat');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 700 * 1024 * 1024); // sparse: no disk used
      const file = path.join(dir, 'readfile.nix');
      fs.writeFileSync(file, 'builtins.stringLength (builtins.readFile ./zeros.dat)\n');
      const r = await runM(['--eval', file], { cwd: dir, timeoutMs: 150_000 });
      fs.rmSync(big);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: the contents of the file '${big}' cannot be represented as a Nix string`);
      expect(hasJsStackTrace(r.stderr), r.stderr).toBe(false);
    },
    TIMEOUT,
  );
});
