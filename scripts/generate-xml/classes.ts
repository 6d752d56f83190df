/**
 * The classes the emitters write: one per set of element patterns that can stand at one place
 * (same-named children of one parent are merged), named after where they were first reached.
 */
import { type Alt, type Content, Flattener, alternative, emptyContent, sequence } from './model.js';
import { type ElementPattern, type Grammar, type Pattern, START } from './rng.js';

export interface Prop {
  /** The property's name in the typed object. */
  key: string;
  /** The attribute's or child element's name in XML. */
  xml: string;
  kind: 'attr' | 'child' | 'text' | 'raw';
  required: boolean;
  many: boolean;
  alts: Alt[];
  child?: XClass;
}

/** A property as one branch of a discriminated choice has it. */
export interface BranchProp {
  prop: Prop;
  required: boolean;
  /** For attributes: the values this branch allows (the discriminant's are literals). */
  alts: Alt[];
  /** For child elements: the element type this branch allows, when narrower than the merged one. */
  child?: XClass;
}

/** One branch of a discriminated choice: the discriminant's values, its own properties, its own choices. */
export interface Branch {
  values: string[];
  /** The discriminant may be left out (libvirt's default kind: a disk without type is a file). */
  optional: boolean;
  props: BranchProp[];
  unions: Union[];
}

/**
 * A choice whose branches each fix an attribute to their own values (`<interface type='bridge'>`
 * vs `type='network'`), at any depth (a lun disk's own choice of source types): in the types a
 * union of the branches, told apart by that attribute; a branch's children have the branch's own
 * element types (a network disk's source has protocol). Parsing and formatting use the merged
 * properties; the union narrows what the types accept and what validation allows.
 */
export interface Union {
  discriminant: string;
  branches: Branch[];
}

export interface XClass {
  name: string;
  element: string;
  /** A leaf is an element with text only: its value stands for it. */
  leaf: Alt[] | undefined;
  props: Prop[];
  anyAttrs: boolean;
  unions: Union[];
  /** Properties that the schema makes optional only together (`<cipher>` and `<ivgen>`), by key. */
  together: string[][];
}

export interface Kind {
  kind: string;
  typeName: string;
  roots: XClass[];
}

const words = (s: string): string[] => s.split(/[^A-Za-z0-9]+/).filter(Boolean);
export const pascal = (s: string): string =>
  words(s)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

export class ClassBuilder {
  readonly flattener = new Flattener();
  readonly classes: XClass[] = [];
  private readonly byKey = new Map<string, XClass>();
  private readonly names = new Set<string>();
  private readonly keyOf = new Map<XClass, string>();
  private readonly pending: { cls: XClass; patterns: ElementPattern[]; like: XClass | undefined }[] = [];

  /** The root types' names, taken before any nested element's name can take them. */
  reserve(rootNames: readonly string[]): void {
    for (const n of rootNames) this.reserved.add(n);
  }

  private readonly reserved = new Set<string>();

  kind(kind: string, typeName: string, grammar: Grammar): Kind {
    const start = this.flattener.content(grammar.define(START));
    const roots = [...start.children.values()].map((c) => this.classFor(c.patterns, typeName, true));
    this.drain();
    return { kind, typeName, roots };
  }

  private uniqueName(base: string, isRoot: boolean): string {
    // A nested element named like a root type (a network's <port> vs NetworkPort) says so.
    if (!isRoot && this.reserved.has(base)) base = `${base}Element`;
    let name = base;
    const taken = (n: string): boolean => this.names.has(n) || (!isRoot && this.reserved.has(n));
    for (let i = 2; taken(name); i++) name = `${base}${i}`;
    this.names.add(name);
    return name;
  }

