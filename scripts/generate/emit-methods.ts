import { type ApiFunction, type ApiXml, cdoc } from './apixml.js';
import { type Model, type Shape, tsTypeOf } from './model.js';
import { parseAnnotations } from './emit-procedures.js';
import { macroParamType } from './emit-api.js';

/**
 * The API layer's methods: one per public C function whose remote procedure exists, on the class of
 * its first argument, named by DESIGN.md's rule, with the C documentation as JSDoc. The classes are
 * abstract bases that src/api's classes extend; conversions between wire values and the API's
 * values (handles, UUIDs, typed parameters) go through helpers in src/api/convert.ts.
 */

export interface HandleClass {
  cls: string;
  /** C pointer type of the first argument */
  ptr: string;
  /** prefix of the C function names that belongs to the class (virDomainXxx -> Xxx) */
  prefix: string;
  /** wire struct identifying an object of the class (null: the connection) */
  wire: string | null;
  /** which program and folder: the main API (src/api) or the admin API (src/admin) */
  family: 'api' | 'admin';
  /** the hand-written class the generated one extends (a handle's base is Handle), and its module */
  base?: { cls: string; from: string };
}

export const HANDLES: HandleClass[] = [
  { cls: 'Connection', ptr: 'virConnectPtr', prefix: 'Connect', wire: null, family: 'api', base: { cls: "EventStreamMethods<'connection'>", from: '../events/stream-methods.js' } },
  { cls: 'Domain', ptr: 'virDomainPtr', prefix: 'Domain', wire: 'remote_nonnull_domain', family: 'api' },
  { cls: 'Network', ptr: 'virNetworkPtr', prefix: 'Network', wire: 'remote_nonnull_network', family: 'api' },
  { cls: 'NetworkPort', ptr: 'virNetworkPortPtr', prefix: 'NetworkPort', wire: 'remote_nonnull_network_port', family: 'api' },
  { cls: 'StoragePool', ptr: 'virStoragePoolPtr', prefix: 'StoragePool', wire: 'remote_nonnull_storage_pool', family: 'api' },
  { cls: 'StorageVol', ptr: 'virStorageVolPtr', prefix: 'StorageVol', wire: 'remote_nonnull_storage_vol', family: 'api' },
  { cls: 'NodeDevice', ptr: 'virNodeDevicePtr', prefix: 'NodeDevice', wire: 'remote_nonnull_node_device', family: 'api' },
  { cls: 'Interface', ptr: 'virInterfacePtr', prefix: 'Interface', wire: 'remote_nonnull_interface', family: 'api' },
  { cls: 'Secret', ptr: 'virSecretPtr', prefix: 'Secret', wire: 'remote_nonnull_secret', family: 'api' },
  { cls: 'NWFilter', ptr: 'virNWFilterPtr', prefix: 'NWFilter', wire: 'remote_nonnull_nwfilter', family: 'api' },
  { cls: 'NWFilterBinding', ptr: 'virNWFilterBindingPtr', prefix: 'NWFilterBinding', wire: 'remote_nonnull_nwfilter_binding', family: 'api' },
  { cls: 'DomainSnapshot', ptr: 'virDomainSnapshotPtr', prefix: 'DomainSnapshot', wire: 'remote_nonnull_domain_snapshot', family: 'api' },
  { cls: 'DomainCheckpoint', ptr: 'virDomainCheckpointPtr', prefix: 'DomainCheckpoint', wire: 'remote_nonnull_domain_checkpoint', family: 'api' },
  { cls: 'AdminConnection', ptr: 'virAdmConnectPtr', prefix: 'AdmConnect', wire: null, family: 'admin' },
  { cls: 'AdminServer', ptr: 'virAdmServerPtr', prefix: 'AdmServer', wire: 'admin_nonnull_server', family: 'admin' },
  { cls: 'AdminClient', ptr: 'virAdmClientPtr', prefix: 'AdmClient', wire: 'admin_nonnull_client', family: 'admin' },
];

/**
 * The handle classes a family's methods name, as local aliases of its registry (src/api/api-types.ts
 * says why): the classes are defined above the generated code, which may not import them.
 */
const classAliases = (family: 'api' | 'admin', registry: string): string[] =>
  HANDLES.filter((h) => h.family === family).map((h) => `/** @inline */ type ${h.cls} = ${registry}['${h.cls}'];`);

/** The connection class of a family. */
const connectionClass = (h: HandleClass): string => (h.family === 'admin' ? 'AdminConnection' : 'Connection');

const BY_WIRE = new Map(HANDLES.filter((h) => h.wire).map((h) => [h.wire!, h]));

/**
 * C functions the generator leaves to hand-written code in src/api (each says why), or that are
 * not reachable at all yet: `null` means skipped with the reason kept for the coverage report.
 */
export const HAND_WRITTEN: Record<string, string> = {
  virConnectOpen: 'connect()',
  virConnectOpenReadOnly: 'connect(uri, { readOnly: true })',
  virConnectOpenAuth: 'connect(uri, options)',
  virConnectClose: 'Connection.close (CONNECT_CLOSE, then the transport)',
  virConnectGetURI: 'the URI the connection was opened with, as libvirt keeps it',
  virConnectIsSecure: 'combines the transport with the daemon answer',
  virConnectIsEncrypted: 'combines the transport with the daemon answer',
  virNodeGetInfo: 'model is a C char array: hand-written to a string',
  virConnectSupportsFeature: 'connection internals',
  virConnectUnregisterCloseCallback: 'the callback registered by registerCloseCallback, kept on the client',
  virDomainGetSchedulerParameters: 'needs the parameter count of virDomainGetSchedulerType',
  virDomainGetSchedulerParametersFlags: 'needs the parameter count of virDomainGetSchedulerType',
  virDomainGetCPUStats: 'per-CPU and total statistics: two-dimensional result',
  virDomainGetVcpus: 'CPU bitmaps as boolean[] per host CPU; sizes from getInfo and the host CPU count',
  virDomainGetVcpuPinInfo: 'CPU bitmaps as boolean[] per host CPU; sizes from getInfo and the host CPU count',
  virDomainGetEmulatorPinInfo: 'CPU bitmap as boolean[] per host CPU',
  virDomainGetIOThreadInfo: 'CPU bitmaps as boolean[] per host CPU',
  virNodeGetCPUMap: 'CPU bitmap as boolean[]; the count is `cpus`',
  virDomainMemoryStats: 'tagged values as an object keyed as libvirt-python keys them',
  virDomainGetBlockJobInfo: 'null when there is no job (C returns 0), else virDomainBlockJobInfo',
  virAdmConnectOpen: 'connectAdmin()',
  virAdmConnectClose: 'AdminConnection.close() (CONNECT_CLOSE, then the socket)',
  virAdmConnectGetURI: 'the URI the admin connection was opened with',
  virAdmConnectIsAlive: 'the socket is open (no call is made)',
  virAdmConnectRegisterCloseCallback: "AdminConnection.registerCloseCallback() / on('close')",
  virAdmConnectUnregisterCloseCallback: 'the callback registerCloseCallback keeps on the client',
};

