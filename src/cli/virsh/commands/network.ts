// virsh-network.c: the "Networking" group (net-edit is ported with the other *-edit commands).

import {
  VIR_CONNECT_LIST_NETWORKS_ACTIVE,
  VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_INACTIVE,
  VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
  VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_IP_ADDR_TYPE_IPV4,
  VIR_IP_ADDR_TYPE_IPV6,
  VIR_NETWORK_CREATE_VALIDATE,
  VIR_NETWORK_DEFINE_VALIDATE,
  VIR_NETWORK_PORT_CREATE_VALIDATE,
  VIR_NETWORK_UPDATE_AFFECT_CONFIG,
  VIR_NETWORK_UPDATE_AFFECT_CURRENT,
  VIR_NETWORK_UPDATE_AFFECT_LIVE,
  VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
  VIR_NETWORK_XML_INACTIVE,
  type Network,
  type NetworkPort,
} from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { InfoOutput } from '../../vsh/info.js';
import { FAILED } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { optNetwork, optNetworkPort, tolerate } from '../network-util.js';
import { connOf, dumpXML, readFileAll, VIRSH_BYNAME, VIRSH_BYUUID } from '../util.js';
import { strcasecmp } from './domain-monitor.js';
import { cmdNetworkEvent } from './network-event.js';

async function cmdNetworkAutostart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const { net, name } = found;
  const autostart = !cmd.has('disable');
  if ((await ctl.call(net.setAutostart(autostart))) === FAILED) {
    if (autostart) ctl.error(`failed to mark network ${name} as autostarted`);
    else ctl.error(`failed to unmark network ${name} as autostarted`);
    return false;
  }
  if (autostart) ctl.printExtra(`Network ${name} marked as autostarted\n`);
  else ctl.printExtra(`Network ${name} unmarked as autostarted\n`);
  return true;
}

async function cmdNetworkCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NETWORK_CREATE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const conn = connOf(ctl);
  const net = await ctl.call(flags ? conn.networkCreateXMLFlags(buffer, flags) : conn.networkCreateXML(buffer));
  if (net === FAILED) {
    ctl.error(`Failed to create network from ${from}`);
    return false;
  }
  ctl.printExtra(`Network ${net.getName()} created from ${from}\n`);
  return true;
}

async function cmdNetworkDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NETWORK_DEFINE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const conn = connOf(ctl);
  const net = await ctl.call(flags ? conn.networkDefineXMLFlags(buffer, flags) : conn.networkDefineXML(buffer));
  if (net === FAILED) {
    ctl.error(`Failed to define network from ${from}`);
    return false;
  }
  ctl.printExtra(`Network ${net.getName()} defined from ${from}\n`);
  return true;
}

async function cmdNetworkDestroy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.net.destroy())) === FAILED) {
    ctl.error(`Failed to destroy network ${found.name}`);
    return false;
  }
  ctl.printExtra(`Network ${found.name} destroyed\n`);
  return true;
}

async function cmdNetworkDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  let flags = 0;
  if (cmd.has('inactive')) flags |= VIR_NETWORK_XML_INACTIVE;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.net.getXMLDesc(flags);
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdNetworkInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const { net } = found;
  const out = new InfoOutput(ctl, cmd);
  out.print('%-15s %s\n', 'Name:', net.getName());
  out.print('%-15s %s\n', 'UUID:', net.getUUIDString());
  const active = await ctl.call(net.isActive());
  if (active !== FAILED) out.print('%-15s %s\n', 'Active:', active ? 'yes' : 'no');
  const persistent = await ctl.call(net.isPersistent());
  if (persistent === FAILED) out.print('%-15s %s\n', 'Persistent:', 'unknown');
  else out.print('%-15s %s\n', 'Persistent:', persistent ? 'yes' : 'no');
  const autostart = await ctl.call(net.getAutostart());
  if (autostart === FAILED) out.print('%-15s %s\n', 'Autostart:', 'no autostart');
  else out.print('%-15s %s\n', 'Autostart:', autostart ? 'yes' : 'no');
  const bridge = await ctl.call(net.getBridgeName());
  if (bridge !== FAILED) out.print('%-15s %s\n', 'Bridge:', bridge);
  out.end();
  return true;
}

const FILTERS_ACTIVE = VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_INACTIVE;
const FILTERS_PERSISTENT = VIR_CONNECT_LIST_NETWORKS_PERSISTENT | VIR_CONNECT_LIST_NETWORKS_TRANSIENT;
const FILTERS_AUTOSTART = VIR_CONNECT_LIST_NETWORKS_AUTOSTART | VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;

