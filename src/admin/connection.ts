import { EventEmitter } from 'node:events';
import { VIR_FROM_ADMIN } from '../apixml/generated/constants.js';
import type { admin_procedure_name } from '../protocol/generated/admin.js';
import type { CallOptions, CloseReason, RpcEngine } from '../rpc/engine.js';
import { KeepAlive } from '../rpc/keepalive.js';
import type { Transport } from '../transport/transport.js';
import type { LibvirtError } from '../errors/errors.js';
import { getLogger } from '../util/log.js';
import type { KeepAliveState } from '../api/connection.js';
import { CloseCallbackSlot, type FreeCallback, closeReasonCode } from '../rpc/close-callback.js';
import { AdminConnectionMethods } from './generated/methods.js';
import { adminObjectFactory } from './objects.js';
import { type AdminArgs, type AdminRet, AdminSession } from './session.js';

const log = getLogger('admin.connection');

/** virAdmConnectCloseFunc: `reason` is a VIR_CONNECT_CLOSE_REASON_* value. */
export type AdminCloseCallback<O = unknown> = (conn: AdminConnection, reason: number, opaque: O) => void;

/** The events of an AdminConnection and their listener arguments. */
export type AdminConnectionEvents = { close: [reason: CloseReason, error: LibvirtError | null] };

/**
 * A connection to a daemon's admin interface (virAdmConnectPtr), made by connectAdmin(). Every C
 * function taking a virAdmConnectPtr first is a method (generated into AdminConnectionMethods);
 * every admin procedure is also callable with its exact wire types through call().
 */
export class AdminConnection extends AdminConnectionMethods {
  private readonly session: AdminSession;
  private readonly events = new EventEmitter<AdminConnectionEvents>();
  private readonly keepAlive: KeepAlive;
  private closing: Promise<number> | null = null;
  private readonly closeCallback = new CloseCallbackSlot<AdminConnection>(this, VIR_FROM_ADMIN, log);

  /** @internal use connectAdmin() */
  constructor(
    /** The URI the connection was opened with (virAdmConnectGetURI). */
    readonly uri: string,
    /** The admin socket reached. */
    readonly socketPath: string,
    readonly transport: Transport,
    private readonly engine: RpcEngine,
    keepAlive: KeepAlive,
  ) {
    super();
    this.session = new AdminSession(this, engine);
    this.session.wrap = adminObjectFactory(this);
    this.keepAlive = keepAlive;
    engine.onClose((reason, err) => {
      log.debug(`admin connection to ${uri} closed: ${reason}`);
      this.closeCallback.fire(closeReasonCode(reason));
      this.events.emit('close', reason, err);
    });
  }

  /** Node idiom for the close callback: `conn.on('close', (reason, error) => ...)`. */
  on<E extends keyof AdminConnectionEvents>(event: E, listener: (...args: AdminConnectionEvents[E]) => void): this {
    this.events.on(event, listener as never);
    return this;
  }

  off<E extends keyof AdminConnectionEvents>(event: E, listener: (...args: AdminConnectionEvents[E]) => void): this {
    this.events.off(event, listener as never);
    return this;
  }

  /** Calls an admin procedure with its exact generated argument and reply types. */
  call<K extends admin_procedure_name>(name: K, ...rest: AdminArgs<K>): Promise<AdminRet<K>> {
    return this.session.call(name, ...rest);
  }

  /** virAdmConnectGetURI: the URI this connection was opened with. */
  async getURI(_options?: CallOptions): Promise<string> {
    return this.uri;
  }

  /** virAdmConnectIsAlive: the connection is open (no call is made). */
  async isAlive(_options?: CallOptions): Promise<boolean> {
    return !this.engine.closed;
  }

  get closed(): boolean {
    return this.engine.closed;
  }

  /** Why the connection closed (null while it is open). */
  get closeReason(): CloseReason | null {
    return this.engine.closeReason;
  }

  /** Our keepalive settings (none by default, as virt-admin) and the PING counters. */
  get keepAliveState(): KeepAliveState {
    const k = this.keepAlive;
    return { ...k.settings, pingsSent: k.pingsSent, pingsAnswered: k.pingsAnswered, pongsSkipped: k.pongsSkipped };
  }

  /**
   * virAdmConnectClose: tells the daemon (ADMIN_PROC_CONNECT_CLOSE) and closes the socket; every
   * pending call rejects. Resolves to 0.
   */
  close(): Promise<number> {
    this.closing ??= (async () => {
      if (!this.engine.closed) await this.session.call('ADMIN_PROC_CONNECT_CLOSE', undefined, { timeout: 5000 }).catch((e: unknown) => log.debug(`CONNECT_CLOSE failed: ${(e as Error).message}`));
      this.engine.close();
      return 0;
    })();
    return this.closing;
  }

  /** `await using conn = await connectAdmin()`: close() when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * virAdmConnectRegisterCloseCallback: `cb(conn, reason, opaque)` once, when the connection closes
   * (VIR_CONNECT_CLOSE_REASON_*). One callback per connection, as in libvirt.
   */
  async registerCloseCallback<O>(cb: AdminCloseCallback<O>, opaque?: O, freecb?: FreeCallback<O>): Promise<void> {
    return this.session.guard(async () => {
      this.closeCallback.set(cb, opaque, freecb);
    });
  }

  /** virAdmConnectUnregisterCloseCallback: `cb` must be the registered callback. */
  async unregisterCloseCallback(cb: AdminCloseCallback<never>): Promise<void> {
    return this.session.guard(async () => {
      this.closeCallback.unset(cb);
    });
  }
}

declare module './admin-types.js' {
  interface AdminTypes {
    AdminConnection: AdminConnection;
  }
}
