// virsh-nwfilter.c: the "Network Filter" group (nwfilter-edit is ported with the other *-edit commands).

import { VIR_ERR_NO_SUPPORT, VIR_NWFILTER_BINDING_CREATE_VALIDATE, VIR_NWFILTER_DEFINE_VALIDATE, type NWFilter } from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { Table } from '../../vsh/table.js';
import type { VirshControl } from '../control.js';
import { optNWFilter, optNWFilterBinding } from '../network-util.js';
import { connOf, dumpXML, listTheOldWay, readFileAll } from '../util.js';
import { strcasecmp } from './domain-monitor.js';

async function cmdNWFilterDefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NWFILTER_DEFINE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const conn = connOf(ctl);
  const filter = await ctl.call(flags ? conn.nWFilterDefineXMLFlags(buffer, flags) : conn.nWFilterDefineXML(buffer));
  if (filter === FAILED) {
    ctl.error(`Failed to define network filter from ${from}`);
    return false;
  }
  ctl.printExtra(`Network filter ${filter.getName()} defined from ${from}\n`);
  return true;
}

async function cmdNWFilterUndefine(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNWFilter(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.filter.undefine())) === FAILED) {
    ctl.error(`Failed to undefine network filter ${found.name}`);
    return false;
  }
  ctl.printExtra(`Network filter ${found.name} undefined\n`);
  return true;
}

async function cmdNWFilterDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optNWFilter(ctl, cmd);
  if (!found) return false;
  const xpath = cmd.stringQuiet('xpath');
  const xml = await found.filter.getXMLDesc(0);
  return dumpXML(ctl, xml, xpath, wrap);
}

/** virshNWFilterListCollect: every filter, by name; null after an error. */
async function collectNWFilters(ctl: VirshControl): Promise<NWFilter[] | null> {
  const conn = connOf(ctl);
  const all = await ctl.call(conn.listAllNWFilters(0));
  let list: NWFilter[];
  if (all !== FAILED) list = all;
  else if (ctl.lastError?.code === VIR_ERR_NO_SUPPORT) {
    // Daemons before 0.10.2: the names, then a lookup of each.
    ctl.resetError();
    const old = await listTheOldWay(
      ctl,
      'network filters',
      () => conn.numOfNWFilters(),
      (n) => conn.listNWFilters(n),
      (name) => conn.nWFilterLookupByName(name),
    );
    if (!old) return null;
    list = old;
  } else {
    ctl.error('Failed to list network filters');
    return null;
  }
  return list.sort((a, b) => strcasecmp(a.getName(), b.getName()));
}

async function cmdNWFilterList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const list = await collectNWFilters(ctl);
  if (!list) return false;
  const table = new Table('UUID', 'Name');
  for (const filter of list) table.add(filter.getUUIDString(), filter.getName());
  ctl.printTable(cmd, table);
  return true;
}

async function cmdNWFilterBindingCreate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const from = cmd.string('file')!;
  let flags = 0;
  if (cmd.has('validate')) flags |= VIR_NWFILTER_BINDING_CREATE_VALIDATE;
  const buffer = readFileAll(ctl, from);
  if (buffer === null) return false;
  const binding = await ctl.call(connOf(ctl).nWFilterBindingCreateXML(buffer, flags));
  if (binding === FAILED) {
    ctl.error(`Failed to create network filter from ${from}`);
    return false;
  }
  ctl.printExtra(`Network filter binding on ${binding.getPortDev()} created from ${from}\n`);
  return true;
}

async function cmdNWFilterBindingDelete(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optNWFilterBinding(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.binding.delete())) === FAILED) {
    ctl.error(`Failed to delete network filter binding on ${found.name}`);
    return false;
  }
  ctl.printExtra(`Network filter binding on ${found.name} deleted\n`);
  return true;
}

async function cmdNWFilterBindingDumpXML(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const wrap = cmd.has('wrap');
  const found = await optNWFilterBinding(ctl, cmd);
  if (!found) return false;
  const xml = await ctl.call(found.binding.getXMLDesc(0));
  // virsh 9.0 returns true when the XML cannot be had, and never reads --xpath.
  if (xml === FAILED) return true;
  return dumpXML(ctl, xml, undefined, wrap);
}

async function cmdNWFilterBindingList(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const bindings = await ctl.call(connOf(ctl).listAllNWFilterBindings(0));
  if (bindings === FAILED) {
    ctl.error('Failed to list network filter bindings');
    return false;
  }
  bindings.sort((a, b) => strcasecmp(a.getPortDev(), b.getPortDev()));
  const table = new Table('Port Dev', 'Filter');
  for (const b of bindings) table.add(b.getPortDev(), b.getFilterName());
  ctl.printTable(cmd, table);
  return true;
}

export const nwfilterHandlers = {
  cmdNWFilterDefine,
  cmdNWFilterUndefine,
  cmdNWFilterDumpXML,
  cmdNWFilterList,
  cmdNWFilterBindingCreate,
  cmdNWFilterBindingDelete,
  cmdNWFilterBindingDumpXML,
  cmdNWFilterBindingList,
};
