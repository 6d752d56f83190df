// XPath 1.0 over the daemon's XML (parsed with libvirt-rpc/xml's parseXmlTree, blanks dropped as
// libxml2 does with xmlKeepBlanksDefault(0)), and nodes printed as libxml2's xmlNodeDump prints
// them: what virsh's --xpath options (dumpxml, net-dumpxml, ...) show.

import type { XmlElement } from '../../xml/tree.js';
import { xmlModule } from './xml.js';
import type { VirshControl } from './control.js';

export type XNode =
  | { kind: 'root'; children: XNode[]; parent: null }
  | { kind: 'element'; name: string; el: XmlElement; children: XNode[]; attrs: XNode[]; parent: XNode }
  | { kind: 'attribute'; name: string; value: string; parent: XNode }
  | { kind: 'text'; value: string; parent: XNode };

type Value = XNode[] | string | number | boolean;

/** The document as XPath nodes, in document order. */
export async function xpathDocument(xml: string): Promise<XNode> {
  const { parseXmlTree } = await xmlModule();
  const root: XNode = { kind: 'root', children: [], parent: null };
  const build = (el: XmlElement, parent: XNode): XNode => {
    const node = { kind: 'element' as const, name: el.name, el, children: [] as XNode[], attrs: [] as XNode[], parent };
    for (let i = 0; i < el.attributes.length; i += 2) node.attrs.push({ kind: 'attribute', name: el.attributes[i]!, value: el.attributes[i + 1]!, parent: node });
    // Blank text between elements is dropped (xmlKeepBlanksDefault(0)); other text is one node.
    if (el.text !== '' && (el.children.length === 0 || el.text.trim() !== '')) node.children.push({ kind: 'text', value: el.text, parent: node });
    for (const c of el.children) node.children.push(build(c, node));
    return node;
  };
  root.children.push(build(parseXmlTree(xml), root));
  return root;
}

// --- Tokens ---------------------------------------------------------------------------------

type Tok = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'name'; v: string } | { t: 'op'; v: string } | { t: 'var'; v: string };

export class XPathSyntaxError extends Error {
  constructor(
    message: string,
    /** Offset of the mistake; -1 when libxml2 shows none. */
    readonly at: number,
    readonly before = '',
  ) {
    super(message);
  }
}

function tokenize(s: string): { toks: Tok[]; pos: number[] } {
  const toks: Tok[] = [];
  const pos: number[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    pos.push(i);
    const two = s.slice(i, i + 2);
    if (['//', '..', '::', '!=', '<=', '>='].includes(two)) {
      toks.push({ t: 'op', v: two });
      i += 2;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]*/.exec(s.slice(i))![0];
      toks.push({ t: 'num', v: Number(m) });
      i += m.length;
    } else if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new XPathSyntaxError('Unfinished literal', s.length);
      toks.push({ t: 'str', v: s.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][\w.-]*)/.exec(s.slice(i));
      if (!m) throw new XPathSyntaxError('Invalid expression', i);
      toks.push({ t: 'var', v: m[1]! });
      i += m[0].length;
    } else if ('()[]@,|+-=<>*/.'.includes(c)) {
      toks.push({ t: 'op', v: c });
      i++;
    } else {
      const m = /^[A-Za-z_\u00c0-\uffff][\w.\u00b7\u00c0-\uffff-]*(:(\*|[A-Za-z_\u00c0-\uffff][\w.\u00b7\u00c0-\uffff-]*))?/.exec(s.slice(i));
      if (!m) throw new XPathSyntaxError('Invalid expression', i);
      toks.push({ t: 'name', v: m[0] });
      i += m[0].length;
    }
  }
  pos.push(s.length);
  return { toks, pos };
}

// --- Parser to closures --------------------------------------------------------------------

interface Ctx {
  node: XNode;
  position: number;
  size: number;
}
type Expr = (ctx: Ctx) => Value;

