import {
  DomainCheckpointMethods,
  DomainMethods,
  DomainSnapshotMethods,
  InterfaceMethods,
  NetworkMethods,
  NetworkPortMethods,
  NodeDeviceMethods,
  NWFilterBindingMethods,
  NWFilterMethods,
  SecretMethods,
  StoragePoolMethods,
  StorageVolMethods,
} from './generated/methods.js';
import { handleFactory } from './handle.js';
import type { ApiTypes } from './api-types.js';
import { type Flags, type TypedParams, type TypedParamsInput, fromTypedParams, unknownError } from './convert.js';
import { cpuMap, cpuMapLen, cpuMaps, hostCPUs } from './cpumap.js';
import type { CallOptions } from '../rpc/engine.js';
import { legacyParams, migrate3, migrateLegacy, migrateToURI3 } from './migrate.js';
import { sessionOf } from './session.js';
import { lookupUUID } from './uuid.js';
import { clientError } from '../errors/errors.js';
import {
  VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON,
  VIR_DOMAIN_MEMORY_STAT_AVAILABLE,
  VIR_DOMAIN_MEMORY_STAT_DISK_CACHES,
  VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC,
  VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL,
  VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE,
  VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT,
  VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT,
  VIR_DOMAIN_MEMORY_STAT_NR,
  VIR_DOMAIN_MEMORY_STAT_RSS,
  VIR_DOMAIN_MEMORY_STAT_SWAP_IN,
  VIR_DOMAIN_MEMORY_STAT_SWAP_OUT,
  VIR_DOMAIN_MEMORY_STAT_UNUSED,
  VIR_DOMAIN_MEMORY_STAT_USABLE,
  VIR_ERR_NO_SUPPORT,
  VIR_FROM_NETWORK,
  VIR_FROM_RPC, VIR_MIGRATE_PEER2PEER, VIR_TYPED_PARAM_STRING_OKAY, type virDomainBlockJobInfoFlags, type virDomainMigrateFlags, type virDomainModificationImpact, type virTypedParameterFlags } from '../apixml/generated/constants.js';

/** virVcpuInfo: one virtual CPU of a domain. */
export interface VcpuInfo {
  /** virtual CPU number */
  number: number;
  /** value from virVcpuState */
  state: number;
  /** CPU time used, in nanoseconds */
  cpuTime: bigint;
  /** real CPU number, or one of the values from virVcpuHostCpuState */
  cpu: number;
}

/** virDomainBlockJobInfo: a running block job. */
export interface BlockJobInfo {
  /** virDomainBlockJobType */
  type: number;
  /** the bandwidth limit (MiB/s, or bytes/s with VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES) */
  bandwidth: bigint;
  /** the position between 0 and `end`: cur / end approximates the progress */
  cur: bigint;
  end: bigint;
}

/** virDomainMemoryStats' statistics, keyed as libvirt-python keys them (values in KiB, faults as counts). */
export interface MemoryStats {
  swap_in?: bigint;
  swap_out?: bigint;
  major_fault?: bigint;
  minor_fault?: bigint;
  unused?: bigint;
  available?: bigint;
  actual?: bigint;
  usable?: bigint;
  rss?: bigint;
  last_update?: bigint;
  disk_caches?: bigint;
  hugetlb_pgalloc?: bigint;
  hugetlb_pgfail?: bigint;
  [tag: string]: bigint | undefined;
}

/** VIR_DOMAIN_MEMORY_STAT_* tags by number: libvirt-python's names. */
const MEMORY_STAT_KEYS: Record<number, string> = {
  [VIR_DOMAIN_MEMORY_STAT_SWAP_IN]: 'swap_in',
  [VIR_DOMAIN_MEMORY_STAT_SWAP_OUT]: 'swap_out',
  [VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT]: 'major_fault',
  [VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT]: 'minor_fault',
  [VIR_DOMAIN_MEMORY_STAT_UNUSED]: 'unused',
  [VIR_DOMAIN_MEMORY_STAT_AVAILABLE]: 'available',
  [VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON]: 'actual',
  [VIR_DOMAIN_MEMORY_STAT_USABLE]: 'usable',
  [VIR_DOMAIN_MEMORY_STAT_RSS]: 'rss',
  [VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE]: 'last_update',
  [VIR_DOMAIN_MEMORY_STAT_DISK_CACHES]: 'disk_caches',
  [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC]: 'hugetlb_pgalloc',
  [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL]: 'hugetlb_pgfail',
};

/** REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX: CPUs per GET_CPU_STATS call. */
const CPU_STATS_CHUNK = 128;

/** @inline */ type Connection = ApiTypes['Connection'];

