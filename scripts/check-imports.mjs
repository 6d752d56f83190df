#!/usr/bin/env node
// Part of `npm run lint`: the import graph of src/ has no cycle, neither among the imports that run
// (a cycle there makes module evaluation order matter) nor among type-only ones (`import type`, or
// every name marked `type`: erased at run time, but a cycle all the same). A module naming a class
// defined above it does so through a registry completed by module augmentation (src/api/api-types.ts
// says why). Dynamic import() is how a transport is loaded late, and is left out. Layer order is
// eslint's rule (scripts/layers.mjs).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts')) files.push(path);
  }
};
walk(join(root, 'src'));

const importRe = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'(\.{1,2}\/[^']+)'|^\s*import\s*'(\.{1,2}\/[^']+)'/gm;
/** Whether an import/export statement brings in types only. */
const typeOnly = (m) => {
  if (m[2]) return true;
  const clause = (m[3] ?? '').trim();
  if (!/^\{[^}]*\}$/.test(clause)) return false;
  const names = clause.slice(1, -1).split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
};
const graph = (withTypes) => {
  const edges = new Map(files.map((f) => [f, []]));
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(importRe)) {
      if (!withTypes && m[4] && typeOnly(m)) continue;
      const to = resolve(dirname(f), m[4] ?? m[5]).replace(/\.js$/, '.ts');
      if (edges.has(to)) edges.get(f).push(to);
    }
  }
  return edges;
};

// Tarjan's strongly connected components: any component of more than one file is a cycle.
const findCycles = (edges) => {
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
const visit = (v) => {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || edges.get(v).includes(v)) cycles.push(scc);
  }
};
for (const f of files) if (!index.has(f)) visit(f);
return cycles;
};

const print = (cycles, edges, label) => {
  for (const c of cycles) {
    const names = c.map((f) => relative(root, f)).sort();
    const inCycle = new Set(c);
    console.error(`check-imports: ${label} among ${names.length} files:`);
    for (const f of c.sort()) for (const w of edges.get(f)) if (inCycle.has(w)) console.error(`  ${relative(root, f)} -> ${relative(root, w)}`);
  }
};
const runtime = graph(false);
const runtimeCycles = findCycles(runtime);
print(runtimeCycles, runtime, 'runtime import cycle');
const all = graph(true);
// A cycle of the full graph that is no runtime cycle closes through a type-only import.
const runtimeSets = runtimeCycles.map((c) => new Set(c));
const typeCycles = findCycles(all).filter((c) => !runtimeSets.some((r) => r.size === c.length && c.every((f) => r.has(f))));
print(typeCycles, all, 'import cycle through type-only imports');

// The programs load libvirt-rpc/xml's typed module (megabytes of generated code) with import() when
// a command needs it (src/cli/virsh/xml.ts), and virsh's command modules when one of their
// commands runs (src/cli/virsh/groups.ts): a static import reaching them would make every start
// of virsh-rpc compile them (30 and 40-60 ms of its 300).
const lazyFolders = ['src/xml/generated', 'src/cli/virsh/commands'].map((d) => join(root, d) + '/');
const eager = [];
for (const main of ['src/cli/virsh/main.ts', 'src/cli/virt-admin/main.ts']) {
  const from = new Map([[join(root, main), null]]);
  for (const [f] of from) {
    for (const w of runtime.get(f) ?? []) if (!from.has(w)) from.set(w, f);
  }
  const reached = [...from.keys()].find((f) => lazyFolders.some((d) => f.startsWith(d)));
  if (reached) {
    const path = [];
    for (let f = reached; f; f = from.get(f)) path.unshift(relative(root, f));
    eager.push(path);
  }
}
for (const path of eager) console.error(`check-imports: a program's start loads a module it should load when a command needs it: ${path.join(' -> ')}`);
if (runtimeCycles.length || typeCycles.length || eager.length) process.exit(1);
console.log(`check-imports: ${files.length} files in src/, no import cycle (type-only imports included); the programs load the typed XML module and virsh's command modules only when a command needs them`);
