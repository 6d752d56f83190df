import { expect } from 'chai';
import type { Connection } from '../../src/api/connection.js';
import type { Domain } from '../../src/api/objects.js';
import {
  VIR_ERR_ARGUMENT_UNSUPPORTED,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_SUPPORT,
  VIR_FROM_DOMAIN,
  VIR_MIGRATE_CHANGE_PROTECTION,
  VIR_MIGRATE_LIVE,
  VIR_MIGRATE_NON_SHARED_DISK,
  VIR_MIGRATE_NON_SHARED_INC,
  VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES,
  VIR_MIGRATE_OFFLINE,
  VIR_MIGRATE_PARALLEL,
  VIR_MIGRATE_PEER2PEER,
  VIR_MIGRATE_TUNNELLED,
} from '../../src/apixml/generated/constants.js';
import { rejection } from '../support/expect.js';
import { domWire, FakeLibvirtd } from './events-fake-libvirtd.js';

// The client side of libvirt's migration entry points (libvirt-domain.c): which flags and driver
// features they check before any migration procedure, and the order of the calls they make.
const P2P = 4;
const DIRECT = 5;
const V3 = 6;
const CHANGE_PROTECTION = 7;
const OFFLINE = 12;
const PARAMS = 13;

const MIGRATION_CALLS = /MIGRATE|GET_STATE|LOOKUP/;

interface Side {
  fake: FakeLibvirtd;
  conn: Connection;
  calls: () => string[];
}

/** A fake daemon with only `features` among the migration ones; `fail` names procedures answered with an error. */
async function side(features: number[], fail: string[] = []): Promise<Side> {
  const fake = new FakeLibvirtd({
    intercept: (call, name, args, d) => {
      if (name === 'REMOTE_PROC_CONNECT_SUPPORTS_FEATURE') {
        const f = (args as { feature: number }).feature;
        const migration = [1, 3, P2P, DIRECT, V3, CHANGE_PROTECTION, OFFLINE, PARAMS].includes(f);
        call.socket.write(d.reply(call, name, { supported: !migration || features.includes(f) ? 1 : 0 }));
        return true;
      }
      if (fail.includes(name)) {
        call.socket.write(d.daemon.errorReply(call, { code: 1, domain: 10, message: `internal error: ${name} failed` }));
        return true;
      }
      const answers: Record<string, unknown> = {
        REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME: { dom: domWire((args as { name?: string } | undefined)?.name ?? '', 2) },
        REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS: { cookie_out: new Uint8Array([1]), xml: '<domain/>' },
        REMOTE_PROC_DOMAIN_GET_STATE: { state: 1, reason: 0 },
        REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS: { cookie_out: new Uint8Array([2]), uri_out: 'tcp://dst:49152' },
        REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS: { cookie_out: new Uint8Array([3]) },
        REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3: { cookie_out: new Uint8Array([3]) },
        REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS: { dom: domWire('guest', 7), cookie_out: new Uint8Array([4]) },
      };
      if (!(name in answers)) return false;
      call.socket.write(d.reply(call, name, answers[name]));
      return true;
    },
  });
  const conn = await fake.connect({ keepAlive: false });
  return { fake, conn, calls: () => fake.calls.map((c) => c.name.replace('REMOTE_PROC_', '')).filter((n) => MIGRATION_CALLS.test(n)) };
}

