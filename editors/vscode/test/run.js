// Highlighting tests: every sample, every golden corpus file and test/constructs.adnet (one use of each construct)
// become vscode-tmgrammar-test syntax tests. The expected scopes come from the small tokenizer below, independent of
// the grammar: every keyword, boolean, number, string, comment, arrow, and the names after 'block' and 'network'.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const repo = path.resolve(__dirname, '..', '..', '..');
const DECLARATION = new Set(['import', 'from', 'network', 'block', 'input', 'output', 'task', 'state', 'train']);
const CONSTRUCT = new Set(['residual', 'gate', 'repeat', 'upto', 'shared', 'halt', 'fixedpoint', 'ode', 'solver', 'exit', 'when',
  'share', 'branch']);

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.adnet')) out.push(p);
  }
  return out;
}

/** Tokens of one line: [column, length, scope]; {inComment} carries a block comment across lines. */
function tokens(line, state) {
  const out = [];
  let i = 0;
  let previousWord = null;
  while (i < line.length) {
    if (state.inComment) {
      const end = line.indexOf('*/', i);
      const stop = end < 0 ? line.length : end + 2;
      if (stop > i) out.push([i, stop - i, 'comment.block.adnet']);
      state.inComment = end < 0;
      i = stop;
      continue;
    }
    const rest = line.slice(i);
    let m;
    if (rest.startsWith('//')) {
      out.push([i, line.length - i, 'comment.line.double-slash.adnet']);
      break;
    } else if (rest.startsWith('/*')) {
      state.inComment = true;
      const end = line.indexOf('*/', i + 2);
      const stop = end < 0 ? line.length : end + 2;
      out.push([i, stop - i, 'comment.block.adnet']);
      state.inComment = end < 0;
      i = stop;
    } else if ((m = /^"(?:[^"\\]|\\.)*"?/.exec(rest))) {
      out.push([i, m[0].length, 'string.quoted.double.adnet']);
      i += m[0].length;
    } else if ((m = /^[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)?/.exec(rest))) {
      out.push([i, m[0].length, 'constant.numeric.' + (/[.eE]/.test(m[0]) ? 'float' : 'integer') + '.adnet']);
      i += m[0].length;
    } else if ((m = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest))) {
      const w = m[0];
      if (previousWord === 'block' || previousWord === 'network') {
        out.push([i, w.length, 'entity.name.type.' + previousWord + '.adnet']);
      } else if (DECLARATION.has(w)) {
        out.push([i, w.length, 'keyword.other.declaration.adnet']);
      } else if (CONSTRUCT.has(w)) {
        out.push([i, w.length, 'keyword.control.construct.adnet']);
      } else if (w === 'true' || w === 'false') {
        out.push([i, w.length, 'constant.language.boolean.adnet']);
      }
      previousWord = w;
      i += w.length;
      continue;
    } else if (rest.startsWith('->') || rest.startsWith('=>')) {
      out.push([i, 2, 'keyword.operator.arrow.adnet']);
      i += 2;
    } else {
      i += 1;
    }
    if (!/^\s/.test(rest)) previousWord = null;
  }
  return out;
}

/** The syntax test of one source file: each line followed by one assertion line per token. */
function syntaxTest(file) {
  const lines = fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n').split('\n');
  const out = [`// SYNTAX TEST "source.adnet" "${path.relative(repo, file)}"`];
  const state = { inComment: false };
  let count = 0;
  for (const line of lines) {
    out.push(line);
    for (const [col, len, scope] of tokens(line, state)) {
      if (col === 0) out.push('// <' + '-'.repeat(len) + ' ' + scope);
      else if (col >= 2) out.push('//' + ' '.repeat(col - 2) + '^'.repeat(len) + ' ' + scope);
      else continue; // column 1 cannot be addressed under the comment marker
      count++;
    }
  }
  return { text: out.join('\n') + '\n', count };
}

const files = [
  ...walk(path.join(repo, 'samples', 'src', 'main', 'adnet'), []),
  ...walk(path.join(repo, 'compiler', 'src', 'test', 'resources', 'golden', 'corpus'), []),
  path.join(__dirname, 'constructs.adnet'),
];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'adnet-tmgrammar-'));
const tests = [];
let assertions = 0;
files.forEach((f, i) => {
  const { text, count } = syntaxTest(f);
  const out = path.join(dir, `${i}-${path.basename(f, '.adnet')}.test.adnet`);
  fs.writeFileSync(out, text);
  tests.push(out);
  assertions += count;
});
const bin = path.join(__dirname, '..', 'node_modules', '.bin', 'vscode-tmgrammar-test');
const r = spawnSync(bin, ['-c', '-g', path.join(__dirname, '..', 'syntaxes', 'adnet.tmLanguage.json'), ...tests],
  { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
fs.rmSync(dir, { recursive: true, force: true });
if (r.status !== 0) {
  console.error(`highlighting tests failed (${files.length} files)`);
  process.exit(1);
}
console.log(`highlighting: ${files.length} files, ${assertions} token assertions passed`);