  /**
   * The class of these patterns. `like`: the merged class documents are parsed into, for a kind's
   * narrower type of the same element (same property names, arrays and leaves as what is parsed).
   */
  private classFor(patterns: ElementPattern[], baseName: string, isRoot = false, like?: XClass): XClass {
    const ids = patterns
      .map((p) => p.id)
      .sort((a, b) => a - b)
      .join(',');
    if (like && this.keyOf.get(like) === ids) return like;
    const key = like ? `${ids}@${like.name}` : ids;
    const known = this.byKey.get(key);
    if (known) return known;
    const element = patterns[0]!.name.any ? '*' : (patterns[0]!.name as { name: string }).name;
    const cls: XClass = { name: this.uniqueName(isRoot ? baseName : baseName + pascal(element), isRoot), element, leaf: undefined, props: [], anyAttrs: false, unions: [], together: [] };
    this.byKey.set(key, cls);
    this.keyOf.set(cls, key);
    this.classes.push(cls);
    this.pending.push({ cls, patterns, like });
    return cls;
  }

  private drain(): void {
    for (let job = this.pending.shift(); job; job = this.pending.shift()) this.fill(job.cls, job.patterns, job.like);
  }

  private fill(cls: XClass, patterns: ElementPattern[], like: XClass | undefined): void {
    const c: Content = alternative(patterns.map((p) => this.flattener.content(p.content)));
    cls.anyAttrs = c.anyAttrs;
    if (c.attrs.size === 0 && c.children.size === 0 && !c.anyAttrs && !c.anyChildren && c.text && (!like || like.leaf)) {
      cls.leaf = c.text;
      return;
    }
    const taken = new Set<string>();
    const own = (kind: Prop['kind'], xml: string): Prop | undefined => like?.props.find((p) => p.kind === kind && p.xml === xml);
    const claim = (want: string, kind: Prop['kind'], xml: string): string => {
      const given = like && own(kind, xml)?.key;
      if (given) return given;
      let k = want;
      for (let i = 2; taken.has(k); i++) k = `${want}${i}`;
      taken.add(k);
      return k;
    };
    // Attributes first, then child elements, then text: the names a reader sees in the XML win.
    for (const [name, a] of c.attrs) cls.props.push({ key: claim(name, 'attr', name), xml: name, kind: 'attr', required: a.required, many: false, alts: a.alts });
    for (const [name, ch] of c.children) {
      const patterns = ch.patterns.filter((p) => !this.flattener.impossible(p));
      if (patterns.length === 0) continue;
      const merged = own('child', name);
      cls.props.push({
        key: claim(taken.has(name) ? `${name}Element` : name, 'child', name),
        xml: name,
        kind: 'child',
        required: ch.required,
        many: merged ? merged.many : ch.many,
        alts: [],
        child: this.classFor(patterns, cls.name, false, merged?.child),
      });
    }
    if (c.text) cls.props.push({ key: claim(taken.has('value') ? '$value' : 'value', 'text', ''), xml: '', kind: 'text', required: false, many: false, alts: c.text });
    if (c.anyChildren) cls.props.push({ key: claim(taken.has('xml') ? '$xml' : 'xml', 'raw', ''), xml: '', kind: 'raw', required: false, many: false, alts: [] });
    if (patterns.length === 1) {
      const items = this.flattener.topLevel(patterns[0]!.content);
      cls.unions = this.unionsAt(cls, items);
      cls.together = this.togetherIn(cls, items);
    }
  }

