// virsh-host.c: the "Host and Hypervisor" group.

import {
  VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES,
  VIR_CONNECT_BASELINE_CPU_MIGRATABLE,
  VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE,
  VIR_CONNECT_COMPARE_CPU_VALIDATE_XML,
  VIR_CPU_COMPARE_IDENTICAL,
  VIR_CPU_COMPARE_INCOMPATIBLE,
  VIR_CPU_COMPARE_SUPERSET,
  VIR_NODE_ALLOC_PAGES_ADD,
  VIR_NODE_ALLOC_PAGES_SET,
  VIR_NODE_CPU_STATS_ALL_CPUS,
  VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES,
  VIR_TYPED_PARAM_STRING_OKAY,
  VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN,
  VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS,
  VIR_NODE_MEMORY_STATS_ALL_CELLS,
  type TypedParamsInput,
} from '../../../index.js';
import { parseXmlTree, type XmlElement } from '../../../xml/tree.js';
import { alternative, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { strToSigned, strToUnsigned, UINT_MAX } from '../../vsh/numbers.js';
import { typedParamEntries, typedParamString } from '../../vsh/typed-params.js';
import type { VirshControl } from '../control.js';
import { extractCPUDefXMLs } from '../cpu-xml.js';
import { attr, childrenNamed, select } from '../monitor-util.js';
import { connOf } from '../util.js';
import { VERSION_STRING, versionText } from '../../vsh/version.js';
import { InfoOutput } from '../../vsh/info.js';
import { jsonKey, jsonNumber } from '../../vsh/json.js';

async function cmdVersion(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const conn = connOf(ctl);
  const hvType = await ctl.call(conn.getType());
  if (hvType === FAILED) {
    ctl.error('failed to get hypervisor type');
    return false;
  }
  // The library and API lines describe the virsh this client reproduces (libvirt 9.0.0).
  const out = new InfoOutput(ctl, cmd);
  out.put('compiled_against_library', VERSION_STRING, `Compiled against library: libvirt ${VERSION_STRING}\n`);
  out.put('library', VERSION_STRING, `Using library: libvirt ${VERSION_STRING}\n`);
  out.put('api', VERSION_STRING, `Using API: ${hvType} ${VERSION_STRING}\n`).field('hypervisor_type', hvType);
  const hv = await ctl.call(conn.getVersion());
  if (hv === FAILED) {
    ctl.error('failed to get the hypervisor version');
    return false;
  }
  if (BigInt(hv) === 0n) out.put('hypervisor', null, `Cannot extract running ${hvType} hypervisor version\n`);
  else out.put('hypervisor', versionText(hv), `Running hypervisor: ${hvType} ${versionText(hv)}\n`);
  if (cmd.has('daemon')) {
    const d = await ctl.call(conn.getLibVersion());
    if (d === FAILED) ctl.error('failed to get the daemon version');
    else out.put('daemon', versionText(d), `Running against daemon: ${versionText(d)}\n`);
  }
  out.end();
  return true;
}

const cmdURI = (ctl: VirshControl, cmd: Cmd): Promise<boolean> => ctl.printResult(connOf(ctl).getURI(), 'failed to get URI', '%s\n', cmd.has('json') ? 'uri' : undefined);

const cmdHostname = (ctl: VirshControl, cmd: Cmd): Promise<boolean> => ctl.printResult(connOf(ctl).getHostname(), 'failed to get hostname', '%s\n', cmd.has('json') ? 'hostname' : undefined);

const cmdCapabilities = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getCapabilities(), 'failed to get capabilities', '%s\n');

const cmdSysinfo = (ctl: VirshControl): Promise<boolean> => ctl.printResult(connOf(ctl).getSysinfo(0), 'failed to get sysinfo', '%s');

