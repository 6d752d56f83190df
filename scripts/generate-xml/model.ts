/**
 * From patterns to the shapes the emitters write. An element's content is flattened to its
 * attributes, child elements and text, each with whether it is required and whether it repeats;
 * `choice` unions the branches (what is in every branch stays required), `interleave` and `group`
 * concatenate, `optional`/`zeroOrMore`/`oneOrMore` relax. Same-named children that come from
 * different patterns (the branches of a choice) are one class whose content is the union of theirs.
 */
import type { ElementPattern, Pattern } from './rng.js';

/** One alternative of a value: a fixed text, or XSD data with its facets. */
export type Alt =
  | { value: string }
  | { kind: 'string' | 'int' | 'long' | 'double'; pattern?: string; min?: string; max?: string; minLength?: number; maxLength?: number; not?: string[] };

export interface AttrInfo {
  required: boolean;
  alts: Alt[];
}

export interface ChildInfo {
  required: boolean;
  many: boolean;
  patterns: ElementPattern[];
}

export interface Content {
  attrs: Map<string, AttrInfo>;
  children: Map<string, ChildInfo>;
  text: Alt[] | undefined;
  anyChildren: boolean;
  anyAttrs: boolean;
  never: boolean;
}

export const emptyContent = (): Content =>
  ({ attrs: new Map(), children: new Map(), text: undefined, anyChildren: false, anyAttrs: false, never: false });
const empty = (): Content => ({ attrs: new Map(), children: new Map(), text: undefined, anyChildren: false, anyAttrs: false, never: false });
const never = (): Content => ({ ...empty(), never: true });

