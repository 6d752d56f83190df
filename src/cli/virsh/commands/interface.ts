// virsh-interface.c: the "Interface" group (iface-edit is ported with the other *-edit commands).

import { VIR_CONNECT_LIST_INTERFACES_ACTIVE, VIR_CONNECT_LIST_INTERFACES_INACTIVE, VIR_ERR_NO_SUPPORT, VIR_INTERFACE_DEFINE_VALIDATE, VIR_INTERFACE_XML_INACTIVE, type Interface } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { bridgeDefinition, unbridgeDefinition } from '../interface-bridge.js';
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
  ctl.printTable(cmd, table);
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

/** The vshError of a failed rewrite, with the XML parser's error kept for the report. */
function rewriteFailed(ctl: VirshControl, r: { error: string; parse?: string }): false {
  if (r.parse !== undefined) ctl.lastError = { message: r.parse, code: -1, domain: 0 };
  ctl.error(r.error);
  return false;
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
  const r = bridgeDefinition(ifXml, ifName, brName, stp, delay);
  if ('error' in r) return rewriteFailed(ctl, r);
  const brHandle = await ctl.call(conn.interfaceDefineXML(r.xml, 0));
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
  const r = unbridgeDefinition(brXml, brName);
  if ('error' in r) return rewriteFailed(ctl, r);
  const ifName = r.name;
  // The bridge goes first: the detached device cannot be defined beside it.
  if ((await ctl.call(brHandle.destroy(0))) === FAILED) {
    ctl.error(`Failed to destroy bridge interface ${brName}`);
    return false;
  }
  if ((await ctl.call(brHandle.undefine())) === FAILED) {
    ctl.error(`Failed to undefine bridge interface ${brName}`);
    return false;
  }
  const ifHandle = await ctl.call(connOf(ctl).interfaceDefineXML(r.xml, 0));
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