async function cmdNodeinfo(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const info = await ctl.call(connOf(ctl).nodeGetInfo());
  if (info === FAILED) {
    ctl.error('failed to get node information');
    return false;
  }
  const out = new InfoOutput(ctl, cmd);
  out.print('%-20s %s\n', 'CPU model:', info.model);
  out.print('%-20s %d\n', 'CPU(s):', info.cpus);
  if (info.mhz) out.print('%-20s %d MHz\n', 'CPU frequency:', info.mhz);
  out.print('%-20s %d\n', 'CPU socket(s):', info.sockets);
  out.print('%-20s %d\n', 'Core(s) per socket:', info.cores);
  out.print('%-20s %d\n', 'Thread(s) per core:', info.threads);
  out.print('%-20s %d\n', 'NUMA cell(s):', info.nodes);
  out.print('%-20s %lu KiB\n', 'Memory size:', info.memory);
  out.end();
  return true;
}

async function cmdDomCapabilities(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const virttype = cmd.string('virttype') ?? null;
  const emulatorbin = cmd.string('emulatorbin') ?? null;
  const arch = cmd.string('arch') ?? null;
  const machine = cmd.string('machine') ?? null;
  const caps = await ctl.call(connOf(ctl).getDomainCapabilities(emulatorbin, arch, machine, virttype, 0));
  if (caps === FAILED) {
    ctl.error('failed to get emulator capabilities');
    return false;
  }
  ctl.print('%s\n', caps);
  return true;
}

/** The host's NUMA cells (/capabilities/host/topology/cells/cell) from the capabilities XML. */
function capabilityCells(caps: XmlElement): XmlElement[] {
  return caps.name === 'capabilities' ? select(caps, 'host/topology/cells/cell') : [];
}

/** virNodeGetCellsFreeMemory(conn, &mem, cell, 1) == 1: the free memory of one cell, or null. */
async function cellFreeMemory(ctl: VirshControl, cell: number): Promise<bigint | null> {
  const mem = await ctl.call(connOf(ctl).nodeGetCellsFreeMemory(cell, 1));
  return mem === FAILED || mem.length !== 1 ? null : mem[0]!;
}

/** virConnectGetCapabilities then virXMLParseStringCtxt, with the command's messages. */
async function capabilitiesTree(ctl: VirshControl, getError: string, parseError: string): Promise<XmlElement | null> {
  const xml = await ctl.call(connOf(ctl).getCapabilities());
  if (xml === FAILED) {
    ctl.error(getError);
    return null;
  }
  try {
    return parseXmlTree(xml);
  } catch {
    ctl.error(parseError);
    return null;
  }
}

async function cmdFreecell(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const all = cmd.has('all');
  const cellno = cmd.has('cellno');
  cmd.exclusive('all', 'cellno');
  const cell = cellno ? cmd.int('cellno')! : -1;
  if (!all) {
    if (cellno) {
      const memory = await cellFreeMemory(ctl, cell);
      if (memory === null) return false;
      ctl.print('%d: %llu KiB\n', cell, memory / 1024n);
      return true;
    }
    const memory = await ctl.call(connOf(ctl).nodeGetFreeMemory());
    if (memory === FAILED || BigInt(memory) === 0n) return false;
    ctl.print('%s: %llu KiB\n', 'Total', BigInt(memory) / 1024n);
    return true;
  }
  const caps = await capabilitiesTree(ctl, 'unable to get node capabilities', 'unable to get node capabilities');
  if (!caps) return false;
  const ids: bigint[] = [];
  const free: bigint[] = [];
  for (const node of capabilityCells(caps)) {
    const id = strToUnsigned(attr(node, 'id') ?? '', 64, false);
    if (!id) {
      ctl.error('conversion from string failed');
      return false;
    }
    ids.push(id.value);
    const mem = await cellFreeMemory(ctl, Number(id.value));
    if (mem === null) {
      ctl.error(`failed to get free memory for NUMA node number: ${id.value}`);
      return false;
    }
    free.push(mem);
  }
  let memory = 0n;
  ids.forEach((id, i) => {
    ctl.print('%5lu: %10llu KiB\n', id, free[i]! / 1024n);
    memory += free[i]!;
  });
  ctl.printExtra('--------------------\n');
  ctl.printExtra('%5s: %10llu KiB\n', 'Total', memory / 1024n);
  return true;
}

