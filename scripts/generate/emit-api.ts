import type { ApiMacro, ApiXml } from './apixml.js';
import { cdoc, evalMacro } from './apixml.js';

const doc = (text: string, indent = ''): string[] => {
  const t = cdoc(text.trim());
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

const TYPE_WORDS: Record<string, number> = {
  int: 1,
  'signed int': 1,
  uint: 2,
  'unsigned int': 2,
  llong: 3,
  'long long': 3,
  ullong: 4,
  'unsigned long long': 4,
  double: 5,
  boolean: 6,
  string: 7,
};

/**
 * The virTypedParameter type of each field name, read from the documentation of libvirt's field
 * macros ("... as VIR_TYPED_PARAM_ULLONG", "... as an int"). A field whose macros disagree on its
 * type is left out: a caller gives its type explicitly.
 */
const TYPE_RE = /VIR_TYPED_PARAM_(INT|UINT|LLONG|ULLONG|DOUBLE|BOOLEAN|STRING)\b|\b(?:as|an?|is|type)\s+(?:an?\s+)?(unsigned long long|unsigned int|long long|signed int|int|uint|llong|ullong|double|boolean|string)\b/gi;

/**
 * The documented virTypedParameterType of a field macro, if any. "Accepted type is
 * VIR_TYPED_PARAM_UINT or since 9.3.0 VIR_TYPED_PARAM_ULLONG": the first type named is the one
 * every daemon accepts.
 */
export function macroParamType(m: ApiMacro): number | undefined {
  if (m.string === undefined) return undefined;
  return [...m.info.matchAll(TYPE_RE)].map((t) => TYPE_WORDS[(t[1] ?? t[2]!).toLowerCase()]).find((v) => v !== undefined);
}

export function emitTypedParamTypes(apis: ApiXml[]): string[] {
  const types = new Map<string, Set<number>>();
  for (const api of apis) {
    for (const m of api.macros) {
      const first = macroParamType(m);
      if (first === undefined || m.string === undefined) continue;
      let set = types.get(m.string);
      if (!set) types.set(m.string, (set = new Set()));
      set.add(first);
    }
  }
  const out = ['/** virTypedParameterType (VIR_TYPED_PARAM_*) of each documented typed-parameter field. */', 'export const typedParamFieldTypes: Readonly<Record<string, number>> = {'];
  for (const [field, set] of [...types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (set.size === 1) out.push(`  ${JSON.stringify(field)}: ${[...set][0]},`);
  out.push('};');
  return out;
}
