// virsh-domain.c, "Domain Management" (block jobs and migration tuning): blockjob, blockresize, blkdeviotune,
// domblkthreshold, migrate-setmaxdowntime, migrate-getmaxdowntime, migrate-compcache,
// migrate-setspeed, migrate-getspeed, migrate-postcopy.

import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
  VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_RESIZE_BYTES,
  VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OVERFLOW,
  type Domain,
} from '../../../index.js';
import { scaledValue, VshError, type Cmd } from '../../vsh/cmd.js';
import { prettyCapacity } from '../monitor-util.js';
import { FAILED } from '../../vsh/control.js';
import { strToUnsigned } from '../../vsh/numbers.js';
import type { VirshControl } from '../control.js';
import { optDomain, printJobProgress } from '../util.js';

const ULLONG_MAX = (1n << 64n) - 1n;
const ULONG_MAX = ULLONG_MAX;

/** virshDomainBlockJob (virsh-util.c). */
const BLOCK_JOB_TYPES = ['Unknown job', 'Block Pull', 'Block Copy', 'Block Commit', 'Active Block Commit', 'Backup'];
export const blockJobToString = (type: number): string => BLOCK_JOB_TYPES[type] ?? 'Unknown job';

/** vshBlockJobOptionBandwidth: a number (negative wraps), else a scaled size (bytes, or MiB/s unless `bytes`). */
export function blockJobBandwidth(cmd: Cmd, bytes: boolean): bigint | undefined {
  const data = cmd.opts.find((o) => o.def.name === 'bandwidth')?.data;
  if (data === undefined || data === null) return undefined;
  const plain = strToUnsigned(data, 64, true);
  if (plain) return plain.value;
  let bw = scaledValue(data, '<--bandwidth>', 1n, ULONG_MAX);
  if (!bytes) bw >>= 20n;
  return bw;
}

/** virshBlockJobInfo. */
async function blockJobInfo(ctl: VirshControl, dom: Domain, path: string, raw: boolean, bytes: boolean): Promise<boolean> {
  let info: Awaited<ReturnType<Domain['getBlockJobInfo']>> | undefined;
  let speed = 0n;
  if (bytes || !(raw || ctl.blockJobNoBytes)) {
    const r = await ctl.call(dom.getBlockJobInfo(path, VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES));
    if (r === FAILED) {
      const code = ctl.lastError?.code;
      if (code === VIR_ERR_INVALID_ARG) ctl.blockJobNoBytes = true;
      if ((code === VIR_ERR_INVALID_ARG || code === VIR_ERR_OVERFLOW) && !bytes && !raw) ctl.resetError();
      else return false;
    } else {
      info = r;
      speed = r?.bandwidth ?? 0n;
    }
  }
  if (info === undefined) {
    const r = await ctl.call(dom.getBlockJobInfo(path, 0));
    if (r === FAILED) return false;
    info = r;
    speed = r?.bandwidth ?? 0n;
    if (r && !raw) {
      speed <<= 20n;
      if (speed > ULLONG_MAX) {
        ctl.error(`overflow in converting ${r.bandwidth} MiB/s to bytes\n`);
        return false;
      }
    }
  }
  if (info === null) {
    if (!raw) ctl.printExtra('No current block job for %s', path);
    return true;
  }
  if (raw) {
    ctl.print(' type=%s\n bandwidth=%lu\n cur=%llu\n end=%llu\n', BLOCK_JOB_TYPES[info.type] ?? null, info.bandwidth, info.cur, info.end);
  } else {
    printJobProgress(ctl, blockJobToString(info.type), info.end - info.cur, info.end);
    if (speed) {
      const { value: val, unit } = prettyCapacity(speed);
      ctl.print('    Bandwidth limit: %llu bytes/s (%-.3lf %s/s)', speed, val, unit);
    }
    ctl.print('\n');
  }
  return true;
}

async function cmdBlockjob(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const raw = cmd.has('raw');
  const bytes = cmd.has('bytes');
  const abortMode = cmd.has('abort');
  const pivot = cmd.has('pivot');
  const async = cmd.has('async');
  const bandwidth = cmd.has('bandwidth');
  for (const a of ['raw', 'info', 'bytes']) {
    cmd.exclusive(a, 'abort');
    cmd.exclusive(a, 'pivot');
    cmd.exclusive(a, 'async');
    if (a !== 'bytes') cmd.exclusive(a, 'bandwidth');
  }
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const path = cmd.string('path')!;
  if (bandwidth) {
    const bw = blockJobBandwidth(cmd, bytes) ?? 0n;
    return (await ctl.call(dom.blockJobSetSpeed(path, bw, bytes ? VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES : 0))) !== FAILED;
  }
  if (abortMode || pivot || async) {
    let flags = 0;
    if (async) flags |= VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC;
    if (pivot) flags |= VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT;
    return (await ctl.call(dom.blockJobAbort(path, flags))) !== FAILED;
  }
  return blockJobInfo(ctl, dom, path, raw, bytes);
}

const IOTUNE_SCALED = ['total-bytes-sec', 'read-bytes-sec', 'write-bytes-sec', 'total-bytes-sec-max', 'read-bytes-sec-max', 'write-bytes-sec-max'];
const IOTUNE_PLAIN = [
  'total-iops-sec',
  'read-iops-sec',
  'write-iops-sec',
  'total-iops-sec-max',
  'read-iops-sec-max',
  'write-iops-sec-max',
  'size-iops-sec',
  'total-bytes-sec-max-length',
  'read-bytes-sec-max-length',
  'write-bytes-sec-max-length',
  'total-iops-sec-max-length',
  'read-iops-sec-max-length',
  'write-iops-sec-max-length',
];

