// The open sequence of connect(): the transport the URI names (the remote ones loaded only when
// asked for), authentication, the keepalive question, REMOTE_PROC_CONNECT_OPEN; then the Connection.
import {
  VIR_CONNECT_RO,
  VIR_ERR_AUTH_FAILED,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_FROM_REMOTE,
} from '../apixml/generated/constants.js';
import { clientError, LibvirtError } from '../errors/errors.js';
import { REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL, remote_procedures } from '../protocol/generated/remote.js';
import { badBusyPoll } from '../rpc/busy-poll.js';
import { RpcEngine } from '../rpc/engine.js';
import { featureSupported, VIR_DRV_FEATURE_PROGRAM_KEEPALIVE } from '../rpc/features.js';
import { DEFAULT_KEEPALIVE_COUNT, DEFAULT_KEEPALIVE_INTERVAL, KeepAlive } from '../rpc/keepalive.js';
import { authenticateSasl, chooseAuthType } from '../rpc/sasl.js';
import { RecordingTransport } from '../transport/record.js';
import { openTcp, openUnix } from '../transport/socket.js';
import type { ConnectTarget } from '../transport/target.js';
import type { Transport } from '../transport/transport.js';
import { resolveName, resolveTarget } from '../uri/uri.js';
import { type ConnectOptions, Connection, type ConnectionInternals } from './connection.js';
import { openDeadline, openFailure } from './deadline.js';

/** connect()'s default `timeout`: a daemon that never answers does not hang connect() forever. */
export const DEFAULT_OPEN_TIMEOUT_MS = 60_000;

async function openTransport(target: ConnectTarget, options: ConnectOptions, env: NodeJS.ProcessEnv): Promise<Transport> {
  const timeout = options.timeout === 0 ? undefined : (options.timeout ?? DEFAULT_OPEN_TIMEOUT_MS);
  switch (target.transport) {
    // The engine reads plain sockets itself (DirectRead); a recorder reads them through 'data'.
    case 'unix':
      return openUnix(target.socketPath!, { timeout, directRead: !options.recordTo });
    case 'tcp':
      return openTcp(target.host ?? 'localhost', target.port ?? 16509, { timeout, directRead: !options.recordTo });
    // The other transports are loaded when a URI asks for them: importing the package does not
    // load ssh2 or node:tls.
    case 'tls':
      return (await import('../transport/tls.js')).openTls(target, { timeout, env });
    case 'ssh':
    case 'libssh':
    case 'libssh2':
      return (await import('../transport/ssh.js')).openSsh(target, { auth: options.auth, hostKeys: options.hostKeys, env, timeout });
    case 'ext':
      return (await import('../transport/ext.js')).openExt(target, { env });
  }
}

/** The keepalive settings connect() applies after opening, or null for none. */
function keepAliveSettings(options: ConnectOptions): { interval: number; count: number } | null {
  const ka = options.keepAlive;
  if (ka === false) return null;
  if (ka === undefined && (options.transport || options.recordTo)) return null;
  return { interval: ka?.interval ?? DEFAULT_KEEPALIVE_INTERVAL, count: ka?.count ?? DEFAULT_KEEPALIVE_COUNT };
}

/**
 * remoteAuthenticate: REMOTE_PROC_AUTH_LIST, then the daemon's first mechanism or the one `?auth=`
 * names. Returns what the connection's security became (a SASL session, with or without a layer).
 */
async function authenticate(
  engine: RpcEngine,
  target: ConnectTarget,
  transport: Transport,
  options: ConnectOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ encrypted: boolean; secure: boolean; sasl?: { mechanism: string; ssf: number } }> {
  const plain = { encrypted: transport.encrypted, secure: transport.secure };
  let types: number[];
  try {
    types = (await engine.call(remote_procedures.REMOTE_PROC_AUTH_LIST, undefined)).types;
  } catch (e) {
    // An old daemon without the procedure needs no authentication.
    if (e instanceof LibvirtError && e.code === VIR_ERR_NO_SUPPORT) return plain;
    throw e;
  }
  const { type, mechanism } = chooseAuthType(types, target.options.auth);
  switch (type) {
    case REMOTE_AUTH_NONE:
      return plain;
    case REMOTE_AUTH_POLKIT:
      await engine.call(remote_procedures.REMOTE_PROC_AUTH_POLKIT, undefined);
      return plain;
    case REMOTE_AUTH_SASL: {
      const r = await authenticateSasl(engine, target, { transport, auth: options.auth, env, mechanism, installLayer: (layer) => engine.setSecurityLayer(layer) });
      // virNetClientIsEncrypted: any SASL session; is_secure: the transport, or a layer strong enough.
      return { encrypted: true, secure: transport.secure || r.ssf > 0, sasl: { mechanism: r.mechanism, ssf: r.ssf } };
    }
    default:
      throw clientError(VIR_ERR_AUTH_FAILED, VIR_FROM_REMOTE, `unsupported authentication type ${type}`);
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
  const badPoll = options.busyPoll === undefined ? null : badBusyPoll(options.busyPoll);
  if (badPoll) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, badPoll);
  const deadline = openDeadline(name, options.timeout ?? DEFAULT_OPEN_TIMEOUT_MS, options.signal);
  try {
    target = resolveTarget(name, { readOnly: options.readOnly, env });
    if (deadline.error) throw deadline.error;
    if (options.transport) transport = options.transport;
    else {
      if (target.transport === 'ext') deadline.arm(); // a command has no connect timeout of its own
      transport = await deadline.race(openTransport(target, options, env));
    }
  } catch (e) {
    deadline.clear();
    throw openFailure(e, VIR_FROM_REMOTE);
  }
  if (options.recordTo) transport = new RecordingTransport(transport, { uri: name }, options.recordTo, { keepCredentials: options.recordCredentials });
  const engine = new RpcEngine(transport.stream);
  // From here on every PING of the daemon is answered.
  const keepAlive = new KeepAlive(engine);
  const ka = keepAliveSettings(options);
  let serverKeepAlive: boolean | null = null;
  let security: ConnectionInternals['security'] = { encrypted: transport.encrypted, secure: transport.secure };
  deadline.arm();
  deadline.onFail((err) => engine.abort(err));
  try {
    security = await authenticate(engine, target, transport, options, env);
    if (ka) {
      // As libvirt's remote driver: ask before opening. Asking also makes the daemon start its
      // keepalive for this client.
      serverKeepAlive = await featureSupported(engine.call(remote_procedures.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, { feature: VIR_DRV_FEATURE_PROGRAM_KEEPALIVE }));
    }
    await engine.call(remote_procedures.REMOTE_PROC_CONNECT_OPEN, { name: target.serverURI, flags: options.readOnly ? VIR_CONNECT_RO : 0 });
  } catch (e) {
    engine.close();
    throw openFailure(deadline.error ?? e, VIR_FROM_REMOTE);
  } finally {
    deadline.clear();
  }
  if (options.busyPoll) engine.setBusyPoll(options.busyPoll);
  const conn = new Connection(name, target, transport, engine, { keepAlive, serverKeepAlive, security });
  if (ka && serverKeepAlive && ka.interval > 0) keepAlive.start(ka.interval, ka.count);
  return conn;
}
