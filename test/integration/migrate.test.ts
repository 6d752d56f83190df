import { expect } from 'chai';
import { rejection } from '../support/expect.js';
import { spawnSync } from 'node:child_process';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { Domain } from '../../src/api/objects.js';
import { VIR_ERR_INVALID_ARG, VIR_MIGRATE_LIVE, VIR_MIGRATE_PEER2PEER } from '../../src/apixml/generated/constants.js';
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
});
