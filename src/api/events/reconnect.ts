// A connection that comes back: for long-running services that must keep receiving events.
//
// When the connection closes for any reason other than our own close() (EOF from a restarted
// daemon, an I/O error, a keepalive timeout), it reconnects with exponential backoff and jitter,
// registers every event subscription again on the new connection, and then reports the gap:
// events that happened while the connection was down were missed, so the caller resyncs (lists
// its domains again, ...). Subscription IDs stay the same across reconnections.
import { EventEmitter } from 'node:events';
import { VIR_ERR_INTERNAL_ERROR, VIR_ERR_INVALID_ARG, VIR_ERR_OVERFLOW, VIR_FROM_EVENT, VIR_FROM_REMOTE } from '../../apixml/generated/constants.js';
import type { CloseReason } from '../../rpc/engine.js';
import { type ConnectOptions, type Connection } from '../connection.js';
import { connect } from '../open.js';
import type { DomainEvent, DomainEventMap, NetworkEvent, NetworkEventMap, NodeDeviceEvent, NodeDeviceEventMap, QemuMonitorEvent, SecretEvent, SecretEventMap, StoragePoolEvent, StoragePoolEventMap } from './event-types.js';
import { rewrapObject } from './families.js';
import { BoundedEventQueue, eventWireBytes } from './events.js';
import { type EventFamily, type EventObject, EventStreamMethods, type EventStreamOptions, type EventStreamRequest } from './stream-methods.js';
import { LibvirtError, asLibvirtError, clientError } from '../../errors/errors.js';
import type { Domain, Network, NodeDevice, Secret, StoragePool } from '../objects.js';
import { getLogger } from '../../util/log.js';
import { sessionOf } from '../session.js';

const log = getLogger('api.reconnect');

export interface ReconnectOptions extends ConnectOptions {
  /** Delay before the first reconnection attempt, in ms (default 250). */
  initialDelay?: number;
  /** Longest delay between attempts, in ms (default 30000). */
  maxDelay?: number;
  /** Each failed attempt multiplies the delay by this (default 2). */
  factor?: number;
  /** Random spread of each delay, as a fraction (default 0.2: +-20%). */
  jitter?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
}

/** What the 'reconnect' event reports: how long the connection was down and why. */
export interface ReconnectGap {
  /** When the previous connection closed. */
  readonly since: Date;
  /** When the new connection was open and every subscription registered again. */
  readonly until: Date;
  readonly durationMs: number;
  /** Why the previous connection closed, and its error. */
  readonly reason: CloseReason;
  readonly error: LibvirtError | null;
  /** Connection attempts it took. */
  readonly attempts: number;
  /** Subscriptions that could not be registered again (they stay, and are retried next time). */
  readonly failed: readonly { readonly id: number; readonly error: LibvirtError }[];
  readonly connection: Connection;
}

/** The events of a ReconnectingConnection and their listener arguments. */
export type ReconnectingEvents = {
  /** The connection closed; reconnection starts. */
  disconnect: [reason: CloseReason, error: LibvirtError | null];
  /** Back, with every subscription registered again: events during the gap may have been missed. */
  reconnect: [gap: ReconnectGap];
  /** A reconnection attempt failed (the next one is scheduled after `delay` ms). */
  retry: [error: LibvirtError, attempt: number, delay: number];
  /** Reconnection gave up (maxAttempts) or close() was called: no connection any more. */
  end: [error: LibvirtError | null];
};

type AnyObject = EventObject;

/** In a reconnecting event stream: the connection was lost and is back; events in between were missed. */
export interface ReconnectMarker {
  readonly kind: 'reconnect';
  readonly gap: ReconnectGap;
}

/**
 * An event stream that survives reconnections: after a gap it yields a ReconnectMarker (resync
 * then), followed by the events that came after the gap. Events that arrive while the
 * subscriptions are being registered again are held back until the marker is out, so the marker
 * always comes first. Same buffering and overflow policy as EventStream; it ends when the
 * reconnecting connection is closed or gives up, and when the loop is left (deregisters).
 */
