// vshGetTypedParamValue: a typed parameter as virsh and virt-admin print it.

import { typedParamType, type TypedParams, type TypedParamValue } from '../../index.js';
import { cformat } from './cformat.js';

export function typedParamString(params: TypedParams, field: string, value: TypedParamValue): string {
  switch (typedParamType(params, field)) {
    case 'int':
      return cformat('%d', value as number);
    case 'uint':
      return cformat('%u', value as number);
    case 'llong':
      return cformat('%lld', value as bigint);
    case 'ullong':
      return cformat('%llu', value as bigint);
    case 'double':
      return cformat('%f', value as number);
    case 'boolean':
      return value ? 'yes' : 'no';
    default:
      return String(value);
  }
}

/** Each field and value in the daemon's order (a repeated field once per value). */
export function typedParamEntries(params: TypedParams): [string, TypedParamValue][] {
  const out: [string, TypedParamValue][] = [];
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else out.push([k, v]);
  }
  return out;
}
