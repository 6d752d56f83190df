// The API contract (README "The API contract") on real calls against the sandbox's test driver,
// with libvirt's C client (python3-libvirt) on the same daemon as the oracle: number or bigint for
// 64-bit inputs, booleans for 0/1 switches, optional output-buffer sizes, result shapes, per-call
// AbortSignal, dispose, the errors of UUID-string lookups, and errors written to
// LIBVIRT_LOG_OUTPUTS as the C client writes them.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { type Domain } from '../../src/api/objects.js';
import { bigintReplacer } from '../../src/api/convert.js';
import { LibvirtError, getLastError, saveLastError } from '../../src/errors/errors.js';
import {
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_OPERATION_ABORTED,
  VIR_FROM_DOMAIN,
  VIR_MEMORY_PHYSICAL,
} from '../../src/apixml/generated/constants.js';
import { cleanupDomains } from '../support/oracle.js';
import { rejection } from '../support/expect.js';
import { moreOracle, type MoreOracleCall } from '../support/more-oracle.js';
import type { OracleResult } from '../support/oracle.js';
import { sandboxEnv } from '../support/sandbox.js';

const root = new URL('../../..', import.meta.url).pathname;
const PREFIX = `contract-${process.pid}`;

function okOf(r: OracleResult | undefined): unknown {
  if (!r || !('ok' in r)) throw new Error(`the C client's call failed: ${JSON.stringify(r, bigintReplacer)}`);
  return r.ok;
}