/** vshGetTypedParamValue, from the value as the library decoded it. */
function typedParamValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(6);
  return String(v);
}

async function cmdBlkdeviotune(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.exclusive('current', 'live');
  cmd.exclusive('current', 'config');
  let flags = VIR_DOMAIN_AFFECT_CURRENT;
  if (cmd.has('config')) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  if (cmd.has('live')) flags |= VIR_DOMAIN_AFFECT_LIVE;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const disk = cmd.string('device')!;
  // The typed parameter names are the option names with '_' (VIR_DOMAIN_BLOCK_IOTUNE_*).
  const params: Record<string, bigint | string> = {};
  try {
    for (const name of IOTUNE_SCALED) {
      const v = cmd.scaled(name, 1, ULLONG_MAX);
      if (v !== undefined) params[name.replace(/-/g, '_')] = v;
    }
    for (const name of IOTUNE_PLAIN) {
      const v = cmd.ulonglong(name);
      if (v !== undefined) params[name.replace(/-/g, '_')] = v;
    }
  } catch (e) {
    if (!(e instanceof VshError)) throw e;
    ctl.error(e.message);
    if (e.libvirtError) ctl.lastError = { message: e.libvirtError, code: -1, domain: 0 };
    ctl.error('Unable to parse integer parameter');
    return false;
  }
  let groupName: string | undefined;
  try {
    groupName = cmd.string('group-name');
  } catch (e) {
    ctl.error((e as Error).message);
    ctl.error('Unable to parse group-name parameter');
    return false;
  }
  if (groupName !== undefined) params.group_name = groupName;
  if (Object.keys(params).length === 0) {
    // virsh asks for the number of parameters (no disk), then for the disk's; the library does both
    // in one call, so a disk the domain lacks (VIR_ERR_INVALID_ARG) is told by the error's code.
    const got = await ctl.call(found.dom.getBlockIoTune(disk, flags));
    if (got === FAILED) {
      ctl.error(ctl.lastError?.code === VIR_ERR_INVALID_ARG ? 'Unable to get block I/O throttle parameters' : 'Unable to get number of block I/O throttle parameters');
      return false;
    }
    for (const [field, value] of Object.entries(got)) for (const v of Array.isArray(value) ? value : [value]) ctl.print('%-15s: %s\n', field, typedParamValue(v));
    return true;
  }
  if ((await ctl.call(found.dom.setBlockIoTune(disk, params, flags))) === FAILED) {
    ctl.error('Unable to change block I/O throttle');
    return false;
  }
  return true;
}

async function cmdBlockresize(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const path = cmd.string('path')!;
  let size = cmd.scaled('size', 1024, ULLONG_MAX)!;
  let flags = 0;
  if (size % 1024n === 0n) size /= 1024n;
  else flags |= VIR_DOMAIN_BLOCK_RESIZE_BYTES;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  if ((await ctl.call(found.dom.blockResize(path, size, flags))) === FAILED) {
    ctl.error(`Failed to resize block device '${path}'`);
    return false;
  }
  ctl.printExtra("Block device '%s' is resized", path);
  return true;
}

async function cmdDomblkthreshold(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const dev = cmd.string('dev')!;
  const threshold = cmd.scaled('threshold', 1, ULLONG_MAX)!;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  return (await ctl.call(found.dom.setBlockThreshold(dev, threshold, 0))) !== FAILED;
}

async function cmdMigrateSetMaxDowntime(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const downtime = cmd.ulonglong('downtime') ?? 0n;
  if (downtime < 1n) throw new VshError('migrate: Invalid downtime');
  return (await ctl.call(found.dom.migrateSetMaxDowntime(downtime, 0))) !== FAILED;
}

async function cmdMigrateGetMaxDowntime(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const downtime = await ctl.call(found.dom.migrateGetMaxDowntime(0));
  if (downtime === FAILED) return false;
  ctl.print('%llu\n', downtime);
  return true;
}

async function cmdMigrateCompCache(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const size = cmd.ulonglong('size');
  if (size !== undefined && (await ctl.call(found.dom.migrateSetCompressionCache(size, 0))) === FAILED) return false;
  const got = await ctl.call(found.dom.migrateGetCompressionCache(0));
  if (got === FAILED) return false;
  const { value, unit } = prettyCapacity(got);
  ctl.print('Compression cache: %.3lf %s', value, unit);
  return true;
}

async function cmdMigrateSetMaxSpeed(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const bandwidth = cmd.ulong('bandwidth', true) ?? 0n;
  const flags = cmd.has('postcopy') ? VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0;
  return (await ctl.call(found.dom.migrateSetMaxSpeed(bandwidth, flags))) !== FAILED;
}

async function cmdMigrateGetMaxSpeed(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const flags = cmd.has('postcopy') ? VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0;
  const bandwidth = await ctl.call(found.dom.migrateGetMaxSpeed(flags));
  if (bandwidth === FAILED) return false;
  ctl.print('%lu\n', bandwidth);
  return true;
}

async function cmdMigratePostCopy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  return (await ctl.call(found.dom.migrateStartPostCopy(0))) !== FAILED;
}

export const domainBlockjobHandlers = {
  cmdBlockjob,
  cmdBlockresize,
  cmdBlkdeviotune,
  cmdDomblkthreshold,
  cmdMigrateSetMaxDowntime,
  cmdMigrateGetMaxDowntime,
  cmdMigrateCompCache,
  cmdMigrateSetMaxSpeed,
  cmdMigrateGetMaxSpeed,
  cmdMigratePostCopy,
};
