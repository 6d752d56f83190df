/**
 * The classes the emitters write: one per set of element patterns that can stand at one place
 * (same-named children of one parent are merged), named after where they were first reached.
 */
import { type Alt, type Content, Flattener, alternative, emptyContent, sequence } from './model.js';
import { type ElementPattern, type Grammar, START } from './rng.js';

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
}

/**
 * A choice whose branches each fix an attribute to their own values (`<interface type='bridge'>`
 * vs `type='network'`): in the types a union of the branches, told apart by that attribute.
 * Parsing and formatting use the merged properties; the union only narrows what the types accept.
 */
export interface Union {
  discriminant: string;
  branches: BranchProp[][];
}

export interface XClass {
  name: string;
  element: string;
  /** A leaf is an element with text only: its value stands for it. */
  leaf: Alt[] | undefined;
  props: Prop[];
  anyAttrs: boolean;
  unions: Union[];
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
  private readonly pending: { cls: XClass; patterns: ElementPattern[] }[] = [];

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

  private classFor(patterns: ElementPattern[], baseName: string, isRoot = false): XClass {
    const key = patterns
      .map((p) => p.id)
      .sort((a, b) => a - b)
      .join(',');
    const known = this.byKey.get(key);
    if (known) return known;
    const element = patterns[0]!.name.any ? '*' : (patterns[0]!.name as { name: string }).name;
    const cls: XClass = { name: this.uniqueName(isRoot ? baseName : baseName + pascal(element), isRoot), element, leaf: undefined, props: [], anyAttrs: false, unions: [] };
    this.byKey.set(key, cls);
    this.classes.push(cls);
    this.pending.push({ cls, patterns });
    return cls;
  }

  private drain(): void {
    for (let job = this.pending.shift(); job; job = this.pending.shift()) this.fill(job.cls, job.patterns);
  }

  private fill(cls: XClass, patterns: ElementPattern[]): void {
    const c: Content = alternative(patterns.map((p) => this.flattener.content(p.content)));
    cls.anyAttrs = c.anyAttrs;
    if (c.attrs.size === 0 && c.children.size === 0 && !c.anyAttrs && !c.anyChildren && c.text) {
      cls.leaf = c.text;
      return;
    }
    const taken = new Set<string>();
    const claim = (want: string): string => {
      let k = want;
      for (let i = 2; taken.has(k); i++) k = `${want}${i}`;
      taken.add(k);
      return k;
    };
    // Attributes first, then child elements, then text: the names a reader sees in the XML win.
    for (const [name, a] of c.attrs) cls.props.push({ key: claim(name), xml: name, kind: 'attr', required: a.required, many: false, alts: a.alts });
    for (const [name, ch] of c.children) {
      const patterns = ch.patterns.filter((p) => !this.flattener.impossible(p));
      if (patterns.length === 0) continue;
      cls.props.push({
        key: claim(taken.has(name) ? `${name}Element` : name),
        xml: name,
        kind: 'child',
        required: ch.required,
        many: ch.many,
        alts: [],
        child: this.classFor(patterns, cls.name),
      });
    }
    if (c.text) cls.props.push({ key: claim(taken.has('value') ? '$value' : 'value'), xml: '', kind: 'text', required: false, many: false, alts: c.text });
    if (c.anyChildren) cls.props.push({ key: claim(taken.has('xml') ? '$xml' : 'xml'), xml: '', kind: 'raw', required: false, many: false, alts: [] });
    if (patterns.length === 1) cls.unions = this.unionsOf(cls, patterns[0]!);
  }

  private unionsOf(cls: XClass, pattern: ElementPattern): Union[] {
    const f = this.flattener;
    const items = f.topLevel(pattern.content);
    const unions: Union[] = [];
    const claimed = new Set<string>();
    const literals = (alts: Alt[]): string[] | undefined => (alts.every((a) => 'value' in a) ? alts.map((a) => (a as { value: string }).value) : undefined);
    for (const item of items) {
      if (item.k !== 'choice') continue;
      const branches = item.items.map((b) => f.content(b)).filter((b) => !b.never);
      if (branches.length < 2) continue;
      const candidates = [...branches[0]!.attrs.keys()].sort((a, b) => (a === 'type' ? -1 : b === 'type' ? 1 : 0));
      const discriminant = candidates.find((name) => {
        const seen = new Set<string>();
        for (const b of branches) {
          const a = b.attrs.get(name);
          const values = a?.required ? literals(a.alts) : undefined;
          if (!values) return false;
          for (const v of values) {
            if (seen.has(v)) return false;
            seen.add(v);
          }
        }
        return true;
      });
      if (!discriminant) continue;
      const outside = items.filter((i) => i !== item).map((i) => f.content(i)).reduce(sequence, emptyContent());
      const names = new Set<string>();
      for (const b of branches) for (const k of [...b.attrs.keys(), ...b.children.keys()]) names.add(k);
      if ([...names].some((n) => outside.attrs.has(n) || outside.children.has(n) || claimed.has(n))) continue;
      const propOf = (name: string, kind: 'attr' | 'child'): Prop | undefined => cls.props.find((p) => p.kind === kind && p.xml === name);
      const branchProps = branches.map((b) => {
        const list: BranchProp[] = [];
        for (const [name, a] of b.attrs) list.push({ prop: propOf(name, 'attr')!, required: a.required, alts: a.alts });
        for (const [name, ch] of b.children) {
          const prop = propOf(name, 'child');
          if (prop) list.push({ prop, required: ch.required, alts: [] });
        }
        return list;
      });
      // What every branch has alike stays on the common part; the union keeps what tells them apart.
      const same = (x: BranchProp, y: BranchProp | undefined): boolean => !!y && x.required === y.required && JSON.stringify(x.alts) === JSON.stringify(y.alts);
      const shared = (bp: BranchProp): boolean => bp.prop.xml !== discriminant && branchProps.every((l) => same(bp, l.find((o) => o.prop === bp.prop)));
      unions.push({ discriminant, branches: branchProps.map((l) => l.filter((bp) => !shared(bp))) });
      for (const n of names) claimed.add(n);
    }
    return unions;
  }
}
