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
import { Domain } from './domain.js';
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

/** A connection to a hypervisor through libvirtd (virConnectPtr). */
export class Connection extends EventEmitter<{ close: [reason: CloseReason, error: LibvirtError | null] }> {
  /** Errors of this connection: last error and handler (virConnGetLastError, virConnSetErrorFunc). */
  readonly errors = new ErrorScope();
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
      this.emit('close', reason, err);
    });
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

  /** Records and hands an error to the handlers; returns it for rethrowing. */
  dispatch(e: unknown): LibvirtError {
    const err = asLibvirtError(e);
    dispatchError(err, this.errors);
    return err;
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

  /** virConnectGetLibVersion: libvirt version of the daemon, major * 1,000,000 + minor * 1,000 + release. */
  async getLibVersion(): Promise<bigint> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_LIB_VERSION')).lib_ver;
  }

  /** virConnectGetVersion: version of the hypervisor. */
  async getVersion(): Promise<bigint> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_VERSION')).hv_ver;
  }

  /** virConnectGetURI: the URI of this connection (as libvirt keeps it: the one it was opened with). */
  async getURI(): Promise<string> {
    return this.uri;
  }

  /** virConnectGetHostname */
  async getHostname(): Promise<string> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_HOSTNAME')).hostname;
  }

  /** virConnectGetType: the hypervisor driver's name, e.g. "QEMU". */
  async getType(): Promise<string> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_TYPE')).type;
  }

  /** virConnectGetCapabilities: the capabilities XML. */
  async getCapabilities(): Promise<string> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_CAPABILITIES')).capabilities;
  }

  /** virConnectGetMaxVcpus: the maximum vCPUs of a guest of `type` (e.g. "kvm"), or the default type. */
  async getMaxVcpus(type: string | null = null): Promise<number> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_MAX_VCPUS', { type })).max_vcpus;
  }

  /** virConnectGetSysinfo */
  async getSysinfo(flags = 0): Promise<string> {
    return (await this.invoke('REMOTE_PROC_CONNECT_GET_SYSINFO', { flags })).sysinfo;
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

  /** virNodeGetInfo */
  async nodeGetInfo(): Promise<NodeInfo> {
    const r = await this.invoke('REMOTE_PROC_NODE_GET_INFO');
    const end = r.model.indexOf(0);
    const model = String.fromCharCode(...(end < 0 ? r.model : r.model.slice(0, end)).map((c) => c & 0xff));
    return { model, memory: r.memory, cpus: r.cpus, mhz: r.mhz, nodes: r.nodes, sockets: r.sockets, cores: r.cores, threads: r.threads };
  }

  /** virNodeGetFreeMemory: free memory of the host in bytes. */
  async nodeGetFreeMemory(): Promise<bigint> {
    return (await this.invoke('REMOTE_PROC_NODE_GET_FREE_MEMORY')).freeMem;
  }

  /** virDomainLookupByName */
  async domainLookupByName(name: string): Promise<Domain> {
    return Domain.fromWire(this, (await this.invoke('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name })).dom);
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
