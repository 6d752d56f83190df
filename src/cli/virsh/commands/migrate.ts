// virsh-domain.c's migrate: cmdMigrate (the checks, the destination connection, the job watcher
// with its timeout action) and doMigrate (options to typed parameters and flags, then
// virDomainMigrate3 or, for --p2p and --direct, virDomainMigrateToURI3).

import {
  VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION,
  VIR_MIGRATE_ABORT_ON_ERROR,
  VIR_MIGRATE_AUTO_CONVERGE,
  VIR_MIGRATE_CHANGE_PROTECTION,
  VIR_MIGRATE_COMPRESSED,
  VIR_MIGRATE_LIVE,
  VIR_MIGRATE_NON_SHARED_DISK,
  VIR_MIGRATE_NON_SHARED_INC,
  VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
  VIR_MIGRATE_OFFLINE,
  VIR_MIGRATE_PARALLEL,
  VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
  VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
  VIR_MIGRATE_PARAM_BANDWIDTH,
  VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY,
  VIR_MIGRATE_PARAM_COMPRESSION,
  VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS,
  VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL,
  VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS,
  VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE,
  VIR_MIGRATE_PARAM_DEST_NAME,
  VIR_MIGRATE_PARAM_DEST_XML,
  VIR_MIGRATE_PARAM_DISKS_PORT,
  VIR_MIGRATE_PARAM_DISKS_URI,
  VIR_MIGRATE_PARAM_GRAPHICS_URI,
  VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
  VIR_MIGRATE_PARAM_MIGRATE_DISKS,
  VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
  VIR_MIGRATE_PARAM_PERSIST_XML,
  VIR_MIGRATE_PARAM_TLS_DESTINATION,
  VIR_MIGRATE_PARAM_URI,
  VIR_MIGRATE_PAUSED,
  VIR_MIGRATE_PEER2PEER,
  VIR_MIGRATE_PERSIST_DEST,
  VIR_MIGRATE_POSTCOPY,
  VIR_MIGRATE_POSTCOPY_RESUME,
  VIR_MIGRATE_RDMA_PIN_ALL,
  VIR_MIGRATE_TLS,
  VIR_MIGRATE_TUNNELLED,
  VIR_MIGRATE_UNDEFINE_SOURCE,
  VIR_MIGRATE_UNSAFE,
  VIR_MIGRATE_ZEROCOPY,
  type Connection,
  type Domain,
  type TypedParamsInput,
} from '../../../index.js';
import type { Cmd, Handler } from '../../vsh/cmd.js';
import { FAILED, VSH_ERR_DEBUG, VSH_ERR_INFO } from '../../vsh/control.js';
import type { VirshControl } from '../control.js';
import { migrationProgress, startProgress } from '../../vsh/progress.js';
import { jobWorker, watchJob } from '../domain-config-util.js';
import { connOf, optDomain, readFileAll } from '../util.js';

/** The boolean options and the flag each sets, in doMigrate's order. */
const FLAG_OPTIONS: ReadonlyArray<readonly [string, number]> = [
  ['live', VIR_MIGRATE_LIVE],
  ['p2p', VIR_MIGRATE_PEER2PEER],
  ['tunnelled', VIR_MIGRATE_TUNNELLED],
  ['persistent', VIR_MIGRATE_PERSIST_DEST],
  ['undefinesource', VIR_MIGRATE_UNDEFINE_SOURCE],
  ['suspend', VIR_MIGRATE_PAUSED],
  ['copy-storage-all', VIR_MIGRATE_NON_SHARED_DISK],
  ['copy-storage-inc', VIR_MIGRATE_NON_SHARED_INC],
];

const LATER_FLAG_OPTIONS: ReadonlyArray<readonly [string, number]> = [
  ['change-protection', VIR_MIGRATE_CHANGE_PROTECTION],
  ['unsafe', VIR_MIGRATE_UNSAFE],
  ['compressed', VIR_MIGRATE_COMPRESSED],
  ['auto-converge', VIR_MIGRATE_AUTO_CONVERGE],
  ['rdma-pin-all', VIR_MIGRATE_RDMA_PIN_ALL],
  ['offline', VIR_MIGRATE_OFFLINE],
  ['abort-on-error', VIR_MIGRATE_ABORT_ON_ERROR],
  ['postcopy', VIR_MIGRATE_POSTCOPY],
  ['postcopy-resume', VIR_MIGRATE_POSTCOPY_RESUME],
  ['zerocopy', VIR_MIGRATE_ZEROCOPY],
  ['tls', VIR_MIGRATE_TLS],
  ['parallel', VIR_MIGRATE_PARALLEL],
];

