import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import type { CloseReason } from '../../src/rpc/engine.js';
import { VIR_ERR_INTERNAL_ERROR, VIR_ERR_SYSTEM_ERROR } from '../../src/apixml/generated/constants.js';
import { sandboxEnv, startSandbox } from '../support/sandbox.js';

describe('the daemon dies mid-call', function () {
  this.timeout(300_000);
  after(() => {
    // Bring the sandbox back for whatever runs next.
    startSandbox();
  });

  it('rejects every pending call promptly on every connection and reports why', async () => {
    const conns = await Promise.all([connect(sandboxEnv('QEMU_UNIX_URI')), connect(sandboxEnv('TEST_TCP_URI'))]);
    const reasons: CloseReason[] = [];
    // Both connections hear of the death: one whose calls had all been answered before the kill
    // learns it from the end of file, which may come after the other's pending calls settled.
    const bothClosed = Promise.all(conns.map((c) => new Promise<void>((resolve) => c.on('close', (reason) => (reasons.push(reason), resolve())))));
    // Keep a few hundred calls in flight on each connection.
    const pending: Promise<unknown>[] = [];
    for (const c of conns) for (let i = 0; i < 300; i++) pending.push(c.getCapabilities());
    const settled = pending.map((p) => p.then(() => null, (e: unknown) => e));
    const pid = Number(readFileSync(join(sandboxEnv('DIR'), 'libvirtd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const killedAt = performance.now();
    const outcomes = await Promise.all(settled);
    const elapsed = performance.now() - killedAt;
    expect(elapsed, 'all pending calls settle promptly').to.be.below(2000);
    await bothClosed;
    expect(performance.now() - killedAt, 'both connections report the close promptly').to.be.below(2000);
    const failures = outcomes.filter((o): o is LibvirtError => o instanceof LibvirtError);
    expect(failures.length, 'some calls were still pending when the daemon died').to.be.greaterThan(0);
    for (const e of failures) {
      expect(e.code).to.equal(VIR_ERR_SYSTEM_ERROR);
      expect(e.message).to.match(/End of file while reading data|Cannot recv data/);
    }
    expect(outcomes.every((o) => o === null || o instanceof LibvirtError)).to.equal(true);
    expect(reasons.sort()).to.satisfy((r: string[]) => r.length === 2 && r.every((x) => x === 'eof' || x === 'error'));
    for (const c of conns) {
      expect(await c.isAlive()).to.equal(false);
      try {
        await c.getLibVersion();
        expect.fail('a call on a dead connection must reject');
      } catch (e) {
        expect((e as LibvirtError).code).to.equal(VIR_ERR_INTERNAL_ERROR);
      }
      await c.close();
    }
  });
});
