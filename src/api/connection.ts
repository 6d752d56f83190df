import { EventEmitter } from 'node:events';
import {
  VIR_DOMAIN_EVENT_ID_LIFECYCLE,
  VIR_ERR_INVALID_ARG,
  VIR_FROM_DOMAIN,
  VIR_FROM_EVENT,
  VIR_FROM_NETWORK,
  VIR_FROM_NWFILTER,
  VIR_FROM_REMOTE,
  VIR_FROM_SECRET,
  VIR_FROM_STORAGE,
} from '../apixml/generated/constants.js';
import type { lxc_procedure_name, lxc_procedure_types } from '../protocol/generated/lxc.js';
import { QEMU_PROGRAM, type qemu_procedure_name, type qemu_procedure_types } from '../protocol/generated/qemu.js';
import {
  REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED,
  type remote_connect_event_connection_closed_msg,
  REMOTE_PROGRAM,
  type remote_procedure_name,
  remote_procedures,
} from '../protocol/generated/remote.js';
import type { CallOptions, CloseReason, RpcEngine, ServerMessage } from '../rpc/engine.js';
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
import { EventRegistry, EventStream, type RegistrationSpec } from './events/events.js';
import type { EventStreamRequest } from './events/stream-methods.js';
import { KeepAlive } from '../rpc/keepalive.js';
import { featureSupported, VIR_DRV_FEATURE_PROGRAM_KEEPALIVE, VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK } from '../rpc/features.js';
import type { ConnectAuth, HostKeyPolicy } from '../util/credentials.js';
import type { Transport } from '../transport/transport.js';
import { getLogger } from '../util/log.js';
import { type TypedParams, charsToString, fromTypedParams, unknownError } from './convert.js';
import { cpuMap } from './cpumap.js';
import { lookupUUID } from './uuid.js';
import { Stream, type StreamOptions } from './stream.js';
import { type Domain, type Network, type NodeDevice, type NWFilter, type Secret, type StoragePool, objectFactory } from './objects.js';
import { ConnectionMethods } from './generated/methods.js';
import { CloseCallbackSlot, type FreeCallback, closeReasonCode } from '../rpc/close-callback.js';
import { type ErrorHandler, LibvirtError, type VirErrorFields, clientError } from '../errors/errors.js';
import { type CallArgs, type RemoteArgs, type RemoteRet, Session } from './session.js';
import type { ConnectTarget } from '../transport/target.js';

const log = getLogger('api.connection');

export interface ConnectOptions {
  /** virConnectOpenReadOnly: the read-only socket and VIR_CONNECT_RO. */
  readOnly?: boolean;
  /**
   * Milliseconds allowed for reaching the daemon and the whole open handshake (authentication
   * included): after that connect() rejects with VIR_ERR_OPERATION_TIMEOUT. Default 60,000
   * (DEFAULT_OPEN_TIMEOUT_MS); 0 waits forever, as libvirt's C client does.
   */
  timeout?: number;
  /** Gives up opening: connect() rejects with VIR_ERR_OPERATION_ABORTED (`cause`: the signal's reason). */
  signal?: AbortSignal;
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
  /**
   * Busy polling, in µs (default 0: off). While calls are in flight or a stream is open the event
   * loop keeps turning instead of sleeping until the next packet, for up to this long after each
   * call sent and each reply or stream packet received. It buys calls/s on a fast link (20 in
   * flight over a unix socket: about 2x on a 2-core VM, see the README's Benchmarks) with a CPU kept busy
   * meanwhile; 50-200 is a sensible budget. Change it later with conn.setBusyPoll().
   */
  busyPoll?: number;
}

export type { CallArgs, RemoteArgs, RemoteRet } from './session.js';
export type { EventStreamFilter } from './events/stream-methods.js';

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

/** conn.keepAliveState: our keepalive settings and what each side's PINGs came to. */
export interface KeepAliveState {
  /** Seconds without any packet from the daemon before we send a PING (0: we send none). */
  interval: number;
  /** Our PINGs that may go unanswered in a row before the connection closes (reason KEEPALIVE). */
  count: number;
  /** PINGs we sent to the daemon. */
  pingsSent: number;
  /** PINGs the daemon sent us that we answered with a PONG. */
  pingsAnswered: number;
  /** PINGs the daemon sent us that we left unanswered because our socket was backed up (the daemon was not reading). */
  pongsSkipped: number;
}