/** The page size option in KiB: a scaled number, KiB without a unit, rounded up. */
function pageSizeKiB(cmd: Cmd, max: bigint): bigint | undefined {
  const bytes = cmd.scaled('pagesize', 1024, max);
  return bytes === undefined ? undefined : (bytes + 1023n) / 1024n;
}

async function cmdFreepages(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const all = cmd.has('all');
  const cellno = cmd.has('cellno');
  const pagesz = cmd.has('pagesize');
  cmd.exclusive('all', 'cellno');
  const kibibytes = Number(pageSizeKiB(cmd, UINT_MAX) ?? 0n);
  const conn = connOf(ctl);
  if (all) {
    const caps = await capabilitiesTree(ctl, 'unable to get node capabilities', 'unable to parse node capabilities');
    if (!caps) return false;
    let pagesize: number[];
    if (!pagesz) {
      const root = caps.name === 'capabilities' ? caps : null;
      let nodes = root ? select(root, 'host/cpu/pages') : [];
      // Some drivers list the page sizes only under the cells.
      if (nodes.length === 0) nodes = root ? select(root, 'host/topology/cells/cell/pages') : [];
      if (nodes.length === 0) {
        ctl.error('could not get information about supported page sizes');
        return false;
      }
      pagesize = [];
      for (const n of nodes) {
        const val = attr(n, 'size');
        const size = val === undefined ? null : strToUnsigned(val, 32, false);
        if (!size) {
          ctl.error(`unable to parse page size: ${val ?? '(null)'}`);
          return false;
        }
        pagesize.push(Number(size.value));
      }
      pagesize.sort((a, b) => a - b);
      pagesize = pagesize.filter((p, i) => i === 0 || p !== pagesize[i - 1]);
    } else pagesize = [kibibytes];
    for (const node of capabilityCells(caps)) {
      const val = attr(node, 'id');
      const cell = val === undefined ? null : strToSigned(val, 32);
      if (!cell) {
        ctl.error(`unable to parse numa node id: ${val ?? '(null)'}`);
        return false;
      }
      const counts = await ctl.call(conn.nodeGetFreePages(pagesize, Number(cell.value), 1, 0));
      if (counts === FAILED) return false;
      ctl.print('Node %d:\n', cell.value);
      pagesize.forEach((p, j) => ctl.print('%uKiB: %lld\n', p, counts[j] ?? 0n));
      ctl.print('%c', '\n');
    }
    return true;
  }
  if (!cellno) {
    ctl.error('missing cellno argument');
    return false;
  }
  const cell = cmd.int('cellno')!;
  if (cell < -1) {
    ctl.error('cell number must be non-negative integer or -1');
    return false;
  }
  if (!pagesz) {
    ctl.error('missing pagesize argument');
    return false;
  }
  const counts = await ctl.call(conn.nodeGetFreePages([kibibytes], cell, 1, 0));
  if (counts === FAILED) return false;
  ctl.print('%uKiB: %lld\n', kibibytes, counts[0] ?? 0n);
  return true;
}

