/**
 * The generated XDR types rebuilt in @stellar/js-xdr, an independent XDR implementation, from the
 * data description of the generated codecs (src/protocol/generated/schema.ts). Used as the peer of
 * differential tests (same value, same bytes?) and of the codec benchmark.
 *
 *   const T = jsxdrType('remote_nonnull_domain');
 *   const bytes = jsxdrEncode(T, toJsXdr('remote_nonnull_domain', ours));
 *   const back = fromJsXdr('remote_nonnull_domain', jsxdrDecode(T, bytes)); // deep-equals `ours`
 *
 * Mapping (rpcgen semantics): char/short and their unsigned forms are XDR ints; `char x[32]` is an
 * array of 32 ints, not opaque; typedefs are expanded (the schema carries their shapes).
 *
 * Value forms: ours is the generated TypeScript form (bigint hypers, Uint8Array opaques, null for
 * absent optionals, `{ [disc]: n, [arm]: v }` unions, numbers for enums); js-xdr's is struct and
 * union instances, Hyper/UnsignedHyper instances, Buffers, strings (js-xdr writes strings and reads
 * Buffers), enum members and undefined for absent optionals.
 */
import { createRequire } from 'node:module';

import { schema as generatedSchema } from '../../src/protocol/generated/schema.js';
import type { SchemaShape, SchemaType } from '../../src/protocol/schema.js';

export type Schema = Readonly<Record<string, SchemaType>>;

// --- the part of js-xdr's API used here (the package ships no type declarations) ---

/** A js-xdr type: a class (Int, struct and union classes) or an instance (VarArray, Option, ...). */
export interface JsXdrType {
  read(reader: JsXdrReader, remainingDepth?: number): unknown;
  write(value: unknown, writer: JsXdrWriter): void;
  isValid(value: unknown): boolean;
  fromXDR(input: Buffer, format?: 'raw'): unknown;
}
export interface JsXdrReader {
  remainingBytes(): number;
  ensureInputConsumed(): void;
}
export interface JsXdrWriter {
  finalize(): Buffer;
}
export interface JsXdrStructClass extends JsXdrType {
  new (attributes: Record<string, unknown>): JsXdrStruct;
  readonly structName: string;
  toXDR(value: unknown, format?: 'raw'): Buffer;
}
export interface JsXdrStruct {
  readonly _attributes: Record<string, unknown>;
  toXDR(format?: 'raw'): Buffer;
}
export interface JsXdrUnionClass extends JsXdrType {
  new (aSwitch: unknown, value: unknown): JsXdrUnion;
  readonly unionName: string;
  toXDR(value: unknown, format?: 'raw'): Buffer;
}
export interface JsXdrUnion {
  switch(): unknown;
  arm(): unknown;
  value(): unknown;
  toXDR(format?: 'raw'): Buffer;
}
export interface JsXdrEnumClass extends JsXdrType {
  readonly enumName: string;
  fromValue(value: number): JsXdrEnumMember;
}
export interface JsXdrEnumMember {
  readonly name: string;
  readonly value: number;
}
export interface JsXdrLargeIntClass {
  new (value: bigint): JsXdrLargeInt;
}
export interface JsXdrLargeInt {
  toBigInt(): bigint;
}
interface TypeBuilder {
  enum(name: string, members: Record<string, number>): void;
  struct(name: string, fields: [string, unknown][]): void;
  union(name: string, cfg: { switchOn: unknown; switchName: string; switches: [unknown, unknown][]; arms: Record<string, unknown>; defaultArm?: unknown }): void;
  typedef(name: string, type: unknown): void;
  lookup(name: string): unknown;
  void(): unknown;
  bool(): unknown;
  int(): unknown;
  uint(): unknown;
  hyper(): unknown;
  uhyper(): unknown;
  float(): unknown;
  double(): unknown;
  string(max: number): unknown;
  opaque(n: number): unknown;
  varOpaque(max: number): unknown;
  array(of: unknown, n: number): unknown;
  varArray(of: unknown, max: number): unknown;
  option(of: unknown): unknown;
}
export interface JsXdrModule {
  config(fn: (b: TypeBuilder) => void, types?: Record<string, unknown>): Record<string, unknown>;
  Hyper: JsXdrLargeIntClass;
  UnsignedHyper: JsXdrLargeIntClass;
  XdrWriter: new () => JsXdrWriter;
  XdrReader: new (input: Buffer) => JsXdrReader;
  Void: JsXdrType;
}

