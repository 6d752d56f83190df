// iface-bridge and iface-unbridge's rewriting of an interface definition (virsh-interface.c does it
// on a libxml2 tree): the checks with virsh's messages, and the new document to define.

import { parseXmlTree, type XmlElement } from '../../xml/tree.js';

/** An element being rearranged: attributes in order, its text and child elements. */
interface EditNode {
  name: string;
  attrs: [string, string][];
  text: string;
  children: EditNode[];
}

/** The document to define, or the vshError message of the check that failed (parse: the XML did not parse). */
export type Rewrite = { xml: string; name: string } | { error: string; parse?: string };

function toEditNode(e: XmlElement): EditNode {
  const attrs: [string, string][] = [];
  for (let i = 0; i < e.attributes.length; i += 2) attrs.push([e.attributes[i]!, e.attributes[i + 1]!]);
  return { name: e.written ?? e.name, attrs, text: e.text, children: e.children.map(toEditNode) };
}

function getProp(n: EditNode, name: string): string | null {
  return n.attrs.find(([k]) => k === name)?.[1] ?? null;
}

/** xmlSetProp: replaces the value in place, or adds the attribute at the end. */
function setProp(n: EditNode, name: string, value: string): void {
  const a = n.attrs.find(([k]) => k === name);
  if (a) a[1] = value;
  else n.attrs.push([name, value]);
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

/** The element as XML for the daemon to parse (whitespace-only text between elements left out). */
function serialize(n: EditNode): string {
  let out = `<${n.name}`;
  for (const [k, v] of n.attrs) out += ` ${k}="${escapeAttr(v)}"`;
  const text = n.children.length && n.text.trim() === '' ? '' : n.text;
  if (!n.children.length && text === '') return out + '/>';
  out += '>' + escapeText(text);
  for (const c of n.children) out += '\n' + serialize(c);
  return out + (n.children.length ? '\n' : '') + `</${n.name}>`;
}

/** xmlDocDumpMemory of the rewritten document. */
const document = (top: EditNode): string => `<?xml version="1.0"?>\n${serialize(top)}\n`;

function parse(xml: string, what: string): EditNode | string {
  try {
    return toEditNode(parseXmlTree(xml));
  } catch (e) {
    return `XML error: ${what}: ${(e as Error).message}`;
  }
}

/** The elements iface-bridge moves down into the bridged interface, and iface-unbridge back up. */
const MOVED = new Set(['mac', 'bond', 'vlan']);

function moveChildren(from: EditNode, to: EditNode): void {
  const moved = from.children.filter((c) => MOVED.has(c.name));
  from.children = from.children.filter((c) => !MOVED.has(c.name));
  to.children.push(...moved);
}

/** "%s" of a string that may be NULL, as glibc prints it. */
const nullable = (s: string | null) => s ?? '(null)';

/**
 * iface-bridge: interface `ifName` (its inactive XML `ifXml`) becomes bridge `brName` holding it,
 * with STP on or off and, with STP, the forward delay.
 */
export function bridgeDefinition(ifXml: string, ifName: string, brName: string, stp: boolean, delay: number): Rewrite {
  const top = parse(ifXml, '(interface definition)');
  if (typeof top === 'string') return { error: `Failed to parse configuration of ${ifName}`, parse: top };
  const ifType = getProp(top, 'type');
  if (ifType === null) return { error: `Existing device ${ifName} has no type` };
  if (ifType === 'bridge') return { error: `Existing device ${ifName} is already a bridge` };
  const if2Name = getProp(top, 'name');
  if (if2Name === null || if2Name !== ifName) return { error: `Interface name from config ${nullable(if2Name)} doesn't match given supplied name ${ifName}` };
  const bridge: EditNode = { name: 'bridge', attrs: [['stp', stp ? 'on' : 'off']], text: '', children: [] };
  top.children.push(bridge);
  // "%d" of an unsigned int, as virsh prints it.
  if (stp) setProp(bridge, 'delay', String(delay | 0));
  setProp(top, 'type', 'bridge');
  setProp(top, 'name', brName);
  const attached: EditNode = { name: 'interface', attrs: [['type', ifType], ['name', ifName]], text: '', children: [] };
  bridge.children.push(attached);
  moveChildren(top, attached);
  return { xml: document(top), name: brName };
}

/** iface-unbridge: bridge `brName` (its inactive XML `brXml`) gives way to the one interface it holds. */
export function unbridgeDefinition(brXml: string, brName: string): Rewrite {
  const top = parse(brXml, '(bridge interface definition)');
  if (typeof top === 'string') return { error: `Failed to parse configuration of ${brName}`, parse: top };
  const type = getProp(top, 'type');
  if (type === null) return { error: `Existing device ${brName} has no type` };
  if (type !== 'bridge') return { error: `Device ${brName} is not a bridge` };
  const topName = getProp(top, 'name');
  if (topName === null || topName !== brName) return { error: `Interface name from config ${nullable(topName)} doesn't match given supplied name ${brName}` };
  // The XPaths ./bridge, ./bridge/interface[2] and ./bridge/interface.
  const bridges = top.children.filter((c) => c.name === 'bridge');
  if (!bridges.length) return { error: 'No bridge node in xml document' };
  const attachedOf = (b: EditNode) => b.children.filter((c) => c.name === 'interface');
  if (bridges.some((b) => attachedOf(b).length > 1)) return { error: 'Multiple interfaces attached to bridge' };
  const ifNode = bridges.map(attachedOf).find((l) => l.length)?.[0];
  if (!ifNode) return { error: 'No interface attached to bridge' };
  const ifName = getProp(ifNode, 'name');
  if (ifName === null) return { error: `Device attached to bridge ${brName} has no name` };
  const ifType = getProp(ifNode, 'type');
  if (ifType === null) return { error: `Attached device ${ifName} has no type` };
  setProp(top, 'type', ifType);
  setProp(top, 'name', ifName);
  moveChildren(ifNode, top);
  return { xml: document(top), name: ifName };
}
