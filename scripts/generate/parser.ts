import { type Token, XdrSyntaxError, parseNumber, tokenize } from './lexer.js';

export type Value = { kind: 'num'; value: number } | { kind: 'name'; name: string; tok: Token };

export type BaseType =
  | 'int' | 'uint' | 'hyper' | 'uhyper' | 'float' | 'double' | 'quadruple' | 'bool'
  | 'char' | 'uchar' | 'short' | 'ushort';

export type TypeSpec =
  | { kind: 'base'; base: BaseType }
  | { kind: 'string' }
  | { kind: 'opaque' }
  | { kind: 'void' }
  | { kind: 'ref'; name: string; tok: Token }
  | { kind: 'enum'; body: EnumBody }
  | { kind: 'struct'; body: StructBody }
  | { kind: 'union'; body: UnionBody };

export interface Declaration {
  name: string;
  type: TypeSpec;
  /** plain `T x`, fixed `T x[n]`, var `T x<n>` (size undefined: unbounded), optional `T *x` */
  form: 'plain' | 'fixed' | 'var' | 'optional';
  size?: Value;
  tok: Token;
}

export interface EnumMember {
  name: string;
  value: Value;
  comment: string;
  tok: Token;
}
export interface EnumBody {
  members: EnumMember[];
}
export interface StructBody {
  fields: Declaration[];
}
export interface UnionArm {
  cases: Value[];
  decl: Declaration;
}
export interface UnionBody {
  discriminant: Declaration;
  arms: UnionArm[];
  default?: Declaration;
}

export type Definition =
  | { kind: 'const'; name: string; value: Value; tok: Token; comment: string }
  | { kind: 'typedef'; name: string; decl: Declaration; tok: Token; comment: string }
  | { kind: 'enum'; name: string; body: EnumBody; tok: Token; comment: string }
  | { kind: 'struct'; name: string; body: StructBody; tok: Token; comment: string }
  | { kind: 'union'; name: string; body: UnionBody; tok: Token; comment: string };