describe('migration API: libvirt-domain.c checks and call sequences (fake daemons)', function () {
  this.timeout(20_000);
  const opened: Side[] = [];
  async function pair(srcFeatures: number[], dstFeatures: number[], fail: string[] = []): Promise<{ src: Side; dst: Side; dom: Domain }> {
    const src = await side(srcFeatures, fail);
    const dst = await side(dstFeatures, fail);
    opened.push(src, dst);
    const dom = await src.conn.domainLookupByName('guest');
    return { src, dst, dom };
  }
  afterEach(async () => {
    for (const s of opened.splice(0)) {
      await s.conn.close();
      await s.fake.close();
    }
  });
  const ALL = [P2P, V3, CHANGE_PROTECTION, OFFLINE, PARAMS];

  it('migrate3: the client-driven sequence with parameters, Confirm told how Finish went; a failing Confirm does not fail it', async () => {
    const { src, dst, dom } = await pair(ALL, ALL, ['REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS']);
    const ddom = await dom.migrate3(dst.conn, { migrate_uri: 'tcp://127.0.0.1' }, VIR_MIGRATE_LIVE);
    expect(ddom.name).to.equal('guest');
    expect(src.calls()).to.deep.equal(['DOMAIN_LOOKUP_BY_NAME', 'DOMAIN_MIGRATE_BEGIN3_PARAMS', 'DOMAIN_GET_STATE', 'DOMAIN_MIGRATE_PERFORM3_PARAMS', 'DOMAIN_MIGRATE_CONFIRM3_PARAMS']);
    expect(dst.calls()).to.deep.equal(['DOMAIN_MIGRATE_PREPARE3_PARAMS', 'DOMAIN_MIGRATE_FINISH3_PARAMS']);
    const perform = src.fake.calls.find((c) => c.name === 'REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS')!.args as { params: { field: string; value: { s?: string } }[]; flags: number };
    // Prepare's URI replaces the caller's; change protection is added for the source only.
    expect(perform.params.find((p) => p.field === 'migrate_uri')!.value.s).to.equal('tcp://dst:49152');
    expect(perform.flags).to.equal(VIR_MIGRATE_LIVE | VIR_MIGRATE_CHANGE_PROTECTION);
    const prepare = dst.fake.calls.find((c) => c.name === 'REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS')!.args as { flags: number };
    expect(prepare.flags).to.equal(VIR_MIGRATE_LIVE);
  });

  it('migrate3 refuses peer-to-peer, tunnelled and both storage copies before any migration call', async () => {
    const { src, dst, dom } = await pair(ALL, ALL);
    const cases: [number, string][] = [
      [VIR_MIGRATE_PEER2PEER, 'use virDomainMigrateToURI3 for peer-to-peer migration'],
      [VIR_MIGRATE_TUNNELLED, 'cannot perform tunnelled migration without using peer2peer flag'],
      [VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC, "Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive"],
      [VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES, "Flag 'VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC' is required by flag 'VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES'"],
    ];
    for (const [flags, message] of cases) {
      const e = await rejection(dom.migrate3(dst.conn, {}, flags));
      expect({ code: e.code, domain: e.domain, message: e.message }).to.deep.equal({ code: VIR_ERR_INVALID_ARG, domain: VIR_FROM_DOMAIN, message });
    }
    expect(src.calls()).to.deep.equal(['DOMAIN_LOOKUP_BY_NAME']);
    expect(dst.calls()).to.deep.equal([]);
  });

  it('migrate3 asks the drivers: offline, change protection, parameters; none of the protocols is VIR_ERR_NO_SUPPORT', async () => {
    let { dst, dom } = await pair([PARAMS], ALL);
    let e = await rejection(dom.migrate3(dst.conn, {}, VIR_MIGRATE_OFFLINE));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: offline migration is not supported by the source host']);
    e = await rejection(dom.migrate3(dst.conn, {}, VIR_MIGRATE_CHANGE_PROTECTION));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: cannot enforce change protection']);
    ({ dst, dom } = await pair(ALL, [OFFLINE]));
    e = await rejection(dom.migrate3(dst.conn, { graphics_uri: 'spice://x' }, VIR_MIGRATE_LIVE));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: Migration APIs with extensible parameters are not supported but extended parameters were passed']);
    e = await rejection(dom.migrate3(dst.conn, {}, VIR_MIGRATE_LIVE));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_NO_SUPPORT, 'this function is not supported by the connection driver: virDomainMigrate3']);
    // Only protocol 3 without parameters in common: said so, not attempted.
    ({ dst, dom } = await pair([V3], [V3]));
    e = await rejection(dom.migrate3(dst.conn, {}, VIR_MIGRATE_LIVE));
    expect(e.code).to.equal(VIR_ERR_NO_SUPPORT);
    expect(e.message).to.match(/protocol 3 without them/);
  });

  it('migrateToURI3: the source must support p2p (or direct); tunnelled and parallel exclude each other; a dconnuri is required', async () => {
    let { src, dom } = await pair([DIRECT, PARAMS], []);
    let e = await rejection(dom.migrateToURI3('qemu+tcp://dst/system', {}, VIR_MIGRATE_PEER2PEER));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: p2p migration is not supported by the source host']);
    e = await rejection(dom.migrateToURI3('qemu+tcp://dst/system', {}, VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_TUNNELLED | VIR_MIGRATE_PARALLEL));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_INVALID_ARG, "Flags 'VIR_MIGRATE_TUNNELLED' and 'VIR_MIGRATE_PARALLEL' are mutually exclusive"]);
    ({ src, dom } = await pair([P2P, PARAMS], []));
    e = await rejection(dom.migrateToURI3(null, {}, VIR_MIGRATE_PEER2PEER));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_INVALID_ARG, 'dconnuri in virDomainMigrateToURI3 must not be NULL']);
    e = await rejection(dom.migrateToURI3(null, {}, VIR_MIGRATE_LIVE));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: direct migration is not supported by the source host']);
    for (const local of ['qemu+tcp://localhost/system', 'qemu:///system']) {
      e = await rejection(dom.migrateToURI3(local, {}, VIR_MIGRATE_PEER2PEER));
      expect([e.code, e.message], local).to.deep.equal([VIR_ERR_INVALID_ARG, 'Attempt to migrate guest to the same host']);
    }
    expect(src.calls()).to.deep.equal(['DOMAIN_LOOKUP_BY_NAME']);
  });

  it('migrateToURI3 peer-to-peer is one Perform with parameters (a unix socket URI is not "the same host"); direct takes protocol 3 with the old arguments', async () => {
    let { src, dom } = await pair([P2P, PARAMS], []);
    await dom.migrateToURI3('qemu+unix:///system?socket=/run/other-sock', { migrate_uri: 'tcp://10.0.0.2' }, VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_LIVE);
    const p2p = src.fake.calls.find((c) => c.name === 'REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS')!.args as { dconnuri: string; flags: number };
    expect([p2p.dconnuri, p2p.flags]).to.deep.equal(['qemu+unix:///system?socket=/run/other-sock', VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_LIVE]);
    ({ src, dom } = await pair([DIRECT, V3, PARAMS], []));
    await dom.migrateToURI3('ignored', { migrate_uri: 'xenmigr://dst', destination_name: 'renamed', bandwidth: { type: 'ullong', value: 5n } }, VIR_MIGRATE_LIVE);
    const direct = src.fake.calls.find((c) => c.name === 'REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3')!.args as { dconnuri: string | null; uri: string; dname: string; resource: bigint; flags: bigint };
    expect(direct).to.deep.include({ dconnuri: null, uri: 'xenmigr://dst', dname: 'renamed', resource: 5n, flags: BigInt(VIR_MIGRATE_LIVE) });
    const e = await rejection(dom.migrateToURI3(null, { graphics_uri: 'x' }, VIR_MIGRATE_LIVE));
    expect([e.code, e.message]).to.deep.equal([VIR_ERR_ARGUMENT_UNSUPPORTED, 'argument unsupported: Some parameters are not supported by migration protocol 3']);
  });

  it('virDomainMigrate (the old API) still does peer-to-peer to the destination connection and looks the domain up there', async () => {
    const { src, dst, dom } = await pair(ALL, ALL);
    const ddom = await dom.migrate(dst.conn, VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_LIVE, 'renamed');
    expect(ddom.name).to.equal('renamed');
    expect(src.calls()).to.deep.equal(['DOMAIN_LOOKUP_BY_NAME', 'DOMAIN_MIGRATE_PERFORM3_PARAMS']);
    expect(dst.calls()).to.deep.equal(['DOMAIN_LOOKUP_BY_NAME']);
  });
});
