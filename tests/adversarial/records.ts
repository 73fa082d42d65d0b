/** Where adversarial attempts are recorded during a run, and the summary line made from them. */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/run';

export const RESULTS_DIR = join(REPO_ROOT, '.cache', 'adversarial');

export interface AttemptRecord {
  /** Group in the summary: sandbox, input, fault, image. */
  kind: string;
  name: string;
  /** True when the defence held (the attack failed as expected). */
  held: boolean;
}

export function writeRecord(r: AttemptRecord): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  appendFileSync(join(RESULTS_DIR, `${process.pid}.jsonl`), `${JSON.stringify(r)}\n`);
}

export function readRecords(): AttemptRecord[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(RESULTS_DIR, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as AttemptRecord);
}

export function summarise(records: AttemptRecord[]): string {
  const held = records.filter((r) => r.held).length;
  const kinds = [...new Set(records.map((r) => r.kind))].sort();
  const perKind = kinds.map((k) => `${k} ${records.filter((r) => r.kind === k).length}`).join(', ');
  return `adversarial: ${records.length} tried, ${held} held, ${records.length - held} escaped${perKind ? ` (${perKind})` : ''}`;
}