/** The events of a Connection and their listener arguments. */
export type ConnectionEvents = { close: [reason: CloseReason, error: LibvirtError | null] };

/** virConnectCloseFunc: `reason` is a VIR_CONNECT_CLOSE_REASON_* value. */
export type CloseCallback<O = unknown> = (conn: Connection, reason: number, opaque: O) => void;
/** virConnectDomainEventCallback, for the legacy domainEventRegister. */
export type LegacyDomainEventCallback<O = unknown> = (conn: Connection, dom: Domain, event: number, detail: number, opaque: O) => void;
export { closeReasonCode, type FreeCallback } from '../rpc/close-callback.js';

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
  private readonly session: Session;
  private readonly events = new EventEmitter<ConnectionEvents>();
  private readonly security: { encrypted: boolean; secure: boolean };
  /** The SASL session authentication negotiated (mechanism, SSF of its security layer), or null. */
  readonly sasl: { readonly mechanism: string; readonly ssf: number } | null;
  private closing: Promise<number> | null = null;
  private readonly keepAlive: KeepAlive;
  /** Whether the daemon takes part in keepalive (null: not asked yet). */
  private serverKeepAlive: boolean | null;
  private readonly closeCallback = new CloseCallbackSlot<Connection>(this, VIR_FROM_REMOTE, log);

  /** @internal use connect() */
  constructor(
    readonly uri: string,
    readonly target: ConnectTarget | null,
    readonly transport: Transport,
    private readonly engine: RpcEngine,
    internals: ConnectionInternals = {},
  ) {
    super();
    const session = new Session(this, engine);
    this.session = session;
    session.wrap = objectFactory(this);
    session.events = new EventRegistry(session);
    this.keepAlive = internals.keepAlive ?? new KeepAlive(engine);
    this.serverKeepAlive = internals.serverKeepAlive ?? null;
    this.security = internals.security ?? { encrypted: transport.encrypted, secure: transport.secure };
    this.sasl = internals.security?.sasl ?? null;
    const onMessage = (message: ServerMessage): boolean => session.events.handle(message) || this.onServerMessage(message);
    engine.setHandler(REMOTE_PROGRAM, onMessage);
    engine.setHandler(QEMU_PROGRAM, onMessage);
    engine.onClose((reason, err) => {
      log.debug(`connection to ${uri} closed: ${reason}`);
      session.events.closeAll(reason, err);
      this.closeCallback.fire(closeReasonCode(reason));
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

  /**
   * Calls a remote procedure with its exact generated argument and reply types
   * (`conn.call('REMOTE_PROC_CONNECT_GET_LIB_VERSION', undefined, { timeout: 5000 })`). An unknown
   * procedure name rejects with VIR_ERR_INVALID_ARG.
   */
  call<K extends remote_procedure_name>(name: K, ...rest: RemoteArgs<K>): Promise<RemoteRet<K>> {
    return this.session.call(name, ...rest);
  }

  /** Calls a procedure of libvirt's QEMU program (qemuDomainMonitorCommand and friends). */
  qemuCall<K extends qemu_procedure_name>(name: K, ...rest: CallArgs<qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    return this.session.callQemu(name, ...rest);
  }

  /** Calls a procedure of libvirt's LXC program. */
  lxcCall<K extends lxc_procedure_name>(name: K, ...rest: CallArgs<lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    return this.session.callLxc(name, ...rest);
  }

  /** virStreamNew: a stream to hand to a method that opens one (vol.download, dom.screenshot, ...). */
  newStream(flags = 0, options: StreamOptions = {}): Stream {
    return new Stream(this, flags, options);
  }

  /** virConnSetErrorFunc: this connection's handler (null: fall back to the global one). */
  setErrorFunc(handler: ErrorHandler | null, userData?: unknown): void {
    this.session.errors.handler = handler;
    this.session.errors.userData = userData;
  }

  /** virConnGetLastError */
  getLastError(): LibvirtError | null {
    return this.session.errors.lastError;
  }

  /** virConnCopyLastError: a copy of this connection's last error's fields, or null. */
  copyLastError(): VirErrorFields | null {
    return this.session.errors.lastError?.toJSON() ?? null;
  }

  /** virConnResetLastError */
  resetLastError(): void {
    this.session.errors.lastError = null;
  }

  /** virConnectGetURI: the URI of this connection (as libvirt keeps it: the one it was opened with). */
  async getURI(_options?: CallOptions): Promise<string> {
    return this.uri;
  }

  /** virConnectIsSecure: the transport is secure (unix, TLS, SSH) and the daemon says so too. */
  async isSecure(options?: CallOptions): Promise<boolean> {
    const { secure } = await this.session.invoke('REMOTE_PROC_CONNECT_IS_SECURE', undefined, options);
    return this.security.secure && secure !== 0;
  }

  /** virConnectIsEncrypted: the transport encrypts (TLS, SASL) and the daemon says the connection is secure. */
  async isEncrypted(options?: CallOptions): Promise<boolean> {
    const { secure } = await this.session.invoke('REMOTE_PROC_CONNECT_IS_SECURE', undefined, options);
    return this.security.encrypted && secure !== 0;
  }

  /** virConnectIsAlive: the connection is open (no call is made). */
  async isAlive(_options?: CallOptions): Promise<boolean> {
    return !this.engine.closed;
  }

  /** virDomainLookupByUUIDString */
  domainLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<Domain> {
    return this.session.guard(() => this.domainLookupByUUID(lookupUUID(uuidstr, 'virDomainLookupByUUIDString', VIR_FROM_DOMAIN), options));
  }

  /** virNetworkLookupByUUIDString */
  networkLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<Network> {
    return this.session.guard(() => this.networkLookupByUUID(lookupUUID(uuidstr, 'virNetworkLookupByUUIDString', VIR_FROM_NETWORK), options));
  }

  /** virStoragePoolLookupByUUIDString */
  storagePoolLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<StoragePool> {
    return this.session.guard(() => this.storagePoolLookupByUUID(lookupUUID(uuidstr, 'virStoragePoolLookupByUUIDString', VIR_FROM_STORAGE), options));
  }

  /** virSecretLookupByUUIDString */
  secretLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<Secret> {
    return this.session.guard(() => this.secretLookupByUUID(lookupUUID(uuidstr, 'virSecretLookupByUUIDString', VIR_FROM_SECRET), options));
  }

  /** virNWFilterLookupByUUIDString */
  nWFilterLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<NWFilter> {
    return this.session.guard(() => this.nWFilterLookupByUUID(lookupUUID(uuidstr, 'virNWFilterLookupByUUIDString', VIR_FROM_NWFILTER), options));
  }

  /** virDomainListGetStats: statistics of the given domains (getAllDomainStats for a chosen set). */
  async domainListGetStats(doms: Domain[], stats = 0, flags = 0, options?: CallOptions): Promise<{ dom: Domain; params: TypedParams }[]> {
    const r = await this.session.invoke('REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS', { doms: doms.map((d) => d.wire), stats, flags }, options);
    return r.retStats.map((s) => ({ dom: this.session.wrap.domain(s.dom), params: fromTypedParams(s.params) }));
  }

  /**
   * virNodeGetCPUMap: the host's CPUs: how many (`cpus`), which are online (one boolean per CPU)
   * and how many are online, as libvirt-python's getCPUMap().
   */
  async nodeGetCPUMap(flags = 0, options?: CallOptions): Promise<{ cpus: number; cpumap: boolean[]; online: number }> {
    const r = await this.session.invoke('REMOTE_PROC_NODE_GET_CPU_MAP', { need_map: 1, need_online: 1, flags }, options);
    if (r.ret < 0) throw this.session.dispatch(unknownError());
    return { cpus: r.ret, cpumap: cpuMap(r.cpumap, 0, r.ret), online: r.online };
  }

  /** virNodeGetInfo */
  async nodeGetInfo(options?: CallOptions): Promise<NodeInfo> {
    const r = await this.session.invoke('REMOTE_PROC_NODE_GET_INFO', undefined, options);
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

  /** `await using conn = await connect(uri)`: close() when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
    this.closeCallback.fire((message.value as remote_connect_event_connection_closed_msg).reason);
    return true;
  }

  /**
   * virConnectRegisterCloseCallback: `cb(conn, reason, opaque)` is called once when the connection
   * closes, with the VIR_CONNECT_CLOSE_REASON_* of why (ERROR, EOF, KEEPALIVE, or CLIENT for our
   * own close()), or when the daemon reports that its connection to the hypervisor closed. Only
   * one callback per connection, as in libvirt. The Node idiom is `conn.on('close', ...)`.
   */
  async registerCloseCallback<O>(cb: CloseCallback<O>, opaque?: O, freecb?: FreeCallback<O>): Promise<void> {
    return this.session.guard(async () => {
      const entry = this.closeCallback.set(cb, opaque, freecb);
      try {
        if (!this.engine.closed && (await this.supportsFeature(VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK))) {
          await this.call('REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK');
          entry.server = true;
        }
      } catch (e) {
        // The connection closed while we asked the daemon: the callback has been told already.
        if (!this.closeCallback.holds(entry) && this.engine.closed) return;
        this.closeCallback.drop(entry);
        throw e;
      }
    });
  }

  /** virConnectUnregisterCloseCallback: `cb` must be the registered callback (any, when omitted). */
  async unregisterCloseCallback(cb?: CloseCallback<never>): Promise<void> {
    return this.session.guard(async () => {
      const c = this.closeCallback.unset(cb);
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
    return this.session.guard(async () => {
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

  /**
   * Busy polling while calls are in flight or a stream is open, in µs after each call sent and
   * each reply or stream packet received (0: off, the default; see ConnectOptions.busyPoll). A value outside 0 to 1,000,000 throws
   * VIR_ERR_INVALID_ARG and changes nothing.
   */
  setBusyPoll(micros: number): void {
    this.engine.setBusyPoll(micros);
  }

  /** Our keepalive settings ({ interval: 0 } when we send no PINGs) and PING counters. */
  get keepAliveState(): KeepAliveState {
    const { interval, count } = this.keepAlive.settings;
    const k = this.keepAlive;
    return { interval, count, pingsSent: k.pingsSent, pingsAnswered: k.pingsAnswered, pongsSkipped: k.pongsSkipped };
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
    return this.session.events.registerFor('domain', dom, eventID, callback, opaque, freecb);
  }

  /** virConnectDomainEventDeregisterAny: no event reaches the callback after this call. */
  override domainEventDeregisterAny(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('domain', callbackID);
  }

  /** virConnectNetworkEventRegisterAny (VIR_NETWORK_EVENT_ID_*), as domainEventRegisterAny. */
  networkEventRegisterAny<ID extends keyof NetworkEventMap, O = undefined>(net: Network | null, eventID: ID, callback: (event: NetworkEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  networkEventRegisterAny<O = undefined>(net: Network | null, eventID: number, callback: (event: NetworkEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  networkEventRegisterAny<O>(net: Network | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.session.events.registerFor('network', net, eventID, callback, opaque, freecb);
  }

  /** virConnectNetworkEventDeregisterAny */
  override networkEventDeregisterAny(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('network', callbackID);
  }

  /** virConnectStoragePoolEventRegisterAny (VIR_STORAGE_POOL_EVENT_ID_*), as domainEventRegisterAny. */
  storagePoolEventRegisterAny<ID extends keyof StoragePoolEventMap, O = undefined>(pool: StoragePool | null, eventID: ID, callback: (event: StoragePoolEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  storagePoolEventRegisterAny<O = undefined>(pool: StoragePool | null, eventID: number, callback: (event: StoragePoolEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  storagePoolEventRegisterAny<O>(pool: StoragePool | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.session.events.registerFor('storagePool', pool, eventID, callback, opaque, freecb);
  }

  /** virConnectStoragePoolEventDeregisterAny */
  override storagePoolEventDeregisterAny(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('storagePool', callbackID);
  }

  /** virConnectNodeDeviceEventRegisterAny (VIR_NODE_DEVICE_EVENT_ID_*), as domainEventRegisterAny. */
  nodeDeviceEventRegisterAny<ID extends keyof NodeDeviceEventMap, O = undefined>(dev: NodeDevice | null, eventID: ID, callback: (event: NodeDeviceEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  nodeDeviceEventRegisterAny<O = undefined>(dev: NodeDevice | null, eventID: number, callback: (event: NodeDeviceEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  nodeDeviceEventRegisterAny<O>(dev: NodeDevice | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.session.events.registerFor('nodeDevice', dev, eventID, callback, opaque, freecb);
  }

  /** virConnectNodeDeviceEventDeregisterAny */
  override nodeDeviceEventDeregisterAny(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('nodeDevice', callbackID);
  }

  /** virConnectSecretEventRegisterAny (VIR_SECRET_EVENT_ID_*), as domainEventRegisterAny. */
  secretEventRegisterAny<ID extends keyof SecretEventMap, O = undefined>(secret: Secret | null, eventID: ID, callback: (event: SecretEventMap[ID], opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  secretEventRegisterAny<O = undefined>(secret: Secret | null, eventID: number, callback: (event: SecretEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number>;
  secretEventRegisterAny<O>(secret: Secret | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.session.events.registerFor('secret', secret, eventID, callback, opaque, freecb);
  }

  /** virConnectSecretEventDeregisterAny */
  override secretEventDeregisterAny(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('secret', callbackID);
  }

  /**
   * virConnectDomainQemuMonitorEventRegister: QMP events of `dom` (or of every QEMU domain) whose
   * name is `event` (null: all; with VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX in
   * `flags` a regular expression, with ..._NOCASE case-insensitive). The arguments follow the C
   * function: (dom, event, callback, opaque, freecb, flags).
   */
  domainQemuMonitorEventRegister<O = undefined>(dom: Domain | null, event: string | null, callback: (event: QemuMonitorEvent, opaque: O) => void, opaque?: O, freecb?: FreeCallback<O>, flags = 0): Promise<number> {
    return this.session.events.registerFor('qemu', dom, 0, callback as (ev: never, opaque: O) => void, opaque, freecb, { event, flags });
  }

  /** virConnectDomainQemuMonitorEventDeregister */
  override domainQemuMonitorEventDeregister(callbackID: number): Promise<void> {
    return this.session.events.deregisterFor('qemu', callbackID);
  }

  /**
   * virConnectDomainEventRegister (legacy, lifecycle events only): `cb(conn, dom, event, detail,
   * opaque)` for every domain's lifecycle events. The callback is the registration's identity:
   * registering the same function twice fails, domainEventDeregister(cb) removes it. Resolves to 0.
   */
  domainEventRegister<O = undefined>(cb: LegacyDomainEventCallback<O>, opaque?: O, freecb?: FreeCallback<O>): Promise<number> {
    return this.session.guard(async () => {
      if (typeof cb !== 'function') throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'callback must be a function');
      if (this.session.events.findLegacy(cb) >= 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'event callback already tracked');
      const spec: RegistrationSpec = { family: 'domain', eventID: VIR_DOMAIN_EVENT_ID_LIFECYCLE, object: null };
      await this.session.events.register(
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
    return this.session.guard(async () => {
      const id = this.session.events.findLegacy(cb);
      if (id < 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'could not find event callback for removal');
      await this.session.events.deregister(id);
      return 0;
    });
  }

  /** @internal */
  protected openEventStream<E>({ family, object, eventIDs, options, qemu }: EventStreamRequest): EventStream<E> {
    const wire = this.session.events.objectSpec(family, object);
    return new EventStream<E>(this.session.events, eventIDs.map((eventID) => ({ family, eventID, object: wire, qemu })), options);
  }

  get closed(): boolean {
    return this.engine.closed;
  }
}

declare module './api-types.js' {
  interface ApiTypes {
    Connection: Connection;
  }
}