/** Parses one .x file into its definitions; errors carry file, line and column. */
export function parseXdr(file: string, src: string): Definition[] {
  const toks = tokenize(file, src);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const next = (): Token => toks[p++]!;
  const fail = (tok: Token, msg: string): never => {
    throw new XdrSyntaxError(file, tok.line, tok.col, msg);
  };
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of file' : `'${t.text}'`);
  const expect = (text: string): Token => {
    const t = next();
    if (t.text !== text || (t.kind !== 'punct' && t.kind !== 'ident')) fail(t, `expected '${text}', found ${describe(t)}`);
    return t;
  };
  const accept = (text: string): boolean => {
    if (peek().text === text && peek().kind !== 'eof') {
      p++;
      return true;
    }
    return false;
  };
  const ident = (): Token => {
    const t = next();
    if (t.kind !== 'ident') fail(t, `expected an identifier, found ${describe(t)}`);
    return t;
  };
  const value = (): Value => {
    const t = next();
    if (t.kind === 'number') return { kind: 'num', value: parseNumber(t.text) };
    if (t.kind === 'ident') return { kind: 'name', name: t.text, tok: t };
    return fail(t, `expected a constant or number, found ${describe(t)}`);
  };

  const enumBody = (): EnumBody => {
    expect('{');
    const members: EnumMember[] = [];
    do {
      const t = ident();
      expect('=');
      members.push({ name: t.text, value: value(), comment: t.comment, tok: t });
    } while (accept(','));
    expect('}');
    return { members };
  };

  const structBody = (): StructBody => {
    expect('{');
    const fields: Declaration[] = [];
    while (peek().text !== '}') {
      fields.push(declaration());
      expect(';');
    }
    expect('}');
    if (fields.length === 0) fail(peek(), 'a struct needs at least one member');
    return { fields };
  };

  const unionBody = (): UnionBody => {
    expect('switch');
    expect('(');
    const discriminant = declaration();
    expect(')');
    expect('{');
    const arms: UnionArm[] = [];
    let def: Declaration | undefined;
    while (peek().text !== '}') {
      if (accept('default')) {
        expect(':');
        def = declaration();
        expect(';');
        continue;
      }
      const cases: Value[] = [];
      const first = peek();
      while (accept('case')) {
        cases.push(value());
        expect(':');
      }
      if (cases.length === 0) fail(first, `expected 'case' or 'default', found ${describe(first)}`);
      arms.push({ cases, decl: declaration() });
      expect(';');
    }
    expect('}');
    return { discriminant, arms, default: def };
  };

  const typeSpec = (): TypeSpec => {
    const t = next();
    if (t.kind !== 'ident') fail(t, `expected a type, found ${describe(t)}`);
    switch (t.text) {
      case 'unsigned': {
        const n = peek().text;
        if (n === 'int' || n === 'hyper' || n === 'char' || n === 'short') {
          p++;
          return { kind: 'base', base: n === 'int' ? 'uint' : n === 'hyper' ? 'uhyper' : n === 'char' ? 'uchar' : 'ushort' };
        }
        return { kind: 'base', base: 'uint' };
      }
      case 'int':
      case 'hyper':
      case 'float':
      case 'double':
      case 'quadruple':
      case 'bool':
      case 'char':
      case 'short':
        return { kind: 'base', base: t.text };
      case 'long':
        return { kind: 'base', base: 'int' };
      case 'string':
        return { kind: 'string' };
      case 'opaque':
        return { kind: 'opaque' };
      case 'void':
        return { kind: 'void' };
      case 'enum':
        return { kind: 'enum', body: enumBody() };
      case 'struct':
        return { kind: 'struct', body: structBody() };
      case 'union':
        return { kind: 'union', body: unionBody() };
      default:
        return { kind: 'ref', name: t.text, tok: t };
    }
  };

  function declaration(): Declaration {
    const start = peek();
    const type = typeSpec();
    if (type.kind === 'void') return { name: '', type, form: 'plain', tok: start };
    if (accept('*')) {
      const n = ident();
      return { name: n.text, type, form: 'optional', tok: n };
    }
    const n = ident();
    if (accept('[')) {
      const size = value();
      expect(']');
      return { name: n.text, type, form: 'fixed', size, tok: n };
    }
    if (accept('<')) {
      if (accept('>')) return { name: n.text, type, form: 'var', tok: n };
      const size = value();
      expect('>');
      return { name: n.text, type, form: 'var', size, tok: n };
    }
    if (type.kind === 'string') fail(n, `string '${n.text}' needs a <bound> or <>`);
    if (type.kind === 'opaque') fail(n, `opaque '${n.text}' needs [size] or <bound>`);
    return { name: n.text, type, form: 'plain', tok: n };
  }

  const defs: Definition[] = [];
  while (peek().kind !== 'eof') {
    const t = next();
    const comment = t.comment;
    switch (t.text) {
      case 'const': {
        const n = ident();
        expect('=');
        defs.push({ kind: 'const', name: n.text, value: value(), tok: n, comment });
        break;
      }
      case 'typedef': {
        const decl = declaration();
        defs.push({ kind: 'typedef', name: decl.name, decl, tok: decl.tok, comment });
        break;
      }
      case 'enum': {
        const n = ident();
        defs.push({ kind: 'enum', name: n.text, body: enumBody(), tok: n, comment });
        break;
      }
      case 'struct': {
        const n = ident();
        defs.push({ kind: 'struct', name: n.text, body: structBody(), tok: n, comment });
        break;
      }
      case 'union': {
        const n = ident();
        defs.push({ kind: 'union', name: n.text, body: unionBody(), tok: n, comment });
        break;
      }
      default:
        fail(t, `expected a definition (const, typedef, enum, struct, union), found ${describe(t)}`);
    }
    expect(';');
  }
  return defs;
}