function uniqAlts(a: Alt[]): Alt[] {
  const seen = new Set<string>();
  return a.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function addPatterns(into: ElementPattern[], more: ElementPattern[]): ElementPattern[] {
  const out = [...into];
  for (const p of more) if (!out.includes(p)) out.push(p);
  return out;
}

/** Both parts occur (group, interleave). */
export function sequence(a: Content, b: Content): Content {
  if (a.never || b.never) return never();
  const out = empty();
  for (const [k, v] of a.attrs) out.attrs.set(k, { ...v });
  for (const [k, v] of b.attrs) {
    const o = out.attrs.get(k);
    out.attrs.set(k, o ? { required: o.required || v.required, alts: uniqAlts([...o.alts, ...v.alts]) } : { ...v });
  }
  for (const [k, v] of a.children) out.children.set(k, { ...v });
  for (const [k, v] of b.children) {
    const o = out.children.get(k);
    out.children.set(k, o ? { required: o.required || v.required, many: true, patterns: addPatterns(o.patterns, v.patterns) } : { ...v });
  }
  out.text = a.text || b.text ? uniqAlts([...(a.text ?? []), ...(b.text ?? [])]) : undefined;
  out.anyChildren = a.anyChildren || b.anyChildren;
  out.anyAttrs = a.anyAttrs || b.anyAttrs;
  return out;
}

/** One of the parts occurs (choice; also the patterns merged into one class). */
export function alternative(parts: Content[]): Content {
  const live = parts.filter((p) => !p.never);
  if (live.length === 0) return never();
  const out = empty();
  for (const p of live) {
    for (const [k, v] of p.attrs) {
      const o = out.attrs.get(k);
      out.attrs.set(k, o ? { required: o.required && v.required, alts: uniqAlts([...o.alts, ...v.alts]) } : { ...v });
    }
    for (const [k, v] of p.children) {
      const o = out.children.get(k);
      out.children.set(k, o ? { required: o.required && v.required, many: o.many || v.many, patterns: addPatterns(o.patterns, v.patterns) } : { ...v });
    }
    if (p.text) out.text = uniqAlts([...(out.text ?? []), ...p.text]);
    out.anyChildren ||= p.anyChildren;
    out.anyAttrs ||= p.anyAttrs;
  }
  for (const [k, v] of out.attrs) if (!live.every((p) => p.attrs.has(k))) v.required = false;
  for (const [k, v] of out.children) if (!live.every((p) => p.children.has(k))) v.required = false;
  return out;
}

function relax(c: Content, many: boolean, optional: boolean): Content {
  if (c.never) return optional ? empty() : c;
  const out = { ...c, attrs: new Map(c.attrs), children: new Map(c.children) };
  if (optional) for (const [k, v] of out.attrs) out.attrs.set(k, { ...v, required: false });
  for (const [k, v] of out.children) out.children.set(k, { ...v, required: optional ? false : v.required, many: many || v.many });
  return out;
}

const XSD_INT: Record<string, { kind: 'int' | 'long'; min?: string; max?: string }> = {
  int: { kind: 'int', min: '-2147483648', max: '2147483647' },
  short: { kind: 'int', min: '-32768', max: '32767' },
  unsignedShort: { kind: 'int', min: '0', max: '65535' },
  unsignedInt: { kind: 'int', min: '0', max: '4294967295' },
  long: { kind: 'long', min: '-9223372036854775808', max: '9223372036854775807' },
  unsignedLong: { kind: 'long', min: '0', max: '18446744073709551615' },
  integer: { kind: 'long' },
  positiveInteger: { kind: 'long', min: '1' },
};

/** Patterns that only restate "decimal digits" keep the number typed; any other pattern (octal modes, hex) keeps it text. */
const PLAIN_DIGITS = new Set(['[0-9]+', '-?[0-9]+', '[0-9]{1,}', '[+-]?[0-9]+']);

export class Flattener {
  private readonly memo = new Map<Pattern, Content>();
  private readonly busy = new Set<Pattern>();
  private readonly neverMemo = new Map<ElementPattern, boolean>();
  private readonly altMemo = new Map<Pattern, Alt[]>();

  resolve(p: Pattern & { k: 'ref' }): Pattern {
    return p.grammar.define(p.name);
  }

  content(p: Pattern): Content {
    // An element stands for itself; only whether it can match at all looks inside (and may recurse).
    if (p.k === 'element') return this.elementEntry(p);
    const done = this.memo.get(p);
    if (done) return done;
    if (this.busy.has(p)) throw new Error('a define refers to itself outside any element');
    this.busy.add(p);
    const c = this.compute(p);
    this.busy.delete(p);
    this.memo.set(p, c);
    return c;
  }

  /** The parts of an element's content that always apply together: through group, interleave and ref. */
  topLevel(p: Pattern, out: Pattern[] = [], seen = new Set<Pattern>()): Pattern[] {
    if (seen.has(p)) return out;
    seen.add(p);
    if (p.k === 'group' || p.k === 'interleave') for (const i of p.items) this.topLevel(i, out, seen);
    else if (p.k === 'ref') this.topLevel(this.resolve(p), out, seen);
    else out.push(p);
    return out;
  }

  /** Whether an element can never match (its content is notAllowed, like libvirt's privateData placeholders). */
  impossible(e: ElementPattern): boolean {
    const known = this.neverMemo.get(e);
    if (known !== undefined) return known;
    this.neverMemo.set(e, false);
    const r = this.content(e.content).never;
    this.neverMemo.set(e, r);
    return r;
  }

  /** Whether the element can match at all is asked later (ClassBuilder), when no content is being computed. */
  private elementEntry(p: ElementPattern): Content {
    const c = empty();
    if (p.name.any) c.anyChildren = true;
    else c.children.set(p.name.name, { required: true, many: false, patterns: [p] });
    return c;
  }

  private compute(p: Pattern): Content {
    switch (p.k) {
      case 'element':
        return this.elementEntry(p);
      case 'attribute': {
        const c = empty();
        const alts = this.alts(p.content);
        if (alts.length === 0) return never();
        if (p.name.any) c.anyAttrs = true;
        else c.attrs.set(p.name.name, { required: true, alts });
        return c;
      }
      case 'group':
      case 'interleave':
        return p.items.map((i) => this.content(i)).reduce(sequence, empty());
      case 'choice':
        return alternative(p.items.map((i) => this.content(i)));
      case 'optional':
        return relax(this.content(p.item), false, true);
      case 'zeroOrMore':
        return relax(this.content(p.item), true, true);
      case 'oneOrMore':
        return relax(this.content(p.item), true, false);
      case 'ref':
        return this.content(this.resolve(p));
      case 'empty':
        return empty();
      case 'notAllowed':
        return never();
      case 'text':
      case 'data':
      case 'value': {
        const c = empty();
        c.text = this.alts(p);
        return c;
      }
    }
  }

  /** The alternatives of a value pattern (attribute content, or an element's text). */
  alts(p: Pattern): Alt[] {
    const done = this.altMemo.get(p);
    if (done) return done;
    let r: Alt[];
    switch (p.k) {
      case 'text':
        r = [{ kind: 'string' }];
        break;
      case 'value':
        r = [{ value: p.value }];
        break;
      case 'empty':
        r = [{ value: '' }];
        break;
      case 'notAllowed':
        r = [];
        break;
      case 'choice':
        r = uniqAlts(p.items.flatMap((i) => this.alts(i)));
        break;
      case 'ref':
        r = this.alts(this.resolve(p));
        break;
      case 'group':
        if (p.items.length !== 1) throw new Error('a value made of several parts');
        r = this.alts(p.items[0]!);
        break;
      case 'data':
        r = [this.dataAlt(p)];
        break;
      default:
        throw new Error(`<${p.k}> where a value is expected`);
    }
    this.altMemo.set(p, r);
    return r;
  }

  private dataAlt(p: Pattern & { k: 'data' }): Alt {
    const param = (n: string): string | undefined => p.params.find((x) => x.name === n)?.value;
    const pattern = param('pattern');
    const not = p.except ? this.alts(p.except).flatMap((a) => ('value' in a ? [a.value] : [])) : undefined;
    const int = XSD_INT[p.type];
    if (int && (pattern === undefined || PLAIN_DIGITS.has(pattern))) {
      const a: Alt = { kind: int.kind };
      const min = param('minInclusive') ?? int.min;
      const max = param('maxInclusive') ?? int.max;
      if (min !== undefined) a.min = min;
      if (max !== undefined) a.max = max;
      if (pattern !== undefined) a.pattern = pattern;
      return a;
    }
    const a: Alt = { kind: p.type === 'double' && pattern === undefined ? 'double' : 'string' };
    if (pattern !== undefined) a.pattern = pattern;
    if (int) {
      const min = param('minInclusive') ?? int.min;
      const max = param('maxInclusive') ?? int.max;
      if (min !== undefined) a.min = min;
      if (max !== undefined) a.max = max;
    }
    const minLength = param('minLength') ?? param('length');
    const maxLength = param('maxLength') ?? param('length');
    if (minLength !== undefined) a.minLength = Number(minLength);
    if (maxLength !== undefined) a.maxLength = Number(maxLength);
    if (not?.length) a.not = not;
    return a;
  }
}
