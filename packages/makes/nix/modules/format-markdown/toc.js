// toc.js [--notitle] [--title TEXT] [--maxlevel N] FILE: writes FILE's table of contents between
// doctoc's START/END markers (inserted at the top when absent): a nested list of links to the
// headings (CommonMark, from markdown-it; fenced code and the old table excluded), anchors made
// by GitHub's rules (lower case, punctuation dropped, spaces to '-', repeats suffixed -1, -2, …).
'use strict';
const fs = require('node:fs');
const MarkdownIt = require('markdown-it');

const START = '<!-- START doctoc generated TOC please keep comment here to allow auto update -->';
const UPDATE = "<!-- DON'T EDIT THIS SECTION, INSTEAD RE-RUN doctoc TO UPDATE -->";
const END = '<!-- END doctoc generated TOC please keep comment here to allow auto update -->';

const args = process.argv.slice(2);
let title = '**Table of Contents**';
let maxLevel = 6;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--notitle') title = '';
  else if (args[i] === '--title') title = args[++i] ?? '';
  else if (args[i] === '--maxlevel') maxLevel = Number(args[++i]);
  else if (args[i].startsWith('-')) {
    console.error(`toc.js: unknown option ${args[i]}`);
    process.exit(2);
  } else files.push(args[i]);
}

function plainText(inline) {
  return (inline.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => (t.type === 'code_inline' ? `\`${t.content}\`` : t.content))
    .join('');
}

function slugger() {
  const seen = new Map();
  return (text) => {
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(base);
    seen.set(base, n === undefined ? 1 : n + 1);
    return n === undefined ? base : `${base}-${n}`;
  };
}

function tableOfContents(body) {
  const tokens = new MarkdownIt().parse(body, {});
  const headings = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== 'heading_open') continue;
    const level = Number(tokens[i].tag.slice(1));
    if (level <= maxLevel) headings.push({ level, text: plainText(tokens[i + 1]) });
  }
  if (headings.length === 0) return [];
  const top = Math.min(...headings.map((h) => h.level));
  const slug = slugger();
  return headings.map((h) => `${'  '.repeat(h.level - top)}- [${h.text.replace(/([[\]])/g, '\\$1')}](#${slug(h.text)})`);
}

for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const s = text.indexOf(START);
  const e = text.indexOf(END);
  const hasToc = s !== -1 && e > s;
  const before = hasToc ? text.slice(0, s) : '';
  const after = hasToc ? text.slice(e + END.length).replace(/^\n*/, '') : text;
  const items = tableOfContents(before + after);
  const block = [START, UPDATE, '', ...(title ? [title, ''] : []), ...items, '', END, ''].join('\n');
  fs.writeFileSync(file, `${before}${block}\n${after}`);
}
