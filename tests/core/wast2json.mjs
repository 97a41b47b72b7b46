// Converts a component-model .wast script (components whose core modules
// use multi-memory or exception handling, which wabt 1.0.32 cannot parse)
// into the JSON command list that `weft wast` runs, like the converted
// suites in $WEFT_CORPORA/component-model/bin: each (component ...) is
// encoded with jco's parser (wasm-tools) into OUT/NAME.N.wasm; assertions on
// invocations keep their text; (assert_invalid (component ...) "msg") and
// (assert_unlinkable ...) get a binary and the message.
//   node tests/core/wast2json.mjs SCRIPT.wast OUTDIR
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [src, outDir] = process.argv.slice(2);
if (!src || !outDir) {
  console.error('usage: node tests/core/wast2json.mjs SCRIPT.wast OUTDIR');
  process.exit(2);
}
const api = resolve('node_modules/@bytecodealliance/jco/src/api.js');
const { parse } = await import(pathToFileURL(api).href);

const text = readFileSync(src, 'utf8');

// Top-level forms with their starting line; strings and comments skipped.
function forms(s) {
  const out = [];
  let depth = 0, start = -1, line = 1, startLine = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\n') { line++; continue; }
    if (c === ';' && s[i + 1] === ';') {
      while (i < s.length && s[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '(' && s[i + 1] === ';') {
      let d = 1;
      i += 2;
      while (i < s.length && d > 0) {
        if (s[i] === '\n') line++;
        if (s[i] === '(' && s[i + 1] === ';') { d++; i++; }
        else if (s[i] === ';' && s[i + 1] === ')') { d--; i++; }
        i++;
      }
      i--;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') { if (s[i] === '\\') i++; i++; }
      continue;
    }
    if (c === '(') {
      if (depth++ === 0) { start = i; startLine = line; }
    } else if (c === ')') {
      if (--depth === 0) out.push({ text: s.slice(start, i + 1), line: startLine });
      if (depth < 0) throw new Error(`${src}:${line}: unbalanced )`);
    }
  }
  if (depth !== 0) throw new Error(`${src}: unbalanced (`);
  return out;
}

const head = (f) => /^\(\s*([a-z_]+)/.exec(f)[1];
const name = basename(src, '.wast');
mkdirSync(outDir, { recursive: true });
let n = 0;
async function encode(form) {
  const file = `${name}.${n++}.wasm`;
  writeFileSync(join(outDir, file), await parse(form));
  return file;
}

const commands = [];
for (const f of forms(text)) {
  const kind = head(f.text);
  if (kind === 'component') {
    commands.push({ type: 'component', line: f.line, filename: await encode(f.text) });
  } else if (kind === 'assert_return' || kind === 'assert_trap') {
    commands.push({ type: kind, line: f.line, text: f.text });
  } else if (kind === 'assert_invalid' || kind === 'assert_unlinkable') {
    const inner = forms(f.text.slice(1, -1).replace(/^\s*[a-z_]+/, ''));
    const msg = /"((?:[^"\\]|\\.)*)"\s*\)\s*$/.exec(f.text);
    if (!inner.length || !msg) throw new Error(`${src}:${f.line}: cannot read ${kind}`);
    commands.push({ type: kind, line: f.line, text: msg[1], filename: await encode(inner[0].text) });
  } else {
    throw new Error(`${src}:${f.line}: unsupported command ${kind}`);
  }
}
writeFileSync(join(outDir, `${name}.json`),
  JSON.stringify({ source_filename: src, commands }, null, 1) + '\n');
