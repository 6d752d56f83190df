// The lookups of virsh-network.c, virsh-interface.c and virsh-nwfilter.c: the object an option
// names, with virsh's debug lines and "failed to get ..." errors. Unlike the domain lookup these
// keep the API error, so virsh reports it after the command.

import type { Interface, Network, NetworkPort, NWFilter, NWFilterBinding } from '../../index.js';
import { VshError, type Cmd } from '../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../vsh/control.js';
import type { VirshControl } from './control.js';
import { connOf, lookupByUUIDOrName, VIRSH_BYMAC, VIRSH_BYNAME, VIRSH_BYUUID } from './util.js';

/** The object of a call, or null with its error kept. */
async function attempt<T>(ctl: VirshControl, p: Promise<T>): Promise<T | null> {
  const r = await ctl.call(p);
  return r === FAILED ? null : r;
}

/** The option's value with virsh's "found option" debug line; undefined when absent. */
function optValue(ctl: VirshControl, cmd: Cmd, optname: string): string | undefined {
  let n: string | undefined;
  try {
    n = cmd.string(optname);
  } catch (e) {
    // An empty value: the lookup fails as any other (some callers go on, or succeed, after one).
    if (!(e instanceof VshError)) throw e;
    ctl.error(e.message);
    return undefined;
  }
  if (n === undefined) return undefined;
  ctl.debug(VSH_ERR_INFO, `${cmd.name}: found option <${optname}>: ${n}\n`);
  return n;
}

/** virshCommandOptNetworkBy: the network of the "network" option, by UUID then name. */
export async function optNetwork(ctl: VirshControl, cmd: Cmd, flags = VIRSH_BYUUID | VIRSH_BYNAME): Promise<{ net: Network; name: string } | null> {
  const optname = 'network';
  const n = optValue(ctl, cmd, optname);
  if (n === undefined) return null;
  const conn = connOf(ctl);
  const net = await lookupByUUIDOrName(ctl, cmd, optname, 'network', n, flags, (u) => conn.networkLookupByUUIDString(u), (m) => conn.networkLookupByName(m));
  if (!net) {
    ctl.error(`failed to get network '${n}'`);
    return null;
  }
  return { net, name: n };
}

/** virshCommandOptNetworkPort: the port of the "port" option, by UUID. */
export async function optNetworkPort(ctl: VirshControl, cmd: Cmd, net: Network): Promise<NetworkPort | null> {
  const optname = 'port';
  const n = optValue(ctl, cmd, optname);
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as network UUID\n`);
  const port = await attempt(ctl, net.portLookupByUUIDString(n));
  if (!port) ctl.error(`failed to get network port '${n}'`);
  return port;
}

/**
 * virMacAddrParse's test: six groups of one or two hex digits separated by ':', then the end or
 * a character C's (signed) char compares at most ' ' (space, control, any non-ASCII byte).
 */
export function looksLikeMac(s: string): boolean {
  const m = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}/.exec(s);
  if (!m) return false;
  const next = s.charCodeAt(m[0].length);
  return Number.isNaN(next) || next <= 0x20 || next >= 0x80;
}

/** virshCommandOptInterfaceBy: the interface of `optname`, by name or by MAC address. */
export async function optInterface(ctl: VirshControl, cmd: Cmd, optname = 'interface', flags = VIRSH_BYNAME | VIRSH_BYMAC): Promise<{ iface: Interface; name: string } | null> {
  const n = optValue(ctl, cmd, optname);
  if (n === undefined) return null;
  const conn = connOf(ctl);
  const isMac = looksLikeMac(n);
  let iface: Interface | null = null;
  if (!isMac && flags & VIRSH_BYNAME) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as interface NAME\n`);
    iface = await attempt(ctl, conn.interfaceLookupByName(n));
  } else if (isMac && flags & VIRSH_BYMAC) {
    ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as interface MAC\n`);
    iface = await attempt(ctl, conn.interfaceLookupByMACString(n));
  }
  if (!iface) {
    ctl.error(`failed to get interface '${n}'`);
    return null;
  }
  return { iface, name: n };
}

/** virshCommandOptNWFilterBy: the filter of the "nwfilter" option, by UUID then name. */
export async function optNWFilter(ctl: VirshControl, cmd: Cmd, flags = VIRSH_BYUUID | VIRSH_BYNAME): Promise<{ filter: NWFilter; name: string } | null> {
  const optname = 'nwfilter';
  const n = optValue(ctl, cmd, optname);
  if (n === undefined) return null;
  const conn = connOf(ctl);
  const filter = await lookupByUUIDOrName(ctl, cmd, optname, 'nwfilter', n, flags, (u) => conn.nWFilterLookupByUUIDString(u), (m) => conn.nWFilterLookupByName(m));
  if (!filter) {
    ctl.error(`failed to get nwfilter '${n}'`);
    return null;
  }
  return { filter, name: n };
}

/** virshCommandOptNWFilterBindingBy: the binding of the "binding" option, by port device. */
export async function optNWFilterBinding(ctl: VirshControl, cmd: Cmd): Promise<{ binding: NWFilterBinding; name: string } | null> {
  const optname = 'binding';
  const n = optValue(ctl, cmd, optname);
  if (n === undefined) return null;
  ctl.debug(VSH_ERR_DEBUG, `${cmd.name}: <${optname}> trying as nwfilter binding port dev\n`);
  const binding = await attempt(ctl, connOf(ctl).nWFilterBindingLookupByPortDev(n));
  if (!binding) {
    ctl.error(`failed to get nwfilter binding '${n}'`);
    return null;
  }
  return { binding, name: n };
}

/** A call whose failure the command tolerates: the value, or `fallback` with the error kept (as virsh's error handler keeps it). */
export async function tolerate<T, F>(ctl: VirshControl, p: Promise<T>, fallback: F): Promise<T | F> {
  const r = await ctl.call(p);
  return r === FAILED ? fallback : r;
}