export class ReconnectingEventStream<E> extends BoundedEventQueue<E | ReconnectMarker> {
  /** Resolves once every subscription is registered; rejects (and the stream ends) if one fails. */
  readonly ready: Promise<void>;
  private ids: number[] = [];
  private held: E[] | null = null;
  private heldBytes = 0;
  private readonly onDisconnect = (): void => {
    this.held ??= [];
  };
  private readonly onReconnect = (gap: ReconnectGap): void => {
    const held = this.held ?? [];
    this.held = null;
    this.heldBytes = 0;
    this.push({ kind: 'reconnect', gap });
    for (const ev of held) this.push(ev);
  };
  private readonly onEnd = (err: LibvirtError | null): void => {
    if (err) this.closeError = err;
    this.finish(null);
  };

  /** @internal use rc.domainEvents() and friends */
  constructor(
    private readonly rc: ReconnectingConnection,
    subscribe: (deliver: (ev: E) => void) => Promise<number>[],
    options: EventStreamOptions = {},
  ) {
    super(options);
    rc.on('disconnect', this.onDisconnect).on('reconnect', this.onReconnect).on('end', this.onEnd);
    const deliver = (ev: E): void => {
      if (this.held === null) {
        this.push(ev);
      } else if (!this.wouldOverflow(this.held.length + 1, this.heldBytes, 1, eventWireBytes(ev))) {
        // One place of the buffer stays for the marker that goes out before them.
        this.held.push(ev);
        this.heldBytes += eventWireBytes(ev);
      } else {
        this.holdOverflow(ev, this.held);
      }
    };
    this.ready = Promise.all(subscribe(deliver).map((p) => p.then((id) => (this.ended ? this.release([id]) : void this.ids.push(id))))).then(
      () => undefined,
      (e: unknown) => {
        const err = asLibvirtError(e);
        this.finish(err);
        throw err;
      },
    );
    this.ready.catch(() => undefined);
  }

  /**
   * More events arrived while the subscriptions are registered again than the buffer holds: the
   * stream's overflow policy decides, as it does for the buffer itself ('error' ends the stream
   * with VIR_ERR_OVERFLOW; the drop policies discard and count).
   */
  private holdOverflow(ev: E, held: E[]): void {
    switch (this.overflow) {
      case 'drop-newest':
        this.countDropped();
        return;
      case 'drop-oldest': {
        const size = eventWireBytes(ev);
        while (held.length > 0 && this.wouldOverflow(held.length + 1, this.heldBytes, 1, size)) {
          this.heldBytes -= eventWireBytes(held.shift());
          this.countDropped();
        }
        held.push(ev);
        this.heldBytes += size;
        return;
      }
      case 'error':
        this.held = null;
        this.heldBytes = 0;
        this.finish(clientError(VIR_ERR_OVERFLOW, VIR_FROM_EVENT, `event stream overflow: more than ${this.bufferSize} events or ${this.bufferBytes} bytes arrived while the subscriptions were registered again`));
        return;
    }
  }

  protected settled(): Promise<void> {
    return this.ready;
  }

  protected releaseSources(): Promise<void> {
    this.rc.off('disconnect', this.onDisconnect).off('reconnect', this.onReconnect).off('end', this.onEnd);
    const ids = this.ids;
    this.ids = [];
    return this.release(ids);
  }

  private async release(ids: number[]): Promise<void> {
    await Promise.all(ids.map((id) => this.rc.unsubscribeQuietly(id)));
  }
}

interface Subscription {
  readonly id: number;
  readonly family: EventFamily;
  readonly eventID: number;
  /** The filter object's family and wire identity (re-wrapped for each new connection). */
  readonly object: AnyObject | null;
  readonly qemuEvent: string | null;
  readonly qemuFlags: number;
  readonly callback: (ev: never, opaque: unknown) => void;
  readonly opaque: unknown;
  /** Callback ID on the current connection (null while not registered). */
  local: number | null;
  removed: boolean;
}

/**
 * A connection that reconnects (see the file comment). Use `connection` for calls (it changes
 * after each reconnection; `ready()` waits for one), the *EventRegisterAny methods for events
 * that must survive reconnections, and `on('reconnect', gap => resync())`.
 */