  /** The discriminated choices among the items that apply together; each branch's own inside it. */
  private unionsAt(cls: XClass, items: Pattern[]): Union[] {
    const f = this.flattener;
    const unions: Union[] = [];
    const claimed = new Set<string>();
    const literals = (alts: Alt[]): string[] | undefined => (alts.every((a) => 'value' in a) ? alts.map((a) => (a as { value: string }).value) : undefined);
    for (const item of items) {
      if (item.k !== 'choice') continue;
      const live = item.items.filter((b) => !f.content(b).never);
      if (live.length < 2) continue;
      const contents = live.map((b) => f.content(b));
      const candidates = [...contents[0]!.attrs.keys()].sort((a, b) => (a === 'type' ? -1 : b === 'type' ? 1 : 0));
      // Every branch fixes the attribute to values of its own; at most one may leave it out.
      const discriminant = candidates.find((name) => {
        const seen = new Set<string>();
        let optional = 0;
        for (const b of contents) {
          const a = b.attrs.get(name);
          const values = a ? literals(a.alts) : undefined;
          if (!values) return false;
          if (!a!.required) optional++;
          for (const v of values) {
            if (seen.has(v)) return false;
            seen.add(v);
          }
        }
        return optional <= 1;
      });
      if (!discriminant) continue;
      const outside = items.filter((i) => i !== item).map((i) => f.content(i)).reduce(sequence, emptyContent());
      const names = new Set<string>();
      for (const b of contents) for (const k of [...b.attrs.keys(), ...b.children.keys()]) names.add(k);
      if ([...names].some((n) => outside.attrs.has(n) || outside.children.has(n) || claimed.has(n))) continue;
      const branches = live.map((pattern, i) => this.branch(cls, pattern, contents[i]!, discriminant));
      // What every branch has alike is no part of the choice: it goes to the level above.
      const same = (x: BranchProp, y: BranchProp | undefined): boolean =>
        !!y && x.required === y.required && x.child === y.child && JSON.stringify(x.alts) === JSON.stringify(y.alts);
      const shared = (bp: BranchProp): boolean => bp.prop.xml !== discriminant && branches.every((b) => same(bp, b.props.find((o) => o.prop === bp.prop)));
      const common = new Set(branches[0]!.props.filter(shared).map((bp) => bp.prop));
      for (const b of branches) b.props = b.props.filter((bp) => !common.has(bp.prop));
      unions.push({ discriminant, branches });
      for (const n of names) claimed.add(n);
    }
    return unions;
  }

  private branch(cls: XClass, pattern: Pattern, content: Content, discriminant: string): Branch {
    const d = content.attrs.get(discriminant)!;
    const values = d.alts.map((a) => (a as { value: string }).value);
    const unions = this.unionsAt(cls, this.flattener.topLevel(pattern));
    const inner = new Set(unions.flatMap((u) => u.branches.flatMap((b) => propsOf(b).map((bp) => bp.prop))));
    const propOf = (name: string, kind: 'attr' | 'child'): Prop | undefined => cls.props.find((p) => p.kind === kind && p.xml === name);
    const props: BranchProp[] = [];
    for (const [name, a] of content.attrs) {
      const prop = propOf(name, 'attr')!;
      if (!inner.has(prop)) props.push({ prop, required: a.required, alts: a.alts });
    }
    for (const [name, ch] of content.children) {
      const prop = propOf(name, 'child');
      if (!prop || inner.has(prop)) continue;
      const patterns = ch.patterns.filter((p) => !this.flattener.impossible(p));
      const child = this.classFor(patterns, cls.name + pascal(values[0]!), false, prop.child);
      props.push({ prop, required: ch.required, alts: [], ...(child !== prop.child ? { child } : {}) });
    }
    return { values, optional: !d.required, props, unions };
  }

  /** Groups of properties inside an `optional` that are each required there: given all or none. */
  private togetherIn(cls: XClass, items: Pattern[], out: string[][] = []): string[][] {
    for (const item of items) {
      if (item.k !== 'optional') continue;
      const c = this.flattener.content(item.item);
      const keys: string[] = [];
      for (const [name, a] of c.attrs) if (a.required) keys.push(cls.props.find((p) => p.kind === 'attr' && p.xml === name)!.key);
      for (const [name, ch] of c.children) {
        const prop = cls.props.find((p) => p.kind === 'child' && p.xml === name);
        if (ch.required && prop) keys.push(prop.key);
      }
      if (keys.length >= 2) out.push(keys);
      this.togetherIn(cls, this.flattener.topLevel(item.item), out);
    }
    return out;
  }
}

/** A branch's properties, its inner choices' included. */
export function propsOf(b: Branch): BranchProp[] {
  return [...b.props, ...b.unions.flatMap((u) => u.branches.flatMap(propsOf))];
}

/** The classes documents are parsed into and formatted from: the roots and their properties' (not the kinds' own narrower types). */
export function runtimeClasses(kinds: Kind[]): Set<XClass> {
  const seen = new Set<XClass>();
  const visit = (c: XClass): void => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const p of c.props) if (p.child) visit(p.child);
  };
  for (const k of kinds) k.roots.forEach(visit);
  return seen;
}
