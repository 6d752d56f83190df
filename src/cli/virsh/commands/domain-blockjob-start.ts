// virsh-domain.c's commands that start a block job and may wait for it: blockcommit, blockcopy,
// blockpull (the wait is block-job-wait.ts; blockjob itself is in domain-blockjob.ts).

import {
  VIR_DOMAIN_BLOCK_COMMIT_ACTIVE,
  VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_COMMIT_DELETE,
  VIR_DOMAIN_BLOCK_COMMIT_RELATIVE,
  VIR_DOMAIN_BLOCK_COMMIT_SHALLOW,
  VIR_DOMAIN_BLOCK_COPY_BANDWIDTH,
  VIR_DOMAIN_BLOCK_COPY_BUF_SIZE,
  VIR_DOMAIN_BLOCK_COPY_GRANULARITY,
  VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES,
  VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB,
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT,
  VIR_DOMAIN_BLOCK_JOB_CANCELED,
  VIR_DOMAIN_BLOCK_JOB_COMPLETED,
  VIR_DOMAIN_BLOCK_JOB_FAILED,
  VIR_DOMAIN_BLOCK_JOB_READY,
  VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
  VIR_DOMAIN_BLOCK_REBASE_COPY,
  VIR_DOMAIN_BLOCK_REBASE_COPY_DEV,
  VIR_DOMAIN_BLOCK_REBASE_COPY_RAW,
  VIR_DOMAIN_BLOCK_REBASE_RELATIVE,
  VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT,
  VIR_DOMAIN_BLOCK_REBASE_SHALLOW,
  type Domain,
  type TypedParamsInput,
} from '../../../index.js';
import { exclusive, VshError, type Cmd } from '../../vsh/cmd.js';
import { FAILED } from '../../vsh/control.js';
import { BlockJobWait, type BlockJobWaitOptions } from '../block-job-wait.js';
import type { VirshControl } from '../control.js';
import { formatElement, VirBuffer } from '../device-xml.js';
import { optDomain, readFileAll } from '../util.js';
import { blockJobBandwidth } from './domain-blockjob.js';

const ULLONG_MAX = (1n << 64n) - 1n;
/** MIN(ULONG_MAX, ULLONG_MAX >> 20): the largest MiB/s that fits in bytes/s. */
const BANDWIDTH_MIB_LIMIT = ULLONG_MAX >> 20n;

/** --verbose and --async need a wait; `waits` names the options that give one, as virsh's message does. */
function requireBlocking(cmd: Cmd, blocking: boolean, waits: string): void {
  if (blocking) return;
  for (const o of ['verbose', 'async']) if (cmd.has(o)) throw new VshError(`--${o} requires at least one of ${waits}`);
}

/**
 * Registers the wait when the command blocks, runs `start` (the API call), then waits. Resolves to
 * the command's result when it is decided here (false when something failed or the job was
 * canceled or failed, "<what> aborted/failed" printed; true when it does not block, `started`
 * printed), else to the job's final status.
 */
async function runJob(ctl: VirshControl, dom: Domain, wait: BlockJobWaitOptions | null, start: () => Promise<unknown>, started: string, what: string): Promise<number | boolean> {
  const waiter = wait ? await BlockJobWait.init(ctl, dom, wait) : null;
  let status: number;
  try {
    if ((await ctl.call(start())) === FAILED) return false;
    if (!waiter) {
      ctl.printExtra('%s', started);
      return true;
    }
    status = await waiter.wait();
  } finally {
    await waiter?.free();
  }
  if (status === VIR_DOMAIN_BLOCK_JOB_CANCELED) ctl.printExtra('\n%s', `${what} aborted`);
  else if (status === VIR_DOMAIN_BLOCK_JOB_FAILED) ctl.printExtra('\n%s', `${what} failed`);
  else if (status !== -1) return status;
  return false;
}

/** The end of a two-phase job (active commit, copy): pivot, finish (abort keeping the copy), or neither. */
async function concludeJob(ctl: VirshControl, dom: Domain, path: string, how: 'pivot' | 'finish' | null, asyncAbort: boolean, done: { pivot: string; finish: string; neither: string }): Promise<boolean> {
  let flags = asyncAbort ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
  if (how === null) {
    ctl.printExtra('\n%s', done.neither);
    return true;
  }
  if (how === 'pivot') flags |= VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT;
  if ((await ctl.call(dom.blockJobAbort(path, flags))) === FAILED) {
    ctl.error(`failed to ${how} job for disk ${path}`);
    return false;
  }
  ctl.printExtra('\n%s', how === 'pivot' ? done.pivot : done.finish);
  return true;
}