type Program = 'remote' | 'qemu' | 'lxc' | 'admin';

export interface MethodInfo {
  cName: string;
  cls: string;
  method: string;
  procedure: string | null;
  program: Program;
  status: 'generated' | 'hand-written' | 'not yet';
  note: string;
}

const lcFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const norm = (s: string): string => s.toLowerCase().replace(/_/g, '');

/**
 * DESIGN.md's rule: drop `vir` and the object's prefix, lower-case the first letter. Snapshots and
 * checkpoints belong to the Domain family: virDomainRevertToSnapshot(snapshot) is
 * snapshot.revertToSnapshot(), not snapshot.domainRevertToSnapshot().
 */
export function methodName(cName: string, h: HandleClass): string {
  const rest = cName.replace(/^vir/, '');
  const prefixes = h.prefix.startsWith('Domain') && h.prefix !== 'Domain' ? [h.prefix, 'Domain'] : [h.prefix];
  for (const p of prefixes) {
    if (rest.startsWith(p) && rest.length > p.length && /[A-Z]/.test(rest.charAt(p.length))) return lcFirst(rest.slice(p.length));
  }
  return lcFirst(rest);
}

/**
 * Getters to which libvirt's C library adds VIR_TYPED_PARAM_STRING_OKAY itself (the daemon leaves
 * string parameters out otherwise), as virDomainGetBlkioParameters and friends do.
 */
const STRING_OKAY = new Set([
  'virDomainGetBlkioParameters',
  'virDomainGetMemoryParameters',
  'virDomainGetNumaParameters',
  'virDomainGetInterfaceParameters',
  'virDomainGetBlockIoTune',
  'virDomainBlockStatsFlags',
  'virNodeGetMemoryParameters',
]);
/** virTypedParameterFlags: VIR_TYPED_PARAM_STRING_OKAY */
const TYPED_PARAM_STRING_OKAY = 4;

/**
 * Arguments that only size C's output buffer (the API returns everything): optional, and when left
 * out the count is found first as libvirt-python does. Keyed by C function, then wire field; the
 * value is the expression giving "everything" (it may use the method's other parameters and
 * `options`).
 */
export const SIZING: Record<string, Record<string, string>> = {
  virConnectListDomains: { maxids: 'await this.numOfDomains(options)' },
  virConnectListDefinedDomains: { maxnames: 'await this.numOfDefinedDomains(options)' },
  virConnectListNetworks: { maxnames: 'await this.numOfNetworks(options)' },
  virConnectListDefinedNetworks: { maxnames: 'await this.numOfDefinedNetworks(options)' },
  virConnectListNWFilters: { maxnames: 'await this.numOfNWFilters(options)' },
  virConnectListInterfaces: { maxnames: 'await this.numOfInterfaces(options)' },
  virConnectListDefinedInterfaces: { maxnames: 'await this.numOfDefinedInterfaces(options)' },
  virConnectListStoragePools: { maxnames: 'await this.numOfStoragePools(options)' },
  virConnectListDefinedStoragePools: { maxnames: 'await this.numOfDefinedStoragePools(options)' },
  virConnectListSecrets: { maxuuids: 'await this.numOfSecrets(options)' },
  virStoragePoolListVolumes: { maxnames: 'await this.numOfVolumes(options)' },
  virNodeListDevices: { maxnames: 'await this.nodeNumOfDevices(cap, flags, options)' },
  virNodeDeviceListCaps: { maxnames: 'await this.numOfCaps(options)' },
  virDomainSnapshotListNames: { maxnames: 'await this.snapshotNum(flags, options)' },
  virDomainSnapshotListChildrenNames: { maxnames: 'await this.numChildren(flags, options)' },
  virDomainGetDiskErrors: { maxerrors: "(await c.invoke('REMOTE_PROC_DOMAIN_GET_DISK_ERRORS', { dom: this.wire, maxerrors: 0, flags }, options)).nerrors" },
  virNodeGetCellsFreeMemory: { maxcells: "(await c.invoke('REMOTE_PROC_NODE_GET_INFO', undefined, options)).nodes - startCell" },
};

/** Other C arguments with the default libvirt-python gives them. */
const DEFAULTS: Record<string, Record<string, string>> = {
  virDomainScreenshot: { screen: '0' },
  virConnectGetMaxVcpus: { type: 'null' },
  virConnectGetAllDomainStats: { stats: '0' },
};

/** A C `int` documented as a 0/1 switch (setAutostart's autostart, setVcpu's state): booleans welcome. */
const isSwitch = (info: string | undefined): boolean => /\b0 or 1\b|\b1 or 0\b|0 to disable\/1 to enable|^whether /i.test(info ?? '');

/** Reply fields that only say how long an array beside them is. */
const COUNT_FIELDS = new Set(['ret', 'num', 'nparams', 'nerrors', 'ncpumaps']);

/**
 * The domain id changes when a domain starts or stops; libvirt's remote driver keeps the handle's
 * id current (remoteDomainCreate looks the domain up again, since the reply carries no id).
 */
const AFTER: Record<string, { lines: string[]; void?: boolean }> = {
  virDomainCreate: { lines: ["    this._setId((await c.invoke('REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID', { uuid: this.wire.uuid }, options)).dom.id);"] },
  virDomainCreateWithFlags: { lines: ['    this._setId(r.dom.id);'], void: true },
  virDomainDestroy: { lines: ['    this._setId(-1);'] },
  virDomainDestroyFlags: { lines: ['    this._setId(-1);'] },
};

/** A read-only property of a handle, read from its wire identity. */
interface IdentityProp {
  name: string;
  type: string;
  expr: string;
  doc: string;
}

const prop = (name: string, type: string, expr: string, doc: string): IdentityProp => ({ name, type, expr, doc });
const NAME = prop('name', 'string', 'this.wire.name', 'The name.');
const UUID = prop('uuid', 'string', 'uuidToString(this.wire.uuid)', 'The UUID, as a string.');

/**
 * What identifies an object of each class on its connection (what equals() compares), read from
 * its wire value, and what its printed form `Kind(part, ...)` shows. Handles that belong to another
 * object (a port to its network, a snapshot to its domain) hold that object too, built once.
 */
