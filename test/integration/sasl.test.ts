// SASL against a private libvirtd with auth_tls = "sasl" and auth_tcp = "sasl", a sasldb user made
// by saslpasswd2 and Cyrus SASL's SCRAM, DIGEST-MD5 and PLAIN: every case checked against libvirt's
// own client (virsh with the same auth.conf, python3-libvirt for codes, isSecure/isEncrypted).
import { expect } from 'chai';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../src/api/connection.js';
import { LibvirtError } from '../../src/errors/errors.js';
import type { ConnectCredential, SaslTransport } from '../../src/rpc/sasl.js';
import { SaslLayerStream } from '../../src/rpc/sasl-layer.js';
import { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE } from '../../src/apixml/generated/constants.js';
import { openTcp } from '../../src/transport/socket.js';
import { pythonOutcome, virshOutcome } from '../support/tls-oracle.js';
import { certtoolAvailable, makeTestPki, type TestPki } from '../support/tls-pki.js';
import { connectWithSasl, makeSaslSetup, type SaslConnectOptions, type SaslSetup, saslpasswdAvailable } from '../support/tls-sasl.js';
import { type ConfiguredSandbox, freePort, startConfiguredSandbox } from '../support/tls-sandbox.js';

const USER = 'fred';
const PASSWORD = 'Secret-p4ss word';

interface Outcome {
  ok: boolean;
  code?: number;
  domain?: number;
  message?: string;
  secure?: boolean;
  encrypted?: boolean;
  libVersion?: number;
  mechanism?: string;
  ssf?: number;
}

async function ours(uri: string, o: SaslConnectOptions, use?: (conn: Connection) => Promise<void>): Promise<Outcome> {
  let conn: Connection | null = null;
  try {
    conn = await connectWithSasl(uri, o);
    const sasl = conn.sasl ?? (conn.transport as SaslTransport).sasl;
    const out: Outcome = {
      ok: true,
      secure: await conn.isSecure(),
      encrypted: await conn.isEncrypted(),
      libVersion: Number(await conn.getLibVersion()),
      mechanism: sasl?.mechanism,
      ssf: sasl?.ssf,
    };
    if (use) await use(conn);
    return out;
  } catch (e) {
    if (!(e instanceof LibvirtError)) throw e;
    return { ok: false, code: e.code, domain: e.domain, message: e.message };
  } finally {
    await conn?.close();
  }
}

/** A credentials callback answering the authentication name and password. */
const callback = (user: string, password: string): SaslConnectOptions['auth'] => ({
  credtype: [VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE],
  cb: (creds: ConnectCredential[]) => {
    for (const c of creds) c.result = c.type === VIR_CRED_AUTHNAME ? user : c.type === VIR_CRED_PASSPHRASE ? password : null;
    return 0;
  },
});

