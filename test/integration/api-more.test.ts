// More of the API layer against a real libvirtd: the remote procedures the domain and resource
// suites leave out (vCPU and emulator pinning, IOThreads, block and interface statistics, peeks,
// device hotplug, block jobs, save/restore and managed save, core dumps, checkpoints and backups,
// job and migration tunables, perf events, security labels, lifecycle actions, the guest-agent
// calls, consoles and channels, network ports, interface transactions, node devices, CPU
// comparison, native config conversion, host memory). Each read is compared with the same call
// through libvirt's own C client (python3-libvirt) on the same daemon, each state change is checked
// by its effect as the C client sees it, and where the environment cannot do the operation (no
// guest agent, no SEV, a driver without the function) both clients must fail the same way.
// Runs on test:///default over unix and on a small real QEMU guest on qemu:///system.
import { expect } from 'chai';
import { cleanupDomains } from '../support/oracle.js';
import { rejection } from '../support/expect.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { Domain, DomainCheckpoint, Interface, NetworkPort, NodeDevice, type Network, type StoragePool } from '../../src/api/objects.js';
import {
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_BLOCK_COMMIT_ACTIVE,
  VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB,
  VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT,
  VIR_DOMAIN_BLOCK_JOB_TYPE_COPY,
  VIR_DOMAIN_BLOCK_RESIZE_BYTES,
  VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
  VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
  VIR_DUMP_MEMORY_ONLY,
  VIR_DOMAIN_DEFINE_VALIDATE,
  VIR_DOMAIN_DESTROY_GRACEFUL,
  VIR_DOMAIN_DEVICE_MODIFY_CONFIG,
  VIR_DOMAIN_DEVICE_MODIFY_LIVE,
  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
  VIR_DOMAIN_JOB_NONE,
  VIR_DOMAIN_JOB_UNBOUNDED,
  VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
  VIR_DOMAIN_LIFECYCLE_POWEROFF,
  VIR_DOMAIN_MESSAGE_TAINTING,
  VIR_DOMAIN_RUNNING,
  VIR_DOMAIN_SAVE_PAUSED,
  VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN,
  VIR_DOMAIN_STATS_BLOCK,
  VIR_DOMAIN_STATS_IOTHREAD,
  VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_ERR_AGENT_UNRESPONSIVE,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_DOMAIN_CHECKPOINT,
  VIR_ERR_NO_INTERFACE,
  VIR_ERR_NO_NETWORK_PORT,
  VIR_ERR_NO_NODE_DEVICE,
  VIR_ERR_NO_SUPPORT,
  VIR_ERR_OPERATION_INVALID,
  VIR_KEYCODE_SET_LINUX,
  VIR_MEMORY_PHYSICAL,
  VIR_NODE_ALLOC_PAGES_ADD,
  VIR_NODE_SUSPEND_TARGET_MEM,
} from '../../src/apixml/generated/constants.js';
import { moreOracle, type MoreOracleCall } from '../support/more-oracle.js';
import type { OracleError, OracleResult } from '../support/oracle.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';

const PREFIX = `apimore-${process.pid}`;
const UNDEFINE_ALL = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;

const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

/** The C client's value of a call that must have succeeded. */
function okOf(r: OracleResult | undefined): unknown {
  if (!r || !('ok' in r)) throw new Error(`the C client's call failed: ${show(r)}`);
  return r.ok;
}

/** The C client's error of a call that must have failed. */
function errOf(r: OracleResult | undefined): OracleError {
  if (!r || !('error' in r)) throw new Error(`expected the C client's call to fail, got ${show(r)}`);
  expect(r.error, 'a libvirtError, not a Python exception').to.have.property('code');
  return r.error;
}

/** Integers in one form (number when safe, else bigint) so our bigints compare with the C client's ints. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

const sorted = <T>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

/** Bytes the C client returned ({"$bytes": base64}). */
function bytesOf(v: unknown): Buffer {
  return Buffer.from((v as { $bytes: string }).$bytes, 'base64');
}

/** The CPU map of `n` CPUs starting at byte `offset` as booleans, as libvirt-python returns maps. */
/** A CPU map (VIR_CPU_MAPLEN bytes) from booleans. */
function cpumap(cpus: boolean[]): Uint8Array {
  const m = new Uint8Array(Math.ceil(cpus.length / 8));
  cpus.forEach((on, i) => {
    if (on) m[i >> 3]! |= 1 << (i & 7);
  });
  return m;
}

/** A tuple for libvirt-python (its CPU-map arguments must be tuples, not lists). */
const tuple = (xs: unknown[]): { $tuple: unknown[] } => ({ $tuple: xs });

/** Our error carries what the C client's does for the same mistake. */
function expectSameError(ours: LibvirtError, theirs: OracleResult | undefined): void {
  const t = errOf(theirs);
  expect({ code: ours.code, domain: ours.domain, message: ours.message }).to.deep.equal({ code: t.code, domain: t.domain, message: t.message });
}

/**
 * The C client's outcome came first: when it failed we must fail with its error; when it succeeded
 * we must succeed too, and `compare` checks our value against its.
 */
async function sameOutcome<T>(theirs: OracleResult | undefined, ours: () => Promise<T>, compare?: (mine: T, their: unknown) => void): Promise<T | undefined> {
  if (theirs && 'error' in theirs) {
    expectSameError(await rejection(ours()), theirs);
    return undefined;
  }
  const mine = await ours();
  compare?.(mine, okOf(theirs));
  return mine;
}

