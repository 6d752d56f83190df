import { expect } from 'chai';
import { rejection } from '../support/expect.js';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { LibvirtError, getLastError, resetLastError, setErrorFunc, copyLastError } from '../../src/errors/errors.js';
import { VIR_ERR_INVALID_ARG, VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_DENIED } from '../../src/apixml/generated/constants.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { ok, oracle, type OracleError } from '../support/oracle.js';

const TARGETS = [
  ['qemu:///system over unix', 'QEMU_UNIX_URI'],
  ['qemu:///system over tcp', 'QEMU_TCP_URI'],
  ['test:///default over unix', 'TEST_UNIX_URI'],
  ['test:///default over tcp', 'TEST_TCP_URI'],
] as const;


for (const [label, key] of TARGETS) {
  describe(`Connection to ${label} (C client as oracle)`, function () {
    this.timeout(60_000);
    let uri: string;
    let conn: Connection;
    before(async () => {
      uri = sandboxEnv(key);
      conn = await connect(uri);
    });
    after(async () => {
      await conn?.close();
    });

    it('agrees with libvirt-python on the first chapter of connection calls', async () => {
      const [libVer, ver, host, type, gotUri, caps, info, free, maxVcpus, enc, sec] = oracle(uri, [
        { call: 'getLibVersion' },
        { call: 'getVersion' },
        { call: 'getHostname' },
        { call: 'getType' },
        { call: 'getURI' },
        { call: 'getCapabilities' },
        { call: 'getInfo' },
        { call: 'getFreeMemory' },
        { call: 'getMaxVcpus', args: [null] },
        { call: 'isEncrypted' },
        { call: 'isSecure' },
      ]);
      expect(Number(await conn.getLibVersion())).to.equal(ok(libVer));
      expect(Number(await conn.getVersion())).to.equal(ok(ver));
      expect(await conn.getHostname()).to.equal(ok(host));
      expect(await conn.getType()).to.equal(ok(type));
      expect(await conn.getURI()).to.equal(ok(gotUri));
      expect(await conn.getCapabilities()).to.equal(ok(caps));
      const n = await conn.nodeGetInfo();
      // libvirt-python reports memory in MiB (virNodeInfo.memory >> 10).
      expect([n.model, Number(n.memory >> 10n), n.cpus, n.mhz, n.nodes, n.sockets, n.cores, n.threads]).to.deep.equal(ok(info));
      const ourFree = Number(await conn.nodeGetFreeMemory());
      const theirFree = Number(ok(free));
      expect(Math.abs(ourFree - theirFree)).to.be.at.most(Math.max(64 * 1024 * 1024, theirFree * 0.05));
      expect(await conn.getMaxVcpus(null)).to.equal(ok(maxVcpus));
      expect(await conn.isEncrypted()).to.equal(ok(enc) === 1);
      expect(await conn.isSecure()).to.equal(ok(sec) === 1);
      expect(await conn.isAlive()).to.equal(true);
    });

    it('rejects a missing domain with the code and message the C client gets', async () => {
      const [theirs] = oracle(uri, [{ call: 'lookupByName', args: ['no-such-domain'] }]);
      const expected = (theirs as { error: OracleError }).error;
      const e = await rejection(conn.domainLookupByName('no-such-domain'));
      expect(e.code).to.equal(VIR_ERR_NO_DOMAIN);
      expect({ code: e.code, domain: e.domain, message: e.message, level: e.level, str1: e.str1, str2: e.str2, str3: e.str3, int1: e.int1, int2: e.int2 }).to.deep.equal(expected);
      expect(e.codeName).to.equal('VIR_ERR_NO_DOMAIN');
    });

    it('resolves 1,000 calls issued at once, each with its own reply', async () => {
      const names = ['no-such-a', 'no-such-b'];
      const calls = Array.from({ length: 1000 }, (_, i) => {
        switch (i % 4) {
          case 0:
            return conn.getLibVersion().then((v) => ['lib', String(v)]);
          case 1:
            return conn.getHostname().then((h) => ['host', h]);
          case 2:
            return conn.getMaxVcpus(null).then((m) => ['vcpus', String(m)]);
          default:
            return conn.domainLookupByName(names[i % 8 === 3 ? 0 : 1]!).then(
              () => ['found', ''],
              (e: LibvirtError) => ['missing', e.message],
            );
        }
      });
      const results = await Promise.all(calls);
      const expectedMessage = new Map(names.map((n) => [n, (oracle(uri, [{ call: 'lookupByName', args: [n] }])[0] as { error: OracleError }).error.message] as const));
      const lib = String(await conn.getLibVersion());
      const host = await conn.getHostname();
      const vcpus = String(await conn.getMaxVcpus(null));
      results.forEach(([kind, value], i) => {
        if (kind === 'lib') expect(value).to.equal(lib);
        else if (kind === 'host') expect(value).to.equal(host);
        else if (kind === 'vcpus') expect(value).to.equal(vcpus);
        else {
          expect(kind).to.equal('missing');
          expect(value).to.equal(expectedMessage.get(i % 8 === 3 ? 'no-such-a' : 'no-such-b'));
        }
      });
    });
  });
}

