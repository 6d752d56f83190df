// The events libvirt 11.3.0 delivers, as typed objects: one interface per event ID of each family
// (domain, network, storage pool, node device, secret, QEMU monitor), with the object handle
// (Domain, Network, ...) and the arguments of the C callback under their C names.
import {
  virDomainEventCrashedDetailType,
  virDomainEventDefinedDetailType,
  virDomainEventPMSuspendedDetailType,
  virDomainEventResumedDetailType,
  virDomainEventShutdownDetailType,
  virDomainEventStartedDetailType,
  virDomainEventStoppedDetailType,
  virDomainEventSuspendedDetailType,
  virDomainEventType,
  virDomainEventUndefinedDetailType,
  virNetworkEventLifecycleType,
  virNodeDeviceEventLifecycleType,
  virSecretEventLifecycleType,
  virStoragePoolEventLifecycleType,
} from '../../apixml/generated/constants.js';
import { enumNames } from '../../util/enum-names.js';
import type { TypedParams } from '../convert.js';
import type { ApiTypes } from '../api-types.js';

/** @inline */ type Domain = ApiTypes['Domain'];
/** @inline */ type Network = ApiTypes['Network'];
/** @inline */ type StoragePool = ApiTypes['StoragePool'];
/** @inline */ type NodeDevice = ApiTypes['NodeDevice'];
/** @inline */ type Secret = ApiTypes['Secret'];

export interface DomainEventOf<ID extends number, K extends string> {
  /** VIR_DOMAIN_EVENT_ID_* */
  readonly eventID: ID;
  /** the event ID's name, e.g. 'lifecycle' for VIR_DOMAIN_EVENT_ID_LIFECYCLE (the discriminant) */
  readonly kind: K;
  readonly dom: Domain;
}

