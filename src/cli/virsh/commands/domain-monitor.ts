// virsh-domain-monitor.c: the "Domain Monitoring" group.

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
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT,
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_CONTROL_ERROR,
  VIR_DOMAIN_CONTROL_OK,
  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
  VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET,
  VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_HEADER,
  VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_SET_ADDRESS,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_STATS_BALLOON,
  VIR_DOMAIN_STATS_BLOCK,
  VIR_DOMAIN_STATS_CPU_TOTAL,
  VIR_DOMAIN_STATS_DIRTYRATE,
  VIR_DOMAIN_STATS_INTERFACE,
  VIR_DOMAIN_STATS_IOTHREAD,
  VIR_DOMAIN_STATS_MEMORY,
  VIR_DOMAIN_STATS_PERF,
  VIR_DOMAIN_STATS_STATE,
  VIR_DOMAIN_STATS_VCPU,
  VIR_DOMAIN_STATS_VM,
  VIR_DOMAIN_TIME_SYNC,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_NO_SUPPORT,
  VIR_FROM_STORAGE,
  VIR_IP_ADDR_TYPE_IPV4,
  VIR_IP_ADDR_TYPE_IPV6,
  VIR_TYPED_PARAM_STRING_OKAY,
  type Domain,
  type TypedParamsInput,
} from '../../../index.js';
import type { Cmd } from '../../vsh/cmd.js';
import { cformat } from '../../vsh/cformat.js';
import { FAILED, VSH_ERR_DEBUG } from '../../vsh/control.js';
import { numberCell, Table, typed, type TypedCell } from '../../vsh/table.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonNumber, scalarJson, toJson } from '../../vsh/json.js';
import type { XmlElement } from '../../../xml/tree.js';
import { typedParamEntries, typedParamString } from '../../vsh/typed-params.js';
import type { VirshControl } from '../control.js';
import { domainDescription } from '../describe.js';
import { attr, attrString, domainXML, normalizeMac, prettyCapacity, select } from '../monitor-util.js';
import { connOf, domainState, domainStateToString, idString, lookupDomain, optDomain, readFileAll } from '../util.js';
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
  cmd.jsonExcludes('uuid', 'name', 'id');
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
        table.add(id, dom.getName(), stateText, title).with({ uuid: dom.getUUIDString() });
      } else table.add(id, dom.getName(), stateText).with({ uuid: dom.getUUIDString() });
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
  if (table) ctl.printTable(cmd, table);
  return true;
}

async function cmdDominfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let ret = true;
  const id = idString(dom);
  const out = new InfoOutput(ctl, cmd);
  out.print('%-15s %s\n', 'Id:', id);
  out.print('%-15s %s\n', 'Name:', dom.getName());
  out.print('%-15s %s\n', 'UUID:', dom.getUUIDString());
  const ostype = await ctl.call(dom.getOSType());
  if (ostype !== FAILED) out.print('%-15s %s\n', 'OS Type:', ostype);
  const info = await ctl.call(dom.getInfo());
  if (info !== FAILED) {
    out.print('%-15s %s\n', 'State:', domainStateToString(info.state));
    out.print('%-15s %d\n', 'CPU(s):', info.nrVirtCpu).as(info.nrVirtCpu, 'cpus');
    if (BigInt(info.cpuTime) !== 0n) out.print('%-15s %.1lfs\n', 'CPU time:', Number(info.cpuTime) / 1e9).as(jsonNumber(info.cpuTime), 'cpu_time_ns');
    if (BigInt(info.maxMem) !== 0xffffffffn) out.print('%-15s %lu KiB\n', 'Max memory:', info.maxMem);
    else out.print('%-15s %s\n', 'Max memory:', 'no limit').as(null, 'max_memory_kib');
    out.print('%-15s %lu KiB\n', 'Used memory:', info.memory);
  } else ret = false;
  const persistent = await dom.isPersistent().then((p) => (p ? 1 : 0), () => -1);
  ctl.debug(VSH_ERR_DEBUG, `Domain persistent flag value: ${persistent}\n`);
  out.print('%-15s %s\n', 'Persistent:', persistent < 0 ? 'unknown' : persistent ? 'yes' : 'no');
  const autostart = await ctl.call(dom.getAutostart());
  if (autostart !== FAILED) out.print('%-15s %s\n', 'Autostart:', autostart ? 'enable' : 'disable');
  const managed = await dom.hasManagedSaveImage(0).then((m) => (m ? 1 : 0), () => -1);
  out.print('%-15s %s\n', 'Managed save:', managed < 0 ? 'unknown' : managed ? 'yes' : 'no');
  const model = await ctl.call(connOf(ctl).nodeGetSecurityModel());
  if (model === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return false;
    ctl.resetError();
  } else if (model.model !== '') {
    out.print('%-15s %s\n', 'Security model:', model.model);
    out.print('%-15s %s\n', 'Security DOI:', model.doi);
    const label = await ctl.call(dom.getSecurityLabel());
    if (label === FAILED) return false;
    if (label.label !== '') out.print('%-15s %s (%s)\n', 'Security label:', label.label, label.enforcing ? 'enforcing' : 'permissive').field('security_enforcing', Boolean(label.enforcing));
  }
  const messages = await dom.getMessages(0).catch(() => [] as string[]);
  messages.forEach((m, i) => out.text('%-15s %s\n', i === 0 ? 'Messages:' : '', m));
  out.field('messages', messages).end();
  return ret;
}

