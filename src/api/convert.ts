import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_FROM_NONE,
  VIR_TYPED_PARAM_BOOLEAN,
  VIR_TYPED_PARAM_DOUBLE,
  VIR_TYPED_PARAM_INT,
  VIR_TYPED_PARAM_LLONG,
  VIR_TYPED_PARAM_STRING,
  VIR_TYPED_PARAM_UINT,
  VIR_TYPED_PARAM_ULLONG,
} from '../apixml/generated/constants.js';
import type { remote_typed_param } from '../protocol/generated/remote.js';
import { typedParamFieldTypes } from '../apixml/generated/typed-params.js';
import { type LibvirtError, clientError } from '../errors/errors.js';
import { uuidFromString } from './uuid.js';

/**
 * A flags argument: any bitwise-OR of the named C enum's values (the literal values show up in
 * completion; any number is accepted).
 */
export type Flags<E extends number> = E | (number & {});

/** One virTypedParameter value: int/uint/double as number, llong/ullong as bigint. */
export type TypedParamValue = number | bigint | string | boolean;

/** Typed parameters read from libvirt, keyed by field. A field libvirt repeats holds an array. */
export type TypedParams = Record<string, TypedParamValue | TypedParamValue[]>;

/**
 * Typed parameters whose fields libvirt documents: each documented field with its type (all
 * optional: a daemon sends what it has), any other field as in TypedParams.
 */
export type TypedParamsOf<F> = Partial<F> & TypedParams;

export type TypedParamTypeName = 'int' | 'uint' | 'llong' | 'ullong' | 'double' | 'boolean' | 'string';

/** A value to send; give `{ type, value }` when the field's type is not documented by libvirt. */
export type TypedParamInput = TypedParamValue | string[] | { type: TypedParamTypeName; value: TypedParamValue };

export type TypedParamsInput = Record<string, TypedParamInput>;

const TYPE_BY_NAME: Record<TypedParamTypeName, number> = {
  int: VIR_TYPED_PARAM_INT,
  uint: VIR_TYPED_PARAM_UINT,
  llong: VIR_TYPED_PARAM_LLONG,
  ullong: VIR_TYPED_PARAM_ULLONG,
  double: VIR_TYPED_PARAM_DOUBLE,
  boolean: VIR_TYPED_PARAM_BOOLEAN,
  string: VIR_TYPED_PARAM_STRING,
};
const NAME_BY_TYPE = new Map(Object.entries(TYPE_BY_NAME).map(([k, v]) => [v, k]));

/** Where fromTypedParams keeps each field's wire type (a non-enumerable property). */
const WIRE_TYPES = Symbol('typed-param-types');

/**
 * The virTypedParameterType a field of typed parameters read from the daemon had ('double' for a
 * number that is a C double, 'uint' for an unsigned int...); undefined for a field it did not send.
 */
export function typedParamType(params: TypedParams, field: string): TypedParamTypeName | undefined {
  return (params as { [WIRE_TYPES]?: Record<string, TypedParamTypeName> })[WIRE_TYPES]?.[field];
}

/** Typed parameters from the wire as a plain object. */
export function fromTypedParams(params: readonly remote_typed_param[]): TypedParams {
  // The field names come from the daemon: a null-prototype object, so `__proto__`, `toString` or
  // `constructor` are plain keys and cannot replace or shadow anything.
  const out = Object.create(null) as TypedParams;
  const types = Object.create(null) as Record<string, TypedParamTypeName>;
  Object.defineProperty(out, WIRE_TYPES, { value: types, enumerable: false });
  for (const p of params) {
    const v = p.value;
    types[p.field] = (NAME_BY_TYPE.get(v.type) ?? 'int') as TypedParamTypeName;
    const value: TypedParamValue =
      v.type === VIR_TYPED_PARAM_INT ? v.i
      : v.type === VIR_TYPED_PARAM_UINT ? v.ui
      : v.type === VIR_TYPED_PARAM_LLONG ? v.l
      : v.type === VIR_TYPED_PARAM_ULLONG ? v.ul
      : v.type === VIR_TYPED_PARAM_DOUBLE ? v.d
      : v.type === VIR_TYPED_PARAM_BOOLEAN ? v.b !== 0
      : v.s;
    const prev = out[p.field];
    if (prev === undefined) out[p.field] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[p.field] = [prev, value];
  }
  return out;
}

/** The virTypedParameterType a caller's value becomes: explicit, documented, or implied by its JS type. */
function typeOf(field: string, input: TypedParamValue, explicit: TypedParamTypeName | undefined, fn: string): number {
  if (explicit !== undefined) {
    const t = TYPE_BY_NAME[explicit];
    if (t === undefined) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `${fn}: unknown typed parameter type '${explicit}' for '${field}'`);
    return t;
  }
  const documented = typedParamFieldTypes[field];
  if (documented !== undefined) return documented;
  if (typeof input === 'string') return VIR_TYPED_PARAM_STRING;
  if (typeof input === 'boolean') return VIR_TYPED_PARAM_BOOLEAN;
  if (typeof input === 'bigint') return input < 0n ? VIR_TYPED_PARAM_LLONG : VIR_TYPED_PARAM_ULLONG;
  throw clientError(
    VIR_ERR_INVALID_ARG,
    VIR_FROM_NONE,
    `${fn}: unknown typed parameter '${field}': libvirt documents no type for it, so give one: { type: 'uint' | 'ullong' | ..., value }`,
  );
}

