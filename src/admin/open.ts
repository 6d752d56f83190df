// connectAdmin(): virAdmConnectOpen. The admin program is spoken on a daemon's local admin socket
// only, chosen from the URI as libvirt-admin.c's getSocketPath chooses it.
import { join } from 'node:path';
import { VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_ADMIN } from '../apixml/generated/constants.js';
import { clientError } from '../errors/errors.js';
import { admin_procedures } from '../protocol/generated/admin.js';
import { RpcEngine } from '../rpc/engine.js';
import { KeepAlive } from '../rpc/keepalive.js';
import { openUnix } from '../transport/socket.js';
import type { Transport } from '../transport/transport.js';
import { parseURI, userRuntimeDirectory } from '../uri/uri.js';
import { openDeadline, openFailure } from '../api/deadline.js';
import { DEFAULT_OPEN_TIMEOUT_MS } from '../api/open.js';
import { AdminConnection } from './connection.js';

export interface AdminConnectOptions {
  /**
   * Milliseconds allowed for reaching the socket and the open call (VIR_ERR_OPERATION_TIMEOUT).
   * Default 60,000 (DEFAULT_OPEN_TIMEOUT_MS); 0 waits forever.
   */
  timeout?: number;
  /** Gives up opening: VIR_ERR_OPERATION_ABORTED (`cause`: the signal's reason). */
  signal?: AbortSignal;
  /** Environment for LIBVIRT_ADMIN_DEFAULT_URI and the session socket directory (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Our own keepalive PINGs (seconds of silence before a PING, unanswered PINGs before closing).
   * Default none, as virt-admin; the daemon's PINGs are always answered.
   */
  keepAlive?: { interval: number; count: number };
  /** Use this transport instead of the socket the URI names (a ReplayTransport, a test stream). */
  transport?: Transport;
}

const currentUid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : -1);

/** virAdmGetDefaultURI: LIBVIRT_ADMIN_DEFAULT_URI, else libvirtd's system or session daemon by our uid. */
export function defaultAdminURI(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string {
  const name = env.LIBVIRT_ADMIN_DEFAULT_URI;
  if (name) return name;
  return uid === 0 ? 'libvirtd:///system' : 'libvirtd:///session';
}

/**
 * The admin socket of an admin URI, as libvirt chooses it: `?socket=` when given; else
 * `libvirt-admin-sock` for the `libvirtd` scheme or `<scheme>-admin-sock` for the modular daemons
 * (`virtqemud`, `virtproxyd`, ...), under /run/libvirt for `/system` and the user runtime directory
 * for `/session`. A URI naming a host is refused: the admin program has no remote transport.
 */
export function adminSocketPath(uri: string, env: NodeJS.ProcessEnv = process.env): string {
  const u = parseURI(uri);
  const unsupported = (message: string) => clientError(VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_ADMIN, message);
  if (u.host) throw unsupported(`the admin interface is reached only through the daemon's local unix socket: ${uri} names the host '${u.host}' (run virt-admin-rpc on that host, e.g. over ssh)`);
  let socket: string | undefined;
  for (const [name, value] of u.params) {
    if (name !== 'socket') throw unsupported(`Unknown URI parameter '${name}'`);
    socket = value;
  }
  if (socket !== undefined) return socket;
  if (!u.scheme) throw unsupported('No URI scheme specified');
  if (u.scheme !== 'libvirtd' && !u.scheme.startsWith('virt')) throw unsupported(`Unsupported URI scheme '${u.scheme}'`);
  const base = u.scheme === 'libvirtd' ? 'libvirt-admin-sock' : `${u.scheme}-admin-sock`;
  if (u.path === '/system') return join('/run/libvirt', base);
  if (u.path === '/session') return join(userRuntimeDirectory(env), base);
  throw unsupported(`Invalid URI path '${u.path}', try '/system'`);
}

/**
 * virAdmConnectOpen: opens the admin interface of the daemon `uri` names (default:
 * LIBVIRT_ADMIN_DEFAULT_URI, else `libvirtd:///system` as root, `libvirtd:///session` otherwise).
 */
export async function connectAdmin(uri?: string | null, options: AdminConnectOptions = {}): Promise<AdminConnection> {
  const env = options.env ?? process.env;
  const name = uri || defaultAdminURI(env);
  const timeout = options.timeout ?? DEFAULT_OPEN_TIMEOUT_MS;
  const deadline = openDeadline(name, timeout, options.signal);
  let socketPath = '';
  let transport: Transport;
  try {
    socketPath = options.transport ? '' : adminSocketPath(name, env);
    if (deadline.error) throw deadline.error;
    if (options.transport) transport = options.transport;
    else {
      transport = await deadline.race(openUnix(socketPath, { timeout: timeout === 0 ? undefined : timeout }));
    }
  } catch (e) {
    deadline.clear();
    throw openFailure(e, VIR_FROM_ADMIN);
  }
  const engine = new RpcEngine(transport.stream);
  const keepAlive = new KeepAlive(engine);
  deadline.arm();
  deadline.onFail((err) => engine.abort(err));
  try {
    await engine.call(admin_procedures.ADMIN_PROC_CONNECT_OPEN, { flags: 0 });
  } catch (e) {
    engine.close();
    throw openFailure(deadline.error ?? e, VIR_FROM_ADMIN);
  } finally {
    deadline.clear();
  }
  const conn = new AdminConnection(name, socketPath, transport, engine, keepAlive);
  if (options.keepAlive && options.keepAlive.interval > 0) keepAlive.start(options.keepAlive.interval, options.keepAlive.count);
  return conn;
}
