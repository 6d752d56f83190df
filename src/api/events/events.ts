// Event registrations of one connection, mirroring libvirt's remote driver
// (src/remote/remote_driver.c + src/conf/object_event.c):
//
// - Local callbacks get their own callback IDs. Callbacks for the same (family, event ID, object
//   filter) share one registration on the server, made when the first registers and dropped when
//   the last deregisters, exactly as libvirt's client does; a QEMU monitor registration also keys on
//   its event name and flags.
// - Domain events use REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY (per-object filtering
//   on the server, events tagged with the server's callback ID) when the daemon supports
//   VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK, else the pre-1.2.1 REGISTER_ANY with filtering here.
// - Events are decoded and delivered synchronously as their packets are read, so every callback
//   sees them in the order the server sent them. Deregistering removes the callback before the
//   server is told: nothing is delivered to it afterwards.
// - An event may reach us before the reply to the registration that asked for it (the daemon can
//   queue it first); while registrations are in flight such events are held and handed over when
//   the reply names their callback ID, so nothing sent after a registration took effect is lost.
// - When the connection closes, every registration ends: free callbacks run, event streams end
//   with the close reason.
import { featureSupported, VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK } from '../../rpc/features.js';
import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_INVALID,
  VIR_ERR_OVERFLOW,
  VIR_FROM_EVENT,
  VIR_FROM_RPC,
} from '../../apixml/generated/constants.js';
import type { remote_nonnull_domain, remote_nonnull_network, remote_nonnull_node_device, remote_nonnull_secret, remote_nonnull_storage_pool } from '../../protocol/generated/remote.js';
import { type CloseReason, type ServerMessage, abortError } from '../../rpc/engine.js';
import { getLogger } from '../../util/log.js';
import type { Session } from '../session.js';
import { type DecodedEvent, EVENT_DECODERS } from './event-decode.js';
import { familyObject } from './families.js';
import type { EventFamily, EventObject, EventStreamOptions, OverflowPolicy } from './stream-methods.js';
import { LibvirtError, clientError } from '../../errors/errors.js';

const log = getLogger('api.events');

/** Events held while registrations are in flight, at most (older ones are dropped and counted in `undelivered`). */
const MAX_HELD = 10_000;
/** Bytes of the events so held, at most: one maximum-size packet (libvirt's 32 MiB). */
const MAX_HELD_BYTES = 32 * 1024 * 1024;
/** Default byte bound of an event stream's buffer (see EventStreamOptions.bufferBytes). */
export const DEFAULT_EVENT_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * The size of each event on the wire (its packet body), by decoded event and by the object built
 * for the user: the byte bounds of the event buffers count these. A weak map keeps the event
 * types free of bookkeeping; the decoded strings of an event take about as much memory as these
 * bytes (twice for non-Latin-1 text).
 */
const wireBytes = new WeakMap<object, number>();

/** @internal Records the bytes an event (decoded, or built for the user) took on the wire. */
export function setEventWireBytes(ev: object, bytes: number): void {
  wireBytes.set(ev, bytes);
}

/** Bytes an event object took on the wire (0 for anything that did not come from a packet). */
export function eventWireBytes(ev: unknown): number {
  return typeof ev === 'object' && ev !== null ? (wireBytes.get(ev) ?? 0) : 0;
}

export type EventObjectWire =
  | { family: 'domain' | 'qemu'; wire: remote_nonnull_domain; key: string }
  | { family: 'network'; wire: remote_nonnull_network; key: string }
  | { family: 'storagePool'; wire: remote_nonnull_storage_pool; key: string }
  | { family: 'nodeDevice'; wire: remote_nonnull_node_device; key: string }
  | { family: 'secret'; wire: remote_nonnull_secret; key: string };

