import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import type { Domain } from '../../src/api/objects.js';
import { VirshControl } from '../../src/cli/virsh/control.js';
import { watchJob } from '../../src/cli/virsh/domain-config-util.js';
import { virshGroups } from '../../src/cli/virsh/groups.js';

// virshWatchJob's loop on a stand-in domain: progress polls every 500 ms to the given callback (the
// seam a progress bar plugs into), the timeout action once, [100 %] when the job succeeded.
describe('virsh-rpc job watcher (watchJob)', function () {
  this.timeout(10_000);
  function control(): { ctl: VirshControl; stderr: string[] } {
    const stderr: string[] = [];
    const io = { stdout: () => undefined, stderr: (s: string) => stderr.push(s), stdin: new PassThrough(), isTTY: false, env: {} };
    return { ctl: new VirshControl(virshGroups, io, 'virsh'), stderr };
  }
  function domain(remaining: bigint[]): Domain {
    let i = 0;
    return { getJobInfo: async () => ({ type: 1, dataTotal: 1000n, dataRemaining: remaining[Math.min(i++, remaining.length - 1)] }), abortJob: async () => undefined } as unknown as Domain;
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('reports each poll to the progress callback and runs the timeout action once, while the job goes on', async () => {
    const { ctl, stderr } = control();
    const seen: [bigint, bigint][] = [];
    let timeouts = 0;
    const ok = await watchJob(ctl, domain([900n, 400n, 400n]), true, 'Migration', () => sleep(1700).then(() => true), {
      timeout: 1,
      onTimeout: async () => void timeouts++,
      progress: (r, t) => seen.push([r, t]),
    });
    expect(ok).to.equal(true);
    expect(timeouts).to.equal(1);
    expect(seen.slice(0, 2)).to.deep.equal([
      [900n, 1000n],
      [400n, 1000n],
    ]);
    expect(seen.at(-1)).to.deep.equal([0n, 1n]); // the final [100 %]
    expect(stderr).to.deep.equal([]); // the callback replaces the printed line
  });

  it('without a callback prints virshPrintJobProgress lines ([100 %] once nothing remains, and at the end); a failed job gets no [100 %]; no timeout, no action', async () => {
    const { ctl, stderr } = control();
    let timeouts = 0;
    expect(await watchJob(ctl, domain([500n, 0n]), true, 'Migration', () => sleep(1300).then(() => true))).to.equal(true);
    expect(stderr[0]).to.equal('\rMigration: [ 50 %]');
    expect(stderr.slice(1)).to.have.length.of.at.least(1);
    expect(new Set(stderr.slice(1))).to.deep.equal(new Set(['\rMigration: [100 %]']));
    stderr.length = 0;
    expect(await watchJob(ctl, domain([999n]), true, 'Migration', () => sleep(700).then(() => false), { timeout: 0, onTimeout: async () => void timeouts++ })).to.equal(false);
    expect(stderr).to.deep.equal(['\rMigration: [  0 %]']);
    expect(timeouts).to.equal(0);
  });
});