async function cmdBlockcommit(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const verbose = cmd.has('verbose');
  const pivot = cmd.has('pivot');
  const finish = cmd.has('keep-overlay');
  const active = cmd.has('active') || pivot || finish;
  let blocking = cmd.has('wait') || pivot || finish;
  const asyncAbort = cmd.has('async');
  const bytes = cmd.has('bytes');
  cmd.exclusive('pivot', 'keep-overlay');
  const path = cmd.string('path')!;
  const base = cmd.string('base') ?? null;
  const top = cmd.string('top') ?? null;
  const bandwidth = blockJobBandwidth(cmd, bytes) ?? 0n;
  let flags = 0;
  if (bytes) flags |= VIR_DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES;
  if (cmd.has('shallow')) flags |= VIR_DOMAIN_BLOCK_COMMIT_SHALLOW;
  if (cmd.has('delete')) flags |= VIR_DOMAIN_BLOCK_COMMIT_DELETE;
  if (active) flags |= VIR_DOMAIN_BLOCK_COMMIT_ACTIVE;
  if (cmd.has('keep-relative')) flags |= VIR_DOMAIN_BLOCK_COMMIT_RELATIVE;
  const timeoutMs = cmd.timeoutMs() ?? 0;
  if (timeoutMs) blocking = true;
  requireBlocking(cmd, blocking, '--timeout, --wait, --pivot, or --keep-overlay');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const wait = blocking ? { dev: path, jobName: 'Block commit', verbose, timeoutMs, asyncAbort } : null;
  const start = () => dom.blockCommit(path, base, top, bandwidth, flags);
  const status = await runJob(ctl, dom, wait, start, active ? 'Active Block Commit started' : 'Block Commit started', 'Commit');
  if (typeof status === 'boolean') return status;
  if (!active) {
    ctl.printExtra('\n%s', 'Commit complete');
    return true;
  }
  return concludeJob(ctl, dom, path, pivot ? 'pivot' : finish ? 'finish' : null, asyncAbort, {
    pivot: 'Successfully pivoted',
    finish: 'Commit complete, overlay image kept',
    neither: 'Now in synchronized phase',
  });
}

/** The destination disk XML cmdBlockcopy builds from --dest, --blockdev and --format. */
function blockcopyDiskXml(dest: string | undefined, blockdev: boolean, format: string | undefined): string {
  const buf = new VirBuffer();
  const attrs = new VirBuffer();
  const children = buf.child();
  attrs.add(blockdev ? " type='block'" : " type='file'");
  children.escape((v) => (blockdev ? `<source dev='${v}'/>\n` : `<source file='${v}'/>\n`), dest);
  children.escape((v) => `<driver type='${v}'/>\n`, format);
  formatElement(buf, 'disk', attrs, children);
  return buf.toString();
}

