/** Host tools run through execa: exit codes returned, start failures and timeouts as MErrors. */
import { expect, test } from 'vitest';
import { runTool } from '../src/run';

test('output and a non-zero exit are returned', () => {
  expect(runTool('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toEqual({ stdout: 'out\n', stderr: 'err\n', status: 3 });
});

test('a tool that cannot start: status undefined, or IO_ERROR naming it when it must start', () => {
  expect(runTool('m-no-such-tool', []).status).toBeUndefined();
  expect(() => runTool('m-no-such-tool', ['x'], { mustStart: true })).toThrow(/cannot run a host tool: .*m-no-such-tool/);
});

test('a tool that hangs is killed at the timeout', () => {
  const t0 = Date.now();
  expect(() => runTool('sleep', ['30'], { timeoutMs: 300 })).toThrow(/host tool failed: .*timed out/i);
  expect(Date.now() - t0).toBeLessThan(10_000);
});
