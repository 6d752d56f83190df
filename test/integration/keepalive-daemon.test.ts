import { expect } from 'chai';
import { connect as netConnect } from 'node:net';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import type { CloseReason } from '../../src/rpc/engine.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { VIR_CONNECT_CLOSE_REASON_KEEPALIVE, VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_ERR_INTERNAL_ERROR } from '../../src/apixml/generated/constants.js';
import { KEEPALIVE_PROGRAM } from '../../src/protocol/generated/keepalive.js';
import { remote_procedures as P } from '../../src/protocol/generated/remote.js';
import { type PrivateSandbox, privateSandbox } from './keepalive-sandbox.js';

const INTERVAL = 1;
const COUNT = 2;

describe(`keepalive against a private libvirtd (its keepalive_interval ${INTERVAL}, keepalive_count ${COUNT})`, function () {
  this.timeout(120_000);
  let sb: PrivateSandbox;
  const conns: Connection[] = [];
  before(async () => {
    sb = await privateSandbox('ka', { keepaliveInterval: INTERVAL, keepaliveCount: COUNT });
  });
  after(async () => {
    for (const c of conns) await c.close().catch(() => undefined);
    sb?.clean();
  });

  it('(control) the daemon drops a client that asked for keepalive but ignores its PINGs', async () => {
    const socket = netConnect(sb.env.LIBVIRT_SANDBOX_SOCKET!);
    await new Promise((resolve) => socket.once('connect', resolve));
    const engine = new RpcEngine(socket);
    let pings = 0;
    engine.setHandler(KEEPALIVE_PROGRAM, () => {
      pings++; // and no PONG
    });
    const closed = new Promise<CloseReason>((resolve) => engine.onClose((reason) => resolve(reason)));
    await engine.call(P.REMOTE_PROC_AUTH_LIST, undefined);
    expect((await engine.call(P.REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, { feature: 10 })).supported).to.equal(1);
    await engine.call(P.REMOTE_PROC_CONNECT_OPEN, { name: 'test:///default', flags: 0 });
    const t0 = performance.now();
    const reason = await closed;
    const elapsed = (performance.now() - t0) / 1000;
    expect(reason).to.equal('eof');
    expect(pings).to.equal(COUNT);
    expect(elapsed).to.be.within(INTERVAL * COUNT, INTERVAL * (COUNT + 1) + 1.5);
  });

  it('an idle client that never calls anything answers the PINGs and is not dropped', async () => {
    // interval 0: we send no PINGs of our own; the daemon's keepalive is the only traffic.
    const conn = await connect(sb.uri('TEST_UNIX_URI'), { keepAlive: { interval: 0 } });
    conns.push(conn);
    let closed: CloseReason | null = null;
    conn.on('close', (r) => (closed = r));
    await new Promise((r) => setTimeout(r, (INTERVAL * (COUNT + 1) + 2) * 1000));
    expect(closed).to.equal(null);
    expect(await conn.isAlive()).to.equal(true);
    expect(conn.keepAliveState.pingsAnswered).to.be.at.least(COUNT + 1);
    expect(conn.keepAliveState.pingsSent).to.equal(0);
    expect(await conn.getType()).to.equal('TEST');
  });

  it('defaults to virsh keepalive (5 s, 6) and setKeepAlive changes it', async () => {
    const conn = await connect(sb.uri('TEST_TCP_URI'));
    conns.push(conn);
    expect(conn.keepAliveState).to.include({ interval: 5, count: 6 });
    expect(await conn.setKeepAlive(2, 3)).to.equal(0);
    expect(conn.keepAliveState).to.include({ interval: 2, count: 3 });
    expect(await conn.setKeepAlive(0, 0)).to.equal(0);
    expect(conn.keepAliveState.interval).to.equal(0);
  });

  it('a frozen daemon (SIGSTOP) is detected within interval x (count + 1): close reason KEEPALIVE, pending calls and subscriptions told', async () => {
    const conn = await connect(sb.uri('TEST_UNIX_URI'), { keepAlive: { interval: INTERVAL, count: COUNT } });
    conns.push(conn);
    const reasons: CloseReason[] = [];
    const callbackReasons: number[] = [];
    let closeError: LibvirtError | null = null;
    conn.on('close', (reason, err) => {
      reasons.push(reason);
      closeError = err;
    });
    await conn.registerCloseCallback((_c, reason) => callbackReasons.push(reason));
    const stream = conn.domainEvents();
    await stream.ready;
    const streamNext = stream.next();
    const freed: string[] = [];
    await conn.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, () => undefined, 'sub', (o) => freed.push(o));

    const pid = sb.pid();
    process.kill(pid, 'SIGSTOP');
    const t0 = performance.now();
    try {
      // Calls made now wait for a daemon that cannot answer.
      const pending = [conn.getCapabilities(), conn.getLibVersion(), conn.listAllDomains(0)].map((p) => p.then(() => null, (e: unknown) => e));
      const outcomes = await Promise.all(pending);
      const elapsed = (performance.now() - t0) / 1000;
      expect(elapsed, 'detected within interval x (count + 1)').to.be.at.most(INTERVAL * (COUNT + 1) + 1);
      expect(elapsed, 'not before count PINGs went unanswered').to.be.at.least(INTERVAL * COUNT);
      for (const o of outcomes) {
        expect(o).to.be.instanceOf(LibvirtError);
        expect((o as LibvirtError).code).to.equal(VIR_ERR_INTERNAL_ERROR);
        expect((o as LibvirtError).message).to.equal('connection closed due to keepalive timeout');
      }
      expect(reasons).to.deep.equal(['keepalive']);
      expect(closeError!.message).to.equal('connection closed due to keepalive timeout');
      expect(callbackReasons).to.deep.equal([VIR_CONNECT_CLOSE_REASON_KEEPALIVE]);
      expect(await streamNext).to.deep.equal({ value: undefined, done: true });
      expect(stream.closeReason).to.equal('keepalive');
      expect(freed).to.deep.equal(['sub']);
      expect(conn.closeReason).to.equal('keepalive');
      expect(await conn.isAlive()).to.equal(false);
      expect(conn.keepAliveState.pingsSent).to.equal(COUNT);
      // Later calls fail at once.
      const late = await conn.getType().then(() => null, (e: unknown) => e);
      expect(late).to.be.instanceOf(LibvirtError);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // The thawed daemon serves new clients.
    const again = await connect(sb.uri('TEST_UNIX_URI'));
    conns.push(again);
    expect(await again.getType()).to.equal('TEST');
  });
});