/** virshNetworkListCollect: the networks `flags` selects, by name; null after an error. */
async function collectNetworks(ctl: VirshControl, flags: number): Promise<Network[] | null> {
  const conn = connOf(ctl);
  const all = await ctl.call(conn.listAllNetworks(flags));
  if (all !== FAILED) return all.sort((a, b) => strcasecmp(a.getName(), b.getName()));
  let list: Network[];
  if (ctl.lastError?.code === VIR_ERR_NO_SUPPORT) {
    const legacy = await collectNetworksLegacy(ctl, flags);
    if (!legacy) return null;
    list = legacy;
  } else if (ctl.lastError?.code === VIR_ERR_INVALID_ARG) {
    // An older daemon: only the active/inactive flags are guaranteed; filter the rest here.
    ctl.resetError();
    const some = await ctl.call(conn.listAllNetworks(flags & FILTERS_ACTIVE));
    if (some === FAILED) {
      ctl.error('Failed to list networks');
      return null;
    }
    list = some;
  } else {
    ctl.error('Failed to list networks');
    return null;
  }
  const kept: Network[] = [];
  for (const net of list) {
    if (flags & FILTERS_PERSISTENT) {
      const persistent = await ctl.call(net.isPersistent());
      if (persistent === FAILED) {
        ctl.error('Failed to get network persistence info');
        return null;
      }
      if (!((flags & VIR_CONNECT_LIST_NETWORKS_PERSISTENT && persistent) || (flags & VIR_CONNECT_LIST_NETWORKS_TRANSIENT && !persistent))) continue;
    }
    if (flags & FILTERS_AUTOSTART) {
      const autostart = await ctl.call(net.getAutostart());
      if (autostart === FAILED) {
        ctl.error('Failed to get network autostart state');
        return null;
      }
      if (!((flags & VIR_CONNECT_LIST_NETWORKS_AUTOSTART && autostart) || (flags & VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART && !autostart))) continue;
    }
    kept.push(net);
  }
  return kept.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

/** The name-list fallback of virshNetworkListCollect for daemons before 0.10.2, as virsh 9.0 does it. */
async function collectNetworksLegacy(ctl: VirshControl, flags: number): Promise<Network[] | null> {
  const conn = connOf(ctl);
  ctl.resetError();
  const wantActive = !(flags & FILTERS_ACTIVE) || flags & VIR_CONNECT_LIST_NETWORKS_ACTIVE;
  const wantInactive = !(flags & FILTERS_ACTIVE) || flags & VIR_CONNECT_LIST_NETWORKS_INACTIVE;
  let nActive = 0;
  let nInactive = 0;
  if (wantActive) {
    const n = await ctl.call(conn.numOfNetworks());
    if (n === FAILED) {
      ctl.error('Failed to get the number of active networks');
      return null;
    }
    nActive = n;
  }
  if (wantInactive) {
    const n = await ctl.call(conn.numOfDefinedNetworks());
    if (n === FAILED) {
      ctl.error('Failed to get the number of inactive networks');
      return null;
    }
    nInactive = n;
  }
  if (nActive + nInactive === 0) return [];
  const names: (string | undefined)[] = new Array(nActive + nInactive);
  if (wantActive) {
    const active = await ctl.call(conn.listNetworks(nActive));
    if (active === FAILED) {
      ctl.error('Failed to list active networks');
      return null;
    }
    active.forEach((n, i) => (names[i] = n));
  }
  // virsh 9.0 tests the active filter here too, and looks the inactive ones up from the start of the names.
  if (wantActive) {
    const inactive = await ctl.call(conn.listDefinedNetworks(nInactive));
    if (inactive === FAILED) {
      ctl.error('Failed to list inactive networks');
      return null;
    }
    inactive.forEach((n, i) => (names[nActive + i] = n));
  }
  const list: Network[] = [];
  const lookup = async (name: string | undefined) => {
    if (name === undefined) return;
    const net = await ctl.call(conn.networkLookupByName(name));
    if (net !== FAILED) list.push(net);
  };
  for (let i = 0; i < nActive; i++) await lookup(names[i]);
  for (let i = 0; i < nInactive; i++) await lookup(names[i]);
  return list;
}

async function cmdNetworkList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('name', 'uuid');
  const optName = cmd.has('name');
  let optTable = cmd.has('table');
  const optUUID = cmd.has('uuid');
  let flags = VIR_CONNECT_LIST_NETWORKS_ACTIVE;
  if (cmd.has('inactive')) flags = VIR_CONNECT_LIST_NETWORKS_INACTIVE;
  if (cmd.has('all')) flags = VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_INACTIVE;
  if (cmd.has('persistent')) flags |= VIR_CONNECT_LIST_NETWORKS_PERSISTENT;
  if (cmd.has('transient')) flags |= VIR_CONNECT_LIST_NETWORKS_TRANSIENT;
  if (cmd.has('autostart')) flags |= VIR_CONNECT_LIST_NETWORKS_AUTOSTART;
  if (cmd.has('no-autostart')) flags |= VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;
  if (Number(optTable) + Number(optName) + Number(optUUID) > 1) {
    ctl.error('Only one argument from --table, --name and --uuid may be specified.');
    return false;
  }
  if (!optUUID && !optName) optTable = true;
  const list = await collectNetworks(ctl, flags);
  if (!list) return false;
  const table = optTable ? new Table('Name', 'State', 'Autostart', 'Persistent') : null;
  for (const net of list) {
    if (table) {
      const autostart = await ctl.call(net.getAutostart());
      const autostartStr = autostart === FAILED ? 'no autostart' : autostart ? 'yes' : 'no';
      // A failed virNetworkIsActive/IsPersistent (-1) counts as true in virsh.
      const active = await tolerate(ctl, net.isActive(), true);
      const persistent = await tolerate(ctl, net.isPersistent(), true);
      table.add(net.getName(), active ? 'active' : 'inactive', autostartStr, persistent ? 'yes' : 'no').with({ uuid: net.getUUIDString() });
    } else if (optUUID) ctl.print('%s\n', net.getUUIDString());
    else if (optName) ctl.print('%s\n', net.getName());
  }
  if (table) ctl.printTable(cmd, table);
  return true;
}

