import { expect } from 'chai';
import fc from 'fast-check';
import type { Connection } from '../../src/api/connection.js';
import { fromTypedParams } from '../../src/api/convert.js';
import { EVENT_PROCEDURE_NAMES } from '../../src/api/events/event-decode.js';
import type { DomainEvent, DomainLifecycleEvent } from '../../src/api/events/event-types.js';
import { LibvirtError } from '../../src/errors/errors.js';
import * as C from '../../src/apixml/generated/constants.js';
import { qemu_procedures } from '../../src/protocol/generated/qemu.js';
import { remote_procedures } from '../../src/protocol/generated/remote.js';
import { schema } from '../../src/protocol/generated/schema.js';
import { arbitraryFor } from '../support/arbitraries.js';
import { domWire, FakeLibvirtd } from './events-fake-libvirtd.js';
import { sessionOf } from '../../src/api/session.js';

const consts = C as unknown as Record<string, number>;

/** Every event procedure of the .x files (server-sent MESSAGE bodies), but the connection-closed notice. */
const EVENT_PROCS = [...Object.values(remote_procedures), ...Object.values(qemu_procedures)]
  .filter((p) => p.message !== null && p.name !== 'REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED')
  .map((p) => p.name);

/** The family and event ID a procedure's name says it carries (REMOTE_PROC_DOMAIN_EVENT_CALLBACK_RTC_CHANGE -> domain, VIR_DOMAIN_EVENT_ID_RTC_CHANGE). */
function expectedFor(proc: string): { family: string; eventID: number; legacy: boolean } {
  if (proc === 'QEMU_PROC_DOMAIN_MONITOR_EVENT') return { family: 'qemu', eventID: 0, legacy: false };
  const m = /^REMOTE_PROC_(DOMAIN|NETWORK|STORAGE_POOL|NODE_DEVICE|SECRET)_EVENT_(CALLBACK_)?(.*)$/.exec(proc)!;
  const family = { DOMAIN: 'domain', NETWORK: 'network', STORAGE_POOL: 'storagePool', NODE_DEVICE: 'nodeDevice', SECRET: 'secret' }[m[1]!]!;
  const id = consts[`VIR_${m[1]}_EVENT_ID_${m[3]}`];
  expect(id, `VIR_${m[1]}_EVENT_ID_${m[3]}`).to.be.a('number');
  // Domain messages before libvirt 1.2.1 carry no callback ID (no CALLBACK_ in the name, no callbackID field).
  const msgType = schema[(remote_procedures as Record<string, { message: { name: string } }>)[proc]!.message.name]!;
  const legacy = m[1] === 'DOMAIN' && !m[2] && msgType.kind === 'struct' && !msgType.fields.some((f) => f.name === 'callbackID');
  return { family, eventID: id!, legacy };
}

const HANDLE_KEYS = ['dom', 'net', 'pool', 'dev', 'secret'];
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));

/** The leaf values of a message or event, in order, without IDs, names and the object handle. */
function leaves(v: unknown, skip: Set<string>, out: string[] = []): string[] {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) {
    out.push(json(v));
  } else if (Array.isArray(v)) {
    for (const x of v) leaves(x, skip, out);
  } else {
    for (const [k, x] of Object.entries(v)) {
      if (skip.has(k)) continue;
      if (k === 'params') out.push(json(Array.isArray(x) ? fromTypedParams(x) : x));
      else leaves(x, skip, out);
    }
  }
  return out;
}
const MSG_SKIP = new Set(['callbackID', ...HANDLE_KEYS]);
const EVENT_SKIP = new Set(['eventID', 'kind', 'eventName', 'detailName', ...HANDLE_KEYS]);

/** The object identity inside a message (top level, or in the nested legacy `msg`). */
function handleOf(msg: Record<string, unknown>): unknown {
  for (const k of HANDLE_KEYS) if (k in msg) return msg[k];
  return handleOf(msg.msg as Record<string, unknown>);
}