describe('busy polling (ConnectOptions.busyPoll)', function () {
  this.timeout(60_000);
  for (const key of ['QEMU_UNIX_URI', 'QEMU_TCP_URI'] as const) {
    it(`over ${key}: calls in flight and one at a time get their replies, and the loop goes idle after them`, async () => {
      const uri = sandboxEnv(key);
      const conn = await connect(uri, { busyPoll: 200 });
      try {
        const lib = await conn.getLibVersion();
        const host = await conn.getHostname();
        const many = await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? conn.getLibVersion() : conn.getHostname())));
        many.forEach((v, i) => expect(v).to.equal(i % 2 ? lib : host));
        for (let i = 0; i < 200; i++) expect(await conn.getLibVersion()).to.equal(lib);
        const missing = await rejection(conn.domainLookupByName('no-such-domain'));
        expect(missing.code).to.equal(VIR_ERR_NO_DOMAIN);
        // Nothing in flight: the spinning stopped, the event loop sleeps.
        await new Promise((r) => setTimeout(r, 20));
        const before = performance.eventLoopUtilization();
        await new Promise((r) => setTimeout(r, 200));
        expect(performance.eventLoopUtilization(before).utilization).to.be.below(0.2);
        conn.setBusyPoll(0);
        expect(await conn.getLibVersion()).to.equal(lib);
      } finally {
        await conn.close();
      }
    });
  }

  it('refuses a budget out of range before opening anything', async () => {
    for (const busyPoll of [-1, Number.NaN, 2_000_000]) {
      const e = await rejection(connect(sandboxEnv('QEMU_UNIX_URI'), { busyPoll }));
      expect(e.code).to.equal(VIR_ERR_INVALID_ARG);
      expect(e.message).to.match(/busyPoll must be 0 to 1000000 µs/);
    }
  });
});

describe('read-only connections', function () {
  this.timeout(60_000);
  for (const key of ['QEMU_UNIX_URI', 'TEST_TCP_URI'] as const) {
    it(`over ${key}: reads work, writes are denied as for the C client`, async () => {
      const uri = sandboxEnv(key);
      const conn = await connect(uri, { readOnly: true });
      try {
        expect(Number(await conn.getLibVersion())).to.be.greaterThan(0);
        const [theirs] = oracle(uri, [{ call: 'defineXML', args: ['<domain type="test"><name>ro</name><memory>1024</memory><os><type>hvm</type></os></domain>'] }], { readOnly: true });
        const e = await rejection(conn.call('REMOTE_PROC_DOMAIN_DEFINE_XML', { xml: '<domain type="test"><name>ro</name><memory>1024</memory><os><type>hvm</type></os></domain>' }));
        expect(e.code).to.equal(VIR_ERR_OPERATION_DENIED);
        expect(e.code).to.equal((theirs as { error: OracleError }).error.code);
        expect(e.message).to.equal((theirs as { error: OracleError }).error.message);
      } finally {
        await conn.close();
      }
    });
  }
});