const AXES = ['ancestor', 'ancestor-or-self', 'attribute', 'child', 'descendant', 'descendant-or-self', 'following', 'following-sibling', 'parent', 'preceding', 'preceding-sibling', 'self'];

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly pos: number[],
  ) {}

  private peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  private isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.t === 'op' && t.v === v;
  }
  private fail(message = 'Invalid expression'): never {
    throw new XPathSyntaxError(message, this.pos[this.i] ?? this.pos[this.pos.length - 1]!);
  }
  private expect(v: string): void {
    if (!this.isOp(v)) this.fail();
    this.i++;
  }

  parse(): Expr {
    const e = this.or();
    if (this.i < this.toks.length) this.fail();
    return e;
  }

  private binary(next: () => Expr, ops: string[], apply: (op: string, a: Expr, b: Expr) => Expr): Expr {
    let left = next();
    for (;;) {
      const t = this.peek();
      const op = t && (t.t === 'op' || t.t === 'name') ? t.v : undefined;
      if (op === undefined || !ops.includes(op)) return left;
      // "and", "or", "div", "mod" are operators only where an operator can stand.
      this.i++;
      const right = next();
      left = apply(op, left, right);
    }
  }

  private or(): Expr {
    return this.binary(() => this.and(), ['or'], (_op, a, b) => (c) => toBool(a(c)) || toBool(b(c)));
  }
  private and(): Expr {
    return this.binary(() => this.equality(), ['and'], (_op, a, b) => (c) => toBool(a(c)) && toBool(b(c)));
  }
  private equality(): Expr {
    return this.binary(() => this.relational(), ['=', '!='], (op, a, b) => (c) => compare(op, a(c), b(c)));
  }
  private relational(): Expr {
    return this.binary(() => this.additive(), ['<', '<=', '>', '>='], (op, a, b) => (c) => compare(op, a(c), b(c)));
  }
  private additive(): Expr {
    return this.binary(() => this.multiplicative(), ['+', '-'], (op, a, b) => (c) => (op === '+' ? toNum(a(c)) + toNum(b(c)) : toNum(a(c)) - toNum(b(c))));
  }
  private multiplicative(): Expr {
    return this.binary(() => this.unary(), ['*', 'div', 'mod'], (op, a, b) => (c) => {
      const x = toNum(a(c));
      const y = toNum(b(c));
      return op === '*' ? x * y : op === 'div' ? x / y : x % y;
    });
  }
  private unary(): Expr {
    if (this.isOp('-')) {
      this.i++;
      const e = this.unary();
      return (c) => -toNum(e(c));
    }
    return this.union();
  }
  private union(): Expr {
    return this.binary(() => this.pathExpr(), ['|'], (_op, a, b) => (c) => {
      const x = a(c);
      const y = b(c);
      if (!Array.isArray(x) || !Array.isArray(y)) throw new XPathSyntaxError('Invalid type', 0);
      return docOrder([...x, ...y]);
    });
  }

  private pathExpr(): Expr {
    const t = this.peek();
    const isPrimary =
      t !== undefined &&
      (t.t === 'num' || t.t === 'str' || t.t === 'var' || (t.t === 'op' && t.v === '(') || (t.t === 'name' && this.isOp('(', 1) && !['node', 'text', 'comment', 'processing-instruction'].includes(t.v)));
    if (!isPrimary) return this.locationPath();
    let e = this.primary();
    while (this.isOp('[')) {
      const pred = this.predicate();
      const base = e;
      e = (c) => filter(asNodes(base(c)), pred, false);
    }
    if (this.isOp('/') || this.isOp('//')) {
      const base = e;
      const rest = this.relativeSteps(this.isOp('//'));
      return (c) => rest(asNodes(base(c)));
    }
    return e;
  }

  private primary(): Expr {
    const t = this.peek()!;
    this.i++;
    if (t.t === 'num') return () => t.v;
    if (t.t === 'str') return () => t.v;
    if (t.t === 'var') this.fail('Undefined variable');
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      this.expect(')');
      return e;
    }
    const name = t.v;
    this.expect('(');
    const args: Expr[] = [];
    // As libxml2: the end of the expression also closes an argument list.
    if (!this.isOp(')') && this.peek() !== undefined) {
      args.push(this.or());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.or());
      }
    }
    if (args.length || this.peek() !== undefined) this.expect(')');
    const fn = FUNCTIONS[name];
    // libxml2 finds an unknown function when evaluating: no position, a line of its own first.
    if (!fn)
      return () => {
        throw new XPathSyntaxError('Unregistered function', -1, `xmlXPathCompOpEval: function ${name} not found\n`);
      };
    return (c) => fn(c, args);
  }

  private predicate(): Expr {
    this.expect('[');
    const e = this.or();
    if (!this.isOp(']')) this.fail('Invalid predicate');
    this.i++;
    return e;
  }

  private locationPath(): Expr {
    if (this.isOp('/') || this.isOp('//')) {
      const deep = this.isOp('//');
      const t = this.peek(1);
      const startsStep = t !== undefined && (t.t === 'name' || (t.t === 'op' && ['.', '..', '@', '*'].includes(t.v)));
      if (!deep && !startsStep) {
        this.i++;
        return (c) => [rootOf(c.node)];
      }
      const rest = this.relativeSteps(deep);
      return (c) => rest([rootOf(c.node)]);
    }
    const steps = this.stepsFrom();
    return (c) => steps([c.node]);
  }

  /** Steps after a leading '/' or '//' (consumed here). */
  private relativeSteps(deep: boolean): (nodes: XNode[]) => XNode[] {
    this.i++;
    const rest = this.stepsFrom();
    if (!deep) return rest;
    return (nodes) => rest(docOrder(nodes.flatMap((n) => axis('descendant-or-self', n))));
  }

  private stepsFrom(): (nodes: XNode[]) => XNode[] {
    const steps: ((nodes: XNode[]) => XNode[])[] = [this.step()];
    while (this.isOp('/') || this.isOp('//')) {
      const deep = this.isOp('//');
      this.i++;
      if (deep) steps.push((nodes) => docOrder(nodes.flatMap((n) => axis('descendant-or-self', n))));
      steps.push(this.step());
    }
    return (nodes) => steps.reduce((acc, s) => s(acc), nodes);
  }

  private step(): (nodes: XNode[]) => XNode[] {
    if (this.isOp('.')) {
      this.i++;
      return (nodes) => nodes;
    }
    if (this.isOp('..')) {
      this.i++;
      return (nodes) => docOrder(nodes.flatMap((n) => (n.parent ? [n.parent] : [])));
    }
    let axisName = 'child';
    if (this.isOp('@')) {
      this.i++;
      axisName = 'attribute';
    } else {
      const t = this.peek();
      if (t?.t === 'name' && this.isOp('::', 1)) {
        if (!AXES.includes(t.v)) this.fail();
        axisName = t.v;
        this.i += 2;
      }
    }
    const test = this.nodeTest(axisName);
    const preds: Expr[] = [];
    while (this.isOp('[')) preds.push(this.predicate());
    const reverse = ['ancestor', 'ancestor-or-self', 'preceding', 'preceding-sibling'].includes(axisName);
    return (nodes) => {
      const out: XNode[] = [];
      for (const n of nodes) {
        let sel = axis(axisName, n).filter(test);
        for (const p of preds) sel = filter(sel, p, reverse);
        out.push(...sel);
      }
      return docOrder(out);
    };
  }

  private nodeTest(axisName: string): (n: XNode) => boolean {
    const t = this.peek();
    if (!t) this.fail();
    const principal = axisName === 'attribute' ? 'attribute' : 'element';
    if (t!.t === 'op' && t!.v === '*') {
      this.i++;
      return (n) => n.kind === principal;
    }
    if (t!.t !== 'name') this.fail();
    this.i++;
    const name = t!.v;
    if (this.isOp('(') && !['node', 'text', 'comment', 'processing-instruction'].includes(name)) {
      // A function call where a step is expected: libxml2 stops after the '('.
      this.i++;
      this.fail();
    }
    if (this.isOp('(')) {
      this.i++;
      if (this.peek()?.t === 'str') this.i++;
      this.expect(')');
      if (name === 'node') return () => true;
      if (name === 'text') return (n) => n.kind === 'text';
      return () => false;
    }
    if (name.endsWith(':*')) {
      const prefix = name.slice(0, -1);
      return (n) => n.kind === principal && n.name.startsWith(prefix);
    }
    return (n) => n.kind === principal && n.name === name;
  }
}