async function cmdAllocpages(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const add = cmd.has('add');
  const all = cmd.has('all');
  const cellno = cmd.has('cellno');
  cmd.exclusive('all', 'cellno');
  const startCell = cellno ? cmd.int('cellno')! : -1;
  const pageSizes = [Number(pageSizeKiB(cmd, UINT_MAX * 1024n)!)];
  const pageCounts = [cmd.ulonglong('pagecount')!];
  const flags = add ? VIR_NODE_ALLOC_PAGES_ADD : VIR_NODE_ALLOC_PAGES_SET;
  const conn = connOf(ctl);
  if (all) {
    const caps = await capabilitiesTree(ctl, 'unable to get node capabilities', 'unable to get node capabilities');
    if (!caps) return false;
    for (const node of capabilityCells(caps)) {
      const id = strToUnsigned(attr(node, 'id') ?? '', 64, false);
      if (!id) {
        ctl.error('conversion from string failed');
        return false;
      }
      if ((await ctl.call(conn.nodeAllocPages(pageSizes, pageCounts, Number(id.value), 1, flags))) === FAILED) return false;
    }
    return true;
  }
  return (await ctl.call(conn.nodeAllocPages(pageSizes, pageCounts, startCell, 1, flags))) !== FAILED;
}

async function cmdMaxvcpus(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const type = cmd.string('type') ?? null;
  const conn = connOf(ctl);
  let vcpus = -1;
  const caps = await ctl.call(conn.getDomainCapabilities(null, null, null, type, 0));
  if (caps !== FAILED) {
    let xml: XmlElement;
    try {
      xml = parseXmlTree(caps);
    } catch {
      return false;
    }
    // virXPathInt("string(./vcpu[1]/@max)"): unset when absent or not a number.
    const vcpu = childrenNamed(xml, 'vcpu')[0];
    const max = vcpu ? strToSigned(attr(vcpu, 'max') ?? '', 32) : null;
    if (max) vcpus = Number(max.value);
  } else ctl.resetError();
  if (vcpus < 0) {
    const n = await ctl.call(conn.getMaxVcpus(type));
    if (n === FAILED) return false;
    vcpus = n;
  }
  ctl.print('%d\n', vcpus);
  return true;
}

/** virBitmapFormat: ranges of set bits, "0-3,5". */
function bitmapFormat(bits: readonly boolean[]): string {
  const parts: string[] = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    let j = i;
    while (bits[j + 1]) j++;
    parts.push(j === i ? String(i) : `${i}-${j}`);
    i = j;
  }
  return parts.join(',');
}

async function cmdNodeCpuMap(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const pretty = cmd.has('pretty');
  const map = await ctl.call(connOf(ctl).nodeGetCPUMap(0));
  if (map === FAILED) {
    ctl.error('Unable to get cpu map');
    return false;
  }
  ctl.print('%-15s %d\n', 'CPUs present:', map.cpus);
  ctl.print('%-15s %d\n', 'CPUs online:', map.online);
  ctl.print('%-15s ', 'CPU map:');
  if (pretty) ctl.print('%s', bitmapFormat(map.cpumap));
  else for (let cpu = 0; cpu < map.cpus; cpu++) ctl.print('%c', map.cpumap[cpu] ? 'y' : '-');
  ctl.print('\n');
  return true;
}

/** virshCPUStats: the fields virsh reads, in its order (the last is the utilization). */
const CPU_STATS_FIELDS = ['user', 'kernel', 'idle', 'iowait', 'intr', 'utilization'];
const CPU_STATS_OUTPUT = ['user:', 'system:', 'idle:', 'iowait:', 'intr:', 'usage:'];
const CPU_USAGE = 5;

/** A double as glibc prints %5.1lf: 0.0/0.0 is x86's default NaN, which has its sign bit set. */
function percentArgs(v: number): [string, string | number] {
  return Number.isNaN(v) ? ['%5s', '-nan'] : ['%5.1lf', v];
}