/**
 * Every libvirt object holds its connection and its identity (read-only properties), compares by
 * identity with equals(), and prints as `Domain(name, uuid, id=1)`. The constructor, the identity
 * and the methods come from src/api/generated/methods.ts (on the Handle base of handle.ts); here
 * is only what is special to a class.
 */
export class Domain extends DomainMethods {
  /**
   * virDomainGetSchedulerParameters: the scheduler parameters (cpu_shares, vcpu_period, ...). Asks
   * virDomainGetSchedulerType for their number first, as the C API requires.
   */
  async getSchedulerParameters(options?: CallOptions): Promise<TypedParams> {
    const c = sessionOf(this.connection);
    const { nparams } = await c.invoke('REMOTE_PROC_DOMAIN_GET_SCHEDULER_TYPE', { dom: this.wire }, options);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS', { dom: this.wire, nparams }, options);
    return fromTypedParams(r.params);
  }
  /** virDomainGetSchedulerParametersFlags: as getSchedulerParameters, for the live or config definition. */
  async getSchedulerParametersFlags(flags: Flags<virDomainModificationImpact | virTypedParameterFlags> = 0, options?: CallOptions): Promise<TypedParams> {
    const c = sessionOf(this.connection);
    const { nparams } = await c.invoke('REMOTE_PROC_DOMAIN_GET_SCHEDULER_TYPE', { dom: this.wire }, options);
    // As libvirt: string parameters are welcome (VIR_TYPED_PARAM_STRING_OKAY).
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS', { dom: this.wire, nparams, flags: flags | VIR_TYPED_PARAM_STRING_OKAY }, options);
    return fromTypedParams(r.params);
  }
  /**
   * virDomainGetCPUStats: with `total` the domain's total CPU statistics (one entry), else one
   * entry per host CPU, as libvirt-python's getCPUStats returns them.
   */
  async getCPUStats(total: boolean, flags: Flags<virTypedParameterFlags> = 0, options?: CallOptions): Promise<TypedParams[]> {
    const c = sessionOf(this.connection);
    const ask = (nparams: number, start_cpu: number, ncpus: number) =>
      c.invoke('REMOTE_PROC_DOMAIN_GET_CPU_STATS', { dom: this.wire, nparams, start_cpu, ncpus, flags: flags | VIR_TYPED_PARAM_STRING_OKAY }, options);
    if (total) {
      const { nparams } = await ask(0, -1, 1);
      return [fromTypedParams((await ask(nparams, -1, 1)).params)];
    }
    const ncpus = (await ask(0, 0, 0)).nparams;
    const nparams = (await ask(0, 0, 1)).nparams;
    const out: TypedParams[] = [];
    for (let start = 0; start < ncpus; start += CPU_STATS_CHUNK) {
      const r = await ask(nparams, start, Math.min(CPU_STATS_CHUNK, ncpus - start));
      const stride = r.nparams;
      for (let i = 0; stride > 0 && i < r.params.length; i += stride) out.push(fromTypedParams(r.params.slice(i, i + stride)));
    }
    return out;
  }
  /**
   * virDomainGetVcpus: every virtual CPU's virVcpuInfo and the host CPUs it may run on (one
   * boolean per host CPU), as libvirt-python's vcpus(). `maxinfo` and `maplen` only size C's
   * buffers: by default every virtual CPU (getInfo's nrVirtCpu) and every host CPU.
   */
  async getVcpus(maxinfo?: number, maplen?: number, options?: CallOptions): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }> {
    const c = sessionOf(this.connection);
    const cpus = await hostCPUs(c, options);
    maxinfo ??= (await c.invoke('REMOTE_PROC_DOMAIN_GET_INFO', { dom: this.wire }, options)).nrVirtCpu;
    maplen ??= cpuMapLen(cpus);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_VCPUS', { dom: this.wire, maxinfo, maplen }, options);
    return {
      info: r.info.map((v) => ({ number: v.number, state: v.state, cpuTime: v.cpu_time, cpu: v.cpu })),
      cpumaps: cpuMaps(r.cpumaps, r.info.length, maplen, cpus),
    };
  }
  /**
   * virDomainGetVcpuPinInfo: for each virtual CPU the host CPUs it is pinned to (one boolean per
   * host CPU), as libvirt-python's vcpuPinInfo(). `ncpumaps` and `maplen` only size C's buffers.
   */
  async getVcpuPinInfo(ncpumaps?: number, maplen?: number, flags: Flags<virDomainModificationImpact> = 0, options?: CallOptions): Promise<boolean[][]> {
    const c = sessionOf(this.connection);
    const cpus = await hostCPUs(c, options);
    ncpumaps ??= (await c.invoke('REMOTE_PROC_DOMAIN_GET_INFO', { dom: this.wire }, options)).nrVirtCpu;
    maplen ??= cpuMapLen(cpus);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO', { dom: this.wire, ncpumaps, maplen, flags }, options);
    return cpuMaps(r.cpumaps, r.num, maplen, cpus);
  }
  /** virDomainGetEmulatorPinInfo: the host CPUs the emulator threads may run on, one boolean per host CPU. */
  async getEmulatorPinInfo(maplen?: number, flags: Flags<virDomainModificationImpact> = 0, options?: CallOptions): Promise<boolean[]> {
    const c = sessionOf(this.connection);
    const cpus = await hostCPUs(c, options);
    maplen ??= cpuMapLen(cpus);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_EMULATOR_PIN_INFO', { dom: this.wire, maplen, flags }, options);
    if (r.ret < 0) throw c.dispatch(unknownError());
    return cpuMap(r.cpumaps, 0, Math.min(cpus, maplen * 8));
  }
  /** virDomainGetIOThreadInfo: each IOThread's id and the host CPUs it may run on (one boolean per host CPU). */
  async getIOThreadInfo(flags: Flags<virDomainModificationImpact> = 0, options?: CallOptions): Promise<{ iothread_id: number; cpumap: boolean[] }[]> {
    const c = sessionOf(this.connection);
    const cpus = await hostCPUs(c, options);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_GET_IOTHREAD_INFO', { dom: this.wire, flags }, options);
    return r.info.map((t) => ({ iothread_id: t.iothread_id, cpumap: cpuMap(t.cpumap, 0, Math.min(cpus, t.cpumap.length * 8)) }));
  }
  /**
   * virDomainGetBlockJobInfo: the block job on disk `path` (virDomainBlockJobInfo), or null when
   * there is none (C returns 0; libvirt-python gives {}).
   */
  async getBlockJobInfo(path: string, flags: Flags<virDomainBlockJobInfoFlags> = 0, options?: CallOptions): Promise<BlockJobInfo | null> {
    const r = await sessionOf(this.connection).invoke('REMOTE_PROC_DOMAIN_GET_BLOCK_JOB_INFO', { dom: this.wire, path, flags }, options);
    return r.found ? { type: r.type, bandwidth: r.bandwidth, cur: r.cur, end: r.end } : null;
  }
  /**
   * virDomainMemoryStats: the balloon driver's statistics keyed as libvirt-python's memoryStats()
   * keys them (`actual`, `rss`, `swap_in`, ...; a tag this library does not know by its number).
   * `nr_stats` only sizes C's buffer: every statistic by default.
   */
  async memoryStats(nr_stats: number = VIR_DOMAIN_MEMORY_STAT_NR, flags = 0, options?: CallOptions): Promise<MemoryStats> {
    const c = sessionOf(this.connection);
    const r = await c.invoke('REMOTE_PROC_DOMAIN_MEMORY_STATS', { dom: this.wire, maxStats: nr_stats, flags }, options);
    const out: MemoryStats = Object.create(null) as MemoryStats;
    for (const { tag, val } of r.stats) out[MEMORY_STAT_KEYS[tag] ?? String(tag)] = val;
    return out;
  }
  /**
   * virDomainLxcOpenNamespace: the daemon answers with file descriptors passed over the unix socket
   * (SCM_RIGHTS), which a pure-JavaScript client cannot receive: a daemon error is reported as is,
   * a success as VIR_ERR_NO_SUPPORT since the descriptors are lost.
   */
  async lxcOpenNamespace(flags = 0, options?: CallOptions): Promise<never> {
    const c = sessionOf(this.connection);
    await c.invokeLxc('LXC_PROC_DOMAIN_OPEN_NAMESPACE', { dom: this.wire, flags }, options);
    throw c.dispatch(clientError(VIR_ERR_NO_SUPPORT, VIR_FROM_RPC, 'virDomainLxcOpenNamespace: the namespace file descriptors cannot be received without native code'));
  }
  /** virDomainOpenGraphics: hands the daemon a file descriptor (SCM_RIGHTS), which pure JavaScript cannot send. */
  async openGraphics(_idx: number, _fd: number, _flags = 0, _options?: CallOptions): Promise<never> {
    throw sessionOf(this.connection).dispatch(clientError(VIR_ERR_NO_SUPPORT, VIR_FROM_RPC, 'virDomainOpenGraphics: passing a file descriptor to the daemon needs native code; use openGraphicsFD from a C client'));
  }
  /** virDomainMigrate3: migrates to the host of `dconn`; resolves to the domain there. */
  migrate3(dconn: Connection, params: TypedParamsInput, flags: Flags<virDomainMigrateFlags> = 0, options?: CallOptions): Promise<Domain> {
    return migrate3(this, dconn, params, flags, options);
  }
  /** virDomainMigrate: as migrate3 with the old arguments (bandwidth in MiB/s). */
  migrate(dconn: Connection, flags: Flags<virDomainMigrateFlags>, dname: string | null = null, uri: string | null = null, bandwidth: number | bigint = 0, options?: CallOptions): Promise<Domain> {
    return migrateLegacy(this, dconn, legacyParams(null, dname, uri, bandwidth), flags, 'virDomainMigrate', options);
  }
  /** virDomainMigrate2: as migrate, with a destination XML. */
  migrate2(dconn: Connection, dxml: string | null, flags: Flags<virDomainMigrateFlags>, dname: string | null = null, uri: string | null = null, bandwidth: number | bigint = 0, options?: CallOptions): Promise<Domain> {
    return migrateLegacy(this, dconn, legacyParams(dxml, dname, uri, bandwidth), flags, 'virDomainMigrate2', options);
  }
  /** virDomainMigrateToURI3: the source daemon migrates the domain by itself (peer-to-peer or direct). */
  migrateToURI3(dconnuri: string | null, params: TypedParamsInput, flags: Flags<virDomainMigrateFlags> = 0, options?: CallOptions): Promise<void> {
    return migrateToURI3(this, dconnuri, params, flags, options);
  }
  /** virDomainMigrateToURI: `duri` is the destination libvirt URI with VIR_MIGRATE_PEER2PEER, else the hypervisor's. */
  migrateToURI(duri: string, flags: Flags<virDomainMigrateFlags>, dname: string | null = null, bandwidth: number | bigint = 0, options?: CallOptions): Promise<void> {
    const p2p = (flags & VIR_MIGRATE_PEER2PEER) !== 0;
    return migrateToURI3(this, p2p ? duri : null, legacyParams(null, dname, p2p ? null : duri, bandwidth), flags, options);
  }
  /** virDomainMigrateToURI2 */
  migrateToURI2(dconnuri: string | null, miguri: string | null, dxml: string | null, flags: Flags<virDomainMigrateFlags>, dname: string | null = null, bandwidth: number | bigint = 0, options?: CallOptions): Promise<void> {
    return migrateToURI3(this, dconnuri, legacyParams(dxml, dname, miguri, bandwidth), flags, options);
  }
}

