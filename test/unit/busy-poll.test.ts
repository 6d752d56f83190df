// Busy polling: the event loop keeps turning while calls are in flight, for a budget after the
// last progress, and stops when nothing is awaited.
import { expect } from 'chai';
import { BusyPoll, badBusyPoll } from '../../src/rpc/busy-poll.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { VIR_ERR_INVALID_ARG } from '../../src/apixml/generated/constants.js';
import { PassThrough } from 'node:stream';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('busy polling', () => {
  it('turns the loop while busy and stops once the budget passes without progress', async () => {
    let asked = 0;
    const poll = new BusyPoll(10_000, () => (asked++, true));
    poll.progress();
    await sleep(3);
    expect(asked, 'ticks within the budget').to.be.greaterThan(3);
    await sleep(30);
    const after = asked;
    await sleep(20);
    expect(asked, 'no tick after the budget').to.equal(after);
    poll.progress(); // progress starts it again
    await sleep(3);
    expect(asked).to.be.greaterThan(after + 3);
    await sleep(30);
  });

  it('stops as soon as nothing is awaited, and does not start when nothing is', async () => {
    let busy = true;
    let asked = 0;
    const poll = new BusyPoll(1_000_000, () => (asked++, busy));
    poll.progress();
    await sleep(3);
    busy = false;
    await sleep(3);
    const after = asked;
    await sleep(10);
    expect(asked).to.equal(after);
    asked = 0;
    poll.progress();
    await sleep(10);
    expect(asked, 'asked once, no tick').to.equal(1);
  });

  it('takes 0 to 1,000,000 µs and refuses the rest with VIR_ERR_INVALID_ARG, changing nothing', () => {
    for (const ok of [0, 1, 50, 1_000_000]) expect(badBusyPoll(ok)).to.equal(null);
    const engine = new RpcEngine(new PassThrough());
    for (const bad of [-1, Number.NaN, Infinity, 1_000_001]) {
      expect(badBusyPoll(bad)).to.match(/busyPoll must be 0 to 1000000 µs/);
      let err: unknown;
      try {
        engine.setBusyPoll(bad);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(LibvirtError);
      expect((err as LibvirtError).code).to.equal(VIR_ERR_INVALID_ARG);
    }
    engine.close();
  });
});
