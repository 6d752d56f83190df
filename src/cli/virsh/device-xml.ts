// The XML virsh builds and rewrites for device commands: virBuffer's output (auto-indented lines,
// virXMLFormatElement) for attach-disk and attach-interface, and a small mutable tree of a parsed
// document with libxml2's xmlNodeDump for detach-disk, detach-interface and change-media.

import { parseXmlTree, type XmlElement } from '../../xml/tree.js';
import { escapeXML } from '../vsh/builtins.js';

/** virBuffer: text whose lines start with the buffer's indentation. */
export class VirBuffer {
  private text = '';
  constructor(public indent = 0) {}

  /** VIR_BUFFER_INIT_CHILD. */
  child(): VirBuffer {
    return new VirBuffer(this.indent + 2);
  }

  /** virBufferAddLit / virBufferAsprintf with the text already formatted. */
  add(s: string): void {
    if (!s) return;
    if (this.indent && (this.text === '' || this.text.endsWith('\n'))) this.text += ' '.repeat(this.indent);
    this.text += s;
  }

  /** virBufferEscapeString: nothing when `value` is absent. */
  escape(format: (v: string) => string, value: string | undefined): void {
    if (value === undefined) return;
    this.add(format(escapeXML(value)));
  }

  /** virBufferAddBuffer: the child's text as it is. */
  addBuffer(b: VirBuffer): void {
    this.text += b.text;
    b.text = '';
  }

  adjustIndent(n: number): void {
    this.indent += n;
  }

  get used(): number {
    return this.text.length;
  }

  toString(): string {
    return this.text;
  }
}

/** virXMLFormatElement: nothing when both buffers are empty. */
export function formatElement(buf: VirBuffer, name: string, attrs: VirBuffer | null, children: VirBuffer | null): void {
  if ((!attrs || attrs.used === 0) && (!children || children.used === 0)) return;
  buf.add(`<${name}`);
  if (attrs && attrs.used > 0) buf.addBuffer(attrs);
  if (children && children.used > 0) {
    buf.add('>\n');
    buf.addBuffer(children);
    buf.add(`</${name}>\n`);
  } else buf.add('/>\n');
}

export interface XNode {
  /** null for a text node. */
  name: string | null;
  attrs: [string, string][];
  children: XNode[];
  /** A text node's decoded text; raw markup (comments) kept as written when `raw`. */
  text: string;
  raw?: boolean;
}

const ENTITY: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decodeText = (s: string): string =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (w, r: string) => (r.startsWith('#x') ? String.fromCodePoint(parseInt(r.slice(2), 16)) : r.startsWith('#') ? String.fromCodePoint(Number(r.slice(1))) : (ENTITY[r] ?? w)));

/** The end of an element's start tag in its source: the offset after '>'. */
function startTagEnd(src: string, at: number): number {
  let quote = '';
  for (let i = at; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return src.length;
}

function textNode(raw: string): XNode {
  if (/<!--|<!\[CDATA\[|<\?/.test(raw)) return { name: null, attrs: [], children: [], text: raw, raw: true };
  return { name: null, attrs: [], children: [], text: decodeText(raw) };
}

function toNode(e: XmlElement): XNode {
  const attrs: [string, string][] = [];
  for (let i = 0; i < e.attributes.length; i += 2) attrs.push([e.attributes[i]!, e.attributes[i + 1]!]);
  const node: XNode = { name: e.written ?? e.name, attrs, children: [], text: '' };
  const src = e.source;
  const open = startTagEnd(src, e.start);
  if (src[open - 2] === '/') return node;
  const close = src.lastIndexOf('</', e.end - 1);
  let pos = open;
  for (const c of e.children) {
    if (c.start > pos) node.children.push(textNode(src.slice(pos, c.start)));
    node.children.push(toNode(c));
    pos = c.end;
  }
  if (close > pos) node.children.push(textNode(src.slice(pos, close)));
  return node;
}

/** A document as a tree of elements and text nodes (whitespace kept, as libxml2 keeps it). */
export function parseDocument(xml: string): XNode {
  return toNode(parseXmlTree(xml));
}

export const elements = (n: XNode): XNode[] => n.children.filter((c) => c.name !== null);
export const child = (n: XNode, name: string): XNode | undefined => n.children.find((c) => c.name === name);
export const attr = (n: XNode, name: string): string | undefined => n.attrs.find((a) => a[0] === name)?.[1];

/** xmlSetProp: replaces the attribute or appends it. */
export function setAttr(n: XNode, name: string, value: string): void {
  const a = n.attrs.find((x) => x[0] === name);
  if (a) a[1] = value;
  else n.attrs.push([name, value]);
}

/** xmlCopyNode(node, 1). */
export function copyNode(n: XNode): XNode {
  return { ...n, attrs: n.attrs.map((a) => [a[0], a[1]]), children: n.children.map(copyNode) };
}

/** What libxml2 writes for a character (without a document encoding, any non-ASCII one as a reference). */
function escapeChars(s: string, refs: Readonly<Record<string, string>>): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += Object.hasOwn(refs, ch) ? refs[ch] : c >= 0x80 ? `&#x${c.toString(16).toUpperCase()};` : ch;
  }
  return out;
}

const CONTENT_REFS = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '\r': '&#13;' };
const ATTR_REFS = { ...CONTENT_REFS, '"': '&quot;', '\n': '&#10;', '\t': '&#9;' };

/** xmlBufAttrSerializeTxtContent in a document without a declared encoding. */
export const escapeXmlAttr = (s: string): string => escapeChars(s, ATTR_REFS);

/** xmlEscapeContent in a document without a declared encoding. */
export const escapeXmlContent = (s: string): string => escapeChars(s, CONTENT_REFS);

/** virXMLNodeToString: libxml2's xmlNodeDump of a node, unformatted, in a document without an encoding. */
export function nodeToString(n: XNode): string {
  if (n.name === null) return n.raw ? n.text : escapeXmlContent(n.text);
  let s = `<${n.name}`;
  for (const [k, v] of n.attrs) s += ` ${k}="${escapeXmlAttr(v)}"`;
  if (n.children.length === 0) return s + '/>';
  return s + '>' + n.children.map(nodeToString).join('') + `</${n.name}>`;
}
