import { EventEmitter } from 'node:events';
import {
  VIR_CONNECT_CLOSE_REASON_CLIENT,
  VIR_CONNECT_CLOSE_REASON_EOF,
  VIR_CONNECT_CLOSE_REASON_ERROR,
  VIR_CONNECT_CLOSE_REASON_KEEPALIVE,
  VIR_DOMAIN_EVENT_ID_LIFECYCLE,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_INVALID,
  VIR_FROM_EVENT,
  VIR_FROM_REMOTE,
} from '../apixml/generated/constants.js';
import { type lxc_procedure_name, type lxc_procedure_types, lxc_procedures } from '../protocol/generated/lxc.js';
import { QEMU_PROGRAM, type qemu_procedure_name, type qemu_procedure_types, qemu_procedures } from '../protocol/generated/qemu.js';
import {
  REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED,
  type remote_connect_event_connection_closed_msg,
  REMOTE_PROGRAM,
  type remote_procedure_name,
  type remote_procedure_types,
  remote_procedures,
} from '../protocol/generated/remote.js';
import { type CallOptions, type CloseReason, RpcEngine, type ServerMessage } from '../rpc/engine.js';
import type {
  DomainEvent,
  DomainEventMap,
  NetworkEvent,
  NetworkEventMap,
  NodeDeviceEvent,
  NodeDeviceEventMap,
  QemuMonitorEvent,
  SecretEvent,
  SecretEventMap,
  StoragePoolEvent,
  StoragePoolEventMap,
} from './events/event-types.js';
import { type EventFamily, type EventObject, familyObject } from './events/families.js';
import { EventRegistry, EventStream, type EventObjectWire, type EventStreamOptions, type RegistrationSpec } from './events/events.js';
import { KeepAlive } from '../rpc/keepalive.js';
import { featureSupported, VIR_DRV_FEATURE_PROGRAM_KEEPALIVE, VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK } from '../rpc/features.js';
import type { ProcedureInfo } from '../protocol/procedure.js';
import type { ConnectAuth, HostKeyPolicy } from '../util/credentials.js';
import type { Transport } from '../transport/transport.js';
import { getLogger } from '../util/log.js';
import { type TypedParams, charsToString, fromTypedParams } from './convert.js';
import { Stream, type StreamOptions } from './stream.js';
import { type Domain, type Network, type NodeDevice, type NWFilter, type ObjectFactory, type Secret, type StoragePool, objectFactory } from './objects.js';
import { ConnectionMethods } from './generated/methods.js';
import { ErrorScope, type ErrorHandler, LibvirtError, asLibvirtError, clientError, dispatchError } from '../errors/errors.js';
import type { ConnectTarget } from '../transport/target.js';

const log = getLogger('api.connection');

export interface ConnectOptions {
  /** virConnectOpenReadOnly: the read-only socket and VIR_CONNECT_RO. */
  readOnly?: boolean;
  /** Milliseconds allowed for reaching the daemon and the open handshake. */
  timeout?: number;
  /** Use this transport instead of the one the URI names (a ReplayTransport, a custom stream). */
  transport?: Transport;
  /**
   * Record the whole conversation into this fixture file (replay it with ReplayTransport), written
   * as it goes with mode 0600. Bodies that carry credentials (SASL exchanges, secret values, guest
   * passwords) are left out unless `recordCredentials` is true.
   */
  recordTo?: string;
  /** Keep credentials in the recording (default false: their bodies are left out). */
  recordCredentials?: boolean;
  /** Environment for LIBVIRT_DEFAULT_URI and socket paths (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Our own keepalive PINGs (virConnectSetKeepAlive right after opening, as virsh does): seconds of
   * silence before a PING and unanswered PINGs before the connection closes with reason
   * KEEPALIVE. Default { interval: 5, count: 6 } (virsh's defaults); `false` sends none (the
   * server's PINGs are always answered). Off by default with `transport` or `recordTo`, so recorded
   * conversations replay deterministically. Change it later with conn.setKeepAlive().
   */
  keepAlive?: { interval?: number; count?: number } | false;
  /**
   * The credentials callback (virConnectOpenAuth's auth): SSH passwords, keyboard-interactive
   * prompts, key passphrases and unknown host keys; SASL user names and passwords.
   */
  auth?: ConnectAuth;
  /** SSH host keys to accept beyond known_hosts (default 'verify': refuse unknown or changed keys). */
  hostKeys?: HostKeyPolicy;
}

