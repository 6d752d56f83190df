// Domains through the API layer, as libvirt's application development guide walks through them:
// lookups, listings with every listAllDomains filter group, the lifecycle, reads and settings,
// snapshots, statistics, typed parameters and the QEMU monitor. Each read is compared with the same
// call through libvirt's own C client (python3-libvirt) on the same daemon, each state change is
// checked by its effect as the C client sees it, and each mistake must be rejected with the code
// the C client gets for it. Runs on test:///default over unix and on a real QEMU guest on
// qemu:///system.
import { expect } from 'chai';
import { cleanupDomains } from '../support/oracle.js';
import { rejection } from '../support/expect.js';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { TypedParams } from '../../src/api/convert.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { Domain, DomainSnapshot } from '../../src/api/objects.js';
import {
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
  VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT,
  VIR_CONNECT_LIST_DOMAINS_ACTIVE,
  VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_INACTIVE,
  VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
  VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
  VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
  VIR_CONNECT_LIST_DOMAINS_OTHER,
  VIR_CONNECT_LIST_DOMAINS_PAUSED,
  VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
  VIR_CONNECT_LIST_DOMAINS_RUNNING,
  VIR_CONNECT_LIST_DOMAINS_SHUTOFF,
  VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
  VIR_DOMAIN_AFFECT_CONFIG,
  VIR_DOMAIN_AFFECT_CURRENT,
  VIR_DOMAIN_AFFECT_LIVE,
  VIR_DOMAIN_CRASHED,
  VIR_DOMAIN_MEM_CONFIG,
  VIR_DOMAIN_MEM_CURRENT,
  VIR_DOMAIN_MEM_LIVE,
  VIR_DOMAIN_METADATA_DESCRIPTION,
  VIR_DOMAIN_METADATA_ELEMENT,
  VIR_DOMAIN_METADATA_TITLE,
  VIR_DOMAIN_PAUSED,
  VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP,
  VIR_DOMAIN_RUNNING,
  VIR_DOMAIN_SHUTOFF,
  VIR_DOMAIN_SNAPSHOT_LIST_ROOTS,
  VIR_DOMAIN_STATS_STATE,
  VIR_DOMAIN_UNDEFINE_MANAGED_SAVE,
  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
  VIR_DOMAIN_VCPU_CONFIG,
  VIR_DOMAIN_VCPU_CURRENT,
  VIR_DOMAIN_VCPU_LIVE,
  VIR_DOMAIN_VCPU_MAXIMUM,
  VIR_DOMAIN_XML_INACTIVE,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_NO_DOMAIN_METADATA,
  VIR_ERR_NO_DOMAIN_SNAPSHOT,
  VIR_ERR_OPERATION_INVALID,
} from '../../src/apixml/generated/constants.js';
import { domainsOracle, type DomainsOracleCall } from '../support/domains-oracle.js';
import type { OracleError, OracleResult } from '../support/oracle.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';

const PREFIX = `apidom-${process.pid}`;
const UNDEFINE_ALL = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;

function testXml(name: string, extra = ''): string {
  return `<domain type='test'><name>${name}</name><memory>8192</memory><vcpu>2</vcpu><os><type>hvm</type></os>${extra}</domain>`;
}

