import { XdrSyntaxError } from './lexer.js';
import type { ApiXml } from './apixml.js';
import { evalMacro } from './apixml.js';
import type { BaseType, Declaration, Definition, EnumBody, StructBody, TypeSpec, UnionBody, Value } from './parser.js';

/** How a value travels on the wire, with typedefs already resolved (the generator inlines them). */
export type Shape = (
  | { k: 'prim'; prim: BaseType }
  | { k: 'string'; max: number }
  | { k: 'fopaque'; n: number }
  | { k: 'vopaque'; max: number }
  | { k: 'farray'; n: number; of: Shape }
  | { k: 'varray'; max: number; of: Shape }
  | { k: 'optional'; of: Shape }
  | { k: 'struct' | 'union' | 'enum'; name: string }
  | { k: 'void' }
) & { alias?: string };

/**
 * The TypeScript type of a wire shape (DESIGN's mapping: hyper -> bigint, opaque -> Uint8Array,
 * `T *` -> T | null, ...). `named` is called for every named type it refers to, and returns how to
 * write it (so an emitter can record its imports). quadruple has no JavaScript representation.
 */
export function tsTypeOf(s: Shape, named: (name: string) => string): string {
  if (s.alias) return named(s.alias);
  switch (s.k) {
    case 'prim':
      if (s.prim === 'hyper' || s.prim === 'uhyper') return 'bigint';
      if (s.prim === 'bool') return 'boolean';
      if (s.prim === 'quadruple') throw new Error('quadruple has no JavaScript representation');
      return 'number';
    case 'string':
      return 'string';
    case 'fopaque':
    case 'vopaque':
      return 'Uint8Array';
    case 'farray':
    case 'varray': {
      const t = tsTypeOf(s.of, named);
      return /[|&]/.test(t) ? `(${t})[]` : `${t}[]`;
    }
    case 'optional':
      return `${tsTypeOf(s.of, named)} | null`;
    case 'void':
      return 'void';
    default:
      return named(s.name);
  }
}

export const UNBOUNDED = 0xffffffff;

export type NamedDef =
  | { kind: 'typedef'; name: string; module: string; decl: Declaration; comment: string }
  | { kind: 'enum'; name: string; module: string; body: EnumBody; comment: string }
  | { kind: 'struct'; name: string; module: string; body: StructBody; comment: string }
  | { kind: 'union'; name: string; module: string; body: UnionBody; comment: string };

export interface ConstDef {
  name: string;
  module: string;
  value: number;
  comment: string;
}

export interface SourceFile {
  module: string;
  file: string;
  defs: Definition[];
}

/** Every type and constant of every .x file, resolvable across files (qemu_protocol.x uses remote types). */
export class Model {
  readonly types = new Map<string, NamedDef>();
  /** Types in declaration order, per module (inline nested types are added after their parent). */
  readonly order = new Map<string, NamedDef[]>();
  readonly consts = new Map<string, ConstDef>();
  readonly constOrder = new Map<string, ConstDef[]>();
  /** Constants the .x files use that come from libvirt's C headers, resolved through the API XML. */
  readonly external = new Map<string, number>();
  private readonly apiValues = new Map<string, number>();
  private readonly fileOf = new Map<string, string>();
  private readonly moduleFile = new Map<string, string>();
  private readonly pending = new Map<string, { v: Value; module: string; file: string; comment: string }>();

  constructor(files: SourceFile[], apis: ApiXml[]) {
    for (const api of apis) {
      for (const e of api.enums) this.apiValues.set(e.name, e.value);
      for (const m of api.macros) {
        const v = m.raw === undefined ? undefined : evalMacro(m.raw);
        if (v !== undefined) this.apiValues.set(m.name, v);
      }
    }
    for (const f of files) {
      this.moduleFile.set(f.module, f.file);
      this.order.set(f.module, []);
      this.constOrder.set(f.module, []);
      for (const d of f.defs) this.fileOf.set(d.name, f.file);
    }
    // Constants first (enum members are constants too), so sizes can refer to later definitions.
    for (const f of files) {
      for (const d of f.defs) {
        if (d.kind === 'const') this.addPending(d.name, d.value, f, d.comment, d.tok);
        if (d.kind === 'enum') for (const m of d.body.members) this.addPending(m.name, m.value, f, '', m.tok);
      }
    }
    for (const f of files) {
      for (const d of f.defs) {
        if (d.kind === 'const') this.constant(d.name, f.file, d.tok.line, d.tok.col);
      }
    }
    for (const f of files) {
      for (const d of f.defs) {
        if (d.kind === 'const') continue;
        if (this.types.has(d.name)) throw new XdrSyntaxError(f.file, d.tok.line, d.tok.col, `type '${d.name}' is defined twice`);
        const named = d.kind === 'typedef' ? this.typedef(d.name, f.module, d.decl, d.comment) : ({ kind: d.kind, name: d.name, module: f.module, body: d.body, comment: d.comment } as NamedDef);
        this.add(named);
      }
    }
  }

  private addPending(name: string, v: Value, f: SourceFile, comment: string, tok: { line: number; col: number }): void {
    if (this.pending.has(name)) throw new XdrSyntaxError(f.file, tok.line, tok.col, `constant '${name}' is defined twice`);
    this.pending.set(name, { v, module: f.module, file: f.file, comment });
  }