describe('SASL against libvirtd with auth_tls/auth_tcp = "sasl" (virsh and python3-libvirt as oracle)', function () {
  this.timeout(180_000);
  const base = `/tmp/lvrpc-sasl-${process.pid}`;
  let pki: TestPki;
  let sasl: SaslSetup;
  let sb: ConfiguredSandbox | null = null;
  let tlsPort = 0;
  let pkipath = '';
  let goodAuth = '';
  let noAuthHome = '';
  let badAuth = '';
  const tls = (extra = ''): string => `test+tls://localhost:${tlsPort}/default?pkipath=${pkipath}${extra}`;
  const tcp = (extra = '', driver = 'test', path = 'default'): string => `${driver}+tcp://localhost:${sb!.tcpPort}/${path}${extra}`;

  /** Our outcome with `auth.conf` equals virsh's and python's with the same file. */
  async function sameAsLibvirt(uri: string, authFile: string, use?: (conn: Connection) => Promise<void>): Promise<Outcome> {
    const env = { ...process.env, LIBVIRT_AUTH_FILE: authFile };
    const o = await ours(uri, { env }, use);
    const v = await virshOutcome(uri, { env: { LIBVIRT_AUTH_FILE: authFile } });
    const p = await pythonOutcome(uri, { env: { LIBVIRT_AUTH_FILE: authFile }, credentials: { username: 'unused', password: 'unused' } });
    const where = `\n  uri: ${uri}\n  ours: ${JSON.stringify(o)}\n  virsh: ${JSON.stringify(v)}\n  python: ${JSON.stringify(p)}`;
    expect(o.ok, `success${where}`).to.equal(v.ok);
    expect(p.ok, where).to.equal(v.ok);
    if (o.ok) {
      expect(o.secure, where).to.equal(p.secure === 1);
      expect(o.encrypted, where).to.equal(p.encrypted === 1);
      expect(o.libVersion, where).to.equal(p.libVersion);
    } else {
      expect(o.message, `message${where}`).to.equal(v.message);
      expect(o.message, where).to.equal(p.message);
      expect(o.code, where).to.equal(p.code);
    }
    return o;
  }

  before(async function () {
    if (!certtoolAvailable()) throw new Error('certtool not found (gnutls-bin): scripts/system-deps install tests');
    if (!saslpasswdAvailable()) throw new Error('saslpasswd2 not found (sasl2-bin): scripts/system-deps install tests');
    pki = makeTestPki(join(base, 'pki'));
    sasl = makeSaslSetup(join(base, 'sasl'), ['scram-sha-256', 'scram-sha-1', 'digest-md5', 'plain'], { [USER]: PASSWORD });
    pkipath = pki.pkipath('good', { cacert: pki.cacert, cert: pki.clientCert, key: pki.clientKey });
    goodAuth = sasl.authFile('good', USER, PASSWORD);
    badAuth = sasl.authFile('bad', USER, 'not the password');
    noAuthHome = join(base, 'home-without-auth-conf');
    mkdirSync(noAuthHome, { recursive: true });
    tlsPort = await freePort();
    sb = await startConfiguredSandbox(
      'sasl',
      [
        'listen_tls = 1',
        `tls_port = "${tlsPort}"`,
        `key_file = "${pki.serverKey}"`,
        `cert_file = "${pki.serverCert}"`,
        `ca_file = "${pki.cacert}"`,
        'auth_tls = "sasl"',
        'auth_tcp = "sasl"',
      ],
      { startPrefix: sasl.startPrefix },
    );
  });

  after(function () {
    sb?.clean();
    rmSync(base, { recursive: true, force: true });
  });

  describe('over TLS (no security layer)', function () {
    it('SCRAM-SHA-256 by default, credentials from auth.conf', async function () {
      const o = await sameAsLibvirt(tls(), goodAuth);
      expect(o).to.include({ ok: true, mechanism: 'SCRAM-SHA-256', ssf: 0, secure: true, encrypted: true });
    });

    for (const mech of ['SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN']) {
      it(`${mech} when ?auth=sasl.${mech} asks for it`, async function () {
        const o = await sameAsLibvirt(tls(`&auth=sasl.${mech}`), goodAuth);
        expect(o).to.include({ ok: true, mechanism: mech, ssf: 0 });
      });
    }

    for (const mech of ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'DIGEST-MD5', 'PLAIN']) {
      it(`refuses a wrong password (${mech})`, async function () {
        const o = await sameAsLibvirt(tls(`&auth=sasl.${mech}`), badAuth);
        expect(o.message).to.equal('authentication failed: authentication failed');
      });
    }

    it('refuses a mechanism the server does not offer (the name is matched case-sensitively, as libvirt does)', async function () {
      const o = await sameAsLibvirt(tls('&auth=sasl.scram-sha-256'), goodAuth);
      expect(o.message).to.equal('authentication failed: SASL mechanism scram-sha-256 not supported by server');
    });

    it('takes the credentials from the callback; the same with python3-libvirt (virConnectOpenAuth)', async function () {
      // No auth.conf anywhere: the callback is asked for both, with Cyrus's prompts.
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: noAuthHome, XDG_CONFIG_HOME: noAuthHome };
      delete env.LIBVIRT_AUTH_FILE;
      const asked: ConnectCredential[] = [];
      const auth = callback(USER, PASSWORD);
      const o = await ours(tls(), { env, auth: { credtype: auth!.credtype, cb: (c) => (asked.push(...c), auth!.cb(c)) } });
      expect(o).to.include({ ok: true, mechanism: 'SCRAM-SHA-256' });
      expect(asked.map((c) => [c.type, c.prompt, c.challenge])).to.deep.equal([
        [VIR_CRED_AUTHNAME, 'Please enter your authentication name', 'Authentication Name'],
        [VIR_CRED_PASSPHRASE, 'Please enter your password', 'Password'],
      ]);
      const oracleEnv = { HOME: noAuthHome, XDG_CONFIG_HOME: noAuthHome, LIBVIRT_AUTH_FILE: undefined };
      const p = await pythonOutcome(tls(), { env: oracleEnv, credentials: { username: USER, password: PASSWORD } });
      expect(p.ok).to.equal(true);
      const wrong = await ours(tls(), { env, auth: callback(USER, 'nope') });
      const pw = await pythonOutcome(tls(), { env: oracleEnv, credentials: { username: USER, password: 'nope' } });
      expect(wrong).to.include({ ok: false, message: pw.message, code: pw.code });
    });

    it('an empty answer is refused as Cyrus refuses it (virsh with nothing on stdin)', async function () {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: noAuthHome, XDG_CONFIG_HOME: noAuthHome };
      delete env.LIBVIRT_AUTH_FILE;
      const o = await ours(tls(), { env, auth: callback('', '') });
      const v = await virshOutcome(tls(), { env: { HOME: noAuthHome, XDG_CONFIG_HOME: noAuthHome, LIBVIRT_AUTH_FILE: undefined } });
      expect(v.ok).to.equal(false);
      expect(o).to.include({ ok: false, message: v.message });
    });

    it('a LIBVIRT_AUTH_FILE that does not exist fails the authentication, as in libvirt', async function () {
      const missing = join(base, 'no-such-auth.conf');
      const o = await ours(tls(), { env: { ...process.env, LIBVIRT_AUTH_FILE: missing }, auth: callback(USER, PASSWORD) });
      const v = await virshOutcome(tls(), { env: { LIBVIRT_AUTH_FILE: missing } });
      expect(v.ok).to.equal(false);
      // libvirt says "An error occurred, but the cause is unknown"; we say which file.
      expect(o).to.include({ ok: false, message: `authentication failed: cannot read the auth.conf '${missing}' named by LIBVIRT_AUTH_FILE` });
    });

    it('without a callback, auth.conf alone is enough (as for virsh, whose callback is only asked for what it lacks)', async function () {
      const o = await ours(tls(), { env: { ...process.env, LIBVIRT_AUTH_FILE: goodAuth } });
      expect(o).to.include({ ok: true, mechanism: 'SCRAM-SHA-256' });
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: noAuthHome, XDG_CONFIG_HOME: noAuthHome };
      delete env.LIBVIRT_AUTH_FILE;
      const none = await ours(tls(), { env });
      expect(none).to.include({ ok: false, message: 'authentication failed: No authentication callback available' });
    });
  });

  describe('over plain TCP (DIGEST-MD5 with a security layer)', function () {
    it('negotiates auth-conf (SSF 128); isSecure and isEncrypted become true', async function () {
      const o = await sameAsLibvirt(tcp(), goodAuth);
      expect(o).to.include({ ok: true, mechanism: 'DIGEST-MD5', ssf: 128, secure: true, encrypted: true });
    });

    it('carries large messages both ways and many calls in flight through the layer', async function () {
      const o = await ours(tcp(), { env: { ...process.env, LIBVIRT_AUTH_FILE: goodAuth } }, async (conn) => {
        // 300 KB each way: several frames of at most the server's maxbuf.
        const description = 'x'.repeat(300_000);
        const dom = await conn.domainDefineXML(`<domain type='test'><name>sasl-big</name><memory>1024</memory><description>${description}</description><os><type>hvm</type></os></domain>`);
        try {
          expect(await dom.getXMLDesc(0)).to.include(description);
        } finally {
          await dom.undefine();
        }
        const versions = await Promise.all(Array.from({ length: 1000 }, () => conn.getLibVersion()));
        expect(versions).to.have.length(1000);
      });
      expect(o.ok).to.equal(true);
    });

    it('rc4-56 (SSF 56) works too', async function () {
      const o = await ours(tcp(), { env: { ...process.env, LIBVIRT_AUTH_FILE: goodAuth }, digestCiphers: ['rc4-56'] });
      expect(o).to.include({ ok: true, ssf: 56 });
    });

    it('refuses a wrong password', async function () {
      const o = await sameAsLibvirt(tcp(), badAuth);
      expect(o.message).to.equal('authentication failed: authentication failed');
    });

    it('SCRAM is not offered without TLS (it has no security layer)', async function () {
      await sameAsLibvirt(tcp('?auth=sasl.SCRAM-SHA-256'), goodAuth);
    });

    it('puts the layer where installLayer says (an RPC engine hook, here a SaslLayerStream of our own)', async function () {
      const raw = await openTcp('localhost', sb!.tcpPort);
      const stream = new SaslLayerStream(raw.stream);
      let installed = 0;
      const transport = { stream, description: raw.description, encrypted: false, secure: false };
      const o = await ours(tcp(), { env: { ...process.env, LIBVIRT_AUTH_FILE: goodAuth }, unwrapped: true, transport, installLayer: (l) => (installed++, stream.install(l)) }, async (conn) => {
        const versions = await Promise.all(Array.from({ length: 200 }, () => conn.getLibVersion()));
        expect(versions).to.have.length(200);
      });
      expect(o.ok).to.equal(true);
      expect(installed).to.equal(1);
    });

    it('refuses clearly when the transport cannot carry a security layer', async function () {
      const env = { ...process.env, LIBVIRT_AUTH_FILE: goodAuth };
      const o = await ours(tcp(), { env, unwrapped: true, transport: await openTcp('localhost', sb!.tcpPort) });
      expect(o).to.include({ ok: false, message: 'authentication failed: Failed to start SASL negotiation: -4 (SASL(-4): no mechanism available: No worthy mechs found)' });
    });
  });
});
