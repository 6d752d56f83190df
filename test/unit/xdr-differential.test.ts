/**
 * Differential tests of our XDR codecs against @stellar/js-xdr, an independent implementation: for
 * random values (fast-check, bounded sizes) both must write identical bytes, js-xdr must decode our
 * bytes to the same value and we must decode js-xdr's bytes to the same value.
 *
 * Primitives go through the runtime (XdrWriter/XdrReader calls exactly as the generated code makes
 * them); composite types go through the generated codecs. The peer types are built from the schema
 * (test/support/jsxdr.ts), the values too (test/support/arbitraries.ts). Damaged encodings (a byte
 * changed, cut short, extended) must be accepted by both with the same value or rejected by both.
 *
 * XDR_DIFF_RUNS=<n> sets the runs per property (default 200; every schema type gets n/20).
 */
import { expect } from 'chai';
import fc from 'fast-check';

import * as generated from '../../src/protocol/generated/index.js';
import { schema } from '../../src/protocol/generated/schema.js';
import type { SchemaShape, SchemaType } from '../../src/protocol/schema.js';
import { type Codec, XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import { arbitraryFor, type ArbitraryOptions } from '../support/arbitraries.js';
import { decodeWithJsXdr, encodeWithJsXdr, type Schema } from '../support/jsxdr.js';

const RUNS = Number(process.env.XDR_DIFF_RUNS ?? 200);

// --- a schema-driven codec over our runtime, for shapes that have no generated codec of their own ---

const RANGED: Record<string, readonly [number, number]> = {
  char: [-128, 127],
  uchar: [0, 255],
  short: [-32768, 32767],
  ushort: [0, 65535],
};

/** Encodes/decodes any shape with the same XdrWriter/XdrReader calls the generator emits. */
function runtimeCodec(sch: Schema, name: string): Codec<unknown> {
  const t = (n: string): SchemaType => {
    const x = sch[n];
    if (!x) throw new Error(`no type ${n}`);
    return x;
  };
  const enumValues = (n: string): ReadonlySet<number> => {
    const x = t(n);
    if (x.kind !== 'enum') throw new Error(`${n} is not an enum`);
    return new Set(x.members.map((m) => m[1]));
  };
  const enc = (w: XdrWriter, s: SchemaShape, v: unknown, where: string): void => {
    switch (s.k) {
      case 'prim':
        switch (s.prim) {
          case 'int':
            return w.int(where, v as number);
          case 'uint':
            return w.uint(where, v as number);
          case 'hyper':
            return w.hyper(where, v as bigint);
          case 'uhyper':
            return w.uhyper(where, v as bigint);
          case 'float':
            return w.float(where, v as number);
          case 'double':
            return w.double(where, v as number);
          case 'bool':
            return w.bool(where, v as boolean);
          default:
            return w.ranged(where, v as number, RANGED[s.prim]![0], RANGED[s.prim]![1]);
        }
      case 'string':
        return w.string(where, v as string, s.max);
      case 'fopaque':
        return w.fixedOpaque(where, v as Uint8Array, s.n);
      case 'vopaque':
        return w.varOpaque(where, v as Uint8Array, s.max);
      case 'farray':
      case 'varray': {
        const a = v as unknown[];
        w.array(where, a, s.k === 'farray' ? s.n : undefined);
        if (s.k === 'varray') w.length(where, a.length, s.max);
        for (const x of a) enc(w, s.of, x, `${where}[]`);
        return;
      }
      case 'optional':
        if (v === null || v === undefined) return w.bool(where, false);
        w.bool(where, true);
        return enc(w, s.of, v, where);
      case 'enum':
        return w.enumValue(where, v as number, enumValues(s.name));
      case 'struct':
      case 'union':
        return encNamed(w, s.name, v);
      case 'void':
        return;
    }
  };
  const encNamed = (w: XdrWriter, n: string, v: unknown): void => {
    const x = t(n);
    switch (x.kind) {
      case 'enum':
        return w.enumValue(n, v as number, enumValues(n));
      case 'typedef':
        return enc(w, x.shape, v, n);
      case 'struct':
        for (const f of x.fields) enc(w, f.shape, (v as Record<string, unknown>)[f.name], `${n}.${f.name}`);
        return;
      case 'union': {
        const o = v as Record<string, unknown>;
        const d = o[x.disc.name];
        const num = typeof d === 'boolean' ? Number(d) : (d as number);
        const arm = x.arms.find((a) => a.cases.includes(num)) ?? x.default;
        if (!arm) return w.fail(n, `unknown discriminant ${num}`);
        enc(w, x.disc.shape, d, `${n}.${x.disc.name}`);
        if (arm.name !== null) enc(w, arm.shape, o[arm.name], `${n}.${arm.name}`);
        return;
      }
    }
  };
  const dec = (r: XdrReader, s: SchemaShape, where: string): unknown => {
    switch (s.k) {
      case 'prim':
        switch (s.prim) {
          case 'int':
            return r.int(where);
          case 'uint':
            return r.uint(where);
          case 'hyper':
            return r.hyper(where);
          case 'uhyper':
            return r.uhyper(where);
          case 'float':
            return r.float(where);
          case 'double':
            return r.double(where);
          case 'bool':
            return r.bool(where);
          default:
            return r.ranged(where, RANGED[s.prim]![0], RANGED[s.prim]![1]);
        }
      case 'string':
        return r.string(where, s.max);
      case 'fopaque':
        return r.fixedOpaque(where, s.n);
      case 'vopaque':
        return r.varOpaque(where, s.max);
      case 'farray':
      case 'varray': {
        const n = s.k === 'farray' ? s.n : r.length(where, s.max, 1);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(dec(r, s.of, `${where}[]`));
        return out;
      }
      case 'optional':
        return r.bool(where) ? dec(r, s.of, where) : null;
      case 'enum':
        return r.enumValue(where, enumValues(s.name));
      case 'struct':
      case 'union':
        return decNamed(r, s.name);
      case 'void':
        return undefined;
    }
  };
  const decNamed = (r: XdrReader, n: string): unknown => {
    const x = t(n);
    switch (x.kind) {
      case 'enum':
        return r.enumValue(n, enumValues(n));
      case 'typedef':
        return dec(r, x.shape, n);
      case 'struct': {
        const out: Record<string, unknown> = {};
        for (const f of x.fields) out[f.name] = dec(r, f.shape, `${n}.${f.name}`);
        return out;
      }
      case 'union': {
        const d = dec(r, x.disc.shape, `${n}.${x.disc.name}`);
        const num = typeof d === 'boolean' ? Number(d) : (d as number);
        const arm = x.arms.find((a) => a.cases.includes(num)) ?? x.default;
        if (!arm) return r.fail(n, `unknown discriminant ${num}`);
        return arm.name === null ? { [x.disc.name]: d } : { [x.disc.name]: d, [arm.name]: dec(r, arm.shape, `${n}.${arm.name}`) };
      }
    }
  };
  return { name, encode: (w, v) => encNamed(w, name, v), decode: (r) => decNamed(r, name) };
}

/** The generated codec of a schema type. */
function generatedCodec(name: string): Codec<unknown> {
  const t = schema[name];
  if (!t) throw new Error(`no type ${name}`);
  const mod = (generated as unknown as Record<string, Record<string, unknown>>)[t.module];
  const c = mod?.[name] as Codec<unknown> | undefined;
  if (!c || typeof c.encode !== 'function' || typeof c.decode !== 'function') throw new Error(`no generated codec for ${name} in ${t.module}`);
  return c;
}

function oursEncode(codec: Codec<unknown>, v: unknown): Buffer {
  const w = new XdrWriter();
  codec.encode(w, v);
  return Buffer.from(w.bytes());
}

function oursDecode(codec: Codec<unknown>, bytes: Uint8Array): unknown {
  const r = new XdrReader(bytes);
  const v = codec.decode(r);
  r.done(codec.name);
  return v;
}

/** The three-way property: same bytes, js-xdr reads ours back, we read js-xdr's back. */
function agree(codec: Codec<unknown>, name: string, v: unknown, sch: Schema = schema): void {
  const ours = oursEncode(codec, v);
  const theirs = encodeWithJsXdr(name, v, sch);
  expect(ours.toString('hex'), `${name}: bytes differ`).to.equal(theirs.toString('hex'));
  expect(decodeWithJsXdr(name, ours, sch), `${name}: js-xdr decodes our bytes differently`).to.deep.equal(v);
  expect(oursDecode(codec, theirs), `${name}: we decode js-xdr's bytes differently`).to.deep.equal(v);
}

function differential(name: string, opts: { runs?: number; arb?: ArbitraryOptions; codec?: Codec<unknown>; schema?: Schema } = {}): void {
  const sch = opts.schema ?? schema;
  const codec = opts.codec ?? generatedCodec(name);
  fc.assert(
    fc.property(arbitraryFor(name, { ...opts.arb, schema: sch }), (v) => agree(codec, name, v, sch)),
    { numRuns: opts.runs ?? RUNS },
  );
}

// --- primitives: a schema of one typedef per primitive shape ---

const BIG = 4194304;
const prim = (p: Extract<SchemaShape, { k: 'prim' }>['prim']): SchemaShape => ({ k: 'prim', prim: p });
const PRIMITIVES: Record<string, SchemaShape> = {
  int: prim('int'),
  uint: prim('uint'),
  hyper: prim('hyper'),
  uhyper: prim('uhyper'),
  double: prim('double'),
  float: prim('float'),
  bool: prim('bool'),
  char: prim('char'),
  uchar: prim('uchar'),
  short: prim('short'),
  ushort: prim('ushort'),
  opaque0: { k: 'fopaque', n: 0 },
  opaque1: { k: 'fopaque', n: 1 },
  opaque3: { k: 'fopaque', n: 3 },
  opaque4: { k: 'fopaque', n: 4 },
  opaque16: { k: 'fopaque', n: 16 },
  opaque17: { k: 'fopaque', n: 17 },
  varOpaque: { k: 'vopaque', max: BIG },
  varOpaque5: { k: 'vopaque', max: 5 },
  string: { k: 'string', max: BIG },
  string7: { k: 'string', max: 7 },
  varArrayInt: { k: 'varray', max: 16384, of: prim('int') },
  varArrayHyper2: { k: 'varray', max: 2, of: prim('hyper') },
  varArrayString: { k: 'varray', max: 64, of: { k: 'string', max: BIG } },
  fixedArrayUhyper3: { k: 'farray', n: 3, of: prim('uhyper') },
  optionalInt: { k: 'optional', of: prim('int') },
  optionalString: { k: 'optional', of: { k: 'string', max: BIG } },
  optionalOpaque: { k: 'optional', of: { k: 'vopaque', max: BIG } },
  varArrayOptionalUint: { k: 'varray', max: 8, of: { k: 'optional', of: prim('uint') } },
};
const primSchema: Schema = Object.fromEntries(Object.entries(PRIMITIVES).map(([n, shape]) => [n, { kind: 'typedef', module: 'test', shape }]));

// --- shapes libvirt's .x files do not use, so the test support is exercised on them too ---

const SHAPES: Schema = {
  color: { kind: 'enum', module: 'test', members: [['RED', 0], ['GREEN', 1], ['BLUE', 2], ['NEG', -5]] },
  point: { kind: 'struct', module: 'test', fields: [{ name: 'x', shape: prim('short') }, { name: 'y', shape: prim('float') }] },
  // enum discriminant, a void arm, several cases on one arm, a default arm with a value
  shape_u: {
    kind: 'union',
    module: 'test',
    disc: { name: 'kind', shape: { k: 'enum', name: 'color' } },
    arms: [
      { cases: [0], name: null, shape: { k: 'void' } },
      { cases: [1, -5], name: 'pts', shape: { k: 'farray', n: 2, of: { k: 'struct', name: 'point' } } },
    ],
    default: { name: 'other', shape: { k: 'optional', of: { k: 'optional', of: prim('ushort') } } },
  },
  // int discriminant with a void default arm
  int_u: {
    kind: 'union',
    module: 'test',
    disc: { name: 'tag', shape: prim('int') },
    arms: [
      { cases: [7], name: 'flag', shape: prim('bool') },
      { cases: [-1, 9], name: 'name', shape: { k: 'string', max: 3 } },
    ],
    default: { name: null, shape: { k: 'void' } },
  },
  // unsigned discriminant without a default
  uint_u: {
    kind: 'union',
    module: 'test',
    disc: { name: 'sel', shape: prim('uint') },
    arms: [
      { cases: [0xffffffff], name: 'big', shape: prim('uhyper') },
      { cases: [0], name: 'colors', shape: { k: 'varray', max: 3, of: { k: 'enum', name: 'color' } } },
    ],
    default: null,
  },
  // a self-referencing list through an optional, as in `struct node { int v; node *next; }`
  node: {
    kind: 'struct',
    module: 'test',
    fields: [
      { name: 'v', shape: prim('char') },
      { name: 'next', shape: { k: 'optional', of: { k: 'struct', name: 'node' }, alias: 'node_ptr' } },
    ],
  },
  node_ptr: { kind: 'typedef', module: 'test', shape: { k: 'optional', of: { k: 'struct', name: 'node' } } },
  everything: {
    kind: 'struct',
    module: 'test',
    fields: [
      { name: 'u', shape: { k: 'union', name: 'shape_u' } },
      { name: 'i', shape: { k: 'varray', max: 2, of: { k: 'union', name: 'int_u' } } },
      { name: 'w', shape: { k: 'union', name: 'uint_u' } },
      { name: 'list', shape: { k: 'optional', of: { k: 'struct', name: 'node' }, alias: 'node_ptr' } },
      { name: 'grid', shape: { k: 'farray', n: 2, of: { k: 'farray', n: 2, of: { k: 'enum', name: 'color' } } } },
      { name: 'tags', shape: { k: 'varray', max: 2, of: { k: 'fopaque', n: 5 } } },
    ],
  },
};

/** The composite types named in the issue: structs, unions, char[32], enum arrays, optionals. */
const SAMPLE = [
  'remote_nonnull_domain',
  'remote_typed_param',
  'remote_typed_param_value',
  'remote_connect_list_all_domains_ret',
  'remote_domain_get_info_ret',
  'remote_node_get_info_ret',
  'remote_connect_get_all_domain_stats_ret',
  'remote_domain_event_lifecycle_msg',
  'remote_domain_interface_addresses_ret',
  'remote_error',
  'remote_auth_list_ret',
  'remote_string',
  'remote_domain',
  'remote_auth_type',
  'virNetMessageHeader',
  'virNetMessageError',
];

describe('XDR codecs vs @stellar/js-xdr (differential)', function () {
  this.timeout(120_000);

  describe('primitives through the runtime', () => {
    for (const name of Object.keys(PRIMITIVES)) {
      it(name, () => differential(name, { schema: primSchema, codec: runtimeCodec(primSchema, name) }));
    }

    it('strings around the 32-unit fast paths (Latin-1, so some need 2 bytes each)', () => {
      const codec = runtimeCodec(primSchema, 'string');
      fc.assert(
        fc.property(fc.string({ unit: 'binary-ascii', minLength: 20, maxLength: 50 }), (s) => agree(codec, 'string', s, primSchema)),
        { numRuns: RUNS },
      );
    });

    it('many short ASCII strings, repeated and colliding (the reader shares decoded short strings)', () => {
      const codec = runtimeCodec(primSchema, 'varArrayString');
      const words = fc.array(fc.string({ unit: 'binary-ascii', maxLength: 70 }).map((s) => s.replace(/[\x80-\xff]/g, 'x')), { minLength: 1, maxLength: 64 });
      const big = (seed: number): string[] => Array.from({ length: 6000 }, (_, i) => `n${(i * 7919 + seed) % 5000}`.padEnd(1 + ((i + seed) % 64), '.'));
      fc.assert(fc.property(words, (a) => agree(codec, 'varArrayString', a, primSchema)), { numRuns: RUNS });
      for (const seed of [1, 2, 3]) {
        const a = big(seed);
        const w = new XdrWriter();
        w.length('a', a.length, a.length);
        for (const s of a) w.string('s', s, BIG);
        const r = new XdrReader(w.bytes());
        const n = r.length('a', a.length, 4);
        const back: string[] = [];
        for (let i = 0; i < n; i++) back.push(r.string('s', BIG));
        r.done('a');
        expect(back).to.deep.equal(a);
        expect(decodeWithJsXdr('varArrayString', oursEncode(codec, a.slice(0, 64)), primSchema)).to.deep.equal(a.slice(0, 64));
      }
    });

    it('long UTF-8 strings', () => {
      const codec = runtimeCodec(primSchema, 'string');
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => agree(codec, 'string', s, primSchema)), { numRuns: RUNS });
    });

    it('edge values', () => {
      const cases: [string, unknown][] = [
        ['int', -0x80000000],
        ['int', 0x7fffffff],
        ['uint', 0xffffffff],
        ['hyper', -(1n << 63n)],
        ['hyper', (1n << 63n) - 1n],
        ['uhyper', (1n << 64n) - 1n],
        ['double', -0],
        ['double', Number.NaN],
        ['double', Number.NEGATIVE_INFINITY],
        ['double', Number.MIN_VALUE],
        ['float', -0],
        ['float', Number.NaN],
        ['char', -128],
        ['uchar', 255],
        ['short', -32768],
        ['ushort', 65535],
        ['string', ''],
        ['string', '\u{10FFFF}é€😀'],
        ['string', 'a'.repeat(32)],
        ['string', 'a'.repeat(33)],
        ['string', 'a'.repeat(31) + 'é'],
        ['string', 'é'.repeat(16) + 'a'],
        ['string7', 'aaa😀'],
        ['string7', 'ééé'],
        ['varOpaque', new Uint8Array(0)],
        ['varOpaque5', new Uint8Array([1, 2, 3, 4, 5])],
        ['optionalString', ''],
        ['optionalString', null],
      ];
      for (const [name, v] of cases) agree(runtimeCodec(primSchema, name), name, v, primSchema);
    });
  });

  describe('generated remote types (sample)', () => {
    for (const name of SAMPLE) {
      it(name, () => differential(name));
    }
  });

  describe('damaged input (sample)', () => {
    /** A valid encoding with one byte changed, cut short or extended. */
    const damaged = (name: string): fc.Arbitrary<Buffer> =>
      fc
        .tuple(arbitraryFor(name), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'extend'))
        .map(([v, at, byte, how]) => {
          const b = oursEncode(generatedCodec(name), v);
          if (how === 'extend') return Buffer.concat([b, Buffer.alloc(4)]);
          if (b.length === 0) return b;
          if (how === 'cut') return b.subarray(0, at % b.length);
          const c = Buffer.from(b);
          c[at % c.length] = byte;
          return c;
        });
    const attempt = (f: () => unknown): { ok: true; v: unknown } | { ok: false; e: Error } => {
      try {
        return { ok: true, v: f() };
      } catch (e) {
        return { ok: false, e: e as Error };
      }
    };
    for (const name of SAMPLE) {
      it(`${name}: both accept (with the same value) or both reject`, () => {
        const codec = generatedCodec(name);
        fc.assert(
          fc.property(damaged(name), (bytes) => {
            const ours = attempt(() => oursDecode(codec, bytes));
            const theirs = attempt(() => decodeWithJsXdr(name, bytes));
            if (ours.ok && theirs.ok) {
              expect(ours.v).to.deep.equal(theirs.v);
            } else if (!ours.ok && theirs.ok) {
              // The one check js-xdr lacks: char and short must fit their C type.
              expect(ours.e.message).to.match(/out of range -?\d+\.\.\d+/);
            } else {
              expect(ours.ok, `we accept bytes js-xdr rejects (${theirs.ok ? '' : theirs.e.message}): ${bytes.toString('hex')}`).to.equal(false);
              expect((ours as { e: Error }).e.name).to.equal('XdrError');
            }
          }),
          { numRuns: RUNS },
        );
      });
    }
  });

  describe('every generated type', () => {
    it('agrees on a few random values of each of the schema types', () => {
      const runs = Math.max(3, Math.round(RUNS / 20));
      for (const name of Object.keys(schema)) differential(name, { runs });
    });
  });

  describe('test support on shapes libvirt does not use', () => {
    for (const name of ['color', 'point', 'shape_u', 'int_u', 'uint_u', 'node', 'node_ptr', 'everything']) {
      it(name, () => differential(name, { schema: SHAPES, codec: runtimeCodec(SHAPES, name), arb: { maxDepth: 4 } }));
    }

    it('reaches every arm, the default arm and the recursion cut-off', () => {
      const seen = new Set<string>();
      let deepest = 0;
      const depth = (n: unknown): number => (n === null ? 0 : 1 + depth((n as { next: unknown }).next));
      fc.assert(
        fc.property(arbitraryFor<Record<string, unknown>>('everything', { schema: SHAPES, maxDepth: 2 }), (v) => {
          const u = v.u as { kind: number };
          seen.add(`shape_u:${u.kind}`);
          for (const x of v.i as { tag: number }[]) seen.add(`int_u:${[7, -1, 9].includes(x.tag) ? x.tag : 'default'}`);
          seen.add(`uint_u:${(v.w as { sel: number }).sel}`);
          deepest = Math.max(deepest, depth(v.list));
        }),
        { numRuns: 2000 },
      );
      expect([...seen].sort()).to.deep.equal(
        ['int_u:-1', 'int_u:7', 'int_u:9', 'int_u:default', 'shape_u:-5', 'shape_u:0', 'shape_u:1', 'shape_u:2', 'uint_u:0', 'uint_u:4294967295'].sort(),
      );
      expect(deepest).to.be.within(2, 4);
    });

    it('respects byte bounds of strings and sizes of arrays', () => {
      fc.assert(
        fc.property(arbitraryFor<string>('string7', { schema: primSchema, maxStringLength: 40 }), (s) => {
          expect(Buffer.byteLength(s, 'utf8')).to.be.at.most(7);
        }),
      );
      fc.assert(
        fc.property(arbitraryFor<unknown[]>('varArrayHyper2', { schema: primSchema, maxItems: 10 }), (a) => {
          expect(a.length).to.be.at.most(2);
        }),
      );
      fc.assert(fc.property(arbitraryFor<unknown[]>('fixedArrayUhyper3', { schema: primSchema }), (a) => {
        expect(a).to.have.length(3);
      }));
    });
  });
});