/** Ours first, then the C client's (for calls that change state only when they succeed). */
async function oursThenTheirs<T>(ours: () => Promise<T>, theirs: () => OracleResult | undefined, compare?: (mine: T, their: unknown) => void): Promise<{ ok: true; value: T } | { ok: false; error: LibvirtError }> {
  let outcome: { ok: true; value: T } | { ok: false; error: LibvirtError };
  try {
    outcome = { ok: true, value: await ours() };
  } catch (e) {
    expect(e).to.be.instanceOf(LibvirtError);
    outcome = { ok: false, error: e as LibvirtError };
  }
  const t = theirs();
  if (outcome.ok) compare?.(outcome.value, okOf(t));
  else expectSameError(outcome.error, t);
  return outcome;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Element-wise: every field of `mid` lies between `lo` and `hi` (counters that only grow). */
function between(lo: unknown[], mid: unknown[], hi: unknown[], what: string): void {
  expect(mid.length, what).to.equal(lo.length);
  mid.forEach((m, i) => {
    const [a, b, c] = [BigInt(lo[i] as number | bigint), BigInt(m as number | bigint), BigInt(hi[i] as number | bigint)];
    expect(a <= b && b <= c, `${what}[${i}]: ${a} <= ${b} <= ${c}`).to.equal(true);
  });
}

/** virDomainMemoryStatTags by number, as libvirt-python names them in memoryStats(). */
const MEMORY_STAT_NAMES = ['swap_in', 'swap_out', 'major_fault', 'minor_fault', 'unused', 'available', 'actual', 'rss', 'usable', 'last_update', 'disk_caches', 'hugetlb_pgalloc', 'hugetlb_pgfail'];


describe('API more: domains, interfaces, node devices and host calls on test:///default (C client as oracle)', function () {
  this.timeout(60_000);
  let uri: string;
  let conn: Connection;
  let dom: Domain;
  let ifname: string;
  let dir: string;
  const name = `${PREFIX}-t`;
  const names = new Set<string>([name]);
  const O = (calls: MoreOracleCall[]): OracleResult[] => moreOracle(uri, calls);
  const dcall = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'domain', name, call, args });
  const xml = (n: string): string =>
    `<domain type='test'><name>${n}</name><memory>8192</memory><vcpu>2</vcpu><os><type>hvm</type></os><devices>` +
    `<disk type='file' device='disk'><source file='/guest/${n}.img'/><target dev='vda' bus='virtio'/></disk>` +
    `<interface type='network'><source network='default'/></interface></devices></domain>`;

  before(async () => {
    uri = sandboxEnv('TEST_UNIX_URI');
    conn = await connect(uri);
    dir = mkdtempSync(join(tmpdir(), 'lvrpc-more-test-'));
    cleanupDomains(uri, names, UNDEFINE_ALL);
    dom = await conn.domainDefineXML(xml(name));
    await dom.create();
    ifname = /<target dev='([^']+)'\/>\s*<\/interface>/.exec(await dom.getXMLDesc(0))?.[1] ?? '';
    expect(ifname).to.not.equal('');
  });
  after(async () => {
    cleanupDomains(uri, names, UNDEFINE_ALL);
    rmSync(dir, { recursive: true, force: true });
    await conn?.close();
  });

  it('getURI is the C client\'s getURI(); REMOTE_PROC_CONNECT_GET_URI answers the daemon\'s own URI for the driver', async () => {
    const [theirs] = O([{ call: 'getURI' }]);
    // virConnectGetURI answers the URI the client opened, without asking the daemon ...
    expect(await conn.getURI()).to.equal(okOf(theirs));
    // ... while the procedure (which libvirt's remote driver uses to learn the URI the daemon
    // probed when it was opened without one) answers the daemon-side URI.
    const raw = await conn.call('REMOTE_PROC_CONNECT_GET_URI');
    expect(raw.uri).to.equal('test:///default');
  });

  it('getVcpus, pinVcpu, pinVcpuFlags, getVcpuPinInfo, pinEmulator, getEmulatorPinInfo and setVcpus agree with the C client', async () => {
    const [vcpus] = O([dcall('vcpus')]);
    const [infos, maps] = okOf(vcpus) as [[number, number, number | bigint, number][], boolean[][]];
    const ncpus = maps[0]!.length;
    const maplen = Math.ceil(ncpus / 8);
    const info = await dom.getInfo();
    const got = await dom.getVcpus(info.nrVirtCpu, maplen);
    expect(got.info.map((v) => [v.number, v.state, v.cpu])).to.deep.equal(infos.map(([n, s, , c]) => [n, s, c]));
    for (const v of got.info) expect(v.cpuTime).to.be.a('bigint');
    expect(got.cpumaps).to.deep.equal(maps);
    // The buffer sizes are optional: by default every vCPU and every host CPU, as libvirt-python.
    const all = await dom.getVcpus();
    expect(all.info.map((v) => [v.number, v.state, v.cpu])).to.deep.equal(infos.map(([n, s, , c]) => [n, s, c]));
    expect(all.cpumaps).to.deep.equal(maps);

    const only = (cpu: number): boolean[] => Array.from({ length: ncpus }, (_, i) => i === cpu);
    await dom.pinVcpu(0, cpumap(only(0)));
    await dom.pinVcpuFlags(1, cpumap(only(1)), 0);
    const [pins] = O([dcall('vcpuPinInfo', 0)]);
    expect(okOf(pins)).to.deep.equal([only(0), only(1)]);
    expect(await dom.getVcpuPinInfo(2, maplen, 0)).to.deep.equal(okOf(pins));
    expect(await dom.getVcpuPinInfo()).to.deep.equal(okOf(pins));
    // The C client pins vCPU 0 back to every CPU: we read its change.
    O([dcall('pinVcpuFlags', 0, tuple(maps[0]!), 0)]);
    expect((await dom.getVcpuPinInfo(2, maplen, 0))[0]).to.deep.equal(maps[0]);

    await dom.pinEmulator(cpumap(only(1)), VIR_DOMAIN_AFFECT_LIVE);
    const [emu] = O([dcall('emulatorPinInfo', 0)]);
    expect(okOf(emu)).to.deep.equal(only(1));
    expect(await dom.getEmulatorPinInfo(maplen, 0)).to.deep.equal(okOf(emu));
    expect(await dom.getEmulatorPinInfo()).to.deep.equal(okOf(emu));

    await dom.setVcpus(1);
    const [after] = O([dcall('info')]);
    expect((okOf(after) as number[])[3]).to.equal(1);
    expect((await dom.getInfo()).nrVirtCpu).to.equal(1);
    await dom.setVcpus(2);
  });

  it('blockStats and interfaceStats lie between two readings of the C client (the test driver derives them from the clock)', async () => {
    const [b1, i1] = O([dcall('blockStats', 'vda'), dcall('interfaceStats', ifname)]);
    const block = await dom.blockStats('vda');
    const iface = await dom.interfaceStats(ifname);
    const [b2, i2] = O([dcall('blockStats', 'vda'), dcall('interfaceStats', ifname)]);
    between(okOf(b1) as unknown[], [block.rd_req, block.rd_bytes, block.wr_req, block.wr_bytes, block.errs], okOf(b2) as unknown[], 'blockStats');
    between(okOf(i1) as unknown[], [iface.rx_bytes, iface.rx_packets, iface.rx_errs, iface.rx_drop, iface.tx_bytes, iface.tx_packets, iface.tx_errs, iface.tx_drop], okOf(i2) as unknown[], 'interfaceStats');
    expect(block.rd_req).to.be.a('bigint');
    const [missing, flagsStats] = O([dcall('interfaceStats', 'nosuch0'), dcall('blockStatsFlags', 'vda', 0)]);
    expectSameError(await rejection(dom.interfaceStats('nosuch0')), missing);
    await sameOutcome(flagsStats, () => dom.blockStatsFlags('vda', 0), (mine, theirs) => expect(plain(mine)).to.deep.equal(plain(theirs)));
  });

  it('memoryStats, setMemoryStatsPeriod, getBlockInfo, getBlockIoTune, setBlockIoTune, memoryPeek and blockPeek agree', async () => {
    const [mem, period, blockInfo, tune, peek, blockPeek] = O([
      dcall('memoryStats'),
      dcall('setMemoryStatsPeriod', 5, VIR_DOMAIN_AFFECT_LIVE),
      dcall('blockInfo', 'vda', 0),
      dcall('blockIoTune', 'vda', 0),
      dcall('memoryPeek', 0, 16, VIR_MEMORY_PHYSICAL),
      dcall('blockPeek', 'vda', 0, 16, 0),
    ]);
    // Keyed as libvirt-python keys them; nr_stats (C's buffer size) is optional.
    expect(plain({ ...(await dom.memoryStats()) })).to.deep.equal(plain(okOf(mem)));
    expect(plain({ ...(await dom.memoryStats(MEMORY_STAT_NAMES.length, 0)) })).to.deep.equal(plain(okOf(mem)));
    await sameOutcome(period, () => dom.setMemoryStatsPeriod(5, VIR_DOMAIN_AFFECT_LIVE));
    const bi = await dom.getBlockInfo('vda', 0);
    expect(plain([bi.capacity, bi.allocation, bi.physical])).to.deep.equal(plain(okOf(blockInfo)));
    expect(plain(await dom.getBlockIoTune('vda', 0))).to.deep.equal(plain(okOf(tune)));
    expect(Buffer.from(await dom.memoryPeek(0n, 16, VIR_MEMORY_PHYSICAL))).to.deep.equal(bytesOf(okOf(peek)));
    await sameOutcome(blockPeek, () => dom.blockPeek('vda', 0n, 16, 0));

    // Both limits at once (the test driver checks total_bytes_sec against total_bytes_sec_max).
    const limits = { total_bytes_sec: 2_000_000n, total_bytes_sec_max: 4_000_000n };
    const [set] = O([dcall('setBlockIoTune', 'vda', plain(limits), VIR_DOMAIN_AFFECT_LIVE)]);
    await sameOutcome(set, () => dom.setBlockIoTune('vda', limits, VIR_DOMAIN_AFFECT_LIVE));
    const [tuned] = O([dcall('blockIoTune', 'vda', 0)]);
    expect(plain(await dom.getBlockIoTune('vda', 0))).to.deep.equal(plain(okOf(tuned)));
  });

  it('getControlInfo, isUpdated, getDiskErrors and getSecurityLabel agree', async () => {
    const [control, updated, diskErrors, label] = O([dcall('controlInfo', 0), dcall('isUpdated'), dcall('diskErrors', 0), dcall('securityLabel')]);
    const ci = await dom.getControlInfo(0);
    expect(plain([ci.state, ci.details, ci.stateTime])).to.deep.equal(okOf(control));
    expect(await dom.isUpdated()).to.equal(Boolean(okOf(updated)));
    const errors = await dom.getDiskErrors();
    expect(Object.fromEntries(errors.map((e) => [e.disk, e.error]))).to.deep.equal(okOf(diskErrors));
    expect(await dom.getDiskErrors(16, 0)).to.deep.equal(errors);
    const l = await dom.getSecurityLabel();
    expect([l.label, Boolean(l.enforcing)]).to.deep.equal(okOf(label));
  });

  it('getSecurityLabelList fails as for the C client (the daemon answers ret = -1 with no labels and no error)', async () => {
    const [labels] = O([dcall('securityLabelList')]);
    await sameOutcome(labels, () => dom.getSecurityLabelList(), (mine, theirs) => expect(mine.map((x) => [x.label, Boolean(x.enforcing)])).to.deep.equal(theirs));
  });

  it('sendKey, injectNMI and reset succeed as for the C client', async () => {
    const [key, nmi, reset] = O([dcall('sendKey', VIR_KEYCODE_SET_LINUX, 10, [30], 1, 0), dcall('injectNMI', 0), dcall('reset', 0)]);
    await sameOutcome(key, () => dom.sendKey(VIR_KEYCODE_SET_LINUX, 10, [30], 0));
    await sameOutcome(nmi, () => dom.injectNMI(0));
    await sameOutcome(reset, () => dom.reset(0));
    expect((await dom.getState(0)).state).to.equal(VIR_DOMAIN_RUNNING);
  });

  it('addIOThread, pinIOThread, setIOThreadParams, getIOThreadInfo and delIOThread: the C client sees each change', async () => {
    const [ioThreads] = O([dcall('ioThreadInfo', 0)]);
    expect(okOf(ioThreads)).to.deep.equal([]);
    expect(await dom.getIOThreadInfo(0)).to.deep.equal([]);
    const [vcpus] = O([dcall('vcpus')]);
    const ncpus = (okOf(vcpus) as [unknown, boolean[][]])[1][0]!.length;
    await dom.addIOThread(7, VIR_DOMAIN_AFFECT_LIVE);
    const pin = Array.from({ length: ncpus }, (_, i) => i === 1);
    await dom.pinIOThread(7, cpumap(pin), VIR_DOMAIN_AFFECT_LIVE);
    await dom.setIOThreadParams(7, { poll_max_ns: 1000n }, VIR_DOMAIN_AFFECT_LIVE);
    const [info] = O([dcall('ioThreadInfo', 0)]);
    expect(okOf(info)).to.deep.equal([[7, pin]]);
    const mine = await dom.getIOThreadInfo(0);
    expect(mine.map((t) => [t.iothread_id, t.cpumap])).to.deep.equal(okOf(info));
    await dom.delIOThread(7, VIR_DOMAIN_AFFECT_LIVE);
    expect(okOf(O([dcall('ioThreadInfo', 0)])[0])).to.deep.equal([]);
    const [gone] = O([dcall('delIOThread', 7, VIR_DOMAIN_AFFECT_LIVE)]);
    expectSameError(await rejection(dom.delIOThread(7, VIR_DOMAIN_AFFECT_LIVE)), gone);
  });

  it('getPerfEvents/setPerfEvents, setBlkioParameters, setNumaParameters and interface parameters agree', async () => {
    const [perf] = O([dcall('perfEvents', 0)]);
    expect(await dom.getPerfEvents(0)).to.deep.equal(okOf(perf));
    const [setPerf] = O([dcall('setPerfEvents', { cmt: false, cpu_cycles: false }, VIR_DOMAIN_AFFECT_LIVE)]);
    await sameOutcome(setPerf, () => dom.setPerfEvents({ cmt: false, cpu_cycles: false }, VIR_DOMAIN_AFFECT_LIVE));

    await dom.setBlkioParameters({ weight: 321 }, VIR_DOMAIN_AFFECT_LIVE);
    expect((okOf(O([dcall('blkioParameters', 0)])[0]) as Record<string, unknown>).weight).to.equal(321);

    const [numa, numaGet] = O([dcall('setNumaParameters', { numa_mode: 1 }, VIR_DOMAIN_AFFECT_LIVE), dcall('numaParameters', 0)]);
    await sameOutcome(numa, () => dom.setNumaParameters({ numa_mode: 1 }, VIR_DOMAIN_AFFECT_LIVE));
    expect(plain(await dom.getNumaParameters(0))).to.deep.equal(plain(okOf(numaGet)));

    const [ifGet] = O([dcall('interfaceParameters', ifname, 0)]);
    await sameOutcome(ifGet, () => dom.getInterfaceParameters(ifname, 0), (mine, theirs) => expect(plain(mine)).to.deep.equal(plain(theirs)));
    await oursThenTheirs(
      () => dom.setInterfaceParameters(ifname, { 'inbound.average': 1000 }, VIR_DOMAIN_AFFECT_LIVE),
      () => O([dcall('interfaceParameters', ifname, 0)])[0],
      (_mine, theirs) => expect((theirs as Record<string, unknown>)['inbound.average']).to.equal(1000),
    );
  });

  it('setLifecycleAction changes <on_poweroff> as the C client sees', async () => {
    await dom.setLifecycleAction(VIR_DOMAIN_LIFECYCLE_POWEROFF, VIR_DOMAIN_LIFECYCLE_ACTION_RESTART, VIR_DOMAIN_AFFECT_LIVE);
    expect(okOf(O([dcall('XMLDesc', 0)])[0])).to.include('<on_poweroff>restart</on_poweroff>');
  });

  it('getHostname, getTime, setTime, getFSInfo and interfaceAddresses (the test driver\'s fake agent) agree', async () => {
    const [host, time, fs, addrs] = O([dcall('hostname', 0), dcall('getTime', 0), dcall('fsInfo', 0), dcall('interfaceAddresses', VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0)]);
    expect(await dom.getHostname(0)).to.equal(okOf(host));
    const t = await dom.getTime(0);
    expect(plain({ seconds: t.seconds, nseconds: t.nseconds })).to.deep.equal(okOf(time));
    expect((await dom.getFSInfo(0)).map((f) => [f.mountpoint, f.name, f.fstype, f.devAlias])).to.deep.equal(okOf(fs));
    const ifaces = await dom.interfaceAddresses(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
    expect(Object.fromEntries(ifaces.map((i) => [i.name, { addrs: i.addrs.map((a) => ({ addr: a.addr, prefix: a.prefix, type: a.type })), hwaddr: i.hwaddr }]))).to.deep.equal(okOf(addrs));
    const [setTime] = O([dcall('setTime', { seconds: 1_000_000, nseconds: 5 }, 0)]);
    await sameOutcome(setTime, () => dom.setTime(1_000_000n, 5, 0));
  });

  it('getGuestVcpus, getGuestInfo, getLaunchSecurityInfo and nodeGetSEVInfo fail as for the C client (the test driver lacks them)', async () => {
    const [vcpus, info, launch, sev] = O([
      { ...dcall('guestVcpus', 0), errorOnNone: true },
      dcall('guestInfo', 0, 0),
      dcall('launchSecurityInfo', 0),
      { call: 'getSEVInfo', args: [0] },
    ]);
    expectSameError(await rejection(dom.getGuestVcpus(0)), vcpus);
    expectSameError(await rejection(dom.getGuestInfo(0, 0)), info);
    // libvirt's library in the daemon adds VIR_TYPED_PARAM_STRING_OKAY, which the test driver refuses.
    expectSameError(await rejection(dom.getLaunchSecurityInfo(0)), launch);
    expectSameError(await rejection(conn.nodeGetSEVInfo(0)), sev);
  });

  it('coreDump and coreDumpWithFormat write the same dump as the C client\'s', async () => {
    const [a, b] = [join(dir, 'theirs.core'), join(dir, 'theirs-raw.core')];
    const [dump, dumpRaw] = O([dcall('coreDump', a, 0), dcall('coreDumpWithFormat', b, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, 0)]);
    okOf(dump);
    okOf(dumpRaw);
    await dom.coreDump(join(dir, 'ours.core'), 0);
    await dom.coreDumpWithFormat(join(dir, 'ours-raw.core'), VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, 0);
    expect(readFileSync(join(dir, 'ours.core'))).to.deep.equal(readFileSync(a));
    expect(readFileSync(join(dir, 'ours-raw.core'))).to.deep.equal(readFileSync(b));
    expect((await dom.getState(0)).state).to.equal(VIR_DOMAIN_RUNNING);
  });

  it('save, domainSaveImageGetXMLDesc, domainSaveImageDefineXML, domainRestore, saveFlags and domainRestoreFlags: each effect as the C client sees', async () => {
    const file = join(dir, 'save.img');
    await dom.save(file);
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    const [image] = O([{ call: 'saveImageGetXMLDesc', args: [file, 0] }]);
    const saved = await conn.domainSaveImageGetXMLDesc(file, 0);
    expect(saved).to.equal(okOf(image));
    expect(saved).to.include(`<name>${name}</name>`);
    await conn.domainSaveImageDefineXML(file, saved.replace('</name>', '</name><description>saved by libvirt-rpc</description>'), 0);
    expect(okOf(O([{ call: 'saveImageGetXMLDesc', args: [file, 0] }])[0])).to.include('<description>saved by libvirt-rpc</description>');
    await conn.domainRestore(file);
    let r = O([dcall('state', 0), dcall('XMLDesc', 0)]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
    expect(okOf(r[1])).to.include('<description>saved by libvirt-rpc</description>');

    const file2 = join(dir, 'save2.img');
    await dom.saveFlags(file2, null, 0);
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    // The test driver takes no flags here (VIR_DOMAIN_SAVE_PAUSED is refused, for the C client too).
    const [paused] = O([{ call: 'restoreFlags', args: [file2, null, VIR_DOMAIN_SAVE_PAUSED] }]);
    expectSameError(await rejection(conn.domainRestoreFlags(file2, null, VIR_DOMAIN_SAVE_PAUSED)), paused);
    await conn.domainRestoreFlags(file2, null, 0);
    r = O([dcall('state', 0)]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);

    const [missing] = O([{ call: 'restore', args: [join(dir, 'nosuch.img')] }]);
    expectSameError(await rejection(conn.domainRestore(join(dir, 'nosuch.img'))), missing);
  });

  it('managedSave and managedSaveRemove: the C client sees the image come and go; managedSaveGetXMLDesc/DefineXML fail as for it', async () => {
    await dom.managedSave(0);
    let r = O([dcall('hasManagedSaveImage', 0), dcall('state', 0), dcall('managedSaveGetXMLDesc', 0), dcall('managedSaveDefineXML', null, 0)]);
    expect([okOf(r[0]), (okOf(r[1]) as number[])[0]]).to.deep.equal([1, VIR_DOMAIN_SHUTOFF]);
    expect(await dom.hasManagedSaveImage(0)).to.equal(true);
    await sameOutcome(r[2], () => dom.managedSaveGetXMLDesc(0), (mine, theirs) => expect(mine).to.equal(theirs));
    await sameOutcome(r[3], () => dom.managedSaveDefineXML(null, 0));
    await dom.managedSaveRemove(0);
    r = O([dcall('hasManagedSaveImage', 0)]);
    expect(okOf(r[0])).to.equal(0);
    await dom.create();
  });

  it('shutdownFlags, destroyFlags, rename and domainDefineXMLFlags: the C client sees each effect', async () => {
    await dom.shutdownFlags(0);
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    await dom.create();
    await dom.destroyFlags(VIR_DOMAIN_DESTROY_GRACEFUL);
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);

    const renamed = `${PREFIX}-t-renamed`;
    names.add(renamed);
    expect(await dom.rename(renamed, 0)).to.equal(0);
    let r = O([{ call: 'lookupByName', args: [name] }, { target: 'domain', name: renamed, call: 'UUIDString' }]);
    expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_DOMAIN);
    expect(okOf(r[1])).to.equal(dom.uuid);
    const back = await conn.domainLookupByName(renamed);
    await back.rename(name, 0);

    // Redefine with a title, validated against the schema.
    const redefined = await conn.domainDefineXMLFlags(xml(name).replace('</name>', `</name><uuid>${dom.uuid}</uuid><title>more</title>`), VIR_DOMAIN_DEFINE_VALIDATE);
    expect(redefined).to.be.instanceOf(Domain);
    expect(redefined.uuid).to.equal(dom.uuid);
    r = O([dcall('XMLDesc', 0), { call: 'defineXMLFlags', args: [`<domain type='test'><name>${PREFIX}-bad</name><bogus/></domain>`, VIR_DOMAIN_DEFINE_VALIDATE] }]);
    expect(okOf(r[0])).to.include('<title>more</title>');
    expectSameError(await rejection(conn.domainDefineXMLFlags(`<domain type='test'><name>${PREFIX}-bad</name><bogus/></domain>`, VIR_DOMAIN_DEFINE_VALIDATE)), r[1]);
    await dom.create();
  });

  it('checkpointCreateXML, checkpointLookupByName, listAllCheckpoints, getXMLDesc, getParent, listAllChildren and delete agree', async () => {
    const c1 = await dom.checkpointCreateXML('<domaincheckpoint><name>c1</name><description>first</description></domaincheckpoint>', 0);
    expect(c1).to.be.instanceOf(DomainCheckpoint);
    expect(c1.getName()).to.equal('c1');
    expect(c1.domain.equals(dom)).to.equal(true);
    const c2 = await dom.checkpointCreateXML('<domaincheckpoint><name>c2</name></domaincheckpoint>', 0);
    const ck = (n: string, call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'checkpoint', domain: name, name: n, call, args });
    const r = O([dcall('listAllCheckpoints', 0), ck('c1', 'getXMLDesc', 0), ck('c2', 'getXMLDesc', 0), ck('c2', 'getParent', 0), ck('c1', 'listAllChildren', 0), ck('c2', 'getParent', 0)]);
    expect(sorted((await dom.listAllCheckpoints(0)).map((c) => c.name))).to.deep.equal(sorted(okOf(r[0]) as string[]));
    expect((await dom.checkpointLookupByName('c1', 0)).equals(c1)).to.equal(true);
    expect(await c1.getXMLDesc(0)).to.equal(okOf(r[1]));
    expect(await c2.getXMLDesc(0)).to.equal(okOf(r[2]));
    expect((await c2.getParent(0)).name).to.equal(okOf(r[3]));
    expect((await c1.listAllChildren(0)).map((c) => c.name)).to.deep.equal(okOf(r[4]));
    const [noParent] = O([ck('c1', 'getParent', 0)]);
    expectSameError(await rejection(c1.getParent(0)), noParent);

    await c2.delete(0);
    await c1.delete(0);
    const [list, gone] = O([dcall('listAllCheckpoints', 0), dcall('checkpointLookupByName', 'c1', 0)]);
    expect(okOf(list)).to.deep.equal([]);
    const e = await rejection(dom.checkpointLookupByName('c1', 0));
    expect(e.code).to.equal(VIR_ERR_NO_DOMAIN_CHECKPOINT);
    expectSameError(e, gone);
  });

  it('DomainSnapshot.listChildrenNames agrees with the C client', async () => {
    const s1 = await dom.snapshotCreateXML('<domainsnapshot><name>s1</name></domainsnapshot>', 0);
    await dom.snapshotCreateXML('<domainsnapshot><name>s2</name></domainsnapshot>', 0);
    await dom.snapshotCreateXML('<domainsnapshot><name>s3</name></domainsnapshot>', 0);
    try {
      const sc = (n: string, call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'snapshot', domain: name, name: n, call, args });
      const r = O([sc('s1', 'listChildrenNames', 0), sc('s2', 'listChildrenNames', 0), sc('s3', 'listChildrenNames', 0)]);
      expect(await s1.listChildrenNames(10, 0)).to.deep.equal(okOf(r[0]));
      expect(okOf(r[0])).to.deep.equal(['s2']);
      expect(await (await dom.snapshotLookupByName('s2', 0)).listChildrenNames(10, 0)).to.deep.equal(okOf(r[1]));
      expect(await (await dom.snapshotLookupByName('s3', 0)).listChildrenNames(10, 0)).to.deep.equal([]);
    } finally {
      await s1.delete(VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN);
    }
  });

  it('saveParams and domainRestoreParams fail as for the C client (the test driver lacks them)', async () => {
    const file = join(dir, 'params.img');
    const [save, restore] = O([dcall('saveParams', { file }, 0), { call: 'restoreParams', args: [{ file }, 0] }]);
    expectSameError(await rejection(dom.saveParams({ file }, 0)), save);
    expectSameError(await rejection(conn.domainRestoreParams({ file }, 0)), restore);
  });

  it('findStoragePoolSources agrees; domainXMLFromNative, domainXMLToNative and nodeDeviceLookupSCSIHostByWWN fail as for the C client', async () => {
    const domXml = await dom.getXMLDesc(0);
    const [sources, from, to, wwn] = O([
      { call: 'findStoragePoolSources', args: ['logical', null, 0] },
      { call: 'domainXMLFromNative', args: ['qemu-argv', 'qemu-system-x86_64 -m 64', 0] },
      { call: 'domainXMLToNative', args: ['qemu-argv', domXml, 0] },
      { call: 'nodeDeviceLookupSCSIHostByWWN', args: ['2000000012341234', '1000000012341234', 0] },
    ]);
    expect(await conn.findStoragePoolSources('logical', null, 0)).to.equal(okOf(sources));
    expectSameError(await rejection(conn.domainXMLFromNative('qemu-argv', 'qemu-system-x86_64 -m 64', 0)), from);
    expectSameError(await rejection(conn.domainXMLToNative('qemu-argv', domXml, 0)), to);
    expectSameError(await rejection(conn.nodeDeviceLookupSCSIHostByWWN('2000000012341234', '1000000012341234', 0)), wwn);
  });

  describe('interfaces: a transaction with interfaceChangeBegin/Commit/Rollback', () => {
    const ifName = `mr${process.pid % 100000}`;
    const ifXml = `<interface type='ethernet' name='${ifName}'><start mode='onboot'/><mac address='aa:bb:cc:00:11:22'/><protocol family='ipv4'><ip address='192.168.77.2' prefix='24'/></protocol></interface>`;
    let inTransaction = false;
    after(async () => {
      if (inTransaction) await conn.interfaceChangeRollback(0).catch(() => undefined);
      try {
        O([{ target: 'interface', name: ifName, call: 'destroy', args: [0] }, { target: 'interface', name: ifName, call: 'undefine' }]);
      } catch {
        // nothing to clean
      }
    });

    it('interfaceDefineXML, create, destroy and undefine inside a transaction; a second begin fails as for the C client; rollback forgets the interface', async () => {
      await conn.interfaceChangeBegin(0);
      inTransaction = true;
      const [again] = O([{ call: 'changeBegin', args: [0] }]);
      expectSameError(await rejection(conn.interfaceChangeBegin(0)), again);

      const iface = await conn.interfaceDefineXML(ifXml, 0);
      expect(iface).to.be.instanceOf(Interface);
      expect(iface.name).to.equal(ifName);
      let r = O([{ target: 'interface', name: ifName, call: 'isActive' }, { target: 'interface', name: ifName, call: 'XMLDesc', args: [0] }]);
      expect(okOf(r[0])).to.equal(0);
      expect(await iface.getXMLDesc(0)).to.equal(okOf(r[1]));
      await iface.create(0);
      expect(okOf(O([{ target: 'interface', name: ifName, call: 'isActive' }])[0])).to.equal(1);
      await iface.destroy(0);
      expect(okOf(O([{ target: 'interface', name: ifName, call: 'isActive' }])[0])).to.equal(0);
      await iface.undefine();
      r = O([{ call: 'interfaceLookupByName', args: [ifName] }]);
      expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_INTERFACE);

      await conn.interfaceDefineXML(ifXml, 0);
      await conn.interfaceChangeRollback(0);
      inTransaction = false;
      r = O([{ call: 'interfaceLookupByName', args: [ifName] }, { call: 'changeCommit', args: [0] }]);
      expectSameError(await rejection(conn.interfaceLookupByName(ifName)), r[0]);
      expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_INTERFACE);
      // No transaction is running now: committing fails for both.
      expectSameError(await rejection(conn.interfaceChangeCommit(0)), r[1]);
    });

    it('interfaceChangeCommit keeps what was defined in the transaction', async () => {
      await conn.interfaceChangeBegin(0);
      inTransaction = true;
      const iface = await conn.interfaceDefineXML(ifXml, 0);
      await conn.interfaceChangeCommit(0);
      inTransaction = false;
      const [mac] = O([{ target: 'interface', name: ifName, call: 'MACString' }]);
      expect(iface.mac).to.equal(okOf(mac));
      await iface.undefine();
    });
  });

  describe('node devices', () => {
    const wwnn = `20000000${String(process.pid % 100000000).padStart(8, '0')}`;
    const wwpn = `10000000${String(process.pid % 100000000).padStart(8, '0')}`;
    const devXml = `<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'><wwnn>${wwnn}</wwnn><wwpn>${wwpn}</wwpn></capability></capability></device>`;
    let created: NodeDevice | undefined;
    after(async () => {
      await created?.destroy().catch(() => undefined);
    });

    it('nodeDeviceCreateXML creates a vHBA the C client lists and reads; destroy() removes it', async () => {
      created = await conn.nodeDeviceCreateXML(devXml, 0);
      expect(created).to.be.instanceOf(NodeDevice);
      const dev = created.name;
      let r = O([{ call: 'listDevices', args: [null, 0] }, { target: 'nodeDevice', name: dev, call: 'XMLDesc', args: [0] }, { target: 'nodeDevice', name: dev, call: 'parent' }]);
      expect(okOf(r[0])).to.include(dev);
      expect(await created.getXMLDesc(0)).to.equal(okOf(r[1]));
      expect(okOf(r[1])).to.include(`<wwnn>${wwnn}</wwnn>`);
      expect(await created.getParent()).to.equal(okOf(r[2]));
      await created.destroy();
      created = undefined;
      r = O([{ call: 'nodeDeviceLookupByName', args: [dev] }]);
      expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_NODE_DEVICE);
      expectSameError(await rejection(conn.nodeDeviceLookupByName(dev)), r[0]);
    });

    it('nodeDeviceDefineXML, create, undefine, getAutostart and setAutostart fail as for the C client (the test driver lacks them)', async () => {
      const dev = await conn.nodeDeviceLookupByName('scsi_host1');
      const mdev = `<device><parent>computer</parent><capability type='mdev'><type id='mtty-1'/><uuid>${randomUUID()}</uuid></capability></device>`;
      const nd = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'nodeDevice', name: 'scsi_host1', call, args });
      const r = O([{ call: 'nodeDeviceDefineXML', args: [mdev, 0] }, nd('create', 0), nd('undefine', 0), nd('autostart'), nd('setAutostart', 1)]);
      expectSameError(await rejection(conn.nodeDeviceDefineXML(mdev, 0)), r[0]);
      expectSameError(await rejection(dev.create(0)), r[1]);
      expectSameError(await rejection(dev.undefine(0)), r[2]);
      expectSameError(await rejection(dev.getAutostart()), r[3]);
      expectSameError(await rejection(dev.setAutostart(1)), r[4]);
      for (const e of r) expect(errOf(e).code).to.equal(VIR_ERR_NO_SUPPORT);
    });
  });
});