/** The arguments of `conn.call()` for a procedure whose args type is P: the args (none when P is undefined), then the call options. */
export type CallArgs<P> = P extends undefined ? [args?: undefined, options?: CallOptions] : [args: P, options?: CallOptions];
/** The arguments of `conn.call(name, ...)` for a remote procedure. */
export type RemoteArgs<K extends remote_procedure_name> = CallArgs<remote_procedure_types[K]['args']>;
/** The reply of a remote procedure. */
export type RemoteRet<K extends remote_procedure_name> = remote_procedure_types[K]['ret'];

/** Information about the host (virNodeInfo). */
export interface NodeInfo {
  /** CPU model, e.g. "x86_64" */
  model: string;
  /** memory size in KiB */
  memory: bigint;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

/** The events of a Connection and their listener arguments. */
export type ConnectionEvents = { close: [reason: CloseReason, error: LibvirtError | null] };

/** virConnectCloseFunc: `reason` is a VIR_CONNECT_CLOSE_REASON_* value. */
export type CloseCallback<O = unknown> = (conn: Connection, reason: number, opaque: O) => void;
/** virConnectDomainEventCallback, for the legacy domainEventRegister. */
export type LegacyDomainEventCallback<O = unknown> = (conn: Connection, dom: Domain, event: number, detail: number, opaque: O) => void;
/** virFreeCallback: called with the opaque value once a registration has ended. */
export type FreeCallback<O = unknown> = (opaque: O) => void;

/** The virConnectCloseReason number of a close reason. */
export function closeReasonCode(reason: CloseReason): number {
  switch (reason) {
    case 'error':
      return VIR_CONNECT_CLOSE_REASON_ERROR;
    case 'eof':
      return VIR_CONNECT_CLOSE_REASON_EOF;
    case 'keepalive':
      return VIR_CONNECT_CLOSE_REASON_KEEPALIVE;
    case 'client':
      return VIR_CONNECT_CLOSE_REASON_CLIENT;
  }
}


/** Filters of an event stream: one object or all, and which event IDs (default: lifecycle only). */
export interface EventStreamFilter<O, ID extends number> extends EventStreamOptions {
  /** Only this object's events (default: every object's). */
  object?: O | null;
  /** Event IDs to receive (default: [0], the family's LIFECYCLE). */
  eventIDs?: readonly ID[];
}

/** @internal */
export interface ConnectionInternals {
  keepAlive?: KeepAlive;
  serverKeepAlive?: boolean | null;
  /** What authentication added to the transport: a SASL session encrypts; a strong enough one secures. */
  security?: { encrypted: boolean; secure: boolean; sasl?: { mechanism: string; ssf: number } | null };
}

/**
 * A connection to a hypervisor through libvirtd (virConnectPtr). Every C function taking a
 * virConnectPtr first is a method (most generated into ConnectionMethods); every remote procedure is
 * also callable with its exact wire types through call(), qemuCall() and lxcCall().
 */
export class Connection extends ConnectionMethods {
  /** @internal the per-connection error handler (virConnSetErrorFunc) and last error */
  readonly errors = new ErrorScope();
  /** @internal builds objects for wire identities */
  readonly _wrap: ObjectFactory = objectFactory(this);
  private readonly events = new EventEmitter<ConnectionEvents>();
  private readonly security: { encrypted: boolean; secure: boolean };
  /** The SASL session authentication negotiated (mechanism, SSF of its security layer), or null. */
  readonly sasl: { readonly mechanism: string; readonly ssf: number } | null;
  private closing: Promise<number> | null = null;
  /** @internal event registrations and the dispatcher of event messages */
  readonly _events: EventRegistry;
  private readonly keepAlive: KeepAlive;
  /** Whether the daemon takes part in keepalive (null: not asked yet). */
  private serverKeepAlive: boolean | null;
  private closeCallback: { cb: CloseCallback<never>; opaque: unknown; free?: FreeCallback<never>; server: boolean } | null = null;