const IDENTITY: Record<string, { props: IdentityProp[]; owner?: { name: string; cls: string; field: string }; key: string; display: string }> = {
  Domain: { props: [NAME, UUID, prop('id', 'number', 'this.wire.id', 'The hypervisor\'s id of the running domain, -1 when it is not running (kept current by create/destroy).')], key: 'this.uuid', display: '[this.name, this.uuid, `id=${this.id}`]' },
  Network: { props: [NAME, UUID], key: 'this.uuid', display: '[this.name, this.uuid]' },
  NetworkPort: { props: [UUID], owner: { name: 'network', cls: 'Network', field: 'net' }, key: 'this.uuid', display: '[this.network.name, this.uuid]' },
  StoragePool: { props: [NAME, UUID], key: 'this.uuid', display: '[this.name, this.uuid]' },
  StorageVol: { props: [prop('pool', 'string', 'this.wire.pool', 'The name of the pool the volume is in.'), NAME, prop('key', 'string', 'this.wire.key', 'The key: unique on the host (often the path).')], key: 'this.key', display: '[this.pool, this.name, this.key]' },
  NodeDevice: { props: [NAME], key: 'this.name', display: '[this.name]' },
  Interface: { props: [NAME, prop('mac', 'string', 'this.wire.mac', 'The MAC address, as a string.')], key: '`${this.name}\\n${this.mac}`', display: '[this.name, this.mac]' },
  Secret: { props: [UUID, prop('usageType', 'number', 'this.wire.usageType', 'What the secret is for: a VIR_SECRET_USAGE_TYPE_*.'), prop('usageID', 'string', 'this.wire.usageID', 'The usage ID (a volume path, a Ceph or iSCSI name, ...).')], key: 'this.uuid', display: '[this.uuid, this.usageID]' },
  NWFilter: { props: [NAME, UUID], key: 'this.uuid', display: '[this.name, this.uuid]' },
  NWFilterBinding: { props: [prop('portdev', 'string', 'this.wire.portdev', 'The port device the filter is bound to.'), prop('filtername', 'string', 'this.wire.filtername', 'The name of the bound filter.')], key: 'this.portdev', display: '[this.portdev, this.filtername]' },
  DomainSnapshot: { props: [NAME], owner: { name: 'domain', cls: 'Domain', field: 'dom' }, key: '`${this.domain.uuid}\\n${this.name}`', display: '[this.domain.name, this.name]' },
  DomainCheckpoint: { props: [NAME], owner: { name: 'domain', cls: 'Domain', field: 'dom' }, key: '`${this.domain.uuid}\\n${this.name}`', display: '[this.domain.name, this.name]' },
  AdminServer: { props: [prop('name', 'string', 'this.wire.name', 'The server\'s name (libvirtd, admin, ...).')], key: 'this.name', display: '[this.name]' },
  AdminClient: {
    props: [
      prop('id', 'bigint', 'this.wire.id', 'The client\'s id on its server.'),
      prop('timestamp', 'bigint', 'this.wire.timestamp', 'When the client connected, in seconds since the epoch.'),
      prop('transport', 'number', 'this.wire.transport', 'How the client is connected: a VIR_CLIENT_TRANS_*.'),
    ],
    owner: { name: 'server', cls: 'AdminServer', field: 'srv' },
    key: '`${this.server.name}\\n${this.id}`',
    display: '[this.server.name, String(this.id)]',
  },
};

/** The client-side C getters (virDomainGetName, ...): what `Get<X>` reads, with its TS type. */
const ACCESSORS: Record<string, (h: HandleClass) => { type: string; expr: string } | null> = {
  Name: () => ({ type: 'string', expr: 'this.name' }),
  UUIDString: () => ({ type: 'string', expr: 'this.uuid' }),
  UUID: () => ({ type: 'Uint8Array', expr: 'new Uint8Array(this.wire.uuid)' }),
  Connect: (h) => ({ type: connectionClass(h), expr: 'this.connection' }),
  Timestamp: () => ({ type: 'bigint', expr: 'this.timestamp' }),
  Transport: () => ({ type: 'number', expr: 'this.transport' }),
  ID: () => ({ type: 'number', expr: 'this.id' }),
  Key: () => ({ type: 'string', expr: 'this.key' }),
  MACString: () => ({ type: 'string', expr: 'this.mac' }),
  UsageType: () => ({ type: 'number', expr: 'this.usageType' }),
  UsageID: () => ({ type: 'string', expr: 'this.usageID' }),
  PortDev: () => ({ type: 'string', expr: 'this.portdev' }),
  FilterName: () => ({ type: 'string', expr: 'this.filtername' }),
  Network: (h) => (IDENTITY[h.cls]?.owner?.name === 'network' ? { type: 'Network', expr: 'this.network' } : null),
  Domain: (h) => (IDENTITY[h.cls]?.owner?.name === 'domain' ? { type: 'Domain', expr: 'this.domain' } : null),
};

/** A client-side getter of the identity (no call), or null when `fn` is not one. */
function emitAccessor(fn: ApiFunction, h: HandleClass, method: string): string[] | null {
  const m = /^get([A-Za-z]+)$/.exec(method);
  // virXGetUUID and virXGetUUIDString fill a buffer the caller passes: the result here.
  const outBuffer = (m?.[1] === 'UUID' || m?.[1] === 'UUIDString') && fn.args.length === 2 && fn.args[1]!.type.includes('*');
  if (fn.args.length !== 1 && !outBuffer) return null;
  const a = m ? ACCESSORS[m[1]!]?.(h) : undefined;
  if (!a) return null;
  const props = IDENTITY[h.cls]?.props.map((p) => p.name) ?? [];
  const name = /^this\.(\w+)$/.exec(a.expr)?.[1];
  if (name && name !== 'connection' && name !== IDENTITY[h.cls]?.owner?.name && !props.includes(name)) return null;
  const type = IDENTITY[h.cls]?.props.find((p) => p.name === name)?.type ?? a.type;
  return ['', ...jsdoc(fn, [], '  ', false), `  ${method}(): ${type} {`, `    return ${a.expr};`, '  }'];
}

