/**
 * Reads RelaxNG schemas (XML syntax) into patterns: includes are merged with their overrides,
 * same-named defines are combined (combine="choice" / "interleave"), nested <grammar>s get their
 * own scope, and foreign elements (documentation) are dropped.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export type NameClass = { any: true } | { any: false; name: string };

export interface ElementPattern {
  k: 'element';
  id: number;
  name: NameClass;
  content: Pattern;
}

export type Pattern =
  | ElementPattern
  | { k: 'attribute'; name: NameClass; content: Pattern }
  | { k: 'group' | 'interleave' | 'choice'; items: Pattern[] }
  | { k: 'optional' | 'zeroOrMore' | 'oneOrMore'; item: Pattern }
  | { k: 'ref'; grammar: Grammar; name: string }
  | { k: 'text' | 'empty' | 'notAllowed' }
  | { k: 'data'; type: string; params: { name: string; value: string }[]; except: Pattern | undefined }
  | { k: 'value'; value: string };

export const START = '#start';

export class Grammar {
  /** Where the defines live when this grammar only adds a start to included files. */
  constructor(private readonly definesFrom?: Grammar) {}

  private readonly parts = new Map<string, { combine: string | undefined; pattern: Pattern }[]>();
  private readonly combined = new Map<string, Pattern>();

  add(name: string, combine: string | undefined, pattern: Pattern): void {
    const list = this.parts.get(name) ?? [];
    list.push({ combine, pattern });
    this.parts.set(name, list);
  }

  has(name: string): boolean {
    return this.parts.has(name);
  }

  define(name: string): Pattern {
    if (this.definesFrom && name !== START) return this.definesFrom.define(name);
    const done = this.combined.get(name);
    if (done) return done;
    const list = this.parts.get(name);
    if (!list) throw new Error(`no define named '${name}'`);
    let pattern: Pattern;
    if (list.length === 1) pattern = list[0]!.pattern;
    else {
      const how = list.find((p) => p.combine)?.combine;
      if (how !== 'choice' && how !== 'interleave') throw new Error(`define '${name}' is given ${list.length} times without a combine method`);
      pattern = { k: how, items: list.map((p) => p.pattern) };
    }
    this.combined.set(name, pattern);
    return pattern;
  }
}

interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}


const xmlParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, parseTagValue: false, parseAttributeValue: false });

type Raw = Record<string, unknown>;

function toNode(raw: Raw): Node | undefined {
  const tag = Object.keys(raw).find((k) => k !== ':@')!;
  if (tag === '#text' || tag === '#comment' || tag.startsWith('?')) return undefined;
  const attrs = (raw[':@'] as Record<string, string> | undefined) ?? {};
  const node: Node = { tag, attrs, children: [], text: '' };
  for (const c of raw[tag] as Raw[]) {
    if ('#text' in c) node.text += String(c['#text']);
    else {
      const child = toNode(c);
      // Elements of other namespaces (prefixed in libvirt's schemas: documentation) are dropped;
      // an unprefixed one RelaxNG does not have is refused by pattern().
      if (child && !child.tag.includes(':')) node.children.push(child);
    }
  }
  return node;
}

function readRng(path: string): Node {
  const doc = xmlParser.parse(readFileSync(path, 'utf8')) as Raw[];
  for (const r of doc) {
    const n = toNode(r);
    if (n?.tag === 'grammar') return n;
  }
  throw new Error(`${path}: no <grammar> root`);
}

/** Prefixes under which documents write libvirt's namespaced elements (qemu:commandline, ...). */
export const NAMESPACE_PREFIXES: Record<string, string> = {
  'http://libvirt.org/schemas/domain/qemu/1.0': 'qemu',
  'http://libvirt.org/schemas/domain/lxc/1.0': 'lxc',
  'http://libvirt.org/schemas/domain/bhyve/1.0': 'bhyve',
  'http://libvirt.org/schemas/domain/xen/1.0': 'xen',
  'http://libvirt.org/schemas/domain/vmware/1.0': 'vmware',
  'http://libvirt.org/schemas/network/dnsmasq/1.0': 'dnsmasq',
  'http://libvirt.org/schemas/storagepool/fs/1.0': 'fs',
  'http://libvirt.org/schemas/storagepool/rbd/1.0': 'rbd',
};

export class SchemaReader {
  private nextId = 1;
  private readonly files = new Map<string, Node>();
  private readonly grammarsByFile = new Map<string, Grammar>();

  /** The grammar of a schema file standing alone (cached: one set of patterns per file). */
  grammarOf(path: string): Grammar {
    const abs = resolve(path);
    let g = this.grammarsByFile.get(abs);
    if (!g) {
      const node = this.file(abs);
      const includes = node.children.filter((c) => c.tag === 'include');
      if (node.children.every((c) => c.tag === 'start' || (c.tag === 'include' && c.children.length === 0))) {
        // Only a start over included files (domain.rng, inactiveDomain.rng): share the included
        // defines with every other such file, so their elements are one set of classes.
        g = new Grammar(this.includedOnly(includes.map((c) => resolve(dirname(abs), c.attrs.href!))));
        this.grammarsByFile.set(abs, g);
        this.loadInto(g, { ...node, children: node.children.filter((c) => c.tag === 'start') }, dirname(abs), new Set(), new Set([abs]), '');
      } else {
        g = new Grammar();
        this.grammarsByFile.set(abs, g);
        this.loadInto(g, node, dirname(abs), new Set(), new Set([abs]), '');
      }
    }
    return g;
  }

