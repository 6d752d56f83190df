import {
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_INVALID,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_FROM_NONE,
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
import { featureSupported, VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION } from '../rpc/features.js';
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

function replace(params: remote_typed_param[], field: string, s: string): remote_typed_param[] {
  return [...params.filter((p) => p.field !== field), { field, value: { type: 7, s } }];
}

function stringParam(params: remote_typed_param[], field: string): string | null {
  const p = params.find((x) => x.field === field);
  return p && p.value.type === 7 ? p.value.s : null;
}

/** virDomainMigrateCheckNotLocal: peer-to-peer needs a destination URI that names another host. */
function checkNotLocal(dconnuri: string): void {
  const u = parseURI(dconnuri);
  if (!u.host || u.host.startsWith('localhost')) {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, `invalid argument: Attempt to migrate guest to the same host ${dconnuri}`);
  }
}

function checkFlags(flags: number): void {
  if (flags & VIR_MIGRATE_TUNNELLED && flags & VIR_MIGRATE_PARALLEL) {
    throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, 'Flags VIR_MIGRATE_TUNNELLED and VIR_MIGRATE_PARALLEL are mutually exclusive');
  }
  if (flags & VIR_MIGRATE_TUNNELLED && !(flags & VIR_MIGRATE_PEER2PEER)) {
    throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_NONE, 'cannot perform tunnelled migration without using peer2peer flag');
  }
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
 * directly to the hypervisor at the params' migrate_uri. One call: MIGRATE_PERFORM3_PARAMS.
 */
export function migrateToURI3(dom: Domain, dconnuri: string | null, params: TypedParamsInput, flags: number, options?: CallOptions): Promise<void> {
  return sessionOf(dom.connection).guard(() => withAbort(dom, 'virDomainMigrateToURI3', options, () => performToURI3(dom, dconnuri, params, flags)));
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

async function performToURI3(dom: Domain, dconnuri: string | null, params: TypedParamsInput, flags: number): Promise<void> {
  checkFlags(flags);
  if (flags & VIR_MIGRATE_PEER2PEER) {
    if (!dconnuri) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_NONE, 'dconnuri in virDomainMigrateToURI3 must not be NULL');
    checkNotLocal(dconnuri);
  } else {
    dconnuri = null;
  }
  await dom.connection.call('REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS', { dom: dom.wire, dconnuri, params: toTypedParams(params, 'virDomainMigrateToURI3'), cookie_in: none, flags });
}

/**
 * virDomainMigrate3: migrates `dom` to the host of `dconn` and resolves to the domain there. With
 * VIR_MIGRATE_PEER2PEER the source daemon does it (migrateToURI3 to dconn's URI); otherwise this
 * client drives libvirt's version 3 protocol with parameters, as libvirt's own client does:
 * Begin (source), Prepare (destination), Perform (source), Finish (destination), Confirm (source).
 */
export async function migrate3(dom: Domain, dconn: Connection, input: TypedParamsInput, flags: number, options?: CallOptions): Promise<Domain> {
  const src = dom.connection;
  return sessionOf(src).guard(() => withAbort(dom, 'virDomainMigrate3', options, async (checkpoint) => {
    checkFlags(flags);
    if (flags & VIR_MIGRATE_PEER2PEER) {
      await performToURI3(dom, dconn.uri, input, flags);
      return dconn.domainLookupByName(stringParam(toTypedParams(input, 'virDomainMigrate3'), VIR_MIGRATE_PARAM_DEST_NAME) ?? dom.name);
    }
    let params = toTypedParams(input, 'virDomainMigrate3');
    const protection = (await featureSupported(src.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature: VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION }))) ? VIR_MIGRATE_CHANGE_PROTECTION : 0;

    checkpoint();
    const begin = await src.call('REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS', { dom: dom.wire, params, flags: flags | protection });
    const { state } = await src.call('REMOTE_PROC_DOMAIN_GET_STATE', { dom: dom.wire, flags: 0 });
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
    // destination fared.
    if (!performError || !performRan) {
      await src.call('REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS', {
        dom: dom.wire,
        params,
        cookie_in: finished ? finished.cookie : none,
        flags: flags | protection,
        cancelled: finished ? 0 : 1,
      });
    }
    if (performError) throw performError;
    if (!finished) throw finishError!;
    return finished.dom;
  }));
}