describe('API more: a real QEMU guest with a qcow2 chain on qemu:///system (C client as oracle)', function () {
  this.timeout(90_000);
  let uri: string;
  let conn: Connection;
  let dom: Domain;
  let pool: StoragePool | undefined;
  let dir: string;
  let ncpus: number;
  let maplen: number;
  const name = `${PREFIX}-q`;
  const names = new Set<string>([name]);
  const channel = 'org.libvirt-rpc.more';
  const marker = Buffer.from('libvirt-rpc more');
  const O = (calls: MoreOracleCall[]): OracleResult[] => moreOracle(uri, calls);
  const dcall = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'domain', name, call, args });
  const qcall = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'qemu', name, call, args });
  const rawDisk = (file: string, dev: string, bus: string, extra = ''): string =>
    `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${file}'/><target dev='${dev}' bus='${bus}'/>${extra}</disk>`;
  const cdrom = (file: string | null): string =>
    `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>${file ? `<source file='${file}'/>` : ''}<target dev='hdc' bus='ide'/><readonly/></disk>`;
  const liveXml = async (): Promise<string> => okOf(O([dcall('XMLDesc', 0)])[0]) as string;
  const inactiveXml = async (): Promise<string> => okOf(O([dcall('XMLDesc', VIR_DOMAIN_XML_INACTIVE)])[0]) as string;
  const only = (cpu: number): boolean[] => Array.from({ length: ncpus }, (_, i) => i === cpu);
  const all = (): boolean[] => Array.from({ length: ncpus }, () => true);

  /** Waits until the disk's block job reached its end (ready to pivot) or is gone. */
  async function settle(disk: string, until: 'ready' | 'gone'): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const j = await dom.getBlockJobInfo(disk, 0);
      if (until === 'gone' ? j === null : j !== null && j.end > 0n && j.cur === j.end) return;
      await sleep(50);
    }
    throw new Error(`block job on ${disk} not ${until}`);
  }

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
    cleanupDomains(uri, names, UNDEFINE_ALL);
    dir = mkdtempSync(join(tmpdir(), 'lvrpc-more-qemu-'));
    pool = await conn.storagePoolCreateXML(`<pool type='dir'><name>${PREFIX}-pool</name><target><path>${dir}</path></target></pool>`, 0);
    await pool.storageVolCreateXML(`<volume><name>base.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/><compat>1.1</compat></target></volume>`, 0);
    await pool.storageVolCreateXML(
      `<volume><name>top.qcow2</name><capacity unit='MiB'>16</capacity><target><format type='qcow2'/><compat>1.1</compat></target><backingStore><path>${dir}/base.qcow2</path><format type='qcow2'/></backingStore></volume>`,
      0,
    );
    for (const [vol, mib] of [['data.raw', 8], ['usb.raw', 1], ['usb2.raw', 1], ['cd.raw', 1], ['cfg.raw', 1]] as const) {
      await pool.storageVolCreateXML(`<volume><name>${vol}</name><capacity unit='MiB'>${mib}</capacity><target><format type='raw'/></target></volume>`, 0);
    }
    // A marker at the start of the raw disk, for blockPeek.
    const up = conn.newStream();
    await (await pool.storageVolLookupByName('data.raw')).upload(up, 0n, BigInt(marker.length), 0);
    await up.sendAll([marker]);

    const base = guestXml(name);
    const xml = base
      .replace("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static' current='1'>2</vcpu><iothreads>1</iothreads>")
      .replace(
        '<devices>',
        `<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${dir}/top.qcow2'/><target dev='vda' bus='virtio'/></disk>` +
          rawDisk(`${dir}/data.raw`, 'vdb', 'virtio') +
          cdrom(null) +
          `<channel type='unix'><source mode='bind'/><target type='virtio' name='${channel}'/></channel>`,
      );
    expect(xml).to.not.equal(base);
    expect(xml).to.include("current='1'>2</vcpu>");
    dom = await conn.domainDefineXML(xml);
    await dom.create();
    const map = await conn.nodeGetCPUMap(0);
    ncpus = map.cpus;
    expect(map.cpumap).to.have.length(ncpus);
    maplen = Math.ceil(ncpus / 8);
  });
  after(async () => {
    cleanupDomains(uri, names, UNDEFINE_ALL);
    await pool?.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await conn?.close();
  });

  it('getBlockInfo, blockPeek and memoryPeek agree with the C client; blockPeek of a qcow2 disk fails as for it', async () => {
    const [vdaInfo, vdbInfo, peek, qcowPeek] = O([
      dcall('blockInfo', 'vda', 0),
      dcall('blockInfo', 'vdb', 0),
      dcall('blockPeek', 'vdb', 0, marker.length, 0),
      dcall('blockPeek', 'vda', 0, 16, 0),
    ]);
    for (const [disk, theirs] of [['vda', vdaInfo], ['vdb', vdbInfo]] as const) {
      const bi = await dom.getBlockInfo(disk, 0);
      expect(plain([bi.capacity, bi.allocation, bi.physical]), disk).to.deep.equal(okOf(theirs));
      expect(bi.capacity).to.be.a('bigint');
    }
    const got = Buffer.from(await dom.blockPeek('vdb', 0n, marker.length, 0));
    expect(got).to.deep.equal(bytesOf(okOf(peek)));
    expect(got).to.deep.equal(marker);
    expectSameError(await rejection(dom.blockPeek('vda', 0n, 16, 0)), qcowPeek);
    // The last 16 bytes below 1 MiB hold the firmware's reset vector and date once it has copied
    // itself there; before that, and again after each reset of a guest that finds nothing to boot,
    // they read as zeros. So read ours, the C client's and ours again until all three agree on
    // non-zero bytes (bounded): one pair read across a reset is no disagreement of the clients.
    const peekOurs = async (): Promise<Buffer> => Buffer.from(await dom.memoryPeek(0xffff0n, 16, VIR_MEMORY_PHYSICAL));
    let seen: [Buffer, Buffer, Buffer] | undefined;
    for (const until = performance.now() + 30_000; performance.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      const before = await peekOurs();
      if (!before.some((b) => b !== 0)) continue;
      const theirs = bytesOf(okOf(O([dcall('memoryPeek', 0xffff0, 16, VIR_MEMORY_PHYSICAL)])[0]));
      seen = [before, theirs, await peekOurs()];
      if (seen[0].equals(seen[1]) && seen[1].equals(seen[2])) break;
    }
    expect(seen, 'the firmware never appeared below 1 MiB').to.not.equal(undefined);
    expect(seen![1], 'C client against ours before it').to.deep.equal(seen![0]);
    expect(seen![2], 'ours after the C client against it').to.deep.equal(seen![1]);
  });

  it('blockStats and blockStatsFlags lie between two readings of the C client; memoryStats and setMemoryStatsPeriod agree', async () => {
    const [b1, f1, period] = O([dcall('blockStats', 'vda'), dcall('blockStatsFlags', 'vda', 0), dcall('setMemoryStatsPeriod', 2, VIR_DOMAIN_AFFECT_LIVE)]);
    const block = await dom.blockStats('vda');
    const flags = await dom.blockStatsFlags('vda', 0);
    const [b2, f2, mem] = O([dcall('blockStats', 'vda'), dcall('blockStatsFlags', 'vda', 0), dcall('memoryStats')]);
    between(okOf(b1) as unknown[], [block.rd_req, block.rd_bytes, block.wr_req, block.wr_bytes, block.errs], okOf(b2) as unknown[], 'blockStats');
    const keys = Object.keys(okOf(f1) as object);
    expect(sorted(Object.keys(flags))).to.deep.equal(sorted(keys));
    const pick = (o: unknown): unknown[] => keys.map((k) => (o as Record<string, unknown>)[k]);
    between(pick(okOf(f1)), pick(flags), pick(okOf(f2)), 'blockStatsFlags');
    okOf(period);
    await dom.setMemoryStatsPeriod(2, VIR_DOMAIN_AFFECT_LIVE);
    const stats = await dom.memoryStats();
    const theirs = okOf(mem) as Record<string, unknown>;
    expect(sorted(Object.keys(stats))).to.deep.equal(sorted(Object.keys(theirs)));
    expect(plain(stats.actual)).to.equal(theirs.actual);
  });

  it('getCPUStats: the total lies between two readings of the C client; per-CPU statistics agree (or fail alike without cgroup v1 cpuacct)', async () => {
    const [t1, perCpu] = O([dcall('getCPUStats', true), dcall('getCPUStats', false)]);
    // Without a cpuacct cgroup both fail alike.
    await sameOutcome(t1, () => dom.getCPUStats(true), ([total], theirs) => {
      const [t2] = O([dcall('getCPUStats', true)]);
      const keys = Object.keys((theirs as Record<string, unknown>[])[0]!);
      expect(sorted(Object.keys(total!))).to.deep.equal(sorted(keys));
      const pick = (o: unknown): unknown[] => keys.map((k) => (o as Record<string, unknown>)[k]);
      between(pick((theirs as unknown[])[0]), pick(total), pick((okOf(t2) as unknown[])[0]), 'getCPUStats(true)');
      expect(total!.cpu_time).to.be.a('bigint');
    });
    await sameOutcome(perCpu, () => dom.getCPUStats(false), (mine, theirs) => {
      expect(mine).to.have.length((theirs as unknown[]).length);
      expect(mine.map((c) => sorted(Object.keys(c)))).to.deep.equal((theirs as Record<string, unknown>[]).map((c) => sorted(Object.keys(c))));
    });
  });

  it('getVcpus, pinVcpu, pinVcpuFlags, getVcpuPinInfo, pinEmulator, getEmulatorPinInfo, setVcpus and setVcpu agree with the C client', async () => {
    await dom.pinVcpu(0, cpumap(only(0)));
    let [pins, vcpus] = O([dcall('vcpuPinInfo', 0), dcall('vcpus')]);
    expect(okOf(pins)).to.deep.equal([only(0)]);
    let got = await dom.getVcpus(1, maplen);
    const [infos, maps] = okOf(vcpus) as [[number, number, number | bigint, number][], boolean[][]];
    expect(got.info.map((v) => [v.number, v.state])).to.deep.equal(infos.map(([n, s]) => [n, s]));
    expect(got.info[0]!.cpuTime).to.be.a('bigint');
    expect(got.cpumaps).to.deep.equal(maps);
    expect(await dom.getVcpuPinInfo(1, maplen, 0)).to.deep.equal([only(0)]);
    await dom.pinVcpuFlags(0, cpumap(all()), VIR_DOMAIN_AFFECT_LIVE);
    expect(okOf(O([dcall('vcpuPinInfo', 0)])[0])).to.deep.equal([all()]);

    await dom.pinEmulator(cpumap(only(0)), VIR_DOMAIN_AFFECT_LIVE);
    const [emu] = O([dcall('emulatorPinInfo', 0)]);
    expect(okOf(emu)).to.deep.equal(only(0));
    expect(await dom.getEmulatorPinInfo(maplen, 0)).to.deep.equal(only(0));
    await dom.pinEmulator(cpumap(all()), VIR_DOMAIN_AFFECT_LIVE);

    await dom.setVcpus(2);
    [vcpus] = O([dcall('vcpus')]);
    got = await dom.getVcpus(2, maplen);
    expect(got.info.map((v) => [v.number, v.state])).to.deep.equal((okOf(vcpus) as [number[]][])[0]!.map((v) => [v[0], v[1]]));
    expect(got.info).to.have.length(2);
    [pins] = O([dcall('vcpuPinInfo', 0)]);
    expect(await dom.getVcpuPinInfo(2, maplen, 0)).to.deep.equal(okOf(pins));
    expect(await dom.getVcpuPinInfo()).to.deep.equal(okOf(pins));
    // Unplugging a vCPU (virDomainSetVcpu): QEMU decides; the C client then gets what we got.
    await oursThenTheirs(() => dom.setVcpu('1', 0, VIR_DOMAIN_AFFECT_LIVE), () => O([dcall('setVcpu', '1', 0, VIR_DOMAIN_AFFECT_LIVE)])[0]);
  });

  it('addIOThread, pinIOThread, setIOThreadParams, getIOThreadInfo and delIOThread: the C client sees each change', async () => {
    const [before] = O([dcall('ioThreadInfo', 0)]);
    const mine = async (): Promise<unknown> => (await dom.getIOThreadInfo(0)).map((t) => [t.iothread_id, t.cpumap]);
    expect(await mine()).to.deep.equal(okOf(before));
    expect((okOf(before) as unknown[]).map((t) => (t as unknown[])[0])).to.deep.equal([1]);
    await dom.addIOThread(5, VIR_DOMAIN_AFFECT_LIVE);
    await dom.pinIOThread(5, cpumap(only(0)), VIR_DOMAIN_AFFECT_LIVE);
    await dom.setIOThreadParams(5, { poll_max_ns: 1000n }, VIR_DOMAIN_AFFECT_LIVE);
    const [during] = O([dcall('ioThreadInfo', 0)]);
    expect(okOf(during)).to.deep.include([5, only(0)]);
    expect(await mine()).to.deep.equal(okOf(during));
    await dom.delIOThread(5, VIR_DOMAIN_AFFECT_LIVE);
    expect(okOf(O([dcall('ioThreadInfo', 0)])[0])).to.deep.equal(okOf(before));
    const [twice] = O([dcall('delIOThread', 5, VIR_DOMAIN_AFFECT_LIVE)]);
    expectSameError(await rejection(dom.delIOThread(5, VIR_DOMAIN_AFFECT_LIVE)), twice);
  });

  it('setIOThreadParams takes poll_grow and poll_shrink as plain numbers (unsigned int), as libvirt-python does', async () => {
    const stat = (theirs: unknown, key: string): unknown => (okOf(theirs as OracleResult) as [string, Record<string, unknown>][]).find(([n]) => n === name)![1][key];
    const [theirs] = O([dcall('setIOThreadParams', 1, { poll_max_ns: 4000, poll_grow: 2, poll_shrink: 3 }, VIR_DOMAIN_AFFECT_LIVE)]);
    okOf(theirs);
    const [seen] = O([{ call: 'getAllDomainStats', args: [VIR_DOMAIN_STATS_IOTHREAD, 0] }]);
    expect([stat(seen, 'iothread.1.poll-max-ns'), stat(seen, 'iothread.1.poll-grow'), stat(seen, 'iothread.1.poll-shrink')]).to.deep.equal([4000, 2, 3]);
    // libvirt documents them as "VIR_TYPED_PARAM_UINT or since 9.3.0 VIR_TYPED_PARAM_ULLONG": uint is what every daemon takes.
    await dom.setIOThreadParams(1, { poll_max_ns: 8000, poll_grow: 4, poll_shrink: 5 }, VIR_DOMAIN_AFFECT_LIVE);
    const [after] = O([{ call: 'getAllDomainStats', args: [VIR_DOMAIN_STATS_IOTHREAD, 0] }]);
    expect([stat(after, 'iothread.1.poll-max-ns'), stat(after, 'iothread.1.poll-grow'), stat(after, 'iothread.1.poll-shrink')]).to.deep.equal([8000, 4, 5]);
  });

  it('getJobInfo and getJobStats with no job agree; abortJob, abortJobFlags and migrateStartPostCopy fail as for the C client', async () => {
    const [info, stats, abort, abortFlags, postcopy] = O([dcall('jobInfo'), dcall('jobStats', 0), dcall('abortJob'), dcall('abortJobFlags', 0), dcall('migrateStartPostCopy', 0)]);
    const j = await dom.getJobInfo();
    expect(plain([j.type, j.timeElapsed, j.timeRemaining, j.dataTotal, j.dataProcessed, j.dataRemaining, j.memTotal, j.memProcessed, j.memRemaining, j.fileTotal, j.fileProcessed, j.fileRemaining])).to.deep.equal(okOf(info));
    const s = await dom.getJobStats(0);
    expect(s.type).to.equal(VIR_DOMAIN_JOB_NONE);
    expect(plain({ ...s.params, type: s.type })).to.deep.equal(okOf(stats));
    const e = await rejection(dom.abortJob());
    expect(e.code).to.equal(VIR_ERR_OPERATION_INVALID);
    expectSameError(e, abort);
    expectSameError(await rejection(dom.abortJobFlags(0)), abortFlags);
    expectSameError(await rejection(dom.migrateStartPostCopy(0)), postcopy);
  });

  it('migrate tunables: max speed, max downtime and compression cache, each set through us and read by the C client', async () => {
    const [speed, downtime, cache] = O([dcall('migrateGetMaxSpeed', 0), dcall('migrateGetMaxDowntime', 0), dcall('migrateGetCompressionCache', 0)]);
    expect(plain(await dom.migrateGetMaxSpeed(0))).to.equal(okOf(speed));
    expect(await dom.migrateGetMaxSpeed(0)).to.be.a('bigint');
    expect(plain(await dom.migrateGetMaxDowntime(0))).to.equal(okOf(downtime));
    expect(plain(await dom.migrateGetCompressionCache(0))).to.equal(okOf(cache));
    await dom.migrateSetMaxSpeed(123n, 0);
    await dom.migrateSetMaxDowntime(456n, 0);
    await dom.migrateSetCompressionCache(32n * 1024n * 1024n, 0);
    const r = O([dcall('migrateGetMaxSpeed', 0), dcall('migrateGetMaxDowntime', 0), dcall('migrateGetCompressionCache', 0)]);
    expect(r.map(okOf)).to.deep.equal([123, 456, 32 * 1024 * 1024]);
  });

  it('getControlInfo, getMessages, startDirtyRateCalc, sendKey, injectNMI and reset agree; sendProcessSignal fails as for the C client', async () => {
    const [control, messages, signal] = O([dcall('controlInfo', 0), dcall('messages', VIR_DOMAIN_MESSAGE_TAINTING), dcall('sendProcessSignal', 1, 0, 0)]);
    const ci = await dom.getControlInfo(0);
    expect(plain([ci.state, ci.details, ci.stateTime])).to.deep.equal(okOf(control));
    expect(await dom.getMessages(VIR_DOMAIN_MESSAGE_TAINTING)).to.deep.equal(okOf(messages));
    expectSameError(await rejection(dom.sendProcessSignal(1n, 0, 0)), signal);
    await dom.startDirtyRateCalc(1, 0);
    await dom.sendKey(VIR_KEYCODE_SET_LINUX, 10, [30, 48], 0);
    await dom.injectNMI(0);
    await dom.reset(0);
    const r = O([dcall('sendKey', VIR_KEYCODE_SET_LINUX, 10, [30], 1, 0), dcall('injectNMI', 0), dcall('state', 0)]);
    okOf(r[0]);
    okOf(r[1]);
    expect((okOf(r[2]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
  });

  it('perf events, blkio and NUMA parameters set through us are read back by the C client; security labels, disk errors and launch security agree', async () => {
    const [perf, labels, label, diskErrors, launch, sev] = O([dcall('perfEvents', 0), dcall('securityLabelList'), dcall('securityLabel'), dcall('diskErrors', 0), dcall('launchSecurityInfo', 0), { call: 'getSEVInfo', args: [0] }]);
    expect(await dom.getPerfEvents(0)).to.deep.equal(okOf(perf));
    await oursThenTheirs(() => dom.setPerfEvents({ cpu_cycles: false }, VIR_DOMAIN_AFFECT_LIVE), () => O([dcall('perfEvents', 0)])[0], (_m, t) => expect((t as Record<string, unknown>).cpu_cycles).to.equal(false));
    await oursThenTheirs(() => dom.setBlkioParameters({ weight: 321 }, VIR_DOMAIN_AFFECT_LIVE), () => O([dcall('blkioParameters', 0)])[0], (_m, t) => expect((t as Record<string, unknown>).weight).to.equal(321));
    await oursThenTheirs(() => dom.setNumaParameters({ numa_nodeset: '0' }, VIR_DOMAIN_AFFECT_LIVE), () => O([dcall('numaParameters', 0)])[0], (_m, t) => expect((t as Record<string, unknown>).numa_nodeset).to.equal('0'));
    expect((await dom.getSecurityLabelList()).map((l) => [l.label, Boolean(l.enforcing)])).to.deep.equal(okOf(labels));
    const l = await dom.getSecurityLabel();
    expect([l.label, Boolean(l.enforcing)]).to.deep.equal(okOf(label));
    const errors = await dom.getDiskErrors();
    expect(Object.fromEntries(errors.map((e) => [e.disk, e.error]))).to.deep.equal(okOf(diskErrors));
    await sameOutcome(launch, () => dom.getLaunchSecurityInfo(0), (mine, theirs) => expect(plain(mine)).to.deep.equal(plain(theirs)));
    await sameOutcome(sev, () => conn.nodeGetSEVInfo(0), (mine, theirs) => expect(plain(mine)).to.deep.equal(plain(theirs)));
  });

  it('setLifecycleAction changes <on_poweroff> in the persistent definition, as the C client sees', async () => {
    await dom.setLifecycleAction(VIR_DOMAIN_LIFECYCLE_POWEROFF, VIR_DOMAIN_LIFECYCLE_ACTION_RESTART, VIR_DOMAIN_AFFECT_CONFIG);
    expect(await inactiveXml()).to.include('<on_poweroff>restart</on_poweroff>');
    expect(await liveXml()).to.include('<on_poweroff>destroy</on_poweroff>');
  });

  it('guest-agent calls fail as for the C client (the guest runs no agent); agentSetResponseTimeout agrees', async () => {
    const calls: [MoreOracleCall, () => Promise<unknown>][] = [
      [dcall('hostname', 0), () => dom.getHostname(0)],
      [dcall('getTime', 0), () => dom.getTime(0)],
      [dcall('setTime', { seconds: 1_000_000, nseconds: 0 }, 0), () => dom.setTime(1_000_000n, 0, 0)],
      [dcall('fsFreeze', null, 0), () => dom.fSFreeze([], 0)],
      [dcall('fsThaw', null, 0), () => dom.fSThaw([], 0)],
      [dcall('fSTrim', null, 0, 0), () => dom.fSTrim(null, 0n, 0)],
      [dcall('fsInfo', 0), () => dom.getFSInfo(0)],
      [dcall('interfaceAddresses', VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0), () => dom.interfaceAddresses(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0)],
      [{ ...dcall('guestVcpus', 0), errorOnNone: true }, () => dom.getGuestVcpus(0)],
      [dcall('setGuestVcpus', '0', 1, 0), () => dom.setGuestVcpus('0', 1, 0)],
      [dcall('guestInfo', 0, 0), () => dom.getGuestInfo(0, 0)],
      [dcall('setUserPassword', 'root', 'secret', 0), () => dom.setUserPassword('root', 'secret', 0)],
      [dcall('authorizedSSHKeysGet', 'root', 0), () => dom.authorizedSSHKeysGet('root', 0)],
      [dcall('authorizedSSHKeysSet', 'root', ['ssh-ed25519 AAAA more'], 0), () => dom.authorizedSSHKeysSet('root', ['ssh-ed25519 AAAA more'], 0)],
      [dcall('pMSuspendForDuration', VIR_NODE_SUSPEND_TARGET_MEM, 0, 0), () => dom.pMSuspendForDuration(VIR_NODE_SUSPEND_TARGET_MEM, 0n, 0)],
      [qcall('qemuAgentCommand', '{"execute":"guest-ping"}', 5, 0), () => dom.qemuAgentCommand('{"execute":"guest-ping"}', 5, 0)],
    ];
    const theirs = O(calls.map(([c]) => c));
    for (const [i, [c, ours]] of calls.entries()) {
      const e = await rejection(ours());
      expectSameError(e, theirs[i]);
      if (c.call !== 'pMSuspendForDuration') expect(e.code, c.call).to.equal(VIR_ERR_AGENT_UNRESPONSIVE);
    }
    const [wakeup, timeout] = O([dcall('pMWakeup', 0), dcall('agentSetResponseTimeout', 5, 0)]);
    expectSameError(await rejection(dom.pMWakeup(0)), wakeup);
    expect(await dom.agentSetResponseTimeout(5, 0)).to.equal(okOf(timeout));
  });

  it('attachDevice/detachDevice (USB disk, live), attachDeviceFlags/detachDeviceFlags (config), detachDeviceAlias and updateDeviceFlags (CD-ROM media): the C client sees each change', async () => {
    const usb = rawDisk(`${dir}/usb.raw`, 'sda', 'usb');
    await dom.attachDevice(usb);
    expect(await liveXml()).to.include(`${dir}/usb.raw`);
    await dom.detachDevice(usb);
    expect(await liveXml()).to.not.include(`${dir}/usb.raw`);

    const cfg = rawDisk(`${dir}/cfg.raw`, 'vdc', 'virtio');
    await dom.attachDeviceFlags(cfg, VIR_DOMAIN_DEVICE_MODIFY_CONFIG);
    let r = O([dcall('XMLDesc', VIR_DOMAIN_XML_INACTIVE), dcall('XMLDesc', 0), dcall('isUpdated')]);
    expect(okOf(r[0])).to.include(`${dir}/cfg.raw`);
    expect(okOf(r[1])).to.not.include(`${dir}/cfg.raw`);
    expect(await dom.isUpdated()).to.equal(Boolean(okOf(r[2])));
    const [dup] = O([dcall('attachDeviceFlags', cfg, VIR_DOMAIN_DEVICE_MODIFY_CONFIG)]);
    expectSameError(await rejection(dom.attachDeviceFlags(cfg, VIR_DOMAIN_DEVICE_MODIFY_CONFIG)), dup);
    await dom.detachDeviceFlags(cfg, VIR_DOMAIN_DEVICE_MODIFY_CONFIG);
    expect(await inactiveXml()).to.not.include(`${dir}/cfg.raw`);

    await dom.attachDeviceFlags(rawDisk(`${dir}/usb2.raw`, 'sdb', 'usb', "<alias name='ua-more-usb'/>"), VIR_DOMAIN_DEVICE_MODIFY_LIVE);
    expect(await liveXml()).to.include("<alias name='ua-more-usb'/>");
    await dom.detachDeviceAlias('ua-more-usb', VIR_DOMAIN_DEVICE_MODIFY_LIVE);
    // virDomainDetachDeviceAlias only asks: the removal completes when QEMU reports it.
    for (let i = 0; i < 100 && (await liveXml()).includes('ua-more-usb'); i++) await sleep(100);
    expect(await liveXml()).to.not.include('ua-more-usb');
    const [noAlias] = O([dcall('detachDeviceAlias', 'ua-more-usb', VIR_DOMAIN_DEVICE_MODIFY_LIVE)]);
    expectSameError(await rejection(dom.detachDeviceAlias('ua-more-usb', VIR_DOMAIN_DEVICE_MODIFY_LIVE)), noAlias);

    // While the guest's firmware holds the CD-ROM tray locked, QEMU refuses a media change ("Tray
    // of device ... is not open"), for any client: try again for a few seconds, on that error only.
    for (let attempt = 0; ; attempt++) {
      try {
        await dom.updateDeviceFlags(cdrom(`${dir}/cd.raw`), VIR_DOMAIN_DEVICE_MODIFY_LIVE);
        break;
      } catch (e) {
        if (attempt >= 10 || !/Tray of device .* is not open/.test((e as Error).message)) throw e;
        await sleep(500);
      }
    }
    expect(await liveXml()).to.include(`${dir}/cd.raw`);
    r = O([dcall('updateDeviceFlags', cdrom(null), VIR_DOMAIN_DEVICE_MODIFY_LIVE), dcall('XMLDesc', 0)]);
    okOf(r[0]);
    expect(okOf(r[1])).to.not.include(`${dir}/cd.raw`);
  });

  it('interfaceStats, getInterfaceParameters and setInterfaceParameters on a hot-plugged tap interface agree with the C client', async () => {
    const tap = `mt${process.pid % 1_000_000}`;
    const nic = `<interface type='ethernet'><target dev='${tap}' managed='yes'/><model type='virtio'/></interface>`;
    const plugged = await oursThenTheirs(
      () => dom.attachDeviceFlags(nic, VIR_DOMAIN_DEVICE_MODIFY_LIVE),
      () => O([dcall('interfaceParameters', tap, 0)])[0],
    );
    // Without /dev/net/tun (or CAP_NET_ADMIN) no tap can be made: then the C client's reads of
    // the missing interface failed as ours would, and the reads below compare failures.
    const [s1, params] = O([dcall('interfaceStats', tap), dcall('interfaceParameters', tap, 0)]);
    const ours = await sameOutcome(s1, () => dom.interfaceStats(tap));
    const [s2] = O([dcall('interfaceStats', tap)]);
    if (ours) {
      expect(plugged.ok).to.equal(true);
      between(okOf(s1) as unknown[], [ours.rx_bytes, ours.rx_packets, ours.rx_errs, ours.rx_drop, ours.tx_bytes, ours.tx_packets, ours.tx_errs, ours.tx_drop], okOf(s2) as unknown[], 'interfaceStats');
    }
    await sameOutcome(params, () => dom.getInterfaceParameters(tap, 0), (mine, theirs) => expect(plain(mine)).to.deep.equal(theirs));
    // Setting bandwidth needs tc with sch_htb/sfq on the host: ours first, then the C client's read shows the effect or the same failure.
    await oursThenTheirs(
      () => dom.setInterfaceParameters(tap, { 'inbound.average': 1000 }, VIR_DOMAIN_AFFECT_LIVE),
      () => O([dcall('setInterfaceParameters', tap, { 'inbound.average': 1000 }, VIR_DOMAIN_AFFECT_LIVE)])[0],
    );
  });

  it('getBlockIoTune, setBlockIoTune, blockResize and setBlockThreshold: the C client sees each change', async () => {
    const [tune] = O([dcall('blockIoTune', 'vdb', 0)]);
    expect(plain(await dom.getBlockIoTune('vdb', 0))).to.deep.equal(plain(okOf(tune)));
    await dom.setBlockIoTune('vdb', { total_iops_sec: 1000n, total_bytes_sec: 10_000_000n }, VIR_DOMAIN_AFFECT_LIVE);
    const [tuned] = O([dcall('blockIoTune', 'vdb', 0)]);
    expect((okOf(tuned) as Record<string, unknown>).total_iops_sec).to.equal(1000);
    expect((okOf(tuned) as Record<string, unknown>).total_bytes_sec).to.equal(10_000_000);
    expect(plain(await dom.getBlockIoTune('vdb', 0))).to.deep.equal(plain(okOf(tuned)));
    await dom.setBlockIoTune('vdb', { total_iops_sec: 0n, total_bytes_sec: 0n }, VIR_DOMAIN_AFFECT_LIVE);

    await dom.blockResize('vdb', 12n * 1024n * 1024n, VIR_DOMAIN_BLOCK_RESIZE_BYTES);
    expect((okOf(O([dcall('blockInfo', 'vdb', 0)])[0]) as number[])[0]).to.equal(12 * 1024 * 1024);
    const [shrink] = O([dcall('blockResize', 'vdb', 1024, VIR_DOMAIN_BLOCK_RESIZE_BYTES)]);
    await sameOutcome(shrink, () => dom.blockResize('vdb', 1024n, VIR_DOMAIN_BLOCK_RESIZE_BYTES));

    await dom.setBlockThreshold('vda', 1024n * 1024n, 0);
    const [stats] = O([{ call: 'getAllDomainStats', args: [VIR_DOMAIN_STATS_BLOCK, 0] }]);
    const mine = (okOf(stats) as [string, Record<string, unknown>][]).find(([n]) => n === name)![1];
    const index = Object.entries(mine).find(([k, v]) => /^block\.\d+\.name$/.test(k) && v === 'vda')![0].split('.')[1];
    expect(mine[`block.${index}.threshold`]).to.equal(1024 * 1024);
  });

  it('block jobs: blockCommit (active), blockCopy, blockRebase and blockPull, with getBlockJobInfo, blockJobSetSpeed and blockJobAbort, as the C client sees them', async () => {
    const job = (theirs: unknown, j: Awaited<ReturnType<Domain['getBlockJobInfo']>>): void => {
      expect(j).to.not.equal(null);
      expect(Object.keys(j!)).to.deep.equal(['type', 'bandwidth', 'cur', 'end']);
      expect(plain(j)).to.deep.equal(theirs);
    };
    // Active commit of top.qcow2 into base.qcow2 waits for a pivot: we abort it instead.
    await dom.blockCommit('vda', null, null, 0n, VIR_DOMAIN_BLOCK_COMMIT_ACTIVE);
    await settle('vda', 'ready');
    job(okOf(O([dcall('blockJobInfo', 'vda', 0)])[0]), await dom.getBlockJobInfo('vda', 0));
    expect((await dom.getBlockJobInfo('vda', 0))?.type).to.equal(VIR_DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT);
    await dom.blockJobSetSpeed('vda', 10n, 0);
    const [slow] = O([dcall('blockJobInfo', 'vda', 0)]);
    expect((okOf(slow) as Record<string, unknown>).bandwidth).to.equal(10);
    job(okOf(slow), await dom.getBlockJobInfo('vda', 0));
    await dom.blockJobAbort('vda', 0);
    await settle('vda', 'gone');
    const [none, abortNone] = O([dcall('blockJobInfo', 'vda', 0), dcall('blockJobAbort', 'vda', 0)]);
    expect(okOf(none)).to.deep.equal({});
    // No job: null where libvirt-python gives {} (C returns 0).
    expect(await dom.getBlockJobInfo('vda')).to.equal(null);
    expectSameError(await rejection(dom.blockJobAbort('vda', 0)), abortNone);

    // A copy of the disk (a transient job on a persistent domain), aborted when in sync.
    await dom.blockCopy('vda', `<disk type='file'><source file='${dir}/copy.qcow2'/><driver type='qcow2'/></disk>`, { bandwidth: 1n << 30n }, VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB);
    await settle('vda', 'ready');
    const copy = await dom.getBlockJobInfo('vda', 0);
    expect(copy?.type).to.equal(VIR_DOMAIN_BLOCK_JOB_TYPE_COPY);
    job(okOf(O([dcall('blockJobInfo', 'vda', 0)])[0]), copy);
    await dom.blockJobAbort('vda', 0);
    await settle('vda', 'gone');
    expect(existsSync(`${dir}/copy.qcow2`)).to.equal(true);

    // Rebase onto nothing (a pull of base.qcow2 into top.qcow2): the backing chain goes away.
    expect(await liveXml()).to.include(`${dir}/base.qcow2`);
    await dom.blockRebase('vda', null, 0n, 0);
    await settle('vda', 'gone');
    expect(await liveXml()).to.not.include(`${dir}/base.qcow2`);
    await dom.blockPull('vda', 0n, 0);
    await settle('vda', 'gone');
    expect(okOf(O([dcall('blockJobInfo', 'vda', 0)])[0])).to.deep.equal({});
    const [pullNoDisk] = O([dcall('blockPull', 'nosuch', 0, 0)]);
    expectSameError(await rejection(dom.blockPull('nosuch', 0n, 0)), pullNoDisk);
  });

  it('checkpoints on the running guest, a pull-mode backup (backupBegin, backupGetXMLDesc, job info and stats while it runs, abortJob)', async () => {
    const cp = (n: string): string => `<domaincheckpoint><name>${n}</name><disks><disk name='vda' checkpoint='bitmap'/><disk name='vdb' checkpoint='no'/><disk name='hdc' checkpoint='no'/></disks></domaincheckpoint>`;
    const c1 = await dom.checkpointCreateXML(cp('c1'), 0);
    const c2 = await dom.checkpointCreateXML(cp('c2'), 0);
    const ck = (n: string, call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'checkpoint', domain: name, name: n, call, args });
    let r = O([dcall('listAllCheckpoints', 0), ck('c2', 'getXMLDesc', 0), ck('c2', 'getParent', 0), ck('c1', 'listAllChildren', 0)]);
    expect(sorted((await dom.listAllCheckpoints(0)).map((c) => c.name))).to.deep.equal(sorted(okOf(r[0]) as string[]));
    expect(await c2.getXMLDesc(0)).to.equal(okOf(r[1]));
    expect((await c2.getParent(0)).equals(c1)).to.equal(true);
    expect(okOf(r[2])).to.equal('c1');
    expect((await c1.listAllChildren(0)).map((c) => c.name)).to.deep.equal(okOf(r[3]));

    const backup =
      `<domainbackup mode='pull'><server transport='unix' socket='${dir}/nbd.sock'/><disks>` +
      `<disk name='vda' backup='yes' type='file'><scratch file='${dir}/scratch.qcow2'/></disk><disk name='vdb' backup='no'/><disk name='hdc' backup='no'/>` +
      `</disks></domainbackup>`;
    await dom.backupBegin(backup, null, 0);
    r = O([dcall('backupGetXMLDesc', 0), dcall('jobInfo'), dcall('jobStats', 0)]);
    expect(await dom.backupGetXMLDesc(0)).to.equal(okOf(r[0]));
    expect(okOf(r[0])).to.include("mode='pull'");
    const j = await dom.getJobInfo();
    expect(j.type).to.equal(VIR_DOMAIN_JOB_UNBOUNDED);
    expect(j.type).to.equal((okOf(r[1]) as number[])[0]);
    const s = await dom.getJobStats(0);
    const theirs = okOf(r[2]) as Record<string, unknown>;
    expect(s.type).to.equal(theirs.type);
    expect(sorted([...Object.keys(s.params), 'type'])).to.deep.equal(sorted(Object.keys(theirs)));
    for (const k of ['operation', 'disk_temp_total']) expect(plain(s.params[k]), k).to.equal(theirs[k]);
    // (A second backupBegin would wait 30 s for the job lock: not tried.)
    await dom.abortJob();
    r = O([dcall('jobStats', 0), dcall('backupGetXMLDesc', 0)]);
    expect((okOf(r[0]) as Record<string, unknown>).type).to.equal(VIR_DOMAIN_JOB_NONE);
    expectSameError(await rejection(dom.backupGetXMLDesc(0)), r[1]);

    await c2.delete(0);
    await c1.delete(0);
    r = O([dcall('listAllCheckpoints', 0), dcall('checkpointLookupByName', 'c1', 0)]);
    expect(okOf(r[0])).to.deep.equal([]);
    expectSameError(await rejection(dom.checkpointLookupByName('c1', 0)), r[1]);
  });

  it('openConsole and openChannel open streams; a second open without FORCE fails for the C client and for us alike', async () => {
    const console1 = conn.newStream();
    await dom.openConsole(null, console1, 0);
    const channel1 = conn.newStream();
    await dom.openChannel(channel, channel1, 0);
    try {
      const [c2, ch2] = O([dcall('openConsole', null, { $stream: 0 }, 0), dcall('openChannel', channel, { $stream: 0 }, 0)]);
      expectSameError(await rejection(dom.openConsole(null, conn.newStream(), 0)), c2);
      expectSameError(await rejection(dom.openChannel(channel, conn.newStream(), 0)), ch2);
      const [missing] = O([dcall('openChannel', 'org.nosuch', { $stream: 0 }, 0)]);
      expectSameError(await rejection(dom.openChannel('org.nosuch', conn.newStream(), 0)), missing);
    } finally {
      await console1.abort().catch(() => undefined);
      await channel1.abort().catch(() => undefined);
    }
  });

  it('host calls: compareHypervisorCPU, baselineHypervisorCPU, domainXMLToNative, findStoragePoolSources, nodeAllocPages and nodeSetMemoryParameters agree', async () => {
    const cpu = '<cpu><arch>x86_64</arch><model>qemu64</model></cpu>';
    const domXml = await dom.getXMLDesc(VIR_DOMAIN_XML_INACTIVE);
    const [memParams] = O([{ call: 'getMemoryParameters', args: [0] }]);
    const toScan = 'ok' in memParams! ? (memParams.ok as Record<string, number>).shm_pages_to_scan ?? 100 : 100;
    const r = O([
      { call: 'compareHypervisorCPU', args: [null, null, null, null, cpu, 0] },
      { call: 'baselineHypervisorCPU', args: [null, null, null, null, [cpu], 0] },
      { call: 'domainXMLToNative', args: ['qemu-argv', domXml, 0] },
      { call: 'domainXMLFromNative', args: ['qemu-argv', 'qemu-system-x86_64 -m 64', 0] },
      { call: 'findStoragePoolSources', args: ['logical', null, 0] },
      { call: 'allocPages', args: [{ $intdict: [[2048, 0]] }, -1, 1, VIR_NODE_ALLOC_PAGES_ADD] },
      { call: 'nodeDeviceLookupSCSIHostByWWN', args: ['2000000012341234', '1000000012341234', 0] },
    ]);
    await sameOutcome(r[0], () => conn.compareHypervisorCPU(null, null, null, null, cpu, 0), (mine, theirs) => expect(mine).to.equal(theirs));
    await sameOutcome(r[1], () => conn.baselineHypervisorCPU(null, null, null, null, [cpu], 0), (mine, theirs) => expect(mine).to.equal(theirs));
    await sameOutcome(r[2], () => conn.domainXMLToNative('qemu-argv', domXml, 0), (mine, theirs) => expect(mine).to.equal(theirs));
    expectSameError(await rejection(conn.domainXMLFromNative('qemu-argv', 'qemu-system-x86_64 -m 64', 0)), r[3]);
    await sameOutcome(r[4], () => conn.findStoragePoolSources('logical', null, 0), (mine, theirs) => expect(mine).to.equal(theirs));
    // Adding 0 huge pages of 2 MiB on every NUMA cell changes nothing.
    await sameOutcome(r[5], () => conn.nodeAllocPages([2048], [0n], -1, 1, VIR_NODE_ALLOC_PAGES_ADD), (mine, theirs) => expect(mine).to.equal(theirs));
    expectSameError(await rejection(conn.nodeDeviceLookupSCSIHostByWWN('2000000012341234', '1000000012341234', 0)), r[6]);
    // KSM's pages_to_scan set to the value it has (libvirt documents no type for the field: give it).
    // Without KSM (or with /sys read-only) both fail alike.
    await oursThenTheirs(
      () => conn.nodeSetMemoryParameters({ shm_pages_to_scan: { type: 'uint', value: toScan } }, 0),
      () => O([{ call: 'setMemoryParameters', args: [{ shm_pages_to_scan: toScan }, 0] }])[0],
    );
  });

  it('node device calls on a device that is no PCI device (dettach, detachFlags, reAttach, reset) and autostart fail or agree as for the C client', async () => {
    const [found] = O([{ call: 'nodeDeviceLookupByName', args: ['computer'] }]);
    const dev = await sameOutcome(found, () => conn.nodeDeviceLookupByName('computer'));
    if (!dev) return; // no node device driver here (no udev): the lookup failed alike
    const nd = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'nodeDevice', name: 'computer', call, args });
    const mdev = `<device><parent>computer</parent><capability type='mdev'><type id='mtty-1'/><uuid>${randomUUID()}</uuid></capability></device>`;
    const r = O([nd('dettach'), nd('detachFlags', null, 0), nd('reAttach'), nd('reset'), nd('autostart'), nd('setAutostart', 0), nd('create', 0), nd('undefine', 0), { call: 'nodeDeviceDefineXML', args: [mdev, 0] }, { call: 'nodeDeviceCreateXML', args: [mdev, 0] }]);
    expectSameError(await rejection(dev.dettach()), r[0]);
    expectSameError(await rejection(dev.detachFlags(null, 0)), r[1]);
    expectSameError(await rejection(dev.reAttach()), r[2]);
    expectSameError(await rejection(dev.reset()), r[3]);
    await sameOutcome(r[4], () => dev.getAutostart(), (mine, theirs) => expect(mine).to.equal(Boolean(theirs)));
    expectSameError(await rejection(dev.setAutostart(0)), r[5]);
    expectSameError(await rejection(dev.create(0)), r[6]);
    expectSameError(await rejection(dev.undefine(0)), r[7]);
    expectSameError(await rejection(conn.nodeDeviceDefineXML(mdev, 0)), r[8]);
    expectSameError(await rejection(conn.nodeDeviceCreateXML(mdev, 0)), r[9]);
  });

  it('setLaunchSecurityState, lxcOpenNamespace, domainQemuAttach and nodeSuspendForDuration (with a flag it refuses) fail as for the C client', async () => {
    const secret = { 'sev-secret': 'c2VjcmV0', 'sev-secret-header': 'aGVhZGVy' };
    const r = O([
      dcall('setLaunchSecurityState', secret, 0),
      { target: 'lxc', name, call: 'lxcOpenNamespace', args: [0] },
      { target: 'qemuConn', call: 'qemuAttach', args: [999_999, 0] },
      // A flag virNodeSuspend refuses before anything else: nothing is suspended.
      { call: 'suspendForDuration', args: [VIR_NODE_SUSPEND_TARGET_MEM, 60, 1] },
    ]);
    expectSameError(await rejection(dom.setLaunchSecurityState(secret, 0)), r[0]);
    expectSameError(await rejection(dom.lxcOpenNamespace(0)), r[1]);
    expectSameError(await rejection(conn.domainQemuAttach(999_999, 0)), r[2]);
    expectSameError(await rejection(conn.nodeSuspendForDuration(VIR_NODE_SUSPEND_TARGET_MEM, 60n, 1)), r[3]);
  });

  it('setIdentity on a connection of its own succeeds as for the C client', async () => {
    const identity = { 'user-name': 'root', 'unix-user-id': 0n, 'group-name': 'root', 'unix-group-id': 0n };
    const [theirs] = O([{ call: 'setIdentity', args: [plain(identity), 0] }]);
    const own = await connect(uri);
    try {
      await sameOutcome(theirs, () => own.setIdentity(identity, 0));
      expect(await own.getLibVersion()).to.be.a('bigint');
    } finally {
      await own.close();
    }
  });

  it('saveParams and domainRestoreParams: the C client sees the guest saved and restored', async () => {
    const file = join(dir, 'params.save');
    await dom.saveParams({ file }, 0);
    let r = O([dcall('state', 0), { call: 'saveImageGetXMLDesc', args: [file, 0] }]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    expect(okOf(r[1])).to.include(`<name>${name}</name>`);
    await conn.domainRestoreParams({ file }, 0);
    r = O([dcall('state', 0)]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
  });

  it('coreDumpWithFormat: a memory-only kdump the C client can read back; kdump without memory-only fails as for it', async () => {
    const [bad] = O([dcall('coreDumpWithFormat', join(dir, 'theirs.kdump'), VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0)]);
    expectSameError(await rejection(dom.coreDumpWithFormat(join(dir, 'ours.kdump'), VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB, 0)), bad);
    await dom.coreDumpWithFormat(join(dir, 'ours.elf'), VIR_DOMAIN_CORE_DUMP_FORMAT_RAW, VIR_DUMP_MEMORY_ONLY);
    expect(readFileSync(join(dir, 'ours.elf')).subarray(0, 4)).to.deep.equal(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
  });

  it('managedSave, managedSaveGetXMLDesc, managedSaveDefineXML and managedSaveRemove: the C client sees the image and its XML', async () => {
    await dom.managedSave(0);
    let r = O([dcall('hasManagedSaveImage', 0), dcall('state', 0), dcall('managedSaveGetXMLDesc', 0)]);
    expect([okOf(r[0]), (okOf(r[1]) as number[])[0]]).to.deep.equal([1, VIR_DOMAIN_SHUTOFF]);
    const saved = await dom.managedSaveGetXMLDesc(0);
    expect(saved).to.equal(okOf(r[2]));
    await dom.managedSaveDefineXML(saved.replace('</name>', '</name><description>managed by libvirt-rpc</description>'), 0);
    r = O([dcall('managedSaveGetXMLDesc', 0)]);
    expect(okOf(r[0])).to.include('<description>managed by libvirt-rpc</description>');
    await dom.managedSaveRemove(0);
    r = O([dcall('hasManagedSaveImage', 0), dcall('managedSaveGetXMLDesc', 0)]);
    expect(okOf(r[0])).to.equal(0);
    expectSameError(await rejection(dom.managedSaveGetXMLDesc(0)), r[1]);
  });

  it('shutdownFlags, destroyFlags, rename and domainDefineXMLFlags on the guest: the C client sees each effect', async () => {
    await dom.create();
    await dom.shutdownFlags(VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN); // the guest ignores the button: it sits in the firmware
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
    await dom.destroyFlags(VIR_DOMAIN_DESTROY_GRACEFUL);
    expect((okOf(O([dcall('state', 0)])[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    const [notRunning] = O([dcall('destroyFlags', VIR_DOMAIN_DESTROY_GRACEFUL)]);
    expectSameError(await rejection(dom.destroyFlags(VIR_DOMAIN_DESTROY_GRACEFUL)), notRunning);

    const renamed = `${PREFIX}-q-renamed`;
    names.add(renamed);
    expect(await dom.rename(renamed, 0)).to.equal(0);
    let r = O([{ call: 'lookupByName', args: [name] }, { target: 'domain', name: renamed, call: 'UUIDString' }]);
    expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_DOMAIN);
    expect(okOf(r[1])).to.equal(dom.uuid);
    const back = await conn.domainLookupByName(renamed);
    const xml = (await back.getXMLDesc(VIR_DOMAIN_XML_INACTIVE)).replace(`<name>${renamed}</name>`, `<name>${renamed}</name><title>more</title>`);
    const redefined = await conn.domainDefineXMLFlags(xml, VIR_DOMAIN_DEFINE_VALIDATE);
    expect(redefined.uuid).to.equal(dom.uuid);
    r = O([{ target: 'domain', name: renamed, call: 'XMLDesc', args: [VIR_DOMAIN_XML_INACTIVE] }]);
    expect(okOf(r[0])).to.include('<title>more</title>');
  });
});

describe('API more: network ports on a bridge network on qemu:///system (C client as oracle)', function () {
  this.timeout(60_000);
  let uri: string;
  let conn: Connection;
  let net: Network;
  const netName = `${PREFIX}-net`;
  const defName = `${PREFIX}-net-def`;
  const O = (calls: MoreOracleCall[]): OracleResult[] => moreOracle(uri, calls);
  const netXml = (n: string, bridge: string): string => `<network><name>${n}</name><forward mode='bridge'/><bridge name='${bridge}'/></network>`;

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
    net = await conn.networkCreateXMLFlags(netXml(netName, `mb${process.pid % 100000}`), 0);
  });
  after(async () => {
    try {
      O([{ target: 'network', name: netName, call: 'destroy' }, { target: 'network', name: defName, call: 'undefine' }]);
    } catch {
      // nothing to clean
    }
    await conn?.close();
  });

  it('networkCreateXMLFlags started a transient network and networkDefineXMLFlags defines one, as the C client sees', async () => {
    const r = O([{ target: 'network', name: netName, call: 'isActive' }, { target: 'network', name: netName, call: 'isPersistent' }, { target: 'network', name: netName, call: 'UUIDString' }]);
    expect([okOf(r[0]), okOf(r[1])]).to.deep.equal([1, 0]);
    expect(net.uuid).to.equal(okOf(r[2]));
    const defined = await conn.networkDefineXMLFlags(netXml(defName, `md${process.pid % 100000}`), 0);
    const [active] = O([{ target: 'network', name: defName, call: 'isActive' }]);
    expect(okOf(active)).to.equal(0);
    await defined.undefine();
  });

  it('portCreateXML, portLookupByUUID(String), getXMLDesc, getParameters, setParameters and delete agree with the C client', async () => {
    const uuid = randomUUID();
    const port = await net.portCreateXML(
      `<networkport><uuid>${uuid}</uuid><owner><name>${PREFIX}-owner</name><uuid>${randomUUID()}</uuid></owner><mac address='52:54:00:12:34:56'/><bandwidth><inbound average='1000'/></bandwidth></networkport>`,
      0,
    );
    expect(port).to.be.instanceOf(NetworkPort);
    expect(port.uuid).to.equal(uuid);
    const pc = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'networkPort', network: netName, name: uuid, call, args });
    let r = O([pc('XMLDesc', 0), pc('parameters', 0)]);
    const byString = await net.portLookupByUUIDString(uuid);
    const byRaw = await net.portLookupByUUID(port.getUUID());
    expect(byString.equals(port) && byRaw.equals(port)).to.equal(true);
    expect(await byRaw.getXMLDesc(0)).to.equal(okOf(r[0]));
    expect(await port.getParameters(0)).to.deep.equal(okOf(r[1]));
    expect((await port.getParameters(0))['inbound.average']).to.equal(1000);

    await port.setParameters({ 'inbound.average': 2000, 'inbound.burst': 64 }, 0);
    r = O([pc('parameters', 0)]);
    expect(okOf(r[0])).to.include({ 'inbound.average': 2000, 'inbound.burst': 64 });
    expect(await port.getParameters(0)).to.deep.equal(okOf(r[0]));

    await port.delete(0);
    r = O([{ target: 'network', name: netName, call: 'portLookupByUUIDString', args: [uuid] }, { target: 'network', name: netName, call: 'listAllPorts', args: [0] }]);
    expect(errOf(r[0]).code).to.equal(VIR_ERR_NO_NETWORK_PORT);
    expectSameError(await rejection(net.portLookupByUUIDString(uuid)), r[0]);
    expect(okOf(r[1])).to.deep.equal([]);
  });

  it('getDHCPLeases on a network without DHCP agrees with the C client', async () => {
    const [leases] = O([{ target: 'network', name: netName, call: 'DHCPLeases', args: [null, 0] }]);
    await sameOutcome(leases, () => net.getDHCPLeases(null, 0), (mine, theirs) => expect(mine).to.deep.equal(theirs));
  });
});