/** The @stellar/js-xdr module itself (CommonJS, untyped: loaded through require). */
export const jsxdr = createRequire(import.meta.url)('@stellar/js-xdr') as JsXdrModule;

// --- building the types ---

function lookup(schema: Schema, name: string): SchemaType {
  const t = schema[name];
  if (!t) throw new Error(`jsxdr: no type ${name} in the schema`);
  return t;
}

/** Discriminant value as js-xdr reads it: a number, a boolean for bool, an enum member for enums. */
function discKey(schema: Schema, disc: SchemaShape, n: number): unknown {
  if (disc.k === 'enum') return enumMember(schema, disc.name, n);
  if (disc.k === 'prim' && disc.prim === 'bool') return n !== 0;
  return n;
}

/** All types of a schema, defined in one js-xdr `config` call (references between them resolve lazily). */
function buildAll(schema: Schema): Record<string, unknown> {
  return jsxdr.config((x) => {
    const shape = (s: SchemaShape): unknown => {
      switch (s.k) {
        case 'prim':
          switch (s.prim) {
            case 'int':
            case 'char':
            case 'uchar':
            case 'short':
            case 'ushort':
              return x.int();
            case 'uint':
              return x.uint();
            case 'hyper':
              return x.hyper();
            case 'uhyper':
              return x.uhyper();
            case 'float':
              return x.float();
            case 'double':
              return x.double();
            case 'bool':
              return x.bool();
          }
          throw new Error(`jsxdr: unsupported primitive ${String(s.prim)}`);
        case 'string':
          return x.string(s.max);
        case 'fopaque':
          return x.opaque(s.n);
        case 'vopaque':
          return x.varOpaque(s.max);
        case 'farray':
          return x.array(shape(s.of), s.n);
        case 'varray':
          return x.varArray(shape(s.of), s.max);
        case 'optional':
          return x.option(shape(s.of));
        case 'struct':
        case 'union':
        case 'enum':
          return x.lookup(s.name);
        case 'void':
          return x.void();
      }
    };
    for (const [name, t] of Object.entries(schema)) {
      switch (t.kind) {
        case 'enum':
          x.enum(name, Object.fromEntries(t.members));
          break;
        case 'typedef':
          x.typedef(name, shape(t.shape));
          break;
        case 'struct':
          x.struct(
            name,
            t.fields.map((f) => [f.name, shape(f.shape)]),
          );
          break;
        case 'union': {
          const isEnum = t.disc.shape.k === 'enum';
          const arms: Record<string, unknown> = {};
          const switches: [unknown, unknown][] = [];
          for (const a of t.arms) {
            if (a.name !== null && a.shape.k !== 'void') arms[a.name] = shape(a.shape);
            for (const c of a.cases) {
              // Enum cases by member name: js-xdr resolves them to its enum members once they exist.
              const key = isEnum ? enumMemberName(schema, t.disc.shape, c) : discKey(schema, t.disc.shape, c);
              switches.push([key, a.name !== null && a.shape.k !== 'void' ? a.name : x.void()]);
            }
          }
          let defaultArm: unknown;
          if (t.default) {
            if (t.default.name !== null && t.default.shape.k !== 'void') {
              arms[t.default.name] = shape(t.default.shape);
              defaultArm = t.default.name;
            } else {
              defaultArm = x.void();
            }
          }
          x.union(name, { switchOn: shape(t.disc.shape), switchName: t.disc.name, switches, arms, defaultArm });
          break;
        }
      }
    }
  });
}

