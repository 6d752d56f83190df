// virsh-domain.c, "Domain Management" (devices): attach-device, detach-device, detach-device-alias,
// update-device, attach-disk, attach-interface, detach-disk, detach-interface, change-media and
// update-memory-device, with the XML virsh builds or rewrites for them.

import { statSync } from 'node:fs';
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_DEVICE_MODIFY_FORCE,
  VIR_DOMAIN_XML_INACTIVE,
  type Domain,
} from '../../../index.js';
import { type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { strtou } from '../../vsh/numbers.js';
import type { VirshControl } from '../control.js';
import { attr, child, copyNode, elements, formatElement, nodeToString, parseDocument, setAttr, VirBuffer, type XNode } from '../device-xml.js';
import { optDomain, readFileAll, validWWN } from '../util.js';

/** The --persistent/--config/--live/--current checks and flags of the device commands. */
function impactFlags(cmd: Cmd, persistentOpt = true): { flags: number; current: boolean; persistent: boolean } {
  const current = cmd.has('current');
  const persistent = persistentOpt && cmd.has('persistent');
  if (persistentOpt) cmd.exclusive('persistent', 'current');
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  if (cmd.has('config') || persistent) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (cmd.has('live')) flags |= VIR_DOMAIN_AFFECT_LIVE;
  return { flags, current, persistent };
}

/** virDomainIsActive(dom) == 1. */
const isActive = (dom: Domain): Promise<boolean> => dom.isActive().catch(() => false);

/** The flags with --live added when --persistent is given and the domain runs. */
async function withLive(dom: Domain, impact: { flags: number; persistent: boolean }): Promise<number> {
  return impact.persistent && (await isActive(dom)) ? impact.flags | VIR_DOMAIN_AFFECT_LIVE : impact.flags;
}

/** virDomain{Attach,Detach}Device, or its *Flags form once a flag or --current is given; false on failure. */
async function changeDevice(ctl: VirshControl, dom: Domain, op: 'attach' | 'detach', xml: string, flags: number, current: boolean): Promise<boolean> {
  const useFlags = flags !== 0 || current;
  const call = op === 'attach' ? (useFlags ? dom.attachDeviceFlags(xml, flags) : dom.attachDevice(xml)) : useFlags ? dom.detachDeviceFlags(xml, flags) : dom.detachDevice(xml);
  return (await ctl.call(call)) !== FAILED;
}

/** The end of a device command: the error `failed`, or the extra message `done`. */
function reported(ctl: VirshControl, ok: boolean, failed: string, done: string): boolean {
  if (!ok) {
    ctl.error(failed);
    return false;
  }
  ctl.printExtra('%s', done);
  return true;
}

/**
 * The start of attach-device, detach-device and update-device: the domain, the flags and the
 * device XML of --file; null after the error is reported.
 */
async function deviceFromFile(ctl: VirshControl, cmd: Cmd): Promise<{ dom: Domain; flags: number; current: boolean; from: string; xml: string } | null> {
  const impact = impactFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return null;
  const from = cmd.string('file')!;
  const flags = await withLive(found.dom, impact);
  const xml = readFileAll(ctl, from);
  if (xml === null) {
    ctl.reportError();
    return null;
  }
  return { dom: found.dom, flags, current: impact.current, from, xml };
}

async function cmdAttachDevice(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const dev = await deviceFromFile(ctl, cmd);
  if (!dev) return false;
  const ok = await changeDevice(ctl, dev.dom, 'attach', dev.xml, dev.flags, dev.current);
  return reported(ctl, ok, `Failed to attach device from ${dev.from}`, 'Device attached successfully\n');
}

async function cmdDetachDevice(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const dev = await deviceFromFile(ctl, cmd);
  if (!dev) return false;
  const ok = await changeDevice(ctl, dev.dom, 'detach', dev.xml, dev.flags, dev.current);
  return reported(ctl, ok, `Failed to detach device from ${dev.from}`, 'Device detached successfully\n');
}

async function cmdDetachDeviceAlias(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = impactFlags(cmd, false);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const alias = cmd.string('alias')!;
  const ok = (await ctl.call(found.dom.detachDeviceAlias(alias, flags))) !== FAILED;
  return reported(ctl, ok, `Failed to detach device with alias ${alias}`, 'Device detach request sent successfully\n');
}

async function cmdUpdateDevice(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const dev = await deviceFromFile(ctl, cmd);
  if (!dev) return false;
  let flags = dev.flags;
  if (cmd.has('force')) flags |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
  const ok = (await ctl.call(dev.dom.updateDeviceFlags(dev.xml, flags))) !== FAILED;
  return reported(ctl, ok, `Failed to update device from ${dev.from}`, 'Device updated successfully\n');
}

/** The end of attach-disk and attach-interface: the built XML printed (--print-xml) or attached. */
async function attachBuilt(ctl: VirshControl, cmd: Cmd, impact: ReturnType<typeof impactFlags>, xml: string, what: string): Promise<boolean> {
  if (cmd.has('print-xml')) {
    ctl.print('%s', xml);
    return true;
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const ok = await changeDevice(ctl, found.dom, 'attach', xml, await withLive(found.dom, impact), impact.current);
  return reported(ctl, ok, `Failed to attach ${what.toLowerCase()}`, `${what} attached successfully\n`);
}

/** virStrToLong_uip / _ullp at `pos` with a trailing end: the value and where it stopped, or null. */
function strToUnsignedAt(s: string, pos: number, base: number, bits: 32 | 64): { value: bigint; end: number } | null {
  if (pos > s.length) return null;
  const rest = s.slice(pos);
  const r = strtou(rest, base);
  if (r.end === 0 || r.negative || r.overflow) return null;
  if (bits === 32 && r.value > 0xffffffffn) return null;
  return { value: r.value, end: pos + r.end };
}

type VirshAddress =
  | { type: 'pci'; domain: bigint; bus: bigint; slot: bigint; func: bigint; multifunction: boolean }
  | { type: 'drive'; controller: bigint; bus: bigint; unit: bigint; kind: 'ide' | 'scsi' | 'sata' }
  | { type: 'ccw'; cssid: bigint; ssid: bigint; devno: bigint }
  | { type: 'usb'; bus: bigint; port: bigint };

/** virshAddressParse: "pci:D.B.S.F", "ide|scsi|sata:C.B.U", "ccw:C.S.D", "usb:B.P" (any separator). */
function parseAddress(str: string, multifunction: boolean): VirshAddress | null {
  const colon = str.indexOf(':');
  if (colon < 0) return null;
  const type = str.slice(0, colon);
  const fields = (specs: [number, 32 | 64][]): bigint[] | null => {
    const out: bigint[] = [];
    let a = colon;
    for (const [base, bits] of specs) {
      const r = strToUnsignedAt(str, a + 1, base, bits);
      if (!r) return null;
      out.push(r.value);
      a = r.end;
    }
    return out;
  };
  switch (type) {
    case 'pci': {
      const f = fields([[16, 32], [16, 32], [16, 32], [16, 32]]);
      return f && { type: 'pci', domain: f[0]!, bus: f[1]!, slot: f[2]!, func: f[3]!, multifunction };
    }
    case 'ide':
    case 'scsi':
    case 'sata': {
      const f = fields([[10, 32], [10, 32], [10, 64]]);
      return f && { type: 'drive', controller: f[0]!, bus: f[1]!, unit: f[2]!, kind: type };
    }
    case 'ccw': {
      const f = fields([[16, 32], [16, 32], [16, 32]]);
      return f && { type: 'ccw', cssid: f[0]!, ssid: f[1]!, devno: f[2]! };
    }
    case 'usb': {
      const f = fields([[10, 32], [10, 32]]);
      return f && { type: 'usb', bus: f[0]!, port: f[1]! };
    }
    default:
      return null;
  }
}

const hex = (v: bigint, width: number): string => v.toString(16).padStart(width, '0');

/** virshAddressFormat. */
function formatAddress(buf: VirBuffer, a: VirshAddress): void {
  switch (a.type) {
    case 'pci':
      buf.add(`<address type='pci' domain='0x${hex(a.domain, 4)}' bus='0x${hex(a.bus, 2)}' slot='0x${hex(a.slot, 2)}' function='0x${hex(a.func, 0)}'`);
      if (a.multifunction) buf.add(" multifunction='on'");
      buf.add('/>\n');
      break;
    case 'drive':
      buf.add(`<address type='drive' controller='${a.controller}' bus='${a.bus}' unit='${a.unit}'/>\n`);
      break;
    case 'ccw':
      buf.add(`<address type='ccw' cssid='0x${hex(a.cssid, 2)}' ssid='0x${hex(a.ssid, 1)}' devno='0x${hex(a.devno, 4)}'/>\n`);
      break;
    case 'usb':
      buf.add(`<address type='usb' bus='${a.bus}' port='${a.port}'/>\n`);
      break;
  }
}

/** cmdAttachDiskFormatAddress. */
function formatDiskAddress(ctl: VirshControl, buf: VirBuffer, straddr: string, target: string, multifunction: boolean): boolean {
  const a = parseAddress(straddr, multifunction);
  if (!a) {
    ctl.error('Invalid address.');
    return false;
  }
  if (target.startsWith('vd')) {
    if (a.type !== 'pci' && a.type !== 'ccw') {
      ctl.error('expecting a pci:0000.00.00.00 or ccw:00.0.0000 address.');
      return false;
    }
  } else if (target.startsWith('sd')) {
    if (!((a.type === 'drive' && a.kind !== 'ide') || a.type === 'usb')) {
      ctl.error('expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address.');
      return false;
    }
  } else if (target.startsWith('hd')) {
    if (!(a.type === 'drive' && a.kind === 'ide')) {
      ctl.error('expecting an ide:00.00.00 address.');
      return false;
    }
  }
  formatAddress(buf, a);
  return true;
}

function isBlockDevice(path: string): boolean {
  try {
    return statSync(path).isBlockDevice();
  } catch {
    return false;
  }
}

async function cmdAttachDisk(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const impact = impactFlags(cmd);
  const multifunction = cmd.has('multifunction');
  cmd.requires('source-host-name', 'source-protocol');
  cmd.requires('source-host-transport', 'source-protocol');
  cmd.requires('source-host-socket', 'source-protocol');
  cmd.requires('source-host-socket', 'source-host-transport');
  cmd.exclusive('source-host-name', 'source-host-socket');
  const source = cmd.string('source');
  const target = cmd.string('target')!;
  const driver = cmd.string('driver');
  const subdriver = cmd.string('subdriver');
  const device = cmd.string('type');
  const mode = cmd.string('mode');
  const iothread = cmd.string('iothread');
  const cache = cmd.string('cache');
  const io = cmd.string('io');
  const serial = cmd.string('serial');
  const wwn = cmd.string('wwn');
  const straddr = cmd.string('address');
  const targetbus = cmd.string('targetbus');
  const alias = cmd.string('alias');
  const stype = cmd.string('sourcetype');
  const sourceProtocol = cmd.string('source-protocol');
  const hostName = cmd.string('source-host-name');
  const hostTransport = cmd.string('source-host-transport');
  const hostSocket = cmd.string('source-host-socket');

  const TYPES = ['', 'file', 'block', 'network'];
  let type = '';
  if (stype !== undefined) {
    if (!TYPES.includes(stype)) {
      ctl.error(`Unknown source type: '${stype}'`);
      return false;
    }
    type = stype;
  }
  if (type === '') {
    if (sourceProtocol !== undefined) type = 'network';
    else if (driver !== 'file' && driver !== 'tap' && source !== undefined && isBlockDevice(source)) type = 'block';
    else type = 'file';
  }
  if ((type === 'network') !== (sourceProtocol !== undefined)) {
    ctl.error('--source-protocol option requires --sourcetype network');
    return false;
  }
  if (mode !== undefined && mode !== 'readonly' && mode !== 'shareable') {
    ctl.error(`No support for ${mode} in command 'attach-disk'`);
    return false;
  }
  if (wwn !== undefined && !validWWN(ctl, wwn)) return false;

  const buf = new VirBuffer();
  const diskAttrs = new VirBuffer();
  const diskChildren = buf.child();
  const driverAttrs = new VirBuffer();
  const sourceAttrs = new VirBuffer();
  const sourceChildren = diskChildren.child();
  const hostAttrs = new VirBuffer();

  diskAttrs.add(` type='${type}'`);
  diskAttrs.escape((v) => ` device='${v}'`, device);
  if (cmd.has('rawio')) diskAttrs.add(" rawio='yes'");
  driverAttrs.escape((v) => ` name='${v}'`, driver);
  driverAttrs.escape((v) => ` type='${v}'`, subdriver);
  driverAttrs.escape((v) => ` iothread='${v}'`, iothread);
  driverAttrs.escape((v) => ` cache='${v}'`, cache);
  driverAttrs.escape((v) => ` io='${v}'`, io);
  formatElement(diskChildren, 'driver', driverAttrs, null);

  if (type === 'file') sourceAttrs.escape((v) => ` file='${v}'`, source);
  else if (type === 'block') sourceAttrs.escape((v) => ` dev='${v}'`, source);
  else if (type === 'network') {
    sourceAttrs.escape((v) => ` protocol='${v}'`, sourceProtocol);
    sourceAttrs.escape((v) => ` name='${v}'`, source);
    hostAttrs.escape((v) => ` transport='${v}'`, hostTransport);
    hostAttrs.escape((v) => ` socket='${v}'`, hostSocket);
    if (hostName !== undefined) {
      const colon = hostName.indexOf(':');
      hostAttrs.escape((v) => ` name='${v}'`, colon < 0 ? hostName : hostName.slice(0, colon));
      hostAttrs.escape((v) => ` port='${v}'`, colon < 0 ? undefined : hostName.slice(colon + 1));
    }
    formatElement(sourceChildren, 'host', hostAttrs, null);
  }
  formatElement(diskChildren, 'source', sourceAttrs, sourceChildren);

  diskChildren.add(`<target dev='${target}'`);
  if (targetbus !== undefined) diskChildren.add(` bus='${targetbus}'`);
  diskChildren.add('/>\n');
  if (mode !== undefined) diskChildren.add(`<${mode}/>\n`);
  if (serial !== undefined) diskChildren.add(`<serial>${serial}</serial>\n`);
  if (alias !== undefined) diskChildren.add(`<alias name='${alias}'/>\n`);
  if (wwn !== undefined) diskChildren.add(`<wwn>${wwn}</wwn>\n`);
  if (straddr !== undefined && !formatDiskAddress(ctl, diskChildren, straddr, target, multifunction)) return false;
  formatElement(buf, 'disk', diskAttrs, diskChildren);
  return attachBuilt(ctl, cmd, impact, buf.toString(), 'Disk');
}

const NET_TYPES = ['user', 'ethernet', 'vhostuser', 'server', 'client', 'mcast', 'network', 'bridge', 'internal', 'direct', 'hostdev', 'udp', 'vdpa', 'null', 'vds'];

export interface Rate {
  average: bigint;
  peak: bigint;
  burst: bigint;
  floor: bigint;
}

/** virshParseRateStr (attach-interface, domiftune): "average,peak,burst,floor", any of them empty. */
export function parseRate(ctl: VirshControl, s: string): Rate | null {
  const tok = s.split(',');
  if (tok.length > 4) {
    ctl.error(`Rate string '${s}' has too many fields`);
    return null;
  }
  const rate: Rate = { average: 0n, peak: 0n, burst: 0n, floor: 0n };
  const names = ['average', 'peak', 'burst', 'floor'] as const;
  for (let i = 0; i < tok.length; i++) {
    const t = tok[i]!;
    if (t === '') continue;
    // virStrToLong_ullp with no end pointer: the whole field.
    const r = strtou(t, 10);
    if (r.end === 0 || r.end !== t.length || r.negative || r.overflow) {
      ctl.error(`field '${names[i]}' is malformed`);
      return null;
    }
    rate[names[i]!] = r.value;
  }
  return rate;
}

async function cmdAttachInterface(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const impact = impactFlags(cmd);
  const managed = cmd.has('managed');
  const type = cmd.string('type')!;
  const source = cmd.string('source')!;
  const target = cmd.string('target');
  const mac = cmd.string('mac');
  const script = cmd.string('script');
  const model = cmd.string('model');
  const alias = cmd.string('alias');
  const inboundStr = cmd.string('inbound');
  const outboundStr = cmd.string('outbound');
  const sourceModeStr = cmd.string('source-mode');
  if (!NET_TYPES.includes(type)) {
    ctl.error(`No support for ${type} in command 'attach-interface'`);
    return false;
  }
  let sourceMode: string | null = null;
  if (sourceModeStr !== undefined) {
    if (sourceModeStr !== 'server' && sourceModeStr !== 'client') {
      ctl.error(`Invalid source mode: ${sourceModeStr}`);
      return false;
    }
    sourceMode = sourceModeStr;
  }
  let inbound: Rate | null = null;
  let outbound: Rate | null = null;
  if (inboundStr !== undefined) {
    inbound = parseRate(ctl, inboundStr);
    if (!inbound) return false;
    if (!inbound.average && !inbound.floor) {
      ctl.error('either inbound average or floor is mandatory');
      return false;
    }
  }
  if (outboundStr !== undefined) {
    outbound = parseRate(ctl, outboundStr);
    if (!outbound) return false;
    if (outbound.average === 0n) {
      ctl.error('outbound average is mandatory');
      return false;
    }
    if (outbound.floor) {
      ctl.error('outbound floor is unsupported yet');
      return false;
    }
  }

  const buf = new VirBuffer();
  buf.add(`<interface type='${type}'`);
  buf.add(managed ? " managed='yes'>\n" : '>\n');
  buf.adjustIndent(2);
  switch (type) {
    case 'network':
    case 'bridge':
      buf.add(`<source ${type}='${source}'/>\n`);
      break;
    case 'direct':
      buf.add(`<source dev='${source}'/>\n`);
      break;
    case 'hostdev': {
      const addr = parseAddress(`pci:${source}`, false);
      if (!addr) {
        ctl.error(`cannot parse pci address '${source}' for network interface`);
        return false;
      }
      buf.add('<source>\n');
      buf.adjustIndent(2);
      formatAddress(buf, addr);
      buf.adjustIndent(-2);
      buf.add('</source>\n');
      break;
    }
    case 'vhostuser':
      if (sourceMode === null) {
        ctl.error('source-mode is mandatory');
        return false;
      }
      buf.add(`<source type='unix' path='${source}' mode='${sourceMode}'/>\n`);
      break;
    default:
      ctl.error(`No support for ${type} in command 'attach-interface'`);
      return false;
  }
  if (target !== undefined) buf.add(`<target dev='${target}'/>\n`);
  if (mac !== undefined) buf.add(`<mac address='${mac}'/>\n`);
  if (script !== undefined) buf.add(`<script path='${script}'/>\n`);
  if (model !== undefined) buf.add(`<model type='${model}'/>\n`);
  if (alias !== undefined) buf.add(`<alias name='${alias}'/>\n`);
  if (inbound || outbound) {
    buf.add('<bandwidth>\n');
    buf.adjustIndent(2);
    if (inbound && (inbound.average || inbound.floor)) {
      buf.add('<inbound');
      if (inbound.average > 0n) buf.add(` average='${inbound.average}'`);
      if (inbound.peak > 0n) buf.add(` peak='${inbound.peak}'`);
      if (inbound.burst > 0n) buf.add(` burst='${inbound.burst}'`);
      if (inbound.floor > 0n) buf.add(` floor='${inbound.floor}'`);
      buf.add('/>\n');
    }
    if (outbound && outbound.average > 0n) {
      buf.add(`<outbound average='${outbound.average}'`);
      if (outbound.peak > 0n) buf.add(` peak='${outbound.peak}'`);
      if (outbound.burst > 0n) buf.add(` burst='${outbound.burst}'`);
      buf.add('/>\n');
    }
    buf.adjustIndent(-2);
    buf.add('</bandwidth>\n');
  }
  buf.adjustIndent(-2);
  buf.add('</interface>\n');
  return attachBuilt(ctl, cmd, impact, buf.toString(), 'Interface');
}

/** The domain's <devices> children named `name`. */
function devices(doc: XNode, name: string): XNode[] {
  if (doc.name !== 'domain') return [];
  const devs = elements(doc).filter((e) => e.name === 'devices');
  return devs.flatMap((d) => elements(d).filter((e) => e.name === name));
}

/** virMacAddrCompare: the six bytes compared (hex, case-insensitive, leading zeros optional). */
function macEqual(a: string, b: string): boolean {
  const bytes = (s: string): number[] | null => {
    const parts = s.split(/[:-]/);
    if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null;
    return parts.map((p) => parseInt(p, 16));
  };
  const x = bytes(a);
  const y = bytes(b);
  if (!x || !y) return a.toLowerCase() === b.toLowerCase();
  return x.every((v, i) => v === y[i]);
}

/** virshDomainDetachInterface. */
async function detachInterfaceFrom(ctl: VirshControl, doc: string, flags: number, dom: Domain, current: boolean, type: string, mac: string | undefined, printxml: boolean): Promise<boolean> {
  let root: XNode;
  try {
    root = parseDocument(doc);
  } catch {
    ctl.error('Failed to get interface information');
    return false;
  }
  const nodes = devices(root, 'interface').filter((n) => attr(n, 'type') === type);
  if (nodes.length === 0) {
    ctl.error(`No interface found whose type is ${type}`);
    return false;
  }
  let match: XNode | null = null;
  if (mac !== undefined) {
    for (const n of nodes) {
      const m = child(n, 'mac');
      const tmp = m ? attr(m, 'address') : undefined;
      if (tmp && macEqual(tmp, mac)) {
        if (match) {
          ctl.error(`Domain has multiple interfaces matching MAC address ${mac}. You must use detach-device and specify the device pci address to remove it.`);
          return false;
        }
        match = n;
      }
    }
  } else {
    if (nodes.length > 1) {
      ctl.error(`Domain has ${nodes.length} interfaces. Please specify which one to detach using --mac`);
      return false;
    }
    match = nodes[0]!;
  }
  if (!match) {
    ctl.error(`No interface with MAC address ${mac} was found`);
    return false;
  }
  const xml = nodeToString(match);
  if (printxml) {
    ctl.print('%s', xml);
    return true;
  }
  return changeDevice(ctl, dom, 'detach', xml, flags, current);
}

async function cmdDetachInterface(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { current, persistent } = impactFlags(cmd);
  const config = cmd.has('config');
  const live = cmd.has('live');
  const printxml = cmd.has('print-xml');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let ret = false;
  const fail = (): boolean => {
    ctl.error('Failed to detach interface');
    return false;
  };
  let type: string;
  let mac: string | undefined;
  try {
    type = cmd.string('type')!;
    mac = cmd.string('mac');
  } catch (e) {
    ctl.error((e as Error).message);
    return fail();
  }
  const affectConfig = config || persistent;
  if (affectConfig) {
    const doc = await ctl.call(dom.getXMLDesc(VIR_DOMAIN_XML_INACTIVE));
    if (doc === FAILED) return fail();
    ret = await detachInterfaceFrom(ctl, doc, VIR_DOMAIN_AFFECT_CONFIG, dom, current, type, mac, printxml);
    if (!ret) return fail();
  }
  const affectLive = live || (persistent && (await isActive(dom)));
  if (affectLive || !affectConfig) {
    const flags = affectLive ? VIR_DOMAIN_AFFECT_LIVE : 0;
    const doc = await ctl.call(dom.getXMLDesc(0));
    if (doc === FAILED) return fail();
    ret = await detachInterfaceFrom(ctl, doc, flags, dom, current, type, mac, printxml);
  }
  if (printxml) return ret;
  if (!ret) return fail();
  ctl.printExtra('%s', 'Interface detached successfully\n');
  return true;
}

/** virshFindDisk: a copy of the disk whose target or source is `path`, without its backing store. */
function findDisk(ctl: VirshControl, doc: string, path: string, changeable: boolean): XNode | null {
  let root: XNode;
  try {
    root = parseDocument(doc);
  } catch {
    ctl.error('Failed to get disk information');
    return null;
  }
  const nodes = devices(root, 'disk');
  if (nodes.length === 0) {
    ctl.error('Failed to get disk information');
    return null;
  }
  for (const n of nodes) {
    if (changeable) {
      const device = attr(n, 'device');
      if (device !== undefined && device !== 'cdrom' && device !== 'floppy') continue;
    }
    const src = child(n, 'source');
    const t = child(n, 'target');
    const targetDev = t ? (attr(t, 'dev') ?? '') : '';
    const candidates = [targetDev, ...(src ? ['file', 'dev', 'dir', 'name'].map((a) => attr(src, a)) : [])];
    if (candidates.includes(path)) {
      const copy = copyNode(n);
      const bs = copy.children.findIndex((c) => c.name === 'backingStore');
      if (bs >= 0) copy.children.splice(bs, 1);
      return copy;
    }
  }
  ctl.error(`No disk found whose source path or target is ${path}`);
  return null;
}

type UpdateDiskType = 'eject' | 'insert' | 'update';

/** virshUpdateDiskXML. */
function updateDiskXML(ctl: VirshControl, disk: XNode, newSource: string | undefined, sourceBlock: boolean, target: string, type: UpdateDiskType): string | null {
  const deviceType = attr(disk, 'device');
  if (deviceType !== 'cdrom' && deviceType !== 'floppy') {
    ctl.error(`The disk device '${target}' is not removable`);
    return null;
  }
  let source: XNode | null = null;
  let targetNode: XNode | null = null;
  let textNode: XNode | null = null;
  for (const c of disk.children) {
    if (!targetNode && c.name === null) textNode = c;
    if (c.name === null) continue;
    if (!source && c.name === 'source') source = c;
    else if (!targetNode && c.name === 'target') targetNode = c;
    if (source && targetNode) break;
  }
  if (type === 'eject') {
    if (!source) {
      ctl.error(`The disk device '${target}' doesn't have media`);
      return null;
    }
    sourceBlock = false;
    newSource = undefined;
  } else if (newSource === undefined) {
    ctl.error('New disk media source was not specified');
    return null;
  }
  let startupPolicy: string | undefined;
  if (source) {
    const sourcePath = attr(source, 'file') ?? attr(source, 'dev') ?? attr(source, 'dir') ?? attr(source, 'pool') ?? attr(source, 'name');
    if (sourcePath !== undefined && type === 'insert') {
      ctl.error(`The disk device '${target}' already has media`);
      return null;
    }
    startupPolicy = attr(source, 'startupPolicy');
    disk.children.splice(disk.children.indexOf(source), 1);
  }
  setAttr(disk, 'type', sourceBlock ? 'block' : 'file');
  if (newSource !== undefined) {
    const node: XNode = { name: 'source', attrs: [[sourceBlock ? 'dev' : 'file', newSource]], children: [], text: '' };
    if (startupPolicy !== undefined) node.attrs.push(['startupPolicy', startupPolicy]);
    // xmlAddPrevSibling(NULL, ...) does nothing: no <target>, no new source.
    if (targetNode) {
      const at = disk.children.indexOf(targetNode);
      disk.children.splice(at, 0, node);
      if (textNode) disk.children.splice(at + 1, 0, copyNode(textNode));
    }
  }
  return nodeToString(disk);
}

async function cmdDetachDisk(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const impact = impactFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const target = cmd.string('target')!;
  const doc = await dom.getXMLDesc(impact.flags === VIR_DOMAIN_AFFECT_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0);
  const flags = await withLive(dom, impact);
  const disk = findDisk(ctl, doc, target, false);
  if (!disk) return false;
  const xml = nodeToString(disk);
  if (cmd.has('print-xml')) {
    ctl.print('%s', xml);
    return true;
  }
  return reported(ctl, await changeDevice(ctl, dom, 'detach', xml, flags, impact.current), 'Failed to detach disk', 'Disk detached successfully\n');
}

async function cmdChangeMedia(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let eject = cmd.has('eject');
  const insert = cmd.has('insert');
  let update = cmd.has('update');
  const block = cmd.has('block');
  cmd.exclusive('eject', 'insert');
  cmd.exclusive('eject', 'update');
  cmd.exclusive('insert', 'update');
  cmd.exclusive('eject', 'block');
  const source = cmd.string('source');
  if (update && source === undefined) {
    update = false;
    eject = true;
  }
  let updateType: UpdateDiskType = 'update';
  let action = 'update';
  let successMsg = 'Successfully updated media.';
  if (eject) {
    updateType = 'eject';
    action = 'eject';
    successMsg = 'Successfully ejected media.';
  }
  if (insert) {
    updateType = 'insert';
    action = 'insert';
    successMsg = 'Successfully inserted media.';
  }
  if (update || (!eject && !insert)) {
    updateType = 'update';
    action = 'update';
    successMsg = 'Successfully updated media.';
  }
  let { flags } = impactFlags(cmd, false);
  if (cmd.has('force')) flags |= VIR_DOMAIN_DEVICE_MODIFY_FORCE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const path = cmd.string('path')!;
  const doc = await found.dom.getXMLDesc(flags & VIR_DOMAIN_AFFECT_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0);
  const disk = findDisk(ctl, doc, path, true);
  if (!disk) return false;
  const xml = updateDiskXML(ctl, disk, source, block, path, updateType);
  if (xml === null) return false;
  if (cmd.has('print-xml')) {
    ctl.print('%s', xml);
    return true;
  }
  if ((await ctl.call(found.dom.updateDeviceFlags(xml, flags))) === FAILED) {
    ctl.error(`Failed to complete action ${action} on media`);
    return false;
  }
  ctl.print('%s', successMsg);
  return true;
}

/** virshGetUpdatedMemoryXML. */
async function updatedMemoryXML(ctl: VirshControl, cmd: Cmd, dom: Domain, flags: number): Promise<string | null> {
  const desc = await ctl.call(dom.getXMLDesc(flags & VIR_DOMAIN_AFFECT_CONFIG ? VIR_DOMAIN_XML_INACTIVE : 0));
  if (desc === FAILED) {
    ctl.error('Failed to get domain description xml');
    return null;
  }
  let root: XNode;
  try {
    root = parseDocument(desc);
  } catch {
    ctl.error('Failed to parse domain description xml');
    return null;
  }
  const nodeOpt = cmd.has('node');
  const alias = cmd.string('alias');
  const node = cmd.uint('node');
  const textOf = (n: XNode | undefined): string => (n ? n.children.map((c) => (c.name === null ? c.text : textOf(c))).join('') : '');
  let mems = devices(root, 'memory');
  if (nodeOpt) {
    mems = mems.filter((m) => {
      const t = child(m, 'target');
      return t !== undefined && t.children.some((c) => c.name === 'node' && Number(textOf(c).trim()) === node);
    });
  } else if (alias !== undefined) {
    mems = mems.filter((m) => child(m, 'alias')?.attrs.some(([k, v]) => k === 'name' && v === alias));
  }
  if (mems.length === 0) {
    ctl.error('no memory device found');
    return null;
  }
  if (mems.length > 1) {
    ctl.error('multiple memory devices found, use --alias or --node to select one');
    return null;
  }
  const mem = mems[0]!;
  if (cmd.has('requested-size')) {
    const bytes = cmd.scaled('requested-size', 1024, (1n << 64n) - 1n)!;
    const kib = (bytes + 1023n) / 1024n;
    const requested = child(mem, 'target') && child(child(mem, 'target')!, 'requested');
    if (!requested) {
      ctl.error('virtio-mem device is missing <requested/>');
      return null;
    }
    requested.children = [{ name: null, attrs: [], children: [], text: String(kib) }];
  }
  return nodeToString(mem);
}

async function cmdUpdateMemoryDevice(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = impactFlags(cmd, false);
  cmd.exclusive('node', 'alias');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const xml = await updatedMemoryXML(ctl, cmd, found.dom, flags);
  if (xml === null) return false;
  if (cmd.has('print-xml')) ctl.print('%s', xml);
  else if ((await ctl.call(found.dom.updateDeviceFlags(xml, flags))) === FAILED) return false;
  return true;
}

export const domainDevicesHandlers = {
  cmdAttachDevice,
  cmdDetachDevice,
  cmdDetachDeviceAlias,
  cmdUpdateDevice,
  cmdAttachDisk,
  cmdAttachInterface,
  cmdDetachInterface,
  cmdDetachDisk,
  cmdChangeMedia,
  cmdUpdateMemoryDevice,
};