/** What to register for: a family's event ID, optionally for one object only. */
export interface RegistrationSpec {
  readonly family: EventFamily;
  readonly eventID: number;
  /** The object to filter on, or null for all objects. */
  readonly object: EventObjectWire | null;
  /** QEMU monitor events: the event name filter (null: all) and the flags. */
  readonly qemu?: { readonly event: string | null; readonly flags: number };
}

interface ServerRegistration {
  readonly key: string;
  readonly spec: RegistrationSpec;
  /** The server's callback ID once registered (null: legacy domain registration, no ID). */
  remoteID: number | null;
  legacy: boolean;
  /** The server has it (and it was not dropped while the call was in flight). */
  registered: boolean;
  /** Resolves when the server has the registration. */
  ready: Promise<void>;
  done: boolean;
  readonly locals: Set<LocalRegistration>;
}

export interface LocalRegistrationOptions {
  /** Called once when the registration ends: deregistered, or the connection closed (virFreeCallback). */
  free?: () => void;
  /** Called once when the connection closes with the registration still open. */
  onClose?: (reason: CloseReason, err: LibvirtError | null) => void;
  /** The function a legacy virConnectDomainEventRegister registration is tracked by. */
  legacyFn?: unknown;
}

interface LocalRegistration {
  readonly id: number;
  readonly server: ServerRegistration;
  readonly filterKey: string | null;
  readonly deliver: (ev: object) => void;
  readonly options: LocalRegistrationOptions;
  active: boolean;
}

/** What an EventRegistry tracks once something is registered. */
interface RegistryTables {
  readonly locals: Map<number, LocalRegistration>;
  readonly byKey: Map<string, ServerRegistration>;
  /** Callback-mode registrations by `${family}:${remoteID}` (ID spaces differ per driver). */
  readonly byRemote: Map<string, ServerRegistration>;
  /** Registrations in flight per family (the events held for them are in `held`). */
  readonly inFlight: Map<EventFamily, number>;
  /** Server deregistrations in flight, by registration key. */
  readonly leaving: Map<string, Promise<void>>;
}

/** A registration's server-side key: callbacks with equal keys share one server registration. */
function serverKey(spec: RegistrationSpec, legacy: boolean): string {
  if (legacy) return `domain:${spec.eventID}:*:legacy`;
  const obj = spec.object ? spec.object.key : '*';
  const q = spec.qemu ? `:${spec.qemu.flags}:${spec.qemu.event === null ? '*' : JSON.stringify(spec.qemu.event)}` : '';
  return `${spec.family}:${spec.eventID}:${obj}${q}`;
}

/**
 * The event registrations of one connection and the dispatcher of its event messages.
 * @internal Connection's methods are the public face.
 */
export class EventRegistry {
  private nextID = 1;
  /** Made at the first registration: most connections never register one (memory per connection). */
  private tables: RegistryTables | null = null;
  private held: DecodedEvent[] = [];
  private heldBytes = 0;
  private heldOverflowWarned = false;
  private callbackFeature: Promise<boolean> | null = null;
  private closed: { reason: CloseReason; err: LibvirtError | null } | null = null;
  /** Events that arrived with no registration to take them (logged, never silently lost). */
  undelivered = 0;

  constructor(private readonly session: Session) {}

  private get t(): RegistryTables {
    return (this.tables ??= { locals: new Map(), byKey: new Map(), byRemote: new Map(), inFlight: new Map(), leaving: new Map() });
  }

