// virt-admin-rpc against libvirt's virt-admin on the sandbox's admin socket: the same arguments give
// the same stdout, stderr and exit status, byte for byte.
import { expect } from 'chai';
import { connect, connectAdmin, type AdminConnection, type Connection } from '../../src/index.js';
import { sandboxEnv } from '../support/sandbox.js';
import { runVirtAdmin, runVirtAdminRpc, type RunResult } from '../support/virsh-compare.js';

describe('virt-admin-rpc vs virt-admin', function () {
  this.timeout(120_000);
  let uri: string;
  let admin: AdminConnection;
  before(async () => {
    uri = `libvirtd:///system?socket=${sandboxEnv('SOCKET_ADMIN')}`;
    admin = await connectAdmin(uri);
  });
  after(async () => {
    await admin?.close();
  });

  const both = (args: string[], mask: (s: string) => string = (s) => s): { virt: RunResult; ours: RunResult } => {
    const m = (r: RunResult): RunResult => ({ stdout: mask(r.stdout), stderr: mask(r.stderr), status: r.status });
    return { virt: m(runVirtAdmin(['-c', uri, ...args])), ours: m(runVirtAdminRpc(['-c', uri, ...args])) };
  };
  const same = (args: string[], mask?: (s: string) => string): RunResult => {
    const { virt, ours } = both(args, mask);
    expect(ours, `virt-admin-rpc ${args.join(' ')}`).to.deep.equal(virt);
    return virt;
  };

  describe('read-only commands and mistakes', () => {
    const cases: string[][] = [
      ['srv-list'],
      ['server-list'],
      ['uri'],
      ['version'],
      ['help'],
      ['help', 'monitor'],
      ['help', 'server-clients-set'],
      ['srv-threadpool-info', 'libvirtd'],
      ['server-threadpool-info', 'admin'],
      ['server-threadpool-info', 'nosuch'],
      ['srv-clients-info', 'libvirtd'],
      ['server-clients-info', 'admin'],
      ['client-list', 'libvirtd'],
      ['srv-clients-list', 'nosuch'],
      ['client-info', 'libvirtd', '424242'],
      ['client-info', 'libvirtd', 'abc'],
      ['client-disconnect', 'libvirtd', '424242'],
      ['daemon-log-filters'],
      ['daemon-log-outputs'],
      ['server-threadpool-set', 'libvirtd'],
      ['server-threadpool-set', 'libvirtd', '--min-workers', 'abc'],
      ['server-threadpool-set', 'libvirtd', '--min-workers', '10', '--max-workers', '5'],
      ['server-clients-set', 'libvirtd'],
      ['server-clients-set', 'libvirtd', '--max-clients', '5', '--max-unauth-clients', '10'],
      ['daemon-timeout'],
      ['daemon-timeout', '--timeout', '0'],
      ['daemon-timeout', '--timeout', '-1'],
      ['server-update-tls', 'libvirtd'],
      ['srv-update-tls', 'nosuch'],
      ['connect', '--name', 'libvirtd:///system?socket=/nonexistent/admin-sock'],
      ['nosuch'],
      ['srv-list', '--bogus'],
      ['self-test'],
      ['echo', 'a', 'b'],
    ];
    for (const args of cases) it(args.join(' '), () => void same(args));
    for (const args of [['-V'], ['-v'], ['--version=long'], ['-h'], ['-x'], ['-d', 'x']])
      it(args.join(' '), () => {
        expect(runVirtAdminRpc(args)).to.deep.equal(runVirtAdmin(args));
      });
    it('a socket that does not exist', () => {
      const args = ['-c', 'libvirtd:///system?socket=/nonexistent/admin-sock', 'srv-list'];
      expect(runVirtAdminRpc(args)).to.deep.equal(runVirtAdmin(args));
    });
    it('the interactive shell on a pipe', () => {
      const opts = { stdin: 'srv-list\nuri\nquit\n' };
      expect(runVirtAdminRpc(['-c', uri], opts)).to.deep.equal(runVirtAdmin(['-c', uri], opts));
    });
  });

  describe('settings changed and read back', () => {
    it('server-threadpool-set then -info, through each program, then restored', async () => {
      const before = await (await admin.lookupServer('libvirtd')).getThreadPoolParameters();
      try {
        for (const run of [runVirtAdmin, runVirtAdminRpc]) {
          expect(run(['-c', uri, 'server-threadpool-set', 'libvirtd', '--max-workers', '30', '--min-workers', '3']).status).to.equal(0);
          const v = runVirtAdmin(['-c', uri, 'server-threadpool-info', 'libvirtd']);
          const o = runVirtAdminRpc(['-c', uri, 'server-threadpool-info', 'libvirtd']);
          expect(o).to.deep.equal(v);
          expect(v.stdout).to.match(/maxWorkers\s+: 30\n/).and.match(/minWorkers\s+: 3\n/);
          await (await admin.lookupServer('libvirtd')).setThreadPoolParameters({ maxWorkers: before.maxWorkers!, minWorkers: before.minWorkers! });
        }
      } finally {
        await (await admin.lookupServer('libvirtd')).setThreadPoolParameters({ maxWorkers: before.maxWorkers!, minWorkers: before.minWorkers! });
      }
    });

    it('server-clients-set then -info', async () => {
      const srv = await admin.lookupServer('libvirtd');
      const before = await srv.getClientLimits();
      try {
        for (const run of [runVirtAdmin, runVirtAdminRpc]) {
          expect(run(['-c', uri, 'server-clients-set', 'libvirtd', '--max-clients', '120', '--max-unauth-clients', '15']).status).to.equal(0);
          const v = same(['server-clients-info', 'libvirtd']);
          expect(v.stdout).to.match(/nclients_max\s+: 120\n/);
          await srv.setClientLimits({ nclients_max: before.nclients_max!, nclients_unauth_max: before.nclients_unauth_max! });
        }
      } finally {
        await srv.setClientLimits({ nclients_max: before.nclients_max!, nclients_unauth_max: before.nclients_unauth_max! });
      }
    });

    it('daemon-log-filters and -outputs set and read back', async () => {
      const filters = await admin.getLoggingFilters();
      const outputs = await admin.getLoggingOutputs();
      try {
        for (const run of [runVirtAdmin, runVirtAdminRpc]) {
          expect(run(['-c', uri, 'daemon-log-filters', '--filters', '3:remote 4:event'])).to.deep.include({ status: 0, stderr: '' });
          same(['daemon-log-filters']);
          expect(runVirtAdminRpc(['-c', uri, 'daemon-log-filters']).stdout).to.match(/3:\*?remote\*? 4:\*?event\*?/);
          await admin.setLoggingFilters(filters ?? '');
        }
        // Outputs set through each program (to what they were, so the daemon keeps logging where it did) and read back.
        for (const run of [runVirtAdmin, runVirtAdminRpc]) {
          expect(run(['-c', uri, 'daemon-log-outputs', '--outputs', outputs])).to.deep.include({ status: 0, stderr: '' });
          expect(await admin.getLoggingOutputs()).to.equal(outputs);
        }
        same(['daemon-log-outputs']);
        same(['daemon-log-outputs', '--outputs', 'bogus:output']);
        same(['daemon-log-filters', '--filters', 'bogus:filter']);
      } finally {
        await admin.setLoggingFilters(filters ?? '');
        await admin.setLoggingOutputs(outputs);
      }
    });
  });

  describe('clients', () => {
    let conns: Connection[] = [];
    afterEach(async () => {
      await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
      conns = [];
    });

    it('client-list and client-info show the same clients while connections are open', async () => {
      conns = [await connect(sandboxEnv('TEST_UNIX_URI')), await connect(sandboxEnv('TEST_UNIX_URI'))];
      const list = same(['client-list', 'libvirtd']);
      const clients = await (await admin.lookupServer('libvirtd')).listClients();
      expect(clients.length).to.be.at.least(2);
      expect(list.stdout.split('\n').filter((l) => / unix /.test(l))).to.have.length(clients.length);
      for (const c of clients) same(['client-info', 'libvirtd', String(c.getID())]);
    });

    it('client-disconnect closes a client by id, through each program', async () => {
      for (const run of [runVirtAdmin, runVirtAdminRpc]) {
        const conn = await connect(sandboxEnv('TEST_UNIX_URI'));
        conns.push(conn);
        const closed = new Promise((resolve) => conn.on('close', resolve));
        const srv = await admin.lookupServer('libvirtd');
        const ids = (await srv.listClients()).map((c) => c.getID());
        const id = ids[ids.length - 1]!;
        const r = run(['-c', uri, 'client-disconnect', 'libvirtd', String(id)]);
        expect(r).to.deep.equal({ stdout: `Client '${id}' disconnected\n`, stderr: '', status: 0 });
        await closed;
      }
    });
  });
});