function rootOf(n: XNode): XNode {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

function childrenOf(n: XNode): XNode[] {
  return n.kind === 'root' || n.kind === 'element' ? n.children : [];
}

function descendants(n: XNode, out: XNode[]): XNode[] {
  for (const c of childrenOf(n)) {
    out.push(c);
    descendants(c, out);
  }
  return out;
}

function axis(name: string, n: XNode): XNode[] {
  switch (name) {
    case 'child':
      return childrenOf(n);
    case 'attribute':
      return n.kind === 'element' ? n.attrs : [];
    case 'self':
      return [n];
    case 'parent':
      return n.parent ? [n.parent] : [];
    case 'descendant':
      return descendants(n, []);
    case 'descendant-or-self':
      return descendants(n, [n]);
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: XNode[] = name === 'ancestor-or-self' ? [n] : [];
      for (let p = n.parent; p; p = p.parent) out.push(p);
      return out;
    }
    case 'following-sibling':
    case 'preceding-sibling': {
      if (!n.parent || n.kind === 'attribute') return [];
      const sibs = childrenOf(n.parent);
      const i = sibs.indexOf(n);
      return name === 'following-sibling' ? sibs.slice(i + 1) : sibs.slice(0, i).reverse();
    }
    case 'following':
    case 'preceding': {
      const all = descendants(rootOf(n), []);
      const order = new Map(all.map((x, i) => [x, i]));
      const anc = new Set(axis('ancestor-or-self', n));
      const me = order.get(n.kind === 'attribute' ? n.parent : n) ?? -1;
      if (name === 'following') {
        const mine = new Set(descendants(n, []));
        return all.filter((x) => order.get(x)! > me && !mine.has(x));
      }
      return all.filter((x) => order.get(x)! < me && !anc.has(x)).reverse();
    }
  }
  return [];
}

