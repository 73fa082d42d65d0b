// format-yaml.js FILE…: rewrites each YAML file in the `yaml` library's canonical layout
// (comments kept). Exit 0 when every file already was formatted, 1 when one was rewritten,
// 2 when one cannot be parsed (its errors are printed and it is left alone).
'use strict';
const fs = require('node:fs');
const YAML = require('yaml');

let status = 0;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  const docs = YAML.parseAllDocuments(text);
  const errors = docs.flatMap((d) => d.errors);
  if (errors.length > 0) {
    for (const e of errors) console.error(`${file}: ${e.message}`);
    status = 2;
    continue;
  }
  const formatted = docs
    .map((d, i) => {
      const s = d.toString({ indent: 2, indentSeq: true, lineWidth: 0 });
      return i > 0 && !s.startsWith('---') ? `---\n${s}` : s;
    })
    .join('');
  if (formatted === text) {
    console.error(`[INFO] ${file} is formatted`);
  } else {
    fs.writeFileSync(file, formatted);
    console.error(`[INFO] ${file} was not formatted; formatted it`);
    if (status === 0) status = 1;
  }
}
process.exit(status);
