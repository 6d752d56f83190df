import { expect } from 'chai';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { DomainEvent, DomainLifecycleEvent, NetworkLifecycleEvent, QemuMonitorEvent, StoragePoolLifecycleEvent } from '../../src/api/events/event-types.js';
import { LibvirtError } from '../../src/errors/errors.js';
import type { Domain } from '../../src/api/objects.js';
import {
  VIR_CONNECT_CLOSE_REASON_CLIENT,
  VIR_DOMAIN_EVENT_DEFINED,
  VIR_DOMAIN_EVENT_DEFINED_ADDED,
  VIR_DOMAIN_EVENT_ID_LIFECYCLE,
  VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
  VIR_DOMAIN_METADATA_DESCRIPTION,
  VIR_DOMAIN_EVENT_RESUMED,
  VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
  VIR_DOMAIN_EVENT_STARTED,
  VIR_DOMAIN_EVENT_STARTED_BOOTED,
  VIR_DOMAIN_EVENT_STOPPED,
  VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
  VIR_DOMAIN_EVENT_SUSPENDED,
  VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
  VIR_DOMAIN_EVENT_UNDEFINED,
  VIR_DOMAIN_EVENT_UNDEFINED_REMOVED,
  VIR_ERR_INVALID_ARG,
  VIR_NETWORK_EVENT_DEFINED,
  VIR_NETWORK_EVENT_ID_LIFECYCLE,
  VIR_NETWORK_EVENT_STARTED,
  VIR_NETWORK_EVENT_STOPPED,
  VIR_NETWORK_EVENT_UNDEFINED,
  VIR_STORAGE_POOL_EVENT_DEFINED,
  VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
  VIR_STORAGE_POOL_EVENT_STARTED,
  VIR_STORAGE_POOL_EVENT_STOPPED,
  VIR_STORAGE_POOL_EVENT_UNDEFINED,
} from '../../src/apixml/generated/constants.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { EventsOracle, type OracleEvent } from './events-oracle.js';

const tag = `lvev-${process.pid}`;

