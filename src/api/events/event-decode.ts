// Server-sent event MESSAGE packets -> typed event objects. One entry per event procedure of the
// remote and QEMU programs (libvirt 11.3.0): the family and event ID it belongs to, the server's
// callback ID it carries (null for the pre-1.2.1 messages that carry none), the object's wire
// identity, and how to build the event for the user.
import {
  QEMU_PROGRAM,
  qemu_procedures as Q,
} from '../../protocol/generated/qemu.js';
import {
  REMOTE_PROGRAM,
  remote_procedures as R,
  type remote_domain_event_graphics_address,
  type remote_nonnull_domain,
  type remote_nonnull_network,
  type remote_nonnull_node_device,
  type remote_nonnull_secret,
  type remote_nonnull_storage_pool,
} from '../../protocol/generated/remote.js';
import type { ProcedureInfo } from '../../protocol/procedure.js';
import { fromTypedParams } from '../convert.js';
import { domainLifecycleNames, lifecycleName } from './event-types.js';
import type { ObjectFactory } from '../objects.js';
import { FAMILIES } from './families.js';
import type { EventFamily } from './stream-methods.js';

/** One decoded event message, not yet turned into the user's object (that happens per delivery). */
export interface DecodedEvent {
  readonly family: EventFamily;
  readonly eventID: number;
  /** The server's callback ID, or null for the legacy domain messages that carry none. */
  readonly remoteID: number | null;
  /** The identity used by per-object filters: UUID string, or the name of a node device. */
  readonly objectKey: () => string;
  readonly build: (wrap: ObjectFactory) => object;
}

interface Entry {
  readonly program: number;
  readonly proc: number;
  readonly name: string;
  /** The event of a message the engine decoded. */
  readonly decode: (value: unknown) => DecodedEvent;
}

const domKey = (d: remote_nonnull_domain) => () => FAMILIES.domain.key(d);
const netKey = (n: remote_nonnull_network) => () => FAMILIES.network.key(n);
const poolKey = (p: remote_nonnull_storage_pool) => () => FAMILIES.storagePool.key(p);
const devKey = (d: remote_nonnull_node_device) => () => FAMILIES.nodeDevice.key(d);
const secretKey = (s: remote_nonnull_secret) => () => FAMILIES.secret.key(s);

const addr = (a: remote_domain_event_graphics_address) => ({ family: a.family, node: a.node, service: a.service });

const entries: Entry[] = [];

/**
 * One decoder. The engine has decoded the message body with the procedure's own message codec, so
 * the value handed to `decode` has the procedure's message type.
 */
function add<M>(program: number, proc: ProcedureInfo<unknown, unknown, M>, decode: (m: M) => DecodedEvent): void {
  entries.push({ program, proc: proc.proc, name: proc.name, decode: decode as (value: unknown) => DecodedEvent });
}

/** A domain event: the handle, the event's own fields, and who it is for. */
function domainEvent(dom: remote_nonnull_domain, eventID: number, kind: string, remoteID: number | null, fields: () => object): DecodedEvent {
  // `fields` runs only when the event is delivered (built), as the handle does.
  return { family: 'domain', eventID, remoteID, objectKey: domKey(dom), build: (w) => ({ eventID, kind, dom: w.domain(dom), ...fields() }) };
}

/**
 * A domain event with both the legacy message (no callback ID) and the callback form
 * ({ callbackID, msg }). `fields` maps the inner message (and the outer, for the PM events whose
 * reason sits outside) to the event's own fields.
 */
function domainPair<M extends { dom: remote_nonnull_domain }, O extends { callbackID: number; msg: M }>(
  legacy: ProcedureInfo<unknown, unknown, M>,
  callback: ProcedureInfo<unknown, unknown, O>,
  eventID: number,
  kind: string,
  fields: (m: M, outer: O | null) => object,
): void {
  add(REMOTE_PROGRAM, legacy, (m) => domainEvent(m.dom, eventID, kind, null, () => fields(m, null)));
  add(REMOTE_PROGRAM, callback, (o) => domainEvent(o.msg.dom, eventID, kind, o.callbackID, () => fields(o.msg, o)));
}

