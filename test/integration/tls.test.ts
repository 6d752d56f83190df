// TLS against a private libvirtd with listen_tls and a PKI made by certtool, every case checked
// against libvirt's own client (virsh for the outcome and message, python3-libvirt for the error's
// code and domain) with the same URI and the same files.
import { expect } from 'chai';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { resolveTarget } from '../../src/uri/uri.js';
import { openTls, type TlsOptions, type TlsTransport } from '../../src/transport/tls.js';
import { AS_NOBODY, type OracleRun, pythonOutcome, virshOutcome, withPrivateEtc } from '../support/tls-oracle.js';
import { certtoolAvailable, makeTestPki, type TestPki } from '../support/tls-pki.js';
import { type ConfiguredSandbox, freePort, startConfiguredSandbox } from '../support/tls-sandbox.js';

interface Outcome {
  ok: boolean;
  code?: number;
  domain?: number;
  message?: string;
  secure?: boolean;
  encrypted?: boolean;
  libVersion?: number;
  hostname?: string;
  protocol?: string;
  ms: number;
}

/** Opens the URI with connect() (or openTls, for options connect() does not take) and reports what happened. */
async function ours(uri: string, options: TlsOptions = {}): Promise<Outcome> {
  const start = performance.now();
  let conn: Connection | null = null;
  try {
    const plain = Object.keys(options).every((k) => k === 'env' || k === 'timeout');
    conn = plain ? await connect(uri, { env: options.env, timeout: options.timeout }) : await connect(uri, { transport: await openTls(resolveTarget(uri), options) });
    const transport = conn.transport as TlsTransport;
    return {
      ok: true,
      secure: await conn.isSecure(),
      encrypted: await conn.isEncrypted(),
      libVersion: Number(await conn.getLibVersion()),
      hostname: await conn.getHostname(),
      protocol: transport.protocol,
      ms: performance.now() - start,
    };
  } catch (e) {
    if (!(e instanceof LibvirtError)) throw e;
    return { ok: false, code: e.code, domain: e.domain, message: e.message, ms: performance.now() - start };
  } finally {
    await conn?.close();
  }
}

/** Our outcome equals virsh's and python3-libvirt's for the same URI and files. */
async function sameAsLibvirt(uri: string, oracle: OracleRun = {}, options: TlsOptions = {}): Promise<Outcome> {
  const o = await ours(uri, options);
  const v = await virshOutcome(uri, oracle);
  const p = await pythonOutcome(uri, oracle);
  const where = `\n  uri: ${uri}\n  ours: ${JSON.stringify(o)}\n  virsh: ${JSON.stringify(v)}\n  python: ${JSON.stringify(p)}`;
  expect(o.ok, `success${where}`).to.equal(v.ok);
  expect(p.ok, `python and virsh agree${where}`).to.equal(v.ok);
  if (o.ok) {
    expect(o.secure, where).to.equal(p.secure === 1);
    expect(o.encrypted, where).to.equal(p.encrypted === 1);
    expect(o.libVersion, where).to.equal(p.libVersion);
    expect(o.hostname, where).to.equal(p.hostname);
  } else {
    expect(o.message, `message${where}`).to.equal(v.message);
    expect(o.message, `message${where}`).to.equal(p.message);
    expect(o.code, `code${where}`).to.equal(p.code);
    expect(o.domain, `domain${where}`).to.equal(p.domain);
    // A refusal is an error, never a hang.
    expect(o.ms, where).to.be.below(10_000);
  }
  return o;
}

