import { type Model, type NamedDef, type Shape, tsTypeOf } from './model.js';
import type { Declaration } from './parser.js';

const W = (where: string): string => JSON.stringify(where);

const PRIM_READ: Record<string, string> = {
  int: 'r.int(%W)',
  uint: 'r.uint(%W)',
  hyper: 'r.hyper(%W)',
  uhyper: 'r.uhyper(%W)',
  float: 'r.float(%W)',
  double: 'r.double(%W)',
  bool: 'r.bool(%W)',
  char: 'r.ranged(%W, -128, 127)',
  uchar: 'r.ranged(%W, 0, 255)',
  short: 'r.ranged(%W, -32768, 32767)',
  ushort: 'r.ranged(%W, 0, 65535)',
};
const PRIM_WRITE: Record<string, string> = {
  int: 'w.int(%W, %V);',
  uint: 'w.uint(%W, %V);',
  hyper: 'w.hyper(%W, %V);',
  uhyper: 'w.uhyper(%W, %V);',
  float: 'w.float(%W, %V);',
  double: 'w.double(%W, %V);',
  bool: 'w.bool(%W, %V);',
  char: 'w.ranged(%W, %V, -128, 127);',
  uchar: 'w.ranged(%W, %V, 0, 255);',
  short: 'w.ranged(%W, %V, -32768, 32767);',
  ushort: 'w.ranged(%W, %V, 0, 65535);',
};