function encodeOne(field: string, type: number, v: TypedParamValue, fn: string): remote_typed_param {
  const wrong = (want: string): never => {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `${fn}: typed parameter '${field}' is ${NAME_BY_TYPE.get(type)} and needs ${want}, got ${typeof v} ${String(v)}`);
  };
  const int = (min: number, max: number): number => {
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return wrong(`an integer in ${min}..${max}`);
    return n;
  };
  const big = (min: bigint, max: bigint): bigint => {
    let n: bigint;
    if (typeof v === 'bigint') n = v;
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
    else return wrong('a bigint (or a safe integer)');
    if (n < min || n > max) return wrong(`a value in ${min}..${max}`);
    return n;
  };
  switch (type) {
    case VIR_TYPED_PARAM_INT:
      return { field, value: { type, i: int(-0x80000000, 0x7fffffff) } };
    case VIR_TYPED_PARAM_UINT:
      return { field, value: { type, ui: int(0, 0xffffffff) } };
    case VIR_TYPED_PARAM_LLONG:
      return { field, value: { type, l: big(-(1n << 63n), (1n << 63n) - 1n) } };
    case VIR_TYPED_PARAM_ULLONG:
      return { field, value: { type, ul: big(0n, (1n << 64n) - 1n) } };
    case VIR_TYPED_PARAM_DOUBLE:
      if (typeof v !== 'number') return wrong('a number');
      return { field, value: { type, d: v } };
    case VIR_TYPED_PARAM_BOOLEAN:
      if (typeof v !== 'boolean') return wrong('a boolean');
      return { field, value: { type, b: v ? 1 : 0 } };
    case VIR_TYPED_PARAM_STRING:
      if (typeof v !== 'string') return wrong('a string');
      return { field, value: { type, s: v } };
    default:
      return wrong('a known type');
  }
}

/**
 * A caller's object as wire typed parameters, each with the type libvirt expects (documented type,
 * explicit `{ type, value }`, or the JS type of a bigint/boolean/string). A string array becomes
 * the field repeated, as libvirt's multi-value string parameters are.
 */
export function toTypedParams(input: TypedParamsInput, fn: string): remote_typed_param[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `${fn}: typed parameters must be an object keyed by field name`);
  }
  const out: remote_typed_param[] = [];
  for (const [field, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    if (Array.isArray(raw)) {
      for (const s of raw) out.push(encodeOne(field, typeOf(field, s, 'string', fn), s, fn));
      continue;
    }
    if (raw !== null && typeof raw === 'object') {
      const e = raw as { type: TypedParamTypeName; value: TypedParamValue };
      out.push(encodeOne(field, typeOf(field, e.value, e.type, fn), e.value, fn));
      continue;
    }
    out.push(encodeOne(field, typeOf(field, raw, undefined, fn), raw, fn));
  }
  return out;
}

/** A UUID argument: the usual string form or the 16 raw bytes (virDomainLookupByUUID takes bytes). */
export function uuidArg(u: string | Uint8Array): Uint8Array {
  if (typeof u === 'string') return uuidFromString(u);
  if (u instanceof Uint8Array && u.length === 16) return u;
  throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, 'a UUID must be a string or 16 bytes');
}

/** libvirt's error for a failure nobody reported: "An error occurred, but the cause is unknown". */
export function unknownError(): LibvirtError {
  return clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE, 'An error occurred, but the cause is unknown');
}

/** A C char array (rpcgen sends each char as an int) as a string, up to its NUL. */
export function charsToString(chars: readonly number[]): string {
  let s = '';
  for (const c of chars) {
    if (c === 0) break;
    s += String.fromCharCode(c & 0xff);
  }
  return s;
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * A 64-bit argument: a safe integer or a bigint in range. Anything else is VIR_ERR_INVALID_ARG
 * naming the C parameter, dispatched through the connection's handlers like a daemon's error.
 */
export function int64Arg(session: { dispatch(e: unknown): LibvirtError }, v: number | bigint, cName: string, fn: string, signed: boolean): bigint {
  const min = signed ? INT64_MIN : 0n;
  const max = signed ? INT64_MAX : UINT64_MAX;
  let n: bigint | null = null;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
  if (n !== null && n >= min && n <= max) return n;
  const shown = typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? String(v) : `${typeof v} ${String(v)}`;
  throw session.dispatch(clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `${cName} in ${fn} must be a safe integer or a bigint in ${min}..${max}, got ${shown}`));
}

/** A C 0/1 switch: true and false as 1 and 0, numbers as they are. */
export function switchArg(v: boolean | number): number {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/**
 * A JSON.stringify replacer for the API's results: 64-bit values (bigint) become decimal strings
 * (`JSON.stringify(await dom.getInfo(), bigintReplacer)`); JSON has no 64-bit integers.
 */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
