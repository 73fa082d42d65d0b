/**
 * The example project shared by the makes CLI tests: a temp folder with `makes/…/main.nix` files
 * (root, a script taking arguments, nested outputs, exit codes, a syntax error, a failing build,
 * host packages) and a private store, plus `m(args)` running the real CLI in it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { M_BIN, runCommand, type RunResult } from '../lib/run';

export const files: Record<string, string> = {
  'makes/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "root"; builder = "echo root > $out"; }`,
  'makes/hello/main.nix': `{ makeScript, ... }: makeScript {
    name = "hello";
    entrypoint = ''
      echo "args: $#"
      for a in "$@"; do echo "<$a>"; done
      echo "cwd: $PWD"
      info "to stderr"
    '';
  }`,
  'makes/nested/deep/main.nix': `{ makeDerivation, outputs, ... }: makeDerivation {
    name = "deep";
    env.envRoot = outputs."/";
    builder = ''cat $envRoot > $out; echo deep >> $out'';
  }`,
  'makes/exit3/main.nix': `{ makeScript, ... }: makeScript { name = "exit3"; entrypoint = "echo bye; exit 3"; }`,
  'makes/syntax/main.nix': `{ makeDerivation, ... }:\nmakeDerivation {\n  name = "x"\n  builder = "";\n}\n`,
  'makes/broken/main.nix': `{ makeDerivation, ... }: makeDerivation { name = "broken"; builder = "echo line one; echo line two; exit 7"; }`,
  'makes/ls/main.nix': `{ makeScript, inputs, ... }: makeScript {
    name = "ls";
    searchPaths.bin = [ inputs.nixpkgs.grep ];
    entrypoint = ''ls --version | head -n 1; echo "$1" | grep -c x'';
  }`,
};

export function useMakesProject(prefix: string) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const project = path.join(work, 'project');
  const storeRoot = path.join(work, 'store');
  function m(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
    return runCommand(M_BIN, args, { cwd: opts.cwd ?? project, env: { M_STORE: storeRoot, ...opts.env }, timeoutMs: 180_000 });
  }

  beforeAll(() => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
      fs.writeFileSync(path.join(project, rel), text);
    }
  });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  return { work, project, storeRoot, m };
}