  /** @internal use connect() */
  constructor(
    readonly uri: string,
    readonly target: ConnectTarget | null,
    readonly transport: Transport,
    private readonly engine: RpcEngine,
    internals: ConnectionInternals = {},
  ) {
    super();
    this.keepAlive = internals.keepAlive ?? new KeepAlive(engine);
    this.serverKeepAlive = internals.serverKeepAlive ?? null;
    this.security = internals.security ?? { encrypted: transport.encrypted, secure: transport.secure };
    this.sasl = internals.security?.sasl ?? null;
    this._events = new EventRegistry(this);
    const onMessage = (message: ServerMessage): boolean => this._events.handle(message) || this.onServerMessage(message);
    engine.setHandler(REMOTE_PROGRAM, onMessage);
    engine.setHandler(QEMU_PROGRAM, onMessage);
    engine.onClose((reason, err) => {
      log.debug(`connection to ${uri} closed: ${reason}`);
      this._events.closeAll(reason, err);
      this.fireCloseCallback(closeReasonCode(reason));
      this.events.emit('close', reason, err);
    });
  }

  /** Node idiom for the close callback: `conn.on('close', (reason, error) => ...)`. */
  on<E extends keyof ConnectionEvents>(event: E, listener: (...args: ConnectionEvents[E]) => void): this {
    this.events.on(event, listener as never);
    return this;
  }

  off<E extends keyof ConnectionEvents>(event: E, listener: (...args: ConnectionEvents[E]) => void): this {
    this.events.off(event, listener as never);
    return this;
  }

  /** Calls a remote procedure with its exact generated argument and reply types. */
  call<K extends remote_procedure_name>(name: K, ...[args, options]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    return this.engine.call(remote_procedures[name] as ProcedureInfo<unknown, RemoteRet<K>>, args, options);
  }

  /** Calls a procedure of libvirt's QEMU program (qemuDomainMonitorCommand and friends). */
  qemuCall<K extends qemu_procedure_name>(name: K, ...[args, options]: CallArgs<qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    return this.engine.call(qemu_procedures[name] as ProcedureInfo<unknown, qemu_procedure_types[K]['ret']>, args, options);
  }

  /** Calls a procedure of libvirt's LXC program. */
  lxcCall<K extends lxc_procedure_name>(name: K, ...[args, options]: CallArgs<lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    return this.engine.call(lxc_procedures[name] as ProcedureInfo<unknown, lxc_procedure_types[K]['ret']>, args, options);
  }