describe('events: decoding every event of libvirt 11.3.0', () => {
  it('has a decoder for every event procedure of the remote and QEMU programs', () => {
    expect(EVENT_PROCS.length).to.be.greaterThan(50);
    expect([...EVENT_PROCEDURE_NAMES].sort()).to.deep.equal([...EVENT_PROCS].sort());
  });

  it('covers every event ID: domain 0..VIR_DOMAIN_EVENT_ID_LAST-1, network, storage pool, node device, secret', () => {
    const covered = new Set(EVENT_PROCS.map((p) => expectedFor(p)).filter((e) => !e.legacy).map((e) => `${e.family}:${e.eventID}`));
    const lasts: [string, number][] = [
      ['domain', C.VIR_DOMAIN_EVENT_ID_LAST],
      ['network', C.VIR_NETWORK_EVENT_ID_LAST],
      ['storagePool', C.VIR_STORAGE_POOL_EVENT_ID_LAST],
      ['nodeDevice', C.VIR_NODE_DEVICE_EVENT_ID_LAST],
      ['secret', C.VIR_SECRET_EVENT_ID_LAST],
    ];
    expect(C.VIR_DOMAIN_EVENT_ID_LAST).to.equal(28);
    for (const [family, last] of lasts) for (let id = 0; id < last; id++) expect(covered.has(`${family}:${id}`), `${family} event ${id}`).to.equal(true);
    expect(covered.has('qemu:0')).to.equal(true);
  });

  it('turns random messages of every event procedure into typed objects, losing nothing (through a connection)', async function () {
    this.timeout(60_000);
    const d = new FakeLibvirtd();
    const conn = await d.connect({ keepAlive: false });
    try {
      // One registration per family and event ID; the fake daemon hands out callback IDs.
      const got: object[] = [];
      const remoteIDs = new Map<string, number>();
      for (const proc of EVENT_PROCS) {
        const e = expectedFor(proc);
        if (e.legacy || remoteIDs.has(`${e.family}:${e.eventID}`)) continue;
        const push = (ev: object) => got.push(ev);
        if (e.family === 'domain') await conn.domainEventRegisterAny(null, e.eventID, push);
        else if (e.family === 'network') await conn.networkEventRegisterAny(null, e.eventID, push);
        else if (e.family === 'storagePool') await conn.storagePoolEventRegisterAny(null, e.eventID, push);
        else if (e.family === 'nodeDevice') await conn.nodeDeviceEventRegisterAny(null, e.eventID, push);
        else if (e.family === 'secret') await conn.secretEventRegisterAny(null, e.eventID, push);
        else await conn.domainQemuMonitorEventRegister(null, null, push);
        remoteIDs.set(`${e.family}:${e.eventID}`, d.lastCallbackID);
      }
      for (const proc of EVENT_PROCS) {
        const e = expectedFor(proc);
        if (e.legacy) continue;
        const p = (remote_procedures as Record<string, { message: { name: string } }>)[proc] ?? (qemu_procedures as Record<string, { message: { name: string } }>)[proc]!;
        const samples = fc.sample(arbitraryFor<Record<string, unknown>>(p.message.name, { maxItems: 3, nan: false }), 8);
        for (const s of samples) {
          const msg = { ...s, callbackID: remoteIDs.get(`${e.family}:${e.eventID}`)! };
          got.length = 0;
          d.send(d.message(proc, msg));
          await until(() => got.length === 1, proc);
          const ev = got[0] as Record<string, unknown>;
          if (e.family !== 'qemu') {
            expect(ev.eventID, proc).to.equal(e.eventID);
            expect(ev.kind, proc).to.be.a('string');
          } else {
            expect(ev.kind).to.equal('qemuMonitor');
          }
          const handleKey = HANDLE_KEYS.find((k) => k in ev)!;
          expect((ev[handleKey] as { wire: unknown; connection: Connection }).wire, `${proc} handle`).to.deep.equal(handleOf(msg));
          expect((ev[handleKey] as { connection: Connection }).connection).to.equal(conn);
          expect(leaves(ev, EVENT_SKIP), `${proc}: ${json(msg)}`).to.deep.equal(leaves(msg, MSG_SKIP));
        }
      }
    } finally {
      await conn.close();
      await d.close();
    }
  });
});

