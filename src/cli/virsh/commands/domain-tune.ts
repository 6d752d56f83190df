// virsh-domain.c: the tuning commands of "Domain Management" — setmem, setmaxmem, memtune,
// blkiotune, numatune, perf — and the domain's description and metadata (desc, metadata).

import { rmSync } from 'node:fs';
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_MEM_MAXIMUM,
  VIR_DOMAIN_METADATA_DESCRIPTION,
  VIR_DOMAIN_METADATA_ELEMENT,
  VIR_DOMAIN_METADATA_TITLE,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OVERFLOW,
  VIR_TYPED_PARAM_STRING_OKAY,
  type Domain,
  type TypedParams,
  type TypedParamValue,
  typedParamType,
} from '../../../index.js';
import { type Cmd, exclusive } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { LLONG_MAX, ScaleError, UINT_MAX, scaleInteger, strToSigned } from '../../vsh/numbers.js';
import { typedParamEntries, typedParamString } from '../../vsh/typed-params.js';
import type { VirshControl } from '../control.js';
import { domainDescription } from '../describe.js';
import { affectFlags, typedParamValue, type WireParam } from '../domain-config-util.js';
import { editFile, editLoop, readBackFile, writeToTempFile } from '../editor.js';
import { parseRate } from './domain-devices.js';
import { connOf, domainState, optDomain } from '../util.js';

/** The most KiB an unsigned long holds (64-bit): virsh's limit of setmem/setmaxmem. */
const ULONG_MAX = (1n << 64n) - 1n;

/** VIR_DOMAIN_MEMORY_PARAM_UNLIMITED (a #define of libvirt-domain.h): 2^53 - 1. */
const MEMORY_PARAM_UNLIMITED = 9007199254740991n;

const divUp = (a: bigint, b: bigint) => (a + b - 1n) / b;

async function cmdSetmem(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags: affect, config, live, current } = affectFlags(cmd);
  let flags = VIR_DOMAIN_AFFECT_LIVE;
  if (config || live || current) flags = VIR_DOMAIN_AFFECT_CURRENT | affect;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const bytes = cmd.scaled('size', 1024, ULONG_MAX) ?? 0n;
  await found.dom.setMemoryFlags(divUp(bytes, 1024n), flags);
  return true;
}

async function cmdSetmaxmem(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const bytes = cmd.scaled('size', 1024, ULONG_MAX) ?? 0n;
  if ((await ctl.call(found.dom.setMemoryFlags(divUp(bytes, 1024n), flags | VIR_DOMAIN_MEM_MAXIMUM))) === FAILED) {
    ctl.error('Unable to change MaxMemorySize');
    return false;
  }
  return true;
}

/** A getter of typed parameters that virsh first asks for their number (virDomainGet{Memory,Numa,Blkio}Parameters). */
type CountedGetter = 'REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS' | 'REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS' | 'REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS';

/** virsh's first call of a counted getter (nparams 0): how many parameters there are. */
function countParams(ctl: VirshControl, proc: CountedGetter | 'REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS', dom: Domain, flags: number, device = ''): Promise<{ nparams: number }> {
  const conn = connOf(ctl);
  const f = flags | VIR_TYPED_PARAM_STRING_OKAY;
  if (proc === 'REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS') return conn.call(proc, { dom: dom.wire, device, nparams: 0, flags: f });
  return conn.call(proc, { dom: dom.wire, nparams: 0, flags: f });
}

/**
 * The get half of memtune, numatune, blkiotune and domiftune: virsh's count (nparams 0, its own
 * error message: a daemon may fail only the second call, as the test driver does for an unknown
 * interface), then the library's getter, each field printed by `print`.
 */
async function showCountedParams(
  ctl: VirshControl,
  count: Promise<{ nparams: number }>,
  get: () => Promise<TypedParams>,
  what: string,
  print: (field: string, value: TypedParamValue, params: TypedParams) => void,
): Promise<boolean> {
  const counted = await ctl.call(count);
  if (counted === FAILED) {
    ctl.error(`Unable to get number of ${what === 'numa' ? 'memory' : what} parameters`);
    return false;
  }
  if (counted.nparams === 0) return true;
  const params = await ctl.call(get());
  if (params === FAILED) {
    ctl.error(`Unable to get ${what} parameters`);
    return false;
  }
  for (const [field, value] of typedParamEntries(params)) print(field, value, params);
  return true;
}

