/**
 * The classes the emitters write: one per set of element patterns that can stand at one place
 * (same-named children of one parent are merged), named after where they were first reached.
 */
import { type Alt, type Content, Flattener, alternative } from './model.js';
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

export interface XClass {
  name: string;
  element: string;
  /** A leaf is an element with text only: its value stands for it. */
  leaf: Alt[] | undefined;
  props: Prop[];
  anyAttrs: boolean;
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

  kind(kind: string, typeName: string, grammar: Grammar): Kind {
    const start = this.flattener.content(grammar.define(START));
    const roots = [...start.children.values()].map((c) => this.classFor(c.patterns, typeName, true));
    this.drain();
    return { kind, typeName, roots };
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let i = 2; this.names.has(name); i++) name = `${base}${i}`;
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
    const cls: XClass = { name: this.uniqueName(isRoot ? baseName : baseName + pascal(element)), element, leaf: undefined, props: [], anyAttrs: false };
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
  }
}