async function cmdNodeCpuStats(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const percent = cmd.has('percent');
  const cpuNum = cmd.int('cpu') ?? VIR_NODE_CPU_STATS_ALL_CPUS;
  const conn = connOf(ctl);
  // virNodeGetCPUStats as virsh calls it: the count, then the values (twice with --percent).
  const count = await ctl.call(conn.call('REMOTE_PROC_NODE_GET_CPU_STATS', { cpuNum, nparams: 0, flags: 0 }));
  if (count === FAILED) {
    ctl.error('Unable to get number of cpu stats');
    return false;
  }
  const nparams = count.nparams;
  if (nparams === 0) return true;
  const stats = new Array<bigint>(CPU_STATS_FIELDS.length).fill(0n);
  const present = new Array<boolean>(CPU_STATS_FIELDS.length).fill(false);
  for (let i = 0; i < 2; i++) {
    const r = await ctl.call(conn.call('REMOTE_PROC_NODE_GET_CPU_STATS', { cpuNum, nparams, flags: 0 }));
    if (r === FAILED) {
      ctl.error('Unable to get node cpu stats');
      return false;
    }
    for (const p of r.params) {
      const field = CPU_STATS_FIELDS.indexOf(p.field);
      if (field < 0) continue;
      if (i === 0) {
        stats[field] = p.value;
        present[field] = true;
      } else if (present[field]) stats[field] = BigInt.asUintN(64, p.value - stats[field]!);
    }
    if (present[CPU_USAGE] || !percent) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const out = new InfoOutput(ctl, cmd);
  const key = (i: number) => jsonKey(CPU_STATS_OUTPUT[i]!) + (percent ? '_percent' : '_ns');
  if (!percent) {
    for (let i = 0; i < CPU_USAGE; i++) if (present[i]) out.put(key(i), jsonNumber(stats[i]!), '%-15s %20llu\n', CPU_STATS_OUTPUT[i]!, stats[i]!);
    out.end();
    return true;
  }
  if (present[CPU_USAGE]) {
    out.put(key(CPU_USAGE), jsonNumber(stats[CPU_USAGE]!), '%-15s %5.1llu%%\n', 'usage:', stats[CPU_USAGE]!);
    out.put(key(2), jsonNumber(BigInt.asUintN(64, 100n - stats[CPU_USAGE]!)), '%-15s %5.1llu%%\n', 'idle:', BigInt.asUintN(64, 100n - stats[CPU_USAGE]!));
  } else {
    let total = 0;
    for (let i = 0; i < CPU_USAGE; i++) total += Number(stats[i]!);
    const usage = (Number(BigInt.asUintN(64, stats[0]! + stats[1]!)) / total) * 100;
    const [fmt, arg] = percentArgs(usage);
    out.put(key(CPU_USAGE), usage, `%-15s ${fmt}%%\n`, 'usage:', arg);
    for (let i = 0; i < CPU_USAGE; i++) {
      if (!present[i]) continue;
      const [f, a] = percentArgs((Number(stats[i]!) / total) * 100);
      out.put(key(i), (Number(stats[i]!) / total) * 100, `%-15s ${f}%%\n`, CPU_STATS_OUTPUT[i]!, a);
    }
  }
  out.end();
  return true;
}

async function cmdNodeMemStats(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const cellNum = cmd.int('cell') ?? VIR_NODE_MEMORY_STATS_ALL_CELLS;
  const conn = connOf(ctl);
  // virNodeGetMemoryStats as virsh calls it: the count, then the values.
  const count = await ctl.call(conn.call('REMOTE_PROC_NODE_GET_MEMORY_STATS', { nparams: 0, cellNum, flags: 0 }));
  if (count === FAILED) {
    ctl.error('Unable to get number of memory stats');
    return false;
  }
  if (count.nparams === 0) return true;
  const r = await ctl.call(conn.call('REMOTE_PROC_NODE_GET_MEMORY_STATS', { nparams: count.nparams, cellNum, flags: 0 }));
  if (r === FAILED) {
    ctl.error('Unable to get memory stats');
    return false;
  }
  const out = new InfoOutput(ctl, cmd);
  for (const p of r.params) out.put(`${p.field}_kib`, jsonNumber(p.value), '%-7s: %20llu KiB\n', p.field, p.value);
  out.end();
  return true;
}

async function cmdNodeSEVInfo(ctl: VirshControl): Promise<boolean> {
  const info = await ctl.call(connOf(ctl).nodeGetSEVInfo(0));
  if (info === FAILED) {
    ctl.error('Unable to get host SEV information');
    return false;
  }
  for (const [field, value] of typedParamEntries(info)) ctl.print('%-18s: %s\n', field, typedParamString(info, field, value));
  return true;
}

export const SUSPEND_TARGETS = ['mem', 'disk', 'hybrid'];

async function cmdNodeSuspend(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const target = cmd.string('target')!;
  const duration = cmd.longlong('duration')!;
  const suspendTarget = SUSPEND_TARGETS.indexOf(target);
  if (suspendTarget < 0) {
    ctl.error('Invalid target');
    return false;
  }
  if (duration < 0n) {
    ctl.error('Invalid duration');
    return false;
  }
  if ((await ctl.call(connOf(ctl).nodeSuspendForDuration(suspendTarget, duration, 0))) === FAILED) {
    ctl.error('The host was not suspended');
    return false;
  }
  return true;
}

const MEMORY_TUNABLES: [string, string][] = [
  ['shm-pages-to-scan', VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN],
  ['shm-sleep-millisecs', VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS],
  ['shm-merge-across-nodes', VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES],
];

async function cmdNodeMemoryTune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const params: TypedParamsInput = {};
  for (const [opt, field] of MEMORY_TUNABLES) {
    const value = cmd.uint(opt);
    if (value !== undefined) params[field] = { type: 'uint', value };
  }
  const conn = connOf(ctl);
  if (Object.keys(params).length === 0) {
    // virsh's count (nparams 0, its own message), then the library's getter.
    const count = await ctl.call(conn.call('REMOTE_PROC_NODE_GET_MEMORY_PARAMETERS', { nparams: 0, flags: VIR_TYPED_PARAM_STRING_OKAY }));
    if (count === FAILED) {
      ctl.error('Unable to get number of memory parameters');
      return false;
    }
    if (count.nparams === 0) return true;
    const r = await ctl.call(conn.nodeGetMemoryParameters(0));
    if (r === FAILED) {
      ctl.error('Unable to get memory parameters');
      return false;
    }
    const entries = typedParamEntries(r);
    ctl.print('Shared memory:\n');
    for (const [field, value] of entries) ctl.print('\t%-15s %s\n', field, typedParamString(r, field, value));
    return true;
  }
  if ((await ctl.call(conn.nodeSetMemoryParameters(params, 0))) === FAILED) {
    ctl.error('Unable to change memory parameters');
    return false;
  }
  return true;
}