describe('error handlers and last error', function () {
  this.timeout(60_000);
  let conn: Connection;
  before(async () => {
    conn = await connect(sandboxEnv('QEMU_UNIX_URI'));
  });
  after(async () => {
    setErrorFunc(null);
    await conn?.close();
  });

  it('calls the connection handler, else the global handler, and records the last error', async () => {
    const seen: string[] = [];
    setErrorFunc((err, data) => seen.push(`global:${String(data)}:${err.code}`), 'g');
    resetLastError();
    conn.resetLastError();
    await rejection(conn.domainLookupByName('nope-1'));
    expect(seen).to.deep.equal(['global:g:42']);
    expect(getLastError()?.message).to.include('nope-1');
    expect(conn.getLastError()?.message).to.include('nope-1');
    expect(copyLastError()).to.include({ code: 42, codeName: 'VIR_ERR_NO_DOMAIN' });

    conn.setErrorFunc((err, data) => seen.push(`conn:${String(data)}:${err.message.includes('nope-2')}`), 'c');
    await rejection(conn.domainLookupByName('nope-2'));
    expect(seen).to.deep.equal(['global:g:42', 'conn:c:true']);

    conn.setErrorFunc(null);
    setErrorFunc(null);
    await rejection(conn.domainLookupByName('nope-3'));
    expect(seen).to.have.length(2);
    expect(getLastError()?.message).to.include('nope-3');

    resetLastError();
    expect(getLastError()).to.equal(null);
    expect(copyLastError()).to.equal(null);
    expect(conn.getLastError()?.message).to.include('nope-3');
    conn.resetLastError();
    expect(conn.getLastError()).to.equal(null);
  });

  it('a successful call leaves the last error alone, as in libvirt', async () => {
    await rejection(conn.domainLookupByName('nope-4'));
    await conn.getLibVersion();
    expect(conn.getLastError()?.message).to.include('nope-4');
  });
});

describe('a real QEMU guest through the sandbox', function () {
  this.timeout(180_000);
  it('is defined, started, seen running by the C client, destroyed and undefined', async () => {
    const uri = sandboxEnv('QEMU_UNIX_URI');
    const conn = await connect(uri);
    const name = `lvrpc-guest-${process.pid}`;
    try {
      const { dom } = await conn.call('REMOTE_PROC_DOMAIN_DEFINE_XML', { xml: guestXml(name) });
      await conn.call('REMOTE_PROC_DOMAIN_CREATE', { dom });
      const state = await conn.call('REMOTE_PROC_DOMAIN_GET_STATE', { dom, flags: 0 });
      expect(state.state).to.equal(1); // VIR_DOMAIN_RUNNING
      const [theirs] = oracle(uri, [{ target: 'domain', name, call: 'state' }]);
      expect((ok(theirs) as number[])[0]).to.equal(1);
      const mon = await conn.qemuCall('QEMU_PROC_DOMAIN_MONITOR_COMMAND', { dom, cmd: '{"execute":"query-status"}', flags: 0 });
      expect(JSON.parse(mon.result).return.status).to.equal('running');
      await conn.call('REMOTE_PROC_DOMAIN_DESTROY', { dom });
      await conn.call('REMOTE_PROC_DOMAIN_UNDEFINE', { dom });
      const [gone] = oracle(uri, [{ call: 'lookupByName', args: [name] }]);
      expect((gone as { error: OracleError }).error.code).to.equal(VIR_ERR_NO_DOMAIN);
    } finally {
      try {
        const d = await conn.domainLookupByName(name);
        await conn.call('REMOTE_PROC_DOMAIN_DESTROY', { dom: d.wire }).catch(() => undefined);
        await conn.call('REMOTE_PROC_DOMAIN_UNDEFINE', { dom: d.wire }).catch(() => undefined);
      } catch {
        // already gone
      }
      await conn.close();
    }
  });
});
