import { expect } from 'chai';
import type { DomainLifecycleEvent } from '../../src/api/events/event-types.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { type ReconnectGap, connectReconnecting } from '../../src/api/events/reconnect.js';
import type { CloseReason } from '../../src/rpc/engine.js';
import {
  VIR_CONNECT_CLOSE_REASON_EOF,
  VIR_DOMAIN_EVENT_DEFINED,
  VIR_DOMAIN_EVENT_ID_LIFECYCLE,
  VIR_DOMAIN_EVENT_RESUMED,
  VIR_DOMAIN_EVENT_SUSPENDED,
  VIR_DOMAIN_EVENT_UNDEFINED,
} from '../../src/apixml/generated/constants.js';
import { type PrivateSandbox, privateSandbox } from './keepalive-sandbox.js';

function testDomainXml(name: string): string {
  return `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`;
}

async function until(pred: () => boolean, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('reconnecting helper against a private libvirtd that restarts', function () {
  this.timeout(120_000);
  let sb: PrivateSandbox;
  before(async () => {
    sb = await privateSandbox('rc');
  });
  after(() => {
    sb?.clean();
  });

  it('survives a daemon restart, re-registers every subscription, reports the gap, and delivers events after it', async () => {
    const rc = await connectReconnecting(sb.uri('TEST_UNIX_URI'), { initialDelay: 100, maxDelay: 800 });
    try {
      const all: [string, number][] = [];
      const onTest: DomainLifecycleEvent[] = [];
      const allID = await rc.domainEventRegisterAny(null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => all.push([ev.dom.name, ev.event]));
      // A per-domain subscription: the test driver's built-in domain "test" exists after every restart.
      const first = rc.connection!;
      const testDom = await first.domainLookupByName('test');
      const testID = await rc.domainEventRegisterAny(testDom, VIR_DOMAIN_EVENT_ID_LIFECYCLE, (ev) => onTest.push(ev));
      expect(testID).to.not.equal(allID);
      // And as an async iterator that goes on across the gap.
      const stream = rc.domainEvents();
      await stream.ready;
      const closeReasons: number[] = [];
      await first.registerCloseCallback((_c, reason) => closeReasons.push(reason));

      const before = await first.domainDefineXML(testDomainXml('before-restart'));
      await until(() => all.length === 1, 'the event before the restart');
      expect(all[0]).to.deep.equal(['before-restart', VIR_DOMAIN_EVENT_DEFINED]);
      await before.undefine();
      await until(() => all.length === 2, 'the undefine event');

      const disconnects: CloseReason[] = [];
      const retries: number[] = [];
      rc.on('disconnect', (reason) => disconnects.push(reason));
      rc.on('retry', (_e, attempt) => retries.push(attempt));
      const gapP = new Promise<ReconnectGap>((resolve) => rc.on('reconnect', resolve));

      // Stop the daemon, keep it down for a while (attempts fail and back off), start it again.
      sb.stop();
      await until(() => disconnects.length === 1, 'the disconnect');
      expect(disconnects).to.deep.equal(['eof']);
      expect(closeReasons).to.deep.equal([VIR_CONNECT_CLOSE_REASON_EOF]);
      expect(rc.connection).to.equal(null);
      await until(() => retries.length >= 2, 'failed attempts while the daemon is down');
      sb.start();

      const gap = await gapP;
      expect(gap.reason).to.equal('eof');
      expect(gap.failed).to.deep.equal([]);
      expect(gap.attempts).to.be.at.least(3);
      expect(gap.durationMs).to.be.greaterThan(0);
      expect(gap.until.getTime()).to.be.at.least(gap.since.getTime());
      const second = await rc.ready();
      expect(second).to.equal(gap.connection);
      expect(second).to.not.equal(first);
      expect(rc.reconnections).to.equal(1);

      // The same subscriptions deliver on the new connection, with its handles.
      const after = await second.domainDefineXML(testDomainXml('after-restart'));
      const t = await second.domainLookupByName('test');
      await t.suspend();
      await t.resume();
      await after.undefine();
      await until(() => all.length >= 6 && onTest.length >= 2, 'events after the restart');
      expect(all.slice(2)).to.deep.equal([
        ['after-restart', VIR_DOMAIN_EVENT_DEFINED],
        ['test', VIR_DOMAIN_EVENT_SUSPENDED],
        ['test', VIR_DOMAIN_EVENT_RESUMED],
        ['after-restart', VIR_DOMAIN_EVENT_UNDEFINED],
      ]);
      expect(onTest.map((e) => [e.dom.name, e.event])).to.deep.equal([
        ['test', VIR_DOMAIN_EVENT_SUSPENDED],
        ['test', VIR_DOMAIN_EVENT_RESUMED],
      ]);
      expect(onTest[0]!.dom.connection).to.equal(second);

      // The stream: the events before, the marker with the same gap, the events after.
      const items: string[] = [];
      for await (const item of stream) {
        items.push(item.kind === 'reconnect' ? `reconnect ${item.gap === gap}` : `${item.dom.name} ${item.event}`);
        if (items.length === 7) break;
      }
      expect(items).to.deep.equal([
        `before-restart ${VIR_DOMAIN_EVENT_DEFINED}`,
        `before-restart ${VIR_DOMAIN_EVENT_UNDEFINED}`,
        'reconnect true',
        `after-restart ${VIR_DOMAIN_EVENT_DEFINED}`,
        `test ${VIR_DOMAIN_EVENT_SUSPENDED}`,
        `test ${VIR_DOMAIN_EVENT_RESUMED}`,
        `after-restart ${VIR_DOMAIN_EVENT_UNDEFINED}`,
      ]);

      // Deregistration works across the reconnection too.
      await rc.domainEventDeregisterAny(testID);
      await t.suspend();
      await t.resume();
      await until(() => all.length >= 8, 'events on the remaining subscription');
      expect(onTest.length).to.equal(2);
    } finally {
      await rc.close();
    }
    const err = await rc.ready().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(LibvirtError);
  });
});
