// What the monitoring commands (virsh-domain-monitor.c, virsh-host.c) share, and with them the
// storage and configuration commands: vshPrettyCapacity, MAC addresses as virMacAddrParse reads
// them, the domain's XML as virshDomainGetXMLFromDom reads it, and the little XPath they evaluate
// over the daemon's XML, done on the element tree with XPath's rules (string() of a node set is
// its first node in document order; virXPathString gives NULL for an empty string).

import type { Domain } from '../../index.js';
import { parseXmlTree, type XmlElement } from '../../xml/tree.js';
import type { Cmd } from '../vsh/cmd.js';
import { FAILED } from '../vsh/control.js';
import { strtou } from '../vsh/numbers.js';
import type { VirshControl } from './control.js';
import { optDomain } from './util.js';

const CAPACITY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** vshPrettyCapacity: the value in the largest unit below 1024 of it. */
export function prettyCapacity(val: bigint | number): { value: number; unit: string } {
  const v = Number(val);
  let limit = 1024;
  for (let i = 0; i < CAPACITY_UNITS.length - 1; i++) {
    if (v < limit) return { value: i === 0 ? v : v / (limit / 1024), unit: CAPACITY_UNITS[i]! };
    limit *= 1024;
  }
  return { value: v / (limit / 1024), unit: 'EiB' };
}

/** virMacAddrParse then virMacAddrFormat: the address in lower case, or '' when `s` is not one. */
export function normalizeMac(s: string): string {
  const bytes: number[] = [];
  let rest = s;
  for (let i = 0; i < 6; i++) {
    if (!/^[0-9a-fA-F]/.test(rest)) return '';
    const r = strtou(rest, 16);
    if (r.end < 1 || r.end > 2 || r.value > 0xffn) return '';
    bytes.push(Number(r.value));
    const next = rest.charCodeAt(r.end);
    if (i === 5 && (r.end === rest.length || next <= 0x20)) return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
    if (rest[r.end] !== ':') return '';
    rest = rest.slice(r.end + 1);
  }
  return '';
}

/** The value of an attribute (of an element that may be absent), or undefined. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  for (let i = 0; i < el.attributes.length; i += 2) if (el.attributes[i] === name) return el.attributes[i + 1];
  return undefined;
}

/** The first child element called `name`, or undefined. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The child elements called `name` (the location step ./name). */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el?.children.filter((c) => c.name === name) ?? [];
}

/** The elements a relative path of child steps selects ("devices/disk"), in document order. */
export function select(el: XmlElement, path: string): XmlElement[] {
  let nodes = [el];
  for (const step of path.split('/')) nodes = nodes.flatMap((n) => childrenNamed(n, step));
  return nodes;
}

/**
 * virXPathString("string(./path/@a|./path/@b|...)"): the first of those attributes in document
 * order (elements in order, then each element's attributes as written); null when none or empty.
 */
export function attrString(el: XmlElement, path: string, ...names: string[]): string | null {
  for (const n of select(el, path)) {
    for (let i = 0; i < n.attributes.length; i += 2) {
      if (names.includes(n.attributes[i]!)) return n.attributes[i + 1] || null;
    }
  }
  return null;
}

/** virshDomainGetXMLFromDom: the parsed domain XML, or null after virsh's errors. */
export async function domainXMLFromDom(ctl: VirshControl, dom: Domain, flags: number): Promise<XmlElement | null> {
  const desc = await ctl.call(dom.getXMLDesc(flags));
  if (desc === FAILED) {
    ctl.error('Failed to get domain description xml');
    return null;
  }
  try {
    return parseXmlTree(desc);
  } catch {
    ctl.error('Failed to parse domain description xml');
    return null;
  }
}

/** virshDomainGetXML: looks the command's domain up (again, as virsh does) and parses its XML. */
export async function domainXML(ctl: VirshControl, cmd: Cmd, flags: number): Promise<XmlElement | null> {
  const found = await optDomain(ctl, cmd);
  if (!found) return null;
  return domainXMLFromDom(ctl, found.dom, flags);
}
