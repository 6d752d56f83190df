export { DEFAULT_STREAM_HIGH_WATER_MARK, STREAM_SPARE_BUFFERS, Stream, type RecvOptions, type SignalOptions, type StreamHole, type StreamOptions } from './api/stream.js';
export { WRITABLE_HIGH_WATER_MARK, type NodeStreamOptions } from './api/stream-node.js';
export { readSparseFile, writeSparseFile, type SparseReadOptions } from './api/sparse-file.js';
export { FILE_CHUNK_SIZE, readFileChunks, type FileChunkOptions } from './api/file-chunks.js';
export { STREAM_CHUNK_MAX } from './rpc/stream-channel.js';
export { connect, DEFAULT_OPEN_TIMEOUT_MS } from './api/open.js';
export { connectAdmin, defaultAdminURI, adminSocketPath, type AdminConnectOptions } from './admin/open.js';
export { AdminConnection, type AdminCloseCallback, type AdminConnectionEvents } from './admin/connection.js';
export { AdminServer, AdminClient } from './admin/objects.js';
export type { AdminArgs, AdminRet } from './admin/session.js';
export {
  Connection,
  closeReasonCode,
  type ConnectOptions,
  type NodeInfo,
  type CloseCallback,
  type LegacyDomainEventCallback,
  type FreeCallback,
  type EventStreamFilter,
  type ConnectionEvents,
  type KeepAliveState,
  type CallArgs,
  type RemoteArgs,
  type RemoteRet,
} from './api/connection.js';
export type { ConnectAuth, ConnectCredential, HostKeyPolicy } from './util/credentials.js';
export { EventStream, type EventStreamOptions, type OverflowPolicy } from './api/events/events.js';
export type * from './api/events/event-types.js';
export { domainLifecycleNames } from './api/events/event-types.js';
export { DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_COUNT } from './rpc/keepalive.js';
export { ReconnectingConnection, ReconnectingEventStream, connectReconnecting, type ReconnectOptions, type ReconnectGap, type ReconnectMarker, type ReconnectingEvents } from './api/events/reconnect.js';
export {
  Domain,
  Network,
  NetworkPort,
  StoragePool,
  StorageVol,
  NodeDevice,
  Interface,
  Secret,
  NWFilter,
  NWFilterBinding,
  DomainSnapshot,
  DomainCheckpoint,
  type VcpuInfo,
  type BlockJobInfo,
  type MemoryStats,
} from './api/objects.js';
export type { Flags, TypedParams, TypedParamsOf, TypedParamValue, TypedParamsInput, TypedParamInput, TypedParamTypeName } from './api/convert.js';
export { bigintReplacer, typedParamType } from './api/convert.js';
export {
  LibvirtError,
  type VirErrorFields,
  type ErrorHandler,
  setErrorFunc,
  getLastError,
  copyLastError,
  saveLastError,
  resetLastError,
  printErrorFunc,
} from './errors/errors.js';
export { parseURI, resolveTarget, defaultURI, type LibvirtURI, type ConnectTarget, type RemoteMode, type ProxyMode, type TransportKind, type ResolveOptions } from './uri/uri.js';
export type { CloseReason, CallOptions } from './rpc/engine.js';
export type { Transport } from './transport/transport.js';
export { RecordingTransport } from './transport/record.js';
export { ReplayTransport, ReplayMismatchError } from './transport/replay.js';
export { type Conversation, type RecordedPacket, readConversation, writeConversation } from './transport/conversation.js';
export { XdrReader, XdrWriter, XdrError, type Codec } from './protocol/xdr/index.js';
export type { ProcedureInfo, ProgramInfo } from './protocol/procedure.js';
export * as protocol from './protocol/generated/index.js';
export * from './apixml/generated/constants.js';
