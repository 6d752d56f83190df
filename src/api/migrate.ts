import {
  VIR_ERR_ARGUMENT_UNSUPPORTED,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_MIGRATE_FINISH_OK,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_FAILED,
  VIR_FROM_DOMAIN,
  VIR_FROM_QEMU,
  VIR_MIGRATE_NON_SHARED_DISK,
  VIR_MIGRATE_NON_SHARED_INC,
  VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
  VIR_ERR_OPERATION_INVALID,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_FROM_RPC,
  VIR_MIGRATE_ABORT_ON_ERROR,
  VIR_MIGRATE_AUTO_CONVERGE,
  VIR_MIGRATE_CHANGE_PROTECTION,
  VIR_MIGRATE_OFFLINE,
  VIR_MIGRATE_PARALLEL,
  VIR_MIGRATE_PARAM_BANDWIDTH,
  VIR_MIGRATE_PARAM_DEST_NAME,
  VIR_MIGRATE_PARAM_DEST_XML,
  VIR_MIGRATE_PARAM_URI,
  VIR_MIGRATE_PAUSED,
  VIR_MIGRATE_PEER2PEER,
  VIR_MIGRATE_POSTCOPY_RESUME,
  VIR_MIGRATE_TUNNELLED,
  VIR_DOMAIN_PAUSED,
} from '../apixml/generated/constants.js';
import {
  featureSupported,
  VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION,
  VIR_DRV_FEATURE_MIGRATION_DIRECT,
  VIR_DRV_FEATURE_MIGRATION_OFFLINE,
  VIR_DRV_FEATURE_MIGRATION_P2P,
  VIR_DRV_FEATURE_MIGRATION_PARAMS,
  VIR_DRV_FEATURE_MIGRATION_V1,
  VIR_DRV_FEATURE_MIGRATION_V2,
  VIR_DRV_FEATURE_MIGRATION_V3,
} from '../rpc/features.js';
import { type CallOptions, abortError } from '../rpc/engine.js';
import type { remote_typed_param } from '../protocol/generated/remote.js';
import { type TypedParamsInput, toTypedParams } from './convert.js';
import { clientError, LibvirtError } from '../errors/errors.js';
import type { ApiTypes } from './api-types.js';
import { parseURI } from '../uri/uri.js';
import { sessionOf } from './session.js';

/** @inline */ type Connection = ApiTypes['Connection'];
/** @inline */ type Domain = ApiTypes['Domain'];

const none = new Uint8Array(0);

type Params = remote_typed_param[];

const supports = (conn: Connection, feature: number): Promise<boolean> => featureSupported(conn.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature }));

// libvirt-domain.c's errors, as its virReportInvalidArg (the bare message) and virReportError
// (the code's prefix, as virErrorMsg words it) give them.
const invalidArg = (message: string): LibvirtError => clientError(VIR_ERR_INVALID_ARG, VIR_FROM_DOMAIN, message);
const unsupportedArg = (message: string): LibvirtError => clientError(VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_FROM_DOMAIN, `argument unsupported: ${message}`);
const noSupport = (fn: string, why = ''): LibvirtError => clientError(VIR_ERR_NO_SUPPORT, VIR_FROM_DOMAIN, `this function is not supported by the connection driver: ${fn}${why && ` (${why})`}`);

function replace(params: Params, field: string, s: string): Params {
  return [...params.filter((p) => p.field !== field), { field, value: { type: 7, s } }];
}

function stringParam(params: Params, field: string): string | null {
  const p = params.find((x) => x.field === field);
  return p && p.value.type === 7 ? p.value.s : null;
}

function ullongParam(params: Params, field: string): bigint {
  const p = params.find((x) => x.field === field);
  return p && p.value.type === 4 ? p.value.ul : 0n;
}

/** virTypedParamsCheck: only the given fields are present. */
const onlyFields = (params: Params, fields: readonly string[]): boolean => params.every((p) => fields.includes(p.field));