async function cmdNetworkName(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd, VIRSH_BYUUID);
  if (!found) return false;
  ctl.print('%s\n', found.net.getName());
  return true;
}

async function cmdNetworkStart(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.net.create())) === FAILED) {
    ctl.error(`Failed to start network ${found.name}`);
    return false;
  }
  ctl.printExtra(`Network ${found.name} started\n`);
  return true;
}

async function cmdNetworkUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.net.undefine())) === FAILED) {
    ctl.error(`Failed to undefine network ${found.name}`);
    return false;
  }
  ctl.printExtra(`Network ${found.name} has been undefined\n`);
  return true;
}

/** virshNetworkUpdateCommand, by its number. */
export const UPDATE_COMMANDS = ['none', 'modify', 'delete', 'add-last', 'add-first'];
/** virshNetworkSection, by its number. */
export const UPDATE_SECTIONS = ['none', 'bridge', 'domain', 'ip', 'ip-dhcp-host', 'ip-dhcp-range', 'forward', 'forward-interface', 'forward-pf', 'portgroup', 'dns-host', 'dns-txt', 'dns-srv'];

async function cmdNetworkUpdate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const ok = await networkUpdate(ctl, cmd);
  // virsh reports the API error itself on the way out, success or not.
  ctl.reportError();
  return ok;
}

async function networkUpdate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const config = cmd.has('config');
  const live = cmd.has('live');
  let flags = VIR_NETWORK_UPDATE_AFFECT_CURRENT;
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const { net } = found;
  const commandStr = cmd.string('command')!;
  let command: number;
  if (commandStr === 'add') command = VIR_NETWORK_UPDATE_COMMAND_ADD_LAST;
  else {
    command = UPDATE_COMMANDS.indexOf(commandStr);
    if (command <= 0) {
      ctl.error(`unrecognized command name '${commandStr}'`);
      return false;
    }
  }
  const sectionStr = cmd.string('section')!;
  const section = UPDATE_SECTIONS.indexOf(sectionStr);
  if (section <= 0) {
    ctl.error(`unrecognized section name '${sectionStr}'`);
    return false;
  }
  const parentIndex = cmd.int('parent-index') ?? -1;
  // --xml is the element itself when it starts with '<', else the name of a file holding it.
  let xml = cmd.string('xml')!;
  if (!xml.startsWith('<')) {
    const fromFile = readFileAll(ctl, xml);
    if (fromFile === null) return false;
    xml = fromFile;
  }
  if (config) flags |= VIR_NETWORK_UPDATE_AFFECT_CONFIG;
  if (live) flags |= VIR_NETWORK_UPDATE_AFFECT_LIVE;
  if ((await ctl.call(net.update(command, section, parentIndex, xml, flags))) === FAILED) {
    ctl.error(`Failed to update network ${net.getName()}`);
    return false;
  }
  if (config) {
    if (live) ctl.printExtra(`Updated network ${net.getName()} persistent config and live state`);
    else ctl.printExtra(`Updated network ${net.getName()} persistent config`);
  } else if (live) ctl.printExtra(`Updated network ${net.getName()} live state`);
  else if (await tolerate(ctl, net.isActive(), true)) ctl.printExtra(`Updated network ${net.getName()} live state`);
  else ctl.printExtra(`Updated network ${net.getName()} persistent config`);
  return true;
}