/** Constructor, identity properties, equals() key and printed parts of a handle class. */
function emitIdentity(h: HandleClass): string[] {
  const id = IDENTITY[h.cls];
  if (!id || !h.wire) throw new Error(`no identity for ${h.cls}`);
  const out: string[] = [];
  if (id.owner) out.push(`  /** The ${id.owner.cls} this object belongs to. */`, `  readonly ${id.owner.name}: ${id.owner.cls};`, '');
  out.push('  /** @internal handles are made by the library (lookups, listings, events) */');
  out.push(`  constructor(override readonly connection: ${connectionClass(h)}, readonly wire: ${h.wire}) {`, '    super();');
  if (id.owner) out.push(`    this.${id.owner.name} = sessionOf(connection).wrap.${lcFirst(id.owner.cls)}(wire.${id.owner.field});`);
  out.push('  }');
  for (const p of id.props) out.push('', `  /** ${p.doc} */`, `  get ${p.name}(): ${p.type} {`, `    return ${p.expr};`, '  }');
  if (h.cls === 'Domain') out.push('', '  /** @internal the id changed (the domain started or stopped) */', '  _setId(id: number): void {', '    this.wire.id = id;', '  }');
  out.push('', '  protected identityKey(): string {', `    return ${id.key};`, '  }');
  out.push('', '  protected displayParts(): (string | number)[] {', `    return ${id.display};`, '  }');
  return out;
}

interface Ctx {
  model: Model;
  apis: ApiXml[];
  /** The C function being emitted. */
  fn: string;
  /** Wire struct -> its fields renamed to the C struct's names (only those that differ). */
  cNames: Map<string, Map<string, string>>;
  enumTypes: Set<string>;
  usedTypes: Set<string>;
  usedEnums: Set<string>;
}

const isTypedParams = (s: Shape): boolean => s.k === 'varray' && s.of.k === 'struct' && (s.of.name === 'remote_typed_param' || s.of.name === 'admin_typed_param');
const isCharArray = (s: Shape): boolean => (s.k === 'farray' || s.k === 'varray') && s.of.k === 'prim' && s.of.prim === 'char';

/** The forms of a field name that match wire and C names: case, underscores and a plural ending aside. */
const fieldKeys = (n: string): string[] => {
  const base = n.toLowerCase().replace(/_/g, '');
  return [base, base.replace(/s$/, ''), base.replace(/es$/, '')];
};

/**
 * The C struct each wire struct stands for (virVcpuInfo for remote_vcpu_info, ...): every wire
 * field matches a C field by fieldKey and the C fields left over only count an array. Where the
 * names differ (cpu_time / cpuTime, dev_aliases / devAlias) results use the C names.
 */
function cStructNames(model: Model, apis: ApiXml[]): Map<string, Map<string, string>> {
  const cStructs = apis.flatMap((a) => a.structs);
  const out = new Map<string, Map<string, string>>();
  for (const [name, d] of model.types) {
    if (d.kind !== 'struct' || !name.startsWith('remote_') || d.body.fields.length < 2) continue;
    for (const c of cStructs) {
      const matched = d.body.fields.map((f) => {
        const keys = fieldKeys(f.name);
        return c.fields.find((cf) => fieldKeys(cf.name).some((k) => keys.includes(k)))?.name;
      });
      if (matched.some((m) => m === undefined)) continue;
      const rest = c.fields.filter((f) => !matched.includes(f.name));
      if (rest.some((f) => !/^number of|^size of/i.test(f.info))) continue;
      const renames = new Map<string, string>();
      d.body.fields.forEach((f, i) => {
        if (matched[i] !== f.name) renames.set(f.name, matched[i]!);
      });
      if (renames.size) out.set(name, renames);
      break;
    }
  }
  return out;
}

/**
 * The field macros (by prefix) of the typed parameters a getter returns, where libvirt documents
 * them: the result is typed per field (`hard_limit: bigint`), other fields still allowed. A
 * `:type` suffix types the fields whose macros document none.
 */
export const PARAM_GROUPS: Record<string, string> = {
  virDomainGetMemoryParameters: 'VIR_DOMAIN_MEMORY_',
  virDomainGetBlkioParameters: 'VIR_DOMAIN_BLKIO_',
  virDomainGetNumaParameters: 'VIR_DOMAIN_NUMA_',
  virDomainGetInterfaceParameters: 'VIR_DOMAIN_BANDWIDTH_',
  virDomainGetBlockIoTune: 'VIR_DOMAIN_BLOCK_IOTUNE_',
  virDomainBlockStatsFlags: 'VIR_DOMAIN_BLOCK_STATS_',
  virNodeGetMemoryParameters: 'VIR_NODE_MEMORY_SHARED_',
  virDomainGetJobStats: 'VIR_DOMAIN_JOB_',
  // The perf event macros document no type: each says whether that event is enabled.
  virDomainGetPerfEvents: 'VIR_PERF_PARAM_:boolean',
  virDomainGetLaunchSecurityInfo: 'VIR_DOMAIN_LAUNCH_SECURITY_',
  virNodeGetSEVInfo: 'VIR_NODE_SEV_',
  virNetworkPortGetParameters: 'VIR_NETWORK_PORT_BANDWIDTH_',
  virAdmServerGetThreadPoolParameters: 'VIR_THREADPOOL_',
  virAdmServerGetClientLimits: 'VIR_SERVER_CLIENTS_',
  virAdmClientGetInfo: 'VIR_CLIENT_INFO_',
};

const PARAM_TS = ['never', 'number', 'number', 'bigint', 'bigint', 'number', 'boolean', 'string'];

/** `TypedParamsOf<{ field: type; ... }>` for the current function's documented fields, else `TypedParams`. */
function typedParamsType(ctx: Ctx): string {
  const group = PARAM_GROUPS[ctx.fn];
  if (!group) return 'TypedParams';
  const [prefix, fallback] = group.split(':') as [string, string | undefined];
  const fields = new Map<string, string>();
  for (const m of ctx.apis.flatMap((a) => a.macros)) {
    if (!m.name.startsWith(prefix) || m.string === undefined || m.string.includes('%')) continue;
    const t = macroParamType(m);
    const ts = t !== undefined ? PARAM_TS[t]! : fallback;
    if (ts) fields.set(m.string, ts);
  }
  if (fields.size === 0) throw new Error(`no documented typed-parameter fields for ${ctx.fn} (${prefix}*)`);
  const body = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, t]) => `${/^[a-z_][a-z0-9_]*$/i.test(f) ? f : JSON.stringify(f)}: ${t}`);
  return `TypedParamsOf<{ ${body.join('; ')} }>`;
}

/** A list of `{ field, value }` structs (node CPU and memory stats): read as an object keyed by field. */
function fieldValueList(ctx: Ctx, s: Shape): Shape | null {
  if (s.k !== 'varray' || s.of.k !== 'struct') return null;
  const d = ctx.model.types.get(s.of.name);
  if (!d || d.kind !== 'struct' || d.body.fields.length !== 2) return null;
  const [f, v] = d.body.fields;
  if (f!.name !== 'field' || v!.name !== 'value') return null;
  return ctx.model.shape(v!, d.module);
}