/** VIR_DOMAIN_EVENT_ID_LIFECYCLE (virConnectDomainEventCallback) */
export interface DomainLifecycleEvent extends DomainEventOf<0, 'lifecycle'> {
  /** virDomainEventType: VIR_DOMAIN_EVENT_DEFINED, _STARTED, _SUSPENDED, ... */
  readonly event: number;
  /** the detail enum of that event (virDomainEventStartedDetailType, ...) */
  readonly detail: number;
  /** symbolic name of `event`, e.g. 'VIR_DOMAIN_EVENT_STARTED' */
  readonly eventName: string;
  /** symbolic name of `detail`, e.g. 'VIR_DOMAIN_EVENT_STARTED_BOOTED' */
  readonly detailName: string;
}
/** VIR_DOMAIN_EVENT_ID_REBOOT */
export type DomainRebootEvent = DomainEventOf<1, 'reboot'>;
/** VIR_DOMAIN_EVENT_ID_RTC_CHANGE */
export interface DomainRTCChangeEvent extends DomainEventOf<2, 'rtcChange'> {
  /** new RTC offset from UTC, in seconds */
  readonly utcoffset: bigint;
}
/** VIR_DOMAIN_EVENT_ID_WATCHDOG */
export interface DomainWatchdogEvent extends DomainEventOf<3, 'watchdog'> {
  /** virDomainEventWatchdogAction */
  readonly action: number;
}
/** VIR_DOMAIN_EVENT_ID_IO_ERROR */
export interface DomainIOErrorEvent extends DomainEventOf<4, 'ioError'> {
  readonly srcPath: string;
  readonly devAlias: string;
  /** virDomainEventIOErrorAction */
  readonly action: number;
}
/** virDomainEventGraphicsAddress */
export interface GraphicsAddress {
  /** virDomainEventGraphicsAddressType */
  readonly family: number;
  readonly node: string;
  readonly service: string;
}
/** VIR_DOMAIN_EVENT_ID_GRAPHICS */
export interface DomainGraphicsEvent extends DomainEventOf<5, 'graphics'> {
  /** virDomainEventGraphicsPhase */
  readonly phase: number;
  readonly local: GraphicsAddress;
  readonly remote: GraphicsAddress;
  readonly authScheme: string;
  /** virDomainEventGraphicsSubject identities */
  readonly subject: readonly { readonly type: string; readonly name: string }[];
}
/** VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON */
export interface DomainIOErrorReasonEvent extends DomainEventOf<6, 'ioErrorReason'> {
  readonly srcPath: string;
  readonly devAlias: string;
  readonly action: number;
  readonly reason: string;
}
/** VIR_DOMAIN_EVENT_ID_CONTROL_ERROR */
export type DomainControlErrorEvent = DomainEventOf<7, 'controlError'>;
/** VIR_DOMAIN_EVENT_ID_BLOCK_JOB (disk is the source path) */
export interface DomainBlockJobEvent extends DomainEventOf<8, 'blockJob'> {
  readonly disk: string;
  /** virDomainBlockJobType */
  readonly type: number;
  /** virConnectDomainEventBlockJobStatus */
  readonly status: number;
}
/** VIR_DOMAIN_EVENT_ID_DISK_CHANGE */
export interface DomainDiskChangeEvent extends DomainEventOf<9, 'diskChange'> {
  readonly oldSrcPath: string | null;
  readonly newSrcPath: string | null;
  readonly devAlias: string;
  /** virConnectDomainEventDiskChangeReason */
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_TRAY_CHANGE */
export interface DomainTrayChangeEvent extends DomainEventOf<10, 'trayChange'> {
  readonly devAlias: string;
  /** virDomainEventTrayChangeReason */
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_PMWAKEUP */
export interface DomainPMWakeupEvent extends DomainEventOf<11, 'pmWakeup'> {
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_PMSUSPEND */
export interface DomainPMSuspendEvent extends DomainEventOf<12, 'pmSuspend'> {
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE */
export interface DomainBalloonChangeEvent extends DomainEventOf<13, 'balloonChange'> {
  /** new balloon size in KiB */
  readonly actual: bigint;
}
/** VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK */
export interface DomainPMSuspendDiskEvent extends DomainEventOf<14, 'pmSuspendDisk'> {
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED */
export interface DomainDeviceRemovedEvent extends DomainEventOf<15, 'deviceRemoved'> {
  readonly devAlias: string;
}
/** VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2 (disk is the target name, e.g. vda) */
export interface DomainBlockJob2Event extends DomainEventOf<16, 'blockJob2'> {
  readonly disk: string;
  readonly type: number;
  readonly status: number;
}
/** VIR_DOMAIN_EVENT_ID_TUNABLE */
export interface DomainTunableEvent extends DomainEventOf<17, 'tunable'> {
  readonly params: TypedParams;
}
/** VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE */
export interface DomainAgentLifecycleEvent extends DomainEventOf<18, 'agentLifecycle'> {
  /** virConnectDomainEventAgentLifecycleState */
  readonly state: number;
  /** virConnectDomainEventAgentLifecycleReason */
  readonly reason: number;
}
/** VIR_DOMAIN_EVENT_ID_DEVICE_ADDED */
export interface DomainDeviceAddedEvent extends DomainEventOf<19, 'deviceAdded'> {
  readonly devAlias: string;
}
/** VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION */
export interface DomainMigrationIterationEvent extends DomainEventOf<20, 'migrationIteration'> {
  readonly iteration: number;
}
/** VIR_DOMAIN_EVENT_ID_JOB_COMPLETED */
export interface DomainJobCompletedEvent extends DomainEventOf<21, 'jobCompleted'> {
  readonly params: TypedParams;
}
/** VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED */
export interface DomainDeviceRemovalFailedEvent extends DomainEventOf<22, 'deviceRemovalFailed'> {
  readonly devAlias: string;
}
/** VIR_DOMAIN_EVENT_ID_METADATA_CHANGE */
export interface DomainMetadataChangeEvent extends DomainEventOf<23, 'metadataChange'> {
  /** virDomainMetadataType */
  readonly type: number;
  readonly nsuri: string | null;
}
/** VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD */
export interface DomainBlockThresholdEvent extends DomainEventOf<24, 'blockThreshold'> {
  readonly dev: string;
  readonly path: string | null;
  readonly threshold: bigint;
  readonly excess: bigint;
}
/** VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE */
export interface DomainMemoryFailureEvent extends DomainEventOf<25, 'memoryFailure'> {
  /** virDomainMemoryFailureRecipientType */
  readonly recipient: number;
  /** virDomainMemoryFailureActionType */
  readonly action: number;
  /** virDomainMemoryFailureFlags */
  readonly flags: number;
}
/** VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE */
export interface DomainMemoryDeviceSizeChangeEvent extends DomainEventOf<26, 'memoryDeviceSizeChange'> {
  readonly alias: string;
  /** new size in KiB */
  readonly size: bigint;
}
/** VIR_DOMAIN_EVENT_ID_NIC_MAC_CHANGE */
export interface DomainNICMACChangeEvent extends DomainEventOf<27, 'nicMacChange'> {
  readonly alias: string;
  readonly oldMAC: string;
  readonly newMAC: string;
}

/** Domain events by VIR_DOMAIN_EVENT_ID_*. */
export interface DomainEventMap {
  0: DomainLifecycleEvent;
  1: DomainRebootEvent;
  2: DomainRTCChangeEvent;
  3: DomainWatchdogEvent;
  4: DomainIOErrorEvent;
  5: DomainGraphicsEvent;
  6: DomainIOErrorReasonEvent;
  7: DomainControlErrorEvent;
  8: DomainBlockJobEvent;
  9: DomainDiskChangeEvent;
  10: DomainTrayChangeEvent;
  11: DomainPMWakeupEvent;
  12: DomainPMSuspendEvent;
  13: DomainBalloonChangeEvent;
  14: DomainPMSuspendDiskEvent;
  15: DomainDeviceRemovedEvent;
  16: DomainBlockJob2Event;
  17: DomainTunableEvent;
  18: DomainAgentLifecycleEvent;
  19: DomainDeviceAddedEvent;
  20: DomainMigrationIterationEvent;
  21: DomainJobCompletedEvent;
  22: DomainDeviceRemovalFailedEvent;
  23: DomainMetadataChangeEvent;
  24: DomainBlockThresholdEvent;
  25: DomainMemoryFailureEvent;
  26: DomainMemoryDeviceSizeChangeEvent;
  27: DomainNICMACChangeEvent;
}
export type DomainEventID = keyof DomainEventMap;
export type DomainEvent = DomainEventMap[DomainEventID];

/** The fields of every family's LIFECYCLE event but the domain's. */
export interface LifecycleFields {
  /** the family's vir*EventLifecycleType: DEFINED, UNDEFINED, STARTED, STOPPED, ... */
  readonly event: number;
  /** details of the event (0 for most) */
  readonly detail: number;
  /** symbolic name of `event`, e.g. 'VIR_NETWORK_EVENT_STARTED' */
  readonly eventName: string;
}

export interface NetworkEventOf<ID extends number, K extends string> {
  readonly eventID: ID;
  readonly kind: K;
  readonly net: Network;
}
/** VIR_NETWORK_EVENT_ID_LIFECYCLE */
/** `event` is a virNetworkEventLifecycleType. */
export interface NetworkLifecycleEvent extends NetworkEventOf<0, 'lifecycle'>, LifecycleFields {}
/** VIR_NETWORK_EVENT_ID_METADATA_CHANGE */
export interface NetworkMetadataChangeEvent extends NetworkEventOf<1, 'metadataChange'> {
  /** virNetworkMetadataType */
  readonly type: number;
  readonly nsuri: string | null;
}
export interface NetworkEventMap {
  0: NetworkLifecycleEvent;
  1: NetworkMetadataChangeEvent;
}
export type NetworkEvent = NetworkEventMap[keyof NetworkEventMap];

export interface StoragePoolEventOf<ID extends number, K extends string> {
  readonly eventID: ID;
  readonly kind: K;
  readonly pool: StoragePool;
}
/** VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE */
/** `event` is a virStoragePoolEventLifecycleType. */
export interface StoragePoolLifecycleEvent extends StoragePoolEventOf<0, 'lifecycle'>, LifecycleFields {}
/** VIR_STORAGE_POOL_EVENT_ID_REFRESH */
export type StoragePoolRefreshEvent = StoragePoolEventOf<1, 'refresh'>;
export interface StoragePoolEventMap {
  0: StoragePoolLifecycleEvent;
  1: StoragePoolRefreshEvent;
}
export type StoragePoolEvent = StoragePoolEventMap[keyof StoragePoolEventMap];

export interface NodeDeviceEventOf<ID extends number, K extends string> {
  readonly eventID: ID;
  readonly kind: K;
  readonly dev: NodeDevice;
}
/** VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE */
/** `event` is a virNodeDeviceEventLifecycleType. */
export interface NodeDeviceLifecycleEvent extends NodeDeviceEventOf<0, 'lifecycle'>, LifecycleFields {}
/** VIR_NODE_DEVICE_EVENT_ID_UPDATE */
export type NodeDeviceUpdateEvent = NodeDeviceEventOf<1, 'update'>;
export interface NodeDeviceEventMap {
  0: NodeDeviceLifecycleEvent;
  1: NodeDeviceUpdateEvent;
}
export type NodeDeviceEvent = NodeDeviceEventMap[keyof NodeDeviceEventMap];

export interface SecretEventOf<ID extends number, K extends string> {
  readonly eventID: ID;
  readonly kind: K;
  readonly secret: Secret;
}
/** VIR_SECRET_EVENT_ID_LIFECYCLE */
/** `event` is a virSecretEventLifecycleType. */
export interface SecretLifecycleEvent extends SecretEventOf<0, 'lifecycle'>, LifecycleFields {}
/** VIR_SECRET_EVENT_ID_VALUE_CHANGED */
export type SecretValueChangedEvent = SecretEventOf<1, 'valueChanged'>;
export interface SecretEventMap {
  0: SecretLifecycleEvent;
  1: SecretValueChangedEvent;
}
export type SecretEvent = SecretEventMap[keyof SecretEventMap];

/** A QMP event of a QEMU guest (virConnectDomainQemuMonitorEventCallback). */
export interface QemuMonitorEvent {
  readonly kind: 'qemuMonitor';
  readonly dom: Domain;
  /** the QMP event name, e.g. 'STOP', 'RESUME', 'SHUTDOWN' */
  readonly event: string;
  /** when QEMU emitted it: seconds and microseconds since the epoch */
  readonly seconds: bigint;
  readonly micros: number;
  /** the event's "data" member as JSON text, or null */
  readonly details: string | null;
}

const DOMAIN_EVENTS = enumNames(virDomainEventType);
const DOMAIN_DETAILS = new Map<number, Map<number, string>>([
  [virDomainEventType.VIR_DOMAIN_EVENT_DEFINED, enumNames(virDomainEventDefinedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_UNDEFINED, enumNames(virDomainEventUndefinedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_STARTED, enumNames(virDomainEventStartedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_SUSPENDED, enumNames(virDomainEventSuspendedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_RESUMED, enumNames(virDomainEventResumedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_STOPPED, enumNames(virDomainEventStoppedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_SHUTDOWN, enumNames(virDomainEventShutdownDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_PMSUSPENDED, enumNames(virDomainEventPMSuspendedDetailType)],
  [virDomainEventType.VIR_DOMAIN_EVENT_CRASHED, enumNames(virDomainEventCrashedDetailType)],
]);
const NETWORK_EVENTS = enumNames(virNetworkEventLifecycleType);
const POOL_EVENTS = enumNames(virStoragePoolEventLifecycleType);
const NODEDEV_EVENTS = enumNames(virNodeDeviceEventLifecycleType);
const SECRET_EVENTS = enumNames(virSecretEventLifecycleType);

/** Symbolic names of a domain lifecycle event and its detail (a number in text when unknown). */
export function domainLifecycleNames(event: number, detail: number): { eventName: string; detailName: string } {
  return {
    eventName: DOMAIN_EVENTS.get(event) ?? String(event),
    detailName: DOMAIN_DETAILS.get(event)?.get(detail) ?? String(detail),
  };
}

export function lifecycleName(family: 'network' | 'storagePool' | 'nodeDevice' | 'secret', event: number): string {
  const m = family === 'network' ? NETWORK_EVENTS : family === 'storagePool' ? POOL_EVENTS : family === 'nodeDevice' ? NODEDEV_EVENTS : SECRET_EVENTS;
  return m.get(event) ?? String(event);
}
