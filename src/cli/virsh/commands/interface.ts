// virsh-interface.c: the "Interface" group (iface-edit is ported with the other *-edit commands).

import { VIR_CONNECT_LIST_INTERFACES_ACTIVE, VIR_CONNECT_LIST_INTERFACES_INACTIVE, VIR_ERR_NO_SUPPORT, VIR_INTERFACE_DEFINE_VALIDATE, VIR_INTERFACE_XML_INACTIVE, type Interface } from '../../../index.js';
import { parseXmlTree, type XmlElement } from '../../../xml/index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { optInterface, tolerate } from '../network-util.js';
import { connOf, dumpXML, readFileAll, VIRSH_BYMAC, VIRSH_BYNAME } from '../util.js';
import { strcasecmp } from './domain-monitor.js';

/** virshInterfaceListCollect: the interfaces `flags` selects, by name; null after an error. */
async function collectInterfaces(ctl: VirshControl, flags: number): Promise<Interface[] | null> {
  const conn = connOf(ctl);
  const all = await ctl.call(conn.listAllInterfaces(flags));
  let list: Interface[];
  if (all !== FAILED) list = all;
  else if (ctl.lastError?.code === VIR_ERR_NO_SUPPORT) {
    // Daemons before 0.10.2: the names, then a lookup of each.
    ctl.resetError();
    const names: string[] = [];
    const collect = async (count: () => Promise<number>, listNames: (n: number) => Promise<string[]>, what: string): Promise<boolean> => {
      const n = await ctl.call(count());
      if (n === FAILED) {
        ctl.error(`Failed to list ${what} interfaces`);
        return false;
      }
      if (!n) return true;
      const got = await ctl.call(listNames(n));
      if (got === FAILED) {
        ctl.error(`Failed to list ${what} interfaces`);
        return false;
      }
      names.push(...got);
      return true;
    };
    if (flags & VIR_CONNECT_LIST_INTERFACES_ACTIVE && !(await collect(() => conn.numOfInterfaces(), (n) => conn.listInterfaces(n), 'active'))) return null;
    if (flags & VIR_CONNECT_LIST_INTERFACES_INACTIVE && !(await collect(() => conn.numOfDefinedInterfaces(), (n) => conn.listDefinedInterfaces(n), 'inactive'))) return null;
    list = [];
    for (const name of names) {
      const iface = await ctl.call(conn.interfaceLookupByName(name));
      if (iface === FAILED) ctl.resetError();
      else list.push(iface);
    }
  } else {
    ctl.error('Failed to list interfaces');
    return null;
  }
  return list.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

async function cmdInterfaceList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const inactive = cmd.has('inactive');
  const all = cmd.has('all');
  let flags = VIR_CONNECT_LIST_INTERFACES_ACTIVE;
  cmd.exclusive('all', 'inactive');
  if (inactive) flags = VIR_CONNECT_LIST_INTERFACES_INACTIVE;
  if (all) flags = VIR_CONNECT_LIST_INTERFACES_INACTIVE | VIR_CONNECT_LIST_INTERFACES_ACTIVE;
  const list = await collectInterfaces(ctl, flags);
  if (!list) return false;
  const table = new Table('Name', 'State', 'MAC Address');
  for (const iface of list) {
    // A failed virInterfaceIsActive (-1) counts as active in virsh.
    const active = await tolerate(ctl, iface.isActive(), true);
    table.add(iface.getName(), active ? 'active' : 'inactive', iface.getMACString());
  }
  ctl.print(table.toString(!ctl.quiet));
  return true;
}

async function cmdInterfaceName(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd, 'interface', VIRSH_BYMAC);
  if (!found) return false;
  ctl.print('%s\n', found.iface.getName());
  return true;
}

async function cmdInterfaceMAC(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd, 'interface', VIRSH_BYNAME);
  if (!found) return false;
  ctl.print('%s\n', found.iface.getMACString());
  return true;
}

async function cmdInterfaceDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  let flags = 0;
  if (cmd.has('inactive')) flags |= VIR_INTERFACE_XML_INACTIVE;
  const found = await optInterface(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.iface.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdInterfaceDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_INTERFACE_DEFINE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const iface = await ctl.call(connOf(ctl).interfaceDefineXML(buffer, flags));
  if (iface === FAILED) {
    ctl.error(`Failed to define interface from ${from}`);
    return false;
  }
  ctl.printExtra(`Interface ${iface.getName()} defined from ${from}\n`);
  return true;
}

