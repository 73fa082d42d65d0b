// Lays out node_modules for makeNodeJsModules.
// usage: node make-node-js-modules.js OUT LAYOUT_JSON
// LAYOUT_JSON: [{ path: "node_modules/a[/node_modules/b…]", tarball: store path of the .tgz }].
// Each tarball is unpacked (its single top directory, usually package/, dropped) at OUT/lib/<path>;
// the `bin` of its package.json is linked from the node_modules/.bin next to it.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [out, layoutJson] = process.argv.slice(2);
const layout = JSON.parse(layoutJson).sort((a, b) => a.path.localeCompare(b.path));
const lib = path.join(out, 'lib');
fs.mkdirSync(path.join(lib, 'node_modules'), { recursive: true });

for (const { path: rel, tarball } of layout) {
  const dest = path.join(lib, rel);
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1', '--no-same-owner', '--no-same-permissions'], { stdio: 'inherit' });
}

for (const { path: rel } of layout) {
  const dir = path.join(lib, rel);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    console.error(`${rel}: no readable package.json (${e.message})`);
    process.exit(1);
  }
  let bins = pkg.bin ?? {};
  if (typeof bins === 'string') bins = { [String(pkg.name ?? path.basename(dir)).replace(/^@[^/]*\//, '')]: bins };
  if (pkg.directories?.bin && !pkg.bin) {
    const bdir = path.join(dir, pkg.directories.bin);
    for (const f of fs.existsSync(bdir) ? fs.readdirSync(bdir) : []) bins[f] = path.join(pkg.directories.bin, f);
  }
  const binDir = path.join(path.dirname(dir), '.bin');
  for (const [name, target] of Object.entries(bins)) {
    const abs = path.join(dir, target);
    if (!fs.existsSync(abs)) continue;
    fs.chmodSync(abs, 0o755);
    fs.mkdirSync(binDir, { recursive: true });
    const link = path.join(binDir, path.basename(name));
    if (!fs.existsSync(link)) fs.symlinkSync(path.relative(binDir, abs), link);
  }
}
fs.symlinkSync('lib/node_modules/.bin', path.join(out, 'bin'));