  /** A call made on behalf of a public method: its failure is recorded and handled as virDispatchError does. */
  async invoke<K extends remote_procedure_name>(name: K, ...rest: RemoteArgs<K>): Promise<RemoteRet<K>> {
    try {
      return await this.call(name, ...rest);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** invoke() for the QEMU program. */
  async invokeQemu<K extends qemu_procedure_name>(name: K, ...rest: CallArgs<qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    try {
      return await this.qemuCall(name, ...rest);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** invoke() for the LXC program. */
  async invokeLxc<K extends lxc_procedure_name>(name: K, ...rest: CallArgs<lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    try {
      return await this.lxcCall(name, ...rest);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** virStreamNew: a stream to hand to a method that opens one (vol.download, dom.screenshot, ...). */
  newStream(flags = 0, options: StreamOptions = {}): Stream {
    return new Stream(this, flags, options);
  }

  /** invoke() for a procedure that opens `stream` (its data then flows through the Stream). */
  async invokeStream<K extends remote_procedure_name>(name: K, stream: Stream, ...[args]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    const proc = remote_procedures[name] as ProcedureInfo<unknown, RemoteRet<K>>;
    try {
      return await this.engine.callWithStream(proc, args, stream, (channel) => stream._bind(channel));
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** Records and hands an error to the handlers; returns it for rethrowing. */
  dispatch(e: unknown): LibvirtError {
    const err = asLibvirtError(e);
    dispatchError(err, this.errors);
    return err;
  }

  /** Runs a client-side check or conversion as a public method would: its failure is dispatched too. */
  async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** virConnSetErrorFunc: this connection's handler (null: fall back to the global one). */
  setErrorFunc(handler: ErrorHandler | null, userData?: unknown): void {
    this.errors.handler = handler;
    this.errors.userData = userData;
  }

  /** virConnGetLastError */
  getLastError(): LibvirtError | null {
    return this.errors.lastError;
  }

  /** virConnResetLastError */
  resetLastError(): void {
    this.errors.lastError = null;
  }

  /** virConnectGetURI: the URI of this connection (as libvirt keeps it: the one it was opened with). */
  async getURI(): Promise<string> {
    return this.uri;
  }

  /** virConnectIsSecure: the transport is secure (unix, TLS, SSH) and the daemon says so too. */
  async isSecure(): Promise<boolean> {
    const { secure } = await this.invoke('REMOTE_PROC_CONNECT_IS_SECURE');
    return this.security.secure && secure !== 0;
  }

  /** virConnectIsEncrypted: the transport encrypts (TLS, SASL) and the daemon says the connection is secure. */
  async isEncrypted(): Promise<boolean> {
    const { secure } = await this.invoke('REMOTE_PROC_CONNECT_IS_SECURE');
    return this.security.encrypted && secure !== 0;
  }

  /** virConnectIsAlive: the connection is open (no call is made). */
  async isAlive(): Promise<boolean> {
    return !this.engine.closed;
  }

  /** virDomainLookupByUUIDString */
  domainLookupByUUIDString(uuidstr: string): Promise<Domain> {
    return this.guard(() => this.domainLookupByUUID(uuidstr));
  }

  /** virNetworkLookupByUUIDString */
  networkLookupByUUIDString(uuidstr: string): Promise<Network> {
    return this.guard(() => this.networkLookupByUUID(uuidstr));
  }

  /** virStoragePoolLookupByUUIDString */
  storagePoolLookupByUUIDString(uuidstr: string): Promise<StoragePool> {
    return this.guard(() => this.storagePoolLookupByUUID(uuidstr));
  }

  /** virSecretLookupByUUIDString */
  secretLookupByUUIDString(uuidstr: string): Promise<Secret> {
    return this.guard(() => this.secretLookupByUUID(uuidstr));
  }

  /** virNWFilterLookupByUUIDString */
  nWFilterLookupByUUIDString(uuidstr: string): Promise<NWFilter> {
    return this.guard(() => this.nWFilterLookupByUUID(uuidstr));
  }

  /** virDomainListGetStats: statistics of the given domains (getAllDomainStats for a chosen set). */
  async domainListGetStats(doms: Domain[], stats: number, flags = 0): Promise<{ dom: Domain; params: TypedParams }[]> {
    const r = await this.invoke('REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS', { doms: doms.map((d) => d.wire), stats, flags });
    return r.retStats.map((s) => ({ dom: this._wrap.domain(s.dom), params: fromTypedParams(s.params) }));
  }

  /** virNodeGetInfo */
  async nodeGetInfo(): Promise<NodeInfo> {
    const r = await this.invoke('REMOTE_PROC_NODE_GET_INFO');
    return { model: charsToString(r.model), memory: r.memory, cpus: r.cpus, mhz: r.mhz, nodes: r.nodes, sockets: r.sockets, cores: r.cores, threads: r.threads };
  }

  /**
   * virConnectClose: tells the daemon (CONNECT_CLOSE) and closes the stream; every pending call
   * rejects. Resolves to 0, the C function's count of remaining references.
   */
  close(): Promise<number> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (!this.engine.closed) {
        try {
          await this.engine.call(remote_procedures.REMOTE_PROC_CONNECT_CLOSE, undefined, { timeout: 5000 });
        } catch (e) {
          log.debug(`CONNECT_CLOSE failed: ${(e as Error).message}`);
        }
      }
      this.engine.close();
      return 0;
    })();
    return this.closing;
  }

  /** Why the connection closed (null while it is open). */
  get closeReason(): CloseReason | null {
    return this.engine.closeReason;
  }

  /** Server messages that are not events (REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED). */
  private onServerMessage(message: ServerMessage): boolean {
    const h = message.header;
    if (h.prog !== REMOTE_PROGRAM || h.proc !== REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED) return false;
    // The daemon's own connection to the hypervisor driver closed.
    this.fireCloseCallback((message.value as remote_connect_event_connection_closed_msg).reason);
    return true;
  }

  /** Calls the close callback once, then forgets it (libvirt's virConnectCloseCallbackDataCall). */
  private fireCloseCallback(reason: number): void {
    const c = this.closeCallback;
    if (!c) return;
    this.closeCallback = null;
    try {
      (c.cb as CloseCallback)(this, reason, c.opaque);
    } catch (e) {
      log.error(`close callback threw: ${(e as Error).message}`);
    }
    try {
      (c.free as FreeCallback | undefined)?.(c.opaque);
    } catch (e) {
      log.error(`close callback's free function threw: ${(e as Error).message}`);
    }
  }

  /**
   * virConnectRegisterCloseCallback: `cb(conn, reason, opaque)` is called once when the connection
   * closes, with the VIR_CONNECT_CLOSE_REASON_* of why (ERROR, EOF, KEEPALIVE, or CLIENT for our
   * own close()), or when the daemon reports that its connection to the hypervisor closed. Only
   * one callback per connection, as in libvirt. The Node idiom is `conn.on('close', ...)`.
   */
  async registerCloseCallback<O>(cb: CloseCallback<O>, opaque?: O, freecb?: FreeCallback<O>): Promise<void> {
    return this.guard(async () => {
      if (this.closeCallback) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_REMOTE, 'A close callback is already registered');
      const entry = { cb: cb as CloseCallback<never>, opaque, free: freecb as FreeCallback<never> | undefined, server: false };
      this.closeCallback = entry;
      try {
        if (!this.engine.closed && (await this.supportsFeature(VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK))) {
          await this.call('REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK');
          entry.server = true;
        }
      } catch (e) {
        // The connection closed while we asked the daemon: the callback has been told already.
        if (this.closeCallback !== entry && this.engine.closed) return;
        if (this.closeCallback === entry) this.closeCallback = null;
        throw e;
      }
    });
  }

  /** virConnectUnregisterCloseCallback: `cb` must be the registered callback (any, when omitted). */
  override async unregisterCloseCallback(cb?: CloseCallback<never>): Promise<void> {
    return this.guard(async () => {
      const c = this.closeCallback;
      if (!c || (cb !== undefined && c.cb !== cb)) throw clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_REMOTE, 'A different callback was requested');
      this.closeCallback = null;
      try {
        (c.free as FreeCallback | undefined)?.(c.opaque);
      } catch (e) {
        log.error(`close callback's free function threw: ${(e as Error).message}`);
      }
      if (c.server && !this.engine.closed) await this.call('REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK');
    });
  }

  private supportsFeature(feature: number): Promise<boolean> {
    return featureSupported(this.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature }));
  }

  /**
   * virConnectSetKeepAlive: after `interval` seconds without any packet from the daemon send a
   * PING, and close the connection (reason KEEPALIVE) when `count` PINGs in a row go unanswered,
   * i.e. interval x (count + 1) seconds after the daemon's last packet. interval <= 0 stops our
   * PINGs (the daemon's are always answered). Resolves to 0, or 1 when the daemon does not
   * support keepalive (as the C function returns).
   */
  async setKeepAlive(interval: number, count: number): Promise<number> {
    return this.guard(async () => {
      if (this.engine.closed) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, 'client socket is closed');
      if (this.serverKeepAlive === null) {
        // Asking is what makes the daemon start its own keepalive for this client.
        this.serverKeepAlive = await this.supportsFeature(VIR_DRV_FEATURE_PROGRAM_KEEPALIVE);
      }
      if (!this.serverKeepAlive) {
        log.info('the daemon does not support keepalive');
        return 1;
      }
      if (interval > 0) this.keepAlive.start(interval, count);
      else this.keepAlive.stop();
      return 0;
    });
  }