/** Nodes in document order, without repeats. */
function docOrder(nodes: XNode[]): XNode[] {
  if (nodes.length < 2) return nodes;
  const uniq = [...new Set(nodes)];
  const keys = new Map<XNode, number[]>();
  const key = (n: XNode): number[] => {
    let k = keys.get(n);
    if (k) return k;
    const p = n.parent;
    if (!p) k = [];
    else if (n.kind === 'attribute') k = [...key(p), -1, (p as { attrs: XNode[] }).attrs.indexOf(n)];
    else k = [...key(p), childrenOf(p).indexOf(n)];
    keys.set(n, k);
    return k;
  };
  return uniq.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

function filter(nodes: XNode[], pred: Expr, reverse: boolean): XNode[] {
  const size = nodes.length;
  return nodes.filter((node, i) => {
    const v = pred({ node, position: reverse ? i + 1 : i + 1, size });
    return typeof v === 'number' ? v === i + 1 : toBool(v);
  });
}

function asNodes(v: Value): XNode[] {
  if (!Array.isArray(v)) throw new XPathSyntaxError('Invalid type', 0);
  return v;
}

export function stringValue(n: XNode): string {
  switch (n.kind) {
    case 'attribute':
    case 'text':
      return n.value;
    default:
      return descendants(n, [])
        .filter((d) => d.kind === 'text')
        .map((d) => (d as { value: string }).value)
        .join('');
  }
}

function toStr(v: Value): string {
  if (Array.isArray(v)) return v.length ? stringValue(v[0]!) : '';
  if (typeof v === 'number') return numToString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}

function numToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n)) return String(n);
  return String(n);
}

