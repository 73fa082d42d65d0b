import { expect } from 'vitest';
import { attempt } from './attempt';
import { summarise } from './records';

attempt('meta', 'the summary line counts tried, held and escaped', () => {
  const line = summarise([
    { kind: 'sandbox', name: 'a', held: true },
    { kind: 'input', name: 'b', held: false },
  ]);
  expect(line).toBe('adversarial: 2 tried, 1 held, 1 escaped (input 1, sandbox 1)');
});