/** "%-15s: %s\n" of a typed parameter, as the *tune commands print one. */
function printTunable(ctl: VirshControl, field: string, text: string): void {
  ctl.print('%-15s: %s\n', field, text);
}

/** virshMemtuneGetSize: the option in KiB (-1 for unlimited); undefined when absent, null when malformed. */
function memtuneSize(ctl: VirshControl, cmd: Cmd, name: string): bigint | undefined | null {
  const str = cmd.stringQuiet(name);
  if (str === undefined) return undefined;
  const r = strToSigned(str, 64, 10, true);
  if (!r) return null;
  if (r.value < 0n) return MEMORY_PARAM_UNLIMITED;
  try {
    return divUp(scaleInteger(r.value, str.slice(r.end), 1024n, LLONG_MAX), 1024n);
  } catch (e) {
    if (!(e instanceof ScaleError)) throw e;
    ctl.lastError = { message: e.message, code: e.code === 'overflow' ? VIR_ERR_OVERFLOW : VIR_ERR_INVALID_ARG, domain: 0 };
    return null;
  }
}

async function cmdMemtune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const params: Record<string, { type: 'ullong'; value: bigint }> = {};
  for (const [opt, field] of [
    ['hard-limit', 'hard_limit'],
    ['soft-limit', 'soft_limit'],
    ['swap-hard-limit', 'swap_hard_limit'],
    ['min-guarantee', 'min_guarantee'],
  ] as const) {
    const v = memtuneSize(ctl, cmd, opt);
    if (v === null) {
      ctl.error(`Unable to parse integer parameter ${opt}`);
      return false;
    }
    if (v !== undefined) params[field] = { type: 'ullong', value: BigInt.asUintN(64, v) };
  }
  if (Object.keys(params).length === 0) {
    return showCountedParams(ctl, countParams(ctl, 'REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS', found.dom, flags), () => found.dom.getMemoryParameters(flags), 'memory', (field, value, all) => {
      if (typedParamType(all, field) === 'ullong' && value === MEMORY_PARAM_UNLIMITED) printTunable(ctl, field, 'unlimited');
      else printTunable(ctl, field, typedParamString(all, field, value));
    });
  }
  if ((await ctl.call(found.dom.setMemoryParameters(params, flags))) === FAILED) {
    ctl.error('Unable to change memory parameters');
    return false;
  }
  return true;
}

async function cmdBlkiotune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const params: Record<string, { type: 'uint' | 'string'; value: number | string }> = {};
  const weight = cmd.int('weight');
  if (weight !== undefined) {
    if (weight <= 0) {
      ctl.error(`Invalid value of ${weight} for I/O weight`);
      return false;
    }
    params['weight'] = { type: 'uint', value: weight };
  }
  for (const [opt, field] of [
    ['device-weights', 'device_weight'],
    ['device-read-iops-sec', 'device_read_iops_sec'],
    ['device-write-iops-sec', 'device_write_iops_sec'],
    ['device-read-bytes-sec', 'device_read_bytes_sec'],
    ['device-write-bytes-sec', 'device_write_bytes_sec'],
  ] as const) {
    const v = cmd.stringQuiet(opt);
    if (v !== undefined) params[field] = { type: 'string', value: v };
  }
  if (Object.keys(params).length === 0)
    return showCountedParams(ctl, countParams(ctl, 'REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS', found.dom, flags), () => found.dom.getBlkioParameters(flags), 'blkio', (field, value, all) => printTunable(ctl, field, typedParamString(all, field, value)));
  if ((await ctl.call(found.dom.setBlkioParameters(params, flags))) === FAILED) {
    ctl.error('Unable to change blkio parameters');
    return false;
  }
  return true;
}

export const NUMATUNE_MODES = ['strict', 'preferred', 'interleave', 'restrictive'];