  /** Our keepalive settings ({ interval: 0 } when we send no PINGs) and PING counters. */
  get keepAliveState(): { interval: number; count: number; pingsSent: number; pingsAnswered: number; pongsSkipped: number } {
    const { interval, count } = this.keepAlive.settings;
    const k = this.keepAlive;
    return { interval, count, pingsSent: k.pingsSent, pingsAnswered: k.pingsAnswered, pongsSkipped: k.pongsSkipped };
  }

  private objectSpec(family: EventFamily, obj: EventObject | null): EventObjectWire | null {
    if (obj === null || obj === undefined) return null;
    if (obj.connection !== this) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'the object belongs to another connection');
    const o = familyObject(family, obj);
    if (!o) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `cannot filter ${family} events on ${String(obj)}`);
    return { family, ...o } as EventObjectWire;
  }

  /** @internal one registration of any family (the per-family methods and the reconnecting helper call it) */
  _registerEvent<O>(family: EventFamily, obj: EventObject | null, eventID: number, callback: (ev: never, opaque: O) => void, opaque: O | undefined, freecb: FreeCallback<O> | undefined, qemu?: RegistrationSpec['qemu']): Promise<number> {
    return this.guard(async () => {
      if (typeof callback !== 'function') throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'callback must be a function');
      if (!Number.isInteger(eventID) || eventID < 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `invalid event ID ${eventID}`);
      const spec: RegistrationSpec = { family, eventID, object: this.objectSpec(family, obj), qemu };
      const cb = callback as (ev: object, opaque: O) => void;
      return this._events.register(spec, (ev) => cb(ev, opaque as O), { free: freecb ? () => freecb(opaque as O) : undefined });
    });
  }

  /** @internal */
  _deregisterEvent(family: EventFamily, callbackID: number): Promise<void> {
    return this.guard(() => this._events.deregister(callbackID, family));
  }

  /**
   * virConnectDomainEventRegisterAny: `callback(event, opaque)` receives every `eventID` event
   * (VIR_DOMAIN_EVENT_ID_*) of `dom`, or of every domain when `dom` is null, as a typed object
   * (DomainEventMap), in the order the daemon sent them. Resolves to the callback ID for
   * domainEventDeregisterAny. `freecb(opaque)` runs once when the registration ends (deregistered
   * or connection closed).
   */
  domainEventRegisterAny<ID extends keyof DomainEventMap, O = undefined>(dom: Domain | null, eventID: ID, callback: (event: DomainEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  domainEventRegisterAny<O = undefined>(dom: Domain | null, eventID: number, callback: (event: DomainEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  domainEventRegisterAny<O>(dom: Domain | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this._registerEvent('domain', dom, eventID, callback, opaque, freecb);
  }

  /** virConnectDomainEventDeregisterAny: no event reaches the callback after this call. */
  override domainEventDeregisterAny(callbackID: number): Promise<void> {
    return this._deregisterEvent('domain', callbackID);
  }

  /** virConnectNetworkEventRegisterAny (VIR_NETWORK_EVENT_ID_*), as domainEventRegisterAny. */
  networkEventRegisterAny<ID extends keyof NetworkEventMap, O = undefined>(net: Network | null, eventID: ID, callback: (event: NetworkEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  networkEventRegisterAny<O = undefined>(net: Network | null, eventID: number, callback: (event: NetworkEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  networkEventRegisterAny<O>(net: Network | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this._registerEvent('network', net, eventID, callback, opaque, freecb);
  }

  /** virConnectNetworkEventDeregisterAny */
  override networkEventDeregisterAny(callbackID: number): Promise<void> {
    return this._deregisterEvent('network', callbackID);
  }

  /** virConnectStoragePoolEventRegisterAny (VIR_STORAGE_POOL_EVENT_ID_*), as domainEventRegisterAny. */
  storagePoolEventRegisterAny<ID extends keyof StoragePoolEventMap, O = undefined>(pool: StoragePool | null, eventID: ID, callback: (event: StoragePoolEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  storagePoolEventRegisterAny<O = undefined>(pool: StoragePool | null, eventID: number, callback: (event: StoragePoolEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  storagePoolEventRegisterAny<O>(pool: StoragePool | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this._registerEvent('storagePool', pool, eventID, callback, opaque, freecb);
  }

  /** virConnectStoragePoolEventDeregisterAny */
  override storagePoolEventDeregisterAny(callbackID: number): Promise<void> {
    return this._deregisterEvent('storagePool', callbackID);
  }

  /** virConnectNodeDeviceEventRegisterAny (VIR_NODE_DEVICE_EVENT_ID_*), as domainEventRegisterAny. */
  nodeDeviceEventRegisterAny<ID extends keyof NodeDeviceEventMap, O = undefined>(dev: NodeDevice | null, eventID: ID, callback: (event: NodeDeviceEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  nodeDeviceEventRegisterAny<O = undefined>(dev: NodeDevice | null, eventID: number, callback: (event: NodeDeviceEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  nodeDeviceEventRegisterAny<O>(dev: NodeDevice | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this._registerEvent('nodeDevice', dev, eventID, callback, opaque, freecb);
  }

  /** virConnectNodeDeviceEventDeregisterAny */
  override nodeDeviceEventDeregisterAny(callbackID: number): Promise<void> {
    return this._deregisterEvent('nodeDevice', callbackID);
  }

  /** virConnectSecretEventRegisterAny (VIR_SECRET_EVENT_ID_*), as domainEventRegisterAny. */
  secretEventRegisterAny<ID extends keyof SecretEventMap, O = undefined>(secret: Secret | null, eventID: ID, callback: (event: SecretEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  secretEventRegisterAny<O = undefined>(secret: Secret | null, eventID: number, callback: (event: SecretEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  secretEventRegisterAny<O>(secret: Secret | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this._registerEvent('secret', secret, eventID, callback, opaque, freecb);
  }

  /** virConnectSecretEventDeregisterAny */
  override secretEventDeregisterAny(callbackID: number): Promise<void> {
    return this._deregisterEvent('secret', callbackID);
  }

  /**
   * virConnectDomainQemuMonitorEventRegister: QMP events of `dom` (or of every QEMU domain) whose
   * name is `event` (null: all; with VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX in
   * `flags` a regular expression, with ..._NOCASE case-insensitive). The arguments follow the C
   * function: (dom, event, callback, opaque, freecb, flags).
   */
  domainQemuMonitorEventRegister<O = undefined>(dom: Domain | null, event: string | null, callback: (event: QemuMonitorEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>, flags = 0): Promise<number> {
    return this._registerEvent('qemu', dom, 0, callback as (ev: never, opaque: O) => void, opaque, freecb, { event, flags });
  }

  /** virConnectDomainQemuMonitorEventDeregister */
  override domainQemuMonitorEventDeregister(callbackID: number): Promise<void> {
    return this._deregisterEvent('qemu', callbackID);
  }

  /**
   * virConnectDomainEventRegister (legacy, lifecycle events only): `cb(conn, dom, event, detail,
   * opaque)` for every domain's lifecycle events. The callback is the registration's identity:
   * registering the same function twice fails, domainEventDeregister(cb) removes it. Resolves to 0.
   */
  domainEventRegister<O = undefined>(cb: LegacyDomainEventCallback<O>, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.guard(async () => {
      if (typeof cb !== 'function') throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'callback must be a function');
      if (this._events.findLegacy(cb) >= 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'event callback already tracked');
      const spec: RegistrationSpec = { family: 'domain', eventID: VIR_DOMAIN_EVENT_ID_LIFECYCLE, object: null };
      await this._events.register(
        spec,
        (ev) => {
          const e = ev as DomainEventMap[0];
          cb(this, e.dom, e.event, e.detail, opaque as O);
        },
        { legacyFn: cb, free: freecb ? () => freecb(opaque as O) : undefined },
      );
      return 0;
    });
  }

  /** virConnectDomainEventDeregister: removes a callback added with domainEventRegister. Resolves to 0. */
  domainEventDeregister(cb: LegacyDomainEventCallback<never>): Promise<number> {
    return this.guard(async () => {
      const id = this._events.findLegacy(cb);
      if (id < 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'could not find event callback for removal');
      await this._events.deregister(id);
      return 0;
    });
  }

  private stream<E>(family: EventFamily, obj: EventObject | null | undefined, eventIDs: readonly number[] | undefined, options: EventStreamOptions, qemu?: RegistrationSpec['qemu']): EventStream<E> {
    const object = this.objectSpec(family, obj ?? null);
    const ids = eventIDs && eventIDs.length ? eventIDs : [0];
    return new EventStream<E>(this._events, ids.map((eventID) => ({ family, eventID, object, qemu })), options);
  }

  /**
   * Domain events as an async iterator: `for await (const ev of conn.domainEvents()) ...`. By
   * default lifecycle events of every domain; `object` narrows to one domain, `eventIDs` picks the
   * VIR_DOMAIN_EVENT_ID_*s. Events of all IDs arrive in one sequence, in the daemon's order. The
   * stream buffers at most `bufferSize` (1024) events for a slow consumer and then follows
   * `overflow` ('error' by default: the stream ends with VIR_ERR_OVERFLOW after the buffered
   * events, never dropping silently). It ends when the connection closes (`closeReason` says
   * why) and when the loop is left (which deregisters).
   */
  domainEvents<ID extends keyof DomainEventMap = 0>(filter: EventStreamFilter<Domain, ID> = {}): EventStream<DomainEventMap[ID]> {
    return this.stream('domain', filter.object, filter.eventIDs, filter);
  }

  /** Network events as an async iterator (see domainEvents). */
  networkEvents<ID extends keyof NetworkEventMap = 0>(filter: EventStreamFilter<Network, ID> = {}): EventStream<NetworkEventMap[ID]> {
    return this.stream('network', filter.object, filter.eventIDs, filter);
  }

  /** Storage pool events as an async iterator (see domainEvents). */
  storagePoolEvents<ID extends keyof StoragePoolEventMap = 0>(filter: EventStreamFilter<StoragePool, ID> = {}): EventStream<StoragePoolEventMap[ID]> {
    return this.stream('storagePool', filter.object, filter.eventIDs, filter);
  }

  /** Node device events as an async iterator (see domainEvents). */
  nodeDeviceEvents<ID extends keyof NodeDeviceEventMap = 0>(filter: EventStreamFilter<NodeDevice, ID> = {}): EventStream<NodeDeviceEventMap[ID]> {
    return this.stream('nodeDevice', filter.object, filter.eventIDs, filter);
  }

  /** Secret events as an async iterator (see domainEvents). */
  secretEvents<ID extends keyof SecretEventMap = 0>(filter: EventStreamFilter<Secret, ID> = {}): EventStream<SecretEventMap[ID]> {
    return this.stream('secret', filter.object, filter.eventIDs, filter);
  }

  /** QEMU monitor (QMP) events as an async iterator (see domainEvents and domainQemuMonitorEventRegister). */
  qemuMonitorEvents(filter: EventStreamOptions & { object?: Domain | null; event?: string | null; flags?: number } = {}): EventStream<QemuMonitorEvent> {
    return this.stream('qemu', filter.object, [0], filter, { event: filter.event ?? null, flags: filter.flags ?? 0 });
  }

  get closed(): boolean {
    return this.engine.closed;
  }
}