/** The C client's value of a call that must have succeeded. */
function okOf(r: OracleResult | undefined): unknown {
  if (!r || !('ok' in r)) throw new Error(`the C client's call failed: ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  return r.ok;
}

/** The C client's error of a call that must have failed. */
function errOf(r: OracleResult | undefined): OracleError {
  if (!r || !('error' in r)) throw new Error(`expected the C client's call to fail, got ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
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

/** Our error carries what the C client's does for the same mistake. */
function expectSameError(ours: LibvirtError, theirs: OracleResult | undefined): void {
  const t = errOf(theirs);
  expect({ code: ours.code, domain: ours.domain, message: ours.message }).to.deep.equal({ code: t.code, domain: t.domain, message: t.message });
  expect(ours.codeName).to.be.a('string').and.match(/^VIR_ERR_/);
}

/**
 * A method looked up by name at run time: the test is written to the name libvirt's C reference
 * predicts, and fails (rather than not compiling) when the method is missing.
 */
function method<T = unknown>(obj: object, name: string): (...args: unknown[]) => Promise<T> {
  const f = (obj as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new Error(`${obj.constructor.name} has no method ${name}()`);
  return (...args: unknown[]) => (f as (...a: unknown[]) => Promise<T>).apply(obj, args);
}

/**
 * Compares a listing of ours with the C client's. Other sessions may use the same daemon, so when
 * our own listing changed while the C client listed, the comparison is retried.
 */
async function sameListing<T>(ours: () => Promise<T[]>, theirs: () => T[]): Promise<T[]> {
  for (let attempt = 1; ; attempt++) {
    const before = sorted(await ours());
    const them = sorted(theirs());
    const after = sorted(await ours());
    if (attempt === 3 || (JSON.stringify(before) === JSON.stringify(after) && JSON.stringify(before) === JSON.stringify(them))) {
      expect(before).to.deep.equal(them);
      return before;
    }
  }
}


describe('API layer: domains on test:///default (C client as oracle)', function () {
  this.timeout(60_000);
  let uri: string;
  let conn: Connection;
  const names = new Set<string>();
  const nameOf = (suffix: string): string => {
    const n = `${PREFIX}-${suffix}`;
    names.add(n);
    return n;
  };
  const O = (calls: DomainsOracleCall[]): OracleResult[] => domainsOracle(uri, calls);
  const dcall = (name: string, call: string, ...args: unknown[]): DomainsOracleCall => ({ target: 'domain', name, call, args });

  before(async () => {
    uri = sandboxEnv('TEST_UNIX_URI');
    conn = await connect(uri);
  });
  after(async () => {
    cleanupDomains(uri, names, UNDEFINE_ALL);
    await conn?.close();
  });

  describe('lookups and identity', () => {
    let name: string;
    before(async () => {
      name = nameOf('lookup');
      const d = await conn.domainDefineXML(testXml(name));
      await d.create();
    });

    it('finds a running domain by id, name, UUID string and raw UUID, as the C client does', async () => {
      const [id, uuidstr, rawUuid, theirName, osType] = O([dcall(name, 'ID'), dcall(name, 'UUIDString'), dcall(name, 'UUID'), dcall(name, 'name'), dcall(name, 'OSType')]);
      const byName = await conn.domainLookupByName(name);
      expect(byName).to.be.instanceOf(Domain);
      expect(byName.name).to.equal(okOf(theirName));
      expect(byName.uuid).to.equal(okOf(uuidstr));
      expect(byName.id).to.equal(okOf(id));
      expect(byName.id).to.be.greaterThan(0);
      const byId = await conn.domainLookupByID(byName.id);
      const byUuidString = await conn.domainLookupByUUIDString(byName.uuid);
      const raw = Buffer.from((okOf(rawUuid) as { $bytes: string }).$bytes, 'base64');
      expect(Buffer.from(byName.getUUID())).to.deep.equal(raw);
      const byRawUuid = await conn.domainLookupByUUID(new Uint8Array(raw));
      for (const d of [byId, byUuidString, byRawUuid]) {
        expect(d).to.be.instanceOf(Domain);
        expect([d.name, d.uuid, d.id]).to.deep.equal([byName.name, byName.uuid, byName.id]);
        expect(d.equals(byName)).to.equal(true);
        expect(d.getName()).to.equal(name);
        expect(d.getUUIDString()).to.equal(okOf(uuidstr));
        expect(d.getID()).to.equal(okOf(id));
        expect(d.connection).to.equal(conn);
        expect(d.getConnect()).to.equal(conn);
      }
      expect(await byId.getOSType()).to.equal(okOf(osType));
    });

    it('equals() compares by identity (UUID and connection); toString() names the domain', async () => {
      const a = await conn.domainLookupByName(name);
      const b = await conn.domainLookupByUUIDString(a.uuid);
      const other = (await conn.listAllDomains()).find((d) => d.name !== name)!;
      expect(a.equals(b)).to.equal(true);
      expect(a.equals(other)).to.equal(false);
      expect(a.equals(a.uuid)).to.equal(false);
      expect(a.equals(null)).to.equal(false);
      const conn2 = await connect(uri);
      try {
        expect(a.equals(await conn2.domainLookupByName(name))).to.equal(false);
      } finally {
        await conn2.close();
      }
      expect(String(a)).to.include(name).and.include(a.uuid);
      expect(a.toString()).to.equal(`Domain(${name}, ${a.uuid}, id=${a.id})`);
    });
  });

  describe('lifecycle, each change seen by the C client', () => {
    it('domainCreateXML starts a transient domain; destroy makes it disappear', async () => {
      const name = nameOf('transient');
      const dom = await conn.domainCreateXML(testXml(name));
      expect(dom).to.be.instanceOf(Domain);
      expect(dom.name).to.equal(name);
      const [active, persistent, state, id] = O([dcall(name, 'isActive'), dcall(name, 'isPersistent'), dcall(name, 'state'), dcall(name, 'ID')]);
      expect(okOf(active)).to.equal(1);
      expect(okOf(persistent)).to.equal(0);
      expect((okOf(state) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
      expect(dom.id).to.equal(okOf(id));
      expect(await dom.isActive()).to.equal(true);
      expect(await dom.isPersistent()).to.equal(false);
      await dom.destroy();
      const [gone] = O([{ call: 'lookupByName', args: [name] }]);
      expect(errOf(gone).code).to.equal(VIR_ERR_NO_DOMAIN);
      expectSameError(await rejection(conn.domainLookupByName(name)), gone);
    });

    it('domainDefineXML + create, suspend, resume, shutdown, reboot, destroy, undefine', async () => {
      const name = nameOf('life');
      const dom = await conn.domainDefineXML(testXml(name));
      expect(dom.name).to.equal(name);
      expect(dom.id).to.equal(-1);
      const seen = (): { active: unknown; persistent: unknown; state: number[] } => {
        const [active, persistent, state] = O([dcall(name, 'isActive'), dcall(name, 'isPersistent'), dcall(name, 'state')]);
        return { active: okOf(active), persistent: okOf(persistent), state: okOf(state) as number[] };
      };
      const ourState = async (): Promise<number[]> => {
        const s = await dom.getState();
        return [s.state, s.reason];
      };
      let s = seen();
      expect([s.active, s.persistent, s.state[0]]).to.deep.equal([0, 1, VIR_DOMAIN_SHUTOFF]);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.create();
      s = seen();
      expect([s.active, s.state[0]]).to.deep.equal([1, VIR_DOMAIN_RUNNING]);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.suspend();
      s = seen();
      expect(s.state[0]).to.equal(VIR_DOMAIN_PAUSED);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.resume();
      s = seen();
      expect(s.state[0]).to.equal(VIR_DOMAIN_RUNNING);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.shutdown();
      s = seen();
      expect([s.active, s.persistent, s.state[0]]).to.deep.equal([0, 1, VIR_DOMAIN_SHUTOFF]);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.create();
      await dom.reboot(0);
      s = seen();
      expect([s.active, s.state[0]]).to.deep.equal([1, VIR_DOMAIN_RUNNING]);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.destroy();
      s = seen();
      expect([s.active, s.persistent, s.state[0]]).to.deep.equal([0, 1, VIR_DOMAIN_SHUTOFF]);
      expect(await ourState()).to.deep.equal(s.state);

      await dom.undefine();
      const [gone] = O([{ call: 'lookupByName', args: [name] }]);
      expect(errOf(gone).code).to.equal(VIR_ERR_NO_DOMAIN);
    });

    it('getID() follows create, createWithFlags and destroy, as virDomainGetID does on the same handle', async () => {
      const name = nameOf('ids');
      const dom = await conn.domainDefineXML(testXml(name));
      expect(dom.getID()).to.equal(-1);
      await dom.create();
      const [id1] = O([dcall(name, 'ID')]);
      expect(okOf(id1)).to.be.greaterThan(0);
      // libvirt's remote driver looks the domain up after REMOTE_PROC_DOMAIN_CREATE to learn its id.
      expect(dom.getID(), 'getID() after create()').to.equal(okOf(id1));
      await dom.destroy();
      expect(dom.getID(), 'getID() after destroy()').to.equal(-1);
      await dom.createWithFlags(0);
      const [id2] = O([dcall(name, 'ID')]);
      expect(dom.getID(), 'getID() after createWithFlags()').to.equal(okOf(id2));
    });

    it('undefineFlags(MANAGED_SAVE | SNAPSHOTS_METADATA) removes what plain undefine refuses to', async () => {
      const name = nameOf('undef');
      const dom = await conn.domainDefineXML(testXml(name));
      await dom.create();
      await dom.snapshotCreateXML('<domainsnapshot><name>keep</name></domainsnapshot>');
      await dom.managedSave(0);
      const [state, saved] = O([dcall(name, 'state'), dcall(name, 'hasManagedSaveImage', 0)]);
      expect((okOf(state) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
      expect(okOf(saved)).to.equal(1);
      expect(await dom.hasManagedSaveImage()).to.equal(true);
      // Plain undefine, and each flag alone, are refused as for the C client (which runs second: it fails too).
      for (const flags of [null, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA]) {
        const ours = await rejection(flags === null ? dom.undefine() : dom.undefineFlags(flags));
        const [theirs] = O([flags === null ? dcall(name, 'undefine') : dcall(name, 'undefineFlags', flags)]);
        expect(ours.code).to.equal(VIR_ERR_OPERATION_INVALID);
        expectSameError(ours, theirs);
      }
      await dom.undefineFlags(VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
      const [gone] = O([{ call: 'lookupByName', args: [name] }]);
      expect(errOf(gone).code).to.equal(VIR_ERR_NO_DOMAIN);
    });
  });

  describe('listing: numOf*/list* and listAllDomains with every filter group', () => {
    // Our own domains, one per state, and which filters must include them. The test driver has no
    // way into an OTHER state (crashed, pmsuspended, shutting down): the QEMU part covers OTHER.
    const kinds = ['run', 'paused', 'off', 'saved', 'trans'] as const;
    type Kind = (typeof kinds)[number];
    const full: Record<Kind, string> = {} as Record<Kind, string>;
    const FILTERS: [string, number, Kind[]][] = [
      ['ACTIVE', VIR_CONNECT_LIST_DOMAINS_ACTIVE, ['run', 'paused', 'trans']],
      ['INACTIVE', VIR_CONNECT_LIST_DOMAINS_INACTIVE, ['off', 'saved']],
      ['PERSISTENT', VIR_CONNECT_LIST_DOMAINS_PERSISTENT, ['run', 'paused', 'off', 'saved']],
      ['TRANSIENT', VIR_CONNECT_LIST_DOMAINS_TRANSIENT, ['trans']],
      ['RUNNING', VIR_CONNECT_LIST_DOMAINS_RUNNING, ['run', 'trans']],
      ['PAUSED', VIR_CONNECT_LIST_DOMAINS_PAUSED, ['paused']],
      ['SHUTOFF', VIR_CONNECT_LIST_DOMAINS_SHUTOFF, ['off', 'saved']],
      ['OTHER', VIR_CONNECT_LIST_DOMAINS_OTHER, []],
      ['MANAGEDSAVE', VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, ['saved']],
      ['NO_MANAGEDSAVE', VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, ['run', 'paused', 'off', 'trans']],
      ['AUTOSTART', VIR_CONNECT_LIST_DOMAINS_AUTOSTART, ['run']],
      ['NO_AUTOSTART', VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, ['paused', 'off', 'saved', 'trans']],
      ['HAS_SNAPSHOT', VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, ['run']],
      ['NO_SNAPSHOT', VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, ['paused', 'off', 'saved', 'trans']],
      ['0 (all)', 0, [...kinds]],
      ['ACTIVE | INACTIVE', VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE, [...kinds]],
      ['RUNNING | PAUSED', VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED, ['run', 'paused', 'trans']],
      ['ACTIVE & PERSISTENT', VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_PERSISTENT, ['run', 'paused']],
      ['INACTIVE & NO_MANAGEDSAVE', VIR_CONNECT_LIST_DOMAINS_INACTIVE | VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, ['off']],
    ];

    before(async () => {
      for (const k of kinds) full[k] = nameOf(`list-${k}`);
      const run = await conn.domainDefineXML(testXml(full.run));
      await run.create();
      await run.setAutostart(1);
      await run.snapshotCreateXML('<domainsnapshot><name>s</name></domainsnapshot>');
      const paused = await conn.domainDefineXML(testXml(full.paused));
      await paused.create();
      await paused.suspend();
      await conn.domainDefineXML(testXml(full.off));
      const saved = await conn.domainDefineXML(testXml(full.saved));
      await saved.create();
      await saved.managedSave(0);
      await conn.domainCreateXML(testXml(full.trans));
      const states = O(kinds.map((k) => dcall(full[k], 'state'))).map((r) => (okOf(r) as number[])[0]);
      expect(states).to.deep.equal([VIR_DOMAIN_RUNNING, VIR_DOMAIN_PAUSED, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_RUNNING]);
    });

    it('numOfDomains/listDomains (ids) and numOfDefinedDomains/listDefinedDomains (names) agree with the C client', async () => {
      const ids = await sameListing(
        async () => conn.listDomains(Math.max(1, (await conn.numOfDomains()) + 16)),
        () => okOf(O([{ call: 'listDomainsID' }])[0]) as number[],
      );
      const defined = await sameListing(
        async () => conn.listDefinedDomains(Math.max(1, (await conn.numOfDefinedDomains()) + 16)),
        () => okOf(O([{ call: 'listDefinedDomains' }])[0]) as string[],
      );
      const [numActive, numDefined] = O([{ call: 'numOfDomains' }, { call: 'numOfDefinedDomains' }]);
      expect(await conn.numOfDomains()).to.equal(okOf(numActive)).and.to.equal(ids.length);
      expect(await conn.numOfDefinedDomains()).to.equal(okOf(numDefined)).and.to.equal(defined.length);
      expect(defined).to.include.members([full.off, full.saved]);
      expect(defined).to.not.include.members([full.run]);
      for (const k of ['run', 'paused', 'trans'] as const) expect(ids).to.include((await conn.domainLookupByName(full[k])).id);
    });

    for (const [label, flags, included] of FILTERS) {
      it(`listAllDomains(${label}) lists what the C client lists`, async () => {
        const listed = await sameListing(
          async () => (await conn.listAllDomains(flags)).map((d) => d.name),
          () => okOf(O([{ call: 'listAllDomains', args: [flags] }])[0]) as string[],
        );
        const ours = kinds.filter((k) => listed.includes(full[k]));
        expect(ours).to.deep.equal(kinds.filter((k) => included.includes(k)));
      });
    }

    it('listAllDomains returns Domain objects carrying the identity the C client sees', async () => {
      const doms = (await conn.listAllDomains(0)).filter((d) => d.name.startsWith(`${PREFIX}-list-`));
      expect(doms).to.have.length(kinds.length);
      const results = O(doms.flatMap((d) => [dcall(d.name, 'UUIDString'), dcall(d.name, 'ID')]));
      doms.forEach((d, i) => {
        expect(d).to.be.instanceOf(Domain);
        expect(d.uuid).to.equal(okOf(results[2 * i]));
        expect(d.id).to.equal(okOf(results[2 * i + 1]));
      });
    });
  });

  describe('reads and settings', () => {
    let name: string;
    let dom: Domain;
    before(async () => {
      name = nameOf('read');
      dom = await conn.domainDefineXML(testXml(name));
      await dom.create();
    });

    it('getInfo, getState, getXMLDesc, getOSType, getMaxMemory, getMaxVcpus, getVcpusFlags, isActive, isPersistent, getAutostart agree', async () => {
      const r = O([
        dcall(name, 'info'),
        dcall(name, 'state', 0),
        dcall(name, 'XMLDesc', 0),
        dcall(name, 'XMLDesc', VIR_DOMAIN_XML_INACTIVE),
        dcall(name, 'OSType'),
        dcall(name, 'maxMemory'),
        dcall(name, 'maxVcpus'),
        dcall(name, 'vcpusFlags', 0),
        dcall(name, 'vcpusFlags', VIR_DOMAIN_VCPU_MAXIMUM),
        dcall(name, 'isActive'),
        dcall(name, 'isPersistent'),
        dcall(name, 'autostart'),
        dcall(name, 'schedulerParameters'),
        dcall(name, 'hasCurrentSnapshot', 0),
        dcall(name, 'hasManagedSaveImage', 0),
      ]);
      const info = await dom.getInfo();
      const theirInfo = okOf(r[0]) as unknown[];
      // cpuTime is the time of day on the test driver: it moves between the two calls.
      expect(plain([info.state, info.maxMem, info.memory, info.nrVirtCpu])).to.deep.equal(plain(theirInfo.slice(0, 4)));
      expect(info.maxMem).to.be.a('bigint');
      expect(info.cpuTime).to.be.a('bigint');
      const state = await dom.getState(0);
      expect([state.state, state.reason]).to.deep.equal(okOf(r[1]));
      expect(await dom.getXMLDesc(0)).to.equal(okOf(r[2]));
      expect(await dom.getXMLDesc(VIR_DOMAIN_XML_INACTIVE)).to.equal(okOf(r[3]));
      expect(await dom.getOSType()).to.equal(okOf(r[4]));
      const maxMem = await dom.getMaxMemory();
      expect(maxMem).to.be.a('bigint');
      expect(plain(maxMem)).to.equal(plain(okOf(r[5])));
      expect(await dom.getMaxVcpus()).to.equal(okOf(r[6]));
      expect(await dom.getVcpusFlags(0)).to.equal(okOf(r[7]));
      expect(await dom.getVcpusFlags(VIR_DOMAIN_VCPU_MAXIMUM)).to.equal(okOf(r[8]));
      expect(await dom.isActive()).to.equal(okOf(r[9]) === 1);
      expect(await dom.isPersistent()).to.equal(okOf(r[10]) === 1);
      expect(await dom.getAutostart()).to.equal(okOf(r[11]) === 1);
      expect(plain(await dom.getSchedulerParameters())).to.deep.equal(plain(okOf(r[12])));
      expect(await dom.hasCurrentSnapshot(0)).to.equal(okOf(r[13]) === 1);
      expect(await dom.hasManagedSaveImage(0)).to.equal(okOf(r[14]) === 1);
    });

    it('setMetadata/getMetadata: description, title and an element, both ways', async () => {
      const appUri = 'http://example.org/libvirt-rpc/1';
      await dom.setMetadata(VIR_DOMAIN_METADATA_DESCRIPTION, 'set by libvirt-rpc', null, null, VIR_DOMAIN_AFFECT_LIVE);
      await dom.setMetadata(VIR_DOMAIN_METADATA_ELEMENT, '<app owner="rpc">one</app>', 'rpc', appUri, VIR_DOMAIN_AFFECT_LIVE);
      O([dcall(name, 'setMetadata', VIR_DOMAIN_METADATA_TITLE, 'title from the C client', null, null, VIR_DOMAIN_AFFECT_LIVE)]);
      const r = O([
        dcall(name, 'metadata', VIR_DOMAIN_METADATA_DESCRIPTION, null, 0),
        dcall(name, 'metadata', VIR_DOMAIN_METADATA_ELEMENT, appUri, 0),
        dcall(name, 'metadata', VIR_DOMAIN_METADATA_TITLE, null, 0),
      ]);
      expect(okOf(r[0])).to.equal('set by libvirt-rpc');
      expect(await dom.getMetadata(VIR_DOMAIN_METADATA_DESCRIPTION, null, 0)).to.equal(okOf(r[0]));
      expect(await dom.getMetadata(VIR_DOMAIN_METADATA_ELEMENT, appUri, 0)).to.equal(okOf(r[1]));
      expect(okOf(r[1])).to.match(/^<app owner="rpc">one<\/app>$/);
      expect(await dom.getMetadata(VIR_DOMAIN_METADATA_TITLE, null, VIR_DOMAIN_AFFECT_CURRENT)).to.equal('title from the C client');
      // Removing the element: both clients then get VIR_ERR_NO_DOMAIN_METADATA.
      await dom.setMetadata(VIR_DOMAIN_METADATA_ELEMENT, null, null, appUri, 0);
      const [missing] = O([dcall(name, 'metadata', VIR_DOMAIN_METADATA_ELEMENT, appUri, 0)]);
      const e = await rejection(dom.getMetadata(VIR_DOMAIN_METADATA_ELEMENT, appUri, 0));
      expect(e.code).to.equal(VIR_ERR_NO_DOMAIN_METADATA);
      expectSameError(e, missing);
    });

    it('setAutostart, setMaxMemory, setVcpusFlags, setMemoryFlags change what the C client reads', async () => {
      const setName = nameOf('set');
      const d = await conn.domainDefineXML(testXml(setName));
      await d.setAutostart(1);
      expect(okOf(O([dcall(setName, 'autostart')])[0])).to.equal(1);
      expect(await d.getAutostart()).to.equal(true);
      await d.setAutostart(0);
      expect(okOf(O([dcall(setName, 'autostart')])[0])).to.equal(0);
      expect(await d.getAutostart()).to.equal(false);

      await d.setMaxMemory(16384n);
      let r = O([dcall(setName, 'maxMemory'), dcall(setName, 'info')]);
      expect(okOf(r[0])).to.equal(16384);
      expect(await d.getMaxMemory()).to.equal(16384n);

      await d.setVcpusFlags(1, VIR_DOMAIN_AFFECT_CONFIG);
      r = O([dcall(setName, 'vcpusFlags', VIR_DOMAIN_AFFECT_CONFIG), dcall(setName, 'vcpusFlags', VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM)]);
      expect(okOf(r[0])).to.equal(1);
      expect(okOf(r[1])).to.equal(2);
      expect(await d.getVcpusFlags(VIR_DOMAIN_AFFECT_CONFIG)).to.equal(1);

      await d.setMemoryFlags(4096n, VIR_DOMAIN_AFFECT_CONFIG);
      expect((okOf(O([dcall(setName, 'info')])[0]) as number[])[2]).to.equal(4096);
      expect((await d.getInfo()).memory).to.equal(4096n);

      await d.create();
      await d.setMemoryFlags(6144n, VIR_DOMAIN_AFFECT_LIVE);
      const info = okOf(O([dcall(setName, 'info')])[0]) as number[];
      expect(info[2]).to.equal(6144);
      expect((await d.getInfo()).memory).to.equal(6144n);
    });

    it("the flags named after virDomainVcpuFlags/virDomainMemoryModFlags/virConnectGetAllDomainStatsFlags have libvirt's values and work", async () => {
      // These enum members are defined in libvirt.h as other constants (VIR_DOMAIN_VCPU_CONFIG = VIR_DOMAIN_AFFECT_CONFIG, ...).
      expect({ VIR_DOMAIN_VCPU_CURRENT, VIR_DOMAIN_VCPU_LIVE, VIR_DOMAIN_VCPU_CONFIG }).to.deep.equal({ VIR_DOMAIN_VCPU_CURRENT: 0, VIR_DOMAIN_VCPU_LIVE: 1, VIR_DOMAIN_VCPU_CONFIG: 2 });
      expect({ VIR_DOMAIN_MEM_CURRENT, VIR_DOMAIN_MEM_LIVE, VIR_DOMAIN_MEM_CONFIG }).to.deep.equal({ VIR_DOMAIN_MEM_CURRENT: 0, VIR_DOMAIN_MEM_LIVE: 1, VIR_DOMAIN_MEM_CONFIG: 2 });
      expect({ VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE, VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT }).to.deep.equal({
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE: VIR_CONNECT_LIST_DOMAINS_ACTIVE,
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT: VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
      });
      const flagName = nameOf('flags');
      const d = await conn.domainDefineXML(testXml(flagName));
      await d.setVcpusFlags(1, VIR_DOMAIN_VCPU_CONFIG);
      await d.setMemoryFlags(4096n, VIR_DOMAIN_MEM_CONFIG);
      const r = O([dcall(flagName, 'vcpusFlags', VIR_DOMAIN_AFFECT_CONFIG), dcall(flagName, 'info')]);
      expect(okOf(r[0])).to.equal(1);
      expect((okOf(r[1]) as number[])[2]).to.equal(4096);
      expect(await d.getVcpusFlags(VIR_DOMAIN_VCPU_CONFIG)).to.equal(1);
    });
  });

  describe('snapshots', () => {
    let name: string;
    let dom: Domain;
    const S = (snap: string, call: string, ...args: unknown[]): DomainsOracleCall => ({ target: 'snapshot', domain: name, name: snap, call, args });
    /** virDomainRevertToSnapshot by the name the brief and libvirt-python predict, else the generated one. */
    const revert = (snap: DomainSnapshot, flags = 0): Promise<unknown> =>
      typeof (snap as unknown as Record<string, unknown>).revertToSnapshot === 'function' ? method(snap, 'revertToSnapshot')(flags) : method(snap, 'domainRevertToSnapshot')(flags);

    before(async () => {
      name = nameOf('snap');
      dom = await conn.domainDefineXML(testXml(name));
      await dom.create();
    });

    it('snapshotCreateXML, listAllSnapshots, snapshotNum, snapshotListNames, snapshotLookupByName agree with the C client', async () => {
      const s1 = await dom.snapshotCreateXML('<domainsnapshot><name>s1</name><description>running</description></domainsnapshot>', 0);
      expect(s1).to.be.instanceOf(DomainSnapshot);
      expect(s1.name).to.equal('s1');
      expect(s1.getName()).to.equal('s1');
      expect(s1.domain.equals(dom)).to.equal(true);
      expect(s1.getDomain().name).to.equal(name);
      await dom.suspend();
      const s2 = await dom.snapshotCreateXML('<domainsnapshot><name>s2</name><description>paused</description></domainsnapshot>', 0);
      await dom.resume();
      const r = O([
        dcall(name, 'snapshotNum', 0),
        dcall(name, 'snapshotListNames', 0),
        dcall(name, 'listAllSnapshots', 0),
        dcall(name, 'listAllSnapshots', VIR_DOMAIN_SNAPSHOT_LIST_ROOTS),
        dcall(name, 'snapshotCurrent', 0),
        dcall(name, 'hasCurrentSnapshot', 0),
      ]);
      expect(await dom.snapshotNum(0)).to.equal(okOf(r[0])).and.to.equal(2);
      expect(sorted(await dom.snapshotListNames(10, 0))).to.deep.equal(sorted(okOf(r[1]) as string[]));
      const all = await dom.listAllSnapshots(0);
      expect(all.every((s) => s instanceof DomainSnapshot && s.domain.equals(dom))).to.equal(true);
      expect(sorted(all.map((s) => s.name))).to.deep.equal(sorted(okOf(r[2]) as string[]));
      expect((await dom.listAllSnapshots(VIR_DOMAIN_SNAPSHOT_LIST_ROOTS)).map((s) => s.name)).to.deep.equal(okOf(r[3]));
      expect((await dom.snapshotCurrent(0)).name).to.equal(okOf(r[4])).and.to.equal('s2');
      expect(await dom.hasCurrentSnapshot(0)).to.equal(okOf(r[5]) === 1);
      const found = await dom.snapshotLookupByName('s2', 0);
      expect(found.equals(s2)).to.equal(true);
      expect(found.equals(s1)).to.equal(false);
      expect(String(found)).to.include('s2').and.include(name);
    });

    it('DomainSnapshot getXMLDesc, getParent, isCurrent, hasMetadata, listAllChildren, numChildren agree', async () => {
      const s1 = await dom.snapshotLookupByName('s1');
      const s2 = await dom.snapshotLookupByName('s2');
      const r = O([
        S('s1', 'getXMLDesc', 0),
        S('s2', 'getXMLDesc', 0),
        S('s2', 'getParent', 0),
        S('s1', 'getParent', 0),
        S('s1', 'isCurrent', 0),
        S('s2', 'isCurrent', 0),
        S('s1', 'hasMetadata', 0),
        S('s1', 'numChildren', 0),
        S('s1', 'listAllChildren', 0),
        S('s1', 'getName'),
      ]);
      expect(await s1.getXMLDesc(0)).to.equal(okOf(r[0]));
      expect(await s2.getXMLDesc(0)).to.equal(okOf(r[1]));
      const parent = await s2.getParent(0);
      expect(parent).to.be.instanceOf(DomainSnapshot);
      expect(parent.name).to.equal(okOf(r[2])).and.to.equal('s1');
      expect(parent.equals(s1)).to.equal(true);
      const noParent = await rejection(s1.getParent(0));
      expect(noParent.code).to.equal(VIR_ERR_NO_DOMAIN_SNAPSHOT);
      expectSameError(noParent, r[3]);
      expect(await s1.isCurrent(0)).to.equal(okOf(r[4]) === 1);
      expect(await s2.isCurrent(0)).to.equal(okOf(r[5]) === 1);
      expect(await s1.hasMetadata(0)).to.equal(okOf(r[6]) === 1);
      expect(await s1.numChildren(0)).to.equal(okOf(r[7]));
      expect((await s1.listAllChildren(0)).map((s) => s.name)).to.deep.equal(okOf(r[8]));
      expect(s1.getName()).to.equal(okOf(r[9]));
    });

    it('reverting to a snapshot restores the state it was taken in, as the C client sees', async () => {
      const s1 = await dom.snapshotLookupByName('s1');
      const s2 = await dom.snapshotLookupByName('s2');
      await revert(s2, 0);
      let r = O([dcall(name, 'state'), dcall(name, 'snapshotCurrent', 0), S('s2', 'isCurrent', 0)]);
      expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_PAUSED);
      expect(okOf(r[1])).to.equal('s2');
      expect(okOf(r[2])).to.equal(1);
      await revert(s1, 0);
      r = O([dcall(name, 'state'), dcall(name, 'snapshotCurrent', 0), S('s1', 'isCurrent', 0)]);
      expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
      expect(okOf(r[1])).to.equal('s1');
      expect(okOf(r[2])).to.equal(1);
      expect(await s1.isCurrent()).to.equal(true);
    });

    it('revertToSnapshot is the name of virDomainRevertToSnapshot (on the snapshot)', async () => {
      const s1 = await dom.snapshotLookupByName('s1');
      expect(typeof (s1 as unknown as Record<string, unknown>).revertToSnapshot, 'DomainSnapshot.prototype.revertToSnapshot').to.equal('function');
      await method(s1, 'revertToSnapshot')(0);
      expect((okOf(O([dcall(name, 'state')])[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);
    });

    it('snapshot delete removes it for the C client too', async () => {
      const s2 = await dom.snapshotLookupByName('s2');
      await s2.delete(0);
      let r = O([dcall(name, 'snapshotListNames', 0), dcall(name, 'snapshotLookupByName', 's2', 0)]);
      expect(okOf(r[0])).to.deep.equal(['s1']);
      const e = await rejection(dom.snapshotLookupByName('s2'));
      expect(e.code).to.equal(VIR_ERR_NO_DOMAIN_SNAPSHOT);
      expectSameError(e, r[1]);
      await (await dom.snapshotLookupByName('s1')).delete(0);
      r = O([dcall(name, 'snapshotNum', 0), dcall(name, 'hasCurrentSnapshot', 0)]);
      expect(okOf(r[0])).to.equal(0);
      expect(await dom.snapshotNum()).to.equal(0);
      expect(await dom.hasCurrentSnapshot()).to.equal(okOf(r[1]) === 1);
    });
  });

  describe('errors carry the C client’s code for the same mistake', () => {
    let off: Domain;
    let running: Domain;
    before(async () => {
      off = await conn.domainDefineXML(testXml(nameOf('err-off')));
      running = await conn.domainDefineXML(testXml(nameOf('err-run')));
      await running.create();
    });

    it('lookups of a missing domain by name, id and UUID string', async () => {
      const missingUuid = '6a2a0c55-1b1b-4c4c-9d9d-000000000001';
      const r = O([
        { call: 'lookupByName', args: [`${PREFIX}-missing`] },
        { call: 'lookupByID', args: [987654] },
        { call: 'lookupByUUIDString', args: [missingUuid] },
      ]);
      const byName = await rejection(conn.domainLookupByName(`${PREFIX}-missing`));
      expect(byName.code).to.equal(VIR_ERR_NO_DOMAIN);
      expect(byName.codeName).to.equal('VIR_ERR_NO_DOMAIN');
      const t = errOf(r[0]);
      expect({ code: byName.code, domain: byName.domain, message: byName.message, level: byName.level, str1: byName.str1, str2: byName.str2, str3: byName.str3, int1: byName.int1, int2: byName.int2 }).to.deep.equal(t);
      expectSameError(await rejection(conn.domainLookupByID(987654)), r[1]);
      expectSameError(await rejection(conn.domainLookupByUUIDString(missingUuid)), r[2]);
    });

    it('create of a running domain, suspend of a shut-off one, resume of a running one', async () => {
      const r = O([dcall(running.name, 'create'), dcall(off.name, 'suspend'), dcall(running.name, 'resume')]);
      // The test driver reports these as VIR_ERR_INTERNAL_ERROR (the QEMU driver: VIR_ERR_OPERATION_INVALID, below).
      expectSameError(await rejection(running.create()), r[0]);
      expectSameError(await rejection(off.suspend()), r[1]);
      expectSameError(await rejection(running.resume()), r[2]);
    });

    it('setMemory above the maximum', async () => {
      const [theirs] = O([dcall(running.name, 'setMemory', 1 << 20)]);
      const e = await rejection(running.setMemory(1n << 20n));
      expect(e.code).to.equal(VIR_ERR_INVALID_ARG);
      expectSameError(e, theirs);
    });

    it('domainDefineXML of malformed and of invalid XML', async () => {
      const malformed = `<domain type='test'><name>${PREFIX}-broken</name><memory>8192`;
      const invalid = `<domain type='nosuchtype'><name>${PREFIX}-invalid</name><memory>8192</memory><os><type>hvm</type></os></domain>`;
      const r = O([
        { call: 'defineXML', args: [malformed] },
        { call: 'defineXML', args: [invalid] },
        { call: 'createXML', args: [malformed, 0] },
      ]);
      expectSameError(await rejection(conn.domainDefineXML(malformed)), r[0]);
      expectSameError(await rejection(conn.domainDefineXML(invalid)), r[1]);
      expectSameError(await rejection(conn.domainCreateXML(malformed, 0)), r[2]);
    });
  });

  describe('getAllDomainStats', () => {
    before(async () => {
      const d = await conn.domainDefineXML(testXml(nameOf('stats')));
      await d.create();
      await conn.domainDefineXML(testXml(nameOf('stats-off')));
    });

    for (const [label, stats, flags] of [
      ['all stats', 0, 0],
      ['VIR_DOMAIN_STATS_STATE', VIR_DOMAIN_STATS_STATE, 0],
      ['VIR_DOMAIN_STATS_STATE of persistent domains', VIR_DOMAIN_STATS_STATE, VIR_CONNECT_LIST_DOMAINS_PERSISTENT],
    ] as const) {
      it(`${label}: same domains, fields and values as the C client`, async () => {
        let ours: { dom: Domain; params: Record<string, unknown> }[] = [];
        const names = await sameListing(
          async () => {
            ours = await conn.getAllDomainStats(stats, flags);
            return ours.map((s) => s.dom.name);
          },
          () => (okOf(O([{ call: 'getAllDomainStats', args: [stats, flags] }])[0]) as [string, Record<string, unknown>][]).map(([n]) => n),
        );
        expect(names).to.include(`${PREFIX}-stats`);
        const theirs = new Map(okOf(O([{ call: 'getAllDomainStats', args: [stats, flags] }])[0]) as [string, Record<string, unknown>][]);
        for (const { dom, params } of ours) {
          expect(dom).to.be.instanceOf(Domain);
          const t = theirs.get(dom.name);
          if (!t) continue; // came or went meanwhile (another session)
          if (dom.name.startsWith(PREFIX)) {
            expect(sorted(Object.keys(params))).to.deep.equal(sorted(Object.keys(t)));
            expect(plain(params)).to.deep.equal(plain(t));
          }
        }
      });
    }

    it('getAllDomainStats with VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE lists the active domains', async () => {
      const listed = await sameListing(
        async () => (await conn.getAllDomainStats(VIR_DOMAIN_STATS_STATE, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)).map((s) => s.dom.name),
        () => (okOf(O([{ call: 'getAllDomainStats', args: [VIR_DOMAIN_STATS_STATE, VIR_CONNECT_LIST_DOMAINS_ACTIVE] }])[0]) as [string][]).map(([n]) => n),
      );
      expect(listed).to.include(`${PREFIX}-stats`).and.not.include(`${PREFIX}-stats-off`);
    });

    it('domainListGetStats for chosen domains matches getAllDomainStats', async () => {
      const doms = [await conn.domainLookupByName(`${PREFIX}-stats`), await conn.domainLookupByName(`${PREFIX}-stats-off`)];
      const got = await conn.domainListGetStats(doms, VIR_DOMAIN_STATS_STATE);
      expect(got.map((s) => s.dom.name)).to.deep.equal(doms.map((d) => d.name));
      const theirs = new Map(okOf(O([{ call: 'getAllDomainStats', args: [VIR_DOMAIN_STATS_STATE, 0] }])[0]) as [string, Record<string, unknown>][]);
      for (const s of got) expect(plain(s.params)).to.deep.equal(plain(theirs.get(s.dom.name)));
    });
  });
});

describe('API layer: a real QEMU guest on qemu:///system (C client as oracle)', function () {
  this.timeout(90_000);
  let uri: string;
  let conn: Connection;
  let dom: Domain;
  const name = `${PREFIX}-qemu`;
  const O = (calls: DomainsOracleCall[]): OracleResult[] => domainsOracle(uri, calls);
  const dcall = (call: string, ...args: unknown[]): DomainsOracleCall => ({ target: 'domain', name, call, args });
  const qcall = (call: string, ...args: unknown[]): DomainsOracleCall => ({ target: 'qemu', name, call, args });

  before(async () => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    conn = await connect(uri);
    cleanupDomains(uri, [name], UNDEFINE_ALL);
    dom = await conn.domainDefineXML(guestXml(name));
    await dom.create();
  });
  after(async () => {
    cleanupDomains(uri, [name], UNDEFINE_ALL);
    await conn?.close();
  });

  it('domainDefineXML + create: the C client sees the guest persistent and running, with the same identity', async () => {
    const r = O([dcall('isActive'), dcall('isPersistent'), dcall('state'), dcall('ID'), dcall('UUIDString'), dcall('info'), dcall('XMLDesc', 0), dcall('maxMemory'), dcall('vcpusFlags', 0)]);
    expect([okOf(r[0]), okOf(r[1]), (okOf(r[2]) as number[])[0]]).to.deep.equal([1, 1, VIR_DOMAIN_RUNNING]);
    const looked = await conn.domainLookupByName(name);
    expect(looked.id).to.equal(okOf(r[3]));
    expect(looked.uuid).to.equal(okOf(r[4])).and.to.equal(dom.uuid);
    expect(looked.equals(dom)).to.equal(true);
    expect((await conn.domainLookupByID(looked.id)).equals(dom)).to.equal(true);
    const info = await dom.getInfo();
    expect(plain([info.state, info.maxMem, info.memory, info.nrVirtCpu])).to.deep.equal(plain((okOf(r[5]) as unknown[]).slice(0, 4)));
    expect(await dom.getXMLDesc(0)).to.equal(okOf(r[6]));
    expect(plain(await dom.getMaxMemory())).to.equal(plain(okOf(r[7])));
    expect(await dom.getVcpusFlags(0)).to.equal(okOf(r[8]));
  });

  it('qemuMonitorCommand answers QMP query-status and HMP "info status" as for the C client', async () => {
    const qmp = '{"execute":"query-status"}';
    const r = O([qcall('qemuMonitorCommand', qmp, 0), qcall('qemuMonitorCommand', 'info status', VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)]);
    const ours = JSON.parse(await dom.qemuMonitorCommand(qmp, 0)) as { return: { status: string; running: boolean } };
    const theirs = JSON.parse(okOf(r[0]) as string) as { return: unknown };
    expect(ours.return).to.deep.equal(theirs.return);
    expect(ours.return.status).to.equal('running');
    const hmp = await dom.qemuMonitorCommand('info status', VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
    expect(hmp).to.equal(okOf(r[1]));
    expect(hmp).to.match(/^VM status: running/);
  });

  // libvirt's C getters add VIR_TYPED_PARAM_STRING_OKAY themselves, so string fields come back too.
  const getters: [string, string, unknown[], (p: TypedParams) => void][] = [
    ['getSchedulerParameters', 'schedulerParameters', [], (p) => {
      expect(p.cpu_shares).to.be.a('bigint'); // ullong
      expect(p.vcpu_quota).to.be.a('bigint'); // llong
    }],
    ['getSchedulerParametersFlags', 'schedulerParametersFlags', [0], (p) => expect(p.cpu_shares).to.be.a('bigint')],
    ['getMemoryParameters', 'memoryParameters', [0], (p) => expect(p.hard_limit).to.be.a('bigint')],
    ['getBlkioParameters', 'blkioParameters', [0], (p) => {
      expect(p.weight).to.be.a('number'); // uint
      expect(p.device_weight).to.be.a('string');
    }],
    ['getNumaParameters', 'numaParameters', [0], (p) => expect(p.numa_nodeset).to.be.a('string')],
  ];
  for (const [ours, theirs, args, types] of getters) {
    it(`${ours} agrees with the C client's ${theirs}(), typed as libvirt types the fields`, async () => {
      const [r] = O([dcall(theirs, ...args)]);
      if (r && 'error' in r) {
        // What the host lacks, both clients lack: blkio weights need BFQ (or CFQ) under cgroup v1
        // and io.weight or io.bfq.weight under v2, and a host whose disks use none or mq-deadline
        // has neither ("blkio device weight is valid only for bfq or cfq scheduler").
        expectSameError(await rejection(method<TypedParams>(dom, ours)(...args)), r);
        return;
      }
      const got = await method<TypedParams>(dom, ours)(...args);
      expect(sorted(Object.keys(got))).to.deep.equal(sorted(Object.keys(okOf(r) as object)));
      expect(plain(got)).to.deep.equal(plain(okOf(r)));
      types(got);
    });
  }

  it('listAllDomains: a crashed guest is OTHER (and TRANSIENT); every filter agrees with the C client', async () => {
    const crashName = `${PREFIX}-crash`;
    const xml = guestXml(crashName)
      .replace('<on_crash>destroy</on_crash>', '<on_crash>preserve</on_crash>')
      .replace('<memballoon', "<panic model='isa'><address type='isa' iobase='0x505'/></panic><memballoon");
    expect(xml).to.include('<on_crash>preserve</on_crash>').and.include('<panic ');
    const crashed = await conn.domainCreateXML(xml, 0);
    try {
      // The guest "panics": a write to the pvpanic port, through the monitor.
      await crashed.qemuMonitorCommand('o /b 0x505 1', VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP);
      for (let i = 0; i < 50 && (await crashed.getState()).state === VIR_DOMAIN_RUNNING; i++) await new Promise((r) => setTimeout(r, 100));
      const [state] = O([{ target: 'domain', name: crashName, call: 'state' }]);
      expect((okOf(state) as number[])[0]).to.equal(VIR_DOMAIN_CRASHED);
      const s = await crashed.getState();
      expect([s.state, s.reason]).to.deep.equal(okOf(state));
      const expectations: [number, string[], string[]][] = [
        [VIR_CONNECT_LIST_DOMAINS_OTHER, [crashName], [name]],
        [VIR_CONNECT_LIST_DOMAINS_RUNNING, [name], [crashName]],
        [VIR_CONNECT_LIST_DOMAINS_PAUSED, [], [name, crashName]],
        [VIR_CONNECT_LIST_DOMAINS_SHUTOFF, [], [name, crashName]],
        [VIR_CONNECT_LIST_DOMAINS_ACTIVE, [name, crashName], []],
        [VIR_CONNECT_LIST_DOMAINS_INACTIVE, [], [name, crashName]],
        [VIR_CONNECT_LIST_DOMAINS_TRANSIENT, [crashName], [name]],
        [VIR_CONNECT_LIST_DOMAINS_PERSISTENT, [name], [crashName]],
        [VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_OTHER, [crashName], [name]],
      ];
      for (const [flags, inc, exc] of expectations) {
        const listed = await sameListing(
          async () => (await conn.listAllDomains(flags)).map((d) => d.name),
          () => okOf(O([{ call: 'listAllDomains', args: [flags] }])[0]) as string[],
        );
        expect(listed, `flags ${flags}`).to.include.members(inc);
        for (const n of exc) expect(listed, `flags ${flags}`).to.not.include(n);
      }
    } finally {
      await crashed.destroy().catch(() => undefined);
      cleanupDomains(uri, [crashName], UNDEFINE_ALL);
    }
  });

  it('setSchedulerParameters and setMemoryParameters round-trip through the C client', async () => {
    await dom.setSchedulerParameters({ cpu_shares: 512n });
    expect(plain((okOf(O([dcall('schedulerParameters')])[0]) as Record<string, unknown>).cpu_shares)).to.equal(512);
    expect((await dom.getSchedulerParameters()).cpu_shares).to.equal(512n);
    // A number is accepted for a 64-bit field, as libvirt-python accepts an int.
    await dom.setSchedulerParametersFlags({ cpu_shares: 768 }, VIR_DOMAIN_AFFECT_LIVE);
    expect(plain((okOf(O([dcall('schedulerParameters')])[0]) as Record<string, unknown>).cpu_shares)).to.equal(768);
    await dom.setMemoryParameters({ soft_limit: 262144n }, VIR_DOMAIN_AFFECT_LIVE);
    expect(plain((okOf(O([dcall('memoryParameters', 0)])[0]) as Record<string, unknown>).soft_limit)).to.equal(262144);
    expect((await dom.getMemoryParameters(0)).soft_limit).to.equal(262144n);
  });

  it('typed-parameter setters reject an unknown field or a wrong value type with VIR_ERR_INVALID_ARG, changing nothing', async () => {
    const before = plain(await dom.getSchedulerParameters());
    const unknown = await rejection(dom.setSchedulerParameters({ no_such_field: 5 }));
    expect(unknown.code).to.equal(VIR_ERR_INVALID_ARG);
    expect(unknown.codeName).to.equal('VIR_ERR_INVALID_ARG');
    expect(unknown.message).to.include('no_such_field');
    const wrongType = await rejection(dom.setSchedulerParameters({ cpu_shares: 'lots' }));
    expect(wrongType.code).to.equal(VIR_ERR_INVALID_ARG);
    expect(wrongType.message).to.include('cpu_shares');
    const negative = await rejection(dom.setMemoryParameters({ soft_limit: -1 }, 0));
    expect(negative.code).to.equal(VIR_ERR_INVALID_ARG);
    const fraction = await rejection(dom.setBlkioParameters({ weight: 1.5 }, 0));
    expect(fraction.code).to.equal(VIR_ERR_INVALID_ARG);
    expect(plain(okOf(O([dcall('schedulerParameters')])[0]))).to.deep.equal(before);
  });

  it('getAllDomainStats: same domains and field names as the C client, equal stable values', async () => {
    let ours: { dom: Domain; params: Record<string, unknown> }[] = [];
    let theirs: [string, Record<string, unknown>][] = [];
    await sameListing(
      async () => {
        ours = await conn.getAllDomainStats(0, 0);
        return ours.map((s) => s.dom.name);
      },
      () => {
        theirs = okOf(O([{ call: 'getAllDomainStats', args: [0, 0] }])[0]) as [string, Record<string, unknown>][];
        return theirs.map(([n]) => n);
      },
    );
    const mine = ours.find((s) => s.dom.name === name)!;
    const theirsMine = theirs.find(([n]) => n === name)![1];
    expect(mine.dom.equals(dom)).to.equal(true);
    expect(sorted(Object.keys(mine.params))).to.deep.equal(sorted(Object.keys(theirsMine)));
    for (const key of ['state.state', 'state.reason', 'balloon.maximum', 'balloon.current', 'vcpu.current', 'vcpu.maximum', 'block.count', 'net.count', 'vcpu.0.state']) {
      expect(mine.params, key).to.have.property(key);
      expect(plain(mine.params[key]), key).to.deep.equal(plain(theirsMine[key]));
    }
    expect(mine.params['cpu.time']).to.be.a('bigint');
  });

  it('errors on the guest: create while running, setMemory above the maximum, resume while running', async () => {
    const r = O([dcall('create'), dcall('setMemory', 1 << 30), dcall('resume')]);
    const create = await rejection(dom.create());
    expect(create.code).to.equal(VIR_ERR_OPERATION_INVALID);
    expectSameError(create, r[0]);
    const mem = await rejection(dom.setMemory(1n << 30n));
    expect(mem.code).to.equal(VIR_ERR_INVALID_ARG);
    expectSameError(mem, r[1]);
    expectSameError(await rejection(dom.resume()), r[2]);
  });

  it('suspend, resume, destroy, undefine through the methods, each seen by the C client and by the monitor', async () => {
    await dom.suspend();
    let r = O([dcall('state'), qcall('qemuMonitorCommand', 'info status', VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_PAUSED);
    expect(okOf(r[1])).to.match(/^VM status: paused/);
    expect((await dom.getState()).state).to.equal(VIR_DOMAIN_PAUSED);
    expect((JSON.parse(await dom.qemuMonitorCommand('{"execute":"query-status"}')) as { return: { status: string } }).return.status).to.equal('paused');

    await dom.resume();
    r = O([dcall('state')]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_RUNNING);

    await dom.destroy();
    r = O([dcall('state'), dcall('isActive'), dcall('suspend')]);
    expect((okOf(r[0]) as number[])[0]).to.equal(VIR_DOMAIN_SHUTOFF);
    expect(okOf(r[1])).to.equal(0);
    const suspend = await rejection(dom.suspend());
    expect(suspend.code).to.equal(VIR_ERR_OPERATION_INVALID);
    expectSameError(suspend, r[2]);

    await dom.undefine();
    const [gone] = O([{ call: 'lookupByName', args: [name] }]);
    expect(errOf(gone).code).to.equal(VIR_ERR_NO_DOMAIN);
    expectSameError(await rejection(conn.domainLookupByName(name)), gone);
  });
});