/** virDomainMigrateCheckNotLocal: peer-to-peer needs a destination URI that names another host (or a unix socket). */
function checkNotLocal(dconnuri: string): void {
  const u = parseURI(dconnuri);
  const plus = u.scheme.indexOf('+');
  const unixSocket = plus >= 0 && u.scheme.slice(plus) === '+unix' && u.param('socket') !== undefined;
  if ((u.host && u.host.startsWith('localhost')) || (!u.host && !unixSocket)) {
    throw invalidArg('Attempt to migrate guest to the same host');
  }
}

/** VIR_EXCLUSIVE_FLAGS / VIR_REQUIRE_FLAG on the storage-copy flags, which every migration API checks first. */
function checkStorageFlags(flags: number): void {
  if (flags & VIR_MIGRATE_NON_SHARED_DISK && flags & VIR_MIGRATE_NON_SHARED_INC) {
    throw invalidArg("Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive");
  }
  if (flags & VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES && !(flags & (VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC))) {
    throw invalidArg("Flag 'VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC' is required by flag 'VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES'");
  }
}

function checkTunnelledParallel(flags: number): void {
  if (flags & VIR_MIGRATE_TUNNELLED && flags & VIR_MIGRATE_PARALLEL) {
    throw invalidArg("Flags 'VIR_MIGRATE_TUNNELLED' and 'VIR_MIGRATE_PARALLEL' are mutually exclusive");
  }
}

async function checkOffline(src: Connection, dst: Connection | null, flags: number): Promise<void> {
  if (!(flags & VIR_MIGRATE_OFFLINE)) return;
  if (!(await supports(src, VIR_DRV_FEATURE_MIGRATION_OFFLINE))) throw unsupportedArg('offline migration is not supported by the source host');
  if (dst && !(await supports(dst, VIR_DRV_FEATURE_MIGRATION_OFFLINE))) throw unsupportedArg('offline migration is not supported by the destination host');
}

/** The parameters the old migrate APIs take as arguments (virDomainMigrateUnmanaged / virDomainMigrate). */
export function legacyParams(dxml: string | null, dname: string | null, uri: string | null, bandwidth: bigint | number): TypedParamsInput {
  const p: TypedParamsInput = {};
  if (dxml) p[VIR_MIGRATE_PARAM_DEST_XML] = dxml;
  if (dname) p[VIR_MIGRATE_PARAM_DEST_NAME] = dname;
  if (uri) p[VIR_MIGRATE_PARAM_URI] = uri;
  if (bandwidth) p[VIR_MIGRATE_PARAM_BANDWIDTH] = { type: 'ullong', value: BigInt(bandwidth) };
  return p;
}

/**
 * virDomainMigrateToURI3: the source daemon migrates by itself, to `dconnuri` (peer-to-peer) or
 * directly to the hypervisor at the params' migrate_uri. One call: MIGRATE_PERFORM3_PARAMS for
 * peer-to-peer, MIGRATE_PERFORM3 (the old arguments) for direct migration.
 */
export function migrateToURI3(dom: Domain, dconnuri: string | null, params: TypedParamsInput, flags: number, options?: CallOptions): Promise<void> {
  return sessionOf(dom.connection).guard(() =>
    withAbort(dom, 'virDomainMigrateToURI3', options, async () => {
      const wire = toTypedParams(params, 'virDomainMigrateToURI3');
      checkTunnelledParallel(flags);
      await checkUnmanagedCompat(dom.connection, flags);
      if (flags & VIR_MIGRATE_PEER2PEER) {
        if (!dconnuri) throw invalidArg('dconnuri in virDomainMigrateToURI3 must not be NULL');
      } else {
        dconnuri = null;
      }
      await migrateUnmanaged(dom, dconnuri, wire, flags);
    }),
  );
}

/**
 * A migration under per-call options. Giving up cannot just drop a reply: the daemons would go on
 * migrating. So an abort (or the timeout) asks the source to cancel its job (virDomainAbortJob, as
 * virsh does on ^C); the sequence then ends through its own failure path (Finish and Confirm with
 * cancelled=1) and rejects with VIR_ERR_OPERATION_ABORTED (VIR_ERR_OPERATION_TIMEOUT), `cause`
 * the signal's reason. A signal already aborted sends nothing.
 */