/** Integers in one form (number when safe) so our bigints compare with the C client's ints. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
const sorted = <T>(xs: readonly T[]): T[] => [...xs].map(String).sort() as T[];

describe('API contract against libvirtd (test driver, C client as oracle)', function () {
  this.timeout(60_000);
  let uri: string;
  let conn: Connection;
  let dom: Domain;
  const name = `${PREFIX}-t`;
  const O = (calls: MoreOracleCall[]): OracleResult[] => moreOracle(uri, calls);
  const dcall = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'domain', name, call, args });
  const ccall = (call: string, ...args: unknown[]): MoreOracleCall => ({ target: 'conn', call, args } as MoreOracleCall);

  before(async () => {
    uri = sandboxEnv('TEST_UNIX_URI');
    cleanupDomains(uri, [name], VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
    conn = await connect(uri);
    dom = await conn.domainDefineXML(
      `<domain type='test'><name>${name}</name><memory>16384</memory><currentMemory>16384</currentMemory><vcpu>2</vcpu><os><type>hvm</type></os>` +
        `<devices><disk type='file' device='disk'><source file='/guest/${name}.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>`,
    );
    await dom.create();
  });
  after(async () => {
    cleanupDomains(uri, [name], VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
    await conn?.close();
  });

  describe('inputs', () => {
    it('64-bit parameters take a safe integer or a bigint; the C client sees each value', async () => {
      await dom.setMemory(12288);
      expect((okOf(O([dcall('info')])[0]) as number[])[2]).to.equal(12288);
      await dom.setMemory(10240n);
      expect((okOf(O([dcall('info')])[0]) as number[])[2]).to.equal(10240);
      await dom.setMemoryFlags(9216, VIR_DOMAIN_AFFECT_LIVE);
      expect((okOf(O([dcall('info')])[0]) as number[])[2]).to.equal(9216);
      const [peek] = O([dcall('memoryPeek', 0, 8, VIR_MEMORY_PHYSICAL)]);
      expect(Buffer.from(await dom.memoryPeek(0, 8, VIR_MEMORY_PHYSICAL))).to.have.length(8);
      expect(Buffer.from(await dom.memoryPeek(0n, 8, VIR_MEMORY_PHYSICAL))).to.deep.equal(Buffer.from(await dom.memoryPeek(0, 8, VIR_MEMORY_PHYSICAL)));
      expect(peek).to.have.property('ok');
    });

    it('an unsafe or out-of-range number is VIR_ERR_INVALID_ARG naming the C parameter; nothing is sent and the connection goes on', async () => {
      for (const bad of [2 ** 53, -1, 1.5, Number.NaN]) {
        const e = await rejection(dom.setMemory(bad));
        expect(e).to.be.instanceOf(LibvirtError);
        expect(e.code).to.equal(VIR_ERR_INVALID_ARG);
        expect(e.message).to.match(/^memory in virDomainSetMemory must be a safe integer or a bigint/);
        expect(e.message).to.not.match(/undefined/);
        expect(getLastError()).to.equal(e);
      }
      const big = await rejection(dom.setMemory(1n << 64n));
      expect(big.code).to.equal(VIR_ERR_INVALID_ARG);
      expect((okOf(O([dcall('info')])[0]) as number[])[2]).to.equal(9216);
      expect(await conn.getLibVersion()).to.be.a('bigint');
    });

    it('0/1 switches take booleans (setAutostart) and numbers as before', async () => {
      await dom.setAutostart(true);
      expect(okOf(O([dcall('autostart')])[0])).to.equal(1);
      expect(await dom.getAutostart()).to.equal(true);
      await dom.setAutostart(false);
      expect(okOf(O([dcall('autostart')])[0])).to.equal(0);
      await dom.setAutostart(1);
      expect(okOf(O([dcall('autostart')])[0])).to.equal(1);
      await dom.setAutostart(0);
      const net = await conn.networkLookupByName('default');
      const before = await net.getAutostart();
      await net.setAutostart(!before);
      expect(okOf(O([{ target: 'network', name: 'default', call: 'autostart', args: [] }])[0])).to.equal(before ? 0 : 1);
      await net.setAutostart(before);
    });
  });

  describe('optional output-buffer sizes default to everything, as libvirt-python', () => {
    it('listings: listDomains, listDefinedDomains, networks, pools, interfaces, volumes, node devices', async () => {
      // (The test driver has no nwfilters or secrets: listNWFilters and listSecrets are compared on QEMU in api-resources.)
      const [ids, defined, nets, dnets, pools, dpools, ifaces, difaces, devices] = O([
        ccall('listDomainsID'),
        ccall('listDefinedDomains'),
        ccall('listNetworks'),
        ccall('listDefinedNetworks'),
        ccall('listStoragePools'),
        ccall('listDefinedStoragePools'),
        ccall('listInterfaces'),
        ccall('listDefinedInterfaces'),
        ccall('listDevices', null, 0),
      ]);
      expect(sorted(await conn.listDomains())).to.deep.equal(sorted(okOf(ids) as number[]));
      expect(sorted(await conn.listDefinedDomains())).to.deep.equal(sorted(okOf(defined) as string[]));
      expect(sorted(await conn.listNetworks())).to.deep.equal(sorted(okOf(nets) as string[]));
      expect(sorted(await conn.listDefinedNetworks())).to.deep.equal(sorted(okOf(dnets) as string[]));
      expect(sorted(await conn.listStoragePools())).to.deep.equal(sorted(okOf(pools) as string[]));
      expect(sorted(await conn.listDefinedStoragePools())).to.deep.equal(sorted(okOf(dpools) as string[]));
      expect(sorted(await conn.listInterfaces())).to.deep.equal(sorted(okOf(ifaces) as string[]));
      expect(sorted(await conn.listDefinedInterfaces())).to.deep.equal(sorted(okOf(difaces) as string[]));
      expect(sorted(await conn.nodeListDevices(null))).to.deep.equal(sorted(okOf(devices) as string[]));
      // A size given explicitly still limits, as in C.
      const all = await conn.listDomains();
      expect(all.length).to.be.at.least(2);
      expect(await conn.listDomains(1)).to.have.length(1);
      const pool = (await conn.listStoragePools())[0]!;
      const [vols] = O([{ target: 'storagePool', name: pool, call: 'listVolumes', args: [] } as MoreOracleCall]);
      expect(sorted(await (await conn.storagePoolLookupByName(pool)).listVolumes())).to.deep.equal(sorted(okOf(vols) as string[]));
    });

    it('snapshotListNames, getDiskErrors, memoryStats, getVcpus, getVcpuPinInfo, getEmulatorPinInfo, nodeGetCellsFreeMemory, getMaxVcpus, getAllDomainStats', async () => {
      await dom.snapshotCreateXML(`<domainsnapshot><name>s1</name></domainsnapshot>`, 0);
      await dom.snapshotCreateXML(`<domainsnapshot><name>s2</name></domainsnapshot>`, 0);
      const [snaps, children, diskErrors, mem, vcpus, pins, emu, info, cells, maxv, stats, cpumap] = O([
        dcall('snapshotListNames', 0),
        { target: 'snapshot', domain: name, name: 's1', call: 'listChildrenNames', args: [0] } as MoreOracleCall,
        dcall('diskErrors', 0),
        dcall('memoryStats'),
        dcall('vcpus'),
        dcall('vcpuPinInfo', 0),
        dcall('emulatorPinInfo', 0),
        ccall('getInfo'),
        ccall('getCellsFreeMemory', 0, (await conn.nodeGetInfo()).nodes),
        ccall('getMaxVcpus', null),
        ccall('getAllDomainStats'),
        ccall('getCPUMap', 0),
      ]);
      expect(sorted(await dom.snapshotListNames())).to.deep.equal(sorted(okOf(snaps) as string[]));
      const s1 = await dom.snapshotLookupByName('s1');
      expect(sorted(await s1.listChildrenNames())).to.deep.equal(sorted(okOf(children) as string[]));
      expect(Object.fromEntries((await dom.getDiskErrors()).map((e) => [e.disk, e.error]))).to.deep.equal(okOf(diskErrors));
      expect(plain({ ...(await dom.memoryStats()) })).to.deep.equal(plain(okOf(mem)));
      const v = await dom.getVcpus();
      const [infos, maps] = okOf(vcpus) as [[number, number, number, number][], boolean[][]];
      expect(v.info.map((x) => [x.number, x.state, x.cpu])).to.deep.equal(infos.map(([n, s, , c]) => [n, s, c]));
      expect(v.cpumaps).to.deep.equal(maps);
      expect(await dom.getVcpuPinInfo()).to.deep.equal(okOf(pins));
      expect(await dom.getEmulatorPinInfo()).to.deep.equal(okOf(emu));
      expect((okOf(info) as number[])[4]).to.equal((await conn.nodeGetInfo()).nodes);
      expect(plain(await conn.nodeGetCellsFreeMemory(0))).to.deep.equal(plain(okOf(cells)));
      expect(await conn.getMaxVcpus()).to.equal(okOf(maxv));
      const mine = await conn.getAllDomainStats();
      // libvirt-python gives (domain, stats) pairs; the oracle names each domain.
      expect(sorted(mine.map((s) => s.dom.name))).to.deep.equal(sorted((okOf(stats) as [string, unknown][]).map(([d]) => d)));
      const [cpus, online, count] = [...(okOf(cpumap) as [number, boolean[], number])];
      expect(await conn.nodeGetCPUMap()).to.deep.equal({ cpus, cpumap: online, online: count });
    });
  });

  describe('results', () => {
    it('filled C structs keep the C field names (virVcpuInfo cpuTime), 64-bit values are bigint, JSON through bigintReplacer', async () => {
      const [vcpu] = (await dom.getVcpus()).info;
      expect(Object.keys(vcpu!)).to.deep.equal(['number', 'state', 'cpuTime', 'cpu']);
      expect(vcpu!.cpuTime).to.be.a('bigint');
      const i = await dom.getInfo();
      expect(Object.keys(i)).to.deep.equal(['state', 'maxMem', 'memory', 'nrVirtCpu', 'cpuTime']);
      expect(JSON.parse(JSON.stringify(i, bigintReplacer)).memory).to.equal(String(i.memory));
      const b = await dom.blockStats('vda');
      expect(Object.keys(b)).to.deep.equal(['rd_req', 'rd_bytes', 'wr_req', 'wr_bytes', 'errs']);
    });
  });

  describe('per-call options', () => {
    it('an already aborted signal rejects without sending; the cause is the reason', async () => {
      const reason = new Error('changed my mind');
      const e = await rejection(dom.getXMLDesc(0, { signal: AbortSignal.abort(reason) }));
      expect(e.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(e.cause).to.equal(reason);
      const g = await rejection(conn.getLibVersion({ signal: AbortSignal.abort('x') }));
      expect(g.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(g.cause).to.equal('x');
    });

    it('aborting in flight rejects at once, the late reply is dropped and the connection stays usable', async () => {
      const ac = new AbortController();
      const pending = dom.getXMLDesc(0, { signal: ac.signal });
      ac.abort('stop');
      const e = await rejection(pending);
      expect(e.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(e.cause).to.equal('stop');
      // Many aborted calls in flight, then ordinary calls: every reply goes where it belongs.
      const aborted = Array.from({ length: 50 }, () => {
        const c = new AbortController();
        const p = conn.getCapabilities({ signal: c.signal });
        c.abort();
        return rejection(p);
      });
      for (const a of await Promise.all(aborted)) expect(a.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(await dom.getXMLDesc(0)).to.include(`<name>${name}</name>`);
      expect(await conn.getHostname()).to.be.a('string');
      // A signal that never fires and a generous timeout leave the call alone.
      expect(await dom.getXMLDesc(0, { signal: new AbortController().signal, timeout: 30_000 })).to.include(name);
      // Methods that count first (listDomains) pass the signal to both calls.
      const l = await rejection(conn.listDomains(undefined, { signal: AbortSignal.abort() }));
      expect(l.code).to.equal(VIR_ERR_OPERATION_ABORTED);
    });

    it('an event stream ends with VIR_ERR_OPERATION_ABORTED when its signal aborts', async () => {
      const ac = new AbortController();
      const events = conn.domainEvents({ signal: ac.signal });
      await events.ready;
      const next = events.next();
      ac.abort('enough');
      const e = await rejection(next);
      expect(e.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(e.cause).to.equal('enough');
    });
  });

  describe('resources and errors', () => {
    it('await using closes the connection and event streams at the end of the scope', async () => {
      let seen: Connection;
      let stream: { closeReason: unknown; buffered: number } | null = null;
      {
        await using c = await connect(uri);
        seen = c;
        await using events = c.domainEvents();
        await events.ready;
        stream = events;
        expect(c.closed).to.equal(false);
      }
      expect(seen.closed).to.equal(true);
      expect(stream).to.not.equal(null);
    });

    it('UUID-string lookups fail with the C function\'s error domain and message', async () => {
      const net = await conn.networkLookupByName('default');
      const cases: [() => Promise<unknown>, MoreOracleCall][] = [
        [() => conn.domainLookupByUUIDString('nope'), ccall('lookupByUUIDString', 'nope')],
        [() => conn.networkLookupByUUIDString('nope'), ccall('networkLookupByUUIDString', 'nope')],
        [() => conn.storagePoolLookupByUUIDString('nope'), ccall('storagePoolLookupByUUIDString', 'nope')],
        [() => conn.secretLookupByUUIDString('nope'), ccall('secretLookupByUUIDString', 'nope')],
        [() => conn.nWFilterLookupByUUIDString('nope'), ccall('nwfilterLookupByUUIDString', 'nope')],
        [() => net.portLookupByUUIDString('nope'), { target: 'network', name: 'default', call: 'portLookupByUUIDString', args: ['nope'] } as MoreOracleCall],
      ];
      const theirs = O(cases.map(([, c]) => c));
      for (const [i, [mine]] of cases.entries()) {
        const e = await rejection(mine());
        const t = theirs[i] as { error: { code: number; domain: number; message: string } };
        expect([e.code, e.domain, e.message], String(i)).to.deep.equal([t.error.code, t.error.domain, t.error.message]);
      }
      const e = await rejection(conn.domainLookupByUUIDString('nope'));
      expect(e.domain).to.equal(VIR_FROM_DOMAIN);
      expect(conn.copyLastError()?.message).to.equal('Invalid UUID');
      const saved = saveLastError();
      await rejection(conn.domainLookupByName('no-such-domain-here'));
      expect(saved?.message).to.equal('Invalid UUID');
      expect(getLastError()).to.not.equal(null);
      expect(getLastError()?.message).to.not.equal('Invalid UUID');
    });

    it('an unknown procedure is VIR_ERR_INVALID_ARG', async () => {
      // Plain JavaScript can name any procedure (TypeScript would not let it).
      const untyped = conn.call.bind(conn) as unknown as (name: string) => Promise<unknown>;
      const e = await rejection(untyped('REMOTE_PROC_NOPE'));
      expect(e).to.be.instanceOf(LibvirtError);
      expect(e.code).to.equal(VIR_ERR_INVALID_ARG);
      expect(e.message).to.equal('unknown procedure "REMOTE_PROC_NOPE"');
    });

    it('with only LIBVIRT_LOG_OUTPUTS set, a failed call is written to the file as the C client writes it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'lvrpc-logout-'));
      try {
        const theirs = join(dir, 'c.log');
        const ours = join(dir, 'ours.log');
        execFileSync('/usr/bin/python3', ['-c', `import libvirt\nc = libvirt.open(${JSON.stringify(uri)})\nlibvirt.registerErrorHandler(lambda *a: None, None)\ntry:\n    c.lookupByName('no-such-dom')\nexcept libvirt.libvirtError:\n    pass\n`], {
          env: { ...process.env, LIBVIRT_LOG_OUTPUTS: `1:file:${theirs}` },
        });
        const script = `import(${JSON.stringify(join(root, 'dist/src/index.js'))}).then(async (m) => { const c = await m.connect(${JSON.stringify(uri)}); await c.domainLookupByName('no-such-dom').catch(() => 0); await c.close(); })`;
        execFileSync(process.execPath, ['-e', script], { env: { ...process.env, LIBVIRT_LOG_OUTPUTS: `1:file:${ours}` } });
        const line = (f: string): string | undefined => readFileSync(f, 'utf8').split('\n').find((l) => / error : /.test(l) && /Domain not found/.test(l));
        const c = line(theirs);
        const o = line(ours);
        expect(c, 'the C client logs the error').to.be.a('string');
        expect(o, 'we log the error').to.be.a('string');
        const message = (l: string): string => l.slice(l.lastIndexOf(' : ') + 3);
        expect(message(o!)).to.equal(message(c!));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
