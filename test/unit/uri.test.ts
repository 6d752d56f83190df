import { expect } from 'chai';

import { LibvirtError } from '../../src/errors/errors.js';
import { type ConnectTarget, defaultURI, parseURI, type ResolveOptions, resolveName, resolveTarget, userRuntimeDirectory } from '../../src/uri/uri.js';
import {
  VIR_ERR_CONFIG_UNSUPPORTED,
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_CONNECT,
  VIR_ERR_OPERATION_UNSUPPORTED,
  VIR_FROM_NONE,
  VIR_FROM_REMOTE,
  VIR_FROM_RPC,
  VIR_FROM_URI,
} from '../../src/apixml/generated/constants.js';

const ROOT = 0;
const USER = 1000;
const USER_ENV = { XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/u' };
const nothingExists = (): boolean => false;
const existing =
  (...paths: string[]) =>
  (p: string): boolean =>
    paths.includes(p);

/** resolveTarget with a fixed, daemon-less world unless told otherwise. */
function resolve(uri: string, opts: ResolveOptions = {}): ConnectTarget {
  return resolveTarget(uri, { uid: ROOT, env: {}, exists: nothingExists, ...opts });
}

function expectError(fn: () => unknown, code: number, domain: number, message?: string): LibvirtError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'an error is thrown').to.be.instanceOf(LibvirtError);
  const err = caught as LibvirtError;
  expect({ code: err.code, domain: err.domain }, err.message).to.deep.equal({ code, domain });
  if (message !== undefined) expect(err.message).to.equal(message);
  return err;
}

const SSH_HELPER_AUTO = (uri: string, sock: string): string =>
  `sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     virt-ssh-helper '${uri}'; else    ` +
  `if 'nc' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'nc' $ARG -U ${sock}; fi'`;