function compareFlags(cmd: Cmd): number {
  let flags = 0;
  if (cmd.has('error')) flags |= VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE;
  if (cmd.has('validate')) flags |= VIR_CONNECT_COMPARE_CPU_VALIDATE_XML;
  return flags;
}

function baselineFlags(cmd: Cmd): number {
  let flags = 0;
  if (cmd.has('features')) flags |= VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES;
  if (cmd.has('migratable')) flags |= VIR_CONNECT_BASELINE_CPU_MIGRATABLE;
  return flags;
}

async function cmdCPUCompare(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = compareFlags(cmd);
  const from = cmd.string('file')!;
  const cpus = extractCPUDefXMLs(ctl, from);
  if (!cpus) return false;
  const result = await ctl.call(connOf(ctl).compareCPU(cpus[0]!, flags));
  switch (result) {
    case VIR_CPU_COMPARE_INCOMPATIBLE:
      ctl.print('CPU described in %s is incompatible with host CPU\n', from);
      return false;
    case VIR_CPU_COMPARE_IDENTICAL:
      ctl.print('CPU described in %s is identical to host CPU\n', from);
      return true;
    case VIR_CPU_COMPARE_SUPERSET:
      ctl.print('Host CPU is a superset of CPU described in %s\n', from);
      return true;
    default:
      ctl.error(`Failed to compare host CPU with ${from}`);
      return false;
  }
}