function testDomainXml(name: string): string {
  return `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
}

/** Waits until `pred` holds, polling (events arrive asynchronously). */
async function until(pred: () => boolean, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pairs = (evs: { event: number; detail: number }[]) => evs.map((e) => [e.event, e.detail]);
const oraclePairs = (evs: OracleEvent[]) => evs.map((e) => e.args!.slice(0, 2) as number[]);

/** define, start, suspend, resume, destroy, undefine, each waited for. */
async function lifecycle(conn: Connection, xml: string): Promise<void> {
  const dom = await conn.domainDefineXML(xml);
  await dom.create();
  await dom.suspend();
  await dom.resume();
  await dom.destroy();
  await dom.undefine();
}

const EXPECTED_LIFECYCLE = [
  [VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED],
  [VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED],
  [VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED],
  [VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED],
  [VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED],
  [VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED],
];

describe('events: domain lifecycle against libvirtd, the C client listening at the same time', function () {
  this.timeout(180_000);

  for (const [label, key] of [
    ['test:///default over unix', 'TEST_UNIX_URI'],
    ['test:///default over tcp', 'TEST_TCP_URI'],
  ] as const) {
    it(`test driver (${label}): define, start, suspend, resume, destroy, undefine arrive in order with the C client's codes`, async () => {
      const uri = sandboxEnv(key);
      const name = `${tag}-t-${key.startsWith('TEST_TCP') ? 'tcp' : 'unix'}`;
      const oracle = new EventsOracle(uri);
      const conn = await connect(uri);
      try {
        await oracle.ready;
        const ours: DomainLifecycleEvent[] = [];
        const opaque = { seen: 0 };
        const id = await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev, o) => {
          o.seen++;
          if (ev.dom.name === name) ours.push(ev);
        }, opaque);
        expect(id).to.be.a('number');
        await lifecycle(conn, testDomainXml(name));
        await until(() => ours.length >= 6, 'our six lifecycle events');
        await oracle.waitFor((evs) => evs.filter((e) => e.dom === name).length >= 6);
        await new Promise((r) => setTimeout(r, 200)); // nothing more may come
        const theirs = oracle.events.filter((e) => e.dom === name && e.eventID === 0);
        expect(pairs(ours)).to.deep.equal(EXPECTED_LIFECYCLE);
        expect(pairs(ours)).to.deep.equal(oraclePairs(theirs));
        expect(opaque.seen).to.be.at.least(6);
        // Typed objects with handles of this connection and symbolic names.
        expect(ours[0]!.kind).to.equal('lifecycle');
        expect(ours[0]!.eventID).to.equal(0);
        expect(ours[0]!.dom.connection).to.equal(conn);
        expect(ours[0]!.dom.uuid).to.equal(theirs[0]!.uuid);
        expect(ours.map((e) => e.eventName)).to.deep.equal([
          'VIR_DOMAIN_EVENT_DEFINED',
          'VIR_DOMAIN_EVENT_STARTED',
          'VIR_DOMAIN_EVENT_SUSPENDED',
          'VIR_DOMAIN_EVENT_RESUMED',
          'VIR_DOMAIN_EVENT_STOPPED',
          'VIR_DOMAIN_EVENT_UNDEFINED',
        ]);
        expect(ours[1]!.detailName).to.equal('VIR_DOMAIN_EVENT_STARTED_BOOTED');
        await conn.domainEventDeregisterAny(id);
      } finally {
        await oracle.stop();
        await conn.close();
      }
    });
  }

  it('real QEMU guest: the same sequence as the C client, and QEMU monitor events', async () => {
    const uri = sandboxEnv('QEMU_UNIX_URI');
    const name = `${tag}-qemu`;
    const oracle = new EventsOracle(uri, { register: ['domain:0', 'qemu'] });
    const conn = await connect(uri);
    let dom: Domain | null = null;
    try {
      await oracle.ready;
      const ours: DomainLifecycleEvent[] = [];
      const qmp: QemuMonitorEvent[] = [];
      await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
        if (ev.dom.name === name) ours.push(ev);
      });
      // QMP events of every domain, of any name.
      await conn.domainQemuMonitorEventRegister(null, null, (ev) => {
        if (ev.dom.name === name) qmp.push(ev);
      });
      dom = await conn.domainDefineXML(guestXml(name));
      await dom.create();
      await dom.suspend();
      await dom.resume();
      await dom.destroy();
      await dom.undefine();
      dom = null;
      await until(() => ours.some((e) => e.event === VIR_DOMAIN_EVENT_UNDEFINED), 'the undefine event');
      await oracle.waitFor((evs) => evs.some((e) => e.family === 'domain' && e.dom === name && e.args![0] === VIR_DOMAIN_EVENT_UNDEFINED));
      await new Promise((r) => setTimeout(r, 300));
      const theirs = oracle.events.filter((e) => e.family === 'domain' && e.dom === name);
      expect(pairs(ours), 'same lifecycle sequence as the C client').to.deep.equal(oraclePairs(theirs));
      // The six steps, in order (QEMU may add details of its own in between).
      const kinds = ours.map((e) => e.event);
      const steps = [VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_UNDEFINED];
      let at = -1;
      for (const step of steps) {
        at = kinds.indexOf(step, at + 1);
        expect(at, `event ${step} in order in ${JSON.stringify(pairs(ours))}`).to.be.greaterThan(-1);
      }
      expect(pairs(ours)).to.deep.include.members([
        [VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED],
        [VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED],
        [VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED],
        [VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED],
      ]);
      // QMP: suspend and resume are QEMU's STOP and RESUME.
      const names = qmp.map((e) => e.event);
      expect(names).to.include.members(['STOP', 'RESUME']);
      expect(names.indexOf('STOP')).to.be.below(names.lastIndexOf('RESUME'));
      const theirQmp = oracle.events.filter((e) => e.family === 'qemu' && e.dom === name);
      expect(qmp.map((e) => [e.event, Number(e.seconds), e.micros, e.details])).to.deep.equal(theirQmp.map((e) => [e.event, e.seconds, e.micros, e.details]));
      const stop = qmp.find((e) => e.event === 'STOP')!;
      expect(stop.kind).to.equal('qemuMonitor');
      expect(stop.seconds).to.be.a('bigint');
      expect(Number(stop.seconds)).to.be.closeTo(Date.now() / 1000, 600);
    } finally {
      await dom?.destroy().catch(() => undefined);
      await dom?.undefine().catch(() => undefined);
      await oracle.stop();
      await conn.close();
    }
  });

  it('QEMU monitor events filtered by name on the server (and as an async iterator)', async () => {
    const uri = sandboxEnv('QEMU_UNIX_URI');
    const name = `${tag}-qmpf`;
    const conn = await connect(uri);
    let dom: Domain | null = null;
    try {
      dom = await conn.domainCreateXML(guestXml(name), 0);
      const stops = conn.qemuMonitorEvents({ object: dom, event: 'STOP' });
      await stops.ready;
      const resumes: QemuMonitorEvent[] = [];
      await conn.domainQemuMonitorEventRegister(dom, 'RESUME', (ev) => resumes.push(ev));
      await dom.suspend();
      await dom.resume();
      const first = await stops.next();
      expect(first.done).to.equal(false);
      expect(first.value!.event).to.equal('STOP');
      expect(first.value!.dom.name).to.equal(name);
      await until(() => resumes.length === 1, 'the RESUME event');
      expect(resumes[0]!.event).to.equal('RESUME');
      expect(stops.buffered).to.equal(0);
      await stops.close();
    } finally {
      await dom?.destroy().catch(() => undefined);
      await conn.close();
    }
  });

  it('network and storage pool lifecycle events, as the C client sees them', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const net = `${tag}-net`;
    const pool = `${tag}-pool`;
    const oracle = new EventsOracle(uri, { register: ['network:0', 'pool:0'] });
    const conn = await connect(uri);
    try {
      await oracle.ready;
      const nets: NetworkLifecycleEvent[] = [];
      const pools: StoragePoolLifecycleEvent[] = [];
      await conn.networkEventRegisterAny(null, VIR_NETWORK_EVENT_ID_LIFECYCLE, (ev) => {
        if (ev.net.name === net) nets.push(ev);
      });
      await conn.storagePoolEventRegisterAny(null, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, (ev) => {
        if (ev.pool.name === pool) pools.push(ev);
      });
      const n = await conn.networkDefineXML(`<network><name>${net}</name><bridge name='lvev${process.pid % 10000}'/><ip address='192.168.213.1' netmask='255.255.255.0'/></network>`);
      await n.create();
      await n.destroy();
      await n.undefine();
      const p = await conn.storagePoolDefineXML(`<pool type='dir'><name>${pool}</name><target><path>/tmp/${pool}</path></target></pool>`, 0);
      await p.create(0);
      await p.destroy();
      await p.undefine();
      await until(() => nets.length >= 4 && pools.length >= 4, 'network and pool events');
      await oracle.waitFor((evs) => evs.filter((e) => e.name === net || e.name === pool).length >= 8);
      await new Promise((r) => setTimeout(r, 200));
      expect(nets.map((e) => e.event)).to.deep.equal([VIR_NETWORK_EVENT_DEFINED, VIR_NETWORK_EVENT_STARTED, VIR_NETWORK_EVENT_STOPPED, VIR_NETWORK_EVENT_UNDEFINED]);
      expect(pools.map((e) => e.event)).to.deep.equal([VIR_STORAGE_POOL_EVENT_DEFINED, VIR_STORAGE_POOL_EVENT_STARTED, VIR_STORAGE_POOL_EVENT_STOPPED, VIR_STORAGE_POOL_EVENT_UNDEFINED]);
      expect(pairs(nets)).to.deep.equal(oraclePairs(oracle.events.filter((e) => e.family === 'network' && e.name === net)));
      expect(pairs(pools)).to.deep.equal(oraclePairs(oracle.events.filter((e) => e.family === 'pool' && e.name === pool)));
      expect(nets[0]!.kind).to.equal('lifecycle');
      expect(nets[0]!.eventName).to.equal('VIR_NETWORK_EVENT_DEFINED');
      expect(nets[0]!.net.uuid).to.equal(oracle.events.find((e) => e.name === net)!.uuid);
      expect(pools[1]!.eventName).to.equal('VIR_STORAGE_POOL_EVENT_STARTED');
    } finally {
      await oracle.stop();
      await conn.close();
    }
  });

  it('filters per domain: a registration for one domain sees only its events, beside one for all', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const conn = await connect(uri);
    const other = await connect(uri);
    try {
      const a = await other.domainDefineXML(testDomainXml(`${tag}-fa`));
      const b = await other.domainDefineXML(testDomainXml(`${tag}-fb`));
      const onlyA: DomainEvent[] = [];
      const all: DomainEvent[] = [];
      const aHere = await conn.domainLookupByName(a.name);
      await conn.domainEventRegisterAny(aHere, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => onlyA.push(ev));
      await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
        if (ev.dom.name.startsWith(`${tag}-f`)) all.push(ev);
      });
      // A second filter on the same domain shares the server registration and still sees everything.
      const alsoA = conn.domainEvents({ object: aHere });
      await alsoA.ready;
      await b.create();
      await a.create();
      await b.destroy();
      await a.destroy();
      await until(() => all.length >= 4 && onlyA.length >= 2, 'filtered events');
      await new Promise((r) => setTimeout(r, 200));
      expect(onlyA.map((e) => [e.dom.name, (e as DomainLifecycleEvent).event])).to.deep.equal([
        [a.name, VIR_DOMAIN_EVENT_STARTED],
        [a.name, VIR_DOMAIN_EVENT_STOPPED],
      ]);
      expect(all.map((e) => [e.dom.name, (e as DomainLifecycleEvent).event])).to.deep.equal([
        [b.name, VIR_DOMAIN_EVENT_STARTED],
        [a.name, VIR_DOMAIN_EVENT_STARTED],
        [b.name, VIR_DOMAIN_EVENT_STOPPED],
        [a.name, VIR_DOMAIN_EVENT_STOPPED],
      ]);
      const it1 = await alsoA.next();
      const it2 = await alsoA.next();
      expect([it1.value!.event, it2.value!.event]).to.deep.equal([VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STOPPED]);
      await alsoA.close();
      await a.undefine();
      await b.undefine();
    } finally {
      await conn.close();
      await other.close();
    }
  });

  it('deregistration stops delivery at once, and only for that callback', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const conn = await connect(uri);
    const name = `${tag}-dereg`;
    try {
      const first: DomainLifecycleEvent[] = [];
      const second: DomainLifecycleEvent[] = [];
      const freed: string[] = [];
      const id1 = await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => ev.dom.name === name && first.push(ev), 'one', (o) => freed.push(o));
      const id2 = await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => ev.dom.name === name && second.push(ev), 'two', (o) => freed.push(o));
      expect(id1).to.not.equal(id2);
      const dom = await conn.domainDefineXML(testDomainXml(name));
      await until(() => first.length === 1 && second.length === 1, 'the define event on both');
      // Deregistering: synchronous effect, the free callback runs, the other callback goes on.
      const p = conn.domainEventDeregisterAny(id1);
      expect(freed).to.deep.equal(['one']);
      await p;
      await dom.create();
      await dom.destroy();
      await until(() => second.length === 3, 'the other callback still receiving');
      expect(first.map((e) => e.event)).to.deep.equal([VIR_DOMAIN_EVENT_DEFINED]);
      // The last one: the server registration goes too, and the ID is unknown afterwards.
      await conn.domainEventDeregisterAny(id2);
      const witness = conn.domainEvents({ object: dom });
      await witness.ready;
      await dom.undefine();
      const w = await witness.next();
      expect(w.value!.event).to.equal(VIR_DOMAIN_EVENT_UNDEFINED);
      expect(second.length).to.equal(3);
      expect(freed).to.deep.equal(['one', 'two']);
      try {
        await conn.domainEventDeregisterAny(id2);
        expect.fail('a second deregistration must fail');
      } catch (e) {
        expect(e).to.be.instanceOf(LibvirtError);
        expect((e as LibvirtError).code).to.equal(VIR_ERR_INVALID_ARG);
      }
      await witness.close();
    } finally {
      await conn.close();
    }
  });

  it('legacy virConnectDomainEventRegister: lifecycle callbacks as libvirt-python gets them', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const name = `${tag}-legacy`;
    const oracle = new EventsOracle(uri, { register: ['legacy'] });
    const conn = await connect(uri);
    try {
      await oracle.ready;
      const got: [string, number, number, string][] = [];
      const cb = (c: Connection, dom: Domain, event: number, detail: number, opaque: string): void => {
        expect(c).to.equal(conn);
        if (dom.name === name) got.push([dom.name, event, detail, opaque]);
      };
      expect(await conn.domainEventRegister(cb, 'ctx')).to.equal(0);
      try {
        await conn.domainEventRegister(cb);
        expect.fail('the same function twice must fail');
      } catch (e) {
        expect((e as LibvirtError).code).to.equal(VIR_ERR_INVALID_ARG);
      }
      const dom = await conn.domainDefineXML(testDomainXml(name));
      await dom.create();
      await dom.destroy();
      await dom.undefine();
      await until(() => got.length >= 4, 'legacy callbacks');
      await oracle.waitFor((evs) => evs.filter((e) => e.dom === name).length >= 4);
      expect(got.map(([, e, d]) => [e, d])).to.deep.equal(oraclePairs(oracle.events.filter((e) => e.dom === name)));
      expect(got.every(([, , , o]) => o === 'ctx')).to.equal(true);
      expect(await conn.domainEventDeregister(cb)).to.equal(0);
      const after = got.length;
      const d2 = await conn.domainDefineXML(testDomainXml(name));
      await d2.undefine();
      await new Promise((r) => setTimeout(r, 300));
      expect(got.length).to.equal(after);
    } finally {
      await oracle.stop();
      await conn.close();
    }
  });

  it('an async iterator delivers in order and ends when the connection closes; the close callback says CLIENT', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const conn = await connect(uri);
    const name = `${tag}-iter`;
    const reasons: number[] = [];
    await conn.registerCloseCallback((c, reason, opaque) => {
      expect(c).to.equal(conn);
      reasons.push(reason, opaque);
    }, 42);
    const events = conn.domainEvents({ eventIDs: [VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE] });
    await events.ready;
    const dom = await conn.domainDefineXML(testDomainXml(name));
    await dom.create();
    await dom.setMetadata(VIR_DOMAIN_METADATA_DESCRIPTION, 'described', null, null, 0);
    await dom.destroy();
    await dom.undefine();
    const seen: string[] = [];
    for await (const ev of events) {
      if (ev.dom.name !== name) continue;
      seen.push(ev.kind === 'lifecycle' ? ev.eventName : `${ev.kind} ${ev.type}`);
      if (seen.length === 5) break;
    }
    expect(seen).to.deep.equal(['VIR_DOMAIN_EVENT_DEFINED', 'VIR_DOMAIN_EVENT_STARTED', `metadataChange ${VIR_DOMAIN_METADATA_DESCRIPTION}`, 'VIR_DOMAIN_EVENT_STOPPED', 'VIR_DOMAIN_EVENT_UNDEFINED']);
    // Leaving the loop deregistered; a fresh stream ends when the connection closes.
    const second = conn.domainEvents();
    await second.ready;
    const pending = second.next();
    await conn.close();
    expect(await pending).to.deep.equal({ value: undefined, done: true });
    expect(second.closeReason).to.equal('client');
    expect(reasons).to.deep.equal([VIR_CONNECT_CLOSE_REASON_CLIENT, 42]);
  });
});
