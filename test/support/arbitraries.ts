/**
 * fast-check arbitraries for every XDR type, built from the data description of the generated
 * codecs (src/protocol/generated/schema.ts). A value it produces is in our TypeScript form (what the
 * generated `enc_X` accepts and `dec_X` returns) and respects every bound of the .x file; variable
 * sizes are capped to small numbers so properties stay fast.
 *
 *   fc.assert(fc.property(arbitraryFor('remote_typed_param'), (v) => { ... }));
 *
 * Every shape is handled: primitives with their C ranges (char/short travel as ints but must fit),
 * strings (any Unicode code point, trimmed to the byte bound in UTF-8), fixed and variable opaque
 * and arrays, optionals (nested ones too), structs, enums and unions (each case value of each arm,
 * void arms, and default arms with a discriminant outside every case). Self-referencing types stop
 * recursing after `maxDepth` levels by choosing absent optionals and empty arrays.
 */
import fc from 'fast-check';

import { schema as generatedSchema } from '../../src/protocol/generated/schema.js';
import type { SchemaShape, SchemaType } from '../../src/protocol/schema.js';

export type Schema = Readonly<Record<string, SchemaType>>;

export interface ArbitraryOptions {
  /** Type descriptions to use instead of the generated ones (tests of unusual shapes). */
  schema?: Schema;
  /** Most items in a variable-length array (never above its bound). Default 4. */
  maxItems?: number;
  /** Most code points in a string (never above its byte bound once in UTF-8). Default 20. */
  maxStringLength?: number;
  /** Most bytes in a variable-length opaque (never above its bound). Default 24. */
  maxOpaqueLength?: number;
  /** Levels of a self-referencing type before optionals are absent and arrays empty. Default 3. */
  maxDepth?: number;
  /** Whether doubles and floats may be NaN (which has no canonical byte form in XDR). Default true. */
  nan?: boolean;
}

type Options = Required<Omit<ArbitraryOptions, 'schema'>> & { schema: Schema };

const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;
const UINT_MAX = 0xffffffff;

const PRIM_RANGE: Record<string, readonly [number, number]> = {
  int: [INT_MIN, INT_MAX],
  uint: [0, UINT_MAX],
  char: [-128, 127],
  uchar: [0, 255],
  short: [-32768, 32767],
  ushort: [0, 65535],
};

/** Cuts a string at a code point boundary so its UTF-8 form has at most `max` bytes. */
function fitUtf8(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  const cps = [...s];
  let bytes = Buffer.byteLength(s, 'utf8');
  while (bytes > max) bytes -= Buffer.byteLength(cps.pop()!, 'utf8');
  return cps.join('');
}

/** Every named type a shape mentions directly. */
function shapeRefs(s: SchemaShape, out: Set<string>): void {
  switch (s.k) {
    case 'struct':
    case 'union':
    case 'enum':
      out.add(s.name);
      break;
    case 'farray':
    case 'varray':
    case 'optional':
      shapeRefs(s.of, out);
      break;
    default:
      break;
  }
}

export function typeRefs(t: SchemaType): Set<string> {
  const out = new Set<string>();
  switch (t.kind) {
    case 'enum':
      break;
    case 'typedef':
      shapeRefs(t.shape, out);
      break;
    case 'struct':
      for (const f of t.fields) shapeRefs(f.shape, out);
      break;
    case 'union':
      shapeRefs(t.disc.shape, out);
      for (const a of t.arms) shapeRefs(a.shape, out);
      if (t.default) shapeRefs(t.default.shape, out);
      break;
  }
  return out;
}

function lookup(schema: Schema, name: string): SchemaType {
  const t = schema[name];
  if (!t) throw new Error(`arbitraries: no type ${name} in the schema`);
  return t;
}

class Builder {
  private readonly cache = new Map<string, fc.Arbitrary<unknown>>();
  private readonly recursive = new Map<string, boolean>();

  constructor(private readonly o: Options) {}

