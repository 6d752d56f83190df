#!/usr/bin/env node
// node scripts/coverage-virsh.mjs (after npm run build): every command virsh-rpc runs (a handler,
// not `unsupported`, not an alias), and whether a case of test/integration/virsh-*.test.ts runs it
// through both virsh and virsh-rpc. Prints the counts by group, then the commands no case runs.
// `--list` prints every command with the files that run it.
//
// The heuristic, static: a test file counts when it runs both programs (it calls bothVirsh, or
// runVirshMerged, or both runVirsh and runVirshRpc). In such a file, every array literal is read as
// a command line: its leading elements that are not string literals (`uri`, `...args`) or are
// virsh's own options (`'-q'`, `'-c', uri`, `'-d', '0'`) are skipped, and the first other string
// literal is the command: the first word of it, and of each `;`- or newline-separated part of it
// ('define D.xml; dumpxml D' runs define and dumpxml). The later string elements that hold a space
// or a `;` are read the same way, for tables of whole command lines (['pool-info p', 'pool-uuid p']);
// a one-word later element is an argument (['help', 'list'] runs help only). A name counts when it
// is a command's name or alias.
//
// Where a case runs: on QEMU when the innermost describe() around it whose title names a driver
// says QEMU or qemu (/qemu/i), on the test driver otherwise (a title saying "test driver", or none). So an array such as ['dominfo', 'test'] in a case table, bothVirsh(['-c', uri,
// 'dominfo']) or same(['dominfo', 'test']) counts; a command that appears only in a test's title
// or only in a virsh-rpc-only run in a file that also compares does count too (the heuristic's
// blind spot).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { virshGroups } = await import(join(root, 'dist/src/cli/virsh/groups.js'));

/** virsh's options before the command that take a value (vsh's -c, -d, -e, -k, -K, -l). */
const OPTS_WITH_VALUE = new Set(['-c', '--connect', '-d', '--debug', '-e', '--escape', '-k', '--keepalive-interval', '-K', '--keepalive-count', '-l', '--log']);

