import { expect } from 'chai';
import type { Connection } from '../../src/api/connection.js';
import { LibvirtError } from '../../src/errors/errors.js';
import type { CloseReason } from '../../src/rpc/engine.js';
import { VIR_CONNECT_CLOSE_REASON_KEEPALIVE, VIR_ERR_INTERNAL_ERROR } from '../../src/apixml/generated/constants.js';
import { domWire, FakeLibvirtd } from './events-fake-libvirtd.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('keepalive (scripted daemon)', function () {
  this.timeout(20_000);
  let d: FakeLibvirtd;
  let conn: Connection;
  afterEach(async () => {
    await conn?.close().catch(() => undefined);
    await d?.close();
  });

  it('advertises the keepalive program before CONNECT_OPEN, as libvirt does, and starts virsh defaults', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect();
    expect(d.calls.map((c) => c.name)).to.deep.equal(['REMOTE_PROC_AUTH_LIST', 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE', 'REMOTE_PROC_CONNECT_OPEN']);
    expect(d.calls[1]!.args).to.deep.equal({ feature: 10 });
    expect(conn.keepAliveState).to.include({ interval: 5, count: 6 });
  });

  it('with keepAlive: false neither advertises nor pings, but still answers the PINGs of the daemon', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    expect(d.calls.map((c) => c.name)).to.deep.equal(['REMOTE_PROC_AUTH_LIST', 'REMOTE_PROC_CONNECT_OPEN']);
    let pongs = 0;
    const onData = (chunk: Buffer) => {
      // PONG: keepalive program 0x6b656570, proc 2
      for (let i = 0; i + 12 <= chunk.length; i++) if (chunk.readUInt32BE(i) === 0x6b656570 && chunk.readInt32BE(i + 8) === 2) pongs++;
    };
    d.socket!.on('data', onData);
    for (let i = 0; i < 5; i++) d.sendPing();
    await conn.getLibVersion();
    await sleep(20);
    expect(pongs).to.equal(5);
    expect(conn.keepAliveState.pingsAnswered).to.equal(5);
    expect(d.pingsReceived).to.equal(0);
  });

  it('answers PINGs that arrive in the same chunk as a burst of events and replies', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: false });
    const seen: string[] = [];
    await conn.domainEventRegisterAny(null, 0, (ev) => seen.push(ev.dom.name));
    const burst: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      burst.push(d.message('REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE', { callbackID: 100, msg: { dom: domWire(`d${i}`), event: 0, detail: 0 } }));
      if (i % 10 === 0) burst.push(d.keepalive(1));
    }
    d.send(...burst);
    await conn.getLibVersion();
    expect(seen.length).to.equal(50);
    expect(conn.keepAliveState.pingsAnswered).to.equal(5);
  });

  it('sends a PING after `interval` of silence and keeps the connection while the daemon answers', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: { interval: 0.1, count: 2 } });
    await sleep(650);
    expect(conn.closed).to.equal(false);
    // One PING per silent interval (the PONG ends the silence, the next interval starts).
    expect(d.pingsReceived).to.be.within(3, 7);
    expect(conn.keepAliveState.pingsSent).to.equal(d.pingsReceived);
  });

  it('sends no PING while packets keep arriving', async () => {
    d = new FakeLibvirtd();
    conn = await d.connect({ keepAlive: { interval: 0.2, count: 1 } });
    const t = setInterval(() => d.sendPing(), 50);
    try {
      await sleep(700);
    } finally {
      clearInterval(t);
    }
    expect(conn.closed).to.equal(false);
    expect(d.pingsReceived).to.equal(0);
  });

  it('closes with KEEPALIVE after count unanswered PINGs, interval x (count + 1) after the last packet; pending calls reject', async () => {
    d = new FakeLibvirtd({
      answerPings: false,
      intercept: (_call, name) => name === 'REMOTE_PROC_CONNECT_GET_CAPABILITIES', // never answered
    });
    conn = await d.connect({ keepAlive: { interval: 0.1, count: 3 } });
    const t0 = performance.now();
    const reasons: CloseReason[] = [];
    const cb: number[] = [];
    conn.on('close', (r) => reasons.push(r));
    await conn.registerCloseCallback((_c, r) => cb.push(r));
    const pending = conn.getCapabilities().then(() => null, (e: unknown) => e);
    const err = (await pending) as LibvirtError;
    const elapsed = performance.now() - t0;
    expect(err).to.be.instanceOf(LibvirtError);
    expect(err.code).to.equal(VIR_ERR_INTERNAL_ERROR);
    expect(err.message).to.equal('connection closed due to keepalive timeout');
    expect(elapsed).to.be.within(380, 1500);
    expect(d.pingsReceived).to.equal(3);
    expect(reasons).to.deep.equal(['keepalive']);
    expect(cb).to.deep.equal([VIR_CONNECT_CLOSE_REASON_KEEPALIVE]);
    expect(await conn.isAlive()).to.equal(false);
  });

  it('with count 0 closes after one interval of silence without sending any PING', async () => {
    d = new FakeLibvirtd({ answerPings: false });
    conn = await d.connect({ keepAlive: { interval: 0.1, count: 0 } });
    const closed = new Promise<CloseReason>((resolve) => conn.on('close', resolve));
    expect(await closed).to.equal('keepalive');
    expect(d.pingsReceived).to.equal(0);
  });

  it('setKeepAlive: 1 when the daemon does not support keepalive; interval <= 0 stops our PINGs', async () => {
    d = new FakeLibvirtd({
      intercept: (call, name, args, self) => {
        if (name !== 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE' || (args as { feature: number }).feature !== 10) return false;
        call.socket.write(self.reply(call, name, { supported: 0 }));
        return true;
      },
    });
    conn = await d.connect({ keepAlive: false });
    expect(await conn.setKeepAlive(5, 3)).to.equal(1);
    expect(conn.keepAliveState.interval).to.equal(0);
    await conn.close();
    await d.close();

    d = new FakeLibvirtd({ answerPings: false });
    conn = await d.connect({ keepAlive: false });
    expect(await conn.setKeepAlive(0.05, 1)).to.equal(0);
    expect(await conn.setKeepAlive(-1, 1)).to.equal(0);
    await sleep(300);
    expect(conn.closed).to.equal(false);
    expect(d.pingsReceived).to.equal(0);
  });
});
