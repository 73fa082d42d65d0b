/**
 * Child-process driver for the crash and concurrency tests. argv[2] is JSON:
 * { root, adds: [{ name, srcPath, method? }], texts?: [{ name, text }] }.
 * Prints one JSON line { paths, written } when done.
 */
import { openStore } from '../src/index';

interface Job {
  root: string;
  adds: { name: string; srcPath: string; method?: 'recursive' | 'flat' }[];
  texts?: { name: string; text: string }[];
}

const job = JSON.parse(process.argv[2]!) as Job;
const written: string[] = [];
const store = openStore({ root: job.root, onWrite: (p) => written.push(p) });
const paths: string[] = [];
for (const a of job.adds) paths.push(store.addPath(a));
for (const t of job.texts ?? []) paths.push(store.addText(t.name, t.text, paths.slice(0, 1)));
store.close();
process.stdout.write(JSON.stringify({ paths, written }) + '\n');