async function cmdInterfaceUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.iface.undefine())) === FAILED) {
    ctl.error(`Failed to undefine interface ${found.name}`);
    return false;
  }
  ctl.printExtra(`Interface ${found.name} undefined\n`);
  return true;
}

async function cmdInterfaceStart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.iface.create(0))) === FAILED) {
    ctl.error(`Failed to start interface ${found.name}`);
    return false;
  }
  ctl.printExtra(`Interface ${found.name} started\n`);
  return true;
}

async function cmdInterfaceDestroy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.iface.destroy(0))) === FAILED) {
    ctl.error(`Failed to destroy interface ${found.name}`);
    return false;
  }
  ctl.printExtra(`Interface ${found.name} destroyed\n`);
  // virsh 9.0 fails even when the interface was destroyed.
  return false;
}

async function cmdInterfaceBegin(ctl: VirshControl): Promise<boolean> {
  if ((await ctl.call(connOf(ctl).interfaceChangeBegin(0))) === FAILED) {
    ctl.error('Failed to begin network config change transaction');
    return false;
  }
  ctl.printExtra('%s', 'Network config change transaction started\n');
  return true;
}

async function cmdInterfaceCommit(ctl: VirshControl): Promise<boolean> {
  if ((await ctl.call(connOf(ctl).interfaceChangeCommit(0))) === FAILED) {
    ctl.error('Failed to commit network config change transaction');
    return false;
  }
  ctl.printExtra('%s', 'Network config change transaction committed\n');
  return true;
}

async function cmdInterfaceRollback(ctl: VirshControl): Promise<boolean> {
  if ((await ctl.call(connOf(ctl).interfaceChangeRollback(0))) === FAILED) {
    ctl.error('Failed to rollback network config change transaction');
    return false;
  }
  ctl.printExtra('%s', 'Network config change transaction rolled back\n');
  return true;
}

/** An element being rearranged: its attributes by name (in order) and child elements. */
interface EditNode {
  name: string;
  attrs: [string, string][];
  text: string;
  children: EditNode[];
}

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

/** virXMLParseStringCtxt: the root, or null after virsh's parse error. */
function parseDefinition(ctl: VirshControl, xml: string, what: string): EditNode | null {
  try {
    return toEditNode(parseXmlTree(xml));
  } catch (e) {
    ctl.lastError = { message: `XML error: ${what}: ${(e as Error).message}`, code: -1, domain: 0 };
    return null;
  }
}

/** The elements iface-bridge moves down into the bridged interface, and iface-unbridge back up. */
const MOVED = new Set(['mac', 'bond', 'vlan']);

function moveChildren(from: EditNode, to: EditNode): void {
  const moved = from.children.filter((c) => MOVED.has(c.name));
  from.children = from.children.filter((c) => !MOVED.has(c.name));
  to.children.push(...moved);
}

async function cmdInterfaceBridge(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd, 'interface', VIRSH_BYNAME);
  if (!found) return false;
  const { iface, name: ifName } = found;
  const brName = cmd.string('bridge')!;
  const conn = connOf(ctl);
  if ((await ctl.call(conn.interfaceLookupByName(brName))) !== FAILED) {
    ctl.error(`Network device ${brName} already exists`);
    return false;
  }
  const stp = !cmd.has('no-stp');
  const delay = cmd.uint('delay') ?? 0;
  const nostart = cmd.has('no-start');
  const ifXml = await ctl.call(iface.getXMLDesc(VIR_INTERFACE_XML_INACTIVE));
  if (ifXml === FAILED) return false;
  const top = parseDefinition(ctl, ifXml, '(interface definition)');
  if (!top) {
    ctl.error(`Failed to parse configuration of ${ifName}`);
    return false;
  }
  const ifType = getProp(top, 'type');
  if (ifType === null) {
    ctl.error(`Existing device ${ifName} has no type`);
    return false;
  }
  if (ifType === 'bridge') {
    ctl.error(`Existing device ${ifName} is already a bridge`);
    return false;
  }
  const if2Name = getProp(top, 'name');
  if (if2Name === null || if2Name !== ifName) {
    ctl.error(`Interface name from config ${if2Name ?? '(null)'} doesn't match given supplied name ${ifName}`);
    return false;
  }
  const bridge: EditNode = { name: 'bridge', attrs: [['stp', stp ? 'on' : 'off']], text: '', children: [] };
  top.children.push(bridge);
  // "%d" of an unsigned int, as virsh prints it.
  if (stp) setProp(bridge, 'delay', String(delay | 0));
  setProp(top, 'type', 'bridge');
  setProp(top, 'name', brName);
  const attached: EditNode = { name: 'interface', attrs: [['type', ifType], ['name', ifName]], text: '', children: [] };
  bridge.children.push(attached);
  moveChildren(top, attached);
  const brXml = `<?xml version="1.0"?>\n${serialize(top)}\n`;
  const brHandle = await ctl.call(conn.interfaceDefineXML(brXml, 0));
  if (brHandle === FAILED) {
    ctl.error(`Failed to define new bridge interface ${brName}`);
    return false;
  }
  ctl.printExtra(`Created bridge ${brName} with attached device ${ifName}\n`);
  if (!nostart) {
    if ((await ctl.call(brHandle.create(0))) === FAILED) {
      ctl.error(`Failed to start bridge interface ${brName}`);
      return false;
    }
    ctl.printExtra(`Bridge interface ${brName} started\n`);
  }
  return true;
}

