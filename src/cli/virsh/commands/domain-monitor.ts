// virsh-domain-monitor.c: list, dominfo, domstate, domid, domname, domuuid and the other
// commands of the "Domain Monitoring" group (the rest are listed in the README as not yet done).

import {
  VIR_CONNECT_LIST_DOMAINS_ACTIVE,
  VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
  VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_INACTIVE,
  VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
  VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_OTHER,
  VIR_CONNECT_LIST_DOMAINS_PAUSED,
  VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
  VIR_CONNECT_LIST_DOMAINS_RUNNING,
  VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
  VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
  VIR_DOMAIN_SHUTOFF,
  VIR_ERR_NO_SUPPORT,
  type Domain,
} from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { domainDescription } from '../describe.js';
import { connOf, domainState, domainStateToString, idString, optDomain } from '../util.js';
import { domainStateReasonToString } from '../states.js';

/** virshDomainSorter: running domains by id, then the others by name (case-insensitive). */
function sortDomains(list: Domain[]): Domain[] {
  return list.sort((a, b) => {
    const ia = a.getID();
    const ib = b.getID();
    const inactive = (id: number) => id === -1 || id === 0xffffffff;
    if (inactive(ia) && inactive(ib)) return strcasecmp(a.getName(), b.getName());
    if (!inactive(ia) && !inactive(ib)) return ia - ib;
    return inactive(ia) ? 1 : -1;
  });
}