async function cmdNumatune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const params: Record<string, { type: 'int' | 'string'; value: number | string }> = {};
  const nodeset = cmd.string('nodeset');
  if (nodeset !== undefined) params['numa_nodeset'] = { type: 'string', value: nodeset };
  const mode = cmd.string('mode');
  if (mode !== undefined) {
    let m = NUMATUNE_MODES.indexOf(mode);
    if (m < 0) {
      const r = strToSigned(mode, 32, 0);
      if (!r) {
        ctl.error(`Invalid mode: ${mode}`);
        return false;
      }
      m = Number(r.value);
    }
    params['numa_mode'] = { type: 'int', value: m };
  }
  if (Object.keys(params).length === 0) {
    return showCountedParams(ctl, countParams(ctl, 'REMOTE_PROC_DOMAIN_GET_NUMA_PARAMETERS', found.dom, flags), () => found.dom.getNumaParameters(flags), 'numa', (field, value, all) => {
      if (typedParamType(all, field) === 'int' && field === 'numa_mode') printTunable(ctl, field, String(NUMATUNE_MODES[value as number]));
      else printTunable(ctl, field, typedParamString(all, field, value));
    });
  }
  if ((await ctl.call(found.dom.setNumaParameters(params, flags))) === FAILED) {
    ctl.error('Unable to change numa parameters');
    return false;
  }
  return true;
}

/** virshPrintPerfStatus. */
function printPerfStatus(ctl: VirshControl, params: readonly { field: string; enabled: boolean }[]): void {
  for (const p of params) ctl.printExtra('%-15s: %s\n', p.field, p.enabled ? 'enabled' : 'disabled');
}

async function cmdPerf(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const enable = cmd.string('enable');
  const disable = cmd.string('disable');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const events: { field: string; enabled: boolean }[] = [];
  for (const [list, state] of [
    [enable, true],
    [disable, false],
  ] as const) {
    if (list === undefined) continue;
    for (const name of list.split(',')) if (name !== '') events.push({ field: name, enabled: state });
  }
  if (events.length === 0) {
    const r = await ctl.call(found.dom.getPerfEvents(flags));
    if (r === FAILED) {
      ctl.error('Unable to get perf events');
      return false;
    }
    printPerfStatus(
      ctl,
      typedParamEntries(r).map(([field, value]) => ({ field, enabled: value === true })),
    );
    return true;
  }
  const wire = events.map((e) => ({ field: e.field, value: { type: 6 as const, b: e.enabled ? 1 : 0 } }));
  if ((await ctl.call(connOf(ctl).call('REMOTE_PROC_DOMAIN_SET_PERF_EVENTS', { dom: found.dom.wire, params: wire, flags }))) === FAILED) {
    ctl.error('Unable to enable/disable perf events');
    return false;
  }
  printPerfStatus(ctl, events);
  return true;
}

async function cmdDesc(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const config = cmd.has('config');
  const live = cmd.has('live');
  const current = cmd.has('current');
  const title = cmd.has('title');
  const edit = cmd.has('edit');
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  let queryflags = 0;
  exclusive('current', current, 'live', live);
  exclusive('current', current, 'config', config);
  if (config) {
    flags |= VIR_DOMAIN_AFFECT_CONFIG;
    queryflags |= VIR_DOMAIN_XML_INACTIVE;
  }
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  await domainState(ctl, dom);
  const type = title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION;
  const words = cmd.argv();
  // virsh appends each word and a space, then trims one space.
  let descArg: string | undefined = words.length ? words.join(' ') : undefined;
  if (edit || descArg !== undefined) {
    const descDom = await domainDescription(ctl, dom, title, queryflags);
    if (descDom === null) return false;
    descArg ??= descDom;
    let descNew: string;
    if (edit) {
      const tmp = writeToTempFile(ctl, descArg);
      if (tmp === null) return false;
      try {
        if (!editFile(ctl, tmp)) return false;
        let edited = readBackFile(ctl, tmp);
        if (edited === null) return false;
        if (title && edited.endsWith('\n')) edited = edited.slice(0, -1);
        if (descDom === edited) {
          ctl.printExtra('%s', title ? 'Domain title not changed\n' : 'Domain description not changed\n');
          return true;
        }
        descNew = edited;
      } finally {
        rmSync(tmp, { force: true });
      }
    } else descNew = descArg;
    if ((await ctl.call(dom.setMetadata(type, descNew, null, null, flags))) === FAILED) {
      ctl.error(title ? 'Failed to set new domain title' : 'Failed to set new domain description');
      return false;
    }
    ctl.printExtra('%s', title ? 'Domain title updated successfully' : 'Domain description updated successfully');
    return true;
  }
  const desc = await domainDescription(ctl, dom, title, queryflags);
  if (desc === null) return false;
  if (desc.length > 0) ctl.print('%s', desc);
  else if (title) ctl.printExtra(`No title for domain: ${dom.getName()}`);
  else ctl.printExtra(`No description for domain: ${dom.getName()}`);
  return true;
}

