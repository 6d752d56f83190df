import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { VIR_ERR_OVERFLOW } from '../../src/apixml/generated/constants.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { type ReconnectingConnection, type ReconnectMarker, ReconnectingEventStream } from '../../src/api/events/reconnect.js';
import { type OverflowPolicy, setEventWireBytes } from '../../src/api/events/events.js';

// Events that arrive while a reconnecting stream's subscriptions are registered again are held
// until the reconnect marker is out; more of them than the buffer holds follow the overflow policy.
describe('reconnecting event stream: events held during a reconnection', () => {
  function stream<E = number>(overflow: OverflowPolicy, bounds: { bufferSize: number; bufferBytes?: number } = { bufferSize: 3 }): { st: ReconnectingEventStream<E>; rc: EventEmitter; deliver: (n: E) => void } {
    const rc = Object.assign(new EventEmitter(), { unsubscribeQuietly: async (): Promise<void> => undefined });
    let deliver: (n: E) => void = () => undefined;
    const st = new ReconnectingEventStream<E>(
      rc as unknown as ReconnectingConnection,
      (d) => {
        deliver = d;
        return [Promise.resolve(1)];
      },
      { ...bounds, overflow },
    );
    return { st, rc, deliver: (n) => deliver(n) };
  }

  async function drain(st: ReconnectingEventStream<number>, count: number): Promise<(number | string)[]> {
    const out: (number | string)[] = [];
    for (let i = 0; i < count; i++) {
      const r = await st.next();
      if (r.done) break;
      out.push(typeof r.value === 'number' ? r.value : (r.value as ReconnectMarker).kind);
    }
    return out;
  }

  const gap = { since: 0, until: 1, reason: 'eof', error: null, attempts: 1, failed: [], connection: null };

  it("'drop-oldest' keeps the newest held events and counts the rest", async () => {
    const { st, rc, deliver } = stream('drop-oldest');
    await st.ready;
    rc.emit('disconnect');
    for (let i = 1; i <= 5; i++) deliver(i);
    rc.emit('reconnect', gap);
    // Two are held (the buffer of 3 keeps a place for the marker), the three oldest are dropped.
    expect(st.dropped).to.equal(3);
    expect(await drain(st, 3)).to.deep.equal(['reconnect', 4, 5]);
  });

  it("'drop-newest' keeps the first held events and counts the rest", async () => {
    const { st, rc, deliver } = stream('drop-newest');
    await st.ready;
    rc.emit('disconnect');
    for (let i = 1; i <= 5; i++) deliver(i);
    expect(st.dropped).to.equal(3);
    rc.emit('reconnect', gap);
    expect(await drain(st, 3)).to.deep.equal(['reconnect', 1, 2]);
  });

  it('the bytes held are bounded too (bufferBytes), under the same policy', async () => {
    const { st, rc, deliver } = stream<{ n: number }>('drop-oldest', { bufferSize: 100, bufferBytes: 100 });
    await st.ready;
    rc.emit('disconnect');
    for (let n = 1; n <= 5; n++) {
      const ev = { n };
      setEventWireBytes(ev, 40);
      deliver(ev);
    }
    // 100 bytes hold two events of 40: the three oldest are dropped.
    expect(st.dropped).to.equal(3);
    rc.emit('reconnect', gap);
    expect(st.bufferedBytes).to.equal(80);
    const out = [];
    for (let i = 0; i < 3; i++) out.push((await st.next()).value);
    expect(out.map((v) => ('kind' in v ? v.kind : v.n))).to.deep.equal(['reconnect', 4, 5]);
    expect(st.bufferedBytes).to.equal(0);
  });

  it("'error' ends the stream with VIR_ERR_OVERFLOW instead of dropping silently", async () => {
    const { st, rc, deliver } = stream('error');
    await st.ready;
    rc.emit('disconnect');
    for (let i = 1; i <= 3; i++) deliver(i);
    const err = await st.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(LibvirtError);
    expect((err as LibvirtError).code).to.equal(VIR_ERR_OVERFLOW);
    expect(st.dropped).to.equal(0);
  });
});
