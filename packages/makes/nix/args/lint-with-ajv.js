// lint-with-ajv.js SCHEMA TARGET…: compiles SCHEMA, then validates each target (.yaml/.yml
// read as YAML, anything else as JSON) as ajv-cli does: "<file> valid", or "<file> invalid" and
// Ajv's errors. Exit 1 when the schema does not compile or a target is invalid or unreadable.
'use strict';
const fs = require('node:fs');
const Ajv = require('ajv');
const yaml = require('js-yaml');

function load(file) {
  const text = fs.readFileSync(file, 'utf8');
  return /\.ya?ml$/.test(file) ? yaml.load(text, { filename: file }) : JSON.parse(text);
}

const [schemaFile, ...targets] = process.argv.slice(2);
const ajv = new Ajv({ allErrors: true });
let validate;
try {
  validate = ajv.compile(load(schemaFile));
} catch (e) {
  console.error(`schema ${schemaFile} is invalid: ${e.message}`);
  process.exit(1);
}
let status = 0;
for (const file of targets) {
  console.error(`[INFO] Linting data: ${file}`);
  let data;
  try {
    data = load(file);
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    status = 1;
    continue;
  }
  if (validate(data)) {
    console.error(`${file} valid`);
  } else {
    console.error(`${file} invalid`);
    console.error(JSON.stringify(validate.errors, null, 2));
    status = 1;
  }
}
process.exit(status);