async function withAbort<T>(dom: Domain, fn: string, options: CallOptions | undefined, run: (checkpoint: () => void) => Promise<T>): Promise<T> {
  const signals = [options?.signal, options?.timeout !== undefined ? AbortSignal.timeout(options.timeout) : undefined].filter((x): x is AbortSignal => !!x);
  if (signals.length === 0) return run(() => undefined);
  const signal = signals.length === 1 ? signals[0]! : AbortSignal.any(signals);
  const given = (): LibvirtError => {
    if (options?.signal?.aborted) return abortError(fn, options.signal);
    return clientError(VIR_ERR_OPERATION_TIMEOUT, VIR_FROM_RPC, `${fn} timed out after ${options?.timeout} ms`);
  };
  if (signal.aborted) throw given();
  const onAbort = (): void => {
    void dom.connection.call('REMOTE_PROC_DOMAIN_ABORT_JOB', { dom: dom.wire }).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await run(() => {
      if (signal.aborted) throw given();
    });
    if (signal.aborted) throw given();
    return r;
  } catch (e) {
    throw signal.aborted ? given() : e;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** virDomainMigrateUnmanagedCheckCompat: what the source must support for peer-to-peer or direct migration. */
async function checkUnmanagedCompat(src: Connection, flags: number): Promise<void> {
  checkStorageFlags(flags);
  await checkOffline(src, null, flags);
  if (flags & VIR_MIGRATE_PEER2PEER) {
    if (!(await supports(src, VIR_DRV_FEATURE_MIGRATION_P2P))) throw unsupportedArg('p2p migration is not supported by the source host');
  } else if (!(await supports(src, VIR_DRV_FEATURE_MIGRATION_DIRECT))) {
    throw unsupportedArg('direct migration is not supported by the source host');
  }
}

/**
 * virDomainMigrateUnmanagedParams: peer-to-peer with parameters when the source has them,
 * otherwise protocol 3's Perform with the old arguments (direct migration always takes that one,
 * as libvirt's client does).
 */
async function migrateUnmanaged(dom: Domain, dconnuri: string | null, params: Params, flags: number): Promise<void> {
  const src = dom.connection;
  if (flags & VIR_MIGRATE_PEER2PEER) {
    checkNotLocal(dconnuri!);
    if (await supports(src, VIR_DRV_FEATURE_MIGRATION_PARAMS)) {
      await src.call('REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS', { dom: dom.wire, dconnuri, params, cookie_in: none, flags });
      return;
    }
  }
  if (!(await supports(src, VIR_DRV_FEATURE_MIGRATION_V3))) throw noSupport('virDomainMigrateToURI3', 'the source has only migration protocol 2, which libvirt-rpc does not drive');
  if (!onlyFields(params, [VIR_MIGRATE_PARAM_URI, VIR_MIGRATE_PARAM_DEST_NAME, VIR_MIGRATE_PARAM_DEST_XML, VIR_MIGRATE_PARAM_BANDWIDTH])) {
    throw unsupportedArg('Some parameters are not supported by migration protocol 3');
  }
  await src.call('REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3', {
    dom: dom.wire,
    xmlin: stringParam(params, VIR_MIGRATE_PARAM_DEST_XML),
    cookie_in: none,
    dconnuri,
    uri: stringParam(params, VIR_MIGRATE_PARAM_URI),
    flags: BigInt(flags >>> 0),
    dname: stringParam(params, VIR_MIGRATE_PARAM_DEST_NAME),
    resource: ullongParam(params, VIR_MIGRATE_PARAM_BANDWIDTH),
  });
}

/**
 * virDomainMigrate3: migrates `dom` to the host of `dconn` and resolves to the domain there; this
 * client drives libvirt's version 3 protocol with parameters, as libvirt's own client does:
 * Begin (source), Prepare (destination), Perform (source), Finish (destination), Confirm (source).
 * Peer-to-peer migration is virDomainMigrateToURI3's, as in libvirt.
 */
export function migrate3(dom: Domain, dconn: Connection, input: TypedParamsInput, flags: number, options?: CallOptions): Promise<Domain> {
  return sessionOf(dom.connection).guard(() =>
    withAbort(dom, 'virDomainMigrate3', options, async (checkpoint) => {
      const params = toTypedParams(input, 'virDomainMigrate3');
      checkStorageFlags(flags);
      if (flags & VIR_MIGRATE_PEER2PEER) throw invalidArg('use virDomainMigrateToURI3 for peer-to-peer migration');
      if (flags & VIR_MIGRATE_TUNNELLED) throw invalidArg('cannot perform tunnelled migration without using peer2peer flag');
      await checkOffline(dom.connection, dconn, flags);
      return migrateManaged(dom, dconn, params, flags, 'virDomainMigrate3', checkpoint);
    }),
  );
}

/**
 * virDomainMigrate and virDomainMigrate2: as migrate3, except that VIR_MIGRATE_PEER2PEER is
 * allowed (the source daemon migrates to dconn's URI and the domain is looked up there).
 */
export function migrateLegacy(dom: Domain, dconn: Connection, input: TypedParamsInput, flags: number, fn: string, options?: CallOptions): Promise<Domain> {
  return sessionOf(dom.connection).guard(() =>
    withAbort(dom, fn, options, async (checkpoint) => {
      const params = toTypedParams(input, fn);
      checkStorageFlags(flags);
      checkTunnelledParallel(flags);
      await checkOffline(dom.connection, dconn, flags);
      if (flags & VIR_MIGRATE_PEER2PEER) {
        if (!(await supports(dom.connection, VIR_DRV_FEATURE_MIGRATION_P2P))) throw noSupport(fn);
        await migrateUnmanaged(dom, dconn.uri, params, flags);
        return dconn.domainLookupByName(stringParam(params, VIR_MIGRATE_PARAM_DEST_NAME) ?? dom.name);
      }
      if (flags & VIR_MIGRATE_TUNNELLED) {
        throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_DOMAIN, 'Requested operation is not valid: cannot perform tunnelled migration without using peer2peer flag');
      }
      return migrateManaged(dom, dconn, params, flags, fn, checkpoint);
    }),
  );
}

/**
 * The client-driven migration once the flags passed: change protection (asked for, then left to
 * the protocol, which adds it for the source only), then protocol 3 with parameters when both
 * daemons have it. The older protocols (3, 2, 1 without parameters) are not implemented here; a
 * pair of daemons that has only those gets VIR_ERR_NO_SUPPORT saying so.
 */
async function migrateManaged(dom: Domain, dconn: Connection, params: Params, flags: number, fn: string, checkpoint: () => void): Promise<Domain> {
  const src = dom.connection;
  if (flags & VIR_MIGRATE_CHANGE_PROTECTION && !(await supports(src, VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION))) throw unsupportedArg('cannot enforce change protection');
  flags &= ~VIR_MIGRATE_CHANGE_PROTECTION;
  if ((await supports(src, VIR_DRV_FEATURE_MIGRATION_PARAMS)) && (await supports(dconn, VIR_DRV_FEATURE_MIGRATION_PARAMS))) {
    return migrateVersion3Params(dom, dconn, params, flags, checkpoint);
  }
  if (!onlyFields(params, [VIR_MIGRATE_PARAM_URI, VIR_MIGRATE_PARAM_DEST_NAME, VIR_MIGRATE_PARAM_DEST_XML, VIR_MIGRATE_PARAM_BANDWIDTH])) {
    throw unsupportedArg('Migration APIs with extensible parameters are not supported but extended parameters were passed');
  }
  for (const [feature, version] of [[VIR_DRV_FEATURE_MIGRATION_V3, 3], [VIR_DRV_FEATURE_MIGRATION_V2, 2], [VIR_DRV_FEATURE_MIGRATION_V1, 1]] as const) {
    if ((await supports(src, feature)) && (await supports(dconn, feature))) {
      throw noSupport(fn, `libvirt-rpc drives migration protocol 3 with parameters only; these daemons have protocol ${version} without them`);
    }
  }
  throw noSupport(fn);
}

/** virDomainMigrateVersion3Full with parameters. */
async function migrateVersion3Params(dom: Domain, dconn: Connection, params: Params, flags: number, checkpoint: () => void): Promise<Domain> {
  const src = dom.connection;
  const protection = (await supports(src, VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION)) ? VIR_MIGRATE_CHANGE_PROTECTION : 0;

  checkpoint();
  const begin = await src.call('REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS', { dom: dom.wire, params, flags: flags | protection });
  const state = await src.call('REMOTE_PROC_DOMAIN_GET_STATE', { dom: dom.wire, flags: 0 }).then(
    (r) => r.state,
    () => null,
  );
  if (state === VIR_DOMAIN_PAUSED && !(flags & VIR_MIGRATE_POSTCOPY_RESUME)) flags |= VIR_MIGRATE_PAUSED;
  const destflags = flags & ~(VIR_MIGRATE_ABORT_ON_ERROR | VIR_MIGRATE_AUTO_CONVERGE);
  params = replace(params, VIR_MIGRATE_PARAM_DEST_XML, begin.xml);

  let cookie: Uint8Array;
  try {
    checkpoint();
    const prep = await dconn.call('REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS', { params, cookie_in: begin.cookie_out, flags: destflags });
    cookie = prep.cookie_out;
    if (prep.uri_out) params = replace(params, VIR_MIGRATE_PARAM_URI, prep.uri_out);
  } catch (e) {
    // Begin started a migration job on the source: cancel it, keeping Prepare's error.
    if (protection) await src.call('REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS', { dom: dom.wire, params, cookie_in: none, flags: flags | protection, cancelled: 1 }).catch(() => undefined);
    throw e;
  }

  let cancelled = 1;
  let performError: LibvirtError | null = null;
  let performRan = true;
  if (flags & VIR_MIGRATE_OFFLINE) {
    cookie = none;
    cancelled = 0;
  } else {
    try {
      try {
        checkpoint();
      } catch (e) {
        performRan = false; // given up before Perform: Confirm must cancel Begin's job
        throw e;
      }
      cookie = (await src.call('REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS', { dom: dom.wire, dconnuri: null, params, cookie_in: cookie, flags: flags | protection })).cookie_out;
      cancelled = 0;
    } catch (e) {
      performError = e as LibvirtError;
      cookie = none;
    }
  }
  if (!stringParam(params, VIR_MIGRATE_PARAM_DEST_NAME)) params = replace(params, VIR_MIGRATE_PARAM_DEST_NAME, dom.name);
  let finished: { dom: Domain; cookie: Uint8Array } | null = null;
  let finishError: LibvirtError | null = null;
  try {
    const fin = await dconn.call('REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS', { params, cookie_in: cookie, flags: destflags, cancelled });
    finished = { dom: sessionOf(dconn).wrap.domain(fin.dom), cookie: fin.cookie_out };
  } catch (e) {
    finishError = e as LibvirtError;
  }
  // Perform failed: the source already knows (unless it never ran); otherwise tell it how the
  // destination fared. A failed Confirm leaves the source paused at worst: libvirt only warns.
  if (!performError || !performRan) {
    await src
      .call('REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS', {
        dom: dom.wire,
        params,
        cookie_in: finished ? finished.cookie : none,
        flags: flags | protection,
        cancelled: finished ? 0 : 1,
      })
      .catch(() => undefined);
  }
  // Perform's "migration unexpectedly failed" gives way to the destination's own reason, when
  // the domain died there (libvirt's same heuristic).
  if (performError && !finished && finishError && performError.domain === VIR_FROM_QEMU && performError.code === VIR_ERR_OPERATION_FAILED && finishError.domain === VIR_FROM_QEMU && finishError.code !== VIR_ERR_MIGRATE_FINISH_OK) {
    throw finishError;
  }
  if (performError) throw performError;
  if (!finished) throw finishError!;
  return finished.dom;
}