async function cmdNetworkUuid(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd, VIRSH_BYNAME);
  if (!found) return false;
  ctl.print('%s\n', found.net.getUUIDString());
  return true;
}

/** NULLSTR_MINUS. */
const orMinus = (s: string | null | undefined): string => s ?? '-';

const two = (n: number) => String(n).padStart(2, '0');

/** g_date_time_format(g_date_time_new_from_unix_local(t), "%Y-%m-%d %H:%M:%S"). */
function localTime(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  return `${String(d.getFullYear()).padStart(4, '0')}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

async function cmdNetworkDHCPLeases(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const mac = cmd.string('mac');
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const leases = await ctl.call(found.net.getDHCPLeases(mac ?? null, 0));
  if (leases === FAILED) {
    ctl.error(`Failed to get leases info for ${found.name}`);
    return false;
  }
  leases.sort((a, b) => strcasecmp(a.mac ?? '', b.mac ?? ''));
  const table = new Table('Expiry Time', 'MAC address', 'Protocol', 'IP address', 'Hostname', 'Client ID or DUID');
  for (const lease of leases) {
    const type = lease.type === VIR_IP_ADDR_TYPE_IPV4 ? 'ipv4' : lease.type === VIR_IP_ADDR_TYPE_IPV6 ? 'ipv6' : null;
    table.add(localTime(lease.expirytime), orMinus(lease.mac), orMinus(type), `${lease.ipaddr}/${lease.prefix}`, orMinus(lease.hostname), orMinus(lease.clientid));
  }
  ctl.printTable(cmd, table);
  return true;
}

async function cmdNetworkPortCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NETWORK_PORT_CREATE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const port = await ctl.call(found.net.portCreateXML(buffer, flags));
  if (port === FAILED) {
    ctl.error(`Failed to create network from ${from}`);
    return false;
  }
  ctl.printExtra(`Network port ${port.getUUIDString()} created from ${from}\n`);
  return true;
}

async function cmdNetworkPortDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optNetwork(ctl, cmd);
  // virsh 9.0 returns true when either lookup fails.
  if (!found) return true;
  const port = await optNetworkPort(ctl, cmd, found.net);
  if (!port) return true;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await ctl.call(port.getXMLDesc(0));
  if (xml === FAILED) return true;
  return dumpXML(ctl, xml, xpath, wrap);
}

async function cmdNetworkPortDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  // virsh 9.0 returns true on every path.
  const found = await optNetwork(ctl, cmd);
  if (!found) return true;
  const port = await optNetworkPort(ctl, cmd, found.net);
  if (!port) return true;
  const uuid = port.getUUIDString();
  if ((await ctl.call(port.delete(0))) === FAILED) ctl.error(`Failed to delete network port ${uuid}`);
  else ctl.printExtra(`Network port ${uuid} deleted\n`);
  return true;
}

/** virshNetworkPortSorter: by the UUID's bytes. */
function sortPorts(ports: NetworkPort[]): NetworkPort[] {
  return ports.sort((a, b) => Buffer.compare(Buffer.from(a.getUUID()), Buffer.from(b.getUUID())));
}

async function cmdNetworkPortList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.jsonExcludes('uuid');
  let optTable = cmd.has('table');
  const optUUID = cmd.has('uuid');
  if (Number(optTable) + Number(optUUID) > 1) {
    ctl.error('Only one argument from --table and --uuid may be specified.');
    return false;
  }
  if (!optUUID) optTable = true;
  const found = await optNetwork(ctl, cmd);
  if (!found) return false;
  const ports = await ctl.call(found.net.listAllPorts(0));
  if (ports === FAILED) return false;
  const table = optTable ? new Table('UUID') : null;
  for (const port of sortPorts(ports)) {
    const uuid = port.getUUIDString();
    if (table) table.add(uuid);
    else ctl.print('%s\n', uuid);
  }
  if (table) ctl.printTable(cmd, table);
  return true;
}

export const networkHandlers = {
  cmdNetworkAutostart,
  cmdNetworkCreate,
  cmdNetworkDefine,
  cmdNetworkDestroy,
  cmdNetworkDumpXML,
  cmdNetworkInfo,
  cmdNetworkList,
  cmdNetworkName,
  cmdNetworkStart,
  cmdNetworkUndefine,
  cmdNetworkUpdate,
  cmdNetworkUuid,
  cmdNetworkEvent,
  cmdNetworkDHCPLeases,
  cmdNetworkPortCreate,
  cmdNetworkPortDumpXML,
  cmdNetworkPortDelete,
  cmdNetworkPortList,
};
