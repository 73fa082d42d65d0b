/**
 * The adversarial suite's one primitive: `attempt(kind, name, fn)` is a vitest test that also
 * records whether the defence held (fn returned) or not (fn threw); `summary.ts` prints the totals.
 */
import { it } from 'vitest';
import { writeRecord } from './records';

/** One experiment: `fn` asserts the expectation and throws when the attack got through. */
export function attempt(kind: string, name: string, fn: () => unknown, timeoutMs?: number): void {
  it(
    name,
    async () => {
      try {
        await fn();
      } catch (e) {
        writeRecord({ kind, name, held: false });
        throw e;
      }
      writeRecord({ kind, name, held: true });
    },
    timeoutMs,
  );
}