/** TS type of a wire value as the API hands it out (handles as objects, typed params as a record). */
function outType(ctx: Ctx, s: Shape): string {
  if (s.k === 'struct' && BY_WIRE.has(s.name)) return BY_WIRE.get(s.name)!.cls;
  if (s.k === 'optional' && s.of.k === 'struct' && BY_WIRE.has(s.of.name)) return `${BY_WIRE.get(s.of.name)!.cls} | null`;
  if (isTypedParams(s)) return typedParamsType(ctx);
  if (isCharArray(s)) return 'string';
  const fv = fieldValueList(ctx, s);
  if (fv) return `Record<string, ${outType(ctx, fv)}>`;
  if (s.k === 'varray' || s.k === 'farray') {
    const t = outType(ctx, s.of);
    return /[|&]/.test(t) ? `(${t})[]` : `${t}[]`;
  }
  if (s.k === 'struct' && needsOut(ctx, s)) {
    const d = ctx.model.types.get(s.name)!;
    if (d.kind !== 'struct') throw new Error(s.name);
    const names = ctx.cNames.get(s.name);
    return `{ ${d.body.fields.map((f) => `${names?.get(f.name) ?? f.name}: ${outType(ctx, ctx.model.shape(f, d.module))}`).join('; ')} }`;
  }
  return wireType(ctx, s);
}

function wireType(ctx: Ctx, s: Shape): string {
  return tsTypeOf(s, (name) => {
    ctx.usedTypes.add(name);
    return name;
  });
}

/** Does a wire value need converting on its way out? */
function needsOut(ctx: Ctx, s: Shape, seen = new Set<string>()): boolean {
  if (s.k === 'struct' && BY_WIRE.has(s.name)) return true;
  if (isTypedParams(s) || isCharArray(s) || fieldValueList(ctx, s)) return true;
  if (s.k === 'struct' && ctx.cNames.has(s.name)) return true;
  if (s.k === 'optional' || s.k === 'varray' || s.k === 'farray') return needsOut(ctx, s.of, seen);
  if (s.k === 'struct') {
    if (seen.has(s.name)) return false;
    seen.add(s.name);
    const d = ctx.model.types.get(s.name)!;
    return d.kind === 'struct' && d.body.fields.some((f) => needsOut(ctx, ctx.model.shape(f, d.module), seen));
  }
  return false;
}

let tmp = 0;
/** Expression converting wire value `e` to the API's value. */
function outExpr(ctx: Ctx, s: Shape, e: string): string {
  if (s.k === 'struct' && BY_WIRE.has(s.name)) return `c.wrap.${lcFirst(BY_WIRE.get(s.name)!.cls)}(${e})`;
  if (s.k === 'optional' && s.of.k === 'struct' && BY_WIRE.has(s.of.name)) return `(${e} === null ? null : c.wrap.${lcFirst(BY_WIRE.get(s.of.name)!.cls)}(${e}))`;
  if (isTypedParams(s)) return `fromTypedParams(${e})`;
  if (isCharArray(s)) return `charsToString(${e})`;
  if (fieldValueList(ctx, s)) return `Object.fromEntries(${e}.map((x) => [x.field, x.value]))`;
  if ((s.k === 'varray' || s.k === 'farray') && needsOut(ctx, s.of)) {
    const x = `x${++tmp}`;
    return `${e}.map((${x}) => ${outExpr(ctx, s.of, x)})`;
  }
  if (s.k === 'struct' && needsOut(ctx, s)) {
    const d = ctx.model.types.get(s.name)!;
    if (d.kind !== 'struct') throw new Error(s.name);
    const names = ctx.cNames.get(s.name);
    return `({ ${d.body.fields.map((f) => `${names?.get(f.name) ?? f.name}: ${outExpr(ctx, ctx.model.shape(f, d.module), `${e}.${f.name}`)}`).join(', ')} })`;
  }
  return e;
}

