/**
 * Child-process driver for the concurrency and crash tests. argv[2] is JSON { root, drvs, jobs }.
 * Realises `drvs` in the store at `root` and prints one JSON line { built, starts, outputs }.
 */
import { openStore } from '@m/store';
import { realise } from '../src/index';

const job = JSON.parse(process.argv[2]!) as { root: string; drvs: string[]; jobs: number };
const store = openStore({ root: job.root });
const starts: string[] = [];
realise(job.drvs, {
  store,
  jobs: job.jobs,
  cores: 1,
  onEvent: (e) => {
    if (e.type === 'build-start') starts.push(e.drvPath);
    if (process.env.M_REALISE_TRACE && e.type === 'build-start') process.stderr.write(`start ${e.drvPath}\n`);
  },
})
  .then((r) => {
    store.close();
    process.stdout.write(JSON.stringify({ built: r.built, starts, outputs: Object.fromEntries(r.outputs) }) + '\n');
  })
  .catch((e) => {
    process.stderr.write(`${e?.code ?? ''} ${e?.message ?? e}\n`);
    process.exit(1);
  });