/** A domain event that only exists in the flat callback form ({ callbackID, dom, ... }). */
function domainFlat<M extends { callbackID: number; dom: remote_nonnull_domain }>(proc: ProcedureInfo<unknown, unknown, M>, eventID: number, kind: string, fields: (m: M) => object): void {
  add(REMOTE_PROGRAM, proc, (m) => domainEvent(m.dom, eventID, kind, m.callbackID, () => fields(m)));
}

function other<M extends { callbackID: number }>(
  family: Exclude<EventFamily, 'domain' | 'qemu'>,
  proc: ProcedureInfo<unknown, unknown, M>,
  eventID: number,
  kind: string,
  key: (m: M) => () => string,
  build: (m: M, w: ObjectFactory) => object,
): void {
  add(REMOTE_PROGRAM, proc, (m) => ({ family, eventID, remoteID: m.callbackID, objectKey: key(m), build: (w) => ({ eventID, kind, ...build(m, w) }) }));
}

const none = () => ({});

domainPair(R.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, 0, 'lifecycle', (m) => ({ event: m.event, detail: m.detail, ...domainLifecycleNames(m.event, m.detail) }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_REBOOT, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT, 1, 'reboot', none);
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_RTC_CHANGE, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE, 2, 'rtcChange', (m) => ({ utcoffset: m.offset }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_WATCHDOG, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_WATCHDOG, 3, 'watchdog', (m) => ({ action: m.action }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_IO_ERROR, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR, 4, 'ioError', (m) => ({ srcPath: m.srcPath, devAlias: m.devAlias, action: m.action }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_GRAPHICS, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_GRAPHICS, 5, 'graphics', (m) => ({
  phase: m.phase,
  local: addr(m.local),
  remote: addr(m.remote),
  authScheme: m.authScheme,
  subject: m.subject.map((s) => ({ type: s.type, name: s.name })),
}));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_IO_ERROR_REASON, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON, 6, 'ioErrorReason', (m) => ({ srcPath: m.srcPath, devAlias: m.devAlias, action: m.action, reason: m.reason }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_CONTROL_ERROR, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_CONTROL_ERROR, 7, 'controlError', none);
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BLOCK_JOB, 8, 'blockJob', (m) => ({ disk: m.path, type: m.type, status: m.status }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_DISK_CHANGE, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DISK_CHANGE, 9, 'diskChange', (m) => ({ oldSrcPath: m.oldSrcPath, newSrcPath: m.newSrcPath, devAlias: m.devAlias, reason: m.reason }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_TRAY_CHANGE, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE, 10, 'trayChange', (m) => ({ devAlias: m.devAlias, reason: m.reason }));
// The legacy PM messages carry no reason (libvirt passes 0).
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_PMWAKEUP, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMWAKEUP, 11, 'pmWakeup', (_m, o) => ({ reason: o?.reason ?? 0 }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_PMSUSPEND, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND, 12, 'pmSuspend', (_m, o) => ({ reason: o?.reason ?? 0 }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_BALLOON_CHANGE, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE, 13, 'balloonChange', (m) => ({ actual: m.actual }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_PMSUSPEND_DISK, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_PMSUSPEND_DISK, 14, 'pmSuspendDisk', (_m, o) => ({ reason: o?.reason ?? 0 }));
domainPair(R.REMOTE_PROC_DOMAIN_EVENT_DEVICE_REMOVED, R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED, 15, 'deviceRemoved', (m) => ({ devAlias: m.devAlias }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_BLOCK_JOB_2, 16, 'blockJob2', (m) => ({ disk: m.dst, type: m.type, status: m.status }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TUNABLE, 17, 'tunable', (m) => ({ params: fromTypedParams(m.params) }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE, 18, 'agentLifecycle', (m) => ({ state: m.state, reason: m.reason }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED, 19, 'deviceAdded', (m) => ({ devAlias: m.devAlias }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION, 20, 'migrationIteration', (m) => ({ iteration: m.iteration }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED, 21, 'jobCompleted', (m) => ({ params: fromTypedParams(m.params) }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED, 22, 'deviceRemovalFailed', (m) => ({ devAlias: m.devAlias }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE, 23, 'metadataChange', (m) => ({ type: m.type, nsuri: m.nsuri }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_BLOCK_THRESHOLD, 24, 'blockThreshold', (m) => ({ dev: m.dev, path: m.path, threshold: m.threshold, excess: m.excess }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_MEMORY_FAILURE, 25, 'memoryFailure', (m) => ({ recipient: m.recipient, action: m.action, flags: m.flags }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_MEMORY_DEVICE_SIZE_CHANGE, 26, 'memoryDeviceSizeChange', (m) => ({ alias: m.alias, size: m.size }));
domainFlat(R.REMOTE_PROC_DOMAIN_EVENT_NIC_MAC_CHANGE, 27, 'nicMacChange', (m) => ({ alias: m.alias, oldMAC: m.oldMAC, newMAC: m.newMAC }));

other('network', R.REMOTE_PROC_NETWORK_EVENT_LIFECYCLE, 0, 'lifecycle', (m) => netKey(m.net), (m, w) => ({ net: w.network(m.net), event: m.event, detail: m.detail, eventName: lifecycleName('network', m.event) }));
other('network', R.REMOTE_PROC_NETWORK_EVENT_CALLBACK_METADATA_CHANGE, 1, 'metadataChange', (m) => netKey(m.net), (m, w) => ({ net: w.network(m.net), type: m.type, nsuri: m.nsuri }));
other('storagePool', R.REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE, 0, 'lifecycle', (m) => poolKey(m.pool), (m, w) => ({ pool: w.storagePool(m.pool), event: m.event, detail: m.detail, eventName: lifecycleName('storagePool', m.event) }));
other('storagePool', R.REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH, 1, 'refresh', (m) => poolKey(m.pool), (m, w) => ({ pool: w.storagePool(m.pool) }));
other('nodeDevice', R.REMOTE_PROC_NODE_DEVICE_EVENT_LIFECYCLE, 0, 'lifecycle', (m) => devKey(m.dev), (m, w) => ({ dev: w.nodeDevice(m.dev), event: m.event, detail: m.detail, eventName: lifecycleName('nodeDevice', m.event) }));
other('nodeDevice', R.REMOTE_PROC_NODE_DEVICE_EVENT_UPDATE, 1, 'update', (m) => devKey(m.dev), (m, w) => ({ dev: w.nodeDevice(m.dev) }));
other('secret', R.REMOTE_PROC_SECRET_EVENT_LIFECYCLE, 0, 'lifecycle', (m) => secretKey(m.secret), (m, w) => ({ secret: w.secret(m.secret), event: m.event, detail: m.detail, eventName: lifecycleName('secret', m.event) }));
other('secret', R.REMOTE_PROC_SECRET_EVENT_VALUE_CHANGED, 1, 'valueChanged', (m) => secretKey(m.secret), (m, w) => ({ secret: w.secret(m.secret) }));

add(QEMU_PROGRAM, Q.QEMU_PROC_DOMAIN_MONITOR_EVENT, (m) => ({
  family: 'qemu',
  eventID: 0,
  remoteID: m.callbackID,
  objectKey: domKey(m.dom),
  build: (w) => ({ kind: 'qemuMonitor', dom: w.domain(m.dom), event: m.event, seconds: m.seconds, micros: m.micros, details: m.details }),
}));

/** Decoders by program and procedure number. */
export const EVENT_DECODERS: ReadonlyMap<number, ReadonlyMap<number, Entry>> = (() => {
  const m = new Map<number, Map<number, Entry>>();
  for (const e of entries) {
    let p = m.get(e.program);
    if (!p) m.set(e.program, (p = new Map()));
    p.set(e.proc, e);
  }
  return m;
})();

/** How many event procedures are decoded (every one of libvirt 11.3.0's remote and QEMU programs). */
export const EVENT_PROCEDURE_NAMES: readonly string[] = entries.map((e) => e.name);
