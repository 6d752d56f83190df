import { EventEmitter } from 'node:events';
import {
  VIR_CONNECT_RO,
  VIR_ERR_AUTH_FAILED,
  VIR_ERR_NO_SUPPORT,
  VIR_FROM_REMOTE,
} from '../protocol/generated/constants.js';
import { KEEPALIVE_PROC_PING, KEEPALIVE_PROC_PONG, KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION } from '../protocol/generated/keepalive.js';
import { type lxc_procedure_name, type lxc_procedure_types, lxc_procedures } from '../protocol/generated/lxc.js';
import { type qemu_procedure_name, type qemu_procedure_types, qemu_procedures } from '../protocol/generated/qemu.js';
import { REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL, type remote_procedure_name, type remote_procedure_types, remote_procedures } from '../protocol/generated/remote.js';
import { VIR_NET_MESSAGE, VIR_NET_OK } from '../protocol/framing.js';
import { type CallOptions, type CloseReason, RpcEngine } from '../protocol/engine.js';
import type { ProcedureInfo } from '../protocol/procedure.js';
import { openTcp, openUnix } from '../transport/socket.js';
import { RecordingTransport } from '../transport/record.js';
import type { Transport } from '../transport/transport.js';
import { getLogger } from '../util/log.js';
import { type TypedParams, charsToString, fromTypedParams } from './convert.js';
import { Stream } from './stream.js';
import { type Domain, type Network, type NWFilter, type ObjectFactory, type Secret, type StoragePool, objectFactory } from './objects.js';
import { ConnectionMethods } from '../protocol/generated/methods.js';
import { ErrorScope, type ErrorHandler, LibvirtError, asLibvirtError, clientError, dispatchError } from './errors.js';
import { type ConnectTarget, resolveName, resolveTarget } from './uri.js';

const log = getLogger('api.connection');

export interface ConnectOptions {
  /** virConnectOpenReadOnly: the read-only socket and VIR_CONNECT_RO. */
  readOnly?: boolean;
  /** Milliseconds allowed for reaching the daemon and the open handshake. */
  timeout?: number;
  /** Use this transport instead of the one the URI names (a ReplayTransport, a custom stream). */
  transport?: Transport;
  /** Record the whole conversation into this fixture file (replay it with ReplayTransport). */
  recordTo?: string;
  /** Environment for LIBVIRT_DEFAULT_URI and socket paths (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
}

type Args<_K, P> = P extends undefined ? [args?: undefined, options?: CallOptions] : [args: P, options?: CallOptions];
type RemoteArgs<K extends remote_procedure_name> = Args<K, remote_procedure_types[K]['args']>;
type RemoteRet<K extends remote_procedure_name> = remote_procedure_types[K]['ret'];

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

type ConnectionEvents = { close: [reason: CloseReason, error: LibvirtError | null] };

/**
 * A connection to a hypervisor through libvirtd (virConnectPtr). Every C function taking a
 * virConnectPtr first is a method (most generated into ConnectionMethods); every remote procedure is
 * also callable with its exact wire types through call(), qemuCall() and lxcCall().
 */
export class Connection extends ConnectionMethods {
  /** Errors of this connection: last error and handler (virConnGetLastError, virConnSetErrorFunc). */
  readonly errors = new ErrorScope();
  /** @internal builds objects for wire identities */
  readonly _wrap: ObjectFactory = objectFactory(this);
  private readonly events = new EventEmitter<ConnectionEvents>();
  private closing: Promise<number> | null = null;