  private add(d: NamedDef): void {
    this.types.set(d.name, d);
    this.order.get(d.module)!.push(d);
    // Inline enums/structs/unions inside a definition become named types of their own.
    const visit = (decl: Declaration, owner: string): void => {
      const t = decl.type;
      if (t.kind === 'enum' || t.kind === 'struct' || t.kind === 'union') {
        const name = `${owner}_${decl.name}`;
        const nested = { kind: t.kind, name, module: d.module, body: t.body, comment: '' } as NamedDef;
        decl.type = { kind: 'ref', name, tok: decl.tok };
        this.add(nested);
      }
    };
    if (d.kind === 'struct') for (const f of d.body.fields) visit(f, d.name);
    if (d.kind === 'union') {
      visit(d.body.discriminant, d.name);
      for (const a of d.body.arms) visit(a.decl, d.name);
      if (d.body.default) visit(d.body.default, d.name);
    }
  }

  /** `typedef struct {...} name;` and friends name the inline type directly. */
  private typedef(name: string, module: string, decl: Declaration, comment: string): NamedDef {
    const t = decl.type;
    if ((t.kind === 'enum' || t.kind === 'struct' || t.kind === 'union') && decl.form === 'plain') {
      return { kind: t.kind, name, module, body: t.body, comment } as NamedDef;
    }
    return { kind: 'typedef', name, module, decl, comment };
  }

  /** Value of a named constant: .x const, .x enum member, or a C header constant from the API XML. */
  constant(name: string, file: string, line: number, col: number): number {
    const done = this.consts.get(name);
    if (done) return done.value;
    const ext = this.external.get(name);
    if (ext !== undefined) return ext;
    const p = this.pending.get(name);
    if (p) {
      this.pending.delete(name);
      const value = p.v.kind === 'num' ? p.v.value : this.constant(p.v.name, p.file, p.v.tok.line, p.v.tok.col);
      const c = { name, module: p.module, value, comment: p.comment };
      this.consts.set(name, c);
      this.constOrder.get(p.module)!.push(c);
      return value;
    }
    const api = this.apiValues.get(name);
    if (api !== undefined) {
      this.external.set(name, api);
      return api;
    }
    throw new XdrSyntaxError(file, line, col, `unknown constant '${name}' (not in the .x files nor the API XML)`);
  }

  value(v: Value, module: string): number {
    if (v.kind === 'num') return v.value;
    return this.constant(v.name, this.fileFor(module), v.tok.line, v.tok.col);
  }

  fileFor(module: string): string {
    return this.moduleFile.get(module) ?? module;
  }

  /** All enum members of an enum type, resolved. */
  enumMembers(body: EnumBody, module: string): { name: string; value: number; comment: string }[] {
    return body.members.map((m) => ({ name: m.name, value: this.value(m.value, module), comment: m.comment }));
  }

  shape(decl: Declaration, module: string): Shape {
    const base = this.typeShape(decl.type, module, decl);
    const bound = (): number => (decl.size === undefined ? UNBOUNDED : this.value(decl.size, module));
    switch (decl.form) {
      case 'plain':
        return base;
      case 'optional':
        return { k: 'optional', of: base };
      case 'fixed':
        if (decl.type.kind === 'opaque') return { k: 'fopaque', n: bound() };
        if (decl.type.kind === 'string') throw this.err(decl, 'a string cannot be a fixed array');
        return { k: 'farray', n: bound(), of: base };
      case 'var':
        if (decl.type.kind === 'opaque') return { k: 'vopaque', max: bound() };
        if (decl.type.kind === 'string') return { k: 'string', max: bound() };
        return { k: 'varray', max: bound(), of: base };
    }
  }

  private typeShape(t: TypeSpec, module: string, decl: Declaration): Shape {
    switch (t.kind) {
      case 'base':
        return { k: 'prim', prim: t.base };
      case 'void':
        return { k: 'void' };
      case 'string':
      case 'opaque':
        return { k: 'void' }; // replaced by the declaration's form in shape()
      case 'ref': {
        const def = this.types.get(t.name);
        if (!def) throw new XdrSyntaxError(this.fileOf.get(decl.name) ?? this.fileFor(module), t.tok.line, t.tok.col, `unknown type '${t.name}'`);
        if (def.kind === 'typedef') return { ...this.shape(def.decl, def.module), alias: def.name };
        return { k: def.kind, name: def.name };
      }
      default:
        throw this.err(decl, 'inline type was not hoisted');
    }
  }

  private err(decl: Declaration, msg: string): Error {
    return new XdrSyntaxError('(model)', decl.tok.line, decl.tok.col, `${decl.name}: ${msg}`);
  }

  /** Smallest number of bytes a value of this shape takes on the wire (bounds array allocations on decode). */
  minSize(s: Shape, seen = new Set<string>()): number {
    switch (s.k) {
      case 'prim':
        return s.prim === 'hyper' || s.prim === 'uhyper' || s.prim === 'double' ? 8 : s.prim === 'quadruple' ? 16 : 4;
      case 'string':
      case 'vopaque':
      case 'varray':
      case 'optional':
      case 'enum':
        return 4;
      case 'fopaque':
        return (s.n + 3) & ~3;
      case 'farray':
        return s.n * this.minSize(s.of, seen);
      case 'void':
        return 0;
      case 'struct':
      case 'union': {
        if (seen.has(s.name)) return 4;
        seen.add(s.name);
        const d = this.types.get(s.name)!;
        let n = 0;
        if (d.kind === 'struct') for (const f of d.body.fields) n += this.minSize(this.shape(f, d.module), seen);
        if (d.kind === 'union') {
          const arms = d.body.arms.map((a) => a.decl);
          if (d.body.default) arms.push(d.body.default);
          n = 4 + Math.min(...arms.map((a) => this.minSize(this.shape(a, d.module), seen)));
        }
        seen.delete(s.name);
        return n;
      }
    }
  }
}
