/** Where adversarial attempts are recorded during a run, and the summary line made from them. */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/run';

export const RESULTS_DIR = join(REPO_ROOT, '.cache', 'adversarial');

/** This run's folder: set by the global setup (inherited by the test workers), so runs never mix. */
export function runDir(): string {
  return process.env.M_ADVERSARIAL_RUN_DIR ?? join(RESULTS_DIR, 'default');
}

export interface AttemptRecord {
  /** Group in the summary: sandbox, input, fault, image. */
  kind: string;
  name: string;
  /** True when the defence held (the attack failed as expected). */
  held: boolean;
}

export function writeRecord(r: AttemptRecord): void {
  mkdirSync(runDir(), { recursive: true });
  appendFileSync(join(runDir(), `${process.pid}.jsonl`), `${JSON.stringify(r)}\n`);
}

export function readRecords(dir: string): AttemptRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as AttemptRecord);
}

export function summarise(records: AttemptRecord[]): string {
  const held = records.filter((r) => r.held).length;
  const kinds = [...new Set(records.map((r) => r.kind))].sort();
  const perKind = kinds.map((k) => `${k} ${records.filter((r) => r.kind === k).length}`).join(', ');
  return `adversarial: ${records.length} tried, ${held} held, ${records.length - held} escaped${perKind ? ` (${perKind})` : ''}`;
}