export class Network extends NetworkMethods {
  /** virNetworkPortLookupByUUIDString */
  async portLookupByUUIDString(uuidstr: string, options?: CallOptions): Promise<NetworkPort> {
    return sessionOf(this.connection).guard(() => this.portLookupByUUID(lookupUUID(uuidstr, 'virNetworkPortLookupByUUIDString', VIR_FROM_NETWORK), options));
  }
}

export class NetworkPort extends NetworkPortMethods {}

export class StoragePool extends StoragePoolMethods {}

export class StorageVol extends StorageVolMethods {}

export class NodeDevice extends NodeDeviceMethods {}

export class Interface extends InterfaceMethods {}

export class Secret extends SecretMethods {}

export class NWFilter extends NWFilterMethods {}

export class NWFilterBinding extends NWFilterBindingMethods {}

export class DomainSnapshot extends DomainSnapshotMethods {}

export class DomainCheckpoint extends DomainCheckpointMethods {}

const handleClasses = {
  domain: Domain,
  network: Network,
  networkPort: NetworkPort,
  storagePool: StoragePool,
  storageVol: StorageVol,
  nodeDevice: NodeDevice,
  interface: Interface,
  secret: Secret,
  nWFilter: NWFilter,
  nWFilterBinding: NWFilterBinding,
  domainSnapshot: DomainSnapshot,
  domainCheckpoint: DomainCheckpoint,
};
const makeObjects = handleFactory<Connection, typeof handleClasses>(handleClasses);

/** Builds the object for a wire identity (what generated methods call to return handles). */
export function objectFactory(conn: Connection) {
  return makeObjects(conn);
}
export type ObjectFactory = ReturnType<typeof objectFactory>;

declare module './api-types.js' {
  interface ApiTypes {
    Domain: Domain;
    Network: Network;
    NetworkPort: NetworkPort;
    StoragePool: StoragePool;
    StorageVol: StorageVol;
    NodeDevice: NodeDevice;
    Interface: Interface;
    Secret: Secret;
    NWFilter: NWFilter;
    NWFilterBinding: NWFilterBinding;
    DomainSnapshot: DomainSnapshot;
    DomainCheckpoint: DomainCheckpoint;
    ObjectFactory: ObjectFactory;
  }
}