  /** Whether a type can contain itself. */
  private isRecursive(name: string): boolean {
    let r = this.recursive.get(name);
    if (r !== undefined) return r;
    const seen = new Set<string>();
    const stack = [...typeRefs(lookup(this.o.schema, name))];
    r = false;
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === name) {
        r = true;
        break;
      }
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...typeRefs(lookup(this.o.schema, n)));
    }
    this.recursive.set(name, r);
    return r;
  }

  /** `depth` counts levels of self-referencing types only (0 outside them). */
  named(name: string, depth = 0): fc.Arbitrary<unknown> {
    const rec = this.isRecursive(name);
    if (rec && depth > this.o.maxDepth + 32) throw new Error(`arbitraries: ${name} recurses without an optional or array to stop at`);
    const key = rec ? `${name}@${depth}` : name;
    let a = this.cache.get(key);
    if (!a) {
      a = this.build(lookup(this.o.schema, name), rec ? depth + 1 : 0);
      this.cache.set(key, a);
    }
    return a;
  }

  private build(t: SchemaType, depth: number): fc.Arbitrary<unknown> {
    switch (t.kind) {
      case 'enum':
        return fc.constantFrom(...t.members.map((m) => m[1]));
      case 'typedef':
        return this.shape(t.shape, depth);
      case 'struct': {
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const f of t.fields) model[f.name] = this.shape(f.shape, depth);
        return fc.record(model);
      }
      case 'union':
        return this.union(t, depth);
    }
  }

  private union(t: Extract<SchemaType, { kind: 'union' }>, depth: number): fc.Arbitrary<unknown> {
    const discName = t.disc.name;
    const discShape = t.disc.shape;
    const isBool = discShape.k === 'prim' && discShape.prim === 'bool';
    const disc = (n: number): number | boolean => (isBool ? n !== 0 : n);
    const arm = (d: fc.Arbitrary<number | boolean>, name: string | null, shape: SchemaShape): fc.Arbitrary<unknown> =>
      name === null || shape.k === 'void'
        ? d.map((x) => ({ [discName]: x }))
        : fc.tuple(d, this.shape(shape, depth)).map(([x, v]) => ({ [discName]: x, [name]: v }));
    const arms: fc.Arbitrary<unknown>[] = t.arms
      .filter((a) => a.cases.length > 0)
      .map((a) => arm(fc.constantFrom(...a.cases.map(disc)), a.name, a.shape));
    if (t.default) {
      const used = new Set<number>(t.arms.flatMap((a) => a.cases));
      const others = this.discOutside(discShape, used);
      if (others) arms.push(arm(others.map((n) => disc(n)), t.default.name, t.default.shape));
    }
    if (arms.length === 0) throw new Error('arbitraries: union without a reachable arm');
    return fc.oneof(...arms);
  }

  /** Discriminant values that no case names (for the default arm), or null if there are none. */
  private discOutside(s: SchemaShape, used: ReadonlySet<number>): fc.Arbitrary<number> | null {
    if (s.k === 'enum') {
      const t = lookup(this.o.schema, s.name);
      if (t.kind !== 'enum') throw new Error(`arbitraries: ${s.name} is not an enum`);
      const rest = t.members.map((m) => m[1]).filter((v) => !used.has(v));
      return rest.length > 0 ? fc.constantFrom(...rest) : null;
    }
    if (s.k === 'prim' && s.prim === 'bool') {
      const rest = [0, 1].filter((v) => !used.has(v));
      return rest.length > 0 ? fc.constantFrom(...rest) : null;
    }
    if (s.k === 'prim' && PRIM_RANGE[s.prim]) {
      const [min, max] = PRIM_RANGE[s.prim]!;
      return fc.integer({ min, max }).filter((v) => !used.has(v));
    }
    throw new Error(`arbitraries: unsupported union discriminant ${JSON.stringify(s)}`);
  }

  shape(s: SchemaShape, depth: number): fc.Arbitrary<unknown> {
    const o = this.o;
    const cut = depth > o.maxDepth;
    switch (s.k) {
      case 'prim':
        switch (s.prim) {
          case 'hyper':
            return fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
          case 'uhyper':
            return fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
          case 'double':
            return fc.double({ noNaN: !o.nan });
          case 'float':
            return fc.float({ noNaN: !o.nan });
          case 'bool':
            return fc.boolean();
          default: {
            const range = PRIM_RANGE[s.prim];
            if (!range) throw new Error(`arbitraries: unsupported primitive ${s.prim}`);
            return fc.integer({ min: range[0], max: range[1] });
          }
        }
      case 'string': {
        const a = fc.string({ unit: 'binary', maxLength: Math.min(o.maxStringLength, s.max) });
        // A code point takes up to 4 bytes in UTF-8: trim only when the bound could be exceeded.
        return s.max < 4 * o.maxStringLength ? a.map((x) => fitUtf8(x, s.max)) : a;
      }
      case 'fopaque':
        return fc.uint8Array({ minLength: s.n, maxLength: s.n });
      case 'vopaque':
        return fc.uint8Array({ maxLength: Math.min(o.maxOpaqueLength, s.max) });
      case 'farray':
        return fc.array(this.shape(s.of, depth), { minLength: s.n, maxLength: s.n });
      case 'varray':
        if (cut) return fc.constant([]);
        return fc.array(this.shape(s.of, depth), { maxLength: Math.min(o.maxItems, s.max) });
      case 'optional':
        if (cut) return fc.constant(null);
        return fc.option(this.shape(s.of, depth), { nil: null });
      case 'struct':
      case 'union':
      case 'enum':
        return this.named(s.name, depth);
      case 'void':
        return fc.constant(undefined);
    }
  }
}

const builders = new WeakMap<Schema, Map<string, Builder>>();

function builderFor(opts: ArbitraryOptions): Builder {
  const o: Options = {
    schema: opts.schema ?? generatedSchema,
    maxItems: opts.maxItems ?? 4,
    maxStringLength: opts.maxStringLength ?? 20,
    maxOpaqueLength: opts.maxOpaqueLength ?? 24,
    maxDepth: opts.maxDepth ?? 3,
    nan: opts.nan ?? true,
  };
  let bySchema = builders.get(o.schema);
  if (!bySchema) builders.set(o.schema, (bySchema = new Map()));
  const key = `${o.maxItems}/${o.maxStringLength}/${o.maxOpaqueLength}/${o.maxDepth}/${o.nan}`;
  let b = bySchema.get(key);
  if (!b) bySchema.set(key, (b = new Builder(o)));
  return b;
}

/** Random values of the named type (enum, typedef, struct or union), in our TypeScript form. */
export function arbitraryFor<T = unknown>(typeName: string, opts: ArbitraryOptions = {}): fc.Arbitrary<T> {
  return builderFor(opts).named(typeName) as fc.Arbitrary<T>;
}

/** Random values of an anonymous shape (a field's declaration), in our TypeScript form. */
export function arbitraryForShape<T = unknown>(shape: SchemaShape, opts: ArbitraryOptions = {}): fc.Arbitrary<T> {
  return builderFor(opts).shape(shape, 0) as fc.Arbitrary<T>;
}