/** C's strcasecmp: bytes compared after ASCII lower-casing. */
export function strcasecmp(a: string, b: string): number {
  const x = Buffer.from(a.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  const y = Buffer.from(b.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  return Buffer.compare(x, y);
}

async function cmdList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const managed = cmd.has('managed-save');
  const optTitle = cmd.has('title');
  let optTable = cmd.has('table');
  const optUUID = cmd.has('uuid');
  const optName = cmd.has('name');
  const optID = cmd.has('id');
  let flags = VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  if (cmd.has('inactive') || cmd.has('state-shutoff')) flags = VIR_CONNECT_LIST_DOMAINS_INACTIVE;
  if (cmd.has('all')) flags = VIR_CONNECT_LIST_DOMAINS_INACTIVE | VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  const filters: [string, number][] = [
    ['persistent', VIR_CONNECT_LIST_DOMAINS_PERSISTENT],
    ['transient', VIR_CONNECT_LIST_DOMAINS_TRANSIENT],
    ['with-managed-save', VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE],
    ['without-managed-save', VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE],
    ['autostart', VIR_CONNECT_LIST_DOMAINS_AUTOSTART],
    ['no-autostart', VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART],
    ['with-snapshot', VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT],
    ['without-snapshot', VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT],
    ['with-checkpoint', VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT],
    ['without-checkpoint', VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT],
    ['state-running', VIR_CONNECT_LIST_DOMAINS_RUNNING],
    ['state-paused', VIR_CONNECT_LIST_DOMAINS_PAUSED],
    ['state-shutoff', VIR_CONNECT_LIST_DOMAINS_SHUTOFF],
    ['state-other', VIR_CONNECT_LIST_DOMAINS_OTHER],
  ];
  for (const [name, flag] of filters) if (cmd.has(name)) flags |= flag;
  cmd.exclusive('table', 'name');
  cmd.exclusive('table', 'uuid');
  cmd.exclusive('table', 'id');
  if (!optUUID && !optName && !optID) optTable = true;

  const list = sortDomains(await connOf(ctl).listAllDomains(flags));
  const table = optTable ? (optTitle ? new Table('Id', 'Name', 'State', 'Title') : new Table('Id', 'Name', 'State')) : null;
  for (const dom of list) {
    const id = idString(dom);
    if (table) {
      let state: number;
      try {
        state = (await domainState(ctl, dom)).state;
      } catch {
        // The domain could have gone in the meantime.
        ctl.resetError();
        continue;
      }
      let stateText = domainStateToString(state);
      if (managed && state === VIR_DOMAIN_SHUTOFF && (await dom.hasManagedSaveImage(0).catch(() => false))) stateText = 'saved';
      if (optTitle) {
        const title = await domainDescription(ctl, dom, true, 0);
        if (title === null) return false;
        table.add(id, dom.getName(), stateText, title);
      } else table.add(id, dom.getName(), stateText);
    } else {
      let sep = '';
      let line = '';
      if (optUUID) {
        line += dom.getUUIDString();
        sep = ' ';
      }
      if (optID) {
        if (id === '-' && !optUUID && !optName) continue;
        line += sep + id;
        sep = ' ';
      }
      if (optName) line += sep + dom.getName();
      ctl.print(line + '\n');
    }
  }
  if (table) ctl.print(table.toString(!ctl.quiet));
  return true;
}

async function cmdDominfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let ret = true;
  const id = idString(dom);
  ctl.print('%-15s %s\n', 'Id:', id);
  ctl.print('%-15s %s\n', 'Name:', dom.getName());
  ctl.print('%-15s %s\n', 'UUID:', dom.getUUIDString());
  const ostype = await ctl.call(dom.getOSType());
  if (ostype !== FAILED) ctl.print('%-15s %s\n', 'OS Type:', ostype);
  const info = await ctl.call(dom.getInfo());
  if (info !== FAILED) {
    ctl.print('%-15s %s\n', 'State:', domainStateToString(info.state));
    ctl.print('%-15s %d\n', 'CPU(s):', info.nrVirtCpu);
    if (BigInt(info.cpuTime) !== 0n) ctl.print('%-15s %.1lfs\n', 'CPU time:', Number(info.cpuTime) / 1e9);
    if (BigInt(info.maxMem) !== 0xffffffffn) ctl.print('%-15s %lu KiB\n', 'Max memory:', info.maxMem);
    else ctl.print('%-15s %s\n', 'Max memory:', 'no limit');
    ctl.print('%-15s %lu KiB\n', 'Used memory:', info.memory);
  } else ret = false;
  const persistent = await dom.isPersistent().then((p) => (p ? 1 : 0), () => -1);
  ctl.debug(VSH_ERR_DEBUG, `Domain persistent flag value: ${persistent}\n`);
  ctl.print('%-15s %s\n', 'Persistent:', persistent < 0 ? 'unknown' : persistent ? 'yes' : 'no');
  const autostart = await ctl.call(dom.getAutostart());
  if (autostart !== FAILED) ctl.print('%-15s %s\n', 'Autostart:', autostart ? 'enable' : 'disable');
  const managed = await dom.hasManagedSaveImage(0).then((m) => (m ? 1 : 0), () => -1);
  ctl.print('%-15s %s\n', 'Managed save:', managed < 0 ? 'unknown' : managed ? 'yes' : 'no');
  const model = await ctl.call(connOf(ctl).nodeGetSecurityModel());
  if (model === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return false;
    ctl.resetError();
  } else if (model.model !== '') {
    ctl.print('%-15s %s\n', 'Security model:', model.model);
    ctl.print('%-15s %s\n', 'Security DOI:', model.doi);
    const label = await ctl.call(dom.getSecurityLabel());
    if (label === FAILED) return false;
    if (label.label !== '') ctl.print('%-15s %s (%s)\n', 'Security label:', label.label, label.enforcing ? 'enforcing' : 'permissive');
  }
  const messages = await dom.getMessages(0).catch(() => [] as string[]);
  messages.forEach((m, i) => ctl.print('%-15s %s\n', i === 0 ? 'Messages:' : '', m));
  return ret;
}

async function cmdDomstate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const showReason = cmd.has('reason');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { state, reason } = await domainState(ctl, found.dom);
  if (showReason) ctl.print('%s (%s)\n', domainStateToString(state), domainStateReasonToString(state, reason));
  else ctl.print('%s\n', domainStateToString(state));
  return true;
}

export const domainMonitorHandlers = { cmdList, cmdDominfo, cmdDomstate };