/** The typed parameters of doMigrate, in its order; null when an option's file cannot be read (reported). */
function migrateParams(ctl: VirshControl, cmd: Cmd): TypedParamsInput | null {
  const p: TypedParamsInput = {};
  const str = (opt: string, field: string) => {
    const v = cmd.string(opt);
    if (v !== undefined) p[field] = v;
  };
  // vshCommandOptInt: given (even as 0) it is sent, except --disks-port, which 0 leaves out.
  const int = (opt: string, field: string) => {
    const v = cmd.int(opt);
    if (v !== undefined) p[field] = { type: 'int', value: v };
  };
  const ullong = (opt: string, field: string) => {
    const v = cmd.ulonglong(opt);
    if (v !== undefined) p[field] = { type: 'ullong', value: v };
  };
  const list = (opt: string, field: string) => {
    const v = cmd.string(opt);
    if (v !== undefined) p[field] = v.split(',');
  };
  const file = (opt: string, field: string): boolean => {
    const path = cmd.string(opt);
    if (path === undefined) return true;
    const xml = readFileAll(ctl, path);
    if (xml === null) {
      const kept = ctl.lastError; // vshError, then vshSaveLibvirtError keeps the read's error
      ctl.error(`cannot read file '${path}'`);
      ctl.lastError = kept;
      return false;
    }
    p[field] = xml;
    return true;
  };
  str('migrateuri', VIR_MIGRATE_PARAM_URI);
  str('graphicsuri', VIR_MIGRATE_PARAM_GRAPHICS_URI);
  str('listen-address', VIR_MIGRATE_PARAM_LISTEN_ADDRESS);
  const disksPort = cmd.int('disks-port');
  if (disksPort) p[VIR_MIGRATE_PARAM_DISKS_PORT] = { type: 'int', value: disksPort };
  str('disks-uri', VIR_MIGRATE_PARAM_DISKS_URI);
  str('dname', VIR_MIGRATE_PARAM_DEST_NAME);
  list('migrate-disks', VIR_MIGRATE_PARAM_MIGRATE_DISKS);
  list('comp-methods', VIR_MIGRATE_PARAM_COMPRESSION);
  int('comp-mt-level', VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL);
  int('comp-mt-threads', VIR_MIGRATE_PARAM_COMPRESSION_MT_THREADS);
  int('comp-mt-dthreads', VIR_MIGRATE_PARAM_COMPRESSION_MT_DTHREADS);
  ullong('comp-xbzrle-cache', VIR_MIGRATE_PARAM_COMPRESSION_XBZRLE_CACHE);
  if (!file('xml', VIR_MIGRATE_PARAM_DEST_XML)) return null;
  if (!file('persistent-xml', VIR_MIGRATE_PARAM_PERSIST_XML)) return null;
  int('auto-converge-initial', VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL);
  int('auto-converge-increment', VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT);
  ullong('postcopy-bandwidth', VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY);
  int('parallel-connections', VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS);
  ullong('bandwidth', VIR_MIGRATE_PARAM_BANDWIDTH);
  str('tls-destination', VIR_MIGRATE_PARAM_TLS_DESTINATION);
  return p;
}

/** The flags of doMigrate; null after reporting --copy-storage-synchronous-writes without a copy. */
function migrateFlags(ctl: VirshControl, cmd: Cmd): number | null {
  let flags = 0;
  for (const [opt, flag] of FLAG_OPTIONS) if (cmd.has(opt)) flags |= flag;
  if (cmd.has('copy-storage-synchronous-writes')) {
    if (!(flags & (VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC))) {
      ctl.error("'--copy-storage-synchronous-writes' requires one of '--copy-storage-all', 'copy-storage-inc'");
      return null;
    }
    flags |= VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES;
  }
  for (const [opt, flag] of LATER_FLAG_OPTIONS) if (cmd.has(opt)) flags |= flag;
  return flags;
}

