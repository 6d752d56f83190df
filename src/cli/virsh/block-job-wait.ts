// virshBlockJobWaitInit / virshBlockJobWait / virshBlockJobWaitFree (virsh-domain.c): how
// blockcommit, blockcopy and blockpull wait for the job they started. The block job events (both
// ids) end the wait when the daemon sends them; without one of them the job is polled (a vanished
// job is "completed", a job at 100% is "ready"). SIGINT or --timeout aborts the job.

import {
  VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC,
  VIR_DOMAIN_BLOCK_JOB_CANCELED,
  VIR_DOMAIN_BLOCK_JOB_COMPLETED,
  VIR_DOMAIN_BLOCK_JOB_READY,
  VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
  VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
  type Domain,
} from '../../index.js';
import { FAILED } from '../vsh/control.js';
import type { VirshControl } from './control.js';
import { connOf, printJobProgress } from './util.js';

/** The 500 ms between two polls of the job (g_usleep in virshBlockJobWait). */
const POLL_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface BlockJobWaitOptions {
  /** The block device as the user named it (a target or a source path). */
  dev: string;
  /** The job's name in the progress line ("Block commit", "Block Copy", "Block Pull"). */
  jobName: string;
  verbose: boolean;
  /** Milliseconds before the job is aborted; 0 for none. */
  timeoutMs: number;
  /** Abort with VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC. */
  asyncAbort: boolean;
}

export class BlockJobWait {
  /** The last status a matching event reported; -1 before any. */
  private status = -1;
  private cbId = -1;
  private cbId2 = -1;

  private constructor(
    private readonly ctl: VirshControl,
    private readonly dom: Domain,
    private readonly opts: BlockJobWaitOptions,
  ) {}

  /** virshBlockJobWaitInit: registers for both block job events; a failed registration only means polling. */
  static async init(ctl: VirshControl, dom: Domain, opts: BlockJobWaitOptions): Promise<BlockJobWait> {
    const w = new BlockJobWait(ctl, dom, opts);
    const conn = connOf(ctl);
    // BLOCK_JOB names the disk by its source path, BLOCK_JOB_2 by its target: either matches --path.
    const onEvent = (e: { disk: string; status: number }) => {
      if (e.disk === opts.dev) w.status = e.status;
    };
    const id = await ctl.call(conn.domainEventRegisterAny(dom, VIR_DOMAIN_EVENT_ID_BLOCK_JOB, onEvent));
    if (id === FAILED) ctl.resetError();
    else w.cbId = id;
    const id2 = await ctl.call(conn.domainEventRegisterAny(dom, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, onEvent));
    if (id2 === FAILED) ctl.resetError();
    else w.cbId2 = id2;
    return w;
  }

  /**
   * virshBlockJobWait: a virConnectDomainEventBlockJobStatus value, or -1 after an error (the
   * message printed, the API's error kept).
   */
  async wait(): Promise<number> {
    const { ctl, dom, opts } = this;
    // For two-phase jobs (active commit, copy) whose event virsh cannot match, the polls at 100%
    // before it calls the job ready.
    let retries = 5;
    const abortFlags = opts.asyncAbort ? VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
    let intCaught = false;
    const onSigint = () => {
      intCaught = true;
    };
    process.on('SIGINT', onSigint);
    const start = Date.now();
    const haveEvents = this.cbId >= 0 || this.cbId2 >= 0;
    const fallback = this.cbId < 0 || this.cbId2 < 0;
    let last = { cur: 0n, end: 0n };
    let ret: number;
    try {
      for (;;) {
        const got = await ctl.call(dom.getBlockJobInfo(opts.dev, 0));
        if (got === FAILED) {
          ctl.error(`failed to query job for disk ${opts.dev}`);
          return -1;
        }
        // virDomainGetBlockJobInfo zeroes the info when there is no job.
        const info = got ?? { cur: 0n, end: 0n };
        if (haveEvents && this.status !== -1) {
          ret = this.status;
          break;
        }
        if (fallback) {
          if (got === null) {
            ret = VIR_DOMAIN_BLOCK_JOB_COMPLETED;
            break;
          }
          if (info.end === info.cur && (!haveEvents || --retries === 0)) {
            ret = VIR_DOMAIN_BLOCK_JOB_READY;
            break;
          }
        }
        if (opts.verbose && (info.cur !== last.cur || info.end !== last.end)) printJobProgress(ctl, opts.jobName, info.end - info.cur, info.end);
        last = info;
        if (intCaught || (opts.timeoutMs && Date.now() - start > opts.timeoutMs)) {
          if ((await ctl.call(dom.blockJobAbort(opts.dev, abortFlags))) === FAILED) {
            ctl.error(`failed to abort job for disk '${opts.dev}'`);
            return -1;
          }
          ret = VIR_DOMAIN_BLOCK_JOB_CANCELED;
          break;
        }
        await sleep(POLL_MS);
      }
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (opts.verbose && (ret === VIR_DOMAIN_BLOCK_JOB_COMPLETED || ret === VIR_DOMAIN_BLOCK_JOB_READY)) printJobProgress(ctl, opts.jobName, 0n, 1n);
    return ret;
  }

  /** virshBlockJobWaitFree: deregisters what init registered (virsh ignores a failure here). */
  async free(): Promise<void> {
    const conn = connOf(this.ctl);
    for (const id of [this.cbId, this.cbId2]) if (id >= 0) await conn.domainEventDeregisterAny(id).catch(() => undefined);
  }
}
