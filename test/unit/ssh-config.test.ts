// OpenSSH client config parsing and resolution; `ssh -G` (OpenSSH's own resolver, no connection)
// is the oracle where it is installed.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { expandTokens, matchPattern, matchPatternList, parseSshConfig, resolveSshConfig, type SshCommandLine, splitConfigLine } from '../../src/transport/ssh-config.js';

const HAVE_SSH = existsSync('/usr/bin/ssh');

/** `ssh -G` for a host with a config file: keyword -> values (one line each, as printed). */
function sshG(config: string, cmd: SshCommandLine): Map<string, string[]> {
  const args = ['-G', '-F', config];
  if (cmd.port) args.push('-p', String(cmd.port));
  if (cmd.user) args.push('-l', cmd.user);
  if (cmd.identityFile) args.push('-i', cmd.identityFile);
  for (const [k, v] of Object.entries(cmd.options ?? {})) args.push('-o', `${k}=${v}`);
  args.push(cmd.host);
  const out = execFileSync('ssh', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const k = line.slice(0, sp);
    m.set(k, [...(m.get(k) ?? []), line.slice(sp + 1)]);
  }
  return m;
}

describe('ssh config', () => {
  describe('lexing', () => {
    it('splits keyword and arguments like readconf.c: whitespace, =, quotes, comments', () => {
      expect(splitConfigLine('  HostName   example.com  ')).to.deep.equal(['HostName', 'example.com']);
      expect(splitConfigLine('Port=2222')).to.deep.equal(['Port', '2222']);
      expect(splitConfigLine('Port = 2222')).to.deep.equal(['Port', '2222']);
      expect(splitConfigLine('IdentityFile "/path with space/key"')).to.deep.equal(['IdentityFile', '/path with space/key']);
      expect(splitConfigLine('# a comment')).to.deep.equal([]);
      expect(splitConfigLine('User bob # trailing')).to.deep.equal(['User', 'bob']);
      expect(splitConfigLine('IdentityFile "unterminated')).to.equal(null);
    });

    it('parses lines with keywords lower-cased and line numbers', () => {
      const lines = parseSshConfig('Host a\n\n  HOSTNAME b\n# x\nport 1\n', 'f');
      expect(lines.map((l) => [l.keyword, l.args, l.line])).to.deep.equal([
        ['host', ['a'], 1],
        ['hostname', ['b'], 3],
        ['port', ['1'], 5],
      ]);
    });
  });

  describe('patterns', () => {
    it('matches * and ? (match_pattern)', () => {
      expect(matchPattern('web1.example.com', '*.example.com')).to.equal(true);
      expect(matchPattern('example.com', '*.example.com')).to.equal(false);
      expect(matchPattern('web1', 'web?')).to.equal(true);
      expect(matchPattern('web12', 'web?')).to.equal(false);
      expect(matchPattern('[127.0.0.1]:2222', '[127.0.0.*]:2222')).to.equal(true);
      expect(matchPattern('abc', '*')).to.equal(true);
      expect(matchPattern('', '*')).to.equal(true);
    });

    it('pattern lists: any positive match, a negated match wins (match_pattern_list)', () => {
      expect(matchPatternList('host1', 'host*,!host2')).to.equal(1);
      expect(matchPatternList('host2', 'host*,!host2')).to.equal(-1);
      expect(matchPatternList('other', 'host*,!host2')).to.equal(0);
      expect(matchPatternList('HOST1', 'host1')).to.equal(1);
    });

    it('expands %-tokens and ${ENV}, and refuses unknown tokens', () => {
      expect(expandTokens('%h:%p %%', { h: 'x', p: '22' })).to.equal('x:22 %');
      expect(expandTokens('${HOME}/k', {}, { HOME: '/home/u' })).to.equal('/home/u/k');
      expect(() => expandTokens('%q', {})).to.throw(/unknown key %q/);
    });
  });

  describe('resolution', () => {
    let dir: string;
    const home = userInfo().homedir;
    before(() => {
      dir = mkdtempSync('/tmp/libvirt-rpc-sshcfg-');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const cfg = (name: string, text: string): string => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const resolve = (file: string, cmd: SshCommandLine) => resolveSshConfig(cmd, { home, userConfig: file, systemConfig: null, env: { HOME: home } });

    /** Our resolution against ssh -G on the fields the transport uses. */
    function agreesWithSsh(file: string, cmd: SshCommandLine): void {
      const ours = resolve(file, cmd);
      if (!HAVE_SSH) return;
      const g = sshG(file, cmd);
      const tilde = (s: string): string => (s.startsWith('~/') ? join(home, s.slice(2)) : s);
      const one = (k: string): string => g.get(k)![0]!;
      expect(ours.hostname, 'hostname').to.equal(one('hostname'));
      expect(ours.port, 'port').to.equal(Number(one('port')));
      expect(ours.user, 'user').to.equal(one('user'));
      expect(ours.identityFiles, 'identityfile').to.deep.equal((g.get('identityfile') ?? []).map(tilde));
      const files = (k: string): string[] => (one(k) === 'none' ? [] : one(k).split(' ').map(tilde));
      expect(ours.userKnownHostsFiles, 'userknownhostsfile').to.deep.equal(files('userknownhostsfile'));
      expect(ours.globalKnownHostsFiles, 'globalknownhostsfile').to.deep.equal(files('globalknownhostsfile'));
      const strict = { true: 'yes', false: 'no', ask: 'ask', 'accept-new': 'accept-new' }[one('stricthostkeychecking')];
      expect(ours.strictHostKeyChecking, 'stricthostkeychecking').to.equal(strict);
      expect(ours.batchMode ? 'yes' : 'no', 'batchmode').to.equal(one('batchmode'));
      expect(ours.hashKnownHosts ? 'yes' : 'no', 'hashknownhosts').to.equal(one('hashknownhosts'));
      expect(ours.identitiesOnly ? 'yes' : 'no', 'identitiesonly').to.equal(one('identitiesonly'));
      expect(ours.numberOfPasswordPrompts, 'numberofpasswordprompts').to.equal(Number(one('numberofpasswordprompts')));
      expect(ours.hostKeyAlias, 'hostkeyalias').to.equal(g.get('hostkeyalias')?.[0] ?? null);
      expect(ours.proxyJump, 'proxyjump').to.equal(g.get('proxyjump')?.[0] ?? null);
      if (g.has('preferredauthentications')) expect(ours.preferredAuthentications.join(','), 'preferredauthentications').to.equal(one('preferredauthentications'));
    }

    it('Host blocks: first value wins, IdentityFile accumulates, negated patterns', () => {
      const f = cfg(
        'a',
        'Host alias1 !bad*\n  HostName 10.1.2.3\n  Port 2200\n  IdentityFile ~/.ssh/k1\nHost *\n  User bob\n  Port 9\n  IdentityFile ~/.ssh/k2\n  StrictHostKeyChecking accept-new\n',
      );
      const r = resolve(f, { host: 'alias1' });
      expect([r.hostname, r.port, r.user, r.strictHostKeyChecking]).to.deep.equal(['10.1.2.3', 2200, 'bob', 'accept-new']);
      expect(r.identityFiles).to.deep.equal([join(home, '.ssh/k1'), join(home, '.ssh/k2')]);
      agreesWithSsh(f, { host: 'alias1' });
      agreesWithSsh(f, { host: 'badalias' });
      agreesWithSsh(f, { host: 'other.example' });
    });

    it('the command line (libvirt: -p, -l, -i, -o) wins over the file', () => {
      const f = cfg('b', 'Host *\n  Port 1\n  User nobody\n  BatchMode no\n  StrictHostKeyChecking yes\n');
      const key = cfg('key', 'not really a key');
      const cmd: SshCommandLine = { host: 'h', port: 2222, user: 'root', identityFile: key, options: { BatchMode: 'yes', StrictHostKeyChecking: 'no' } };
      const r = resolve(f, cmd);
      expect([r.port, r.user, r.batchMode, r.strictHostKeyChecking, r.identityFiles]).to.deep.equal([2222, 'root', true, 'no', [key]]);
      agreesWithSsh(f, cmd);
    });

    it('a missing -i file is dropped with a warning and the default identities apply, as ssh does', () => {
      const f = cfg('c', '');
      const r = resolve(f, { host: 'h', identityFile: '/nonexistent/key' });
      expect(r.warnings).to.deep.equal(['Warning: Identity file /nonexistent/key not accessible: No such file or directory.']);
      expect(r.defaultIdentityFiles).to.equal(true);
      agreesWithSsh(f, { host: 'h', identityFile: '/nonexistent/key' });
    });

    it('defaults: port 22, the local user, ssh 9.2 default identities and known_hosts files', () => {
      const f = cfg('d', '# empty\n');
      const r = resolve(f, { host: 'h' });
      expect([r.port, r.user, r.strictHostKeyChecking, r.batchMode]).to.deep.equal([22, userInfo().username, 'ask', false]);
      expect(r.identityFiles.map((p) => p.slice(home.length))).to.deep.equal(['/.ssh/id_rsa', '/.ssh/id_ecdsa', '/.ssh/id_ecdsa_sk', '/.ssh/id_ed25519', '/.ssh/id_ed25519_sk', '/.ssh/id_xmss', '/.ssh/id_dsa']);
      agreesWithSsh(f, { host: 'h' });
    });

    it('HostName %h, known_hosts options, HostKeyAlias, PreferredAuthentications', () => {
      const f = cfg(
        'e',
        'Host *.lan\n  HostName %h.example.com\n  UserKnownHostsFile ~/kh1 /etc/kh2\n  GlobalKnownHostsFile none\n  HashKnownHosts yes\n  HostKeyAlias myalias\n  PreferredAuthentications password,publickey\n  NumberOfPasswordPrompts 1\n',
      );
      const r = resolve(f, { host: 'box.lan' });
      expect(r.hostname).to.equal('box.lan.example.com');
      expect(r.userKnownHostsFiles).to.deep.equal([join(home, 'kh1'), '/etc/kh2']);
      expect(r.globalKnownHostsFiles).to.deep.equal([]);
      expect([r.hashKnownHosts, r.hostKeyAlias, r.numberOfPasswordPrompts]).to.deep.equal([true, 'myalias', 1]);
      expect(r.preferredAuthentications).to.deep.equal(['password', 'publickey']);
      agreesWithSsh(f, { host: 'box.lan' });
    });

    it('Match host/originalhost/user/all', () => {
      const f = cfg(
        'g',
        'Host short\n  HostName long.example.com\nMatch host long.example.com\n  Port 2022\nMatch originalhost short user root\n  IdentitiesOnly yes\nMatch all\n  User root\n',
      );
      const r = resolve(f, { host: 'short' });
      expect([r.hostname, r.port, r.user]).to.deep.equal(['long.example.com', 2022, 'root']);
      agreesWithSsh(f, { host: 'short' });
      agreesWithSsh(f, { host: 'short', user: 'root' });
    });

    it('Include: relative to ~/.ssh for the user config, globbed, only inside matching blocks', () => {
      const ssh = join(dir, 'home/.ssh');
      mkdirSync(join(ssh, 'conf.d'), { recursive: true });
      writeFileSync(join(ssh, 'conf.d/10-a.conf'), 'Host inc\n  HostName included.example\n');
      writeFileSync(join(ssh, 'conf.d/20-b.conf'), 'Host inc\n  Port 2345\n');
      writeFileSync(join(ssh, 'config'), 'Host nomatch\n  Include conf.d/never\nHost *\n  Include conf.d/*.conf\n');
      const r = resolveSshConfig({ host: 'inc' }, { home: join(dir, 'home'), systemConfig: null, env: {} });
      expect([r.hostname, r.port]).to.deep.equal(['included.example', 2345]);
    });

    it('ProxyCommand tokens and ProxyJump', () => {
      const f = cfg('p', 'Host pc\n  ProxyCommand nc %h %p\nHost pj\n  ProxyJump bastion\n');
      expect(resolve(f, { host: 'pc', port: 2200 }).proxyCommand).to.equal('nc pc 2200');
      expect(resolve(f, { host: 'pj' }).proxyJump).to.equal('bastion');
      agreesWithSsh(f, { host: 'pj' });
    });

    it('errors on what ssh refuses', () => {
      expect(() => resolve(cfg('x1', 'Port notaport\n'), { host: 'h' })).to.throw(/Bad port/);
      expect(() => resolve(cfg('x2', 'StrictHostKeyChecking maybe\n'), { host: 'h' })).to.throw(/unsupported option/);
      expect(() => resolve(cfg('x3', 'Match\n'), { host: 'h' })).to.throw(/missing criteria/);
    });
  });
});