export class ReconnectingConnection extends EventStreamMethods<'reconnecting'> {
  private current: Connection | null = null;
  private readonly emitter = new EventEmitter<ReconnectingEvents>();
  private readonly subs = new Map<number, Subscription>();
  private nextID = 1;
  private ended = false;
  private waiters: { resolve: (c: Connection) => void; reject: (e: LibvirtError) => void }[] = [];
  private sleepTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  /** The new connection while subscriptions are registered on it (they deliver already). */
  private registering: Connection | null = null;
  /** Completed reconnections. */
  reconnections = 0;

  private constructor(
    readonly uri: string | undefined,
    private readonly options: ReconnectOptions,
  ) {
    super();
  }

  /** Opens the first connection (its failure rejects: a wrong URI is not retried). */
  static async connect(uri?: string, options: ReconnectOptions = {}): Promise<ReconnectingConnection> {
    const rc = new ReconnectingConnection(uri, options);
    rc.adopt(await connect(uri, options));
    return rc;
  }

  /** The current connection, or null while reconnecting. */
  get connection(): Connection | null {
    return this.current;
  }

  /** The current connection; during a reconnection, the next one. Rejects once ended. */
  ready(): Promise<Connection> {
    if (this.current && !this.current.closed) return Promise.resolve(this.current);
    if (this.ended) return Promise.reject(clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_REMOTE, 'the reconnecting connection is closed'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  on<E extends keyof ReconnectingEvents>(event: E, listener: (...args: ReconnectingEvents[E]) => void): this {
    this.emitter.on(event, listener as never);
    return this;
  }

  off<E extends keyof ReconnectingEvents>(event: E, listener: (...args: ReconnectingEvents[E]) => void): this {
    this.emitter.off(event, listener as never);
    return this;
  }

  private adopt(conn: Connection): void {
    this.current = conn;
    conn.on('close', (reason, err) => {
      if (this.current !== conn) return;
      this.current = null;
      if (this.ended) return;
      log.info(`connection to ${conn.uri} closed (${reason}); reconnecting`);
      for (const s of this.subs.values()) s.local = null;
      this.emit('disconnect', reason, err);
      void this.reconnect(reason, err);
    });
  }

  private emit<E extends keyof ReconnectingEvents>(event: E, ...args: ReconnectingEvents[E]): void {
    try {
      (this.emitter.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (e) {
      log.error(`'${event}' listener threw: ${(e as Error).message}`);
    }
  }

  private delay(attempt: number): number {
    const o = this.options;
    const base = Math.min(o.maxDelay ?? 30_000, (o.initialDelay ?? 250) * (o.factor ?? 2) ** (attempt - 1));
    const jitter = o.jitter ?? 0.2;
    return Math.max(0, Math.round(base * (1 + jitter * (2 * Math.random() - 1))));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private async reconnect(reason: CloseReason, error: LibvirtError | null): Promise<void> {
    const since = new Date();
    let attempts = 0;
    for (;;) {
      attempts++;
      const wait = this.delay(attempts);
      await this.sleep(wait);
      if (this.ended) return;
      let conn: Connection;
      try {
        conn = await connect(this.uri, this.options);
      } catch (e) {
        const err = asLibvirtError(e, VIR_FROM_REMOTE);
        if (this.options.maxAttempts !== undefined && attempts >= this.options.maxAttempts) {
          log.warn(`giving up after ${attempts} attempts: ${err.message}`);
          this.finish(err);
          return;
        }
        this.emit('retry', err, attempts, this.delay(attempts + 1));
        continue;
      }
      if (this.ended) {
        await conn.close();
        return;
      }
      this.registering = conn;
      const failed = await this.registerAll(conn);
      this.registering = null;
      if (conn.closed) continue; // lost again while registering: start over (same gap)
      this.adopt(conn);
      this.reconnections++;
      const until = new Date();
      for (const w of this.waiters.splice(0)) w.resolve(conn);
      this.emit('reconnect', { since, until, durationMs: until.getTime() - since.getTime(), reason, error, attempts, failed, connection: conn });
      return;
    }
  }

  private async registerAll(conn: Connection): Promise<{ id: number; error: LibvirtError }[]> {
    const failed: { id: number; error: LibvirtError }[] = [];
    const tried = new Set<Subscription>();
    // (subscriptions added while this runs are picked up by the next round)
    for (;;) {
      const todo = [...this.subs.values()].filter((s) => !tried.has(s));
      if (todo.length === 0 || conn.closed) break;
      await Promise.all(
        todo.map(async (s) => {
          tried.add(s);
          try {
            await this.registerOn(conn, s);
          } catch (e) {
            failed.push({ id: s.id, error: asLibvirtError(e) });
          }
        }),
      );
    }
    return failed.sort((a, b) => a.id - b.id);
  }

  /** The same object, as a handle of `conn`. */
  private rewrap(conn: Connection, family: EventFamily, obj: AnyObject | null): AnyObject | null {
    if (!obj) return null;
    const again = rewrapObject(family, sessionOf(conn).wrap, obj);
    if (!again) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `cannot filter events on ${String(obj)}`);
    return again;
  }

  private async registerOn(conn: Connection, s: Subscription): Promise<void> {
    const obj = this.rewrap(conn, s.family, s.object);
    const cb = (ev: object): void => {
      // Only the subscription's current registration delivers.
      if (!s.removed && (this.current === conn || this.registering === conn)) s.callback(ev as never, s.opaque);
    };
    const qemu = s.family === 'qemu' ? { event: s.qemuEvent, flags: s.qemuFlags } : undefined;
    const id = await sessionOf(conn).events.registerFor(s.family, obj, s.eventID, cb, undefined, undefined, qemu);
    s.local = id;
    if (s.removed) await this.deregisterOn(conn, s);
  }

  private async deregisterOn(conn: Connection, s: Subscription): Promise<void> {
    const local = s.local;
    s.local = null;
    if (local === null || conn.closed) return;
    return sessionOf(conn).events.deregisterFor(s.family, local);
  }

  private async subscribe(family: EventFamily, object: AnyObject | null, eventID: number, callback: (ev: never, opaque: unknown) => void, opaque: unknown, qemu: { event: string | null; flags: number } | null = null): Promise<number> {
    if (this.ended) throw clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_REMOTE, 'the reconnecting connection is closed');
    const s: Subscription = { id: this.nextID++, family, eventID, object, qemuEvent: qemu?.event ?? null, qemuFlags: qemu?.flags ?? 0, callback, opaque, local: null, removed: false };
    const conn = this.current;
    if (conn && !conn.closed) {
      // A failure here (bad event ID, ...) is the caller's to see; nothing is kept.
      await this.registerOn(conn, s);
    }
    // While reconnecting it is registered with all the others once the connection is back.
    this.subs.set(s.id, s);
    return s.id;
  }

  private async unsubscribe(id: number): Promise<void> {
    const s = this.subs.get(id);
    if (!s) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `could not find event callback ${id} for deletion`);
    this.subs.delete(id);
    s.removed = true;
    const conn = this.current ?? this.registering;
    if (conn) await this.deregisterOn(conn, s);
  }

  /** virConnectDomainEventRegisterAny that survives reconnections (same ID throughout). */
  domainEventRegisterAny<ID extends keyof DomainEventMap, O = undefined>(dom: Domain | null, eventID: ID, callback: (event: DomainEventMap[ID], opaque: O) => void, opaque?: O): Promise<number>;
  domainEventRegisterAny<O = undefined>(dom: Domain | null, eventID: number, callback: (event: DomainEvent, opaque: O) => void, opaque?: O): Promise<number>;
  domainEventRegisterAny<O>(dom: Domain | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O): Promise<number> {
    return this.subscribe('domain', dom, eventID, callback as (ev: never, o: unknown) => void, opaque);
  }

  domainEventDeregisterAny(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  networkEventRegisterAny<ID extends keyof NetworkEventMap, O = undefined>(net: Network | null, eventID: ID, callback: (event: NetworkEventMap[ID], opaque: O) => void, opaque?: O): Promise<number>;
  networkEventRegisterAny<O = undefined>(net: Network | null, eventID: number, callback: (event: NetworkEvent, opaque: O) => void, opaque?: O): Promise<number>;
  networkEventRegisterAny<O>(net: Network | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O): Promise<number> {
    return this.subscribe('network', net, eventID, callback as (ev: never, o: unknown) => void, opaque);
  }

  networkEventDeregisterAny(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  storagePoolEventRegisterAny<ID extends keyof StoragePoolEventMap, O = undefined>(pool: StoragePool | null, eventID: ID, callback: (event: StoragePoolEventMap[ID], opaque: O) => void, opaque?: O): Promise<number>;
  storagePoolEventRegisterAny<O = undefined>(pool: StoragePool | null, eventID: number, callback: (event: StoragePoolEvent, opaque: O) => void, opaque?: O): Promise<number>;
  storagePoolEventRegisterAny<O>(pool: StoragePool | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O): Promise<number> {
    return this.subscribe('storagePool', pool, eventID, callback as (ev: never, o: unknown) => void, opaque);
  }

  storagePoolEventDeregisterAny(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  nodeDeviceEventRegisterAny<ID extends keyof NodeDeviceEventMap, O = undefined>(dev: NodeDevice | null, eventID: ID, callback: (event: NodeDeviceEventMap[ID], opaque: O) => void, opaque?: O): Promise<number>;
  nodeDeviceEventRegisterAny<O = undefined>(dev: NodeDevice | null, eventID: number, callback: (event: NodeDeviceEvent, opaque: O) => void, opaque?: O): Promise<number>;
  nodeDeviceEventRegisterAny<O>(dev: NodeDevice | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O): Promise<number> {
    return this.subscribe('nodeDevice', dev, eventID, callback as (ev: never, o: unknown) => void, opaque);
  }

  nodeDeviceEventDeregisterAny(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  secretEventRegisterAny<ID extends keyof SecretEventMap, O = undefined>(secret: Secret | null, eventID: ID, callback: (event: SecretEventMap[ID], opaque: O) => void, opaque?: O): Promise<number>;
  secretEventRegisterAny<O = undefined>(secret: Secret | null, eventID: number, callback: (event: SecretEvent, opaque: O) => void, opaque?: O): Promise<number>;
  secretEventRegisterAny<O>(secret: Secret | null, eventID: number, callback: (event: never, opaque: O) => void, opaque?: O): Promise<number> {
    return this.subscribe('secret', secret, eventID, callback as (ev: never, o: unknown) => void, opaque);
  }

  secretEventDeregisterAny(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  domainQemuMonitorEventRegister<O = undefined>(dom: Domain | null, event: string | null, callback: (event: QemuMonitorEvent, opaque: O) => void, opaque?: O, flags = 0): Promise<number> {
    return this.subscribe('qemu', dom, 0, callback as (ev: never, o: unknown) => void, opaque, { event, flags });
  }

  domainQemuMonitorEventDeregister(callbackID: number): Promise<void> {
    return this.unsubscribe(callbackID);
  }

  /** @internal */
  async unsubscribeQuietly(id: number): Promise<void> {
    await this.unsubscribe(id).catch((e: unknown) => log.debug(`deregistration of ${id} failed: ${(e as Error).message}`));
  }

  /** @internal */
  protected openEventStream<E>({ family, object, eventIDs, options, qemu }: EventStreamRequest): ReconnectingEventStream<E> {
    return new ReconnectingEventStream<E>(this, (deliver) => eventIDs.map((eventID) => this.subscribe(family, object, eventID, deliver as (ev: never) => void, undefined, qemu)), options);
  }

  /** Stops reconnecting and closes the current connection. */
  /** `await using rc = reconnecting(uri)`: close() when the scope ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    const conn = this.current;
    this.finish(null);
    if (conn) await conn.close();
  }

  private finish(err: LibvirtError | null): void {
    if (this.ended) return;
    this.ended = true;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    const e = err ?? clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_REMOTE, 'the reconnecting connection is closed');
    for (const w of this.waiters.splice(0)) w.reject(e);
    this.emit('end', err);
  }
}

/** Opens a ReconnectingConnection (see there). */
export function connectReconnecting(uri?: string, options?: ReconnectOptions): Promise<ReconnectingConnection> {
  return ReconnectingConnection.connect(uri, options);
}

declare module './stream-methods.js' {
  interface EventStreamKinds<E> {
    reconnecting: ReconnectingEventStream<E>;
  }
}
