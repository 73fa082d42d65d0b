/** Entry point of the `m` bundle (dist/m.js), main thread only: light, no parser or evaluator. */
import { runCli } from './cli';
import { createFdOutput } from './output';
import { mark } from './timing';

mark('m.js loaded');

const out = createFdOutput();

// Programs m runs (makes scripts such as deployContainer's) call back into this m through these.
if (process.argv[1] !== undefined) {
  process.env.M_CLI = process.argv[1];
  process.env.M_NODE = process.execPath;
}

runCli({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), out }).then(
  (code) => {
    mark('exit');
    process.exit(code);
  },
  (e: unknown) => {
    out.stderr(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.M_DEBUG === '1' && e instanceof Error && e.stack) out.stderr(e.stack + '\n');
    process.exit(1);
  },
);