/** doMigrate: the worker, on the domain looked up again as virsh's thread does. */
async function doMigrate(ctl: VirshControl, cmd: Cmd, dconn: Connection | null): Promise<boolean> {
  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const desturi = cmd.string('desturi')!;
  const params = migrateParams(ctl, cmd);
  if (!params) return false;
  const flags = migrateFlags(ctl, cmd);
  if (flags === null) return false;
  if (flags & VIR_MIGRATE_PEER2PEER || cmd.has('direct')) {
    return (await ctl.call(found.dom.migrateToURI3(desturi, params, flags))) !== FAILED;
  }
  return (await ctl.call(found.dom.migrate3(dconn!, params, flags))) !== FAILED;
}

/** virshMigrateTimeout: --timeout's action (suspend unless --timeout-postcopy); failures are only logged. */
async function migrateTimeoutAction(ctl: VirshControl, dom: Domain, postcopy: boolean): Promise<void> {
  if (postcopy) {
    ctl.debug(VSH_ERR_DEBUG, 'migration timed out; switching to post-copy\n');
    if ((await ctl.call(dom.migrateStartPostCopy(0))) === FAILED) ctl.debug(VSH_ERR_INFO, 'switching to post-copy failed\n');
  } else {
    ctl.debug(VSH_ERR_DEBUG, 'migration timed out; suspending domain\n');
    if ((await ctl.call(dom.suspend())) === FAILED) ctl.debug(VSH_ERR_INFO, 'suspending domain failed\n');
  }
}

/** cmdMigrate; without --verbose (virsh's "Migration: [ NN %]" line), a progress bar on a terminal. */
async function cmdMigrate(ctl: VirshControl, cmd: Cmd): Promise<boolean> {
  cmd.exclusive('live', 'offline');
  cmd.exclusive('timeout-suspend', 'timeout-postcopy');
  cmd.requires('postcopy-after-precopy', 'postcopy');
  cmd.requires('postcopy-resume', 'postcopy');
  cmd.requires('timeout-postcopy', 'postcopy');
  cmd.requires('persistent-xml', 'persistent');
  cmd.requires('tls-destination', 'tls');

  const found = await optDomain(ctl, cmd);
  if (!found) return false;
  const { dom } = found;
  const verbose = cmd.has('verbose');
  const timeout = cmd.uint('timeout') ?? 0;
  if (timeout > 0 && !cmd.has('live')) {
    ctl.error('migrate: Unexpected timeout for offline migration');
    return false;
  }
  const postcopyOnTimeout = cmd.has('timeout-postcopy');
  if (timeout === 0 && (postcopyOnTimeout || cmd.has('timeout-suspend'))) {
    ctl.error('migrate: Unexpected --timeout-* option without --timeout');
    return false;
  }

  const conn = connOf(ctl);
  let iterEvent: number | null = null;
  let dconn: Connection | null = null;
  try {
    if (cmd.has('postcopy-after-precopy')) {
      // virshMigrateIteration: after the first pass of pre-copy, switch to post-copy.
      const id = await ctl.call(
        conn.domainEventRegisterAny(dom, VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, (e) => {
          if (e.iteration !== 2) return;
          ctl.debug(VSH_ERR_DEBUG, `iteration ${e.iteration - 1} finished; switching to post-copy\n`);
          void ctl.call(e.dom.migrateStartPostCopy(0)).then((r) => {
            if (r === FAILED) ctl.debug(VSH_ERR_INFO, 'switching to post-copy failed\n');
          });
        }),
      );
      if (id === FAILED) return false;
      iterEvent = id;
    }
    if (!cmd.has('p2p') && !cmd.has('direct')) {
      // Normal migration: this client talks to the destination host too.
      dconn = await ctl.openConnection(cmd.string('desturi')!, false);
      if (!dconn) return false;
    }
    // virsh prints progress only with --verbose; without it, on a terminal, virsh-rpc draws its bar.
    const bar = verbose ? null : startProgress(ctl, 'migrate', null);
    const ok = await watchJob(ctl, dom, verbose, 'Migration', () => jobWorker(ctl, () => doMigrate(ctl, cmd, dconn)), {
      timeout,
      onTimeout: () => migrateTimeoutAction(ctl, dom, postcopyOnTimeout),
      progress: bar ? migrationProgress(bar) : undefined,
    });
    if (ok) bar?.finish();
    else bar?.clear();
    return ok;
  } finally {
    await dconn?.close().catch(() => undefined);
    if (iterEvent !== null) await conn.domainEventDeregisterAny(iterEvent).catch(() => undefined);
  }
}

export const migrateHandlers: Record<string, Handler<VirshControl>> = {
  cmdMigrate,
};