async function cmdDomstate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const showReason = cmd.has('reason');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { state, reason } = await domainState(ctl, found.dom);
  const out = new InfoOutput(ctl, cmd).field('state', domainStateToString(state));
  if (showReason) out.put('reason', domainStateReasonToString(state, reason), '%s (%s)\n', domainStateToString(state), domainStateReasonToString(state, reason));
  else out.text('%s\n', domainStateToString(state));
  out.end();
  return true;
}

/** virshDomainIsActive(dom) == 1, keeping the error as virsh's error handler does. */
async function isActive(ctl: VirshControl, dom: Domain): Promise<boolean> {
  return dom.isActive().catch((e: unknown) => {
    ctl.saveError(e);
    return false;
  });
}

// The memory statistics in KiB (the others count events, or are seconds: last_update).
const MEMORY_STAT_KIB = ['swap_in', 'swap_out', 'unused', 'available', 'usable', 'actual', 'rss', 'disk_caches'];
const MEMORY_STAT_NAMES = ['swap_in', 'swap_out', 'major_fault', 'minor_fault', 'unused', 'available', 'usable', 'actual', 'rss', 'last_update', 'disk_caches', 'hugetlb_pgalloc', 'hugetlb_pgfail'];

async function cmdDomMemStat(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const config = cmd.has('config');
  const live = cmd.has('live');
  const current = cmd.has('current');
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  if (config) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name } = found;
  if (!current && !live && !config && (await isActive(ctl, dom))) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const period = cmd.int('period');
  if (period !== undefined) {
    if (period < 0) {
      ctl.error(`Invalid collection period value '${period}'`);
      return false;
    }
    if ((await ctl.call(dom.setMemoryStatsPeriod(period, flags))) === FAILED) {
      ctl.error('Unable to change balloon collection period.');
      return false;
    }
    return true;
  }
  const stats = await ctl.call(dom.memoryStats());
  if (stats === FAILED) {
    ctl.error(`Failed to get memory statistics for domain ${name}`);
    return false;
  }
  const out = new InfoOutput(ctl, cmd);
  for (const [tag, val] of Object.entries(stats)) if (MEMORY_STAT_NAMES.includes(tag)) out.put(MEMORY_STAT_KIB.includes(tag) ? `${tag}_kib` : tag, jsonNumber(val!), `${tag} %llu\n`, val);
  out.end();
  return true;
}

