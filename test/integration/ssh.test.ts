// SSH transports (+ssh, +libssh, +libssh2) against a private sshd on loopback reaching the sandbox
// libvirtd, each case compared with virsh run with the same URI and the same client files.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { resolveTarget } from '../../src/uri/uri.js';
import {
  VIR_CRED_PASSPHRASE,
  VIR_ERR_AUTH_FAILED,
  VIR_ERR_LIBSSH,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_ERR_SSH,
  VIR_ERR_SYSTEM_ERROR,
  VIR_FROM_LIBSSH,
  VIR_FROM_RPC,
  VIR_FROM_SSH,
} from '../../src/apixml/generated/constants.js';
import { openSsh } from '../../src/transport/ssh.js';
import { hostFieldMatches, parseKnownHosts } from '../../src/transport/ssh-known-hosts.js';
import { sandboxEnv } from '../support/sandbox.js';
import { type HomeSpec, makeHome, type Outcome, ours, type OursOptions, virsh } from '../support/ssh-oracle.js';
import { keygen, type SshServer, startAgent, startSshServer, TEST_PASSWORD } from '../support/ssh-server.js';

describe('SSH transports (virsh as oracle)', function () {
  this.timeout(120_000);
  let server: SshServer;
  let keys: string;
  let good: string; // authorized
  let wrong: string; // not authorized
  let encrypted: string; // authorized, passphrase KEY_PASS
  let agentOnly: string; // authorized, only ever loaded into an agent
  const KEY_PASS = 'key-pass-phrase';
  const homes: string[] = [];
  let host: string;
  let known: string;

  before(async function () {
    server = await startSshServer(sandboxEnv('SOCKET'));
    keys = mkdtempSync('/tmp/libvirt-rpc-sshkeys-');
    good = join(keys, 'good');
    wrong = join(keys, 'wrong');
    encrypted = join(keys, 'encrypted');
    agentOnly = join(keys, 'agent');
    server.authorize('root', keygen(good));
    keygen(wrong);
    server.authorize('root', keygen(encrypted, { passphrase: KEY_PASS }));
    server.authorize('root', keygen(agentOnly));
    host = `127.0.0.1:${server.port}`;
    known = `[127.0.0.1]:${server.port} ${server.hostKey}`;
  });

  after(async () => {
    await server?.stop();
    if (keys) rmSync(keys, { recursive: true, force: true });
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  const home = (spec: HomeSpec): string => {
    const h = makeHome(spec);
    homes.push(h);
    return h;
  };

  /**
   * Runs virsh and libvirt-rpc on the same URI and files; each gets its own copy of the home (both
   * may write known_hosts). `racy`: libvirt's own outcome varies from run to run (a dying remote
   * command races its first read: "An error occurred, but the cause is unknown" instead of the exit
   * code), so virsh is asked again, up to 10 times, until it gives ours.
   */
  async function both(
    uri: string,
    spec: HomeSpec,
    options: Omit<OursOptions, 'home'> = {},
    racy?: (mine: Outcome, theirs: Outcome) => boolean,
  ): Promise<{ theirs: Outcome; mine: Outcome; myHome: string; theirHome: string }> {
    const theirHome = home(spec);
    const myHome = home(spec);
    const mine = await ours(uri, { ...options, home: myHome });
    let theirs = virsh(uri, { ...options, home: theirHome });
    for (let i = 0; racy && i < 10 && !racy(mine, theirs); i++) theirs = virsh(uri, { ...options, home: home(spec) });
    return { theirs, mine, myHome, theirHome };
  }

  /** Same outcome: both succeed, or both fail with the same message (paths under the homes written as ~). */
  function expectSame(r: { theirs: Outcome; mine: Outcome; myHome: string; theirHome: string }): void {
    const norm = (m: string | null, h: string): string | null => (m === null ? null : m.split(h + '/').join('~/'));
    const mine = norm(r.mine.message, r.myHome);
    const theirs = norm(norm(r.theirs.message, r.theirHome), userInfo().homedir);
    expect({ ok: r.mine.ok, message: mine }).to.deep.equal({ ok: r.theirs.ok, message: theirs });
  }

  const keyHome = (): HomeSpec => ({ keys: [[good, 'id_ed25519']], knownHosts: [known], libvirtKnownHosts: [known] });

  describe('authorized key, both remote proxies', () => {
    const cases = [
      ['+ssh through virt-ssh-helper (proxy auto)', 'qemu+ssh', '?no_tty=1'],
      ['+ssh through virt-ssh-helper (proxy=native)', 'qemu+ssh', '?no_tty=1&proxy=native'],
      ['+ssh through nc -U (proxy=netcat, default socket)', 'qemu+ssh', '?no_tty=1&proxy=netcat'],
      ['+ssh through nc -U to ?socket=', 'qemu+ssh', '?no_tty=1&socket=SOCKET'],
      ['+libssh through virt-ssh-helper', 'qemu+libssh', ''],
      ['+libssh through nc -U', 'qemu+libssh', '?proxy=netcat'],
      ['+libssh2 through virt-ssh-helper', 'qemu+libssh2', ''],
      ['+libssh2 through nc -U to ?socket=', 'qemu+libssh2', '?socket=SOCKET'],
    ] as const;
    for (const [label, scheme, query] of cases) {
      it(label, async function () {
        if (!server.defaultSocketWorks && !query.includes('socket=')) this.skip();
        const uri = `${scheme}://root@${host}/system${query.replace('SOCKET', sandboxEnv('SOCKET'))}`;
        const r = await both(uri, keyHome());
        expectSame(r);
        expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
        // libvirt: SSH is secure (remote_driver.c is_secure = 1) but not encrypted (only TLS/SASL are)
        expect([r.mine.secure, r.mine.encrypted]).to.deep.equal([true, false]);
      });
    }

    it('test:///default through virt-ssh-helper', async function () {
      if (!server.defaultSocketWorks) this.skip();
      expectSame(await both(`test+ssh://root@${host}/default?no_tty=1`, keyHome()));
    });

    it('read-only through nc -U to the read-only socket', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1&socket=${sandboxEnv('SOCKET_RO')}`, keyHome(), { readOnly: true });
      expectSame(r);
      expect(r.mine.ok).to.equal(true);
    });
  });

  describe('through connect(uri, options) (openTransport)', () => {
    it('+ssh, +libssh, +libssh2 by URI with auth, hostKeys and env; keepalive on; isSecure true, isEncrypted false', async () => {
      for (const scheme of ['qemu+ssh', 'qemu+libssh', 'qemu+libssh2']) {
        const env = { PATH: process.env.PATH, HOME: home({ keys: [[good, 'id_ed25519']], libvirtKnownHosts: [] }) };
        const uri = `${scheme}://root@${host}/system?no_tty=1&socket=${sandboxEnv('SOCKET')}`;
        // unknown host: refused by default, accepted (and recorded) with hostKeys 'accept-new'
        const refused = await connect(uri, { env, timeout: 30_000 }).then(
          async (c) => {
            await c.close();
            return null;
          },
          (e: unknown) => e as LibvirtError,
        );
        expect(refused, scheme).to.be.instanceOf(LibvirtError);
        const conn = await connect(uri, { env, hostKeys: 'accept-new', timeout: 30_000 });
        try {
          expect(Number(await conn.getLibVersion())).to.be.above(0);
          expect([await conn.isSecure(), await conn.isEncrypted()]).to.deep.equal([true, false]);
        } finally {
          await conn.close();
        }
      }
      // now known: no option needed; a password through auth for a key-less home
      const pw = home({ knownHosts: [known] });
      const conn = await connect(`qemu+ssh://root@${host}/system`, {
        env: { PATH: process.env.PATH, HOME: pw },
        auth: { credtype: [VIR_CRED_PASSPHRASE], cb: (creds) => void creds.forEach((c) => (c.result = TEST_PASSWORD)) },
      });
      await conn.close();
    });
  });

  describe('authentication', () => {
    it('wrong key: refused (+ssh)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[wrong, 'id_ed25519']], knownHosts: [known] });
      expectSame(r);
      expect(r.mine).to.include({ ok: false, code: VIR_ERR_SYSTEM_ERROR, domain: VIR_FROM_RPC });
      expect(r.mine.message).to.contain('root@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).');
    });

    it('wrong key: refused (+libssh, sshauth=privkey)', async () => {
      const r = await both(`qemu+libssh://root@${host}/system?sshauth=privkey`, { keys: [[wrong, 'id_ed25519']], libvirtKnownHosts: [known] });
      expectSame(r);
      expect(r.mine).to.include({ ok: false, code: VIR_ERR_LIBSSH, domain: VIR_FROM_LIBSSH });
    });

    it('wrong key: refused (+libssh2, sshauth=privkey)', async () => {
      const r = await both(`qemu+libssh2://root@${host}/system?sshauth=privkey`, { keys: [[wrong, 'id_ed25519']], libvirtKnownHosts: [known] });
      expectSame(r);
      expect(r.mine).to.include({ ok: false, code: VIR_ERR_AUTH_FAILED, domain: VIR_FROM_SSH });
    });

    it('wrong key, agent then key: every method rejected (+libssh, +libssh2)', async () => {
      for (const scheme of ['qemu+libssh', 'qemu+libssh2']) {
        const r = await both(`${scheme}://root@${host}/system?sshauth=agent,privkey`, { keys: [[wrong, 'id_ed25519']], libvirtKnownHosts: [known] });
        expectSame(r);
        expect(r.mine.message).to.contain('All provided authentication methods with credentials were rejected by the server');
      }
    });

    it('?keyfile= names the key (+ssh, +libssh)', async () => {
      const spec: HomeSpec = { keys: [[wrong, 'id_ed25519'], [good, 'other_key']], knownHosts: [known], libvirtKnownHosts: [known] };
      const h = home(spec);
      for (const uri of [`qemu+ssh://root@${host}/system?no_tty=1&keyfile=${h}/.ssh/other_key`, `qemu+libssh://root@${host}/system?keyfile=${h}/.ssh/other_key&sshauth=privkey`]) {
        const theirs = virsh(uri, { home: h });
        const mine = await ours(uri, { home: h });
        expect(mine.ok, mine.message ?? '').to.equal(true);
        expect(theirs.ok, theirs.message ?? '').to.equal(true);
      }
    });

    it('password through the callback (+ssh: keyboard-interactive via PAM; virsh: SSH_ASKPASS)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system`, { knownHosts: [known] }, { answers: { secret: ['not-it', TEST_PASSWORD] } });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
      expect(r.mine.asked).to.deep.equal(['(root@127.0.0.1) Password: ', '(root@127.0.0.1) Password: ']);
    });

    it('password through the callback (+libssh and +libssh2, sshauth=password; virsh: stdin)', async () => {
      for (const scheme of ['qemu+libssh', 'qemu+libssh2']) {
        const r = await both(`${scheme}://root@${host}/system?sshauth=password`, { libvirtKnownHosts: [known] }, { answers: { secret: [TEST_PASSWORD] } });
        expectSame(r);
        expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
        expect(r.mine.asked).to.deep.equal(["Enter root's password for 127.0.0.1"]);
      }
    });

    it('keyboard-interactive through the callback (+libssh)', async () => {
      const r = await both(`qemu+libssh://root@${host}/system?sshauth=keyboard-interactive`, { libvirtKnownHosts: [known] }, { answers: { secret: [TEST_PASSWORD] } });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
      expect(r.mine.asked).to.deep.equal(['Password']);
    });

    it('password from auth.conf (+libssh)', async () => {
      const spec: HomeSpec = { libvirtKnownHosts: [known] };
      const h = home(spec);
      writeFileSync(join(h, '.config/libvirt/auth.conf'), `[credentials-test]\nusername=root\npassword=${TEST_PASSWORD}\n\n[auth-ssh-127.0.0.1]\ncredentials=test\n`);
      const uri = `qemu+libssh://root@${host}/system?sshauth=password`;
      const theirs = virsh(uri, { home: h });
      const mine = await ours(uri, { home: h, noCallback: true });
      expect([mine.ok, theirs.ok], `${mine.message} / ${theirs.message}`).to.deep.equal([true, true]);
    });

    it('no keys and no_tty=1: no prompt, refused (+ssh)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { knownHosts: [known] }, { answers: { secret: [TEST_PASSWORD] } });
      expectSame(r);
      expect(r.mine.asked).to.deep.equal([]);
    });

    it('agent (SSH_AUTH_SOCK) with the only authorized key', async () => {
      const agent = await startAgent(keys, [agentOnly]);
      try {
        const spec: HomeSpec = { knownHosts: [known], libvirtKnownHosts: [known] };
        for (const uri of [`qemu+ssh://root@${host}/system?no_tty=1`, `qemu+libssh://root@${host}/system?sshauth=agent`, `qemu+libssh2://root@${host}/system?sshauth=agent`]) {
          const r = await both(uri, spec, { env: { SSH_AUTH_SOCK: agent.socket } });
          expectSame(r);
          expect(r.mine.ok, `${uri}: ${r.mine.message}`).to.equal(true);
        }
        // and without the agent, refused
        const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, spec);
        expectSame(r);
        expect(r.mine.ok).to.equal(false);
      } finally {
        agent.stop();
      }
    });

    it('encrypted key: passphrase through the callback, asked only once the server accepts the key', async () => {
      const spec: HomeSpec = { keys: [[wrong, 'id_rsa'], [encrypted, 'id_ed25519']], knownHosts: [known], libvirtKnownHosts: [known] };
      const r = await both(`qemu+ssh://root@${host}/system`, spec, { answers: { secret: [KEY_PASS] } });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
      expect(r.mine.asked).to.have.length(1);
      expect(r.mine.asked![0]).to.match(/^Enter passphrase for key '.*\/\.ssh\/id_ed25519'$/);

      const l = await both(`qemu+libssh://root@${host}/system?sshauth=privkey&keyfile=KEYFILE`.replace('KEYFILE', encrypted), spec, { answers: { secret: [KEY_PASS] } });
      expectSame(l);
      expect(l.mine.ok, l.mine.message ?? '').to.equal(true);
    });

    it('encrypted key with no_tty=1: no prompt, refused (+ssh)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[encrypted, 'id_ed25519']], knownHosts: [known] }, { answers: { secret: [KEY_PASS] } });
      expectSame(r);
      expect(r.mine.ok).to.equal(false);
    });

    it('invalid ?sshauth= and ?known_hosts_verify= (+libssh)', async () => {
      for (const q of ['sshauth=agent,bogus', 'known_hosts_verify=sometimes']) {
        expectSame(await both(`qemu+libssh://root@${host}/system?${q}`, keyHome()));
      }
    });
  });

  describe('host keys', () => {
    it('unknown host key: refused (+ssh, no_tty=1)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[good, 'id_ed25519']] });
      expectSame(r);
      expect(r.mine.message).to.equal('Cannot recv data: Host key verification failed.: Connection reset by peer');
    });

    it('unknown host key: accepted and recorded (hashed, per Debian HashKnownHosts) with no_verify=1 (+ssh)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1&no_verify=1`, { keys: [[good, 'id_ed25519']] });
      expectSame(r);
      expect(r.mine.ok).to.equal(true);
      for (const h of [r.myHome, r.theirHome]) {
        const entries = parseKnownHosts(readFileSync(join(h, '.ssh/known_hosts'), 'utf8'));
        expect(entries).to.have.length(1);
        expect(entries[0]!.hosts.startsWith('|1|')).to.equal(true);
        expect(hostFieldMatches(entries[0]!.hosts, `[127.0.0.1]:${server.port}`)).to.equal(true);
      }
    });

    it('unknown host key: accepted when the caller allows it (hostKeys: accept-new), then known', async () => {
      const h = home({ keys: [[good, 'id_ed25519']] });
      const uri = `qemu+ssh://root@${host}/system?no_tty=1`;
      expect((await ours(uri, { home: h })).ok).to.equal(false);
      expect((await ours(uri, { home: h, hostKeys: 'accept-new' })).ok).to.equal(true);
      // recorded: now virsh accepts it too
      expect(virsh(uri, { home: h }).ok).to.equal(true);
      expect((await ours(uri, { home: h })).ok).to.equal(true);
    });

    it('unknown host key: confirmed through the callback (+ssh: "yes"; virsh: SSH_ASKPASS)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system`, { keys: [[good, 'id_ed25519']] }, { answers: { echo: ['yes'] } });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
      expect(r.mine.asked![0]).to.match(/^The authenticity of host '\[127\.0\.0\.1\]:\d+ \(\[127\.0\.0\.1\]:\d+\)' can't be established\.\nED25519 key fingerprint is SHA256:/);
    });

    it('unknown host key (+libssh, +libssh2): asked through the callback; "y" accepts and records, "n" refuses', async () => {
      for (const scheme of ['qemu+libssh', 'qemu+libssh2']) {
        const uri = `${scheme}://root@${host}/system`;
        const yes = await both(uri, { keys: [[good, 'id_ed25519']], libvirtKnownHosts: [] }, { answers: { echo: ['y'] } });
        expectSame(yes);
        expect(yes.mine.ok, yes.mine.message ?? '').to.equal(true);
        expect(yes.mine.asked![0]).to.match(/^Accept SSH host key with hash '[0-9a-fA-F:]+' for host '127\.0\.0\.1:\d+' \(y\/n\)\?$/);
        expect(readFileSync(join(yes.myHome, '.config/libvirt/known_hosts'), 'utf8')).to.contain(server.hostKey.split(' ')[1]);
        const no = await both(uri, { keys: [[good, 'id_ed25519']] }, { answers: { echo: ['n'] } });
        expectSame(no);
        expect(no.mine).to.include({ ok: false, code: scheme === 'qemu+libssh' ? VIR_ERR_LIBSSH : VIR_ERR_SSH });
      }
    });

    it('unknown host key accepted (+libssh2) but ~/.config/libvirt missing: libssh2 cannot write the file, refused', async () => {
      const r = await both(`qemu+libssh2://root@${host}/system`, { keys: [[good, 'id_ed25519']] }, { answers: { echo: ['y'] } });
      expectSame(r);
      expect(r.mine).to.include({ ok: false, code: VIR_ERR_SSH });
    });

    it('unknown host key (+libssh): no callback to ask, refused; known_hosts_verify=auto and =ignore accept', async () => {
      const mine = await ours(`qemu+libssh://root@${host}/system`, { home: home({ keys: [[good, 'id_ed25519']] }), noCallback: true });
      expect(mine.message).to.equal("libssh transport error: No user interaction callback provided: Can't verify the session host key");
      for (const q of ['known_hosts_verify=auto', 'known_hosts_verify=ignore']) {
        const r = await both(`qemu+libssh://root@${host}/system?${q}`, { keys: [[good, 'id_ed25519']] });
        expectSame(r);
        expect(r.mine.ok).to.equal(true);
      }
    });

    it('?known_hosts= names the file (+libssh2)', async () => {
      const h = home({ keys: [[good, 'id_ed25519']] });
      writeFileSync(join(h, 'hosts'), known + '\n');
      const uri = `qemu+libssh2://root@${host}/system?known_hosts=${h}/hosts&sshauth=privkey`;
      expect((await ours(uri, { home: h, noCallback: true })).ok).to.equal(true);
      expect(virsh(uri, { home: h }).ok).to.equal(true);
    });

    it('changed host key: refused with the warning (+ssh)', async () => {
      const changed = `[127.0.0.1]:${server.port} ${server.otherHostKey}`;
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[good, 'id_ed25519']], knownHosts: [changed] });
      expectSame(r);
      expect(r.mine.message).to.contain('WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!');
    });

    it('changed host key with no_verify=1: key authentication still goes on (+ssh)', async () => {
      const changed = `[127.0.0.1]:${server.port} ${server.otherHostKey}`;
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1&no_verify=1`, { keys: [[good, 'id_ed25519']], knownHosts: [changed] });
      expectSame(r);
      expect(r.mine.ok).to.equal(true);
    });

    it('changed host key: refused (+libssh, +libssh2), even with a callback', async () => {
      const changed = `[127.0.0.1]:${server.port} ${server.otherHostKey}`;
      for (const scheme of ['qemu+libssh', 'qemu+libssh2']) {
        const r = await both(`${scheme}://root@${host}/system`, { keys: [[good, 'id_ed25519']], libvirtKnownHosts: [changed] }, { answers: { echo: ['y'] } });
        expectSame(r);
        expect(r.mine).to.include({ ok: false, code: VIR_ERR_AUTH_FAILED });
        expect(r.mine.message).to.contain('!!! SSH HOST KEY VERIFICATION FAILED !!!');
      }
    });

    it('changed host key accepted when the caller says so (hostKeys: accept-any)', async () => {
      const changed = `[127.0.0.1]:${server.port} ${server.otherHostKey}`;
      const mine = await ours(`qemu+ssh://root@${host}/system?no_tty=1`, { home: home({ keys: [[good, 'id_ed25519']], knownHosts: [changed] }), hostKeys: 'accept-any' });
      expect(mine.ok, mine.message ?? '').to.equal(true);
    });

    it('hashed known_hosts entry and plain host pattern lists', async () => {
      const hashed = execFileSync('sh', ['-c', `f=$(mktemp); echo '${known}' > $f; ssh-keygen -q -H -f $f >/dev/null 2>&1; cat $f; rm -f $f $f.old`], { encoding: 'utf8' }).trim();
      expect(hashed.startsWith('|1|')).to.equal(true);
      for (const line of [hashed, `otherhost,[127.0.0.1]:${server.port} ${server.hostKey}`, `[127.0.0.*]:${server.port} ${server.hostKey}`]) {
        expectSame(await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[good, 'id_ed25519']], knownHosts: [line] }));
      }
    });
  });

  describe('~/.ssh/config', () => {
    it('an alias gives HostName, Port, User and IdentityFile', async () => {
      const config = `Host lvrpc-alias\n  HostName 127.0.0.1\n  Port ${server.port}\n  User root\n  IdentityFile ~/.ssh/alias_key\n`;
      const r = await both('qemu+ssh://lvrpc-alias/system?no_tty=1', { keys: [[wrong, 'id_ed25519'], [good, 'alias_key']], knownHosts: [known], sshConfig: config });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
    });

    it('the URI user and port win over the config', async () => {
      const config = `Host 127.0.0.1\n  Port 1\n  User nobody\n`;
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, { keys: [[good, 'id_ed25519']], knownHosts: [known], sshConfig: config });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
    });

    it('ProxyCommand carries the connection', async () => {
      const config = `Host lvrpc-proxied\n  HostName 127.0.0.1\n  Port ${server.port}\n  User root\n  ProxyCommand nc %h %p\n`;
      const r = await both('qemu+ssh://lvrpc-proxied/system?no_tty=1', { keys: [[good, 'id_ed25519']], knownHosts: [known], sshConfig: config });
      expectSame(r);
      expect(r.mine.ok, r.mine.message ?? '').to.equal(true);
    });

    it('without the alias: the host name does not resolve', async () => {
      expectSame(await both('qemu+ssh://lvrpc-alias/system?no_tty=1', keyHome()));
    });
  });

  describe('failures of the remote command and of the connection', () => {
    it('nc cannot reach ?socket=: its stderr is in the error (+ssh)', async () => {
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1&socket=/nonexistent/libvirt-sock`, keyHome());
      expectSame(r);
      expect(r.mine.message).to.contain('nc: /nonexistent/libvirt-sock: No such file or directory');
    });

    it('virt-ssh-helper cannot reach the daemon: its stderr is in the error (+ssh, read-only socket missing)', async function () {
      if (!server.defaultSocketWorks) this.skip();
      const r = await both(`qemu+ssh://root@${host}/system?no_tty=1`, keyHome(), { readOnly: true });
      expectSame(r);
      expect(r.mine.message).to.contain("virt-ssh-helper: cannot connect to '/var/run/libvirt/libvirt-sock-ro'");
    });

    it('remote command fails (+libssh, +libssh2): libvirt reports the exit code; the stderr is added', async () => {
      for (const [scheme, code, domain] of [['qemu+libssh', VIR_ERR_LIBSSH, VIR_FROM_LIBSSH], ['qemu+libssh2', VIR_ERR_SSH, VIR_FROM_SSH]] as const) {
        const stderr = ': nc: /nonexistent/libvirt-sock: No such file or directory';
        const r = await both(`${scheme}://root@${host}/system?socket=/nonexistent/libvirt-sock`, keyHome(), {}, (m, t) => m.message === `${t.message}${stderr}`);
        expect(r.theirs.ok).to.equal(false);
        expect(r.mine).to.include({ ok: false, code, domain });
        expect(r.mine.message).to.equal(`${r.theirs.message}${stderr}`);
      }
    });

    it('nothing listens on the port: both fail, and ours says the connection was refused', async () => {
      // virsh's wording here depends on the machine (which ssh client runs, how it reports the
      // refusal), so what is compared is what is stable: both fail, and ours names the cause.
      const closed = `127.0.0.1:1`;
      for (const scheme of ['qemu+ssh', 'qemu+libssh']) {
        const r = await both(`${scheme}://root@${closed}/system?no_tty=1`, keyHome());
        expect([r.mine.ok, r.theirs.ok], `${scheme}: ${r.mine.message} / ${r.theirs.message}`).to.deep.equal([false, false]);
        expect(r.mine.message, scheme).to.match(/Connection refused|ECONNREFUSED/);
      }
    });

    it('a server that never answers: the timeout option gives up (no virsh counterpart)', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      const port = (silent.address() as { port: number }).port;
      try {
        for (const scheme of ['qemu+ssh', 'qemu+libssh']) {
          const uri = `${scheme}://root@127.0.0.1:${port}/system?no_tty=1`;
          const env = { PATH: process.env.PATH, HOME: home(keyHome()) };
          const t0 = performance.now();
          const err = await openSsh(resolveTarget(uri, { env }), { env, timeout: 300 }).then(
            () => expect.fail('connected'),
            (e: unknown) => e as LibvirtError,
          );
          expect(err).to.be.instanceOf(LibvirtError).and.include({ code: VIR_ERR_OPERATION_TIMEOUT, domain: VIR_FROM_RPC });
          expect(performance.now() - t0).to.be.below(3000);
        }
      } finally {
        silent.close();
      }
    });

    it('?command= runs that ssh binary as libvirt does', async () => {
      const spec = keyHome();
      const h = home(spec);
      const wrapper = join(h, 'my-ssh');
      // The real ssh, told where this home's files are (it reads the passwd home, not $HOME).
      writeFileSync(wrapper, `#!/bin/sh\nexec ssh -o UserKnownHostsFile="$HOME/.ssh/known_hosts" -o IdentityFile="$HOME/.ssh/id_ed25519" "$@"\n`, { mode: 0o755 });
      const uri = `qemu+ssh://root@${host}/system?no_tty=1&command=${wrapper}`;
      const mine = await ours(uri, { home: h });
      const theirs = virsh(uri, { home: h });
      expect([mine.ok, theirs.ok], `${mine.message} / ${theirs.message}`).to.deep.equal([true, true]);
      expect([mine.secure, mine.encrypted]).to.deep.equal([true, false]);
    });
  });
});
