/** Vitest global setup: gives this run its own records folder, prints the summary after the run. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readRecords, RESULTS_DIR, summarise } from './records';

export default function setup(): () => void {
  const dir = join(RESULTS_DIR, `run-${process.pid}-${Date.now()}`);
  process.env.M_ADVERSARIAL_RUN_DIR = dir;
  return () => {
    const records = readRecords(dir);
    rmSync(dir, { recursive: true, force: true });
    if (records.length === 0) return;
    process.stdout.write(`\n${summarise(records)}\n`);
    for (const r of records.filter((x) => !x.held)) process.stdout.write(`  escaped: [${r.kind}] ${r.name}\n`);
  };
}