async function cmdCPUBaseline(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = baselineFlags(cmd);
  const from = cmd.string('file')!;
  const list = extractCPUDefXMLs(ctl, from);
  if (!list) return false;
  const result = await ctl.call(connOf(ctl).baselineCPU(list, flags));
  if (result === FAILED) return false;
  ctl.print('%s', result);
  return true;
}

async function cmdCPUModelNames(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const arch = cmd.string('arch')!;
  const models = await ctl.call(connOf(ctl).getCPUModelNames(arch, 0));
  if (models === FAILED) {
    ctl.error('failed to get CPU model names');
    return false;
  }
  if (models.length === 0) ctl.printExtra('%s\n', 'all CPU models are accepted');
  else for (const m of models) ctl.print('%s\n', m);
  return true;
}

/** The --virttype, --emulator, --arch and --machine of the hypervisor-cpu-* commands, in virsh's order. */
function hypervisorOptions(cmd: Cmd): { virttype: string | null; emulator: string | null; arch: string | null; machine: string | null } {
  const virttype = cmd.string('virttype') ?? null;
  const emulator = cmd.string('emulator') ?? null;
  const arch = cmd.string('arch') ?? null;
  const machine = cmd.string('machine') ?? null;
  return { virttype, emulator, arch, machine };
}

async function cmdHypervisorCPUCompare(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = compareFlags(cmd);
  const from = cmd.string('file')!;
  const { virttype, emulator, arch, machine } = hypervisorOptions(cmd);
  const cpus = extractCPUDefXMLs(ctl, from);
  if (!cpus) return false;
  const result = await ctl.call(connOf(ctl).compareHypervisorCPU(emulator, arch, machine, virttype, cpus[0]!, flags));
  switch (result) {
    case VIR_CPU_COMPARE_INCOMPATIBLE:
      ctl.print('CPU described in %s is incompatible with the CPU provided by hypervisor on the host\n', from);
      return false;
    case VIR_CPU_COMPARE_IDENTICAL:
      ctl.print('CPU described in %s is identical to the CPU provided by hypervisor on the host\n', from);
      return true;
    case VIR_CPU_COMPARE_SUPERSET:
      ctl.print('The CPU provided by hypervisor on the host is a superset of CPU described in %s\n', from);
      return true;
    default:
      ctl.error(`Failed to compare hypervisor CPU with ${from}`);
      return false;
  }
}

async function cmdHypervisorCPUBaseline(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const flags = baselineFlags(cmd);
  const from = cmd.string('file');
  const { virttype, emulator, arch, machine } = hypervisorOptions(cmd);
  const model = cmd.string('model');
  alternative('file', from, 'model', model);
  let list: string[] | null;
  if (from !== undefined) {
    list = extractCPUDefXMLs(ctl, from);
    if (!list) return false;
  } else list = [`<cpu><model>${model!}</model></cpu>`];
  const result = await ctl.call(connOf(ctl).baselineHypervisorCPU(emulator, arch, machine, virttype, list, flags));
  if (result === FAILED) return false;
  ctl.print('%s', result);
  return true;
}

export const hostHandlers = {
  cmdVersion,
  cmdURI,
  cmdHostname,
  cmdCapabilities,
  cmdSysinfo,
  cmdNodeinfo,
  cmdDomCapabilities,
  cmdFreecell,
  cmdFreepages,
  cmdAllocpages,
  cmdMaxvcpus,
  cmdNodeCpuMap,
  cmdNodeCpuStats,
  cmdNodeMemStats,
  cmdNodeSEVInfo,
  cmdNodeSuspend,
  cmdNodeMemoryTune,
  cmdCPUCompare,
  cmdCPUBaseline,
  cmdCPUModelNames,
  cmdHypervisorCPUCompare,
  cmdHypervisorCPUBaseline,
};