/** cmdDomblkinfoGet: capacity, allocation and physical size as printed. */
function blockInfoCells(info: { capacity: bigint; allocation: bigint; physical: bigint }, human: boolean): [TypedCell, TypedCell, TypedCell] {
  const all = [info.capacity, info.allocation, info.physical];
  if (all.every((v) => v === 0n)) return [typed('-', null), typed('-', null), typed('-', null)];
  return all.map((v) => {
    if (!human) return numberCell(cformat('%llu', v), v);
    const p = prettyCapacity(v);
    return numberCell(cformat('%.3lf %s', p.value, p.unit), v);
  }) as [TypedCell, TypedCell, TypedCell];
}

async function cmdDomblkinfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.exclusive('all', 'device');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const all = cmd.has('all');
  const device = cmd.stringQuiet('device');
  if (!all && device === undefined) {
    ctl.error("command 'domblkinfo' requires <device> option");
    return false;
  }
  const human = cmd.has('human');
  if (all) {
    const active = await isActive(ctl, dom);
    const xml = await domainXML(ctl, cmd, 0);
    if (!xml) return false;
    const table = new Table('Target', 'Capacity', 'Allocation', 'Physical');
    for (const disk of select(xml, 'devices/disk')) {
      const protocol = attrString(disk, 'source', 'protocol');
      const target = attrString(disk, 'target', 'dev');
      let info = { capacity: 0n, allocation: 0n, physical: 0n };
      if (select(disk, 'source').length > 0) {
        const r = await ctl.call(dom.getBlockInfo(target ?? '', 0));
        if (r === FAILED) {
          // A networked disk of an inactive domain has no statistics: zeros, and the next disk.
          const err = ctl.lastError;
          if (!(protocol && !active && err?.code === VIR_ERR_INTERNAL_ERROR && err.domain === VIR_FROM_STORAGE)) return false;
          ctl.resetError();
        } else info = r;
      }
      table.add(target ?? '', ...blockInfoCells(info, human));
    }
    ctl.printTable(cmd, table);
  } else {
    const info = await ctl.call(dom.getBlockInfo(device!, 0));
    if (info === FAILED) return false;
    const [cap, alloc, phy] = blockInfoCells(info, human);
    const out = new InfoOutput(ctl, cmd);
    out.print('%-15s %s\n', 'Capacity:', cap.text).as(cap.value);
    out.print('%-15s %s\n', 'Allocation:', alloc.text).as(alloc.value);
    out.print('%-15s %s\n', 'Physical:', phy.text).as(phy.value);
    out.end();
  }
  return true;
}

/** virPCIDeviceAddressParseXML's numbers: any base, 0 when absent. */
function pciNumber(v: string | undefined): number {
  if (v === undefined) return 0;
  const r = strtouAuto(v);
  return r ?? 0;
}

function strtouAuto(v: string): number | null {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return null;
  const t = m[1]!;
  return t.startsWith('0x') || t.startsWith('0X') ? parseInt(t.slice(2), 16) : t.length > 1 && t.startsWith('0') ? parseInt(t, 8) : Number(t);
}

async function cmdDomblklist(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('inactive')) flags |= VIR_DOMAIN_XML_INACTIVE;
  const details = cmd.has('details');
  const xml = await domainXML(ctl, cmd, flags);
  if (!xml) return false;
  const table = details ? new Table('Type', 'Device', 'Target', 'Source') : new Table('Target', 'Source');
  for (const disk of select(xml, 'devices/disk')) {
    const type = attr(disk, 'type') || null;
    let device: string | null = null;
    if (details) {
      device = attr(disk, 'device') || null;
      if (!type || !device) {
        ctl.print('unable to query block list details');
        return false;
      }
    }
    const target = attrString(disk, 'target', 'dev');
    if (!target) {
      ctl.error('unable to query block list');
      return false;
    }
    let source: string | null;
    if (type === 'nvme') {
      const namespace = attrString(disk, 'source', 'namespace');
      const addr = select(disk, 'source/address')[0];
      if (!namespace || !addr) {
        ctl.error('Unable to query NVMe disk address');
        return false;
      }
      const n = (name: string) => pciNumber(attr(addr, name));
      source = cformat('nvme://%04x:%02x:%02x.%d/%s', n('domain'), n('bus'), n('slot'), n('function'), namespace);
    } else source = attrString(disk, 'source', 'file', 'dev', 'dir', 'name', 'volume', 'path');
    if (details) table.add(type!, device!, target, source ?? '-');
    else table.add(target, source ?? '-');
  }
  ctl.printTable(cmd, table);
  return true;
}