  /** The wire identity an event filter names; the object must belong to this connection. */
  objectSpec(family: EventFamily, obj: EventObject | null): EventObjectWire | null {
    if (obj === null || obj === undefined) return null;
    if (obj.connection !== this.session.owner) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'the object belongs to another connection');
    const o = familyObject(family, obj);
    if (!o) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `cannot filter ${family} events on ${String(obj)}`);
    return { family, ...o } as EventObjectWire;
  }

  /** One registration of any family (the per-family methods and the reconnecting helper call it). */
  registerFor<O>(family: EventFamily, obj: EventObject | null, eventID: number, callback: (ev: never, opaque: O) => void, opaque: O | undefined, freecb: ((opaque: O) => void) | undefined, qemu?: RegistrationSpec['qemu']): Promise<number> {
    return this.session.guard(async () => {
      if (typeof callback !== 'function') throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, 'callback must be a function');
      if (!Number.isInteger(eventID) || eventID < 0) throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `invalid event ID ${eventID}`);
      const spec: RegistrationSpec = { family, eventID, object: this.objectSpec(family, obj), qemu };
      const cb = callback as (ev: object, opaque: O) => void;
      return this.register(spec, (ev) => cb(ev, opaque as O), { free: freecb ? () => freecb(opaque as O) : undefined });
    });
  }

  deregisterFor(family: EventFamily, callbackID: number): Promise<void> {
    return this.session.guard(() => this.deregister(callbackID, family));
  }

  /** Number of active local registrations. */
  get size(): number {
    return this.tables?.locals.size ?? 0;
  }

  /** Whether the daemon filters domain events per registration (VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK). */
  private serverFilters(): Promise<boolean> {
    if (!this.callbackFeature) {
      this.callbackFeature = featureSupported(this.session.call('REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', { feature: VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK }))
        .catch((e: unknown) => {
          this.callbackFeature = null;
          throw e;
        });
    }
    return this.callbackFeature;
  }

  /** Registers `deliver` for the events `spec` names; resolves to the local callback ID. */
  async register(spec: RegistrationSpec, deliver: (ev: object) => void, options: LocalRegistrationOptions = {}): Promise<number> {
    this.checkOpen();
    const legacy = spec.family === 'domain' && !(await this.serverFilters());
    this.checkOpen();
    const key = serverKey(spec, legacy);
    let server = this.t.byKey.get(key);
    if (!server) {
      const created: ServerRegistration = { key, spec, remoteID: null, legacy, registered: false, ready: Promise.resolve(), done: false, locals: new Set() };
      // The daemon refuses a second registration of the same key ("event callback already
      // tracked") and may run our calls in any order: one still being deregistered goes first, as
      // libvirt's remote driver (which holds its lock over the deregistration) ensures.
      const leaving = this.t.leaving.get(key);
      created.ready = leaving ? leaving.then(() => this.registerOnServer(created)) : this.registerOnServer(created);
      this.t.byKey.set(key, created);
      server = created;
    }
    // In legacy mode the server does not filter by object: the local registration does.
    const filterKey = spec.object ? spec.object.key : null;
    const local: LocalRegistration = { id: this.nextID++, server, filterKey, deliver, options, active: true };
    server.locals.add(local);
    this.t.locals.set(local.id, local);
    try {
      await server.ready;
    } catch (e) {
      // As libvirt: a registration that failed does not call its free callback.
      this.forget(local, false);
      throw e;
    }
    this.checkOpen();
    return local.id;
  }

  private async registerOnServer(s: ServerRegistration): Promise<void> {
    const family = s.spec.family;
    this.t.inFlight.set(family, (this.t.inFlight.get(family) ?? 0) + 1);
    try {
      const remoteID = await this.callRegister(s);
      if (s.done) {
        // Everyone left (or the connection closed) while the call was in flight.
        if (!this.closed) await this.leave(s, remoteID).catch((e: unknown) => log.debug(`late deregistration failed: ${(e as Error).message}`));
        return;
      }
      s.remoteID = remoteID;
      s.registered = true;
      if (remoteID !== null) this.t.byRemote.set(`${family}:${remoteID}`, s);
      this.releaseHeld(s);
    } catch (e) {
      s.done = true;
      if (this.t.byKey.get(s.key) === s) this.t.byKey.delete(s.key);
      throw e;
    } finally {
      const n = (this.t.inFlight.get(family) ?? 1) - 1;
      if (n > 0) this.t.inFlight.set(family, n);
      else this.t.inFlight.delete(family);
      if (this.t.inFlight.size === 0) this.dropHeld();
    }
  }

  private async callRegister(s: ServerRegistration): Promise<number | null> {
    const c = this.session;
    const { spec } = s;
    const o = spec.object;
    switch (spec.family) {
      case 'domain':
        if (s.legacy) {
          await c.invoke('REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY', { eventID: spec.eventID });
          return null;
        }
        return (await c.invoke('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: spec.eventID, dom: o?.family === 'domain' ? o.wire : null })).callbackID;
      case 'network':
        return (await c.invoke('REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY', { eventID: spec.eventID, net: o?.family === 'network' ? o.wire : null })).callbackID;
      case 'storagePool':
        return (await c.invoke('REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY', { eventID: spec.eventID, pool: o?.family === 'storagePool' ? o.wire : null })).callbackID;
      case 'nodeDevice':
        return (await c.invoke('REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY', { eventID: spec.eventID, dev: o?.family === 'nodeDevice' ? o.wire : null })).callbackID;
      case 'secret':
        return (await c.invoke('REMOTE_PROC_CONNECT_SECRET_EVENT_REGISTER_ANY', { eventID: spec.eventID, secret: o?.family === 'secret' ? o.wire : null })).callbackID;
      case 'qemu':
        return (
          await c.invokeQemu('QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER', {
            dom: o?.family === 'qemu' || o?.family === 'domain' ? o.wire : null,
            event: spec.qemu?.event ?? null,
            flags: spec.qemu?.flags ?? 0,
          })
        ).callbackID;
    }
  }

  private async callDeregister(s: ServerRegistration, remoteID: number | null): Promise<void> {
    const c = this.session;
    switch (s.spec.family) {
      case 'domain':
        if (s.legacy) await c.invoke('REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY', { eventID: s.spec.eventID });
        else await c.invoke('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY', { callbackID: remoteID! });
        return;
      case 'network':
        await c.invoke('REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY', { callbackID: remoteID! });
        return;
      case 'storagePool':
        await c.invoke('REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY', { callbackID: remoteID! });
        return;
      case 'nodeDevice':
        await c.invoke('REMOTE_PROC_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY', { callbackID: remoteID! });
        return;
      case 'secret':
        await c.invoke('REMOTE_PROC_CONNECT_SECRET_EVENT_DEREGISTER_ANY', { callbackID: remoteID! });
        return;
      case 'qemu':
        await c.invokeQemu('QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER', { callbackID: remoteID! });
        return;
    }
  }

  /**
   * Ends a local registration: no event reaches it from this moment. When it was the last one on
   * its server registration, the server is told (the returned promise waits for that).
   */
  async deregister(id: number, family?: EventFamily): Promise<void> {
    const local = this.t.locals.get(id);
    if (!local || (family !== undefined && local.server.spec.family !== family)) {
      throw clientError(VIR_ERR_INVALID_ARG, VIR_FROM_EVENT, `could not find event callback ${id} for deletion`);
    }
    const server = this.forget(local);
    if (server) {
      try {
        await server.ready;
      } catch {
        return; // never registered on the server
      }
      // (a registration that completes after everyone left deregisters itself in registerOnServer)
      if (server.registered && !this.closed) await this.leave(server, server.remoteID);
    }
  }

  /** Deregisters on the server; a new registration of the same key waits for it. */
  private leave(s: ServerRegistration, remoteID: number | null): Promise<void> {
    const done = this.callDeregister(s, remoteID);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.t.leaving.set(s.key, settled);
    void settled.then(() => {
      if (this.t.leaving.get(s.key) === settled) this.t.leaving.delete(s.key);
    });
    return done;
  }

  /** Drops a local registration; returns its server registration when that is now unused. */
  private forget(local: LocalRegistration, callFree = true): ServerRegistration | null {
    if (!local.active) return null;
    local.active = false;
    this.t.locals.delete(local.id);
    const s = local.server;
    s.locals.delete(local);
    try {
      if (callFree) local.options.free?.();
    } catch (e) {
      log.error(`event free callback threw: ${(e as Error).message}`);
    }
    if (s.locals.size > 0 || s.done) return null;
    s.done = true;
    if (this.t.byKey.get(s.key) === s) this.t.byKey.delete(s.key);
    const rk = `${s.spec.family}:${s.remoteID}`;
    if (s.remoteID !== null && this.t.byRemote.get(rk) === s) this.t.byRemote.delete(rk);
    return s;
  }

  /** The local callback ID of a legacy registration tracked by its function, or -1. */
  findLegacy(fn: unknown): number {
    for (const l of this.t.locals.values()) if (l.options.legacyFn === fn) return l.id;
    return -1;
  }

  /** Handles a MESSAGE of the remote or QEMU program (decoded by the engine). Returns false when it is not an event. */
  handle(message: ServerMessage): boolean {
    const entry = EVENT_DECODERS.get(message.header.prog)?.get(message.header.proc);
    if (!entry) return false;
    const ev = entry.decode(message.value);
    setEventWireBytes(ev, message.body.length);
    this.dispatch(ev);
    return true;
  }

  private dispatch(ev: DecodedEvent): void {
    if (ev.remoteID === null) {
      const s = this.t.byKey.get(`domain:${ev.eventID}:*:legacy`);
      if (s && s.legacy && !s.done) this.deliverTo(s, ev, true);
      else this.noTaker(ev);
      return;
    }
    const s = this.t.byRemote.get(`${ev.family}:${ev.remoteID}`);
    if (s && !s.done) {
      this.deliverTo(s, ev, false);
      return;
    }
    if (this.t.inFlight.get(ev.family)) {
      const bytes = eventWireBytes(ev);
      while (this.held.length > 0 && (this.held.length >= MAX_HELD || this.heldBytes + bytes > MAX_HELD_BYTES)) {
        const old = this.held.shift()!;
        this.heldBytes -= eventWireBytes(old);
        this.undelivered++;
        if (!this.heldOverflowWarned) log.warn(`event ${old.family}/${old.eventID} dropped (counted in undelivered): more than ${MAX_HELD} events or ${MAX_HELD_BYTES} bytes arrived while registrations were in flight`);
        this.heldOverflowWarned = true;
      }
      this.held.push(ev);
      this.heldBytes += bytes;
      return;
    }
    this.noTaker(ev);
  }

  private noTaker(ev: DecodedEvent): void {
    // Normal right after a deregistration (the server had already queued the event).
    this.undelivered++;
    log.debug(`event ${ev.family}/${ev.eventID} for callback ${ev.remoteID} has no registration (deregistered?)`);
  }

  private deliverTo(s: ServerRegistration, ev: DecodedEvent, filterHere: boolean): void {
    let built: object | null = null;
    let key: string | null = null;
    for (const local of s.locals) {
      if (!local.active) continue;
      if (filterHere && local.filterKey !== null) {
        key ??= ev.objectKey();
        if (key !== local.filterKey) continue;
      }
      if (!built) {
        built = ev.build(this.session.wrap);
        setEventWireBytes(built, eventWireBytes(ev));
      }
      try {
        local.deliver(built);
      } catch (e) {
        log.error(`event callback ${local.id} threw: ${(e as Error).stack ?? String(e)}`);
      }
    }
  }

  private releaseHeld(s: ServerRegistration): void {
    if (this.held.length === 0) return;
    const mine: DecodedEvent[] = [];
    const rest: DecodedEvent[] = [];
    for (const ev of this.held) (ev.family === s.spec.family && ev.remoteID === s.remoteID ? mine : rest).push(ev);
    this.held = rest;
    this.heldBytes = rest.reduce((n, ev) => n + eventWireBytes(ev), 0);
    for (const ev of mine) this.deliverTo(s, ev, false);
  }

  private dropHeld(): void {
    for (const ev of this.held) this.noTaker(ev);
    this.held = [];
    this.heldBytes = 0;
    this.heldOverflowWarned = false;
  }

  private checkOpen(): void {
    if (this.closed) throw clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_RPC, 'client socket is closed');
  }

  /** The connection closed: every registration ends and hears why. */
  closeAll(reason: CloseReason, err: LibvirtError | null): void {
    if (this.closed) return;
    this.closed = { reason, err };
    if (!this.tables) return;
    const locals = [...this.t.locals.values()];
    for (const l of locals) {
      this.forget(l);
      try {
        l.options.onClose?.(reason, err);
      } catch (e) {
        log.error(`event close listener threw: ${(e as Error).message}`);
      }
    }
    this.t.byRemote.clear();
    this.t.byKey.clear();
    this.held = [];
    this.heldBytes = 0;
  }
}

