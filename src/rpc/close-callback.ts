// A connection's close callback, as libvirt keeps it (virConnectCloseCallbackData): one callback at
// a time, called once with the reason the connection closed, then forgotten; its free function
// runs when it is unregistered or after it was called. Connection and AdminConnection both keep one.
import { VIR_CONNECT_CLOSE_REASON_CLIENT, VIR_CONNECT_CLOSE_REASON_EOF, VIR_CONNECT_CLOSE_REASON_ERROR, VIR_CONNECT_CLOSE_REASON_KEEPALIVE, VIR_ERR_OPERATION_INVALID } from '../apixml/generated/constants.js';
import { clientError } from '../errors/errors.js';
import type { Logger } from '../util/log.js';
import type { CloseReason } from './engine.js';

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

/** A registered close callback of a connection of type C. */
export interface CloseCallbackEntry<C> {
  readonly cb: (conn: C, reason: number, opaque: never) => void;
  readonly opaque: unknown;
  readonly free: FreeCallback<never> | undefined;
  /** Whether the daemon was asked to report its own closes too (the main API's close callback). */
  server: boolean;
}

/** The close callback slot of one connection (`conn`, what the callback is called with). */
export class CloseCallbackSlot<C> {
  private entry: CloseCallbackEntry<C> | null = null;

  constructor(
    private readonly conn: C,
    /** The VIR_FROM_* of a misuse (registering twice, unregistering another callback). */
    private readonly from: number,
    private readonly log: Logger,
  ) {}

  /** virConnectRegisterCloseCallback's part on our side: fails when a callback is registered already. */
  set<O>(cb: (conn: C, reason: number, opaque: O) => void, opaque: O | undefined, free: FreeCallback<O> | undefined): CloseCallbackEntry<C> {
    if (this.entry) throw clientError(VIR_ERR_OPERATION_INVALID, this.from, 'A close callback is already registered');
    this.entry = { cb: cb as CloseCallbackEntry<C>['cb'], opaque, free: free as FreeCallback<never> | undefined, server: false };
    return this.entry;
  }

  /** Whether `entry` is still the registered callback (neither called nor unregistered since). */
  holds(entry: CloseCallbackEntry<C>): boolean {
    return this.entry === entry;
  }

  /** Forgets `entry` without calling anything (a registration that failed half-way). */
  drop(entry: CloseCallbackEntry<C>): void {
    if (this.entry === entry) this.entry = null;
  }

  /**
   * virConnectUnregisterCloseCallback's part on our side: `cb` must be the registered callback
   * (any, when undefined); its free function runs. Returns what was registered.
   */
  unset(cb: ((conn: C, reason: number, opaque: never) => void) | undefined): CloseCallbackEntry<C> {
    const e = this.entry;
    if (!e || (cb !== undefined && e.cb !== cb)) throw clientError(VIR_ERR_OPERATION_INVALID, this.from, 'A different callback was requested');
    this.entry = null;
    this.free(e);
    return e;
  }

  /** Calls the callback once with a VIR_CONNECT_CLOSE_REASON_*, then forgets it (virConnectCloseCallbackDataCall). */
  fire(reason: number): void {
    const e = this.entry;
    if (!e) return;
    this.entry = null;
    try {
      (e.cb as (conn: C, reason: number, opaque: unknown) => void)(this.conn, reason, e.opaque);
    } catch (err) {
      this.log.error(`close callback threw: ${(err as Error).message}`);
    }
    this.free(e);
  }

  private free(e: CloseCallbackEntry<C>): void {
    try {
      (e.free as FreeCallback | undefined)?.(e.opaque);
    } catch (err) {
      this.log.error(`close callback's free function threw: ${(err as Error).message}`);
    }
  }
}