  /** @internal use connect() */
  constructor(
    readonly uri: string,
    readonly target: ConnectTarget | null,
    readonly transport: Transport,
    private readonly engine: RpcEngine,
  ) {
    super();
    engine.onClose((reason, err) => {
      log.debug(`connection to ${uri} closed: ${reason}`);
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
  qemuCall<K extends qemu_procedure_name>(name: K, ...[args, options]: Args<K, qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    return this.engine.call(qemu_procedures[name] as ProcedureInfo<unknown, qemu_procedure_types[K]['ret']>, args, options);
  }

  /** Calls a procedure of libvirt's LXC program. */
  lxcCall<K extends lxc_procedure_name>(name: K, ...[args, options]: Args<K, lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
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
  async invokeQemu<K extends qemu_procedure_name>(name: K, ...rest: Args<K, qemu_procedure_types[K]['args']>): Promise<qemu_procedure_types[K]['ret']> {
    try {
      return await this.qemuCall(name, ...rest);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** invoke() for the LXC program. */
  async invokeLxc<K extends lxc_procedure_name>(name: K, ...rest: Args<K, lxc_procedure_types[K]['args']>): Promise<lxc_procedure_types[K]['ret']> {
    try {
      return await this.lxcCall(name, ...rest);
    } catch (e) {
      throw this.dispatch(e);
    }
  }

  /** virStreamNew: a stream to hand to a method that opens one (vol.download, dom.screenshot, ...). */
  newStream(flags = 0): Stream {
    return new Stream(this, flags);
  }

  /** invoke() for a procedure that opens `stream` (its data then flows through the Stream). */
  async invokeStream<K extends remote_procedure_name>(name: K, stream: Stream, ...[args]: RemoteArgs<K>): Promise<RemoteRet<K>> {
    const proc = remote_procedures[name] as ProcedureInfo<unknown, RemoteRet<K>>;
    try {
      return await this.engine.callWithStream(proc, args, stream, (serial) => stream._bind(this.engine, proc, serial));
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
    return this.transport.secure && secure !== 0;
  }

  /** virConnectIsEncrypted: the transport encrypts (TLS, SASL) and the daemon says the connection is secure. */
  async isEncrypted(): Promise<boolean> {
    const { secure } = await this.invoke('REMOTE_PROC_CONNECT_IS_SECURE');
    return this.transport.encrypted && secure !== 0;
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

  get closed(): boolean {
    return this.engine.closed;
  }
}

async function openTransport(target: ConnectTarget, timeout: number | undefined): Promise<Transport> {
  switch (target.transport) {
    case 'unix':
      return openUnix(target.socketPath!, { timeout });
    case 'tcp':
      return openTcp(target.host!, target.port ?? 16509, { timeout });
    default:
      throw clientError(VIR_ERR_NO_SUPPORT, VIR_FROM_REMOTE, `transport '${target.transport}' is not supported yet by libvirt-rpc`);
  }
}

/** Answers the daemon's keepalive PINGs so an idle connection is never dropped. */
function answerPings(engine: RpcEngine): void {
  engine.setHandler(KEEPALIVE_PROGRAM, (packet) => {
    if (packet.header.proc === KEEPALIVE_PROC_PING && packet.header.type === VIR_NET_MESSAGE) {
      engine.send({ prog: KEEPALIVE_PROGRAM, vers: KEEPALIVE_PROTOCOL_VERSION, proc: KEEPALIVE_PROC_PONG, type: VIR_NET_MESSAGE, status: VIR_NET_OK });
    }
  });
}

/** remoteAuthenticate: REMOTE_PROC_AUTH_LIST, then the first mechanism the daemon offers. */
async function authenticate(engine: RpcEngine): Promise<void> {
  let types: number[];
  try {
    types = (await engine.call(remote_procedures.REMOTE_PROC_AUTH_LIST, undefined)).types;
  } catch (e) {
    // An old daemon without the procedure needs no authentication.
    if (e instanceof LibvirtError && e.code === VIR_ERR_NO_SUPPORT) return;
    throw e;
  }
  if (types.length === 0) return;
  switch (types[0]) {
    case REMOTE_AUTH_NONE:
      return;
    case REMOTE_AUTH_POLKIT:
      await engine.call(remote_procedures.REMOTE_PROC_AUTH_POLKIT, undefined);
      return;
    case REMOTE_AUTH_SASL:
      throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, 'the daemon requires SASL authentication, which libvirt-rpc does not support yet');
    default:
      throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, `unsupported authentication type ${types[0]}`);
  }
}

/**
 * virConnectOpen / virConnectOpenReadOnly: reaches the daemon the URI names (LIBVIRT_DEFAULT_URI
 * when none is given), authenticates and opens the hypervisor connection.
 */
export async function connect(uri?: string, options: ConnectOptions = {}): Promise<Connection> {
  const env = options.env ?? process.env;
  const name = resolveName(uri, env);
  let transport: Transport;
  let target: ConnectTarget | null = null;
  try {
    target = resolveTarget(name, { readOnly: options.readOnly, env });
    transport = options.transport ?? (await openTransport(target, options.timeout));
  } catch (e) {
    const err = asLibvirtError(e, VIR_FROM_REMOTE);
    dispatchError(err);
    throw err;
  }
  if (options.recordTo) transport = new RecordingTransport(transport, { uri: name }, options.recordTo);
  const engine = new RpcEngine(transport.stream);
  answerPings(engine);
  const timer = options.timeout === undefined ? null : setTimeout(() => engine.fail(clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, `connection open timed out after ${options.timeout} ms`), 'error'), options.timeout);
  try {
    await authenticate(engine);
    await engine.call(remote_procedures.REMOTE_PROC_CONNECT_OPEN, { name: target.serverURI, flags: options.readOnly ? VIR_CONNECT_RO : 0 });
  } catch (e) {
    engine.close();
    const err = asLibvirtError(e, VIR_FROM_REMOTE);
    dispatchError(err);
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
  return new Connection(name, target, transport, engine);
}