describe('events: the pre-1.2.1 domain messages (no callback ID)', () => {
  it('decodes random messages of every one of them for a daemon without VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK', async function () {
    this.timeout(30_000);
    const d = new FakeLibvirtd({ eventCallbacks: false });
    const conn = await d.connect({ keepAlive: false });
    try {
      const got: object[] = [];
      const legacyProcs = EVENT_PROCS.filter((p) => expectedFor(p).legacy);
      expect(legacyProcs.length).to.equal(16);
      for (const proc of legacyProcs) await conn.domainEventRegisterAny(null, expectedFor(proc).eventID, (ev) => got.push(ev));
      for (const proc of legacyProcs) {
        const p = (remote_procedures as Record<string, { message: { name: string } }>)[proc]!;
        for (const msg of fc.sample(arbitraryFor<Record<string, unknown>>(p.message.name, { maxItems: 3, nan: false }), 5)) {
          got.length = 0;
          d.send(d.message(proc, msg));
          await until(() => got.length === 1, proc);
          const ev = got[0] as Record<string, unknown>;
          expect(ev.eventID).to.equal(expectedFor(proc).eventID);
          expect((ev.dom as { wire: unknown }).wire).to.deep.equal(msg.dom);
          // The PM messages carried no reason before 1.2.1: libvirt reports 0.
          const expected = leaves(msg, MSG_SKIP);
          expect(leaves(ev, EVENT_SKIP), proc).to.deep.equal(/PM(WAKEUP|SUSPEND)/.test(proc) ? ['0'] : expected);
        }
      }
    } finally {
      await conn.close();
      await d.close();
    }
  });
});

