// The libvirt application development guide's chapters on networks, storage, node devices,
// interfaces, secrets, nwfilters and host calls, through the API layer's methods by their C names,
// with libvirt's own C client (python3-libvirt) on the same daemon as the oracle.
import { expect } from 'chai';
import { rejection } from '../support/expect.js';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { Interface, Network, NodeDevice, NWFilter, NWFilterBinding, Secret, StoragePool, StorageVol } from '../../src/api/objects.js';
import {
  VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES,
  VIR_CONNECT_LIST_INTERFACES_ACTIVE,
  VIR_CONNECT_LIST_INTERFACES_INACTIVE,
  VIR_CONNECT_LIST_NETWORKS_ACTIVE,
  VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_INACTIVE,
  VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
  VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
  VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
  VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
  VIR_CONNECT_LIST_SECRETS_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL,
  VIR_CONNECT_LIST_SECRETS_NO_PRIVATE,
  VIR_CONNECT_LIST_SECRETS_PRIVATE,
  VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
  VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_INTERFACE,
  VIR_ERR_NO_NETWORK,
  VIR_ERR_NO_NODE_DEVICE,
  VIR_ERR_NO_NWFILTER,
  VIR_ERR_NO_NWFILTER_BINDING,
  VIR_ERR_NO_SECRET,
  VIR_ERR_NO_STORAGE_POOL,
  VIR_ERR_NO_STORAGE_VOL,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_FAILED,
  VIR_NETWORK_SECTION_IP_DHCP_HOST,
  VIR_NETWORK_UPDATE_AFFECT_CONFIG,
  VIR_NETWORK_UPDATE_AFFECT_LIVE,
  VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
  VIR_NETWORK_UPDATE_COMMAND_DELETE,
  VIR_NETWORK_XML_INACTIVE,
  VIR_NODE_CPU_STATS_ALL_CPUS,
  VIR_NODE_MEMORY_STATS_ALL_CELLS,
  VIR_SECRET_USAGE_TYPE_VOLUME,
  VIR_STORAGE_POOL_INACTIVE,
  VIR_STORAGE_POOL_RUNNING,
  VIR_STORAGE_VOL_FILE,
  VIR_STORAGE_VOL_GET_PHYSICAL,
  VIR_STORAGE_VOL_WIPE_ALG_ZERO,
  VIR_STORAGE_XML_INACTIVE,
} from '../../src/apixml/generated/constants.js';
import { sandboxEnv } from '../support/sandbox.js';
import { ok, oracle, type OracleCall, type OracleError, type OracleResult } from '../support/oracle.js';

const PID = process.pid;
const MiB = 1024n * 1024n;

// ---------------------------------------------------------------------------------------------
// helpers