/** Turns a C comment into JSDoc lines (empty when there is nothing worth keeping). */
export function jsdoc(comment: string, indent = ''): string[] {
  const blocks = comment.split(/\*\/\s*\n?/).map((b) => b.replace(/^\s*\/\*+/, '')).filter((b) => b.trim() !== '');
  const last = blocks.at(-1);
  if (!last || /@(generate|acl|priority)/.test(last)) return [];
  const lines = last
    .split('\n')
    .map((l) => l.replace(/^\s*\*\s?/, '').trimEnd())
    .filter((l, i, a) => !(l === '' && (i === 0 || i === a.length - 1)));
  if (lines.length === 0) return [];
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  if (safe.length === 1) return [`${indent}/** ${safe[0]!.trim()} */`];
  return [`${indent}/**`, ...safe.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

/** Emits the TypeScript types and straight-line encode/decode functions of one .x module. */
export class CodecEmitter {
  private readonly imports = new Map<string, Set<string>>();
  private tmp = 0;

  constructor(
    private readonly model: Model,
    readonly module: string,
  ) {}

  /** A name defined in another module gets imported. */
  use(name: string, module: string): string {
    if (module !== this.module) {
      let set = this.imports.get(module);
      if (!set) this.imports.set(module, (set = new Set()));
      set.add(name);
    }
    return name;
  }

  private useType(name: string): string {
    return this.use(name, this.model.types.get(name)!.module);
  }

  importLines(): string[] {
    return [...this.imports.keys()].sort().map((m) => `import { ${[...this.imports.get(m)!].sort().join(', ')} } from './${m}.js';`);
  }

  tsType(s: Shape): string {
    return tsTypeOf(s, (name) => this.useType(name));
  }


  private t(): string {
    return `t${++this.tmp}`;
  }

  private readonly sliceableMemo = new Map<string, boolean>();

  /**
   * A struct, union or typedef that holds an array somewhere inside: its values can be large
   * enough to block the event loop while they decode, so it also gets a sliced decoder
   * (`decs_<name>`, a generator that yields between batches of array elements).
   */
  sliceable(name: string): boolean {
    const known = this.sliceableMemo.get(name);
    if (known !== undefined) return known;
    this.sliceableMemo.set(name, false); // a type that contains itself (through an optional) does not count twice
    const def = this.model.types.get(name)!;
    let shapes: Shape[] = [];
    if (def.kind === 'typedef') shapes = [this.model.shape(def.decl, def.module)];
    if (def.kind === 'struct') shapes = def.body.fields.map((f) => this.model.shape(f, def.module));
    if (def.kind === 'union') shapes = [...def.body.arms.map((a) => a.decl), ...(def.body.default ? [def.body.default] : [])].map((d) => this.model.shape(d, def.module));
    const result = shapes.some((s) => this.holdsArray(s));
    this.sliceableMemo.set(name, result);
    return result;
  }

  private holdsArray(s: Shape): boolean {
    switch (s.k) {
      case 'varray':
      case 'farray':
        return true;
      case 'optional':
        return this.holdsArray(s.of);
      case 'struct':
      case 'union':
        return this.sliceable(s.name);
      default:
        return false;
    }
  }

  /**
   * Decoding of one value: statements to run first, then the expression that yields it. `sliced`:
   * inside a sliced decoder (a generator), where arrays yield every 256 elements and types that
   * hold arrays are decoded by their own sliced decoders.
   */
  dec(s: Shape, where: string, ind: string, sliced = false): { stmts: string[]; expr: string } {
    switch (s.k) {
      case 'prim':
        return { stmts: [], expr: PRIM_READ[s.prim]!.replace('%W', W(where)) };
      case 'string':
        return { stmts: [], expr: `r.string(${W(where)}, ${s.max})` };
      case 'fopaque':
        return { stmts: [], expr: `r.fixedOpaque(${W(where)}, ${s.n})` };
      case 'vopaque':
        return { stmts: [], expr: `r.varOpaque(${W(where)}, ${s.max})` };
      case 'enum': {
        const name = this.useType(s.name);
        return { stmts: [], expr: `r.enumValue(${W(where)}, ${this.use(`${s.name}_values`, this.model.types.get(s.name)!.module)}) as ${name}` };
      }
      case 'struct':
      case 'union':
        if (sliced && this.sliceable(s.name)) return { stmts: [], expr: `(yield* ${this.use(`decs_${s.name}`, this.model.types.get(s.name)!.module)}(r))` };
        return { stmts: [], expr: `${this.use(`dec_${s.name}`, this.model.types.get(s.name)!.module)}(r)` };
      case 'void':
        return { stmts: [], expr: 'undefined' };
      case 'optional': {
        const v = this.t();
        const inner = this.dec(s.of, where, ind + '  ', sliced);
        return {
          stmts: [`${ind}let ${v}: ${this.tsType(s)} = null;`, `${ind}if (r.bool(${W(where)})) {`, ...inner.stmts, `${ind}  ${v} = ${inner.expr};`, `${ind}}`],
          expr: v,
        };
      }
      case 'varray':
      case 'farray': {
        const n = this.t();
        const a = this.t();
        const i = this.t();
        const inner = this.dec(s.of, `${where}[]`, ind + '  ', sliced);
        const len = s.k === 'varray' ? `r.length(${W(where)}, ${s.max}, ${Math.max(1, this.model.minSize(s.of))})` : `${s.n}`;
        return {
          stmts: [
            `${ind}const ${n} = ${len};`,
            `${ind}const ${a}: ${this.tsType({ ...s, alias: undefined })} = [];`,
            `${ind}for (let ${i} = 0; ${i} < ${n}; ${i}++) {`,
            ...inner.stmts,
            `${ind}  ${a}.push(${inner.expr});`,
            ...(sliced ? [`${ind}  if ((${i} & 255) === 255) yield;`] : []),
            `${ind}}`,
          ],
          expr: a,
        };
      }
    }
  }

  /** Encoding of the value held by the expression `v`. */
  enc(s: Shape, v: string, where: string, ind: string): string[] {
    switch (s.k) {
      case 'prim':
        return [ind + PRIM_WRITE[s.prim]!.replace('%W', W(where)).replace('%V', v)];
      case 'string':
        return [`${ind}w.string(${W(where)}, ${v}, ${s.max});`];
      case 'fopaque':
        return [`${ind}w.fixedOpaque(${W(where)}, ${v}, ${s.n});`];
      case 'vopaque':
        return [`${ind}w.varOpaque(${W(where)}, ${v}, ${s.max});`];
      case 'enum':
        return [`${ind}w.enumValue(${W(where)}, ${v}, ${this.use(`${s.name}_values`, this.model.types.get(s.name)!.module)});`];
      case 'struct':
      case 'union':
        return [`${ind}${this.use(`enc_${s.name}`, this.model.types.get(s.name)!.module)}(w, ${v});`];
      case 'void':
        return [];
      case 'optional': {
        const o = this.t();
        return [
          `${ind}const ${o} = ${v};`,
          `${ind}if (${o} === null || ${o} === undefined) {`,
          `${ind}  w.bool(${W(where)}, false);`,
          `${ind}} else {`,
          `${ind}  w.bool(${W(where)}, true);`,
          ...this.enc(s.of, o, where, ind + '  '),
          `${ind}}`,
        ];
      }
      case 'varray':
      case 'farray': {
        const a = this.t();
        const i = this.t();
        return [
          `${ind}const ${a} = ${v};`,
          s.k === 'varray' ? `${ind}w.array(${W(where)}, ${a});` : `${ind}w.array(${W(where)}, ${a}, ${s.n});`,
          ...(s.k === 'varray' ? [`${ind}w.length(${W(where)}, ${a}.length, ${s.max});`] : []),
          `${ind}for (let ${i} = 0; ${i} < ${a}.length; ${i}++) {`,
          ...this.enc(s.of, `${a}[${i}]!`, `${where}[]`, ind + '  '),
          `${ind}}`,
        ];
      }
    }
  }

  private shape(d: Declaration): Shape {
    return this.model.shape(d, this.module);
  }

  /** The decoders a type gets: the plain one, and a sliced one if it holds arrays. */
  private decoderKinds(name: string): boolean[] {
    return this.sliceable(name) ? [false, true] : [false];
  }

  private decHead(name: string, sliced: boolean): string {
    return sliced ? `export function* decs_${name}(r: XdrReader): Generator<void, ${name}, void> {` : `export function dec_${name}(r: XdrReader): ${name} {`;
  }

  /** Type, codec functions and codec object of one named type. */
  emitType(def: NamedDef): string[] {
    this.tmp = 0;
    const out: string[] = [...jsdoc(def.comment)];
    const n = def.name;
    const obj = `  if (typeof v !== 'object' || v === null) w.fail(${W(n)}, 'expected an object, got ' + (v === null ? 'null' : typeof v));`;
    switch (def.kind) {
      case 'enum': {
        const members = this.model.enumMembers(def.body, def.module);
        const values = [...new Set(members.map((m) => m.value))];
        out.push(`export type ${n} = ${values.join(' | ')};`);
        out.push(`export const ${n}_values: ReadonlySet<number> = new Set([${values.join(', ')}]);`);
        for (const m of members) out.push(...jsdoc(m.comment), `export const ${m.name} = ${m.value};`);
        out.push(`export function enc_${n}(w: XdrWriter, v: ${n}): void {`, `  w.enumValue(${W(n)}, v, ${n}_values);`, '}');
        out.push(`export function dec_${n}(r: XdrReader): ${n} {`, `  return r.enumValue(${W(n)}, ${n}_values) as ${n};`, '}');
        break;
      }
      case 'typedef': {
        const s = { ...this.shape(def.decl), alias: undefined };
        out.push(`export type ${n} = ${this.tsType(s)};`);
        out.push(`export function enc_${n}(w: XdrWriter, v: ${n}): void {`, ...this.enc(s, 'v', n, '  '), '}');
        for (const sliced of this.decoderKinds(n)) {
          const d = this.dec(s, n, '  ', sliced);
          out.push(this.decHead(n, sliced), ...d.stmts, `  return ${d.expr};`, '}');
        }
        break;
      }
      case 'struct': {
        const fields = def.body.fields.map((f) => ({ f, s: this.shape(f) }));
        out.push(`export interface ${n} {`);
        for (const { f, s } of fields) out.push(`  ${f.name}: ${this.tsType(s)};`);
        out.push('}');
        out.push(`export function enc_${n}(w: XdrWriter, v: ${n}): void {`, obj);
        for (const { f, s } of fields) out.push(...this.enc(s, `v.${f.name}`, `${n}.${f.name}`, '  '));
        out.push('}');
        for (const sliced of this.decoderKinds(n)) {
          const decs = fields.map(({ f, s }) => ({ f, d: this.dec(s, `${n}.${f.name}`, '  ', sliced) }));
          out.push(this.decHead(n, sliced));
          if (decs.every((x) => x.d.stmts.length === 0)) {
            out.push('  return {', ...decs.map((x) => `    ${x.f.name}: ${x.d.expr},`), '  };');
          } else {
            for (const x of decs) {
              out.push(...x.d.stmts);
              out.push(`  const f_${x.f.name} = ${x.d.expr};`);
            }
            out.push('  return {', ...decs.map((x) => `    ${x.f.name}: f_${x.f.name},`), '  };');
          }
          out.push('}');
        }
        break;
      }
      case 'union': {
        const b = def.body;
        const disc = b.discriminant;
        const discShape = this.shape(disc);
        const arms = b.arms.map((a) => ({ values: a.cases.map((c) => this.model.value(c, def.module)), decl: a.decl, s: this.shape(a.decl) }));
        const armType = (values: string, decl: Declaration, s: Shape): string =>
          decl.type.kind === 'void' ? `{ ${disc.name}: ${values} }` : `{ ${disc.name}: ${values}; ${decl.name}: ${this.tsType(s)} }`;
        const variants = arms.map((a) => armType(a.values.join(' | '), a.decl, a.s));
        if (b.default) variants.push(armType(this.tsType(discShape), b.default, this.shape(b.default)));
        out.push(`export type ${n} =`, ...variants.map((v, i) => `  | ${v}${i === variants.length - 1 ? ';' : ''}`));
        // encode
        out.push(`export function enc_${n}(w: XdrWriter, v: ${n}): void {`, obj, `  const d = v.${disc.name};`, '  switch (d) {');
        const encArm = (values: number[] | null, decl: Declaration, s: Shape): void => {
          out.push(values ? values.map((x) => `    case ${x}:`).join('\n') + ' {' : '    default: {');
          out.push(...this.enc(discShape, 'd', `${n}.${disc.name}`, '      '));
          if (decl.type.kind !== 'void') out.push(...this.enc(s, `(v as { ${decl.name}: ${this.tsType(s)} }).${decl.name}`, `${n}.${decl.name}`, '      '));
          out.push('      return;', '    }');
        };
        for (const a of arms) encArm(a.values, a.decl, a.s);
        if (b.default) encArm(null, b.default, this.shape(b.default));
        else out.push('    default:', `      w.fail(${W(`${n}.${disc.name}`)}, 'unknown discriminant ' + String(d));`);
        out.push('  }', '}');
        // decode
        for (const sliced of this.decoderKinds(n)) {
          const dd = this.dec(discShape, `${n}.${disc.name}`, '  ');
          out.push(this.decHead(n, sliced), ...dd.stmts, `  const d = ${dd.expr};`, '  switch (d) {');
          const decArm = (values: number[] | null, decl: Declaration, s: Shape): void => {
            out.push(values ? values.map((x) => `    case ${x}:`).join('\n') + ' {' : '    default: {');
            const lit = values ? `d as ${values.join(' | ')}` : 'd';
            if (decl.type.kind === 'void') {
              out.push(`      return { ${disc.name}: ${lit} };`);
            } else {
              const x = this.dec(s, `${n}.${decl.name}`, '      ', sliced);
              out.push(...x.stmts, `      return { ${disc.name}: ${lit}, ${decl.name}: ${x.expr} };`);
            }
            out.push('    }');
          };
          for (const a of arms) decArm(a.values, a.decl, a.s);
          if (b.default) decArm(null, b.default, this.shape(b.default));
          else out.push('    default:', `      return r.fail(${W(`${n}.${disc.name}`)}, 'unknown discriminant ' + String(d));`);
          out.push('  }', '}');
        }
        break;
      }
    }
    const sliced = def.kind !== 'enum' && this.sliceable(n) ? `, decodeSliced: decs_${n}` : '';
    out.push(`export const ${n}: Codec<${n}> = { name: ${W(n)}, encode: enc_${n}, decode: dec_${n}${sliced} };`);
    return out;
  }
}

/** One line per type: the JSON description tests use (src/protocol/schema.ts). */
export function emitSchema(model: Model, modules: string[]): string[] {
  const out: string[] = [];
  const decl = (d: Declaration, module: string): { name: string | null; shape: Shape } => ({ name: d.type.kind === 'void' ? null : d.name, shape: model.shape(d, module) });
  for (const module of modules) {
    for (const def of model.order.get(module)!) {
      let entry: unknown;
      switch (def.kind) {
        case 'enum':
          entry = { kind: 'enum', module, members: model.enumMembers(def.body, module).map((m) => [m.name, m.value]) };
          break;
        case 'typedef':
          entry = { kind: 'typedef', module, shape: model.shape(def.decl, module) };
          break;
        case 'struct':
          entry = { kind: 'struct', module, fields: def.body.fields.map((f) => ({ name: f.name, shape: model.shape(f, module) })) };
          break;
        case 'union':
          entry = {
            kind: 'union',
            module,
            disc: { name: def.body.discriminant.name, shape: model.shape(def.body.discriminant, module) },
            arms: def.body.arms.map((a) => ({ cases: a.cases.map((c) => model.value(c, module)), ...decl(a.decl, module) })),
            default: def.body.default ? decl(def.body.default, module) : null,
          };
          break;
      }
      out.push(`  ${def.name}: ${JSON.stringify(entry)},`);
    }
  }
  return out;
}
