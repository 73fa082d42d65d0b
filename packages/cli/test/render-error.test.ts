/**
 * The error layout is compared byte for byte with real nix-instantiate 2.8 on the same errors:
 * the message and positions below are the ones Nix reports for each program.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderError, type RenderableError } from '../src/render-error';

const dir = mkdtempSync(join(tmpdir(), 'm-cli-render-'));

function nix(args: string[], input?: string): string {
  const r = spawnSync('nix-instantiate', args, { cwd: dir, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status).toBe(1);
  return r.stderr;
}

const ADD = 'cannot add a string to an integer';

beforeAll(() => {
  writeFileSync(join(dir, 'e1.nix'), 'let\n  a = 1;\n  b = a + "x";\nin\n  b\n');
  writeFileSync(join(dir, 'e2.nix'), 'let a = 1;\nin a + "x"');
  writeFileSync(join(dir, 'e3.nix'), 'let f = x: x + "a";\nin f 1\n');
});

describe('renderError matches nix-instantiate', () => {
  it('error in a file, with surrounding lines', () => {
    const e: RenderableError = { message: ADD, pos: { file: join(dir, 'e1.nix'), line: 3, column: 11 } };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', 'e1.nix']));
  });

  it('error on a last line without newline: no code frame', () => {
    const e: RenderableError = { message: ADD, pos: { file: join(dir, 'e2.nix'), line: 2, column: 8 } };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', 'e2.nix']));
  });

  it('error in an -E expression', () => {
    const src = 'let a = 1; in a + "x"';
    const e: RenderableError = { message: ADD, pos: { file: '«string»', line: 1, column: 19, source: src } };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', '-E', src]));
  });

  it('error in an -E expression with a trailing newline', () => {
    const src = 'let a = 1; in a + "x"\n';
    const e: RenderableError = { message: ADD, pos: { file: '«string»', line: 1, column: 19 } };
    expect(renderError(e, { showTrace: false, sourceOf: () => src })).toBe(nix(['--eval', '-E', src]));
  });

  it('error in standard input', () => {
    const src = 'let a = 1;\nin a + "x"';
    const e: RenderableError = { message: ADD, pos: { file: '«stdin»', line: 2, column: 8, source: src } };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', '-'], src));
  });

  it('suggestions follow the code frame', () => {
    const src = 'let x = {abc=1;}; in x.abd';
    const e: RenderableError = { message: "attribute 'abd' missing", pos: { file: '«string»', line: 1, column: 22, source: src }, hint: 'Did you mean abc?' };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', '-E', src]));
  });

  it('multi-line messages are indented and chomped', () => {
    const e: RenderableError = { message: 'a  \nb\t' };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', '-E', 'throw "a  \nb\t"']));
  });

  it('--show-trace prints the trace entries', () => {
    const file = join(dir, 'e3.nix');
    const e: RenderableError = {
      message: ADD,
      pos: { file, line: 1, column: 16 },
      trace: [
        { message: "while evaluating 'f'", pos: { file, line: 1, column: 9 } },
        { message: 'from call site', pos: { file, line: 2, column: 4 } },
      ],
    };
    expect(renderError(e, { showTrace: true })).toBe(nix(['--eval', '--show-trace', 'e3.nix']));
  });

  it('traces without --show-trace add the hint line', () => {
    const src = 'builtins.addErrorContext "ctx" (throw "x")';
    const e: RenderableError = { message: 'x', trace: [{ message: 'ctx' }] };
    expect(renderError(e, { showTrace: false })).toBe(nix(['--eval', '-E', src]));
    expect(renderError(e, { showTrace: true })).toBe(nix(['--eval', '--show-trace', '-E', src]));
  });
});

describe('describeFailure', () => {
  it('non-MError exceptions become internal errors without a stack trace', async () => {
    const { describeFailure } = await import('../src/run-instantiate');
    const none = () => undefined;
    expect(describeFailure(new TypeError('x is undefined'), false, none, false)).toBe('error: internal error: x is undefined\n');
    expect(describeFailure('weird', false, none, false)).toBe('error: internal error: weird\n');
    expect(describeFailure(new Error('boom'), false, none, true)).toMatch(/^error: internal error: boom\nError: boom\n\s+at /);
    expect(describeFailure(new RangeError('Maximum call stack size exceeded'), false, none, false)).toBe(
      'error: stack overflow (possible infinite recursion)\n',
    );
  });

  it('MErrors at «string» positions find their source text', async () => {
    const { describeFailure } = await import('../src/run-instantiate');
    const { MError } = await import('@m/core');
    const src = 'let a = 1; in a + "x"';
    const e = new MError('TYPE_ERROR', ADD, { pos: { file: '«string»', line: 1, column: 19 } });
    expect(describeFailure(e, false, () => src, false)).toBe(nix(['--eval', '-E', src]));
  });
});