async function cmdMetadata(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const edit = cmd.has('edit');
  const rem = cmd.has('remove');
  cmd.exclusive('edit', 'set');
  cmd.exclusive('remove', 'set');
  cmd.exclusive('remove', 'edit');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const uri = cmd.string('uri')!;
  const key = cmd.string('key');
  const set = cmd.string('set');
  if ((set !== undefined || edit) && key === undefined) {
    ctl.error('namespace key is required when modifying metadata');
    return false;
  }
  if (set !== undefined || rem) {
    await dom.setMetadata(VIR_DOMAIN_METADATA_ELEMENT, set ?? null, key ?? null, uri, flags);
    ctl.printExtra('%s\n', rem ? 'Metadata removed' : 'Metadata modified');
    return true;
  }
  if (edit) {
    const ok = await editLoop(ctl, {
      getXML: async () => {
        try {
          return await dom.getMetadata(VIR_DOMAIN_METADATA_ELEMENT, uri, flags);
        } catch {
          ctl.resetError();
          return '\n';
        }
      },
      notChanged: () => {
        ctl.printExtra('%s', 'Metadata not changed');
        return true;
      },
      define: async (docEdited) => (await ctl.call(dom.setMetadata(VIR_DOMAIN_METADATA_ELEMENT, docEdited, key ?? null, uri, flags))) !== FAILED,
    });
    if (ok === 'unchanged') return true;
    if (ok === 'failed') return false;
    ctl.printExtra('%s\n', 'Metadata modified');
    return true;
  }
  const data = await dom.getMetadata(VIR_DOMAIN_METADATA_ELEMENT, uri, flags);
  ctl.print('%s\n', data);
  return true;
}

/** vshCPUStatsPrintField. */
function printCPUStatsField(ctl: VirshControl, p: WireParam): void {
  ctl.print('\t%-12s ', p.field);
  if (['cpu_time', 'vcpu_time', 'user_time', 'system_time'].includes(p.field) && p.value.type === 4) {
    const ns = BigInt.asUintN(64, p.value.ul);
    ctl.print('%9lld.%09lld seconds\n', ns / 1000000000n, ns % 1000000000n);
  } else ctl.print('%s\n', typedParamValue(p));
}

/** REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX. */
const CPU_STATS_NCPUS_MAX = 128;

async function cmdCPUStats(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const conn = connOf(ctl);
  let showTotal = cmd.has('total');
  let showPerCpu = false;
  let cpu = 0;
  let showCount = -1;
  const start = cmd.int('start');
  if (start !== undefined) {
    if (start < 0) {
      ctl.error('Invalid value for start CPU');
      return false;
    }
    cpu = start;
    showPerCpu = true;
  }
  const count = cmd.int('count');
  if (count !== undefined) {
    if (count < 0) {
      ctl.error('Invalid value for number of CPUs to show');
      return false;
    }
    showCount = count;
    showPerCpu = true;
  }
  if (!showTotal && !showPerCpu) showTotal = showPerCpu = true;
  const stats = (nparams: number, startCpu: number, ncpus: number) =>
    ctl.call(conn.call('REMOTE_PROC_DOMAIN_GET_CPU_STATS', { dom: dom.wire, nparams, start_cpu: startCpu, ncpus, flags: VIR_TYPED_PARAM_STRING_OKAY }));
  const failed = () => {
    ctl.error(`Failed to retrieve CPU statistics for domain '${dom.getName()}'`);
    return false;
  };
  if (showPerCpu) {
    const max = await stats(0, 0, 0);
    if (max === FAILED) return failed();
    const maxId = max.nparams;
    if (cpu >= maxId) {
      ctl.error(`Start CPU ${cpu} is out of range (min: 0, max: ${maxId - 1})`);
      return false;
    }
    if (showCount < 0 || showCount > maxId) {
      if (showCount > maxId) ctl.print('Only %d CPUs available to show\n', maxId);
      showCount = maxId - cpu;
    }
    const per = await stats(0, 0, 1);
    if (per === FAILED) return failed();
    const nparams = per.nparams;
    if (!nparams) {
      ctl.print('%s', 'No per-CPU stats available');
      if (!showTotal) return false;
    } else {
      while (showCount) {
        const ncpus = Math.min(showCount, CPU_STATS_NCPUS_MAX);
        const r = await stats(nparams, cpu, ncpus);
        if (r === FAILED) return failed();
        // The daemon leaves out empty entries: the reply is strides of r.nparams, the rest empty.
        for (let i = 0; i < ncpus; i++) {
          const stride = r.nparams ? r.params.slice(i * r.nparams, (i + 1) * r.nparams) : [];
          if (stride.length === 0) continue;
          ctl.print('CPU%zu:\n', cpu + i);
          for (let j = 0; j < nparams && j < stride.length; j++) printCPUStatsField(ctl, stride[j]!);
        }
        cpu += ncpus;
        showCount -= ncpus;
      }
      if (!showTotal) return true;
    }
  }
  const total = await stats(0, -1, 1);
  if (total === FAILED) return failed();
  if (!total.nparams) {
    ctl.print('%s', 'No total stats available');
    return false;
  }
  const r = await stats(total.nparams, -1, 1);
  if (r === FAILED) return failed();
  ctl.print('Total:\n');
  for (const p of r.params.slice(0, r.nparams)) printCPUStatsField(ctl, p);
  return true;
}