interface Param {
  name: string;
  type: string;
  /** expression for the wire field */
  expr: string;
  optional?: string;
  /** An output-buffer size: optional, `name ??= sized` before the call. */
  sized?: string;
  doc?: string;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const RESERVED = new Set(['function', 'default', 'delete', 'new', 'class', 'in', 'var', 'let', 'const', 'type', 'interface', 'package', 'private', 'protected', 'public', 'static', 'yield', 'enum', 'export', 'import', 'return', 'switch', 'case', 'do', 'if', 'else', 'for', 'while', 'with', 'try', 'catch', 'finally', 'throw', 'this', 'super', 'void', 'typeof', 'instanceof', 'break', 'continue', 'debugger', 'extends', 'implements']);

/** The TS type of a simple wire value without its typedef name (remote_nonnull_string -> string). */
function plainType(ctx: Ctx, s: Shape): string {
  if (s.k === 'string' || s.k === 'prim' || s.k === 'fopaque' || s.k === 'vopaque') return wireType(ctx, { ...s, alias: undefined });
  if (s.k === 'optional' && (s.of.k === 'string' || s.of.k === 'prim')) return `${plainType(ctx, s.of)} | null`;
  if (s.k === 'varray' && (s.of.k === 'string' || s.of.k === 'prim')) return `${plainType(ctx, s.of)}[]`;
  return wireType(ctx, s);
}

/** A method parameter for an args field: handles, UUIDs and typed params in their API form. */
function param(ctx: Ctx, field: string, s: Shape, fn: ApiFunction): Param {
  const doc = fn.args.find((a) => a.name === field || a.name === camel(field))?.info;
  let name = camel(field);
  if (RESERVED.has(name)) name = `${name}Arg`;
  if (s.k === 'struct' && BY_WIRE.has(s.name)) return { name, type: BY_WIRE.get(s.name)!.cls, expr: `${name}.wire`, doc };
  if (s.k === 'optional' && s.of.k === 'struct' && BY_WIRE.has(s.of.name)) return { name, type: `${BY_WIRE.get(s.of.name)!.cls} | null`, expr: `(${name}?.wire ?? null)`, doc };
  if (s.k === 'varray' && s.of.k === 'struct' && BY_WIRE.has(s.of.name)) return { name, type: `${BY_WIRE.get(s.of.name)!.cls}[]`, expr: `${name}.map((o) => o.wire)`, doc };
  if (s.alias === 'remote_uuid') return { name, type: 'string | Uint8Array', expr: `uuidArg(${name})`, doc };
  if (isTypedParams(s)) return { name, type: 'TypedParamsInput', expr: `toTypedParams(${name}, ${JSON.stringify(fn.name)})`, doc };
  if (field === 'flags' && s.k === 'prim') {
    const enums = flagEnums(ctx, fn);
    return { name, type: enums.length ? `Flags<${enums.join(' | ')}>` : 'number', expr: name, optional: '0', doc };
  }
  const sized = SIZING[fn.name]?.[field];
  if (sized !== undefined) return { name, type: plainType(ctx, s), expr: name, sized, doc };
  const optional = DEFAULTS[fn.name]?.[field];
  const cName = fn.args.find((a) => a.name === field || a.name === camel(field))?.name ?? field;
  if (s.k === 'prim' && (s.prim === 'hyper' || s.prim === 'uhyper')) {
    return { name, type: 'number | bigint', expr: `int64Arg(c, ${name}, ${JSON.stringify(cName)}, ${JSON.stringify(fn.name)}, ${s.prim === 'hyper'})`, optional, doc };
  }
  if (s.k === 'varray' && s.of.k === 'prim' && (s.of.prim === 'hyper' || s.of.prim === 'uhyper')) {
    return { name, type: '(number | bigint)[]', expr: `${name}.map((v) => int64Arg(c, v, ${JSON.stringify(cName)}, ${JSON.stringify(fn.name)}, ${s.of.prim === 'hyper'}))`, optional, doc };
  }
  if (s.k === 'prim' && s.prim === 'int' && isSwitch(doc)) return { name, type: 'boolean | number', expr: `switchArg(${name})`, optional, doc };
  return { name, type: plainType(ctx, s), expr: name, optional, doc };
}

/** Enum types named in the C documentation of `flags` (virDomainModificationImpact, ...). */
function flagEnums(ctx: Ctx, fn: ApiFunction): string[] {
  const info = fn.args.find((a) => a.name === 'flags')?.info ?? '';
  const found = new Set<string>();
  for (const m of info.matchAll(/vir[A-Z][A-Za-z0-9]+/g)) if (ctx.enumTypes.has(m[0])) found.add(m[0]);
  const own = `${fn.name}Flags`;
  if (found.size === 0 && ctx.enumTypes.has(own)) found.add(own);
  for (const e of found) ctx.usedEnums.add(e);
  return [...found].sort();
}

function jsdoc(fn: ApiFunction, params: Param[], ind: string, withOptions = true): string[] {
  const lines = cdoc(`${fn.name}: ${fn.info}`).split('\n');
  const out = [`${ind}/**`, ...lines.map((l) => `${ind} * ${l}`.trimEnd())];
  for (const p of params) if (p.doc) out.push(`${ind} * @param ${p.name} ${cdoc(p.doc).replace(/\n/g, ' ')}`);
  if (withOptions) out.push(`${ind} * @param options per-call \`signal\` and \`timeout\``);
  if (fn.returns.info) out.push(`${ind} * @returns (C) ${cdoc(fn.returns.info).replace(/\n/g, ' ')}`);
  out.push(`${ind} */`);
  return out;
}

export interface MethodsOutput {
  /** src/api/generated/methods.ts */
  code: string[];
  /** src/admin/generated/methods.ts */
  adminCode: string[];
  methods: MethodInfo[];
}

/** Every C function of the API XML matched to its procedure, as methods on abstract classes. */
export function emitMethods(model: Model, apis: ApiXml[]): MethodsOutput {
  const enumTypes = new Set<string>();
  for (const api of apis) for (const e of api.enums) if (e.type) enumTypes.add(e.type);
  const ctx: Ctx = { model, apis, fn: '', cNames: cStructNames(model, apis), enumTypes, usedTypes: new Set(), usedEnums: new Set() };
  const procs = new Map<string, { name: string; program: Program }>();
  const procEnums: [string, string, Program][] = [
    ['remote_procedure', 'REMOTE_PROC_', 'remote'],
    ['qemu_procedure', 'QEMU_PROC_', 'qemu'],
    ['lxc_procedure', 'LXC_PROC_', 'lxc'],
    ['admin_procedure', 'ADMIN_PROC_', 'admin'],
  ];
  const annotations = new Map<string, ReturnType<typeof parseAnnotations>>();
  for (const [e, prefix, program] of procEnums) {
    const d = model.types.get(e);
    if (!d || d.kind !== 'enum') continue;
    for (const m of d.body.members) {
      procs.set(`${program}:${norm(m.name.slice(prefix.length))}`, { name: m.name, program });
      annotations.set(m.name, parseAnnotations(m.comment));
    }
  }
  const bodies = new Map<string, string[]>(HANDLES.map((h) => [h.cls, []]));
  const methods: MethodInfo[] = [];
  const used = new Map<'api' | 'admin', { types: Set<string>; enums: Set<string> }>();
  // The main API's modules first, then the admin API's, each with its own imports.
  for (const family of ['api', 'admin'] as const) {
  ctx.usedTypes = new Set();
  ctx.usedEnums = new Set();
  for (const api of apis) {
    if ((api.module === 'libvirt-admin') !== (family === 'admin')) continue;
    const program: Program = api.module === 'libvirt-admin' ? 'admin' : api.module === 'libvirt-qemu' ? 'qemu' : api.module === 'libvirt-lxc' ? 'lxc' : 'remote';
    for (const fn of api.functions) {
      const h = HANDLES.find((x) => x.ptr === fn.args[0]?.type);
      if (!h) continue;
      const key = norm(fn.name.replace(/^vir(Adm)?/, '').replace(/^DomainQemu/, 'Domain').replace(/^DomainLxc/, 'Domain').replace(/^ConnectDomainQemu/, 'ConnectDomain'));
      const proc = procs.get(`${program}:${key}`) ?? null;
      const method = methodName(fn.name, h);
      const info: MethodInfo = { cName: fn.name, cls: h.cls, method, procedure: proc?.name ?? null, program, status: 'not yet', note: '' };
      methods.push(info);
      if (HAND_WRITTEN[fn.name] !== undefined) {
        info.status = 'hand-written';
        info.note = HAND_WRITTEN[fn.name]!;
        continue;
      }
      if (!proc) {
        const accessor = h.wire ? emitAccessor(fn, h, method) : null;
        if (accessor) {
          info.status = 'generated';
          info.note = 'reads the identity (no call)';
          bodies.get(h.cls)!.push(...accessor);
        } else info.note = 'no remote procedure (client-side function)';
        continue;
      }
      const ann = annotations.get(proc.name)!;
      const streamAt = ann.readStream ?? ann.writeStream;
      if (streamAt !== null && program !== 'remote') {
        info.note = 'opens a stream of a non-remote program';
        continue;
      }
      if (fn.args.some((a) => /Callback|EventGenericCallback/.test(a.type))) {
        info.note = 'event registration (issue 5)';
        continue;
      }
      if (fn.args.some((a) => /^(fd|fds|fdlist|files)$/.test(a.name)) || /WithFiles|FD$|Fd$|FDAssociate$/.test(fn.name)) {
        info.note = 'passes file descriptors, which a pure-JS client cannot do over its socket';
        continue;
      }
      const base = proc.name.replace(/^(REMOTE|QEMU|LXC|ADMIN)_PROC_/, '').toLowerCase();
      const argsType = model.types.get(`${program}_${base}_args`);
      const retType = model.types.get(`${program}_${base}_ret`);
      const lines = emitOne(ctx, fn, h, method, proc.name, program, argsType?.kind === 'struct' ? argsType : null, retType?.kind === 'struct' ? retType : null, streamAt);
      if (!lines) {
        info.note = 'argument or reply shape the generator does not map';
        continue;
      }
      info.status = 'generated';
      bodies.get(h.cls)!.push(...lines);
    }
  }
  for (const h of HANDLES) if (h.wire && h.family === family) ctx.usedTypes.add(h.wire);
  used.set(family, { types: ctx.usedTypes, enums: ctx.usedEnums });
  }
  ctx.usedTypes = used.get('api')!.types;
  ctx.usedEnums = used.get('api')!.enums;
  const code: string[] = [];
  code.push("import { Handle } from '../handle.js';");
  for (const h of HANDLES) if (h.family === 'api' && h.base) code.push(`import { ${h.base.cls.replace(/<.*/, '')} } from '${h.base.from}';`);
  code.push("import type { Stream } from '../stream.js';");
  code.push("import type { ApiTypes } from '../api-types.js';");
  code.push("import { type Flags, type TypedParams, type TypedParamsInput, type TypedParamsOf, charsToString, fromTypedParams, int64Arg, switchArg, toTypedParams, unknownError, uuidArg } from '../convert.js';");
  code.push("import { sessionOf } from '../session.js';");
  code.push("import { uuidToString } from '../uuid.js';");
  code.push("import type { CallOptions } from '../../rpc/engine.js';");
  const remoteTypes = [...ctx.usedTypes].filter((t) => model.types.get(t)?.module === 'remote').sort();
  if (remoteTypes.length) code.push(`import type { ${remoteTypes.join(', ')} } from '../../protocol/generated/remote.js';`);
  const qemuTypes = [...ctx.usedTypes].filter((t) => model.types.get(t)?.module === 'qemu').sort();
  if (qemuTypes.length) code.push(`import type { ${qemuTypes.join(', ')} } from '../../protocol/generated/qemu.js';`);
  if (ctx.usedEnums.size) code.push(`import type { ${[...ctx.usedEnums].sort().join(', ')} } from '../../apixml/generated/constants.js';`);
  code.push('', ...classAliases('api', 'ApiTypes'), '');
  const classes = (family: 'api' | 'admin', out: string[]): void => {
    for (const h of HANDLES.filter((x) => x.family === family)) {
      out.push(`/** Generated methods of ${h.cls}: one per C function taking a ${h.ptr} first. */`);
      const base = h.base?.cls ?? (h.wire ? 'Handle' : null);
      out.push(base ? `export abstract class ${h.cls}Methods extends ${base} {` : `export abstract class ${h.cls}Methods {`);
      if (h.wire) out.push(...emitIdentity(h));
      out.push(...bodies.get(h.cls)!);
      out.push('}', '');
    }
  };
  classes('api', code);
  const admin = used.get('admin')!;
  const adminCode: string[] = [
    "import { Handle } from '../../api/handle.js';",
    "import type { AdminTypes } from '../admin-types.js';",
    "import { type Flags, type TypedParams, type TypedParamsInput, type TypedParamsOf, fromTypedParams, int64Arg, toTypedParams } from '../../api/convert.js';",
    "import { sessionOf } from '../session.js';",
    "import type { CallOptions } from '../../rpc/engine.js';",
  ];
  const adminTypes = [...admin.types].filter((t) => model.types.get(t)?.module === 'admin').sort();
  if (adminTypes.length) adminCode.push(`import type { ${adminTypes.join(', ')} } from '../../protocol/generated/admin.js';`);
  if (admin.enums.size) adminCode.push(`import type { ${[...admin.enums].sort().join(', ')} } from '../../apixml/generated/constants.js';`);
  adminCode.push('', ...classAliases('admin', 'AdminTypes'), '');
  classes('admin', adminCode);
  return { code, adminCode, methods };
}

function emitOne(
  ctx: Ctx,
  fn: ApiFunction,
  h: HandleClass,
  method: string,
  proc: string,
  program: Program,
  argsDef: { name: string; module: string; body: { fields: { name: string }[] } } | null,
  retDef: { name: string; module: string; body: { fields: { name: string }[] } } | null,
  streamAt: number | null,
): string[] | null {
  const model = ctx.model;
  ctx.fn = fn.name;
  const argFields = argsDef ? argsDef.body.fields.map((f) => ({ name: f.name, s: model.shape(f as never, argsDef.module) })) : [];
  const retFields = retDef ? retDef.body.fields.map((f) => ({ name: f.name, s: model.shape(f as never, retDef.module) })) : [];
  // The object itself: the first args field of its wire type (node devices travel by name).
  const self = h.wire === null ? -1 : h.cls === 'NodeDevice' ? argFields.findIndex((f) => f.name === 'name') : argFields.findIndex((f) => f.s.k === 'struct' && f.s.name === h.wire);
  if (h.wire !== null && self !== 0) return null;
  const retParams = retFields.find((f) => isTypedParams(f.s));
  // libvirt's getters: nparams 0 asks for the count, then the values (typed parameters or field/value lists).
  const retList = retParams ?? retFields.find((f) => fieldValueList(ctx, f.s));
  const twoStep = !!retList && argFields.some((f) => f.name === 'nparams') && retFields.some((f) => f.name === 'nparams');
  const params: Param[] = [];
  const fieldExprs: string[] = [];
  const countExprs: string[] = [];
  argFields.forEach((f, i) => {
    if (i === self) {
      const e = `${f.name}: ${h.cls === 'NodeDevice' ? 'this.wire.name' : 'this.wire'}`;
      fieldExprs.push(e);
      countExprs.push(e);
      return;
    }
    if (f.name.startsWith('need_') && !fn.args.some((a) => a.name === f.name || a.name === camel(f.name))) {
      // Wire-only "do you want this" flags (need_results, need_map, need_online): the C functions want it all.
      fieldExprs.push(`${f.name}: 1`);
      countExprs.push(`${f.name}: 1`);
      return;
    }
    if (f.s.k === 'varray' && !fn.args.some((a) => a.name === f.name || a.name === camel(f.name))) {
      // e.g. virConnectGetAllDomainStats shares its procedure with virDomainListGetStats, whose doms it leaves empty.
      fieldExprs.push(`${f.name}: []`);
      countExprs.push(`${f.name}: []`);
      return;
    }
    if (twoStep && f.name === 'nparams') {
      fieldExprs.push('nparams');
      countExprs.push('nparams: 0');
      return;
    }
    const p = param(ctx, f.name, f.s, fn);
    params.push(p);
    const expr = f.name === 'flags' && STRING_OKAY.has(fn.name) ? `${p.expr} | ${TYPED_PARAM_STRING_OKAY}` : p.expr;
    const e = expr === f.name ? f.name : `${f.name}: ${expr}`;
    fieldExprs.push(e);
    countExprs.push(e);
  });
  if (streamAt !== null) {
    // The C function's virStreamPtr parameter, at its position (the object itself is parameter 0).
    const cArg = fn.args[streamAt];
    const p: Param = { name: cArg && /^[a-z]\w*$/.test(cArg.name) ? cArg.name : 'stream', type: 'Stream', expr: '', doc: cArg?.info };
    params.splice(Math.max(0, Math.min(params.length, streamAt - 1)), 0, p);
  }
  // Optional parameters only at the end.
  let firstOptional = params.length;
  while (firstOptional > 0 && params[firstOptional - 1]!.optional !== undefined) firstOptional--;
  // A sizing parameter may stay optional before later ones (TS allows `a?: number, flags = 0`).
  let lastRequired = -1;
  params.forEach((p, i) => {
    if (p.sized === undefined && (i < firstOptional || p.optional === undefined)) lastRequired = i;
  });
  const sig = [
    ...params.map((p, i) => {
      if (p.sized !== undefined && i > lastRequired) return `${p.name}?: ${p.type}`;
      if (p.sized !== undefined) return `${p.name}: ${p.type} | undefined`;
      return i >= firstOptional ? `${p.name}: ${p.type} = ${p.optional}` : `${p.name}: ${p.type}`;
    }),
    'options?: CallOptions',
  ].join(', ');
  const sizing = params.filter((p) => p.sized !== undefined).map((p) => `    ${p.name} ??= ${p.sized};`);
  const argsExpr = `${argsDef ? `{ ${fieldExprs.join(', ')} }` : 'undefined'}, options`;
  const streamParam = streamAt === null ? null : params.find((p) => p.type === 'Stream')!.name;
  const call = streamParam ? 'c.invokeStream' : program === 'remote' || program === 'admin' ? 'c.invoke' : program === 'qemu' ? 'c.invokeQemu' : 'c.invokeLxc';
  const procArg = streamParam ? `${JSON.stringify(proc)}, ${streamParam}` : JSON.stringify(proc);
  const conn = h.wire === null ? 'sessionOf(this)' : 'sessionOf(this.connection)';
  const predicate = /^vir\w+?(Is[A-Z]|Has[A-Z]|GetAutostart$)/.test(fn.name) && /\b1\b/.test(fn.returns.info + ' ' + fn.args.map((a) => a.info).join(' '));
  // What the method returns.
  let retType: string;
  let retExpr: string;
  // Counts beside an array, and `nX` counting the items of a list string `X` (virAdmConnectGetLoggingOutputs' noutputs).
  const isList = (x: Shape): boolean => x.k === 'string' || (x.k === 'optional' && x.of.k === 'string') || x.k === 'varray';
  const visible = retFields.filter((f) => !(COUNT_FIELDS.has(f.name) && retFields.some((g) => g.s.k === 'varray' || g.s.k === 'vopaque')) && !retFields.some((g) => `n${g.name}` === f.name && isList(g.s)));
  if (!retDef || retFields.length === 0) {
    retType = 'void';
    retExpr = '';
  } else if (visible.length === 1) {
    const f = visible[0]!;
    if (predicate && f.s.k === 'prim' && f.s.prim === 'int') {
      retType = 'boolean';
      retExpr = `r.${f.name} !== 0`;
    } else {
      retType = outType(ctx, f.s);
      retExpr = outExpr(ctx, f.s, `r.${f.name}`);
    }
  } else {
    if (visible.some((f) => needsOut(ctx, f.s))) {
      retType = `{ ${visible.map((f) => `${f.name}: ${outType(ctx, f.s)}`).join('; ')} }`;
      retExpr = `{ ${visible.map((f) => `${f.name}: ${outExpr(ctx, f.s, `r.${f.name}`)}`).join(', ')} }`;
    } else {
      ctx.usedTypes.add(retDef.name);
      retType = retDef.name;
      retExpr = 'r';
    }
  }
  const after = AFTER[fn.name];
  if (after?.void) {
    retType = 'void';
    retExpr = '';
  }
  // A reply whose `int ret` is negative is a failure the daemon reported without an error (the C
  // client then raises libvirt's "unknown cause" error), as for virDomainGetSecurityLabelList.
  const retField = retFields.find((f) => f.name === 'ret' && f.s.k === 'prim' && f.s.prim === 'int');
  const retCheck = retField && retType !== 'void' ? [`    if (r.ret < 0) throw unknownError();`] : [];
  if (retCheck.length && retExpr === 'r') retExpr = 'r';
  const out: string[] = ['', ...jsdoc(fn, params, '  '), `  async ${method}(${sig}): Promise<${retType}> {`, `    const c = ${conn};`, ...sizing];
  if (twoStep) {
    // As libvirt's getters: ask for the number of parameters first, then for the parameters.
    out.push(`    const nparams = (await ${call}(${JSON.stringify(proc)}, { ${countExprs.join(', ')} }, options)).nparams;`);
  }
  if (after) {
    out.push(`    const r = await ${call}(${procArg}, ${argsExpr});`, ...after.lines);
    if (retType !== 'void') out.push(`    return ${retExpr === 'r' ? 'r' : retExpr};`);
    else out.push('    void r;');
  } else if (retType === 'void') {
    out.push(`    await ${call}(${procArg}, ${argsExpr});`);
  } else if (retExpr === 'r' && !retCheck.length) {
    out.push(`    return ${call}(${procArg}, ${argsExpr});`);
  } else {
    out.push(`    const r = await ${call}(${procArg}, ${argsExpr});`, ...retCheck, `    return ${retExpr};`);
  }
  out.push('  }');
  return out;
}
