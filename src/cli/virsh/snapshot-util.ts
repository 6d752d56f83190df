// Helpers of the snapshot, checkpoint and node device commands: virBuffer as the *-create-as
// commands build XML with it, vshTreePrint, the few XPath strings virsh reads from a snapshot's or
// checkpoint's XML, and the creation time as GLib formats it.

import type { XmlElement } from '../../xml/tree.js';
import { escapeXML } from '../vsh/builtins.js';
import type { VshControl } from '../vsh/control.js';
import { xmlModule } from './xml.js';

/** virBuffer: text with an indent applied at the start of each line written, as libvirt does. */
export class XmlBuffer {
  private text = '';
  private indent = 0;

  /** virBufferAddLit / virBufferAsprintf with the values already in. */
  add(s: string): void {
    if (s === '') return;
    if (this.text === '' || this.text.endsWith('\n')) this.text += ' '.repeat(this.indent);
    this.text += s;
  }

  /** virBufferEscapeString: `fmt` with its %s replaced by `value` escaped; nothing when value is undefined. */
  escape(fmt: string, value: string | undefined): void {
    if (value === undefined) return;
    this.add(fmt.replace('%s', () => escapeXML(value)));
  }

  adjustIndent(by: number): void {
    this.indent = Math.max(0, this.indent + by);
  }

  toString(): string {
    return this.text;
  }
}

/** A lookup of vshTreePrint: the name of item `id`, or (parent) the name of its parent. */
export type TreeLookup = (id: number, parent: boolean) => string | null;

function treePrintInternal(ctl: VshControl, lookup: TreeLookup, num: number, devid: number, lastdev: number, root: boolean, indent: { s: string }): void {
  let nextlastdev = -1;
  const dev = lookup(devid, false)!;
  ctl.print('%s%s%s\n', indent.s, root ? '' : '+- ', dev);
  if (!root) indent.s += (devid === lastdev ? ' ' : '|') + ' ';
  for (let i = 0; i < num; i++) if (lookup(i, true) === dev) nextlastdev = i;
  if (nextlastdev !== -1) ctl.print('%s  |\n', indent.s);
  indent.s += '  ';
  for (let i = 0; i < num; i++) if (lookup(i, true) === dev) treePrintInternal(ctl, lookup, num, i, nextlastdev, false, indent);
  if (indent.s.endsWith('  ')) indent.s = indent.s.slice(0, -2);
  if (nextlastdev === -1 && devid === lastdev) ctl.print('%s\n', indent.s);
  if (!root) indent.s = indent.s.slice(0, -2);
}

/** vshTreePrint: item `devid` and its descendants, as an ASCII tree. */
export function treePrint(ctl: VshControl, lookup: TreeLookup, num: number, devid: number): void {
  treePrintInternal(ctl, lookup, num, devid, devid, true, { s: '' });
}

/** A parsed XML document, or null when it is not one (virXMLParseStringCtxt). */
export async function parseDoc(xml: string): Promise<XmlElement | null> {
  const { parseXmlTree } = await xmlModule();
  try {
    return parseXmlTree(xml);
  } catch {
    return null;
  }
}

/** The element at `path` below the root (first match at each step), or undefined. */
export function childAt(root: XmlElement, path: readonly string[]): XmlElement | undefined {
  let el: XmlElement | undefined = root;
  for (const name of path) {
    el = el.children.find((c) => c.name === name);
    if (!el) return undefined;
  }
  return el;
}

/** XPath's string value of an element: the text of it and all its descendants. */
function stringValue(el: XmlElement): string {
  return el.text + el.children.map(stringValue).join('');
}

/**
 * virXPathString("string(/root/a/b)"): the text at `path` below a root named `root`; null when
 * absent or empty (libvirt returns NULL for an empty string).
 */
export function xpathString(doc: XmlElement, root: string, path: readonly string[]): string | null {
  if (doc.name !== root) return null;
  const el = childAt(doc, path);
  if (!el) return null;
  const s = stringValue(el);
  return s === '' ? null : s;
}

/** virXPathLongLong on a string(): the number, or null when it does not parse as a whole. */
export function xpathLongLong(doc: XmlElement, root: string, path: readonly string[]): bigint | null {
  const s = xpathString(doc, root, path);
  if (s === null || !/^\s*[+-]?\d+$/.test(s)) return null;
  return BigInt(s.trim());
}


const two = (n: number) => String(n).padStart(2, '0');

/** g_date_time_format(g_date_time_new_from_unix_local(t), "%Y-%m-%d %H:%M:%S %z"). */
export function formatLocalTime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(a / 60))}${two(a % 60)}`;
}