function toNum(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toStr(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function toBool(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function compare(op: string, a: Value, b: Value): boolean {
  const cmp = (x: string | number | boolean, y: string | number | boolean): boolean => {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof x === 'boolean' || typeof y === 'boolean') eq = toBool(x) === toBool(y);
      else if (typeof x === 'number' || typeof y === 'number') eq = toNum(x) === toNum(y);
      else eq = x === y;
      return op === '=' ? eq : !eq;
    }
    const p = toNum(x);
    const q = toNum(y);
    return op === '<' ? p < q : op === '<=' ? p <= q : op === '>' ? p > q : p >= q;
  };
  if (Array.isArray(a) && Array.isArray(b)) return a.some((x) => b.some((y) => cmp(stringValue(x), stringValue(y))));
  if (Array.isArray(a)) return a.some((x) => cmp(typeof b === 'number' ? toNum(stringValue(x)) : typeof b === 'boolean' ? toBool(a) : stringValue(x), b as string | number | boolean));
  if (Array.isArray(b)) return b.some((y) => cmp(a as string | number | boolean, typeof a === 'number' ? toNum(stringValue(y)) : typeof a === 'boolean' ? toBool(b) : stringValue(y)));
  return cmp(a, b);
}

const FUNCTIONS: Record<string, (c: Ctx, args: Expr[]) => Value> = {
  last: (c) => c.size,
  position: (c) => c.position,
  count: (c, [a]) => asNodes(a!(c)).length,
  name: (c, a) => {
    const n = a.length ? asNodes(a[0]!(c))[0] : c.node;
    return n && (n.kind === 'element' || n.kind === 'attribute') ? n.name : '';
  },
  'local-name': (c, a) => {
    const n = a.length ? asNodes(a[0]!(c))[0] : c.node;
    return n && (n.kind === 'element' || n.kind === 'attribute') ? n.name.replace(/^.*:/, '') : '';
  },
  string: (c, a) => (a.length ? toStr(a[0]!(c)) : stringValue(c.node)),
  concat: (c, a) => a.map((e) => toStr(e(c))).join(''),
  'starts-with': (c, [a, b]) => toStr(a!(c)).startsWith(toStr(b!(c))),
  contains: (c, [a, b]) => toStr(a!(c)).includes(toStr(b!(c))),
  'substring-before': (c, [a, b]) => {
    const s = toStr(a!(c));
    const i = s.indexOf(toStr(b!(c)));
    return i < 0 ? '' : s.slice(0, i);
  },
  'substring-after': (c, [a, b]) => {
    const s = toStr(a!(c));
    const t = toStr(b!(c));
    const i = s.indexOf(t);
    return i < 0 ? '' : s.slice(i + t.length);
  },
  substring: (c, [a, b, l]) => {
    const s = [...toStr(a!(c))];
    const start = Math.round(toNum(b!(c)));
    const len = l ? Math.round(toNum(l(c))) : Infinity;
    return s.filter((_, i) => i + 1 >= start && i + 1 < start + len).join('');
  },
  'string-length': (c, a) => [...(a.length ? toStr(a[0]!(c)) : stringValue(c.node))].length,
  'normalize-space': (c, a) => (a.length ? toStr(a[0]!(c)) : stringValue(c.node)).trim().replace(/\s+/g, ' '),
  translate: (c, [a, b, d]) => {
    const from = [...toStr(b!(c))];
    const to = [...toStr(d!(c))];
    return [...toStr(a!(c))].map((ch) => {
      const i = from.indexOf(ch);
      return i < 0 ? ch : (to[i] ?? '');
    }).join('');
  },
  not: (c, [a]) => !toBool(a!(c)),
  true: () => true,
  false: () => false,
  boolean: (c, [a]) => toBool(a!(c)),
  number: (c, a) => (a.length ? toNum(a[0]!(c)) : toNum(stringValue(c.node))),
  sum: (c, [a]) => asNodes(a!(c)).reduce((s, n) => s + toNum(stringValue(n)), 0),
  floor: (c, [a]) => Math.floor(toNum(a!(c))),
  ceiling: (c, [a]) => Math.ceil(toNum(a!(c))),
  round: (c, [a]) => Math.round(toNum(a!(c))),
};

/** Compiles an XPath expression; throws XPathSyntaxError with the offset of the mistake. */
export function compileXPath(expr: string): (context: XNode) => Value {
  const { toks, pos } = tokenize(expr);
  const e = new Parser(toks, pos).parse();
  return (node) => e({ node, position: 1, size: 1 });
}

/** The context virsh evaluates in: the document's root element. */
export function rootElement(doc: XNode): XNode {
  return childrenOf(doc).find((n) => n.kind === 'element')!;
}

// --- Output as xmlNodeDump(format=1) --------------------------------------------------------

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
const escAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

/** virXMLNodeToString: xmlNodeDump(buf, doc, node, 0, 1). */
export function nodeToString(n: XNode, level = 0): string {
  switch (n.kind) {
    case 'text':
      return escText(n.value);
    case 'attribute':
      return ` ${n.name}="${escAttr(n.value)}"`;
    case 'root':
      return '<?xml version="1.0" encoding="UTF-8"?>\n' + n.children.map((c) => nodeToString(c, level) + '\n').join('');
    case 'element': {
      let out = `<${n.name}`;
      for (const a of n.attrs) out += nodeToString(a);
      if (!n.children.length) return out + '/>';
      out += '>';
      const formatted = n.children.every((c) => c.kind === 'element');
      if (formatted) {
        const pad = '  '.repeat(level + 1);
        for (const c of n.children) out += '\n' + pad + nodeToString(c, level + 1);
        out += '\n' + '  '.repeat(level);
      } else for (const c of n.children) out += nodeToString(c, level + 1);
      return out + `</${n.name}>`;
    }
  }
}

/** virshDumpXML with --xpath: each selected node on its own line, or all inside <nodes> with --wrap. */
export async function printXPath(ctl: VirshControl, xml: string, xpath: string, wrap: boolean): Promise<boolean> {
  let doc: XNode;
  try {
    doc = await xpathDocument(xml);
  } catch (e) {
    if (e instanceof (await xmlModule()).XmlError) {
      ctl.lastError = { message: `XML error: ${e.message}`, code: -1, domain: 0 };
      return false;
    }
    throw e;
  }
  let result: Value;
  try {
    result = compileXPath(xpath)(rootElement(doc));
  } catch (e) {
    if (e instanceof XPathSyntaxError) {
      // libxml2 reports on stderr and evaluates to nothing; virsh then prints no node.
      // The expression and a caret under the mistake, unless it is at the very end.
      const context = e.at >= 0 && e.at < xpath.length ? `${xpath}\n${' '.repeat(e.at)}^\n` : '';
      ctl.io.stderr(`${e.before}XPath error : ${e.message}\n${context}`);
      return true;
    }
    throw e;
  }
  if (!Array.isArray(result)) {
    ctl.lastError = { message: `internal error: Incorrect xpath '${xpath}'`, code: 1, domain: 0 };
    return false;
  }
  if (wrap) {
    const root: XNode = { kind: 'root', children: [], parent: null };
    // xmlAddChild puts an attribute among the properties, replacing one of the same name.
    const attrs = new Map<string, XNode>();
    for (const n of result)
      if (n.kind === 'attribute') {
        attrs.delete(n.name);
        attrs.set(n.name, n);
      }
    const wrapper = { kind: 'element' as const, name: 'nodes', el: null as unknown as XmlElement, children: result.filter((n) => n.kind !== 'attribute'), attrs: [...attrs.values()], parent: root };
    ctl.print('%s\n', nodeToString(wrapper));
  } else for (const n of result) ctl.print('%s\n', nodeToString(n));
  return true;
}