async function cmdDomiflist(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let flags = 0;
  if (cmd.has('inactive')) flags |= VIR_DOMAIN_XML_INACTIVE;
  const xml = await domainXML(ctl, cmd, flags);
  if (!xml) return false;
  const table = new Table('Interface', 'Type', 'Source', 'Model', 'MAC');
  for (const iface of select(xml, 'devices/interface')) {
    const type = attr(iface, 'type') || '';
    const source = attrString(iface, 'source', 'bridge', 'dev', 'network', 'name', 'path');
    const target = attrString(iface, 'target', 'dev');
    const model = attrString(iface, 'model', 'type');
    const mac = attrString(iface, 'mac', 'address');
    table.add(target ?? '-', type, source ?? '-', model ?? '-', mac ?? '-');
  }
  ctl.printTable(cmd, table);
  return true;
}

async function cmdDomIfGetLink(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const iface = cmd.string('interface')!;
  const flags = cmd.has('config') ? VIR_DOMAIN_XML_INACTIVE : 0;
  const xml = await domainXML(ctl, cmd, flags);
  if (!xml) return false;
  const macstr = normalizeMac(iface);
  const head = `/domain/devices/interface[(mac/@address = '${macstr}') or                           (target/@dev = '`;
  const xpath = `${head}${iface}')]`;
  let matches: XmlElement[] = [];
  if (iface.includes("'")) {
    // The name ends virsh's XPath literal early: libxml2 reports the expression invalid (on
    // stderr, with a caret after that literal) and no interface matches.
    const caret = head.length + iface.indexOf("'") + 1;
    ctl.io.stderr(`XPath error : Invalid expression\n${xpath}\n${' '.repeat(caret)}^\n`);
  } else {
    matches = (xml.name === 'domain' ? select(xml, 'devices/interface') : []).filter(
      (i) => select(i, 'mac').some((m) => attr(m, 'address') === macstr) || select(i, 'target').some((t) => attr(t, 'dev') === iface),
    );
  }
  if (matches.length < 1) {
    if (macstr) ctl.error(`Interface (mac: ${macstr}) not found.`);
    else ctl.error(`Interface (dev: ${iface}) not found.`);
    return false;
  } else if (matches.length > 1) {
    ctl.error('multiple matching interfaces found');
    return false;
  }
  const state = attrString(matches[0]!, 'link', 'state');
  if (state) ctl.print('%s %s', iface, state);
  else ctl.print('%s up', iface);
  return true;
}

const CONTROL_STATES = ['ok', 'background job', 'occupied', 'error'];
const CONTROL_ERROR_REASONS = ['', 'unknown', 'monitor failure', 'internal (locking) error'];

async function cmdDomControl(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const info = await ctl.call(found.dom.getControlInfo(0));
  if (info === FAILED) return false;
  const state = CONTROL_STATES[info.state] ?? 'unknown';
  const out = new InfoOutput(ctl, cmd).field('state', state);
  if (info.state !== VIR_DOMAIN_CONTROL_OK && info.state !== VIR_DOMAIN_CONTROL_ERROR) out.put('state_time_ms', jsonNumber(info.stateTime), '%s (%0.3fs)\n', state, Number(info.stateTime) / 1000.0);
  else if (info.state === VIR_DOMAIN_CONTROL_ERROR && info.details > 0) out.put('reason', CONTROL_ERROR_REASONS[info.details] ?? 'unknown', '%s: %s\n', state, CONTROL_ERROR_REASONS[info.details] ?? 'unknown');
  else out.text('%s\n', state);
  out.end();
  return true;
}

