/** Vitest global setup: clears the adversarial records before the run, prints their summary after. */
import { rmSync } from 'node:fs';
import { readRecords, RESULTS_DIR, summarise } from './records';

export default function setup(): () => void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  return () => {
    const records = readRecords();
    if (records.length === 0) return;
    process.stdout.write(`\n${summarise(records)}\n`);
    for (const r of records.filter((x) => !x.held)) process.stdout.write(`  escaped: [${r.kind}] ${r.name}\n`);
  };
}
