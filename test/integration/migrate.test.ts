import { expect } from 'chai';
import { rejection } from '../support/expect.js';
import { spawnSync } from 'node:child_process';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { Domain } from '../../src/api/objects.js';
import { VIR_DOMAIN_JOB_NONE, VIR_ERR_INVALID_ARG, VIR_ERR_OPERATION_ABORTED, VIR_MIGRATE_LIVE, VIR_MIGRATE_PEER2PEER } from '../../src/apixml/generated/constants.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { oracle, type OracleError } from '../support/oracle.js';


/**
 * With one host there is nowhere to migrate to, so these check that every migration path reaches
 * the daemons the way libvirt's client does: the same refusal, with the same code and message.
 */
describe('migration paths (one host: the daemons refuse the same way as for the C client)', function () {
  this.timeout(120_000);
  const name = `lvrpc-mig-${process.pid}`;
  let conn: Connection;
  let dconn: Connection;
  let dom: Domain;
  before(async () => {
    conn = await connect(sandboxEnv('QEMU_UNIX_URI'));
    dconn = await connect(sandboxEnv('QEMU_TCP_URI'));
    dom = await conn.domainCreateXML(guestXml(name), 0);
  });
  after(async () => {
    await dom?.destroy().catch(() => undefined);
    await conn?.close();
    await dconn?.close();
  });

  it('virDomainMigrateToURI3 peer-to-peer: same error as libvirt-python', async () => {
    const dest = sandboxEnv('QEMU_TCP_URI');
    const flags = VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_LIVE;
    const [theirs] = oracle(sandboxEnv('QEMU_UNIX_URI'), [{ target: 'domain', name, call: 'migrateToURI3', args: [dest, {}, flags] }]);
    const expected = (theirs as { error: OracleError }).error;
    const e = await rejection(dom.migrateToURI3(dest, {}, flags));
    expect({ code: e.code, domain: e.domain, message: e.message }).to.deep.equal({ code: expected.code, domain: expected.domain, message: expected.message });
  });

  it('refuses a peer-to-peer destination on localhost on the client side, as libvirt does', async () => {
    const e = await rejection(dom.migrateToURI('qemu+tcp://localhost/system', VIR_MIGRATE_PEER2PEER));
    expect(e.code).to.equal(VIR_ERR_INVALID_ARG);
    expect(e.message).to.match(/Attempt to migrate guest to the same host/);
  });

  it('virDomainMigrate3 driven by the client (Begin, Prepare on the destination, ...): same error as virsh', async () => {
    const e = await rejection(dom.migrate3(dconn, {}, VIR_MIGRATE_LIVE));
    const virsh = spawnSync('virsh', ['-c', sandboxEnv('QEMU_UNIX_URI'), 'migrate', '--live', name, sandboxEnv('QEMU_TCP_URI')], { encoding: 'utf8' });
    expect(virsh.status).to.not.equal(0);
    expect(virsh.stderr).to.include(e.message);
    // The source domain is still running after the failed attempt.
    expect(await dom.isActive()).to.equal(true);
  });

  it('per-call options: an aborted signal or a timeout before the first call sends nothing; an abort during the sequence cancels it and leaves no job', async () => {
    const pre = await rejection(dom.migrate3(dconn, {}, VIR_MIGRATE_LIVE, { signal: AbortSignal.abort('not now') }));
    expect([pre.code, pre.cause]).to.deep.equal([VIR_ERR_OPERATION_ABORTED, 'not now']);
    const p2p = await rejection(dom.migrateToURI3(sandboxEnv('QEMU_TCP_URI'), {}, VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_LIVE, { signal: AbortSignal.abort() }));
    expect(p2p.code).to.equal(VIR_ERR_OPERATION_ABORTED);
    // Aborted while the client asks the source about its features: given up before Begin.
    const ac = new AbortController();
    const during = dom.migrate3(dconn, {}, VIR_MIGRATE_LIVE, { signal: ac.signal });
    ac.abort('stop');
    const e = await rejection(during);
    expect([e.code, e.cause]).to.deep.equal([VIR_ERR_OPERATION_ABORTED, 'stop']);
    expect((await dom.getJobInfo()).type).to.equal(VIR_DOMAIN_JOB_NONE);
    expect(await dom.isActive()).to.equal(true);
    // The same sequence without a signal still reaches the daemons' refusal.
    const refused = await rejection(dom.migrate3(dconn, {}, VIR_MIGRATE_LIVE, { timeout: 60_000 }));
    expect(refused.code).to.not.equal(VIR_ERR_OPERATION_ABORTED);
  });
});