describe('api/uri', () => {
  describe('parseURI (virURIParse)', () => {
    it('splits every component', () => {
      const u = parseURI('qemu+ssh://root@host.example.com:2222/system?keyfile=/k&foo=bar#frag');
      expect(u.raw).to.equal('qemu+ssh://root@host.example.com:2222/system?keyfile=/k&foo=bar#frag');
      expect(u.scheme).to.equal('qemu+ssh');
      expect(u.driver).to.equal('qemu');
      expect(u.transport).to.equal('ssh');
      expect(u.user).to.equal('root');
      expect(u.host).to.equal('host.example.com');
      expect(u.port).to.equal(2222);
      expect(u.path).to.equal('/system');
      expect(u.query).to.equal('keyfile=/k&foo=bar');
      expect(u.fragment).to.equal('frag');
      expect(u.params).to.deep.equal([
        ['keyfile', '/k'],
        ['foo', 'bar'],
      ]);
    });

    it('gives null/empty for absent parts', () => {
      const u = parseURI('qemu:///system');
      expect([u.transport, u.user, u.host, u.port, u.query, u.fragment]).to.deep.equal([null, null, null, null, null, null]);
      expect(u.params).to.deep.equal([]);
      const bare = parseURI('qemu+ssh://host');
      expect(bare.path).to.equal('');
      expect(bare.host).to.equal('host');
    });

    it('lower-cases the transport as remoteSplitURIScheme does', () => {
      expect(parseURI('qemu+SSH://h/system').transport).to.equal('ssh');
      expect(parseURI('qemu+LibSSH2://h/system').transport).to.equal('libssh2');
    });

    it('splits the driver at the first +', () => {
      expect(parseURI('remote+tcp://h/').driver).to.equal('remote');
      expect(parseURI('vbox:///session').driver).to.equal('vbox');
    });

    it('strips the brackets of an IPv6 host', () => {
      const a = parseURI('qemu+tcp://[::1]:16509/system');
      expect([a.host, a.port, a.path]).to.deep.equal(['::1', 16509, '/system']);
      const b = parseURI('qemu+tcp://[::1]/system');
      expect([b.host, b.port]).to.deep.equal(['::1', null]);
      const c = parseURI('qemu+ssh://admin@[2001:db8::5]:2222/system');
      expect([c.user, c.host, c.port]).to.deep.equal(['admin', '2001:db8::5', 2222]);
      // a zone id is %-encoded in the URI and decoded in the host
      expect(parseURI('qemu+tcp://[fe80::1%25eth0]/system').host).to.equal('fe80::1%eth0');
      // brackets without a colon are not an IPv6 literal and stay
      expect(parseURI('qemu+tcp://[foo]/system').host).to.equal('[foo]');
    });

    it('%-decodes user, host, path and params', () => {
      const u = parseURI('test+ssh://us%65r@h%6Fst/tmp/a%20b.xml?socket=/tmp/a%20b&x%3Dy=%26');
      expect(u.user).to.equal('user');
      expect(u.host).to.equal('host');
      expect(u.path).to.equal('/tmp/a b.xml');
      expect(u.params).to.deep.equal([
        ['socket', '/tmp/a b'],
        ['x=y', '&'],
      ]);
      expect(parseURI('qemu:///system?k=%C3%A9t%C3%A9').param('k')).to.equal('été');
    });

    it("keeps '+' in params (libxml2 only decodes %XX)", () => {
      expect(parseURI('qemu:///system?a=b+c').param('a')).to.equal('b+c');
    });

    it('splits params on & and, when no & follows, on ; (virURIParseParams)', () => {
      expect(parseURI('qemu:///system?a=1;b=2').params).to.deep.equal([
        ['a', '1'],
        ['b', '2'],
      ]);
      // a later '&' wins over an earlier ';'
      expect(parseURI('qemu:///system?a=1;b=2&c=3').params).to.deep.equal([
        ['a', '1;b=2'],
        ['c', '3'],
      ]);
    });

    it('handles empty sections, bare names, "name=" and "=value" like CGI.pm', () => {
      expect(parseURI('qemu:///system?&&flag&empty=&=ignored&k=v&').params).to.deep.equal([
        ['flag', ''],
        ['empty', ''],
        ['k', 'v'],
      ]);
      expect(parseURI('qemu:///system?').params).to.deep.equal([]);
      expect(parseURI('qemu:///system?').query).to.equal('');
    });

    it('param() is virURIGetParam: first match, exact name', () => {
      const u = parseURI('qemu:///system?a=1&a=2&A=3');
      expect(u.param('a')).to.equal('1');
      expect(u.param('A')).to.equal('3');
      expect(u.param('b')).to.equal(undefined);
    });

    it('ignores the port when there is no host, and treats port 0 as none', () => {
      expect(parseURI('qemu://:1234/system').port).to.equal(null);
      expect(parseURI('qemu+tcp://h:0/system').port).to.equal(null);
      expect(parseURI('qemu+tcp://h:2147483647/system').port).to.equal(2147483647);
    });

    it('keeps the user:password userinfo as the user', () => {
      expect(parseURI('qemu+ssh://u:pw@h/system').user).to.equal('u:pw');
    });

    it('reproduces libxml2 decoding an empty userinfo to the end of the string', () => {
      // xmlURIUnescapeString(str, 0) means "up to the NUL": libvirt gets this user too.
      expect(parseURI('qemu+ssh://@host/system').user).to.equal('@host/system');
    });

    it('parses opaque-looking and odd URIs as libxml2 does', () => {
      expect(parseURI('qemu:///...').path).to.equal('/...');
      const rootless = parseURI('qemu:system');
      expect([rootless.host, rootless.path]).to.deep.equal([null, 'system']);
      const empty = parseURI('qemu://');
      expect([empty.host, empty.path]).to.deep.equal([null, '']);
    });

    it('reports what libxml2 cannot parse as VIR_ERR_INTERNAL_ERROR from VIR_FROM_URI', () => {
      for (const bad of [
        'qemu+tcp://host:/system', // ':' with no port
        'qemu+tcp://host:2147483648/system', // port over INT_MAX
        'qemu+tcp://[::1/system', // unclosed bracket
        'qemu:///system?a=%zz', // '%' not followed by two hex digits
        'qemu:///sys tem', // space
        'qemu:///system?a=[1]', // '[' in the query
        'qemu:///système', // non-ASCII
        'qemu+tcp://h/x#a#b',
      ]) {
        expectError(() => parseURI(bad), VIR_ERR_INTERNAL_ERROR, VIR_FROM_URI, `internal error: Unable to parse URI ${bad}`);
      }
    });

    it('reports a URI without a scheme as VIR_ERR_NO_CONNECT', () => {
      for (const rel of ['/var/run/libvirt/libvirt-sock', 'xen', '//host/system', '']) {
        expectError(() => parseURI(rel), VIR_ERR_NO_CONNECT, VIR_FROM_NONE, `no connection driver available for URI '${rel}' does not include a driver name`);
      }
    });

    it('reports an unknown transport as libvirt does', () => {
      for (const bad of ['qemu+foo://h/system', 'qemu+:///system', 'qemu+ssh+tcp://h/system']) {
        expectError(
          () => parseURI(bad),
          VIR_ERR_INVALID_ARG,
          VIR_FROM_REMOTE,
          'invalid argument: remote_open: transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)',
        );
      }
    });

    it('returns a frozen object', () => {
      const u = parseURI('qemu:///system?a=1');
      expect(Object.isFrozen(u)).to.equal(true);
      expect(Object.isFrozen(u.params)).to.equal(true);
    });
  });

  describe('defaultURI / resolveName', () => {
    it('uses LIBVIRT_DEFAULT_URI when set and non-empty', () => {
      expect(defaultURI({ LIBVIRT_DEFAULT_URI: 'test:///default' }, USER)).to.equal('test:///default');
      expect(defaultURI({ LIBVIRT_DEFAULT_URI: '' }, USER)).to.equal('qemu:///session');
    });

    it('falls back to qemu:///system for root and qemu:///session otherwise', () => {
      expect(defaultURI({}, ROOT)).to.equal('qemu:///system');
      expect(defaultURI({}, USER)).to.equal('qemu:///session');
    });

    it('treats a missing or empty name as the default, and rewrites the old xen names', () => {
      const env = { LIBVIRT_DEFAULT_URI: 'test+tcp://127.0.0.1:16559/default' };
      expect(resolveName(undefined, env)).to.equal('test+tcp://127.0.0.1:16559/default');
      expect(resolveName(null, env)).to.equal('test+tcp://127.0.0.1:16559/default');
      expect(resolveName('', env)).to.equal('test+tcp://127.0.0.1:16559/default');
      expect(resolveName('xen', env)).to.equal('xen:///system');
      expect(resolveName('XEN', env)).to.equal('xen:///system');
      expect(resolveName('xen://', env)).to.equal('xen:///system');
      expect(resolveName('qemu:///system', env)).to.equal('qemu:///system');
    });

    it('resolveTarget("") uses LIBVIRT_DEFAULT_URI', () => {
      const t = resolve('', { env: { LIBVIRT_DEFAULT_URI: 'test+tcp://127.0.0.1:16559/default' } });
      expect(t.uri.raw).to.equal('test+tcp://127.0.0.1:16559/default');
      expect([t.transport, t.host, t.port, t.serverURI]).to.deep.equal(['tcp', '127.0.0.1', 16559, 'test:///default']);
    });
  });

  describe('resolveTarget: the examples of docs/uri.rst and docs/remote.rst', () => {
    it('test:///default (local, unix)', () => {
      const t = resolve('test:///default');
      expect([t.transport, t.serverURI, t.host, t.port, t.session]).to.deep.equal(['unix', 'test:///default', null, null, false]);
      // no per-driver test daemon exists; auto falls back to the build default (direct)
      expect(t.socketPath).to.equal('/var/run/libvirt/virttestd-sock');
      const legacy = resolve('test:///default', { exists: existing('/var/run/libvirt/libvirt-sock') });
      expect([legacy.mode, legacy.socketPath, legacy.daemon]).to.deep.equal(['legacy', '/var/run/libvirt/libvirt-sock', 'libvirtd']);
    });

    it('test:///path/to/host/definitions', () => {
      expect(resolve('test:///path/to/host/definitions').serverURI).to.equal('test:///path/to/host/definitions');
    });

    it('the URI aliases: qemu+ssh://root@hail.cloud.example.com/system and sleet', () => {
      for (const h of ['hail', 'sleet']) {
        const t = resolve(`qemu+ssh://root@${h}.cloud.example.com/system`);
        expect([t.transport, t.user, t.host, t.port]).to.deep.equal(['ssh', 'root', `${h}.cloud.example.com`, null]);
        expect([t.serverURI, t.mode, t.proxy, t.socketPath]).to.deep.equal(['qemu:///system', 'legacy', 'auto', '/var/run/libvirt/libvirt-sock']);
        expect(t.argv).to.deep.equal([
          'ssh',
          '-l',
          'root',
          '-T',
          '-e',
          'none',
          '--',
          `${h}.cloud.example.com`,
          SSH_HELPER_AUTO('qemu:///system', '/var/run/libvirt/libvirt-sock'),
        ]);
      }
    });

    it('xen:///system and the historical name "xen"', () => {
      for (const name of ['xen:///system', 'xen', 'xen://']) {
        const t = resolve(name, { exists: existing('/var/run/libvirt/virtxend-sock') });
        expect([t.transport, t.serverURI, t.mode, t.socketPath, t.daemon]).to.deep.equal([
          'unix',
          'xen:///system',
          'direct',
          '/var/run/libvirt/virtxend-sock',
          'virtxend',
        ]);
      }
    });

    it('qemu:///... parses', () => {
      expect(resolve('qemu:///...').serverURI).to.equal('qemu:///...');
    });

    it('qemu:///system', () => {
      const t = resolve('qemu:///system', { exists: existing('/var/run/libvirt/virtqemud-sock') });
      expect([t.transport, t.serverURI, t.mode, t.socketPath, t.daemon, t.session, t.autostart]).to.deep.equal([
        'unix',
        'qemu:///system',
        'direct',
        '/var/run/libvirt/virtqemud-sock',
        'virtqemud',
        false,
        false,
      ]);
    });

    it('qemu:///session', () => {
      const t = resolve('qemu:///session', { uid: USER, env: USER_ENV, exists: existing('/run/user/1000/libvirt/virtqemud-sock') });
      expect([t.serverURI, t.session, t.autostart, t.socketPath, t.mode]).to.deep.equal([
        'qemu:///session',
        true,
        true,
        '/run/user/1000/libvirt/virtqemud-sock',
        'direct',
      ]);
    });

    it('xen+ssh://rjones@towada/system', () => {
      const t = resolve('xen+ssh://rjones@towada/system');
      expect([t.transport, t.user, t.host, t.port, t.serverURI]).to.deep.equal(['ssh', 'rjones', 'towada', null, 'xen:///system']);
    });

    it('xen://towada/system (TLS by default when a host is given)', () => {
      const t = resolve('xen://towada/system');
      expect([t.transport, t.host, t.port, t.serverURI, t.socketPath, t.noVerify]).to.deep.equal(['tls', 'towada', 16514, 'xen:///system', null, false]);
    });

    it('xen://towada/system?no_verify=1', () => {
      const t = resolve('xen://towada/system?no_verify=1');
      expect([t.transport, t.serverURI, t.noVerify, t.options.no_verify]).to.deep.equal(['tls', 'xen:///system', true, '1']);
    });

    it('qemu+unix:///system?socket=/opt/libvirt/run/libvirt/libvirt-sock', () => {
      const t = resolve('qemu+unix:///system?socket=/opt/libvirt/run/libvirt/libvirt-sock');
      expect([t.transport, t.socketPath, t.serverURI, t.daemon, t.mode]).to.deep.equal([
        'unix',
        '/opt/libvirt/run/libvirt/libvirt-sock',
        'qemu:///system',
        null,
        'auto',
      ]);
    });

    it('test+tcp://localhost:5000/default', () => {
      const t = resolve('test+tcp://localhost:5000/default');
      expect([t.transport, t.host, t.port, t.serverURI, t.socketPath]).to.deep.equal(['tcp', 'localhost', 5000, 'test:///default', null]);
    });

    it('qemu+libssh2://user@host/system?known_hosts=/home/user/.ssh/known_hosts', () => {
      const t = resolve('qemu+libssh2://user@host/system?known_hosts=/home/user/.ssh/known_hosts');
      expect([t.transport, t.user, t.host, t.port, t.serverURI]).to.deep.equal(['libssh2', 'user', 'host', 22, 'qemu:///system']);
      expect(t.options.known_hosts).to.equal('/home/user/.ssh/known_hosts');
      expect(t.remoteCommand).to.equal(SSH_HELPER_AUTO('qemu:///system', '/var/run/libvirt/libvirt-sock'));
      expect(t.argv).to.equal(null);
    });

    it('qemu+libssh://user@host/system?known_hosts=/home/user/.ssh/known_hosts', () => {
      const t = resolve('qemu+libssh://user@host/system?known_hosts=/home/user/.ssh/known_hosts');
      expect([t.transport, t.user, t.host, t.port, t.serverURI]).to.deep.equal(['libssh', 'user', 'host', 22, 'qemu:///system']);
      expect(t.options.known_hosts).to.equal('/home/user/.ssh/known_hosts');
    });

    it('qemu://compute1.libvirt.org/system (remote.rst)', () => {
      const t = resolve('qemu://compute1.libvirt.org/system');
      expect([t.transport, t.host, t.port, t.serverURI]).to.deep.equal(['tls', 'compute1.libvirt.org', 16514, 'qemu:///system']);
    });

    it('the standard unix sockets of remote.rst: libvirt-sock and libvirt-sock-ro', () => {
      const rw = resolve('qemu:///system', { exists: existing('/var/run/libvirt/libvirt-sock', '/var/run/libvirt/libvirt-sock-ro') });
      const ro = resolve('qemu:///system', { readOnly: true, exists: existing('/var/run/libvirt/libvirt-sock', '/var/run/libvirt/libvirt-sock-ro') });
      expect(rw.socketPath).to.equal('/var/run/libvirt/libvirt-sock');
      expect([ro.socketPath, ro.readOnly]).to.deep.equal(['/var/run/libvirt/libvirt-sock-ro', true]);
    });

    it('the parameter examples', () => {
      const cases: Array<[string, string, string]> = [
        ['qemu+ssh://h/system?name=qemu:///system', 'name', 'qemu:///system'],
        ['qemu+ssh://h/system?command=/opt/openssh/bin/ssh', 'command', '/opt/openssh/bin/ssh'],
        ['qemu+ssh://h/system?no_verify=1', 'no_verify', '1'],
        ['qemu+ssh://h/system?no_tty=1', 'no_tty', '1'],
        ['qemu+libssh://h/system?known_hosts=/root/.ssh/known_hosts', 'known_hosts', '/root/.ssh/known_hosts'],
        ['qemu+libssh://h/system?known_hosts_verify=ignore', 'known_hosts_verify', 'ignore'],
        ['qemu+libssh2://h/system?sshauth=privkey,agent', 'sshauth', 'privkey,agent'],
        ['qemu+tls://h/system?tls_priority=NORMAL:-VERS-SSL3.0', 'tls_priority', 'NORMAL:-VERS-SSL3.0'],
        ['qemu+tls://h/system?pkipath=/tmp/pki/client', 'pkipath', '/tmp/pki/client'],
        ['qemu:///system?mode=direct', 'mode', 'direct'],
        ['qemu+ssh://h/system?proxy=native', 'proxy', 'native'],
        ['qemu+ssh://h/system?socket=/opt/libvirt/run/libvirt/libvirt-sock', 'socket', '/opt/libvirt/run/libvirt/libvirt-sock'],
        ['qemu+ssh://h/system?netcat=/opt/netcat/bin/nc', 'netcat', '/opt/netcat/bin/nc'],
        ['qemu+ssh://h/system?keyfile=/root/.ssh/example_key', 'keyfile', '/root/.ssh/example_key'],
      ];
      for (const [uri, key, value] of cases) {
        const t = resolve(uri);
        expect(t.options[key], uri).to.equal(value);
        // every one of them is the client's, never forwarded
        expect(t.serverURI, uri).to.equal('qemu:///system');
      }
    });

    it('applies the parameter examples as libvirt does', () => {
      const cmd = resolve('qemu+ssh://h/system?command=/opt/openssh/bin/ssh&no_tty=1&no_verify=1&keyfile=/root/.ssh/example_key');
      expect(cmd.command).to.equal('/opt/openssh/bin/ssh');
      expect(cmd.argv!.slice(0, -1)).to.deep.equal([
        '/opt/openssh/bin/ssh',
        '-i',
        '/root/.ssh/example_key',
        '-T',
        '-e',
        'none',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=no',
        '--',
        'h',
      ]);
      const native = resolve('qemu+ssh://h/system?proxy=native', { readOnly: true });
      expect([native.proxy, native.socketPath, native.remoteCommand]).to.deep.equal(['native', null, "sh -c 'virt-ssh-helper -r 'qemu:///system''"]);
      const nc = resolve('qemu+ssh://h/system?netcat=/opt/netcat/bin/nc');
      expect(nc.proxy).to.equal('netcat');
      expect(nc.remoteCommand).to.equal(
        `sh -c 'if '/opt/netcat/bin/nc' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;'/opt/netcat/bin/nc' $ARG -U /var/run/libvirt/libvirt-sock'`,
      );
      const sock = resolve('qemu+ssh://h/system?socket=/opt/libvirt/run/libvirt/libvirt-sock');
      expect([sock.proxy, sock.socketPath]).to.deep.equal(['netcat', '/opt/libvirt/run/libvirt/libvirt-sock']);
      const direct = resolve('qemu:///system?mode=direct', { exists: existing('/var/run/libvirt/libvirt-sock') });
      expect([direct.mode, direct.socketPath]).to.deep.equal(['direct', '/var/run/libvirt/virtqemud-sock']);
      expect(resolve('qemu+ssh://h/system?name=qemu:///system').serverURI).to.equal('qemu:///system');
    });
  });

  describe('resolveTarget: transport, host and port', () => {
    it('uses unix without a host and tls with one', () => {
      expect(resolve('qemu:///system').transport).to.equal('unix');
      expect(resolve('qemu://h/system').transport).to.equal('tls');
    });

    it('defaults the host to localhost for network transports', () => {
      const tcp = resolve('qemu+tcp:///system');
      expect([tcp.host, tcp.port]).to.deep.equal(['localhost', 16509]);
      const tls = resolve('qemu+tls:///system');
      expect([tls.host, tls.port]).to.deep.equal(['localhost', 16514]);
      expect(resolve('qemu+ssh:///system').argv!.at(-2)).to.equal('localhost');
    });

    it('connects to IPv6 literals', () => {
      const a = resolve('qemu+tcp://[::1]:16509/system');
      expect([a.transport, a.host, a.port, a.serverURI]).to.deep.equal(['tcp', '::1', 16509, 'qemu:///system']);
      const b = resolve('qemu+tls://[::1]/system');
      expect([b.host, b.port]).to.deep.equal(['::1', 16514]);
      const c = resolve('qemu+ssh://[::1]:2222/system');
      expect(c.argv!.slice(0, 3)).to.deep.equal(['ssh', '-p', '2222']);
      expect(c.argv!.at(-2)).to.equal('::1');
    });

    it('gives libssh/libssh2 their defaults of port 22 and user root', () => {
      const t = resolve('qemu+libssh://h/system');
      expect([t.user, t.port]).to.deep.equal(['root', 22]);
      expect(resolve('qemu+libssh2://h:2200/system').port).to.equal(2200);
    });

    it('treats port 0 as no port', () => {
      expect(resolve('qemu+tcp://h:0/system').port).to.equal(16509);
    });

    it('runs the ext command', () => {
      const t = resolve('qemu+ext:///system?command=/usr/bin/tunnel');
      expect([t.transport, t.command, t.argv, t.socketPath, t.host, t.port, t.serverURI]).to.deep.equal([
        'ext',
        '/usr/bin/tunnel',
        ['/usr/bin/tunnel'],
        null,
        null,
        null,
        'qemu:///system',
      ]);
    });
  });

  describe('resolveTarget: the name sent to the daemon', () => {
    it('drops transport, user, host, port and the client params', () => {
      expect(resolve('qemu+ssh://root@host/system?keyfile=x').serverURI).to.equal('qemu:///system');
      expect(resolve('test+tcp://127.0.0.1:16559/default').serverURI).to.equal('test:///default');
      expect(resolve('qemu+unix:///system?socket=/x').serverURI).to.equal('qemu:///system');
      expect(resolve('qemu+tls://h/system?no_sanity=1&pkipath=/p&tls_priority=NORMAL&auth=sasl&authfile=/a').serverURI).to.equal('qemu:///system');
    });

    it('keeps the other params, values re-escaped', () => {
      expect(resolve('qemu:///system?foo=bar').serverURI).to.equal('qemu:///system?foo=bar');
      expect(resolve('qemu+ssh://h/system?foo=bar&keyfile=k&baz=a%20b/c').serverURI).to.equal('qemu:///system?foo=bar&baz=a%20b%2Fc');
      expect(resolve('qemu:///system?flag').serverURI).to.equal('qemu:///system?flag=');
      // virURIFormatParams writes names as they are (decoded)
      expect(resolve('qemu:///system?a%20b=1').serverURI).to.equal('qemu:///system?a b=1');
    });

    it('re-escapes the path and keeps the fragment', () => {
      expect(resolve('test:///tmp/a%20b.xml').serverURI).to.equal('test:///tmp/a%20b.xml');
      expect(resolve('test:///tmp/a:b').serverURI).to.equal('test:///tmp/a%3Ab');
      expect(resolve('test:///tmp/%C3%A9').serverURI).to.equal('test:///tmp/%C3%A9');
      expect(resolve('test:///default#frag').serverURI).to.equal('test:///default#frag');
    });

    it('has no path when the URI has none', () => {
      expect(resolve('qemu+ssh://host').serverURI).to.equal('qemu://');
      expect(resolve('test+tcp://h:1/').serverURI).to.equal('test:///');
    });

    it('uses ?name= as given, whatever the case of the param name; the last one wins', () => {
      expect(resolve('qemu+ssh://h/system?name=foo').serverURI).to.equal('foo');
      expect(resolve('qemu+ssh://h/system?NAME=foo&name=bar').serverURI).to.equal('bar');
      expect(resolve('remote://h/?name=qemu:///system').serverURI).to.equal('qemu:///system');
      expect(resolve('qemu:///system?name=').serverURI).to.equal('');
    });

    it("sends '' for the remote driver so the daemon picks its default", () => {
      expect(resolve('remote://h/').serverURI).to.equal('');
      expect(resolve('remote+ssh://host/').serverURI).to.equal('');
      expect(resolve('remote+tcp://host/system?foo=bar').serverURI).to.equal('');
      expect(resolve('remote:///').serverURI).to.equal('');
    });

    it('feeds the name to virt-ssh-helper, quoted twice for the remote shell', () => {
      const t = resolve('qemu+ssh://h/system?foo=bar');
      expect(t.remoteCommand).to.equal(SSH_HELPER_AUTO("''\\''qemu:///system?foo=bar'\\'''", '/var/run/libvirt/libvirt-sock'));
    });
  });

  describe('resolveTarget: remote driver params', () => {
    it('reads its params ignoring case, the last occurrence winning', () => {
      const t = resolve('qemu:///system?SOCKET=/a&socket=/b');
      expect(t.socketPath).to.equal('/b');
      expect(t.options.socket).to.equal('/b');
    });

    it('parses the boolean params as C ints', () => {
      expect(resolve('qemu+tls://h/system?no_verify=0').noVerify).to.equal(false);
      expect(resolve('qemu+tls://h/system?no_verify=%202').noVerify).to.equal(true);
      expect(resolve('qemu+tls://h/system?no_sanity=-1').noSanity).to.equal(true);
      expect(resolve('qemu+ssh://h/system?No_Tty=1').noTTY).to.equal(true);
    });

    it('takes authfile for the auth layer without forwarding it', () => {
      const t = resolve('qemu:///system?authfile=/etc/auth.conf');
      expect([t.options.authfile, t.serverURI]).to.deep.equal(['/etc/auth.conf', 'qemu:///system']);
    });

    it('takes mode and proxy from libvirt.conf values when the URI has none', () => {
      const t = resolve('qemu:///system', { remoteMode: 'legacy' });
      expect([t.mode, t.socketPath]).to.deep.equal(['legacy', '/var/run/libvirt/libvirt-sock']);
      expect(resolve('qemu:///system?mode=direct', { remoteMode: 'legacy' }).mode).to.equal('direct');
      expect(resolve('qemu+ssh://h/system', { remoteProxy: 'netcat' }).proxy).to.equal('netcat');
    });
  });

  describe('resolveTarget: unix socket choice (remoteGetUNIXSocket)', () => {
    const SYS = '/var/run/libvirt';

    it('auto: the per-driver daemon when its socket exists', () => {
      const t = resolve('qemu:///system', { exists: existing(`${SYS}/virtqemud-sock`, `${SYS}/libvirt-sock`) });
      expect([t.mode, t.socketPath, t.daemon]).to.deep.equal(['direct', `${SYS}/virtqemud-sock`, 'virtqemud']);
    });

    it('auto: libvirtd when only its socket exists', () => {
      const t = resolve('qemu:///system', { exists: existing(`${SYS}/libvirt-sock`) });
      expect([t.mode, t.socketPath, t.daemon]).to.deep.equal(['legacy', `${SYS}/libvirt-sock`, 'libvirtd']);
    });

    it('auto: the build default when neither exists', () => {
      expect(resolve('qemu:///system').socketPath).to.equal(`${SYS}/virtqemud-sock`);
      expect(resolve('qemu:///system', { defaultMode: 'legacy' }).socketPath).to.equal(`${SYS}/libvirt-sock`);
    });

    it('auto: probes the read-only sockets for read-only connections', () => {
      const t = resolve('qemu:///system', { readOnly: true, exists: existing(`${SYS}/virtqemud-sock-ro`) });
      expect([t.mode, t.socketPath]).to.deep.equal(['direct', `${SYS}/virtqemud-sock-ro`]);
      const l = resolve('qemu:///system', { readOnly: true, exists: existing(`${SYS}/virtqemud-sock`, `${SYS}/libvirt-sock-ro`) });
      expect([l.mode, l.socketPath]).to.deep.equal(['legacy', `${SYS}/libvirt-sock-ro`]);
    });

    it('direct and legacy are taken as asked, whatever exists', () => {
      const d = resolve('lxc:///system?mode=direct', { exists: existing(`${SYS}/libvirt-sock`) });
      expect([d.socketPath, d.daemon]).to.deep.equal([`${SYS}/virtlxcd-sock`, 'virtlxcd']);
      const l = resolve('network:///system?mode=legacy', { exists: existing(`${SYS}/virtnetworkd-sock`) });
      expect([l.socketPath, l.daemon]).to.deep.equal([`${SYS}/libvirt-sock`, 'libvirtd']);
    });

    it('names the per-driver daemon virt<driver>d', () => {
      for (const d of ['qemu', 'lxc', 'network', 'storage', 'nodedev', 'secret', 'nwfilter', 'interface', 'xen', 'ch', 'vbox', 'test']) {
        expect(resolve(`${d}:///system?mode=direct`).socketPath).to.equal(`${SYS}/virt${d}d-sock`);
      }
      expect(resolve('remote:///system?mode=direct').socketPath).to.equal(`${SYS}/virtremoted-sock`);
    });

    it('uses the configured LOCALSTATEDIR', () => {
      expect(resolve('qemu:///system', { localStateDir: '/usr/local/var' }).socketPath).to.equal('/usr/local/var/run/libvirt/virtqemud-sock');
    });

    it('session: sockets under $XDG_RUNTIME_DIR/libvirt, never -ro', () => {
      const opts = { uid: USER, env: USER_ENV };
      expect(resolve('qemu:///session', opts).socketPath).to.equal('/run/user/1000/libvirt/virtqemud-sock');
      expect(resolve('qemu:///session', { ...opts, readOnly: true }).socketPath).to.equal('/run/user/1000/libvirt/virtqemud-sock');
      expect(resolve('qemu:///session', { ...opts, exists: existing('/run/user/1000/libvirt/libvirt-sock') }).socketPath).to.equal(
        '/run/user/1000/libvirt/libvirt-sock',
      );
      expect(resolve('qemu:///session', { ...opts, env: { XDG_RUNTIME_DIR: '/run/user/1000/' } }).socketPath).to.equal(
        '/run/user/1000/libvirt/virtqemud-sock',
      );
    });

    it('session: falls back to $XDG_CACHE_HOME/libvirt, then $HOME/.cache/libvirt', () => {
      expect(resolve('qemu:///session', { uid: USER, env: { XDG_CACHE_HOME: '/c', HOME: '/home/u' } }).socketPath).to.equal('/c/libvirt/virtqemud-sock');
      expect(resolve('qemu:///session', { uid: USER, env: { XDG_RUNTIME_DIR: '', HOME: '/home/u' } }).socketPath).to.equal(
        '/home/u/.cache/libvirt/virtqemud-sock',
      );
      expect(userRuntimeDirectory({ HOME: '/' })).to.equal('/.cache/libvirt');
    });

    it('session: /session only for non-root, and test+<transport> too', () => {
      const root = resolve('qemu:///session', { uid: ROOT, env: USER_ENV });
      expect([root.session, root.socketPath, root.serverURI]).to.deep.equal([false, '/var/run/libvirt/virtqemud-sock', 'qemu:///session']);
      expect(resolve('test+unix:///default', { uid: USER, env: USER_ENV }).socketPath).to.equal('/run/user/1000/libvirt/virttestd-sock');
      expect(resolve('test:///default', { uid: USER, env: USER_ENV }).session).to.equal(false);
      expect(resolve('qemu:///system', { uid: USER, env: USER_ENV }).socketPath).to.equal('/var/run/libvirt/virtqemud-sock');
    });

    it('session: autostart unless LIBVIRT_AUTOSTART=0, and only locally', () => {
      expect(resolve('qemu:///session', { uid: USER, env: USER_ENV }).autostart).to.equal(true);
      expect(resolve('qemu:///session', { uid: USER, env: { ...USER_ENV, LIBVIRT_AUTOSTART: '0' } }).autostart).to.equal(false);
      expect(resolve('qemu:///session', { uid: USER, env: { ...USER_ENV, LIBVIRT_AUTOSTART: '1' } }).autostart).to.equal(true);
      expect(resolve('qemu+ssh://h/session', { uid: USER, env: USER_ENV }).autostart).to.equal(false);
    });

    it('ssh: the legacy socket of the remote host unless ?socket=; virt-ssh-helper for sessions', () => {
      const sys = resolve('qemu+ssh://h/system', { readOnly: true, exists: () => true });
      expect([sys.mode, sys.socketPath, sys.proxy]).to.deep.equal(['legacy', '/var/run/libvirt/libvirt-sock-ro', 'auto']);
      expect(sys.remoteCommand).to.contain("virt-ssh-helper -r 'qemu:///system'");
      const ses = resolve('qemu+ssh://h/session', { uid: USER, env: USER_ENV });
      expect([ses.session, ses.proxy, ses.socketPath]).to.deep.equal([true, 'native', null]);
      expect(ses.remoteCommand).to.equal("sh -c 'virt-ssh-helper 'qemu:///session''");
      const sock = resolve('qemu+ssh://h/session?socket=/run/user/1/libvirt/virtqemud-sock', { uid: USER, env: USER_ENV });
      expect([sock.proxy, sock.socketPath]).to.deep.equal(['netcat', '/run/user/1/libvirt/virtqemud-sock']);
    });
  });

  describe('resolveTarget: errors, with libvirt codes', () => {
    it('qemu://system and qemu://session lack a slash', () => {
      expectError(
        () => resolve('qemu://system'),
        VIR_ERR_INTERNAL_ERROR,
        VIR_FROM_NONE,
        'internal error: invalid URI qemu://system (maybe you want qemu:///system)',
      );
      expectError(() => resolve('vbox://session'), VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE);
      // other drivers, or with a transport, a host may be called "system"
      expect(resolve('qemu+ssh://system/system').host).to.equal('system');
      expect(resolve('test://system/default').host).to.equal('system');
    });

    it('unix with a host', () => {
      expectError(
        () => resolve('qemu+unix://h/system'),
        VIR_ERR_INVALID_ARG,
        VIR_FROM_REMOTE,
        "invalid argument: using unix socket and remote server 'h' is not supported.",
      );
    });

    it('an unknown transport', () => {
      expectError(() => resolve('qemu+http://h/system'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE);
    });

    it('a boolean param that is not an int', () => {
      for (const v of ['yes', '', '1x', '99999999999']) {
        expectError(
          () => resolve(`qemu+ssh://h/system?No_Verify=${v}`),
          VIR_ERR_INVALID_ARG,
          VIR_FROM_REMOTE,
          'invalid argument: Failed to parse value of URI component No_Verify',
        );
      }
      expectError(() => resolve('qemu+ssh://h/system?no_tty'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE);
    });

    it('an unknown mode or proxy', () => {
      expectError(() => resolve('qemu:///system?mode=fast'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "invalid argument: Unknown remote mode 'fast'");
      expectError(() => resolve('qemu:///system?mode=Direct'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE);
      expectError(() => resolve('qemu:///system', { remoteMode: 'x' }), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE);
      // libvirt's own spelling
      expectError(() => resolve('qemu+ssh://h/system?proxy=socat'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "invalid argument: Unnkown proxy type 'socat'");
      // checked whatever the transport
      expectError(() => resolve('qemu+tcp://h/system?proxy=socat'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE);
    });

    it('ext without a command', () => {
      expectError(() => resolve('qemu+ext:///system'), VIR_ERR_INVALID_ARG, VIR_FROM_REMOTE, "invalid argument: remote_open: for 'ext' transport, command is required");
    });

    it('direct mode over ssh', () => {
      for (const t of ['ssh', 'libssh', 'libssh2']) {
        expectError(
          () => resolve(`qemu+${t}://h/system?mode=direct`),
          VIR_ERR_OPERATION_UNSUPPORTED,
          VIR_FROM_REMOTE,
          `Operation not supported: Cannot use direct socket mode for ${t} transport`,
        );
      }
      // not when the socket is given
      expect(resolve('qemu+ssh://h/system?mode=direct&socket=/s').socketPath).to.equal('/s');
    });

    it('a netcat path with the native proxy', () => {
      expectError(
        () => resolve('qemu+ssh://h/system?proxy=native&netcat=nc'),
        VIR_ERR_INVALID_ARG,
        VIR_FROM_RPC,
        'invalid argument: netcat path not valid with native proxy mode',
      );
    });

    it('embedded drivers, which only run in-process', () => {
      expectError(() => resolve('qemu:///embed'), VIR_ERR_INVALID_ARG, VIR_FROM_URI, "invalid argument: Missing URI parameter 'root'");
      expectError(() => resolve('qemu:///embed?root=rel'), VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_NONE, 'unsupported configuration: root path must be absolute');
      expectError(() => resolve('qemu+unix:///embed?root=/r'), VIR_ERR_NO_CONNECT, VIR_FROM_NONE, "no connection driver available for URI scheme 'qemu+unix' for embedded driver is not valid");
      expectError(() => resolve('qemu:///embed?root=/r'), VIR_ERR_NO_CONNECT, VIR_FROM_NONE, 'no connection driver available for qemu:///embed?root=/r');
    });

    it("the client-side-only drivers (ESX, Hyper-V, Parallels)", () => {
      for (const s of ['esx', 'gsx', 'vpx', 'hyperv', 'parallels', 'ESX']) {
        expectError(() => resolve(`${s}://h/`), VIR_ERR_CONFIG_UNSUPPORTED, VIR_FROM_NONE, `unsupported configuration: libvirt was built without the '${s}' driver`);
      }
    });

    it('parse errors and missing schemes from a string', () => {
      expectError(() => resolve('qemu+tcp://h:x/system'), VIR_ERR_INTERNAL_ERROR, VIR_FROM_URI);
      expectError(() => resolve('/system'), VIR_ERR_NO_CONNECT, VIR_FROM_NONE);
    });
  });

  it('accepts an already parsed URI', () => {
    const u = parseURI('qemu+tcp://h/system?foo=%41');
    const t = resolveTarget(u, { uid: ROOT, env: {} });
    expect(t.uri).to.equal(u);
    expect(t.serverURI).to.equal('qemu:///system?foo=A');
  });
});