async function cmdDomIftune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const { flags } = affectFlags(cmd);
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const device = cmd.string('interface')!;
  const inboundStr = cmd.string('inbound');
  const outboundStr = cmd.string('outbound');
  const params: Record<string, { type: 'uint'; value: number }> = {};
  const uint = (v: bigint) => ({ type: 'uint' as const, value: Number(v) });
  if (inboundStr !== undefined) {
    const inbound = parseRate(ctl, inboundStr);
    if (!inbound) return false;
    if (inbound.average > UINT_MAX || inbound.peak > UINT_MAX || inbound.burst > UINT_MAX) {
      ctl.error(`inbound rate larger than maximum ${UINT_MAX}`);
      return false;
    }
    if (!inbound.average && (inbound.burst || inbound.peak) && !inbound.floor) {
      ctl.error('either inbound average or floor is mandatory');
      return false;
    }
    params['inbound.average'] = uint(inbound.average);
    if (inbound.peak) params['inbound.peak'] = uint(inbound.peak);
    if (inbound.burst) params['inbound.burst'] = uint(inbound.burst);
    if (inbound.floor) params['inbound.floor'] = uint(inbound.floor);
  }
  if (outboundStr !== undefined) {
    const outbound = parseRate(ctl, outboundStr);
    if (!outbound) return false;
    if (outbound.average > UINT_MAX || outbound.peak > UINT_MAX || outbound.burst > UINT_MAX) {
      ctl.error(`outbound rate larger than maximum ${UINT_MAX}`);
      return false;
    }
    if (outbound.average === 0n && (outbound.burst || outbound.peak)) {
      ctl.error('outbound average is mandatory');
      return false;
    }
    if (outbound.floor) {
      ctl.error('outbound floor is unsupported yet');
      return false;
    }
    params['outbound.average'] = uint(outbound.average);
    if (outbound.peak) params['outbound.peak'] = uint(outbound.peak);
    if (outbound.burst) params['outbound.burst'] = uint(outbound.burst);
  }
  if (Object.keys(params).length === 0) {
    return showCountedParams(ctl, countParams(ctl, 'REMOTE_PROC_DOMAIN_GET_INTERFACE_PARAMETERS', dom, flags, device), () => dom.getInterfaceParameters(device, flags), 'interface', (field, value, all) => printTunable(ctl, field, typedParamString(all, field, value)));
  }
  if ((await ctl.call(dom.setInterfaceParameters(device, params, flags))) === FAILED) {
    ctl.error('Unable to set interface parameters');
    return false;
  }
  return true;
}

export const domainTuneHandlers = { cmdCPUStats, cmdDomIftune, cmdSetmem, cmdSetmaxmem, cmdMemtune, cmdBlkiotune, cmdNumatune, cmdPerf, cmdDesc, cmdMetadata };
