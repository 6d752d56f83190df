import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

export interface ApiEnum {
  name: string;
  value: number;
  /** The value as written: a number, or the name of another constant (resolved by resolveEnumValues). */
  raw: string;
  type: string;
  info: string;
  file: string;
}
export interface ApiMacro {
  name: string;
  /** The C expression of a value macro, e.g. `(4096 + 1)`. */
  raw?: string;
  /** The value of a string macro, e.g. `cpu_shares`. */
  string?: string;
  info: string;
  file: string;
}
export interface ApiArg {
  name: string;
  type: string;
  info: string;
}
export interface ApiFunction {
  name: string;
  info: string;
  file: string;
  version: string;
  returns: { type: string; info: string };
  args: ApiArg[];
}
/** A C struct the API fills for its caller (virVcpuInfo, virDomainBlockStatsStruct, ...). */
export interface ApiStruct {
  name: string;
  fields: { name: string; type: string; info: string }[];
}

export interface ApiXml {
  module: string;
  enums: ApiEnum[];
  macros: ApiMacro[];
  functions: ApiFunction[];
  structs: ApiStruct[];
}

type Node = Record<string, unknown>;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Reads one of libvirt's API XML files (the output of its scripts/apibuild.py). */
export function readApiXml(path: string): ApiXml {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => ['macro', 'enum', 'function', 'arg', 'file', 'exports', 'typedef', 'struct', 'field'].includes(name),
  });
  const doc = parser.parse(readFileSync(path, 'utf8')) as { api: Node & { name: string } };
  const symbols = (doc.api.symbols ?? {}) as Node;
  const list = (k: string): Node[] => (symbols[k] as Node[] | undefined) ?? [];
  const text = (n: Node, k: string): string => {
    const v = n[k];
    if (v && typeof v === 'object') return str((v as Node)['#text']).trim();
    return str(v).trim();
  };
  return {
    module: doc.api.name,
    enums: list('enum').map((e) => ({
      name: str(e.name),
      value: /^-?(0x[0-9a-fA-F]+|\d+)$/.test(str(e.value)) ? Number(e.value) : NaN,
      raw: str(e.value),
      type: str(e.type),
      info: str(e.info).trim(),
      file: str(e.file),
    })),
    macros: list('macro').map((m) => ({
      name: str(m.name),
      raw: m.raw === undefined ? undefined : str(m.raw),
      string: m.string === undefined ? undefined : str(m.string),
      info: text(m, 'info'),
      file: str(m.file),
    })),
    functions: list('function').map((f) => {
      const ret = (f.return ?? {}) as Node;
      return {
        name: str(f.name),
        info: text(f, 'info'),
        file: str(f.file),
        version: str(f.version),
        returns: { type: str(ret.type), info: str(ret.info).trim() },
        args: ((f.arg as Node[] | undefined) ?? []).map((a) => ({ name: str(a.name), type: str(a.type), info: str(a.info).trim() })),
      };
    }),
    structs: list('struct').map((st) => ({
      name: str(st.name),
      fields: ((st.field as Node[] | undefined) ?? []).map((f) => ({ name: str(f.name), type: str(f.type), info: str(f.info).trim() })),
    })),
  };
}

/** Evaluates the integer C expressions libvirt's header macros use: `(16)`, `(4096 + 1)`, `(36+1)`. */
export function evalMacro(raw: string): number | undefined {
  const expr = raw.trim();
  if (!/^[0-9+\-*/()\sxXa-fA-F]+$/.test(expr)) return undefined;
  const tokens: string[] = expr.match(/0[xX][0-9a-fA-F]+|\d+|[+\-*/()]/g) ?? [];
  if (tokens.length === 0) return undefined;
  let i = 0;
  const primary = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') throw new Error(`unbalanced macro ${raw}`);
      return v;
    }
    if (t === '-') return -primary();
    if (t === undefined || !/^(0[xX][0-9a-fA-F]+|\d+)$/.test(t)) throw new Error(`bad macro ${raw}`);
    return Number(t);
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * primary() : Math.trunc(v / primary());
    return v;
  };
  function sum(): number {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  }
  try {
    const v = sum();
    return i === tokens.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Some enum values are the name of another constant, possibly of another API file
 * (VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE = VIR_CONNECT_LIST_DOMAINS_ACTIVE): resolve them across
 * all files, and fail on any that stays unresolved.
 */
export function resolveEnumValues(apis: ApiXml[]): void {
  const known = new Map<string, number>();
  const all = apis.flatMap((a) => a.enums);
  for (const e of all) if (!Number.isNaN(e.value)) known.set(e.name, e.value);
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of all) {
      if (!Number.isNaN(e.value)) continue;
      const v = known.get(e.raw);
      if (v !== undefined) {
        e.value = v;
        known.set(e.name, v);
        changed = true;
      }
    }
  }
  const bad = all.filter((e) => Number.isNaN(e.value));
  if (bad.length) throw new Error(`enum values that name no known constant: ${bad.map((e) => `${e.name}=${e.raw}`).join(', ')}`);
}

/**
 * C documentation as JSDoc text: `*\/` cannot end the comment, and C's `@name` references to
 * parameters become code spans (JSDoc would read them as block tags).
 */
export function cdoc(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, '`$1`');
}