/** The tokens of a TypeScript source that matter here: string literals, brackets, commas, other chunks. */
function tokenize(src) {
  const tokens = [];
  // A '/' starts a regular expression literal where an operand is expected.
  const operandNext = () => {
    const last = tokens.at(-1);
    return !last || '[(,{'.includes(last.kind) || (last.kind === 'word' && /(^|[=:!&|?;+\-*%<>~^])$|^(return|of|in|typeof)$/.test(last.text));
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') i = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    else if (c === '/' && src[i + 1] === '*') i = src.indexOf('*/', i + 2) + 2;
    else if (c === '/' && operandNext()) {
      let j = i + 1;
      for (let inClass = false; j < src.length && (inClass || src[j] !== '/'); j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
      }
      while (/[a-z]/.test(src[j + 1] ?? '')) j++;
      tokens.push({ kind: 'word', text: src.slice(i, j + 1) });
      i = j + 1;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const e = src[j + 1];
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          j += 2;
        } else text += src[j++];
      }
      tokens.push({ kind: 'string', text });
      i = j + 1;
    } else if ('[](){},'.includes(c)) {
      tokens.push({ kind: c, text: c });
      i++;
    }
    else if (/\s/.test(c)) i++;
    else {
      let j = i + 1;
      while (j < src.length && !/[\s'"`[\](){},/]/.test(src[j])) j++;
      tokens.push({ kind: 'word', text: src.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** The first word of each `;`- or newline-separated part of a command line. */
const firstWords = (line) =>
  line
    .split(/[;\n]/)
    .map((part) => part.trim().split(/\s+/)[0])
    .filter(Boolean);

/**
 * The elements of the array literal opening at tokens[start] (a '['): the text of each element
 * that is a string, or strings joined by + with names between them (a name stands as "X"), or null.
 */
function arrayElements(tokens, start) {
  const elements = [];
  let i = start + 1;
  while (i < tokens.length && tokens[i].kind !== ']') {
    let depth = 0;
    const from = i;
    for (; i < tokens.length; i++) {
      const k = tokens[i].kind;
      if ('[({'.includes(k)) depth++;
      else if (')]}'.includes(k)) {
        if (depth === 0) break;
        depth--;
      } else if (k === ',' && depth === 0) break;
    }
    const parts = tokens.slice(from, i);
    const joined = parts[0]?.kind === 'string' && parts.every((t) => t.kind === 'string' || (t.kind === 'word' && /^(\+|[\w.$]+)$/.test(t.text)));
    elements.push(joined ? parts.map((t) => (t.kind === 'string' ? t.text : t.text === '+' ? '' : 'X')).join('') : null);
    if (tokens[i]?.kind !== ',') break;
    i++;
  }
  return elements;
}

/** The command words of the array literal opening at tokens[start], per the heuristic above. */
function commandWords(tokens, start) {
  const words = [];
  let command = false;
  let skipValue = false;
  for (const text of arrayElements(tokens, start)) {
    if (text !== null && !command && !skipValue && !text.startsWith('-')) {
      words.push(...firstWords(text));
      command = true;
    } else if (text !== null && command && /[\s;]/.test(text)) words.push(...firstWords(text));
    skipValue = text !== null && OPTS_WITH_VALUE.has(text);
  }
  return words;
}

/** The describe() calls of a file: token span and title. */
function describeSpans(tokens) {
  const spans = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' || t.text !== 'describe' || tokens[i + 1]?.kind !== '(' || tokens[i + 2]?.kind !== 'string') return;
    let depth = 0;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      if ('[({'.includes(tokens[j].kind)) depth++;
      else if (')]}'.includes(tokens[j].kind) && --depth === 0) break;
    }
    spans.push({ start: i, end: j, title: tokens[i + 2].text });
  });
  return spans;
}

/** 'qemu' or 'test': the driver of the innermost describe around token i that names one. */
function driverAt(spans, i) {
  const around = spans.filter((s) => s.start < i && i < s.end && /qemu|test driver/i.test(s.title));
  const inner = around.reduce((a, b) => (b.start > a.start ? b : a), around[0] ?? { title: '' });
  return /qemu/i.test(inner.title) ? 'qemu' : 'test';
}

const commands = [];
const byName = new Map();
for (const group of virshGroups)
  for (const cmd of group.commands) {
    if (cmd.alias) continue;
    if (cmd.handler && cmd.unsupported === undefined) commands.push({ group: group.name, name: cmd.name, files: new Set(), drivers: new Set() });
  }
for (const c of commands) byName.set(c.name, c);
for (const group of virshGroups) for (const cmd of group.commands) if (cmd.alias && byName.has(cmd.alias)) byName.set(cmd.name, byName.get(cmd.alias));

const dir = join(root, 'test/integration');
const files = readdirSync(dir).filter((f) => /^virsh-.*\.test\.ts$/.test(f));
const compared = [];
for (const file of files) {
  const src = readFileSync(join(dir, file), 'utf8');
  const both = /\bbothVirsh\(/.test(src) || /\brunVirshMerged\(/.test(src) || (/\brunVirsh\b/.test(src) && /\brunVirshRpc\b/.test(src));
  if (!both) continue;
  compared.push(file);
  const tokens = tokenize(src);
  const spans = describeSpans(tokens);
  tokens.forEach((t, i) => {
    if (t.kind !== '[') return;
    for (const word of commandWords(tokens, i)) {
      const c = byName.get(word);
      if (!c) continue;
      c.files.add(file);
      c.drivers.add(driverAt(spans, i));
    }
  });
}

if (process.argv.includes('--list')) {
  for (const c of commands) console.log(`${c.name}\t${[...c.drivers].sort().join(',') || '-'}\t${[...c.files].join(' ') || '-'}`);
  process.exit(0);
}

console.log(`virsh-rpc commands run through both virsh and virsh-rpc by test/integration (${compared.length} files: ${compared.join(', ')})\n`);
const groups = [...new Set(commands.map((c) => c.group))];
const width = Math.max(...groups.map((g) => g.length));
const row = (name, list) => {
  const n = (f) => String(list.filter(f).length).padStart(3);
  return `${name.padEnd(width)}  ${n((c) => c.files.size > 0)} / ${String(list.length).padStart(3)}   ${n((c) => c.drivers.has('test'))}   ${n((c) => c.drivers.has('qemu'))}`;
};
console.log(`${'group'.padEnd(width)}  covered      test  qemu`);
for (const g of groups) console.log(row(g, commands.filter((c) => c.group === g)));
console.log(`${row('total', commands)}\n`);
const uncovered = commands.filter((c) => c.files.size === 0);
const listByGroup = (title, list) => {
  console.log(`${title} (${list.length})${list.length ? ':' : ''}`);
  for (const g of groups) {
    const names = list.filter((c) => c.group === g).map((c) => c.name);
    if (names.length) console.log(`  ${g}: ${names.join(' ')}`);
  }
};
listByGroup('uncovered', uncovered);
listByGroup('\nrun on the test driver only (not on QEMU)', commands.filter((c) => c.files.size > 0 && !c.drivers.has('qemu')));