async function until(pred: () => boolean, what: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const lifecycle = (callbackID: number, name: string, event: number, detail = 0, n = 1) => ({ callbackID, msg: { dom: domWire(name, n), event, detail } });

describe('events: registration and dispatch (scripted daemon)', function () {
  this.timeout(20_000);
  let d: FakeLibvirtd;
  let conn: Connection;
  afterEach(async () => {
    await conn?.close().catch(() => undefined);
    await d?.close();
  });

  it('delivers events in the order the server sent them, across event IDs, all in one chunk', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const stream = conn.domainEvents({ eventIDs: [C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, C.VIR_DOMAIN_EVENT_ID_REBOOT] });
    await stream.ready;
    const [lifeID, rebootID] = d.calls.filter((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY').map((_c, i) => 100 + i);
    const packets: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      packets.push(i % 3 === 2 ? d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT', { callbackID: rebootID!, msg: { dom: domWire(`d${i}`) } }) : d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(lifeID!, `d${i}`, C.VIR_DOMAIN_EVENT_STARTED)));
    }
    d.send(...packets);
    const names: string[] = [];
    for await (const ev of stream) {
      names.push(`${ev.kind}:${ev.dom.name}`);
      if (names.length === 200) break;
    }
    expect(names).to.deep.equal(Array.from({ length: 200 }, (_, i) => `${i % 3 === 2 ? 'reboot' : 'lifecycle'}:d${i}`));
  });

  it('shares one server registration per event ID and filter, as libvirt does, and deregisters it with the last callback', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const a: string[] = [];
    const b: string[] = [];
    const id1 = await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => a.push(ev.dom.name));
    const id2 = await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => b.push(ev.dom.name));
    const dom = sessionOf(conn).wrap.domain(domWire('one', 7));
    const id3 = await conn.domainEventRegisterAny(dom, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, () => undefined);
    const regs = d.calls.filter((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY');
    expect(regs.map((r) => r.args)).to.deep.equal([
      { eventID: 0, dom: null },
      { eventID: 0, dom: domWire('one', 7) },
    ]);
    d.send(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, 'x', 0)));
    await until(() => a.length === 1 && b.length === 1, 'both');
    await conn.domainEventDeregisterAny(id1);
    expect(d.calls.some((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY')).to.equal(false);
    await conn.domainEventDeregisterAny(id2);
    await conn.domainEventDeregisterAny(id3);
    expect(d.calls.filter((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY').map((c) => c.args)).to.deep.equal([{ callbackID: 100 }, { callbackID: 101 }]);
    // Events the server had already queued for a dropped registration go nowhere.
    d.send(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, 'late', 0)));
    await conn.getLibVersion();
    expect(a).to.deep.equal(['x']);
    expect(sessionOf(conn).events.undelivered).to.equal(1);
  });

  it('deregistering inside a callback stops the next event, even one already read in the same chunk', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const seen: string[] = [];
    let id = 0;
    id = await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
      seen.push(ev.dom.name);
      void conn.domainEventDeregisterAny(id);
    });
    const other: string[] = [];
    await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => other.push(ev.dom.name));
    d.send(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, 'first', 0)), d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, 'second', 0)));
    await until(() => other.length === 2, 'the other callback');
    expect(seen).to.deep.equal(['first']);
  });

  it('keeps an event the daemon sent before the registration reply and delivers it', async () => {
    d = new FakeLibvirtd({
      intercept: (call, name, _args, self) => {
        if (name !== 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY') return false;
        // The event for the new callback first, then the reply naming it (both in one write).
        call.socket.write(Buffer.concat([self.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(555, 'early', 0)), self.reply(call, name, { callbackID: 555 })]));
        return true;
      },
    });
    conn = await d.connect({ keepAlive: false });
    const seen: string[] = [];
    await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => seen.push(ev.dom.name));
    d.send(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(555, 'later', 0)));
    await until(() => seen.length === 2, 'both events');
    expect(seen).to.deep.equal(['early', 'later']);
  });

  it('falls back to the pre-1.2.1 protocol (no server filtering): REGISTER_ANY by event ID, filtering here', async () => {
    d = new FakeLibvirtd({ eventCallbacks: false });
    conn = await d.connect({ keepAlive: false });
    const mine = sessionOf(conn).wrap.domain(domWire('mine', 3));
    const onlyMine: string[] = [];
    const all: string[] = [];
    const legacy: string[] = [];
    const id1 = await conn.domainEventRegisterAny(mine, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => onlyMine.push(ev.dom.name));
    const id2 = await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => all.push(ev.dom.name));
    const cb = (_c: Connection, dom: { name: string }, event: number, detail: number) => legacy.push(`${dom.name}:${event}:${detail}`);
    await conn.domainEventRegister(cb);
    expect(d.calls.filter((c) => c.name.includes('EVENT_REGISTER')).map((c) => [c.name, c.args])).to.deep.equal([['REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY', { eventID: 0 }]]);
    d.send(
      d.message('REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE', { dom: domWire('other', 4), event: 2, detail: 0 }),
      d.message('REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE', { dom: domWire('mine', 3), event: 3, detail: 1 }),
    );
    await until(() => all.length === 2 && legacy.length === 2, 'events');
    expect(onlyMine).to.deep.equal(['mine']);
    expect(all).to.deep.equal(['other', 'mine']);
    expect(legacy).to.deep.equal(['other:2:0', 'mine:3:1']);
    await conn.domainEventDeregisterAny(id1);
    await conn.domainEventDeregisterAny(id2);
    expect(d.calls.some((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY')).to.equal(false);
    await conn.domainEventDeregister(cb);
    expect(d.calls.filter((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY').map((c) => c.args)).to.deep.equal([{ eventID: 0 }]);
  });

  for (const [overflow, expected] of [
    ['drop-oldest', { names: ['e2', 'e3', 'e4'], dropped: 2 }],
    ['drop-newest', { names: ['e0', 'e1', 'e2'], dropped: 2 }],
  ] as const) {
    it(`a slow consumer with overflow '${overflow}' keeps bufferSize events and counts the rest`, async () => {
      d = new FakeLibvirtd();
      conn = await d.connect({ keepAlive: false });
      const s = conn.domainEvents({ bufferSize: 3, overflow });
      await s.ready;
      d.send(...Array.from({ length: 5 }, (_, i) => d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, `e${i}`, 0))));
      await conn.getLibVersion(); // all five have been read by now
      expect(s.buffered).to.equal(3);
      expect(s.dropped).to.equal(expected.dropped);
      const names = [];
      for (let i = 0; i < 3; i++) names.push((await s.next()).value!.dom.name);
      expect(names).to.deep.equal(expected.names);
      await s.close();
    });
  }

  it("a slow consumer with overflow 'error' (the default) gets the buffered events, then VIR_ERR_OVERFLOW; the registration is released", async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const s = conn.domainEvents({ bufferSize: 2 });
    await s.ready;
    d.send(...Array.from({ length: 3 }, (_, i) => d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, `e${i}`, 0))));
    await conn.getLibVersion();
    expect((await s.next()).value!.dom.name).to.equal('e0');
    expect((await s.next()).value!.dom.name).to.equal('e1');
    try {
      await s.next();
      expect.fail('expected the overflow error');
    } catch (e) {
      expect((e as LibvirtError).code).to.equal(C.VIR_ERR_OVERFLOW);
    }
    expect(await s.next()).to.deep.equal({ value: undefined, done: true });
    await until(() => d.calls.some((c) => c.name === 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY'), 'the deregistration');
    expect(sessionOf(conn).events.size).to.equal(0);
  });

  it('when the daemon goes away: streams end with the reason, free callbacks run, the close callback fires once with EOF', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const s = conn.domainEvents();
    await s.ready;
    const freed: string[] = [];
    await conn.networkEventRegisterAny(null, C.VIR_NETWORK_EVENT_ID_LIFECYCLE, () => undefined, 'net', (o) => freed.push(o));
    const reasons: number[] = [];
    const frees: string[] = [];
    await conn.registerCloseCallback((_c, r) => reasons.push(r), 'cc', (o) => frees.push(o));
    try {
      await conn.registerCloseCallback(() => undefined);
      expect.fail('only one close callback');
    } catch (e) {
      expect((e as LibvirtError).code).to.equal(C.VIR_ERR_OPERATION_INVALID);
    }
    expect(d.calls.some((c) => c.name === 'REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK')).to.equal(true);
    const next = s.next();
    d.socket!.end();
    expect(await next).to.deep.equal({ value: undefined, done: true });
    expect(s.closeReason).to.equal('eof');
    expect(freed).to.deep.equal(['net']);
    expect(reasons).to.deep.equal([C.VIR_CONNECT_CLOSE_REASON_EOF]);
    expect(frees).to.deep.equal(['cc']);
    // Registering on a closed connection fails cleanly.
    const err = await conn.domainEventRegisterAny(null, 0, () => undefined).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(LibvirtError);
  });

  it('REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED reaches the close callback once, with its reason', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const reasons: number[] = [];
    await conn.registerCloseCallback((_c, r) => reasons.push(r));
    d.send(d.message('REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED', { reason: C.VIR_CONNECT_CLOSE_REASON_ERROR }));
    await until(() => reasons.length === 1, 'the close callback');
    d.socket!.end();
    await until(() => conn.closed, 'the close');
    expect(reasons).to.deep.equal([C.VIR_CONNECT_CLOSE_REASON_ERROR]);
  });

  it('unregisterCloseCallback needs the registered callback and tells the daemon', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const cb = () => undefined;
    await conn.registerCloseCallback(cb);
    const wrong = await conn.unregisterCloseCallback(() => undefined).then(() => null, (e: unknown) => e);
    expect((wrong as LibvirtError).code).to.equal(C.VIR_ERR_OPERATION_INVALID);
    await conn.unregisterCloseCallback(cb);
    expect(d.calls.some((c) => c.name === 'REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK')).to.equal(true);
  });

  it('rejects bad arguments with libvirt codes: unknown callback ID, wrong family, object of another connection', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const d2 = new FakeLibvirtd();
    const conn2 = await d2.connect({ keepAlive: false });
    try {
      const id = await conn.domainEventRegisterAny(null, 0, () => undefined);
      const codes = await Promise.all([
        conn.domainEventDeregisterAny(id + 1000).then(() => 0, (e: LibvirtError) => e.code),
        conn.networkEventDeregisterAny(id).then(() => 0, (e: LibvirtError) => e.code),
        conn.domainEventRegisterAny(sessionOf(conn2).wrap.domain(domWire('x')), 0, () => undefined).then(() => 0, (e: LibvirtError) => e.code),
      ]);
      expect(codes).to.deep.equal([C.VIR_ERR_INVALID_ARG, C.VIR_ERR_INVALID_ARG, C.VIR_ERR_INVALID_ARG]);
      expect(conn.getLastError()?.code).to.equal(C.VIR_ERR_INVALID_ARG);
    } finally {
      await conn2.close();
      await d2.close();
    }
  });

  it('a registration the daemon refuses rejects with its error and leaves nothing behind', async () => {
    d = new FakeLibvirtd({
      intercept: (call, name, _args, self) => {
        if (name !== 'REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY') return false;
        call.socket.write(self.daemon.errorReply(call, { code: C.VIR_ERR_INVALID_ARG, domain: C.VIR_FROM_REMOTE, message: 'unsupported event ID 99' }));
        return true;
      },
    });
    conn = await d.connect({ keepAlive: false });
    const freed: string[] = [];
    const refused = await conn.domainEventRegisterAny(null, 99, () => undefined, 'x', (o) => freed.push(o)).then(() => null, (e: unknown) => e);
    expect((refused as LibvirtError).message).to.equal('unsupported event ID 99');
    expect(freed, 'no free callback for a registration that failed (as libvirt)').to.deep.equal([]);
    const s = conn.domainEvents({ eventIDs: [99 as 0] });
    const err = await s.ready.then(() => null, (e: unknown) => e);
    expect((err as LibvirtError).message).to.equal('unsupported event ID 99');
    const n = await s.next().then(() => null, (e: unknown) => e);
    expect(n).to.equal(err);
    expect(sessionOf(conn).events.size).to.equal(0);
  });

  it('typed overloads: the callback of a literal event ID gets that event type', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const got: DomainLifecycleEvent[] = [];
    const any: DomainEvent[] = [];
    await conn.domainEventRegisterAny(null, C.VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => got.push(ev));
    const someID: number = C.VIR_DOMAIN_EVENT_ID_LIFECYCLE;
    await conn.domainEventRegisterAny(null, someID, (ev) => any.push(ev));
    d.send(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', lifecycle(100, 'a', C.VIR_DOMAIN_EVENT_STOPPED, C.VIR_DOMAIN_EVENT_STOPPED_CRASHED)));
    await until(() => got.length === 1 && any.length === 1, 'events');
    expect(got[0]).to.include({ kind: 'lifecycle', event: 5, detail: 2, eventName: 'VIR_DOMAIN_EVENT_STOPPED', detailName: 'VIR_DOMAIN_EVENT_STOPPED_CRASHED' });
    expect(any[0]!.kind).to.equal('lifecycle');
  });
});