async function cmdInterfaceUnbridge(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optInterface(ctl, cmd, 'bridge', VIRSH_BYNAME);
  if (!found) return false;
  const { iface: brHandle, name: brName } = found;
  const nostart = cmd.has('no-start');
  const brXml = await ctl.call(brHandle.getXMLDesc(VIR_INTERFACE_XML_INACTIVE));
  if (brXml === FAILED) return false;
  const top = parseDefinition(ctl, brXml, '(bridge interface definition)');
  if (!top) {
    ctl.error(`Failed to parse configuration of ${brName}`);
    return false;
  }
  const type = getProp(top, 'type');
  if (type === null) {
    ctl.error(`Existing device ${brName} has no type`);
    return false;
  }
  if (type !== 'bridge') {
    ctl.error(`Device ${brName} is not a bridge`);
    return false;
  }
  const topName = getProp(top, 'name');
  if (topName === null || topName !== brName) {
    ctl.error(`Interface name from config ${topName ?? '(null)'} doesn't match given supplied name ${brName}`);
    return false;
  }
  const bridges = top.children.filter((c) => c.name === 'bridge');
  if (!bridges.length) {
    ctl.error('No bridge node in xml document');
    return false;
  }
  const attachedOf = (b: EditNode) => b.children.filter((c) => c.name === 'interface');
  if (bridges.some((b) => attachedOf(b).length > 1)) {
    ctl.error('Multiple interfaces attached to bridge');
    return false;
  }
  const ifNode = bridges.map(attachedOf).find((l) => l.length)?.[0];
  if (!ifNode) {
    ctl.error('No interface attached to bridge');
    return false;
  }
  const ifName = getProp(ifNode, 'name');
  if (ifName === null) {
    ctl.error(`Device attached to bridge ${brName} has no name`);
    return false;
  }
  const ifType = getProp(ifNode, 'type');
  if (ifType === null) {
    ctl.error(`Attached device ${ifName} has no type`);
    return false;
  }
  setProp(top, 'type', ifType);
  setProp(top, 'name', ifName);
  moveChildren(ifNode, top);
  const ifXml = `<?xml version="1.0"?>\n${serialize(top)}\n`;
  // The bridge goes first: the detached device cannot be defined beside it.
  if ((await ctl.call(brHandle.destroy(0))) === FAILED) {
    ctl.error(`Failed to destroy bridge interface ${brName}`);
    return false;
  }
  if ((await ctl.call(brHandle.undefine())) === FAILED) {
    ctl.error(`Failed to undefine bridge interface ${brName}`);
    return false;
  }
  const ifHandle = await ctl.call(connOf(ctl).interfaceDefineXML(ifXml, 0));
  if (ifHandle === FAILED) {
    ctl.error(`Failed to define new interface ${ifName}`);
    return false;
  }
  ctl.printExtra(`Device ${ifName} un-attached from bridge ${brName}\n`);
  if (!nostart) {
    if ((await ctl.call(ifHandle.create(0))) === FAILED) {
      ctl.error(`Failed to start interface ${ifName}`);
      return false;
    }
    ctl.printExtra(`Interface ${ifName} started\n`);
  }
  return true;
}

export const interfaceHandlers = {
  cmdInterfaceList,
  cmdInterfaceName,
  cmdInterfaceMAC,
  cmdInterfaceDumpXML,
  cmdInterfaceDefine,
  cmdInterfaceUndefine,
  cmdInterfaceStart,
  cmdInterfaceDestroy,
  cmdInterfaceBegin,
  cmdInterfaceCommit,
  cmdInterfaceRollback,
  cmdInterfaceBridge,
  cmdInterfaceUnbridge,
};