async function cmdBlockcopy(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const verbose = cmd.has('verbose');
  const pivot = cmd.has('pivot');
  const finish = cmd.has('finish');
  const blockdev = cmd.has('blockdev');
  let blocking = cmd.has('wait') || finish || pivot;
  const asyncAbort = cmd.has('async');
  const bytes = cmd.has('bytes');
  const transientJob = cmd.has('transient-job');
  const syncWrites = cmd.has('synchronous-writes');
  const printXml = cmd.has('print-xml');
  const path = cmd.string('path')!;
  const dest = cmd.string('dest');
  const xml = cmd.string('xml');
  const format = cmd.string('format');
  let bandwidth = blockJobBandwidth(cmd, bytes) ?? 0n;
  const granularity = cmd.uint('granularity') ?? 0;
  const bufSize = cmd.ulonglong('buf-size') ?? 0n;
  // Some VIR_DOMAIN_BLOCK_REBASE_* and VIR_DOMAIN_BLOCK_COPY_* flags share their values, as virsh relies on.
  let flags = 0;
  if (cmd.has('shallow')) flags |= VIR_DOMAIN_BLOCK_REBASE_SHALLOW;
  if (cmd.has('reuse-external')) flags |= VIR_DOMAIN_BLOCK_REBASE_REUSE_EXT;
  if (transientJob) flags |= VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB;
  if (syncWrites) flags |= VIR_DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES;
  const timeoutMs = cmd.timeoutMs() ?? 0;
  if (timeoutMs) blocking = true;
  exclusive('dest', dest, 'xml', xml);
  exclusive('format', format, 'xml', xml);
  exclusive('blockdev', blockdev, 'xml', xml);
  exclusive('pivot', pivot, 'finish', finish);
  if (!dest && !xml) throw new VshError('need either --dest or --xml');
  requireBlocking(cmd, blocking, '--timeout, --wait, --pivot, or --finish');
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  let xmlstr: string | null = null;
  if (xml) {
    xmlstr = readFileAll(ctl, xml);
    if (xmlstr === null) {
      ctl.reportError();
      return false;
    }
  }
  let start: () => Promise<unknown>;
  if (granularity || bufSize || (format && format !== 'raw') || xml || transientJob || syncWrites || printXml) {
    const params: TypedParamsInput = {};
    if (bandwidth) {
      if (!bytes) {
        // bandwidth is MiB/s, the typed parameter bytes/s
        if (bandwidth > BANDWIDTH_MIB_LIMIT) {
          ctl.error(`bandwidth must be less than ${BANDWIDTH_MIB_LIMIT}`);
          return false;
        }
        bandwidth <<= 20n;
      }
      params[VIR_DOMAIN_BLOCK_COPY_BANDWIDTH] = { type: 'ullong', value: bandwidth };
    }
    if (granularity) params[VIR_DOMAIN_BLOCK_COPY_GRANULARITY] = { type: 'uint', value: granularity };
    if (bufSize) params[VIR_DOMAIN_BLOCK_COPY_BUF_SIZE] = { type: 'ullong', value: bufSize };
    const destXml = xmlstr ?? blockcopyDiskXml(dest, blockdev, format);
    if (printXml) {
      ctl.print('%s', destXml);
      return true;
    }
    start = () => dom.blockCopy(path, destXml, params, flags);
  } else {
    flags |= VIR_DOMAIN_BLOCK_REBASE_COPY;
    if (blockdev) flags |= VIR_DOMAIN_BLOCK_REBASE_COPY_DEV;
    if (format === 'raw') flags |= VIR_DOMAIN_BLOCK_REBASE_COPY_RAW;
    if (bytes) flags |= VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
    start = () => dom.blockRebase(path, dest ?? null, bandwidth, flags);
  }
  // virsh registers for the events before it reads --xml; nothing of that order shows.
  const wait = blocking ? { dev: path, jobName: 'Block Copy', verbose, timeoutMs, asyncAbort } : null;
  const status = await runJob(ctl, dom, wait, start, 'Block Copy started', 'Copy');
  if (typeof status === 'boolean') return status;
  return concludeJob(ctl, dom, path, pivot ? 'pivot' : finish ? 'finish' : null, asyncAbort, {
    pivot: 'Successfully pivoted',
    finish: 'Successfully copied',
    neither: 'Now in mirroring phase',
  });
}

async function cmdBlockpull(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  const blocking = cmd.has('wait');
  const verbose = cmd.has('verbose');
  const asyncAbort = cmd.has('async');
  const bytes = cmd.has('bytes');
  cmd.requires('verbose', 'wait');
  cmd.requires('async', 'wait');
  const path = cmd.string('path')!;
  const base = cmd.string('base');
  const bandwidth = blockJobBandwidth(cmd, bytes) ?? 0n;
  const timeoutMs = cmd.timeoutMs() ?? 0;
  let flags = cmd.has('keep-relative') ? VIR_DOMAIN_BLOCK_REBASE_RELATIVE : 0;
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const wait = blocking ? { dev: path, jobName: 'Block Pull', verbose, timeoutMs, asyncAbort } : null;
  let start: () => Promise<unknown>;
  if (base || flags) {
    if (bytes) flags |= VIR_DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
    start = () => dom.blockRebase(path, base ?? null, bandwidth, flags);
  } else {
    if (bytes) flags |= VIR_DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES;
    start = () => dom.blockPull(path, bandwidth, flags);
  }
  const status = await runJob(ctl, dom, wait, start, 'Block Pull started', 'Pull');
  if (typeof status === 'boolean') return status;
  if (status === VIR_DOMAIN_BLOCK_JOB_READY || status === VIR_DOMAIN_BLOCK_JOB_COMPLETED) ctl.printExtra('\n%s', 'Pull complete');
  return true;
}

export const domainBlockjobStartHandlers = { cmdBlockcommit, cmdBlockcopy, cmdBlockpull };
