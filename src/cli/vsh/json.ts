// virsh-rpc's --json (not virsh's): the values a command prints, as one JSON document for scripts.
// 64-bit numbers are written exactly (a bigint is its digits, not a string or a rounded double).

import type { OptDef } from './cmd.js';

export type JsonValue = string | number | bigint | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The hidden option the commands of JSON_COMMANDS take. */
export const JSON_OPT: OptDef = { name: 'json', type: 'bool', help: 'print the result as JSON' };

/** `value` as JSON, indented by two spaces, with a final line break. */
export function toJson(value: JsonValue): string {
  return write(value, '') + '\n';
}

function write(v: JsonValue, indent: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
  }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return `[\n${v.map((x: JsonValue) => inner + write(x, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as { readonly [key: string]: JsonValue });
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner)}`).join(',\n')}\n${indent}}`;
}

/** The key of a label virsh prints ("Max memory:", "CPU(s)"): lower case, words joined by '_' ("max_memory", "cpus"). */
export function jsonKey(label: string): string {
  return label
    .replace(/\(s\)/g, 's')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** virsh's "yes"/"no" as a boolean; anything else (as "unknown") is null. */
export function yesNo(text: string): boolean | null {
  return text === 'yes' ? true : text === 'no' ? false : null;
}

/** A decimal integer virsh printed ("-" for none: null); anything else stays text. */
export function intOrNull(text: string): number | bigint | string | null {
  if (text === '-' || text === '') return null;
  if (!/^-?\d+$/.test(text)) return text;
  return jsonNumber(BigInt(text));
}

/** A typed parameter's or a tagged value's value for JSON. */
export function scalarJson(v: string | number | bigint | boolean): JsonValue {
  return typeof v === 'bigint' || typeof v === 'number' ? jsonNumber(v) : v;
}

/** A number for JSON: a safe bigint as a number, a bigger one kept exact. */
export function jsonNumber(n: number | bigint): number | bigint {
  if (typeof n === 'number') return n;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
