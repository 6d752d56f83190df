// The per-family event-stream methods (domainEvents, networkEvents, ...), written once for
// Connection (through its generated ConnectionMethods) and ReconnectingConnection, which differ
// only in the stream they open. It sits below the classes it names (see ../api-types.ts) so that
// the generated ConnectionMethods can extend it.
import type { ApiTypes } from '../api-types.js';
import type { DomainEventMap, NetworkEventMap, NodeDeviceEventMap, QemuMonitorEvent, SecretEventMap, StoragePoolEventMap } from './event-types.js';

/** @inline */ type Domain = ApiTypes['Domain'];
/** @inline */ type Network = ApiTypes['Network'];
/** @inline */ type StoragePool = ApiTypes['StoragePool'];
/** @inline */ type NodeDevice = ApiTypes['NodeDevice'];
/** @inline */ type Secret = ApiTypes['Secret'];

export type EventFamily = 'domain' | 'network' | 'storagePool' | 'nodeDevice' | 'secret' | 'qemu';

/** The objects events are about, one class per family (QEMU monitor events are about domains). */
export type EventObject = Domain | Network | StoragePool | NodeDevice | Secret;

/** What an event stream does when its consumer falls `bufferSize` events behind. */
export type OverflowPolicy = 'error' | 'drop-oldest' | 'drop-newest';

export interface EventStreamOptions {
  /** Events buffered for a slow consumer, at most (default 1024). */
  bufferSize?: number;
  /**
   * Bytes of events buffered for a slow consumer, at most, counted as their packets carried them
   * (default 32 MiB, libvirt's largest packet). An event that arrives at an empty buffer is always
   * taken, so one event larger than this still gets through.
   */
  bufferBytes?: number;
  /**
   * When the buffer is full, in events or in bytes (default 'error'):
   * - 'error': the stream ends: the buffered events are still yielded, then the iterator throws a
   *   LibvirtError (VIR_ERR_OVERFLOW) and the registrations are released. Nothing is lost silently.
   * - 'drop-oldest': the oldest buffered event is discarded to make room (`dropped` counts them).
   * - 'drop-newest': the arriving event is discarded (`dropped` counts them).
   */
  overflow?: OverflowPolicy;
  /**
   * Ends the stream when aborted: the loop throws a LibvirtError VIR_ERR_OPERATION_ABORTED whose
   * `cause` is the signal's reason, and the registrations are released.
   */
  signal?: AbortSignal;
}

/** Filters of an event stream: one object or all, and which event IDs (default: lifecycle only). */
export interface EventStreamFilter<O, ID extends number> extends EventStreamOptions {
  /** Only this object's events (default: every object's). */
  object?: O | null;
  /** Event IDs to receive (default: [0], the family's LIFECYCLE). */
  eventIDs?: readonly ID[];
}

/**
 * The stream an event-stream method returns, by its source: `connection` (EventStream, added by
 * events.ts) and `reconnecting` (ReconnectingEventStream, added by reconnect.ts), by module
 * augmentation as ../api-types.ts does.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type -- completed by module augmentation, where E is used
export interface EventStreamKinds<E> {}

/**
 * One family's stream as a source is asked to open it.
 * @internal
 */
export interface EventStreamRequest {
  readonly family: EventFamily;
  readonly object: EventObject | null;
  /** Never empty: [0] (the family's LIFECYCLE) when the filter names none. */
  readonly eventIDs: readonly number[];
  readonly options: EventStreamOptions;
  /** The QEMU monitor event filter, for the 'qemu' family only. */
  readonly qemu?: { readonly event: string | null; readonly flags: number };
}

function request(family: EventFamily, filter: EventStreamFilter<EventObject, number>, qemu?: EventStreamRequest['qemu']): EventStreamRequest {
  // QEMU monitor events have one ID.
  const eventIDs = family !== 'qemu' && filter.eventIDs && filter.eventIDs.length ? filter.eventIDs : [0];
  return { family, object: filter.object ?? null, eventIDs, options: filter, qemu };
}

/** The event-stream methods of a source whose streams are of kind K. */
export abstract class EventStreamMethods<K extends keyof EventStreamKinds<unknown>> {
  /** @internal */
  protected abstract openEventStream<E>(request: EventStreamRequest): EventStreamKinds<E>[K];

  /**
   * Domain events as an async iterator: `for await (const ev of conn.domainEvents()) ...`. By
   * default lifecycle events of every domain; `object` narrows to one domain, `eventIDs` picks the
   * VIR_DOMAIN_EVENT_ID_*s. Events of all IDs arrive in one sequence, in the daemon's order. The
   * stream buffers at most `bufferSize` (1024) events and `bufferBytes` (32 MiB) for a slow
   * consumer and then follows `overflow` ('error' by default: the stream ends with
   * VIR_ERR_OVERFLOW after the buffered events, never dropping silently). It ends when the
   * connection closes (`closeReason` says why), when `signal` aborts, and when the loop is left
   * (which deregisters). On a ReconnectingConnection the stream survives reconnections instead,
   * with a ReconnectMarker after each gap.
   */
  domainEvents<ID extends keyof DomainEventMap = 0>(filter: EventStreamFilter<Domain, ID> = {}): EventStreamKinds<DomainEventMap[ID]>[K] {
    return this.openEventStream(request('domain', filter));
  }

  /** Network events as an async iterator (see domainEvents). */
  networkEvents<ID extends keyof NetworkEventMap = 0>(filter: EventStreamFilter<Network, ID> = {}): EventStreamKinds<NetworkEventMap[ID]>[K] {
    return this.openEventStream(request('network', filter));
  }

  /** Storage pool events as an async iterator (see domainEvents). */
  storagePoolEvents<ID extends keyof StoragePoolEventMap = 0>(filter: EventStreamFilter<StoragePool, ID> = {}): EventStreamKinds<StoragePoolEventMap[ID]>[K] {
    return this.openEventStream(request('storagePool', filter));
  }

  /** Node device events as an async iterator (see domainEvents). */
  nodeDeviceEvents<ID extends keyof NodeDeviceEventMap = 0>(filter: EventStreamFilter<NodeDevice, ID> = {}): EventStreamKinds<NodeDeviceEventMap[ID]>[K] {
    return this.openEventStream(request('nodeDevice', filter));
  }

  /** Secret events as an async iterator (see domainEvents). */
  secretEvents<ID extends keyof SecretEventMap = 0>(filter: EventStreamFilter<Secret, ID> = {}): EventStreamKinds<SecretEventMap[ID]>[K] {
    return this.openEventStream(request('secret', filter));
  }

  /** QEMU monitor (QMP) events as an async iterator (see domainEvents and domainQemuMonitorEventRegister). */
  qemuMonitorEvents(filter: EventStreamOptions & { object?: Domain | null; event?: string | null; flags?: number } = {}): EventStreamKinds<QemuMonitorEvent>[K] {
    return this.openEventStream(request('qemu', filter, { event: filter.event ?? null, flags: filter.flags ?? 0 }));
  }
}