function oracleError(r: OracleResult | undefined): OracleError {
  if (!r || !('error' in r)) throw new Error(`the C client succeeded where an error was expected: ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  return r.error;
}

function errorFields(e: LibvirtError): OracleError {
  return { code: e.code, domain: e.domain, message: e.message, level: e.level, str1: e.str1, str2: e.str2, str3: e.str3, int1: e.int1, int2: e.int2 };
}

/** A daemon-side error: every virError field equals the C client's for the same call. */
async function sameError(ours: () => Promise<unknown>, theirs: OracleResult | undefined, code?: number): Promise<LibvirtError> {
  const expected = oracleError(theirs);
  const e = await rejection(ours());
  if (code !== undefined) expect(e.code, e.message).to.equal(code);
  expect(errorFields(e)).to.deep.equal(expected);
  return e;
}

/**
 * The same outcome as the C client's: when it fails, ours fails with the same code; when it
 * succeeds, `check` compares the values. The oracle runs first, so counters read by us are newer.
 */
async function sameOutcome<T>(theirs: OracleResult | undefined, ours: () => Promise<T>, check: (mine: T, their: unknown) => void): Promise<void> {
  if (theirs && 'error' in theirs) {
    const e = await rejection(ours());
    expect(e.code, `ours: ${e.message}; C client: ${theirs.error.message}`).to.equal(theirs.error.code);
    return;
  }
  check(await ours(), ok(theirs));
}

const sorted = (a: readonly string[]): string[] => [...a].sort();
const names = (objs: readonly { name: string }[]): string[] => sorted(objs.map((o) => o.name));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lists of strings compare as sets; anything else as it is. */
function norm(v: unknown): unknown {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? sorted(v as string[]) : v;
}

/**
 * Our values and the C client's for the same calls are equal. Other clients may share the
 * daemon while the suite runs (lists change under us), so a mismatch is retried twice.
 */
async function agree(uri: string, ours: () => Promise<unknown[]>, calls: OracleCall[]): Promise<unknown[]> {
  let last: [unknown[], unknown[]] = [[], []];
  for (let attempt = 0; attempt < 3; attempt++) {
    const mine = (await ours()).map(norm);
    const theirs = oracle(uri, calls).map((r) => norm(ok(r)));
    if (isDeepStrictEqual(mine, theirs)) return mine;
    last = [mine, theirs];
    await sleep(250);
  }
  expect(last[0]).to.deep.equal(last[1]);
  return last[0];
}

/** Runs clean-up calls through the C client, ignoring every failure. */
function cleanup(uri: string, calls: OracleCall[]): void {
  try {
    oracle(uri, calls);
  } catch {
    // the daemon may be gone already
  }
}

/** Integers (number or bigint) as decimal strings, to compare ours (bigint) with the C client's JSON numbers. */
const dec = (xs: readonly unknown[]): string[] => xs.map((x) => String(x));

function near(ours: bigint | number, theirs: unknown, slack: number, what: string): void {
  const a = Number(ours);
  const b = Number(theirs);
  expect(Math.abs(a - b), `${what}: ours ${a}, C client ${b}`).to.be.at.most(Math.max(slack, Math.abs(b) * 0.05));
}

function uuidBytes(uuid: string): Uint8Array {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

/** virNodeCPUStats / virNodeMemoryStats arrays or field-keyed objects, as one field-keyed object. */
function statsRecord(x: unknown): Record<string, unknown> {
  if (Array.isArray(x)) return Object.fromEntries(x.map((p: { field: string; value: unknown }) => [p.field, p.value]));
  expect(x, 'a stats object').to.be.an('object');
  return x as Record<string, unknown>;
}

/**
 * The shapes libvirt's C signatures predict (DESIGN.md: the C arguments minus output pointers) for
 * the host calls whose generated signatures differ; called through this view so this file compiles
 * whatever the generated signature is, and fails at run time while it is wrong.
 */
interface HostCallsByCSignature {
  /** virNodeGetCPUStats(conn, cpuNum, params, &nparams, flags) */
  nodeGetCPUStats(cpuNum: number, flags?: number): Promise<unknown>;
  /** virNodeGetMemoryStats(conn, cellNum, params, &nparams, flags) */
  nodeGetMemoryStats(cellNum: number, flags?: number): Promise<unknown>;
  /** virNodeGetCPUMap(conn, &cpumap, &online, flags) -> number of CPUs */
  nodeGetCPUMap(flags?: number): Promise<unknown>;
  /** virNodeGetSecurityModel(conn, &secmodel): virSecurityModel { model, doi } */
  nodeGetSecurityModel(): Promise<unknown>;
}

const DRIVERS = [
  ['test:///default', 'TEST_UNIX_URI'],
  ['qemu:///system', 'QEMU_UNIX_URI'],
] as const;

// ---------------------------------------------------------------------------------------------
// networks (the test driver: qemu:///system in the sandbox has no dnsmasq or bridges)

const netXml = (name: string, bridge: string, octet: number) => `<network>
  <name>${name}</name>
  <bridge name='${bridge}'/>
  <forward mode='nat'/>
  <ip address='192.168.${octet}.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.${octet}.2' end='192.168.${octet}.254'/>
    </dhcp>
  </ip>
</network>`;

describe('API resources: networks on test:///default (C client as oracle)', function () {
  this.timeout(60_000);
  const netName = `rpc-net-${PID}`;
  const transientName = `rpc-tnet-${PID}`;
  const octet = 100 + (PID % 100);
  let uri: string;
  let conn: Connection;
  let net: Network;

  const netCall = (call: string, args?: unknown[]): OracleCall => ({ target: 'network', name: netName, call, ...(args ? { args } : {}) });
  const listCalls = (): [() => Promise<unknown[]>, OracleCall[]] => {
    const flags = [
      0,
      VIR_CONNECT_LIST_NETWORKS_ACTIVE,
      VIR_CONNECT_LIST_NETWORKS_INACTIVE,
      VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
      VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
      VIR_CONNECT_LIST_NETWORKS_AUTOSTART,
      VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
      VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_PERSISTENT,
    ];
    return [
      async () => [
        await conn.numOfNetworks(),
        await conn.listNetworks(1000),
        await conn.numOfDefinedNetworks(),
        await conn.listDefinedNetworks(1000),
        ...(await Promise.all(flags.map(async (f) => names(await conn.listAllNetworks(f))))),
      ],
      [
        { call: 'numOfNetworks' },
        { call: 'listNetworks' },
        { call: 'numOfDefinedNetworks' },
        { call: 'listDefinedNetworks' },
        ...flags.map((f) => ({ call: 'listAllNetworks', args: [f] })),
      ],
    ];
  };
  /** Where our network shows up: [active list, defined list, listAll by each filter]. */
  const membership = (lists: unknown[], name: string) => lists.filter(Array.isArray).map((l) => (l as string[]).includes(name));

  before(async () => {
    uri = sandboxEnv('TEST_UNIX_URI');
    conn = await connect(uri);
    cleanup(uri, [
      { target: 'network', name: netName, call: 'destroy' },
      { target: 'network', name: netName, call: 'undefine' },
      { target: 'network', name: transientName, call: 'destroy' },
    ]);
  });
  after(async () => {
    if (uri) {
      cleanup(uri, [
        { target: 'network', name: netName, call: 'destroy' },
        { target: 'network', name: netName, call: 'undefine' },
        { target: 'network', name: transientName, call: 'destroy' },
      ]);
    }
    await conn?.close();
  });

  it('looks up the default network by name, UUID string and raw UUID and reads it as the C client does', async () => {
    const dflt = await conn.networkLookupByName('default');
    expect(dflt).to.be.instanceOf(Network);
    const on = (call: string, args?: unknown[]): OracleCall => ({ target: 'network', name: 'default', call, ...(args ? { args } : {}) });
    const [uuid, xml, xmlInactive, bridge, active, persistent, autostart] = oracle(uri, [
      on('UUIDString'),
      on('XMLDesc', [0]),
      on('XMLDesc', [VIR_NETWORK_XML_INACTIVE]),
      on('bridgeName'),
      on('isActive'),
      on('isPersistent'),
      on('autostart'),
    ]);
    expect(dflt.name).to.equal('default');
    expect(dflt.getName()).to.equal('default');
    expect(dflt.uuid).to.equal(ok(uuid));
    expect(dflt.getUUIDString()).to.equal(ok(uuid));
    expect(dflt.getUUID()).to.deep.equal(uuidBytes(dflt.uuid));
    expect(dflt.getConnect()).to.equal(conn);
    expect(String(dflt)).to.include('default').and.include(dflt.uuid);

    const byString = await conn.networkLookupByUUIDString(dflt.uuid);
    const byRaw = await conn.networkLookupByUUID(dflt.getUUID());
    expect(byString.equals(dflt)).to.equal(true);
    expect(byRaw.equals(dflt)).to.equal(true);
    expect(byRaw.name).to.equal('default');
    const [theirsByString] = oracle(uri, [{ call: 'networkLookupByUUIDString', args: [dflt.uuid] }]);
    expect(byString.name).to.equal(ok(theirsByString));

    expect(await dflt.getXMLDesc(0)).to.equal(ok(xml));
    // the test driver refuses VIR_NETWORK_XML_INACTIVE: then both must fail alike
    await sameOutcome(xmlInactive, () => dflt.getXMLDesc(VIR_NETWORK_XML_INACTIVE), (mine, their) => expect(mine).to.equal(their));
    expect(await dflt.getBridgeName()).to.equal(ok(bridge));
    expect(await dflt.isActive()).to.equal(ok(active) === 1);
    expect(await dflt.isPersistent()).to.equal(ok(persistent) === 1);
    expect(await dflt.getAutostart()).to.equal(ok(autostart) === 1);
  });

  it('networkDefineXML defines an inactive persistent network that the C client sees and lists', async () => {
    net = await conn.networkDefineXML(netXml(netName, `rpcb${PID}`, octet));
    expect(net).to.be.instanceOf(Network);
    expect(net.name).to.equal(netName);
    expect(net.connection).to.equal(conn);
    const [uuid, active, persistent, autostart, bridge] = oracle(uri, [netCall('UUIDString'), netCall('isActive'), netCall('isPersistent'), netCall('autostart'), netCall('bridgeName')]);
    expect(net.uuid).to.equal(ok(uuid));
    expect([ok(active), ok(persistent), ok(autostart)]).to.deep.equal([0, 1, 0]);
    expect([await net.isActive(), await net.isPersistent(), await net.getAutostart()]).to.deep.equal([false, true, false]);
    expect(await net.getBridgeName()).to.equal(ok(bridge)).and.equal(`rpcb${PID}`);
    expect(await net.getXMLDesc(0)).to.equal(ok(oracle(uri, [netCall('XMLDesc', [0])])[0]));

    const [ours, calls] = listCalls();
    const lists = await agree(uri, ours, calls);
    // listNetworks, listDefinedNetworks, all, active, inactive, persistent, transient, autostart, no-autostart, active+persistent
    expect(membership(lists, netName)).to.deep.equal([false, true, true, false, true, true, false, false, true, false]);
  });

  it('defining the same network again fails with the C client\'s error', async () => {
    const [theirs] = oracle(uri, [{ call: 'networkDefineXML', args: [netXml(netName, `rpcb${PID}`, octet)] }]);
    await sameError(() => conn.networkDefineXML(netXml(netName, `rpcb${PID}`, octet)), theirs, VIR_ERR_OPERATION_FAILED);
  });

  it('create() starts it and setAutostart() marks it; lists and filters agree with the C client', async () => {
    await net.create();
    expect(ok(oracle(uri, [netCall('isActive')])[0])).to.equal(1);
    expect(await net.isActive()).to.equal(true);
    await net.setAutostart(1);
    expect(ok(oracle(uri, [netCall('autostart')])[0])).to.equal(1);
    expect(await net.getAutostart()).to.equal(true);

    const [ours, calls] = listCalls();
    const lists = await agree(uri, ours, calls);
    expect(membership(lists, netName)).to.deep.equal([true, false, true, true, false, true, false, true, false, true]);

    await net.setAutostart(0);
    expect(ok(oracle(uri, [netCall('autostart')])[0])).to.equal(0);
    expect(await net.getAutostart()).to.equal(false);
  });

  it('update() adds and deletes a DHCP host in the live and persistent definitions', async () => {
    const hex = (n: number) => (n & 0xff).toString(16).padStart(2, '0');
    const host = `<host mac='52:54:00:${hex(PID >> 16)}:${hex(PID >> 8)}:${hex(PID)}' name='rpc-host' ip='192.168.${octet}.10'/>`;
    const flags = VIR_NETWORK_UPDATE_AFFECT_LIVE | VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    await net.update(VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host, flags);
    const [live, config] = oracle(uri, [netCall('XMLDesc', [0]), netCall('XMLDesc', [VIR_NETWORK_XML_INACTIVE])]);
    expect(ok(live)).to.be.a('string').and.include("name='rpc-host'");
    expect(await net.getXMLDesc(0)).to.equal(ok(live));
    await sameOutcome(config, () => net.getXMLDesc(VIR_NETWORK_XML_INACTIVE), (mine, their) => {
      expect(their).to.be.a('string').and.include("name='rpc-host'");
      expect(mine).to.equal(their);
    });

    await net.update(VIR_NETWORK_UPDATE_COMMAND_DELETE, VIR_NETWORK_SECTION_IP_DHCP_HOST, -1, host, flags);
    const [after] = oracle(uri, [netCall('XMLDesc', [0])]);
    expect(ok(after)).to.be.a('string').and.not.include("name='rpc-host'");
    expect(await net.getXMLDesc(0)).to.equal(ok(after));
  });

  it('destroy() stops it and undefine() removes it, as the C client sees', async () => {
    await net.destroy();
    expect(ok(oracle(uri, [netCall('isActive')])[0])).to.equal(0);
    expect(await net.isActive()).to.equal(false);
    expect(await net.isPersistent()).to.equal(true);
    await net.undefine();
    const [theirs] = oracle(uri, [{ call: 'networkLookupByName', args: [netName] }]);
    expect(oracleError(theirs).code).to.equal(VIR_ERR_NO_NETWORK);
    await sameError(() => conn.networkLookupByName(netName), theirs, VIR_ERR_NO_NETWORK);
    await sameError(() => conn.networkLookupByUUIDString(net.uuid), oracle(uri, [{ call: 'networkLookupByUUIDString', args: [net.uuid] }])[0], VIR_ERR_NO_NETWORK);
  });

  it('networkCreateXML starts a transient network that disappears on destroy()', async () => {
    const t = await conn.networkCreateXML(netXml(transientName, `rpct${PID}`, octet));
    expect(t.name).to.equal(transientName);
    const on = (call: string): OracleCall => ({ target: 'network', name: transientName, call });
    const [active, persistent, uuid] = oracle(uri, [on('isActive'), on('isPersistent'), on('UUIDString')]);
    expect([ok(active), ok(persistent)]).to.deep.equal([1, 0]);
    expect(t.uuid).to.equal(ok(uuid));
    expect([await t.isActive(), await t.isPersistent()]).to.deep.equal([true, false]);

    const [ours, calls] = listCalls();
    const lists = await agree(uri, ours, calls);
    expect(membership(lists, transientName)).to.deep.equal([true, false, true, true, false, false, true, false, true, false]);

    await t.destroy();
    const [gone] = oracle(uri, [{ call: 'networkLookupByName', args: [transientName] }]);
    await sameError(() => conn.networkLookupByName(transientName), gone, VIR_ERR_NO_NETWORK);
  });

  it('network ports (listAllPorts, portCreateXML) are refused as for the C client (the test driver lacks them)', async () => {
    const dflt = await conn.networkLookupByName('default');
    const portXml = `<networkport><owner><name>rpc-owner-${PID}</name><uuid>${randomUUID()}</uuid></owner><mac address='52:54:00:aa:bb:cc'/></networkport>`;
    const [list, create] = oracle(uri, [
      { target: 'network', name: 'default', call: 'listAllPorts', args: [0] },
      { target: 'network', name: 'default', call: 'portCreateXML', args: [portXml, 0] },
    ]);
    await sameOutcome(list, () => dflt.listAllPorts(0), (mine, their) => expect(sorted(mine.map((p) => p.uuid))).to.deep.equal(sorted(their as string[])));
    await sameOutcome(create, () => dflt.portCreateXML(portXml, 0), (mine) => cleanup(uri, [{ target: 'networkPort', network: 'default', name: mine.uuid, call: 'delete' } as OracleCall]));
  });
});

// ---------------------------------------------------------------------------------------------
// storage pools and volumes

const dirPoolXml = (name: string, path: string) => `<pool type='dir'>
  <name>${name}</name>
  <target>
    <path>${path}</path>
  </target>
</pool>`;

const volXml = (name: string, mib: number, format = 'raw') => `<volume>
  <name>${name}</name>
  <capacity unit='MiB'>${mib}</capacity>
  <allocation>0</allocation>
  <target>
    <format type='${format}'/>
  </target>
</volume>`;

const POOL_FLAGS = [
  0,
  VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
  VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
  VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
];

function poolListCalls(conn: Connection): [() => Promise<unknown[]>, OracleCall[]] {
  return [
    async () => [
      await conn.numOfStoragePools(),
      await conn.listStoragePools(1000),
      await conn.numOfDefinedStoragePools(),
      await conn.listDefinedStoragePools(1000),
      ...(await Promise.all(POOL_FLAGS.map(async (f) => names(await conn.listAllStoragePools(f))))),
    ],
    [
      { call: 'numOfStoragePools' },
      { call: 'listStoragePools' },
      { call: 'numOfDefinedStoragePools' },
      { call: 'listDefinedStoragePools' },
      ...POOL_FLAGS.map((f) => ({ call: 'listAllStoragePools', args: [f] })),
    ],
  ];
}
const poolMembership = (lists: unknown[], name: string) => lists.filter(Array.isArray).map((l) => (l as string[]).includes(name));

/** Volumes of a pool, ours and the C client's: count, names, and listAllVolumes (paths). */
async function sameVolumes(uri: string, pool: StoragePool): Promise<string[]> {
  const lists = await agree(
    uri,
    async () => [await pool.numOfVolumes(), await pool.listVolumes(1000), await Promise.all((await pool.listAllVolumes(0)).map((v) => v.getPath()))],
    [
      { target: 'storagePool', name: pool.name, call: 'numOfVolumes' },
      { target: 'storagePool', name: pool.name, call: 'listVolumes' },
      { target: 'storagePool', name: pool.name, call: 'listAllVolumes', args: [0] },
    ],
  );
  return lists[1] as string[];
}

async function sameVolume(uri: string, vol: StorageVol): Promise<void> {
  const path = await vol.getPath();
  const on = (call: string, args?: unknown[]): OracleCall => ({ target: 'storageVol', name: path, call, ...(args ? { args } : {}) });
  const [name, key, theirPath, info, infoPhysical, xml, pool] = oracle(uri, [on('name'), on('key'), on('path'), on('info'), on('infoFlags', [VIR_STORAGE_VOL_GET_PHYSICAL]), on('XMLDesc', [0]), on('storagePoolLookupByVolume')]);
  expect(vol.name).to.equal(ok(name));
  expect(vol.getName()).to.equal(ok(name));
  expect(vol.key).to.equal(ok(key));
  expect(vol.getKey()).to.equal(ok(key));
  expect(path).to.equal(ok(theirPath));
  const i = await vol.getInfo();
  expect(dec([i.type, i.capacity, i.allocation])).to.deep.equal(dec(ok(info) as unknown[]));
  expect(typeof i.capacity).to.equal('bigint');
  // the test driver lacks virStorageVolGetInfoFlags: then both must fail alike
  await sameOutcome(infoPhysical, () => vol.getInfoFlags(VIR_STORAGE_VOL_GET_PHYSICAL), (p, their) => {
    expect(dec([p.type, p.capacity, p.allocation])).to.deep.equal(dec(their as unknown[]));
  });
  expect(await vol.getXMLDesc(0)).to.equal(ok(xml));
  const ourPool = await vol.storagePoolLookupByVolume();
  expect(ourPool).to.be.instanceOf(StoragePool);
  expect(ourPool.name).to.equal(ok(pool)).and.equal(vol.pool);
}

async function samePool(uri: string, pool: StoragePool): Promise<void> {
  const on = (call: string, args?: unknown[]): OracleCall => ({ target: 'storagePool', name: pool.name, call, ...(args ? { args } : {}) });
  const [uuid, info, xml, xmlInactive, active, persistent, autostart] = oracle(uri, [on('UUIDString'), on('info'), on('XMLDesc', [0]), on('XMLDesc', [VIR_STORAGE_XML_INACTIVE]), on('isActive'), on('isPersistent'), on('autostart')]);
  expect(pool.uuid).to.equal(ok(uuid));
  const i = await pool.getInfo();
  expect(typeof i.capacity).to.equal('bigint');
  expect(dec([i.state, i.capacity, i.allocation, i.available])).to.deep.equal(dec(ok(info) as unknown[]));
  expect(await pool.getXMLDesc(0)).to.equal(ok(xml));
  // the test driver refuses VIR_STORAGE_XML_INACTIVE: then both must fail alike
  await sameOutcome(xmlInactive, () => pool.getXMLDesc(VIR_STORAGE_XML_INACTIVE), (mine, their) => expect(mine).to.equal(their));
  expect(await pool.isActive()).to.equal(ok(active) === 1);
  expect(await pool.isPersistent()).to.equal(ok(persistent) === 1);
  expect(await pool.getAutostart()).to.equal(ok(autostart) === 1);
}

describe('API resources: storage pools and volumes on test:///default (C client as oracle)', function () {
  this.timeout(60_000);
  const poolName = `rpc-pool-${PID}`;
  const poolPath = `/rpc-pool-${PID}`;
  const transientName = `rpc-tpool-${PID}`;
  let uri: string;
  let conn: Connection;
  let pool: StoragePool;
  let v1: StorageVol;
  let v2: StorageVol;

  const teardown = () =>
    cleanup(uri, [
      { target: 'storageVol', name: `${poolPath}/v1`, call: 'delete', args: [0] },
      { target: 'storageVol', name: `${poolPath}/v2`, call: 'delete', args: [0] },
      { target: 'storagePool', name: poolName, call: 'destroy' },
      { target: 'storagePool', name: poolName, call: 'undefine' },
      { target: 'storagePool', name: transientName, call: 'destroy' },
    ]);
  before(async () => {
    uri = sandboxEnv('TEST_UNIX_URI');
    conn = await connect(uri);
    teardown();
  });
  after(async () => {
    if (uri) teardown();
    await conn?.close();
  });

  it('looks up default-pool by name, UUID string and raw UUID and reads it and its volumes as the C client does', async () => {
    const dflt = await conn.storagePoolLookupByName('default-pool');
    expect(dflt).to.be.instanceOf(StoragePool);
    expect(dflt.getName()).to.equal('default-pool');
    expect(dflt.getUUID()).to.deep.equal(uuidBytes(dflt.uuid));
    expect(dflt.getConnect()).to.equal(conn);
    expect(String(dflt)).to.include('default-pool').and.include(dflt.uuid);
    expect((await conn.storagePoolLookupByUUIDString(dflt.uuid)).equals(dflt)).to.equal(true);
    const raw = await conn.storagePoolLookupByUUID(dflt.getUUID());
    expect(raw.equals(dflt)).to.equal(true);
    expect(raw.name).to.equal(ok(oracle(uri, [{ call: 'storagePoolLookupByUUIDString', args: [dflt.uuid] }])[0]));
    await samePool(uri, dflt);
    await sameVolumes(uri, dflt);
  });

  it('storagePoolDefineXML, build, create, refresh and setAutostart: the C client sees each state', async () => {
    pool = await conn.storagePoolDefineXML(dirPoolXml(poolName, poolPath), 0);
    expect(pool.name).to.equal(poolName);
    await samePool(uri, pool);
    expect((await pool.getInfo()).state).to.equal(VIR_STORAGE_POOL_INACTIVE);
    let lists = await agree(uri, ...poolListCalls(conn));
    // listStoragePools, listDefined, all, active, inactive, persistent, transient, autostart, no-autostart, dir
    expect(poolMembership(lists, poolName)).to.deep.equal([false, true, true, false, true, true, false, false, true, true]);

    await pool.build(0);
    await pool.create(0);
    expect(ok(oracle(uri, [{ target: 'storagePool', name: poolName, call: 'isActive' }])[0])).to.equal(1);
    await pool.refresh(0);
    await pool.setAutostart(1);
    expect(ok(oracle(uri, [{ target: 'storagePool', name: poolName, call: 'autostart' }])[0])).to.equal(1);
    await samePool(uri, pool);
    expect((await pool.getInfo()).state).to.equal(VIR_STORAGE_POOL_RUNNING);
    lists = await agree(uri, ...poolListCalls(conn));
    expect(poolMembership(lists, poolName)).to.deep.equal([true, false, true, true, false, true, false, true, false, true]);
    await pool.setAutostart(0);
    expect(await pool.getAutostart()).to.equal(false);
  });

  it('storagePoolCreateXML starts a transient pool that disappears on destroy()', async () => {
    const t = await conn.storagePoolCreateXML(dirPoolXml(transientName, `/${transientName}`), 0);
    expect(t.name).to.equal(transientName);
    expect([await t.isActive(), await t.isPersistent()]).to.deep.equal([true, false]);
    await samePool(uri, t);
    const lists = await agree(uri, ...poolListCalls(conn));
    expect(poolMembership(lists, transientName)).to.deep.equal([true, false, true, true, false, false, true, false, true, true]);
    await t.destroy();
    const [gone] = oracle(uri, [{ call: 'storagePoolLookupByName', args: [transientName] }]);
    await sameError(() => conn.storagePoolLookupByName(transientName), gone, VIR_ERR_NO_STORAGE_POOL);
  });

  it('defining the same pool again and malformed pool XML fail with the C client\'s errors', async () => {
    const [dup, bad] = oracle(uri, [
      { call: 'storagePoolDefineXML', args: [dirPoolXml(poolName, poolPath), 0] },
      { call: 'storagePoolDefineXML', args: ['<pool', 0] },
    ]);
    await sameError(() => conn.storagePoolDefineXML(dirPoolXml(poolName, poolPath), 0), dup, VIR_ERR_OPERATION_FAILED);
    await sameError(() => conn.storagePoolDefineXML('<pool', 0), bad);
  });

  it('storageVolCreateXML and storageVolCreateXMLFrom make volumes found by name, key and path', async () => {
    v1 = await pool.storageVolCreateXML(volXml('v1', 10), 0);
    expect(v1).to.be.instanceOf(StorageVol);
    expect(v1.name).to.equal('v1');
    expect(v1.pool).to.equal(poolName);
    v2 = await pool.storageVolCreateXMLFrom(volXml('v2', 10), v1, 0);
    expect(v2.name).to.equal('v2');
    expect(await sameVolumes(uri, pool)).to.deep.equal(['v1', 'v2']);
    for (const v of [v1, v2]) {
      await sameVolume(uri, v);
      const path = await v.getPath();
      expect((await pool.storageVolLookupByName(v.name)).equals(v)).to.equal(true);
      expect((await conn.storageVolLookupByKey(v.key)).equals(v)).to.equal(true);
      expect((await conn.storageVolLookupByPath(path)).equals(v)).to.equal(true);
      expect(String(v)).to.include(v.name);
    }
    expect(v1.equals(v2)).to.equal(false);
    expect((await v1.getInfo()).capacity).to.equal(10n * MiB);
    expect((await pool.listAllVolumes(0)).map((v) => v.name).sort()).to.deep.equal(['v1', 'v2']);
  });

  it('a duplicate volume and missing volumes fail with the C client\'s errors', async () => {
    const [dup, byName, byKey, byPath] = oracle(uri, [
      { target: 'storagePool', name: poolName, call: 'createXML', args: [volXml('v1', 10), 0] },
      { target: 'storagePool', name: poolName, call: 'storageVolLookupByName', args: ['no-such-vol'] },
      { call: 'storageVolLookupByKey', args: [`${poolPath}/no-such-vol`] },
      { call: 'storageVolLookupByPath', args: [`${poolPath}/no-such-vol`] },
    ]);
    await sameError(() => pool.storageVolCreateXML(volXml('v1', 10), 0), dup);
    await sameError(() => pool.storageVolLookupByName('no-such-vol'), byName, VIR_ERR_NO_STORAGE_VOL);
    await sameError(() => conn.storageVolLookupByKey(`${poolPath}/no-such-vol`), byKey, VIR_ERR_NO_STORAGE_VOL);
    await sameError(() => conn.storageVolLookupByPath(`${poolPath}/no-such-vol`), byPath, VIR_ERR_NO_STORAGE_VOL);
  });

  it('resize and wipe are refused as for the C client (the test driver lacks them)', async () => {
    const path = await v1.getPath();
    const [resize, wipe] = oracle(uri, [
      { target: 'storageVol', name: path, call: 'resize', args: [Number(20n * MiB), 0] },
      { target: 'storageVol', name: path, call: 'wipe', args: [0] },
    ]);
    await sameOutcome(resize, () => v1.resize(20n * MiB, 0), () => undefined);
    await sameOutcome(wipe, () => v1.wipe(0), () => undefined);
  });

  it('delete() removes the volumes; destroy, delete and undefine remove the pool', async () => {
    await v2.delete(0);
    await v1.delete(0);
    expect(await sameVolumes(uri, pool)).to.deep.equal([]);
    await pool.destroy();
    expect(ok(oracle(uri, [{ target: 'storagePool', name: poolName, call: 'isActive' }])[0])).to.equal(0);
    await pool.delete(0);
    await pool.undefine();
    const [gone] = oracle(uri, [{ call: 'storagePoolLookupByName', args: [poolName] }]);
    await sameError(() => conn.storagePoolLookupByName(poolName), gone, VIR_ERR_NO_STORAGE_POOL);
    await sameError(() => conn.storagePoolLookupByUUIDString(pool.uuid), oracle(uri, [{ call: 'storagePoolLookupByUUIDString', args: [pool.uuid] }])[0], VIR_ERR_NO_STORAGE_POOL);
  });
});

describe('API resources: a dir storage pool with real files on qemu:///system (C client as oracle)', function () {
  this.timeout(90_000);
  const poolName = `rpc-dirpool-${PID}`;
  let dir: string;
  let poolPath: string;
  let uri: string;
  let conn: Connection;
  let pool: StoragePool;
  let raw: StorageVol;
  let clone: StorageVol;
  let qcow: StorageVol;

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
    dir = mkdtempSync(join(tmpdir(), 'libvirt-rpc-resources-'));
    poolPath = join(dir, 'pool');
  });
  after(async () => {
    if (uri && poolPath) {
      cleanup(uri, [
        ...['raw.img', 'clone.img', 'disk.qcow2'].map((v) => ({ target: 'storageVol', name: join(poolPath, v), call: 'delete', args: [0] })),
        { target: 'storagePool', name: poolName, call: 'destroy' },
        { target: 'storagePool', name: poolName, call: 'undefine' },
      ]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await conn?.close();
  });

  it('defines, builds (creating the directory), starts and refreshes the pool; lists and lookups agree', async () => {
    pool = await conn.storagePoolDefineXML(dirPoolXml(poolName, poolPath), 0);
    expect(existsSync(poolPath)).to.equal(false);
    let lists = await agree(uri, ...poolListCalls(conn));
    expect(poolMembership(lists, poolName)).to.deep.equal([false, true, true, false, true, true, false, false, true, true]);
    await pool.build(0);
    expect(statSync(poolPath).isDirectory()).to.equal(true);
    await pool.create(0);
    await pool.refresh(0);
    await samePool(uri, pool);
    expect((await pool.getInfo()).state).to.equal(VIR_STORAGE_POOL_RUNNING);
    lists = await agree(uri, ...poolListCalls(conn));
    expect(poolMembership(lists, poolName)).to.deep.equal([true, false, true, true, false, true, false, false, true, true]);
    expect((await conn.storagePoolLookupByTargetPath(poolPath)).equals(pool)).to.equal(true);
    expect((await conn.storagePoolLookupByUUIDString(pool.uuid)).equals(pool)).to.equal(true);
    expect((await conn.storagePoolLookupByUUID(pool.getUUID())).equals(pool)).to.equal(true);
    expect(ok(oracle(uri, [{ call: 'storagePoolLookupByTargetPath', args: [poolPath] }])[0])).to.equal(poolName);
  });

  it('storageVolCreateXML makes a raw file of the capacity and a qcow2 image', async () => {
    raw = await pool.storageVolCreateXML(volXml('raw.img', 10), 0);
    const path = await raw.getPath();
    expect(path).to.equal(join(poolPath, 'raw.img'));
    expect(statSync(path).size).to.equal(Number(10n * MiB));
    const info = await raw.getInfo();
    expect(info.type).to.equal(VIR_STORAGE_VOL_FILE);
    expect(info.capacity).to.equal(10n * MiB);
    await sameVolume(uri, raw);

    qcow = await pool.storageVolCreateXML(volXml('disk.qcow2', 10, 'qcow2'), 0);
    const qpath = await qcow.getPath();
    const fd = openSync(qpath, 'r');
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    closeSync(fd);
    expect(magic.toString('latin1')).to.equal('QFI\xfb');
    expect(statSync(qpath).size).to.be.below(Number(10n * MiB));
    expect(await qcow.getXMLDesc(0)).to.include("<format type='qcow2'/>");
    await sameVolume(uri, qcow);
  });

  it('resize() grows the file and wipe() zeroes it', async () => {
    const path = await raw.getPath();
    await raw.resize(20n * MiB, 0);
    expect(statSync(path).size).to.equal(Number(20n * MiB));
    expect((await raw.getInfo()).capacity).to.equal(20n * MiB);
    await sameVolume(uri, raw);

    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('libvirt-rpc'), 0, 11, 0);
    closeSync(fd);
    await raw.wipe(0);
    const back = Buffer.alloc(11);
    const rfd = openSync(path, 'r');
    readSync(rfd, back, 0, 11, 0);
    closeSync(rfd);
    expect([...back]).to.deep.equal(new Array<number>(11).fill(0));

    const wfd = openSync(path, 'r+');
    writeSync(wfd, Buffer.from('pattern'), 0, 7, 8192);
    closeSync(wfd);
    await raw.wipePattern(VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0);
    const again = Buffer.alloc(7);
    const afd = openSync(path, 'r');
    readSync(afd, again, 0, 7, 8192);
    closeSync(afd);
    expect([...again]).to.deep.equal(new Array<number>(7).fill(0));
    expect(statSync(path).size).to.equal(Number(20n * MiB));
    await sameVolume(uri, raw);
  });

  it('storageVolCreateXMLFrom clones the file\'s contents; refresh, list and lookups agree', async () => {
    const path = await raw.getPath();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('cloned!'), 0, 7, 4096);
    closeSync(fd);
    clone = await pool.storageVolCreateXMLFrom(volXml('clone.img', 10), raw, 0);
    const cpath = await clone.getPath();
    expect(statSync(cpath).size).to.equal(statSync(path).size);
    const got = Buffer.alloc(7);
    const cfd = openSync(cpath, 'r');
    readSync(cfd, got, 0, 7, 4096);
    closeSync(cfd);
    expect(got.toString()).to.equal('cloned!');
    await pool.refresh(0);
    expect(await sameVolumes(uri, pool)).to.deep.equal(['clone.img', 'disk.qcow2', 'raw.img']);
    await sameVolume(uri, clone);
    for (const v of [raw, clone, qcow]) {
      expect((await pool.storageVolLookupByName(v.name)).equals(v)).to.equal(true);
      expect((await conn.storageVolLookupByKey(v.key)).equals(v)).to.equal(true);
      expect((await conn.storageVolLookupByPath(await v.getPath())).equals(v)).to.equal(true);
    }
    await samePool(uri, pool);
  });

  it('delete() removes the files; destroy, delete (the directory) and undefine remove the pool', async () => {
    for (const v of [clone, qcow, raw]) {
      const path = await v.getPath();
      await v.delete(0);
      expect(existsSync(path)).to.equal(false);
    }
    expect(await sameVolumes(uri, pool)).to.deep.equal([]);
    await pool.destroy();
    expect(await pool.isActive()).to.equal(false);
    await pool.delete(0);
    expect(existsSync(poolPath)).to.equal(false);
    await pool.undefine();
    const [gone] = oracle(uri, [{ call: 'storagePoolLookupByName', args: [poolName] }]);
    await sameError(() => conn.storagePoolLookupByName(poolName), gone, VIR_ERR_NO_STORAGE_POOL);
  });
});

// ---------------------------------------------------------------------------------------------
// node devices, interfaces, host calls: both drivers

for (const [label, key] of DRIVERS) {
  describe(`API resources: node devices and interfaces on ${label} (C client as oracle)`, function () {
    this.timeout(60_000);
    let uri: string;
    let conn: Connection;
    before(async () => {
      uri = sandboxEnv(key);
      conn = await connect(uri);
    });
    after(async () => {
      await conn?.close();
    });

    it('nodeNumOfDevices, nodeListDevices and listAllNodeDevices (with capability filters) agree', async () => {
      const caps = ['pci', 'scsi_host', 'net', 'system'];
      const flags = [0, VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV, VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST, VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET, VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM];
      const lists = await agree(
        uri,
        async () => [
          await conn.nodeNumOfDevices(null, 0),
          await conn.nodeListDevices(null, 1000, 0),
          ...(await Promise.all(caps.map((c) => conn.nodeNumOfDevices(c, 0)))),
          ...(await Promise.all(caps.map((c) => conn.nodeListDevices(c, 1000, 0)))),
          ...(await Promise.all(flags.map(async (f) => names(await conn.listAllNodeDevices(f))))),
        ],
        [
          { call: 'numOfDevices', args: [null, 0] },
          { call: 'listDevices', args: [null, 0] },
          ...caps.map((c) => ({ call: 'numOfDevices', args: [c, 0] })),
          ...caps.map((c) => ({ call: 'listDevices', args: [c, 0] })),
          ...flags.map((f) => ({ call: 'listAllDevices', args: [f] })),
        ],
      );
      expect(lists[0]).to.be.greaterThan(0);
      expect(lists[1]).to.include('computer');
    });

    it('each device: nodeDeviceLookupByName, getXMLDesc, getParent, numOfCaps, listCaps, isActive and isPersistent agree', async () => {
      const devices = await conn.listAllNodeDevices(0);
      expect(devices.length).to.be.greaterThan(0);
      const calls = devices.flatMap((d): OracleCall[] =>
        ['XMLDesc', 'parent', 'numOfCaps', 'listCaps', 'isActive', 'isPersistent'].map((call) => ({ target: 'nodeDevice', name: d.name, call, ...(call === 'XMLDesc' ? { args: [0] } : {}) })),
      );
      const theirs = oracle(uri, calls);
      for (const [i, d] of devices.entries()) {
        expect(d).to.be.instanceOf(NodeDevice);
        const found = await conn.nodeDeviceLookupByName(d.name);
        expect(found.equals(d)).to.equal(true);
        expect(found.getName()).to.equal(d.name);
        expect(String(found)).to.include(d.name);
        const [xml, parent, ncaps, caps, active, persistent] = theirs.slice(i * 6, i * 6 + 6);
        expect(await d.getXMLDesc(0), d.name).to.equal(ok(xml));
        expect(await d.getParent(), d.name).to.equal(ok(parent));
        expect(await d.numOfCaps(), d.name).to.equal(ok(ncaps));
        expect(await d.listCaps(100), d.name).to.deep.equal(ok(caps));
        await sameOutcome(active, () => d.isActive(), (mine, their) => expect(mine, d.name).to.equal(their === 1 || their === true));
        await sameOutcome(persistent, () => d.isPersistent(), (mine, their) => expect(mine, d.name).to.equal(their === 1 || their === true));
      }
    });

    it('numOf/list(Defined)Interfaces and listAllInterfaces (active/inactive) agree', async () => {
      const flags = [0, VIR_CONNECT_LIST_INTERFACES_ACTIVE, VIR_CONNECT_LIST_INTERFACES_INACTIVE];
      await agree(
        uri,
        async () => [
          await conn.numOfInterfaces(),
          await conn.listInterfaces(1000),
          await conn.numOfDefinedInterfaces(),
          await conn.listDefinedInterfaces(1000),
          ...(await Promise.all(flags.map(async (f) => names(await conn.listAllInterfaces(f))))),
        ],
        [{ call: 'numOfInterfaces' }, { call: 'listInterfaces' }, { call: 'numOfDefinedInterfaces' }, { call: 'listDefinedInterfaces' }, ...flags.map((f) => ({ call: 'listAllInterfaces', args: [f] }))],
      );
    });

    it('each interface: interfaceLookupByName/MACString, getMACString, getXMLDesc and isActive agree', async () => {
      const ifaces = await conn.listAllInterfaces(0);
      expect(ifaces.length).to.be.greaterThan(0);
      const calls = ifaces.flatMap((i): OracleCall[] => [
        { target: 'interface', name: i.name, call: 'MACString' },
        { target: 'interface', name: i.name, call: 'XMLDesc', args: [0] },
        { target: 'interface', name: i.name, call: 'isActive' },
        { call: 'interfaceLookupByMACString', args: [i.mac] },
      ]);
      const theirs = oracle(uri, calls);
      for (const [n, i] of ifaces.entries()) {
        expect(i).to.be.instanceOf(Interface);
        const [mac, xml, active, byMac] = theirs.slice(n * 4, n * 4 + 4);
        expect(i.mac).to.equal(ok(mac));
        expect(i.getMACString()).to.equal(ok(mac));
        const found = await conn.interfaceLookupByName(i.name);
        expect(found.equals(i)).to.equal(true);
        expect(found.getName()).to.equal(i.name);
        expect(found.getConnect()).to.equal(conn);
        expect(String(found)).to.include(i.name).and.include(i.mac);
        expect(await i.getXMLDesc(0), i.name).to.equal(ok(xml));
        expect(await i.isActive(), i.name).to.equal(ok(active) === 1);
        // MAC lookups find an interface with that MAC (several may share 00:00:00:00:00:00)
        await sameOutcome(byMac, () => conn.interfaceLookupByMACString(i.mac), (mine, their) => {
          expect(mine.mac).to.equal(i.mac);
          expect(mine.name).to.equal(their);
        });
      }
    });
  });

  describe(`API resources: host calls on ${label} (C client as oracle)`, function () {
    this.timeout(60_000);
    let uri: string;
    let conn: Connection;
    let byC: HostCallsByCSignature;
    before(async () => {
      uri = sandboxEnv(key);
      conn = await connect(uri);
      byC = conn as unknown as HostCallsByCSignature;
    });
    after(async () => {
      await conn?.close();
    });

    it('nodeGetCellsFreeMemory agrees', async () => {
      const [theirs] = oracle(uri, [{ call: 'getCellsFreeMemory', args: [0, 8] }]);
      await sameOutcome(theirs, () => conn.nodeGetCellsFreeMemory(0, 8), (mine, their) => {
        const cells = their as number[];
        expect(mine).to.have.length(cells.length);
        mine.forEach((m, i) => {
          expect(typeof m).to.equal('bigint');
          near(m, cells[i], 64 * 1024 * 1024, `cell ${i}`);
        });
      });
    });

    it('nodeGetCPUStats(cpuNum, flags) for all CPUs and CPU 0 agrees', async () => {
      for (const cpu of [VIR_NODE_CPU_STATS_ALL_CPUS, 0]) {
        const [theirs] = oracle(uri, [{ call: 'getCPUStats', args: [cpu, 0] }]);
        await sameOutcome(theirs, () => byC.nodeGetCPUStats(cpu, 0), (mine, their) => {
          const ours = statsRecord(mine);
          const c = their as Record<string, number | bigint>;
          expect(sorted(Object.keys(ours)), `cpu ${cpu}`).to.deep.equal(sorted(Object.keys(c)));
          for (const [field, value] of Object.entries(ours)) {
            expect(typeof value, field).to.equal('bigint');
            // counters (ns) read after the C client's: never smaller, at most a minute of CPU time more
            expect(Number(value) - Number(c[field]), field).to.be.within(0, 60e9 * 64);
          }
        });
      }
    });

    it('nodeGetMemoryStats(cellNum, flags) for all cells and cell 0 agrees', async () => {
      for (const cell of [VIR_NODE_MEMORY_STATS_ALL_CELLS, 0]) {
        const [theirs] = oracle(uri, [{ call: 'getMemoryStats', args: [cell, 0] }]);
        await sameOutcome(theirs, () => byC.nodeGetMemoryStats(cell, 0), (mine, their) => {
          const ours = statsRecord(mine);
          const c = their as Record<string, number>;
          expect(sorted(Object.keys(ours)), `cell ${cell}`).to.deep.equal(sorted(Object.keys(c)));
          expect(String(ours.total)).to.equal(String(c.total));
          for (const [field, value] of Object.entries(ours)) {
            expect(typeof value, field).to.equal('bigint');
            near(value as bigint, c[field], 64 * 1024, field);
          }
        });
      }
    });

    it('nodeGetSecurityModel returns { model, doi } as the C client does', async () => {
      const [theirs] = oracle(uri, [{ call: 'getSecurityModel' }]);
      await sameOutcome(theirs, () => byC.nodeGetSecurityModel(), (mine, their) => {
        const [model, doi] = their as [string, string];
        expect(mine).to.deep.equal({ model, doi });
      });
    });

    it('nodeGetCPUMap(flags) returns the CPU count, map and online count', async () => {
      const [theirs] = oracle(uri, [{ call: 'getCPUMap', args: [0] }]);
      await sameOutcome(theirs, () => byC.nodeGetCPUMap(0), (mine, their) => {
        const [count, map, online] = their as [number, boolean[], number];
        const r = mine as { cpus?: number; ret?: number; cpumap?: Uint8Array | boolean[]; online?: number };
        expect(r, 'an object with cpumap and online').to.be.an('object').that.includes.keys('cpumap', 'online');
        expect(r.cpus ?? r.ret).to.equal(count);
        expect(r.online).to.equal(online);
        const bits = r.cpumap instanceof Uint8Array ? Array.from({ length: count }, (_, i) => ((r.cpumap as Uint8Array)[i >> 3]! & (1 << (i & 7))) !== 0) : r.cpumap;
        expect(bits).to.deep.equal(map);
      });
    });

    it('nodeGetFreePages agrees', async () => {
      const [theirs] = oracle(uri, [{ call: 'getFreePages', args: [[4, 2048], 0, 1, 0] }]);
      await sameOutcome(theirs, () => conn.nodeGetFreePages([4, 2048], 0, 1, 0), (mine, their) => {
        const cells = their as Record<string, Record<string, number>>;
        const flat = Object.keys(cells).flatMap((cell) => [cells[cell]!['4'], cells[cell]!['2048']]);
        expect(mine).to.have.length(flat.length);
        mine.forEach((m, i) => near(m, flat[i], 16384, `pages[${i}]`));
      });
    });

    it('nodeGetMemoryParameters agrees', async () => {
      const [theirs] = oracle(uri, [{ call: 'getMemoryParameters', args: [0] }]);
      await sameOutcome(theirs, () => conn.nodeGetMemoryParameters(0), (mine, their) => {
        const c = their as Record<string, unknown>;
        expect(Object.fromEntries(Object.entries(mine).map(([k, v]) => [k, String(v)]))).to.deep.equal(Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)])));
      });
    });

    it('getMaxVcpus, getCPUModelNames, getSysinfo and getStoragePoolCapabilities agree', async () => {
      const [maxVcpus, models, sysinfo, poolCaps] = oracle(uri, [
        { call: 'getMaxVcpus', args: [null] },
        { call: 'getCPUModelNames', args: ['x86_64', 0] },
        { call: 'getSysinfo', args: [0] },
        { call: 'getStoragePoolCapabilities', args: [0] },
      ]);
      await sameOutcome(maxVcpus, () => conn.getMaxVcpus(null), (mine, their) => expect(mine).to.equal(their));
      await sameOutcome(models, () => conn.getCPUModelNames('x86_64', 0), (mine, their) => expect(mine).to.deep.equal(their));
      await sameOutcome(sysinfo, () => conn.getSysinfo(0), (mine, their) => expect(mine).to.equal(their));
      await sameOutcome(poolCaps, () => conn.getStoragePoolCapabilities(0), (mine, their) => expect(mine).to.equal(their));
    });

    it('getDomainCapabilities agrees (the test driver refuses it for both)', async () => {
      const [theirs] = oracle(uri, [{ call: 'getDomainCapabilities', args: [null, null, null, null, 0] }]);
      await sameOutcome(theirs, () => conn.getDomainCapabilities(null, null, null, null, 0), (mine, their) => expect(mine).to.equal(their));
    });

    it('baselineCPU and compareCPU agree', async () => {
      const haswell = '<cpu><arch>x86_64</arch><model>Haswell</model><vendor>Intel</vendor></cpu>';
      const broadwell = '<cpu><arch>x86_64</arch><model>Broadwell</model><vendor>Intel</vendor></cpu>';
      const qemu64 = '<cpu mode="custom" match="exact"><model>qemu64</model></cpu>';
      const [b0, b1, cmp] = oracle(uri, [
        { call: 'baselineCPU', args: [[haswell, broadwell], 0] },
        { call: 'baselineCPU', args: [[haswell, broadwell], VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES] },
        { call: 'compareCPU', args: [qemu64, 0] },
      ]);
      await sameOutcome(b0, () => conn.baselineCPU([haswell, broadwell], 0), (mine, their) => expect(mine).to.equal(their));
      await sameOutcome(b1, () => conn.baselineCPU([haswell, broadwell], VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES), (mine, their) => expect(mine).to.equal(their));
      await sameOutcome(cmp, () => conn.compareCPU(qemu64, 0), (mine, their) => expect(mine).to.equal(their));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// secrets and nwfilters (qemu:///system; the test driver has neither)

describe('API resources: secrets on qemu:///system (C client as oracle)', function () {
  this.timeout(60_000);
  const usage = `/rpc-secret-${PID}`;
  const privateUsage = `/rpc-private-secret-${PID}`;
  const secretXml = (id: string, priv: boolean, ephemeral = false) =>
    `<secret ephemeral='${ephemeral ? 'yes' : 'no'}' private='${priv ? 'yes' : 'no'}'><description>libvirt-rpc test</description><usage type='volume'><volume>${id}</volume></usage></secret>`;
  const value = Uint8Array.from([0, 1, 2, 0xfe, 0xff, ...Buffer.from('s3cret')]);
  let uri: string;
  let conn: Connection;
  let secret: Secret;
  let priv: Secret;

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
  });
  after(async () => {
    if (uri) {
      for (const s of [secret, priv]) if (s) cleanup(uri, [{ target: 'secret', name: s.uuid, call: 'undefine' }]);
    }
    await conn?.close();
  });

  it('secretDefineXML defines a secret the C client reads; lookups by UUID string, raw UUID and usage find it', async () => {
    secret = await conn.secretDefineXML(secretXml(usage, false), 0);
    expect(secret).to.be.instanceOf(Secret);
    expect(secret.usageType).to.equal(VIR_SECRET_USAGE_TYPE_VOLUME);
    expect(secret.getUsageID()).to.equal(usage);
    const on = (call: string, args?: unknown[]): OracleCall => ({ target: 'secret', name: secret.uuid, call, ...(args ? { args } : {}) });
    const [uuid, usageType, usageID, xml, byUsage] = oracle(uri, [on('UUIDString'), on('usageType'), on('usageID'), on('XMLDesc', [0]), { call: 'secretLookupByUsage', args: [VIR_SECRET_USAGE_TYPE_VOLUME, usage] }]);
    expect(secret.getUUIDString()).to.equal(ok(uuid));
    expect(secret.getUUID()).to.deep.equal(uuidBytes(secret.uuid));
    expect(secret.getUsageType()).to.equal(ok(usageType));
    expect(secret.usageID).to.equal(ok(usageID));
    expect(await secret.getXMLDesc(0)).to.equal(ok(xml));
    expect(String(secret)).to.include(secret.uuid);
    expect(secret.getConnect()).to.equal(conn);
    expect((await conn.secretLookupByUUIDString(secret.uuid)).equals(secret)).to.equal(true);
    expect((await conn.secretLookupByUUID(secret.getUUID())).equals(secret)).to.equal(true);
    const found = await conn.secretLookupByUsage(VIR_SECRET_USAGE_TYPE_VOLUME, usage);
    expect(found.equals(secret)).to.equal(true);
    expect(found.uuid).to.equal(ok(byUsage));
  });

  it('setValue() stores bytes the C client reads back, and getValue() returns them', async () => {
    await secret.setValue(value, 0);
    const [theirs] = oracle(uri, [{ target: 'secret', name: secret.uuid, call: 'value', args: [0] }]);
    expect(ok(theirs)).to.deep.equal({ $bytes: Buffer.from(value).toString('base64') });
    const mine = await secret.getValue(0);
    expect(mine).to.be.instanceOf(Uint8Array);
    expect([...mine]).to.deep.equal([...value]);
  });

  it('a private secret\'s value is refused to us as to the C client', async () => {
    priv = await conn.secretDefineXML(secretXml(privateUsage, true), 0);
    await priv.setValue(Uint8Array.from([1, 2, 3]), 0);
    const [theirs] = oracle(uri, [{ target: 'secret', name: priv.uuid, call: 'value', args: [0] }]);
    await sameError(() => priv.getValue(0), theirs);
  });

  it('numOfSecrets, listSecrets and listAllSecrets (private/ephemeral filters) agree', async () => {
    const flags = [0, VIR_CONNECT_LIST_SECRETS_PRIVATE, VIR_CONNECT_LIST_SECRETS_NO_PRIVATE, VIR_CONNECT_LIST_SECRETS_EPHEMERAL, VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL];
    const lists = await agree(
      uri,
      async () => [await conn.numOfSecrets(), await conn.listSecrets(), ...(await Promise.all(flags.map(async (f) => sorted((await conn.listAllSecrets(f)).map((s) => s.uuid)))))],
      [{ call: 'numOfSecrets' }, { call: 'listSecrets' }, ...flags.map((f) => ({ call: 'listAllSecrets', args: [f] }))],
    );
    const has = (l: unknown, s: Secret) => (l as string[]).includes(s.uuid);
    // listSecrets, all, private, no-private, ephemeral, no-ephemeral
    expect(lists.slice(1).map((l) => has(l, secret))).to.deep.equal([true, true, false, true, false, true]);
    expect(lists.slice(1).map((l) => has(l, priv))).to.deep.equal([true, true, true, false, false, true]);
  });

  it('a second secret for the same usage fails with the C client\'s error; malformed XML too', async () => {
    const [dup, bad] = oracle(uri, [
      { call: 'secretDefineXML', args: [secretXml(usage, false), 0] },
      { call: 'secretDefineXML', args: ['<secret', 0] },
    ]);
    await sameError(() => conn.secretDefineXML(secretXml(usage, false), 0), dup);
    await sameError(() => conn.secretDefineXML('<secret', 0), bad);
  });

  it('undefine() removes both; lookups then fail as for the C client', async () => {
    await secret.undefine();
    await priv.undefine();
    const [byUuid, byUsage] = oracle(uri, [
      { call: 'secretLookupByUUIDString', args: [secret.uuid] },
      { call: 'secretLookupByUsage', args: [VIR_SECRET_USAGE_TYPE_VOLUME, usage] },
    ]);
    await sameError(() => conn.secretLookupByUUIDString(secret.uuid), byUuid, VIR_ERR_NO_SECRET);
    await sameError(() => conn.secretLookupByUsage(VIR_SECRET_USAGE_TYPE_VOLUME, usage), byUsage, VIR_ERR_NO_SECRET);
  });
});

describe('API resources: nwfilters and nwfilter bindings on qemu:///system (C client as oracle)', function () {
  this.timeout(60_000);
  const filterName = `rpc-filter-${PID}`;
  const portdev = `rpc${PID}`.slice(0, 15);
  const ownerUuid = randomUUID();
  const filterXml = `<filter name='${filterName}' chain='ipv4'>
  <rule action='accept' direction='out' priority='500'>
    <ip srcipaddr='192.0.2.1'/>
  </rule>
</filter>`;
  const bindingXml = `<filterbinding>
  <owner>
    <name>rpc-owner-${PID}</name>
    <uuid>${ownerUuid}</uuid>
  </owner>
  <portdev name='${portdev}'/>
  <mac address='52:54:00:12:34:56'/>
  <filterref filter='${filterName}'/>
</filterbinding>`;
  let uri: string;
  let conn: Connection;
  let filter: NWFilter;
  let binding: NWFilterBinding | undefined;

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
  });
  after(async () => {
    if (uri) {
      cleanup(uri, [
        { target: 'nwfilterBinding', name: portdev, call: 'delete' },
        { target: 'nwfilter', name: filterName, call: 'undefine' },
      ]);
    }
    await conn?.close();
  });

  it('nWFilterDefineXML defines a filter found by name, UUID string and raw UUID; XML agrees', async () => {
    filter = await conn.nWFilterDefineXML(filterXml);
    expect(filter).to.be.instanceOf(NWFilter);
    expect(filter.name).to.equal(filterName);
    const [uuid, xml] = oracle(uri, [
      { target: 'nwfilter', name: filterName, call: 'UUIDString' },
      { target: 'nwfilter', name: filterName, call: 'XMLDesc', args: [0] },
    ]);
    expect(filter.uuid).to.equal(ok(uuid));
    expect(filter.getUUIDString()).to.equal(ok(uuid));
    expect(filter.getName()).to.equal(filterName);
    expect(String(filter)).to.include(filterName);
    expect(await filter.getXMLDesc(0)).to.equal(ok(xml));
    expect((await conn.nWFilterLookupByName(filterName)).equals(filter)).to.equal(true);
    expect((await conn.nWFilterLookupByUUIDString(filter.uuid)).equals(filter)).to.equal(true);
    expect((await conn.nWFilterLookupByUUID(filter.getUUID())).equals(filter)).to.equal(true);
  });

  it('numOfNWFilters, listNWFilters and listAllNWFilters agree', async () => {
    const lists = await agree(
      uri,
      async () => [await conn.numOfNWFilters(), await conn.listNWFilters(), names(await conn.listAllNWFilters(0))],
      [{ call: 'numOfNWFilters' }, { call: 'listNWFilters' }, { call: 'listAllNWFilters', args: [0] }],
    );
    expect(lists[2]).to.include(filterName);
  });

  it('nWFilterBindingCreateXML binds a port; lookup, XML and listAllNWFilterBindings agree; delete() unbinds', async () => {
    binding = await conn.nWFilterBindingCreateXML(bindingXml, 0);
    expect(binding).to.be.instanceOf(NWFilterBinding);
    expect(binding.getPortDev()).to.equal(portdev);
    expect(binding.getFilterName()).to.equal(filterName);
    expect(String(binding)).to.include(portdev);
    const on = (call: string, args?: unknown[]): OracleCall => ({ target: 'nwfilterBinding', name: portdev, call, ...(args ? { args } : {}) });
    const [dev, fname, xml] = oracle(uri, [on('portDev'), on('filterName'), on('XMLDesc', [0])]);
    expect(binding.portdev).to.equal(ok(dev));
    expect(binding.filtername).to.equal(ok(fname));
    expect(await binding.getXMLDesc(0)).to.equal(ok(xml));
    expect((await conn.nWFilterBindingLookupByPortDev(portdev)).equals(binding)).to.equal(true);
    const lists = await agree(uri, async () => [sorted((await conn.listAllNWFilterBindings(0)).map((b) => b.portdev))], [{ call: 'listAllNWFilterBindings', args: [0] }]);
    expect(lists[0]).to.include(portdev);

    await binding.delete();
    const [gone] = oracle(uri, [{ call: 'nwfilterBindingLookupByPortDev', args: [portdev] }]);
    await sameError(() => conn.nWFilterBindingLookupByPortDev(portdev), gone, VIR_ERR_NO_NWFILTER_BINDING);
  });

  it('malformed filter XML fails with the C client\'s error', async () => {
    const [bad] = oracle(uri, [{ call: 'nwfilterDefineXML', args: ['<filter'] }]);
    await sameError(() => conn.nWFilterDefineXML('<filter'), bad);
  });

  it('nWFilterDefineXMLFlags redefines the filter in place (same UUID), as the C client sees', async () => {
    const changed = filterXml.replace('192.0.2.1', '192.0.2.2').replace("chain='ipv4'>", `chain='ipv4'>\n  <uuid>${filter.uuid}</uuid>`);
    const again = await conn.nWFilterDefineXMLFlags(changed, 0);
    expect(again.equals(filter)).to.equal(true);
    const [xml] = oracle(uri, [{ target: 'nwfilter', name: filterName, call: 'XMLDesc', args: [0] }]);
    expect(ok(xml)).to.include('192.0.2.2');
    expect(await again.getXMLDesc(0)).to.equal(ok(xml));
  });

  it('undefine() removes the filter; lookups then fail as for the C client', async () => {
    await filter.undefine();
    const [byName, byUuid] = oracle(uri, [
      { call: 'nwfilterLookupByName', args: [filterName] },
      { call: 'nwfilterLookupByUUIDString', args: [filter.uuid] },
    ]);
    await sameError(() => conn.nWFilterLookupByName(filterName), byName, VIR_ERR_NO_NWFILTER);
    await sameError(() => conn.nWFilterLookupByUUIDString(filter.uuid), byUuid, VIR_ERR_NO_NWFILTER);
  });
});

// ---------------------------------------------------------------------------------------------
// errors: the same mistakes give the same virError as through the C client (over TCP this time)

for (const [label, key] of [
  ['test:///default over tcp', 'TEST_TCP_URI'],
  ['qemu:///system over tcp', 'QEMU_TCP_URI'],
] as const) {
  describe(`API resources: errors on ${label} match the C client's`, function () {
    this.timeout(60_000);
    let uri: string;
    let conn: Connection;
    const missingUuid = '5c0d1f1e-0000-4000-8000-00000000beef';
    before(async () => {
      uri = sandboxEnv(key);
      conn = await connect(uri);
    });
    after(async () => {
      await conn?.close();
    });

    it('missing networks, pools, volumes, node devices and interfaces', async () => {
      const theirs = oracle(uri, [
        { call: 'networkLookupByName', args: ['no-such-network'] },
        { call: 'networkLookupByUUIDString', args: [missingUuid] },
        { call: 'storagePoolLookupByName', args: ['no-such-pool'] },
        { call: 'storagePoolLookupByUUIDString', args: [missingUuid] },
        { call: 'storageVolLookupByPath', args: ['/no/such/volume'] },
        { call: 'storageVolLookupByKey', args: ['/no/such/key'] },
        { call: 'nodeDeviceLookupByName', args: ['no_such_device'] },
        { call: 'interfaceLookupByName', args: ['nosuch0'] },
        { call: 'interfaceLookupByMACString', args: ['02:00:5e:10:99:99'] },
      ]);
      const ours: [() => Promise<unknown>, number][] = [
        [() => conn.networkLookupByName('no-such-network'), VIR_ERR_NO_NETWORK],
        [() => conn.networkLookupByUUIDString(missingUuid), VIR_ERR_NO_NETWORK],
        [() => conn.storagePoolLookupByName('no-such-pool'), VIR_ERR_NO_STORAGE_POOL],
        [() => conn.storagePoolLookupByUUIDString(missingUuid), VIR_ERR_NO_STORAGE_POOL],
        [() => conn.storageVolLookupByPath('/no/such/volume'), VIR_ERR_NO_STORAGE_VOL],
        [() => conn.storageVolLookupByKey('/no/such/key'), VIR_ERR_NO_STORAGE_VOL],
        [() => conn.nodeDeviceLookupByName('no_such_device'), VIR_ERR_NO_NODE_DEVICE],
        [() => conn.interfaceLookupByName('nosuch0'), VIR_ERR_NO_INTERFACE],
        [() => conn.interfaceLookupByMACString('02:00:5e:10:99:99'), VIR_ERR_NO_INTERFACE],
      ];
      for (const [i, [call, code]] of ours.entries()) {
        await sameError(call, theirs[i], code);
      }
    });

    it('missing secrets and nwfilters (or the driver\'s refusal)', async () => {
      const theirs = oracle(uri, [
        { call: 'secretLookupByUUIDString', args: [missingUuid] },
        { call: 'secretLookupByUsage', args: [VIR_SECRET_USAGE_TYPE_VOLUME, '/no/such/usage'] },
        { call: 'nwfilterLookupByName', args: ['no-such-filter'] },
        { call: 'nwfilterLookupByUUIDString', args: [missingUuid] },
        { call: 'nwfilterBindingLookupByPortDev', args: ['nosuch0'] },
      ]);
      const ours: (() => Promise<unknown>)[] = [
        () => conn.secretLookupByUUIDString(missingUuid),
        () => conn.secretLookupByUsage(VIR_SECRET_USAGE_TYPE_VOLUME, '/no/such/usage'),
        () => conn.nWFilterLookupByName('no-such-filter'),
        () => conn.nWFilterLookupByUUIDString(missingUuid),
        () => conn.nWFilterBindingLookupByPortDev('nosuch0'),
      ];
      for (const [i, call] of ours.entries()) await sameError(call, theirs[i]);
      const codes = theirs.map((r) => oracleError(r).code);
      if (key === 'QEMU_TCP_URI') expect(codes).to.deep.equal([VIR_ERR_NO_SECRET, VIR_ERR_NO_SECRET, VIR_ERR_NO_NWFILTER, VIR_ERR_NO_NWFILTER, VIR_ERR_NO_NWFILTER_BINDING]);
      else expect(codes.every((c) => c === VIR_ERR_NO_SUPPORT)).to.equal(true);
    });

    it('malformed network XML', async () => {
      const [theirs] = oracle(uri, [{ call: 'networkDefineXML', args: ['<network><nam'] }]);
      await sameError(() => conn.networkDefineXML('<network><nam'), theirs);
    });

    it('a malformed UUID string is refused on the client side with the C client\'s code', async () => {
      const bad = 'not-a-uuid';
      const theirs = oracle(uri, [
        { call: 'networkLookupByUUIDString', args: [bad] },
        { call: 'storagePoolLookupByUUIDString', args: [bad] },
        { call: 'secretLookupByUUIDString', args: [bad] },
      ]);
      const ours = [() => conn.networkLookupByUUIDString(bad), () => conn.storagePoolLookupByUUIDString(bad), () => conn.secretLookupByUUIDString(bad)];
      for (const [i, call] of ours.entries()) {
        const expected = oracleError(theirs[i]);
        expect(expected.code).to.equal(VIR_ERR_INVALID_ARG);
        const e = await rejection(call());
        expect(e.code, e.message).to.equal(expected.code);
      }
    });
  });
}