/** domblkstat_output: the fields in the order virsh prints them, their legacy and human names. */
const DOMBLKSTAT_OUTPUT: [string, string | null, string][] = [
  ['rd_operations', 'rd_req', 'number of read operations:'],
  ['rd_bytes', 'rd_bytes', 'number of bytes read:'],
  ['wr_operations', 'wr_req', 'number of write operations:'],
  ['wr_bytes', 'wr_bytes', 'number of bytes written:'],
  ['errs', 'errs', 'error count:'],
  ['flush_operations', null, 'number of flush operations:'],
  ['rd_total_times', null, 'total duration of reads (ns):'],
  ['wr_total_times', null, 'total duration of writes (ns):'],
  ['flush_total_times', null, 'total duration of flushes (ns):'],
];

async function cmdDomblkstat(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const human = cmd.has('human');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name } = found;
  let device = cmd.string('device') ?? '';
  // virsh's count (nparams 0), whose failure decides the fallback, then the library's getter.
  const count = await ctl.call(connOf(ctl).call('REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS', { dom: dom.wire, path: device, nparams: 0, flags: VIR_TYPED_PARAM_STRING_OKAY }));
  if (count === FAILED) {
    if (ctl.lastError?.code !== VIR_ERR_NO_SUPPORT) return false;
    ctl.resetError();
    const stats = await ctl.call(dom.blockStats(device));
    if (stats === FAILED) {
      ctl.error(`Failed to get block stats ${name} ${device}`);
      return false;
    }
    const out = new InfoOutput(ctl, cmd).field('device', device);
    if (human) {
      out.text('Device: %s\n', device);
      device = '';
    }
    const legacy = [stats.rd_req, stats.rd_bytes, stats.wr_req, stats.wr_bytes, stats.errs];
    legacy.forEach((value, id) => {
      const [field, legacyName, humanName] = DOMBLKSTAT_OUTPUT[id]!;
      if (value >= 0n) out.put(field, jsonNumber(value), '%s %-*s %lld\n', device, human ? 31 : 0, human ? humanName : legacyName, value);
    });
    out.end();
    return true;
  }
  const params = count.nparams === 0 ? {} : await ctl.call(dom.blockStatsFlags(device, 0));
  if (params === FAILED) {
    ctl.error(`Failed to get block stats for domain '${name}' device '${device}'`);
    return false;
  }
  const out = new InfoOutput(ctl, cmd).field('device', device);
  if (human) {
    out.text('Device: %s\n', device);
    device = '';
  }
  const entries = typedParamEntries(params);
  const printed = new Set<number>();
  for (const [field, legacyName, humanName] of DOMBLKSTAT_OUTPUT) {
    const at = entries.findIndex(([f], i) => f === field && !printed.has(i));
    if (at < 0) continue;
    printed.add(at);
    out.put(field, scalarJson(entries[at]![1]), '%s %-*s %s\n', device, human ? 31 : 0, (human ? humanName : legacyName) ?? field, typedParamString(params, field, entries[at]![1]));
  }
  entries.forEach(([field, value], i) => {
    if (!printed.has(i) && field) out.put(field, scalarJson(value), '%s %s %s\n', device, field, typedParamString(params, field, value));
  });
  out.end();
  return true;
}

async function cmdDomIfstat(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom, name } = found;
  const device = cmd.string('interface')!;
  const stats = await ctl.call(dom.interfaceStats(device));
  if (stats === FAILED) {
    ctl.error(`Failed to get interface stats ${name} ${device}`);
    return false;
  }
  const out = new InfoOutput(ctl, cmd).field('interface', device);
  for (const key of ['rx_bytes', 'rx_packets', 'rx_errs', 'rx_drop', 'tx_bytes', 'tx_packets', 'tx_errs', 'tx_drop'] as const) {
    if (stats[key] >= 0n) out.put(key, jsonNumber(stats[key]), `%s ${key} %lld\n`, device, stats[key]);
  }
  out.end();
  return true;
}

const IO_ERRORS = ['no error', 'unspecified error', 'no space'];

async function cmdDomBlkError(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const disks = await ctl.call(found.dom.getDiskErrors(undefined, 0));
  if (disks === FAILED) return false;
  if (disks.length === 0) ctl.print('No errors found\n');
  else for (const d of disks) ctl.print('%s: %s\n', d.disk, IO_ERRORS[d.error] ?? 'unknown error');
  return true;
}