export type { EventStreamOptions, OverflowPolicy };

/**
 * The bounded buffer behind the event streams: an async iterator fed by `push`, ended by `finish`.
 * @internal
 */
export abstract class BoundedEventQueue<E> implements AsyncIterableIterator<E> {
  /** Why the connection closed, when that ended the stream. */
  closeReason: CloseReason | null = null;
  closeError: LibvirtError | null = null;
  /** Events discarded by the 'drop-oldest' / 'drop-newest' policies. */
  dropped = 0;
  private readonly queue: E[] = [];
  private head = 0;
  private bytes = 0;
  private dropWarned = false;
  private waiter: { resolve: (r: IteratorResult<E>) => void; reject: (e: unknown) => void } | null = null;
  protected ended = false;
  private failure: LibvirtError | null = null;
  protected readonly bufferSize: number;
  protected readonly bufferBytes: number;
  protected readonly overflow: OverflowPolicy;

  private unlisten: (() => void) | null = null;

  protected constructor(options: EventStreamOptions) {
    this.bufferSize = Math.max(1, options.bufferSize ?? 1024);
    this.bufferBytes = Math.max(0, options.bufferBytes ?? DEFAULT_EVENT_BUFFER_BYTES);
    this.overflow = options.overflow ?? 'error';
    const signal = options.signal;
    if (signal) {
      // Subclasses finish setting up first; an already aborted signal ends the stream right after.
      const onAbort = (): void => this.finish(abortError('the event stream', signal));
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Number of events waiting for the consumer. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** Bytes (as on the wire) of the events waiting for the consumer. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Whether `n` more events of `bytes` more bytes go past the bounds (an empty buffer takes anything). */
  protected wouldOverflow(events: number, bytes: number, n = 1, more = 0): boolean {
    return events > 0 && (events + n > this.bufferSize || bytes + more > this.bufferBytes);
  }

  /** A drop policy discarded an event: counted in `dropped`, and said once per stream. */
  protected countDropped(): void {
    this.dropped++;
    if (this.dropWarned) return;
    this.dropWarned = true;
    log.warn(`event stream: the consumer fell ${this.buffered} events (${this.bytes} bytes) behind; dropping events by its '${this.overflow}' policy (stream.dropped counts them)`);
  }

  /** Releases whatever feeds the queue (registrations); called once when the stream ends. */
  protected abstract releaseSources(): Promise<void>;

  /** Waits for the sources to be in place (resolved at once when there is nothing to wait for). */
  protected abstract settled(): Promise<void>;

  protected push(ev: E): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: ev, done: false });
      return;
    }
    const size = eventWireBytes(ev);
    if (this.wouldOverflow(this.buffered, this.bytes, 1, size)) {
      switch (this.overflow) {
        case 'drop-newest':
          this.countDropped();
          return;
        case 'drop-oldest':
          while (this.wouldOverflow(this.buffered, this.bytes, 1, size)) {
            this.countDropped();
            this.shift();
          }
          break;
        case 'error':
          this.finish(clientError(VIR_ERR_OVERFLOW, VIR_FROM_EVENT, `event stream overflow: the consumer fell ${this.buffered} events (${this.bytes} bytes) behind; the stream holds at most ${this.bufferSize} events and ${this.bufferBytes} bytes`));
          return;
      }
    }
    this.queue.push(ev);
    this.bytes += size;
  }

  /** Takes the oldest buffered event out. */
  private shift(): E {
    const value = this.queue[this.head]!;
    this.queue[this.head++] = undefined as E;
    this.bytes -= eventWireBytes(value);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return value;
  }

  next(): Promise<IteratorResult<E>> {
    if (this.head < this.queue.length) {
      const value = this.shift();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) {
      if (this.failure) {
        const f = this.failure;
        this.failure = null;
        return Promise.reject(f);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.waiter) return Promise.reject(clientError(VIR_ERR_OPERATION_INVALID, VIR_FROM_EVENT, 'next() called again before the previous call resolved'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Leaving a for-await loop: deregisters and ends the stream. */
  async return(): Promise<IteratorResult<E>> {
    await this.close();
    return { value: undefined, done: true };
  }

  /** Ends the stream and deregisters (buffered events are discarded). */
  async close(): Promise<void> {
    this.queue.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.finish(null);
    await this.settled().catch(() => undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using stream = conn.domainEvents()`: close() when the scope ends. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  protected finish(failure: LibvirtError | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.unlisten?.();
    this.unlisten = null;
    void this.releaseSources();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      if (this.failure) {
        const f = this.failure;
        this.failure = null;
        w.reject(f);
      } else {
        w.resolve({ value: undefined, done: true });
      }
    }
  }
}

/**
 * An async iterator over events (`for await (const ev of conn.domainEvents())`). It registers when
 * created (await `ready` to know the server has the registration), buffers at most `bufferSize`
 * events for a slow consumer with the chosen overflow policy, and ends when the connection closes
 * (`closeReason` then says why) or when the loop exits (break/return deregisters).
 */
export class EventStream<E> extends BoundedEventQueue<E> {
  /** Resolves once every registration is in place; rejects (and the stream ends) if one fails. */
  readonly ready: Promise<void>;
  private ids: number[] = [];

  /** @internal use conn.domainEvents() and friends */
  constructor(
    private readonly registry: EventRegistry,
    specs: readonly RegistrationSpec[],
    options: EventStreamOptions = {},
  ) {
    super(options);
    const onClose = (reason: CloseReason, err: LibvirtError | null): void => {
      if (this.ended) return;
      this.closeReason = reason;
      this.closeError = err;
      this.finish(null);
    };
    this.ready = Promise.all(specs.map((spec) => registry.register(spec, (ev) => this.push(ev as E), { onClose }).then((id) => (this.ended ? this.release([id]) : void this.ids.push(id))))).then(
      () => undefined,
      (e: unknown) => {
        const err = e instanceof LibvirtError ? e : clientError(VIR_ERR_INTERNAL_ERROR, VIR_FROM_EVENT, String(e));
        this.finish(err);
        throw err;
      },
    );
    // The failure is reported through next(); an unobserved `ready` must not crash the process.
    this.ready.catch(() => undefined);
  }

  protected settled(): Promise<void> {
    return this.ready;
  }

  protected releaseSources(): Promise<void> {
    const ids = this.ids;
    this.ids = [];
    return this.release(ids);
  }

  private async release(ids: number[]): Promise<void> {
    await Promise.all(ids.map((id) => this.registry.deregister(id).catch((e: unknown) => log.debug(`deregistration of ${id} failed: ${(e as Error).message}`))));
  }
}

declare module '../api-types.js' {
  interface ApiTypes {
    EventRegistry: EventRegistry;
  }
}

declare module './stream-methods.js' {
  interface EventStreamKinds<E> {
    connection: EventStream<E>;
  }
}
