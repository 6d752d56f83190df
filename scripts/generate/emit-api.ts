import type { ApiXml } from './apixml.js';
import { evalMacro } from './apixml.js';

const doc = (text: string, indent = ''): string[] => {
  const t = text.trim().replace(/\*\//g, '*\\/');
  if (!t) return [];
  const lines = t.split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
};

/**
 * Every enum constant and value macro of the API XML as a typed constant with its documentation,
 * plus one object per C enum type (name -> value) for symbolic names.
 */
export function emitConstants(apis: ApiXml[]): string[] {
  const out: string[] = [];
  const seen = new Map<string, number | string>();
  const groups = new Map<string, { name: string; value: number }[]>();
  for (const api of apis) {
    out.push('', `// ---- ${api.module} ----`);
    for (const e of api.enums) {
      const prev = seen.get(e.name);
      if (prev !== undefined) {
        if (prev !== e.value) throw new Error(`enum ${e.name} has two values: ${prev} and ${e.value}`);
        continue;
      }
      seen.set(e.name, e.value);
      out.push(...doc(e.info), `export const ${e.name} = ${e.value};`);
      if (e.type) {
        let g = groups.get(e.type);
        if (!g) groups.set(e.type, (g = []));
        g.push({ name: e.name, value: e.value });
      }
    }
    for (const m of api.macros) {
      if (seen.has(m.name)) continue;
      if (m.string !== undefined) {
        seen.set(m.name, m.string);
        out.push(...doc(m.info), `export const ${m.name} = ${JSON.stringify(m.string)};`);
      } else if (m.raw !== undefined) {
        const v = evalMacro(m.raw);
        if (v === undefined) continue;
        seen.set(m.name, v);
        out.push(...doc(m.info), `export const ${m.name} = ${v};`);
      }
    }
  }
  out.push('', '// ---- C enum types: name -> value ----');
  for (const [type, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (seen.has(type)) throw new Error(`enum type ${type} collides with a constant`);
    out.push(`/** The values of the C enum ${type}. */`, `export const ${type} = {`);
    for (const m of members) out.push(`  ${m.name}: ${m.value},`);
    out.push('} as const;', `export type ${type} = (typeof ${type})[keyof typeof ${type}];`);
  }
  return out;
}

/** The documentation of every public function, keyed by its C name, for the API layer's JSDoc. */
export function emitFunctionDocs(apis: ApiXml[]): string[] {
  const out: string[] = [
    'export interface FunctionDoc {',
    '  readonly module: string;',
    '  readonly file: string;',
    '  readonly version: string;',
    '  readonly info: string;',
    '  readonly returns: { readonly type: string; readonly info: string };',
    '  readonly args: readonly { readonly name: string; readonly type: string; readonly info: string }[];',
    '}',
    '',
    'export const functionDocs: Readonly<Record<string, FunctionDoc>> = {',
  ];
  for (const api of apis) {
    for (const f of api.functions) {
      out.push(
        `  ${f.name}: {`,
        `    module: ${JSON.stringify(api.module)}, file: ${JSON.stringify(f.file)}, version: ${JSON.stringify(f.version)},`,
        `    info: ${JSON.stringify(f.info)},`,
        `    returns: ${JSON.stringify(f.returns)},`,
        `    args: ${JSON.stringify(f.args)},`,
        '  },',
      );
    }
  }
  out.push('};');
  return out;
}