/** g_date_time_format(utc, "%Y-%m-%d %H:%M:%S"). */
function utcTimestamp(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

async function cmdDomTime(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const now = cmd.has('now');
  const pretty = cmd.has('pretty');
  const rtcSync = cmd.has('sync');
  let flags = 0;
  cmd.exclusive('time', 'now');
  cmd.exclusive('time', 'sync');
  cmd.exclusive('now', 'sync');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const time = cmd.longlong('time');
  let seconds = time ?? 0n;
  if (time !== undefined || now || rtcSync) {
    if (now) seconds = BigInt(Math.floor(Date.now() / 1000));
    if (rtcSync) flags |= VIR_DOMAIN_TIME_SYNC;
    return (await ctl.call(dom.setTime(seconds, 0, flags))) !== FAILED;
  }
  const t = await ctl.call(dom.getTime(flags));
  if (t === FAILED) return false;
  const out = new InfoOutput(ctl, cmd).field('seconds', jsonNumber(t.seconds)).field('nseconds', t.nseconds);
  if (pretty) out.text('Time: %s', utcTimestamp(BigInt(t.seconds)));
  else out.text('Time: %lld', t.seconds);
  out.end();
  return true;
}

const DOMSTATS_GROUPS: [string, number][] = [
  ['state', VIR_DOMAIN_STATS_STATE],
  ['cpu-total', VIR_DOMAIN_STATS_CPU_TOTAL],
  ['balloon', VIR_DOMAIN_STATS_BALLOON],
  ['vcpu', VIR_DOMAIN_STATS_VCPU],
  ['interface', VIR_DOMAIN_STATS_INTERFACE],
  ['block', VIR_DOMAIN_STATS_BLOCK],
  ['perf', VIR_DOMAIN_STATS_PERF],
  ['iothread', VIR_DOMAIN_STATS_IOTHREAD],
  ['memory', VIR_DOMAIN_STATS_MEMORY],
  ['dirtyrate', VIR_DOMAIN_STATS_DIRTYRATE],
  ['vm', VIR_DOMAIN_STATS_VM],
];

const DOMSTATS_FLAGS: [string, number][] = [
  ['list-active', VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE],
  ['list-inactive', VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE],
  ['list-persistent', VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT],
  ['list-transient', VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT],
  ['list-running', VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING],
  ['list-paused', VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED],
  ['list-shutoff', VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF],
  ['list-other', VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER],
  ['enforce', VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS],
  ['backing', VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING],
  ['nowait', VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT],
];

async function cmdDomstats(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  let stats = 0;
  let flags = 0;
  for (const [name, bit] of DOMSTATS_GROUPS) if (cmd.has(name)) stats |= bit;
  // ENFORCE_STATS is bit 31: kept unsigned.
  for (const [name, bit] of DOMSTATS_FLAGS) if (cmd.has(name)) flags = (flags | bit) >>> 0;
  const conn = connOf(ctl);
  const doms: Domain[] = [];
  if (cmd.has('domain')) {
    for (const name of cmd.argv()) {
      const dom = await lookupDomain(ctl, 'unknown', name);
      if (!dom) return false;
      doms.push(dom);
    }
  }
  // virDomainListGetStats, or with no domain virConnectGetAllDomainStats (the same call, no domains).
  const r = await ctl.call(conn.domainListGetStats(doms, stats, flags));
  if (r === FAILED) return false;
  if (cmd.has('json')) {
    ctl.print(toJson(r.map((record) => ({ domain: record.dom.getName(), stats: Object.fromEntries(typedParamEntries(record.params).map(([field, value]) => [field, scalarJson(value)])) }))));
    return true;
  }
  r.forEach((record, i) => {
    ctl.print("Domain: '%s'\n", record.dom.getName());
    for (const [field, value] of typedParamEntries(record.params)) ctl.print('  %s=%s\n', field, typedParamString(record.params, field, value));
    if (i + 1 < r.length) ctl.print('\n');
  });
  return true;
}

export const ADDRESS_SOURCES = ['lease', 'agent', 'arp'];

async function cmdDomIfAddr(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const full = cmd.has('full');
  const ifacestr = cmd.string('interface');
  const sourcestr = cmd.string('source');
  let source = VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE;
  if (sourcestr !== undefined) {
    source = ADDRESS_SOURCES.indexOf(sourcestr);
    if (source < 0) {
      ctl.error(`Unknown data source '${sourcestr}'`);
      return false;
    }
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const ifaces = await ctl.call(found.dom.interfaceAddresses(source, 0));
  if (ifaces === FAILED) {
    ctl.error('Failed to query for interfaces addresses');
    return false;
  }
  ctl.printExtra(' %-10s %-20s %-8s     %s\n%s%s\n', 'Name', 'MAC address', 'Protocol', 'Address', '-------------------------------------------------', '------------------------------');
  for (const iface of ifaces) {
    let type: string | null = null;
    if (ifacestr !== undefined && ifacestr !== iface.name) continue;
    if (!iface.addrs.length) {
      ctl.print(' %-10s %-17s    %-12s %s\n', iface.name, iface.hwaddr ?? 'N/A', 'N/A', 'N/A');
      continue;
    }
    iface.addrs.forEach((a, j) => {
      if (a.type === VIR_IP_ADDR_TYPE_IPV4) type = 'ipv4';
      else if (a.type === VIR_IP_ADDR_TYPE_IPV6) type = 'ipv6';
      const ipAddr = cformat('%-12s %s/%d', type, a.addr, a.prefix);
      if (full || !j) ctl.print(' %-10s %-17s    %s\n', iface.name, iface.hwaddr ?? '', ipAddr);
      else ctl.print(' %-10s %-17s    %s\n', '-', '-', ipAddr);
    });
  }
  return true;
}

// domlaunchsecinfo and domsetlaunchsecstate are virsh-domain.c's ("Domain Management").

async function cmdDomLaunchSecInfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  // virDomainGetLaunchSecurityInfo adds VIR_TYPED_PARAM_STRING_OKAY for the daemon.
  const params = await ctl.call(found.dom.getLaunchSecurityInfo(VIR_TYPED_PARAM_STRING_OKAY));
  if (params === FAILED) {
    ctl.error('Unable to get launch security parameters');
    return false;
  }
  for (const [field, value] of typedParamEntries(params)) ctl.print('%-15s: %s\n', field, typedParamString(params, field, value));
  return true;
}

async function cmdDomSetLaunchSecState(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const sechdrfile = cmd.string('secrethdr');
  const secfile = cmd.string('secret');
  if (sechdrfile === undefined || secfile === undefined) {
    ctl.error('Both secret and the secret header are required');
    return false;
  }
  const sechdr = readFileAll(ctl, sechdrfile, 1024 * 64);
  if (sechdr === null) return false;
  const sec = readFileAll(ctl, secfile, 1024 * 64);
  if (sec === null) return false;
  const params: TypedParamsInput = {
    [VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_HEADER]: sechdr,
    [VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET]: sec,
  };
  const setaddr = cmd.ulonglong('set-address');
  if (setaddr !== undefined) params[VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET_SET_ADDRESS] = { type: 'ullong', value: setaddr };
  if ((await ctl.call(found.dom.setLaunchSecurityState(params, 0))) === FAILED) {
    ctl.error('Unable to set launch security state');
    return false;
  }
  return true;
}

export const domainMonitorHandlers = {
  cmdList,
  cmdDominfo,
  cmdDomstate,
  cmdDomMemStat,
  cmdDomblkinfo,
  cmdDomblklist,
  cmdDomiflist,
  cmdDomIfGetLink,
  cmdDomControl,
  cmdDomblkstat,
  cmdDomIfstat,
  cmdDomBlkError,
  cmdDomTime,
  cmdDomstats,
  cmdDomIfAddr,
  cmdDomLaunchSecInfo,
  cmdDomSetLaunchSecState,
};