describe('TLS transport against libvirtd with listen_tls (virsh and python3-libvirt as oracle)', function () {
  this.timeout(180_000);
  let pki: TestPki;
  let sb: ConfiguredSandbox | null = null;
  let port = 0;
  const base = `/tmp/lvrpc-tls-pki-${process.pid}`;
  const url = (host: string, pkipath: string, extra = '', driver = 'test+tls'): string => `${driver}://${host}:${port}/default?pkipath=${pkipath}${extra}`;
  let good: string;

  before(async function () {
    if (!certtoolAvailable()) throw new Error('certtool not found (gnutls-bin): scripts/system-deps install tests');
    pki = makeTestPki(base);
    port = await freePort();
    sb = await startConfiguredSandbox('tls', [
      'listen_tls = 1',
      `tls_port = "${port}"`,
      `key_file = "${pki.serverKey}"`,
      `cert_file = "${pki.serverCert}"`,
      `ca_file = "${pki.cacert}"`,
      'auth_tls = "none"',
      'tls_no_verify_certificate = 0',
      `tls_allowed_dn_list = ["${pki.clientDN}"]`,
    ]);
    good = pki.pkipath('good', { cacert: pki.cacert, cert: pki.clientCert, key: pki.clientKey });
  });

  after(function () {
    sb?.clean();
    rmSync(base, { recursive: true, force: true });
  });

  it('connects with a good CA, client certificate and hostname; isSecure and isEncrypted are true', async function () {
    const o = await sameAsLibvirt(url('localhost', good));
    expect(o).to.include({ ok: true, secure: true, encrypted: true });
  });

  it('uses TLS for a URI with a host and no transport', async function () {
    const uri = url('localhost', good, '', 'test');
    expect(resolveTarget(uri).transport).to.equal('tls');
    await sameAsLibvirt(uri);
  });

  it('carries calls with large replies and many calls in flight', async function () {
    const uri = url('localhost', good, '', 'qemu+tls').replace('/default?', '/system?');
    const conn = await connect(uri, { transport: await openTls(resolveTarget(uri), {}) });
    try {
      const caps = await conn.getCapabilities();
      expect(caps).to.include('<capabilities>');
      const versions = await Promise.all(Array.from({ length: 500 }, () => conn.getLibVersion()));
      expect(new Set(versions.map(String)).size).to.equal(1);
    } finally {
      await conn.close();
    }
  });

  it('refuses a server certificate from a CA we do not trust (wrong CA)', async function () {
    const dir = pki.pkipath('wrong-ca', { cacert: pki.otherCacert, cert: pki.otherClientCert, key: pki.clientKey });
    const o = await sameAsLibvirt(url('localhost', dir));
    expect(o.message).to.equal("authentication failed: Failed to verify peer's certificate");
  });

  it('refuses a server certificate for another hostname (wrong hostname)', async function () {
    const o = await sameAsLibvirt(url('127.0.0.1', good));
    expect(o.message).to.equal("authentication failed: Failed to verify peer's certificate");
  });

  it('refuses a server certificate revoked by the CRL in pkipath', async function () {
    const dir = pki.pkipath('crl', { cacert: pki.cacert, cert: pki.clientCert, key: pki.clientKey, crl: pki.crlRevokingServer });
    await sameAsLibvirt(url('localhost', dir));
  });

  it('no_verify=1 accepts a server certificate for another hostname', async function () {
    const o = await sameAsLibvirt(url('127.0.0.1', good, '&no_verify=1'));
    expect(o.ok).to.equal(true);
  });

  it('no_verify=1 accepts an untrusted server certificate, but the server still refuses our certificate', async function () {
    const dir = pki.pkipath('wrong-ca', { cacert: pki.otherCacert, cert: pki.otherClientCert, key: pki.clientKey });
    await sameAsLibvirt(url('localhost', dir, '&no_verify=1'));
  });

  it('reports a refused client certificate (not on tls_allowed_dn_list) as an error, without hanging', async function () {
    const dir = pki.pkipath('client2', { cacert: pki.cacert, cert: pki.client2Cert, key: pki.clientKey });
    const o = await sameAsLibvirt(url('localhost', dir));
    expect(o.message).to.equal('Unable to read TLS confirmation: Input/output error');
  });

  it('reports a refused connection without a client certificate', async function () {
    const dir = pki.pkipath('no-client-cert', { cacert: pki.cacert });
    await sameAsLibvirt(url('localhost', dir));
  });

  it('checks our own certificate against our CA first (sanity check), unless no_sanity=1', async function () {
    const dir = pki.pkipath('insane', { cacert: pki.cacert, cert: pki.otherClientCert, key: pki.clientKey });
    const o = await sameAsLibvirt(url('localhost', dir));
    expect(o.message).to.match(/^Our own certificate .*clientcert\.pem failed validation against .*cacert\.pem: The certificate hasn't got a known issuer\.$/);
    // Without the sanity check the server refuses the certificate instead.
    await sameAsLibvirt(url('localhost', dir, '&no_sanity=1'));
  });

  it('fails clearly when the CA certificate is missing', async function () {
    const dir = pki.pkipath('empty', {});
    const o = await sameAsLibvirt(url('localhost', dir));
    expect(o.message).to.equal(`Cannot read CA certificate '${dir}/cacert.pem': No such file or directory`);
  });

  it('honours tls_priority (TLS 1.2 only)', async function () {
    const o = await sameAsLibvirt(url('localhost', good, '&tls_priority=NORMAL:-VERS-TLS1.3'));
    expect(o.protocol).to.equal('TLSv1.2');
  });

  it('finds the credentials in $HOME/.pki/libvirt when not root', async function () {
    const home = join(base, 'home-nobody');
    const dir = join(home, '.pki/libvirt');
    mkdirSync(dir, { recursive: true });
    copyFileSync(pki.cacert, join(dir, 'cacert.pem'));
    copyFileSync(pki.clientCert, join(dir, 'clientcert.pem'));
    copyFileSync(pki.clientKey, join(dir, 'clientkey.pem'));
    for (const d of [base, home, join(home, '.pki'), dir]) chmodSync(d, 0o755);
    for (const p of [home, join(home, '.pki'), dir, join(dir, 'cacert.pem'), join(dir, 'clientcert.pem'), join(dir, 'clientkey.pem')]) chownSync(p, 65534, 65534);
    const uri = `test+tls://localhost:${port}/default`;
    const o = await sameAsLibvirt(uri, { env: { HOME: home }, prefix: AS_NOBODY }, { uid: 65534, env: { HOME: home } });
    expect(o.ok).to.equal(true);
    // The same user without the files there: libvirt falls back to /etc/pki (when the host has
    // none, both fail naming /etc/pki/CA/cacert.pem).
    rmSync(dir, { recursive: true });
    if (!existsSync('/etc/pki/CA/cacert.pem')) {
      const fallback = await sameAsLibvirt(uri, { env: { HOME: home }, prefix: AS_NOBODY }, { uid: 65534, env: { HOME: home } });
      expect(fallback.message).to.equal("Cannot read CA certificate '/etc/pki/CA/cacert.pem': No such file or directory");
    }
  });

  it('finds the credentials in /etc/pki as root', async function () {
    const upper = join(base, 'etc-upper');
    const work = join(base, 'etc-work');
    mkdirSync(join(upper, 'pki/CA'), { recursive: true });
    mkdirSync(join(upper, 'pki/libvirt/private'), { recursive: true });
    mkdirSync(work, { recursive: true });
    copyFileSync(pki.cacert, join(upper, 'pki/CA/cacert.pem'));
    copyFileSync(pki.clientCert, join(upper, 'pki/libvirt/clientcert.pem'));
    copyFileSync(pki.clientKey, join(upper, 'pki/libvirt/private/clientkey.pem'));
    const prefix = withPrivateEtc(upper, work);
    const probe = await virshOutcome('test:///default', { prefix });
    if (!probe.ok) this.skip(); // no overlayfs here
    const o = await sameAsLibvirt(`test+tls://localhost:${port}/default`, { prefix }, { uid: 0, pkiDir: join(upper, 'pki') });
    expect(o.ok).to.equal(true);
  });

  describe('a server that does not speak TLS', function () {
    let server: NetServer | null = null;
    let fakePort = 0;
    let behaviour: 'close' | 'reset' | 'garbage' = 'close';

    before(async function () {
      fakePort = await freePort();
      server = createNetServer((c) => {
        c.on('error', () => undefined);
        // Read the ClientHello first: closing with unread data would make the kernel send a reset.
        c.once('data', () => {
          if (behaviour === 'close') c.end();
          else if (behaviour === 'reset') c.resetAndDestroy();
          else c.end('HTTP/1.0 400 Bad Request\r\n\r\n');
        });
      });
      await new Promise<void>((resolve) => server!.listen(fakePort, '127.0.0.1', resolve));
    });

    after(function () {
      server?.close();
    });

    it("libvirtd's plain TCP port: the handshake fails as gnutls reports it", async function () {
      const o = await sameAsLibvirt(`test+tls://localhost:${sb!.tcpPort}/default?pkipath=${good}`);
      expect(o.message).to.equal('authentication failed: TLS handshake failed Error in the pull function.');
    });

    it('a server that closes the connection', async function () {
      behaviour = 'close';
      const o = await sameAsLibvirt(`test+tls://localhost:${fakePort}/default?pkipath=${good}`);
      expect(o.message).to.equal('authentication failed: TLS handshake failed The TLS connection was non-properly terminated.');
    });

    it('a server that resets the connection', async function () {
      behaviour = 'reset';
      const o = await sameAsLibvirt(`test+tls://localhost:${fakePort}/default?pkipath=${good}`);
      expect(o.message).to.equal('authentication failed: TLS handshake failed Error in the pull function.');
    });

    it('a server that answers something else', async function () {
      behaviour = 'garbage';
      const o = await sameAsLibvirt(`test+tls://localhost:${fakePort}/default?pkipath=${good}`);
      expect(o.message).to.equal('authentication failed: TLS handshake failed An unexpected TLS packet was received.');
    });
  });

  describe('the confirmation byte (a TLS server that is not libvirtd)', function () {
    let server: TlsServer | null = null;
    let fakePort = 0;
    let behaviour: 'zero' | 'silent' = 'zero';

    before(async function () {
      fakePort = await freePort();
      server = createTlsServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), requestCert: true, rejectUnauthorized: false }, (s) => {
        s.on('error', () => undefined);
        if (behaviour === 'zero') s.end(Buffer.from([0]));
      });
      await new Promise<void>((resolve) => server!.listen(fakePort, '127.0.0.1', resolve));
    });

    after(function () {
      server?.close();
    });

    it('a byte other than 1 is "server verification (of our certificate or IP address) failed"', async function () {
      behaviour = 'zero';
      const o = await sameAsLibvirt(`test+tls://localhost:${fakePort}/default?pkipath=${good}`);
      expect(o.message).to.equal('server verification (of our certificate or IP address) failed');
    });

    it('a server that never confirms is a timeout, not a hang', async function () {
      behaviour = 'silent';
      const o = await ours(`test+tls://localhost:${fakePort}/default?pkipath=${good}`, { timeout: 700 });
      expect(o).to.include({ ok: false });
      expect(o.message).to.match(/timed out after 700 ms waiting for localhost:\d+ to confirm the TLS session/);
      expect(o.ms).to.be.below(3000);
    });
  });
});