  private readonly sharedIncludes = new Map<string, Grammar>();

  private includedOnly(files: string[]): Grammar {
    const key = files.join('\n');
    let g = this.sharedIncludes.get(key);
    if (!g) {
      g = new Grammar();
      this.sharedIncludes.set(key, g);
      const node: Node = { tag: 'grammar', attrs: {}, children: files.map((f) => ({ tag: 'include', attrs: { href: f }, children: [], text: '' })), text: '' };
      this.loadInto(g, node, '/', new Set(), new Set(), '');
    }
    return g;
  }

  private file(abs: string): Node {
    let n = this.files.get(abs);
    if (!n) {
      n = readRng(abs);
      this.files.set(abs, n);
    }
    return n;
  }

  private loadInto(g: Grammar, grammar: Node, dir: string, overridden: Set<string>, included: Set<string>, ns: string): void {
    ns = grammar.attrs.ns ?? ns;
    for (const c of grammar.children) {
      if (c.tag === 'define' || c.tag === 'start') {
        const name = c.tag === 'start' ? START : c.attrs.name!;
        if (!overridden.has(name)) g.add(name, c.attrs.combine, this.group(c.children, g, dir, c.attrs.ns ?? ns));
      } else if (c.tag === 'div') {
        this.loadInto(g, c, dir, overridden, included, ns);
      } else if (c.tag === 'include') {
        const abs = resolve(dir, c.attrs.href!);
        if (included.has(abs)) continue;
        included.add(abs);
        const own = new Set(overridden);
        for (const o of c.children) if (o.tag === 'define') own.add(o.attrs.name!);
        for (const o of c.children) if (o.tag === 'start') own.add(START);
        this.loadInto(g, this.file(abs), dirname(abs), own, included, c.attrs.ns ?? ns);
        this.loadInto(g, { ...c, tag: 'div' }, dir, overridden, included, ns);
      } else throw new Error(`unexpected <${c.tag}> in a grammar`);
    }
  }

  private group(children: Node[], g: Grammar, dir: string, ns: string): Pattern {
    const items = children.map((c) => this.pattern(c, g, dir, ns));
    if (items.length === 0) return { k: 'empty' };
    return items.length === 1 ? items[0]! : { k: 'group', items };
  }

  private nameClass(n: Node, ns: string): NameClass {
    if (n.tag === 'anyName') return { any: true };
    if (n.tag === 'name') return { any: false, name: this.qualify(n.text.trim(), n.attrs.ns ?? ns) };
    throw new Error(`unsupported name class <${n.tag}>`);
  }

  private qualify(local: string, ns: string): string {
    if (!ns) return local;
    const prefix = NAMESPACE_PREFIXES[ns];
    if (!prefix) throw new Error(`no prefix known for namespace ${ns}`);
    return `${prefix}:${local}`;
  }

  private pattern(n: Node, g: Grammar, dir: string, ns: string): Pattern {
    const here = n.attrs.ns ?? ns;
    switch (n.tag) {
      case 'element':
      case 'attribute': {
        let name: NameClass;
        let rest = n.children;
        if (n.attrs.name !== undefined) {
          // Unprefixed attributes are in no namespace whatever ns says.
          name = { any: false, name: n.tag === 'attribute' ? n.attrs.name : this.qualify(n.attrs.name, here) };
        } else {
          name = this.nameClass(n.children[0]!, n.tag === 'attribute' ? '' : here);
          rest = n.children.slice(1);
        }
        if (n.tag === 'element') return { k: 'element', id: this.nextId++, name, content: this.group(rest, g, dir, here) };
        return { k: 'attribute', name, content: rest.length ? this.group(rest, g, dir, here) : { k: 'text' } };
      }
      case 'group':
      case 'interleave':
      case 'choice':
        return { k: n.tag, items: n.children.map((c) => this.pattern(c, g, dir, here)) };
      case 'optional':
      case 'zeroOrMore':
      case 'oneOrMore':
        return { k: n.tag, item: this.group(n.children, g, dir, here) };
      case 'mixed':
        return { k: 'interleave', items: [{ k: 'text' }, this.group(n.children, g, dir, here)] };
      case 'ref':
        return { k: 'ref', grammar: g, name: n.attrs.name! };
      case 'text':
      case 'empty':
      case 'notAllowed':
        return { k: n.tag };
      case 'data': {
        const params = n.children.filter((c) => c.tag === 'param').map((c) => ({ name: c.attrs.name!, value: c.text }));
        const ex = n.children.find((c) => c.tag === 'except');
        return { k: 'data', type: n.attrs.type!, params, except: ex ? this.group(ex.children, g, dir, here) : undefined };
      }
      case 'value':
        return { k: 'value', value: n.text };
      case 'grammar': {
        // A nested grammar: its own scope; the usual form (one include) shares the file's patterns.
        const only = n.children.length === 1 && n.children[0]!.tag === 'include' && n.children[0]!.children.length === 0;
        let inner: Grammar;
        if (only) inner = this.grammarOf(join(dir, n.children[0]!.attrs.href!));
        else {
          inner = new Grammar();
          this.loadInto(inner, n, dir, new Set(), new Set(), here);
        }
        return { k: 'ref', grammar: inner, name: START };
      }
      default:
        throw new Error(`unsupported RelaxNG element <${n.tag}>`);
    }
  }
}