function enumMemberName(schema: Schema, disc: SchemaShape, value: number): string {
  if (disc.k !== 'enum') throw new Error('jsxdr: not an enum discriminant');
  const t = lookup(schema, disc.name);
  if (t.kind !== 'enum') throw new Error(`jsxdr: ${disc.name} is not an enum`);
  const m = t.members.find((x) => x[1] === value);
  if (!m) throw new Error(`jsxdr: ${value} is not a member of ${disc.name}`);
  return m[0];
}

const built = new WeakMap<Schema, Record<string, unknown>>();

function types(schema: Schema): Record<string, unknown> {
  let t = built.get(schema);
  if (!t) built.set(schema, (t = buildAll(schema)));
  return t;
}

/** The js-xdr type of a named type (built once per schema, then cached). */
export function jsxdrType(name: string, schema: Schema = generatedSchema): JsXdrType {
  const t = types(schema)[name];
  if (t === undefined) throw new Error(`jsxdr: no type ${name} in the schema`);
  return t as JsXdrType;
}

/** The js-xdr class of a named struct (for `Class.toXDR(value)` / `Class.fromXDR(bytes)`). */
export function jsxdrStruct(name: string, schema: Schema = generatedSchema): JsXdrStructClass {
  if (lookup(schema, name).kind !== 'struct') throw new Error(`jsxdr: ${name} is not a struct`);
  return jsxdrType(name, schema) as unknown as JsXdrStructClass;
}

function enumMember(schema: Schema, enumName: string, value: number): JsXdrEnumMember {
  return (jsxdrType(enumName, schema) as JsXdrEnumClass).fromValue(value);
}

/** Encodes a value in js-xdr's form with any js-xdr type (class or instance). */
export function jsxdrEncode(type: JsXdrType, value: unknown): Buffer {
  const w = new jsxdr.XdrWriter();
  type.write(value, w);
  return w.finalize();
}

/** Decodes with any js-xdr type; throws unless every byte is consumed. */
export function jsxdrDecode(type: JsXdrType, bytes: Uint8Array): unknown {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return type.fromXDR(buf);
}

// --- value conversion ---

