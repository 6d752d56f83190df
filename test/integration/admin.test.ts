// The admin API against the sandbox libvirtd's admin socket, with virt-admin (libvirt's C client)
// on the same daemon as the oracle: servers, thread pool parameters before and after a set, client
// limits, the clients while other connections are open, log filters and outputs set and read back,
// a client disconnected by id.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { connect } from '../../src/api/open.js';
import { type AdminConnection } from '../../src/admin/connection.js';
import { adminSocketPath, connectAdmin, defaultAdminURI } from '../../src/admin/open.js';
import { AdminClient, AdminServer } from '../../src/admin/objects.js';
import { VIR_CLIENT_TRANS_UNIX, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_OPERATION_ABORTED, VIR_FROM_ADMIN } from '../../src/apixml/generated/constants.js';
import { rejection } from '../support/expect.js';
import { sandboxEnv } from '../support/sandbox.js';

/** virt-admin's stdout for `args` on the sandbox daemon (it must succeed). */
function virtAdmin(uri: string, ...args: string[]): string {
  const r = spawnSync('virt-admin', ['-q', '-c', uri, ...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`virt-admin ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `key : value` lines as an object. */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s*:\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The rows of a vshTable (header and dashes dropped), split on runs of spaces. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const start = lines.findIndex((l) => /^-+$/.test(l.trim()));
  return lines.slice(start + 1).map((l) => l.trim().split(/\s{2,}/));
}

describe('admin API against libvirtd\'s admin socket (virt-admin as oracle)', function () {
  this.timeout(60_000);
  let uri: string;
  let admin: AdminConnection;

  before(async () => {
    uri = `libvirtd:///system?socket=${sandboxEnv('SOCKET_ADMIN')}`;
    admin = await connectAdmin(uri);
  });
  after(async () => {
    await admin?.close();
  });

  it('URIs as virt-admin takes them: sockets of libvirtd and the modular daemons, session paths, LIBVIRT_ADMIN_DEFAULT_URI; a host is refused clearly', async () => {
    expect(adminSocketPath('libvirtd:///system')).to.equal('/run/libvirt/libvirt-admin-sock');
    expect(adminSocketPath('virtqemud:///system')).to.equal('/run/libvirt/virtqemud-admin-sock');
    expect(adminSocketPath('virtqemud:///session', { XDG_RUNTIME_DIR: '/run/user/1000' })).to.equal('/run/user/1000/libvirt/virtqemud-admin-sock');
    expect(adminSocketPath('libvirtd:///system?socket=/tmp/x')).to.equal('/tmp/x');
    expect(defaultAdminURI({ LIBVIRT_ADMIN_DEFAULT_URI: 'virtqemud:///system' }, 0)).to.equal('virtqemud:///system');
    expect(defaultAdminURI({}, 0)).to.equal('libvirtd:///system');
    expect(defaultAdminURI({}, 1000)).to.equal('libvirtd:///session');
    for (const [bad, message] of [
      ['libvirtd:///system?mode=x', "Unknown URI parameter 'mode'"],
      ['qemu:///system', "Unsupported URI scheme 'qemu'"],
      ['libvirtd:///nope', "Invalid URI path '/nope', try '/system'"],
    ]) {
      const e = await rejection(connectAdmin(bad!));
      expect([e.code, e.domain, e.message]).to.deep.equal([VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_ADMIN, message]);
    }
    const remote = await rejection(connectAdmin('libvirtd://kvm1.example.com/system'));
    expect(remote.code).to.equal(VIR_ERR_CONFIG_UNSUPPORTED);
    expect(remote.message).to.match(/local unix socket/);
    const aborted = await rejection(connectAdmin(uri, { signal: AbortSignal.abort('no') }));
    expect(aborted.code).to.equal(VIR_ERR_OPERATION_ABORTED);
  });

  it('getLibVersion, getURI, isAlive; listServers and lookupServer agree with srv-list', async () => {
    const version = keyValues(virtAdmin(uri, 'version'));
    void version;
    expect(await admin.getLibVersion()).to.be.a('bigint');
    expect(await admin.getURI()).to.equal(uri);
    expect(await admin.isAlive()).to.equal(true);
    const theirs = tableRows(virtAdmin(uri, 'srv-list')).map((r) => r[1]);
    const servers = await admin.listServers();
    expect(servers.every((s) => s instanceof AdminServer)).to.equal(true);
    expect(servers.map((s) => s.name)).to.deep.equal(theirs);
    const srv = await admin.lookupServer('libvirtd');
    expect(srv.getName()).to.equal('libvirtd');
    expect(srv.equals(servers.find((s) => s.name === 'libvirtd'))).to.equal(true);
    expect(String(srv)).to.equal('AdminServer(libvirtd)');
  });

  it('thread pool parameters before and after a set, as srv-threadpool-info shows them', async () => {
    const srv = await admin.lookupServer('libvirtd');
    const before = await srv.getThreadPoolParameters();
    const theirs = keyValues(virtAdmin(uri, 'srv-threadpool-info', 'libvirtd'));
    for (const k of ['minWorkers', 'maxWorkers', 'prioWorkers']) expect(String(before[k]), k).to.equal(theirs[k]);
    const min = before.minWorkers!;
    try {
      await srv.setThreadPoolParameters({ minWorkers: min + 1 });
      expect(keyValues(virtAdmin(uri, 'srv-threadpool-info', 'libvirtd')).minWorkers).to.equal(String(min + 1));
      virtAdmin(uri, 'srv-threadpool-set', 'libvirtd', '--min-workers', String(min + 2));
      expect((await srv.getThreadPoolParameters()).minWorkers).to.equal(min + 2);
    } finally {
      await srv.setThreadPoolParameters({ minWorkers: min });
    }
  });

  it('client limits, and the clients while other connections are open; a client disconnected by id', async () => {
    const srv = await admin.lookupServer('libvirtd');
    const limits = await srv.getClientLimits();
    const theirs = keyValues(virtAdmin(uri, 'srv-clients-info', 'libvirtd'));
    expect(String(limits.nclients_max)).to.equal(theirs.nclients_max);
    const conns = [await connect(sandboxEnv('TEST_UNIX_URI')), await connect(sandboxEnv('TEST_UNIX_URI'))];
    try {
      const clients = await srv.listClients();
      expect(clients.every((c) => c instanceof AdminClient)).to.equal(true);
      const rows = tableRows(virtAdmin(uri, 'srv-clients-list', 'libvirtd'));
      // virt-admin's own connection is to the admin server: the lists of libvirtd's clients agree.
      expect(clients.map((c) => String(c.id)).sort()).to.deep.equal(rows.map((r) => r[0]!).sort());
      expect((await srv.getClientLimits()).nclients).to.equal(clients.length);
      const newest = clients.reduce((a, b) => (a.id > b.id ? a : b));
      expect(newest.getTransport()).to.equal(VIR_CLIENT_TRANS_UNIX);
      expect(newest.getTimestamp()).to.be.a('bigint');
      const looked = await srv.lookupClient(Number(newest.id));
      expect(looked.equals(newest)).to.equal(true);
      const info = await looked.getInfo();
      const theirInfo = keyValues(virtAdmin(uri, 'client-info', 'libvirtd', String(newest.id)));
      expect(String(info.unix_process_id)).to.equal(theirInfo.unix_process_id);
      expect(info.unix_process_id).to.equal(process.pid);
      // Disconnect it: our connection sees the daemon close it.
      const closed = new Promise<string>((resolve) => conns[1]!.on('close', (reason) => resolve(reason)));
      await looked.close();
      expect(await closed).to.equal('eof');
      expect((await srv.listClients()).map((c) => c.id)).to.not.include(newest.id);
    } finally {
      for (const c of conns) await c.close().catch(() => undefined);
    }
  });

  it('log filters and outputs set and read back (virt-admin reads what we set and we read what it sets)', async () => {
    const filters = await admin.getLoggingFilters();
    const outputs = await admin.getLoggingOutputs();
    const theirs = virtAdmin(uri, 'daemon-log-outputs').trim();
    expect(theirs).to.include(outputs.trim());
    try {
      await admin.setLoggingFilters('3:util.json 4:rpc');
      // The daemon keeps them as globs (3:*util.json*): both clients read the same text.
      const mine = await admin.getLoggingFilters();
      expect(mine).to.match(/util\.json.*rpc/);
      expect(virtAdmin(uri, 'daemon-log-filters').trim()).to.equal(mine?.trim());
      virtAdmin(uri, 'daemon-log-filters', '2:qemu');
      expect((await admin.getLoggingFilters())?.trim()).to.match(/^2:\*?qemu\*?$/);
      await admin.setLoggingOutputs(outputs);
      expect(await admin.getLoggingOutputs()).to.equal(outputs);
    } finally {
      await admin.setLoggingFilters(filters ?? '');
    }
    expect(await admin.getLoggingFilters()).to.equal(filters);
  });

  it('setDaemonTimeout(0) as daemon-timeout --timeout 0; close and dispose', async () => {
    virtAdmin(uri, 'daemon-timeout', '--timeout', '0');
    await admin.setDaemonTimeout(0);
    let seen: AdminConnection;
    {
      await using a = await connectAdmin(uri);
      seen = a;
      expect(await a.isAlive()).to.equal(true);
    }
    expect(seen.closed).to.equal(true);
  });
});