function asBuffer(v: unknown, where: string): Buffer {
  if (!(v instanceof Uint8Array)) throw new Error(`jsxdr: ${where}: expected a Uint8Array`);
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A value in our form to js-xdr's form, following a shape. */
export function shapeToJsXdr(s: SchemaShape, v: unknown, schema: Schema = generatedSchema): unknown {
  switch (s.k) {
    case 'prim':
      if (s.prim === 'hyper') return new jsxdr.Hyper(v as bigint);
      if (s.prim === 'uhyper') return new jsxdr.UnsignedHyper(v as bigint);
      return v;
    case 'string':
      return v;
    case 'fopaque':
    case 'vopaque':
      return asBuffer(v, s.k);
    case 'farray':
    case 'varray':
      if (!Array.isArray(v)) throw new Error(`jsxdr: expected an array`);
      return v.map((x: unknown) => shapeToJsXdr(s.of, x, schema));
    case 'optional':
      return v === null || v === undefined ? undefined : shapeToJsXdr(s.of, v, schema);
    case 'struct':
    case 'union':
    case 'enum':
      return toJsXdr(s.name, v, schema);
    case 'void':
      return undefined;
  }
}

/** A value of a named type in our form to js-xdr's form (struct/union instances, enum members, ...). */
export function toJsXdr(name: string, v: unknown, schema: Schema = generatedSchema): unknown {
  const t = lookup(schema, name);
  switch (t.kind) {
    case 'enum':
      return enumMember(schema, name, v as number);
    case 'typedef':
      return shapeToJsXdr(t.shape, v, schema);
    case 'struct': {
      const o = v as Record<string, unknown>;
      const attrs: Record<string, unknown> = {};
      for (const f of t.fields) attrs[f.name] = shapeToJsXdr(f.shape, o[f.name], schema);
      const Cls = jsxdrType(name, schema) as unknown as JsXdrStructClass;
      return new Cls(attrs);
    }
    case 'union': {
      const o = v as Record<string, unknown>;
      const d = o[t.disc.name];
      const n = typeof d === 'boolean' ? (d ? 1 : 0) : (d as number);
      const arm = t.arms.find((a) => a.cases.includes(n)) ?? t.default;
      if (!arm) throw new Error(`jsxdr: ${name}: no arm for discriminant ${n}`);
      const armValue = arm.name === null || arm.shape.k === 'void' ? undefined : shapeToJsXdr(arm.shape, o[arm.name], schema);
      const Cls = jsxdrType(name, schema) as unknown as JsXdrUnionClass;
      return new Cls(discKey(schema, t.disc.shape, n), armValue);
    }
  }
}

/** A value in js-xdr's form (as its decoder returns it) back to our form, following a shape. */
export function shapeFromJsXdr(s: SchemaShape, v: unknown, schema: Schema = generatedSchema): unknown {
  switch (s.k) {
    case 'prim':
      if (s.prim === 'hyper' || s.prim === 'uhyper') return (v as JsXdrLargeInt).toBigInt();
      return v;
    case 'string':
      return typeof v === 'string' ? v : asBuffer(v, 'string').toString('utf8');
    case 'fopaque':
    case 'vopaque':
      return new Uint8Array(asBuffer(v, s.k));
    case 'farray':
    case 'varray':
      if (!Array.isArray(v)) throw new Error(`jsxdr: expected an array`);
      return v.map((x: unknown) => shapeFromJsXdr(s.of, x, schema));
    case 'optional':
      return v === null || v === undefined ? null : shapeFromJsXdr(s.of, v, schema);
    case 'struct':
    case 'union':
    case 'enum':
      return fromJsXdr(s.name, v, schema);
    case 'void':
      return undefined;
  }
}

/** A value of a named type in js-xdr's form back to our form (what our decoder returns). */
export function fromJsXdr(name: string, v: unknown, schema: Schema = generatedSchema): unknown {
  const t = lookup(schema, name);
  switch (t.kind) {
    case 'enum':
      return (v as JsXdrEnumMember).value;
    case 'typedef':
      return shapeFromJsXdr(t.shape, v, schema);
    case 'struct': {
      const attrs = (v as JsXdrStruct)._attributes;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = shapeFromJsXdr(f.shape, attrs[f.name], schema);
      return out;
    }
    case 'union': {
      const u = v as JsXdrUnion;
      const sw = u.switch();
      const d = t.disc.shape.k === 'enum' ? (sw as JsXdrEnumMember).value : sw;
      const n = typeof d === 'boolean' ? (d ? 1 : 0) : (d as number);
      const arm = t.arms.find((a) => a.cases.includes(n)) ?? t.default;
      if (!arm) throw new Error(`jsxdr: ${name}: no arm for discriminant ${n}`);
      if (arm.name === null || arm.shape.k === 'void') return { [t.disc.name]: d };
      return { [t.disc.name]: d, [arm.name]: shapeFromJsXdr(arm.shape, u.value(), schema) };
    }
  }
}

/** Encodes a value in our form through js-xdr. */
export function encodeWithJsXdr(name: string, v: unknown, schema: Schema = generatedSchema): Buffer {
  return jsxdrEncode(jsxdrType(name, schema), toJsXdr(name, v, schema));
}

/** Decodes bytes through js-xdr into our form. */
export function decodeWithJsXdr(name: string, bytes: Uint8Array, schema: Schema = generatedSchema): unknown {
  return fromJsXdr(name, jsxdrDecode(jsxdrType(name, schema), bytes), schema);
}
