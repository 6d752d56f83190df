// libvirt's TLS credential search order and certificate checks (src/transport/pki.ts), and the
// gnutls priority strings node:tls can follow (src/transport/tls.ts). No daemon.
import { expect } from 'chai';
import {
  CERT_INVALID,
  CERT_REVOKED,
  CERT_SIGNER_NOT_FOUND,
  type CertInfo,
  checkBasicConstraints,
  checkCert,
  checkCertTimes,
  checkHostname,
  checkKeyPurpose,
  checkKeyUsage,
  hostnameMatches,
  KP_ANY,
  KP_TLS_WWW_CLIENT,
  KP_TLS_WWW_SERVER,
  KU_DIGITAL_SIGNATURE,
  KU_KEY_CERT_SIGN,
  locateCredentials,
  parseCertificate,
  parseCrl,
  pemBlocks,
  pemCertificates,
  statusReason,
  verifyChain,
} from '../../src/transport/pki.js';
import { cipherKeySize, priorityVersions } from '../../src/transport/tls.js';
import { CA, CN_ONLY, CRL_REVOKING_SERVER, EXPIRED_CLIENT, OTHER_CA, SERVER, SERVER_OF_OTHER_CA } from '../support/tls-fixtures.js';

const cert = (pem: string): CertInfo => parseCertificate(pemCertificates(pem)[0]!);
const NOW = new Date('2030-01-01T00:00:00Z');

describe('TLS: credential search order (virNetTLSContextLocateCredentials)', function () {
  const files = (...present: string[]): ((p: string) => boolean) => (p) => present.includes(p);

  it('uses ?pkipath= as given, whether or not the files exist', function () {
    expect(locateCredentials({ pkipath: '/my/pki', tryUserPkiPath: true, home: '/home/u', exists: files() })).to.deep.equal({
      cacert: '/my/pki/cacert.pem',
      cacrl: '/my/pki/cacrl.pem',
      cert: '/my/pki/clientcert.pem',
      key: '/my/pki/clientkey.pem',
    });
  });

  it('uses /etc/pki for root (the per-user directory is not looked at)', function () {
    const u = '/root/.pki/libvirt';
    expect(locateCredentials({ tryUserPkiPath: false, home: '/root', exists: files(`${u}/cacert.pem`, `${u}/clientcert.pem`, `${u}/clientkey.pem`) })).to.deep.equal({
      cacert: '/etc/pki/CA/cacert.pem',
      cacrl: '/etc/pki/CA/cacrl.pem',
      cert: '/etc/pki/libvirt/clientcert.pem',
      key: '/etc/pki/libvirt/private/clientkey.pem',
    });
  });

  it('takes from $HOME/.pki/libvirt what exists there, the rest from /etc/pki', function () {
    const u = '/home/u/.pki/libvirt';
    expect(locateCredentials({ tryUserPkiPath: true, home: '/home/u', exists: files(`${u}/cacert.pem`, `${u}/clientcert.pem`, `${u}/clientkey.pem`) })).to.deep.equal({
      cacert: `${u}/cacert.pem`,
      cacrl: '/etc/pki/CA/cacrl.pem',
      cert: `${u}/clientcert.pem`,
      key: `${u}/clientkey.pem`,
    });
    // Certificate and key go together: one without the other is not used.
    expect(locateCredentials({ tryUserPkiPath: true, home: '/home/u', exists: files(`${u}/clientcert.pem`, `${u}/cacrl.pem`) })).to.deep.equal({
      cacert: '/etc/pki/CA/cacert.pem',
      cacrl: `${u}/cacrl.pem`,
      cert: '/etc/pki/libvirt/clientcert.pem',
      key: '/etc/pki/libvirt/private/clientkey.pem',
    });
  });

  it('honours another SYSCONFDIR', function () {
    expect(locateCredentials({ tryUserPkiPath: false, home: '/', pkiDir: '/usr/local/etc/pki', exists: files() }).cacert).to.equal('/usr/local/etc/pki/CA/cacert.pem');
  });
});

describe('TLS: certificate parsing', function () {
  it('reads validity, constraints, usage, purpose, names', function () {
    const s = cert(SERVER);
    expect(s.dn).to.equal('O=Fixture,CN=localhost');
    expect(s.basicConstraints).to.deep.equal({ critical: true, value: { ca: false } });
    expect(s.keyUsage?.critical).to.equal(true);
    expect(s.keyUsage!.value & KU_DIGITAL_SIGNATURE).to.not.equal(0);
    expect(s.extKeyUsage).to.deep.equal({ critical: false, value: [KP_TLS_WWW_SERVER] });
    expect(s.dnsNames).to.deep.equal(['localhost', '*.example.com']);
    expect(s.ipAddresses.map((b) => b.toString('hex'))).to.deep.equal(['7f000001', '00000000000000000000000000000001']);
    // 2126 is past 2049: a GeneralizedTime.
    expect(s.notAfter.getUTCFullYear()).to.equal(2126);
    const ca = cert(CA);
    expect(ca.basicConstraints?.value.ca).to.equal(true);
    expect(ca.keyUsage!.value & KU_KEY_CERT_SIGN).to.not.equal(0);
    const old = cert(EXPIRED_CLIENT);
    expect(old.notAfter.toISOString()).to.equal('2001-01-01T00:00:00.000Z');
  });

  it('splits PEM files (text before the blocks is ignored) and reads CRLs', function () {
    expect(pemCertificates(`Public Key Info: ...\n${CA}\nsome text\n${SERVER}`)).to.have.length(2);
    const crl = parseCrl(pemBlocks(CRL_REVOKING_SERVER, 'X509 CRL')[0]!);
    expect([...crl.revoked]).to.deep.equal([cert(SERVER).serialHex]);
  });
});

describe('TLS: chain verification (gnutls status as libvirt reports it)', function () {
  it('trusts a certificate issued by the CA', function () {
    expect(verifyChain([cert(SERVER)], [cert(CA)], [], NOW)).to.equal(0);
  });

  it("reports another CA's certificate as having no known issuer", function () {
    const status = verifyChain([cert(SERVER_OF_OTHER_CA)], [cert(CA)], [], NOW);
    expect(status & CERT_SIGNER_NOT_FOUND).to.not.equal(0);
    expect(statusReason(status)).to.equal("The certificate hasn't got a known issuer.");
  });

  it('accepts a chain the peer completes with an intermediate it sends', function () {
    // The other CA, sent by the peer, is not trusted: still no known issuer.
    expect(verifyChain([cert(SERVER_OF_OTHER_CA), cert(OTHER_CA)], [cert(CA)], [], NOW) & CERT_INVALID).to.not.equal(0);
    expect(verifyChain([cert(SERVER_OF_OTHER_CA), cert(OTHER_CA)], [cert(OTHER_CA)], [], NOW)).to.equal(0);
  });

  it('reports an expired certificate as not trusted, and a revoked one as revoked', function () {
    expect(statusReason(verifyChain([cert(EXPIRED_CLIENT)], [cert(CA)], [], NOW))).to.equal('The certificate is not trusted.');
    const crl = parseCrl(pemBlocks(CRL_REVOKING_SERVER, 'X509 CRL')[0]!);
    const status = verifyChain([cert(SERVER)], [cert(CA)], [crl], NOW);
    expect(status & CERT_REVOKED).to.not.equal(0);
    expect(statusReason(status)).to.equal('The certificate has been revoked.');
    // The CRL of another CA does not apply.
    expect(verifyChain([cert(SERVER_OF_OTHER_CA)], [cert(OTHER_CA)], [crl], NOW)).to.equal(0);
  });
});

describe("TLS: libvirt's certificate checks", function () {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  beforeEach(() => (warnings.length = 0));

  it('checks validity times with libvirt messages', function () {
    expect(checkCertTimes(cert(EXPIRED_CLIENT), '/p/clientcert.pem', false, false, NOW)).to.equal('The client certificate /p/clientcert.pem has expired');
    expect(checkCertTimes(cert(EXPIRED_CLIENT), '[session]', false, true, NOW)).to.equal('The CA certificate [session] has expired');
    expect(checkCertTimes(cert(SERVER), 'x', true, false, new Date('2000-01-01'))).to.equal('The server certificate x is not yet active');
    expect(checkCertTimes(cert(SERVER), 'x', true, false, NOW)).to.equal(null);
  });

  it('checks basic constraints', function () {
    expect(checkBasicConstraints(cert(CA), '[session]', true, false)).to.equal('The certificate [session] basic constraints show a CA, but we need one for a server');
    expect(checkBasicConstraints(cert(SERVER), 'ca.pem', false, true)).to.equal('The certificate ca.pem basic constraints do not show a CA');
    const noBc = { ...cert(SERVER), basicConstraints: null };
    expect(checkBasicConstraints(noBc, 'ca.pem', false, true)).to.equal('The certificate ca.pem is missing basic constraints for a CA');
    expect(checkBasicConstraints(noBc, 'c.pem', false, false)).to.equal(null);
  });

  it('checks key usage: an error when critical, a warning otherwise', function () {
    const s = cert(SERVER);
    expect(checkKeyUsage({ ...s, keyUsage: { critical: true, value: KU_DIGITAL_SIGNATURE } }, 'c', false, warn)).to.equal('Certificate c usage does not permit key encipherment');
    expect(checkKeyUsage({ ...s, keyUsage: { critical: false, value: KU_DIGITAL_SIGNATURE } }, 'c', false, warn)).to.equal(null);
    expect(warnings).to.deep.equal(['Certificate c usage does not permit key encipherment']);
    expect(checkKeyUsage({ ...s, keyUsage: { critical: true, value: KU_DIGITAL_SIGNATURE } }, 'ca', true, warn)).to.equal('Certificate ca usage does not permit certificate signing');
    // Absent: everything a certificate of its kind needs is allowed.
    expect(checkKeyUsage({ ...s, keyUsage: null }, 'c', false, warn)).to.equal(null);
  });

  it('checks key purpose, including libvirt treating anyExtendedKeyUsage as allowing neither', function () {
    const s = cert(SERVER);
    const eku = (value: string[], critical: boolean): CertInfo => ({ ...s, extKeyUsage: { critical, value } });
    expect(checkKeyPurpose(eku([KP_TLS_WWW_CLIENT], true), '[session]', true, warn)).to.equal('Certificate [session] purpose does not allow use for with a TLS server');
    expect(checkKeyPurpose(eku([KP_TLS_WWW_CLIENT], false), '[session]', true, warn)).to.equal(null);
    expect(warnings).to.have.length(1);
    expect(checkKeyPurpose(eku([KP_ANY], true), 'c', false, warn)).to.equal('Certificate c purpose does not allow use for with a TLS client');
    expect(checkKeyPurpose(eku(['1.3.6.1.5.5.7.3.4'], true), 'c', false, warn)).to.equal(null);
    expect(checkKeyPurpose({ ...s, extKeyUsage: null }, 'c', false, warn)).to.equal(null);
  });

  it('runs the whole sanity check of a local certificate', function () {
    expect(checkCert(cert(CA), 'cacert.pem', false, true, warn, NOW)).to.equal(null);
    expect(checkCert(cert(EXPIRED_CLIENT), 'clientcert.pem', false, false, warn, NOW)).to.equal('The client certificate clientcert.pem has expired');
  });
});

describe('TLS: hostname matching (gnutls_x509_crt_check_hostname)', function () {
  it('matches dNSName entries, with a wildcard in the first label only', function () {
    const s = cert(SERVER);
    expect(checkHostname(s, 'localhost')).to.equal(true);
    expect(checkHostname(s, 'LOCALHOST')).to.equal(true);
    expect(checkHostname(s, 'a.example.com')).to.equal(true);
    expect(checkHostname(s, 'a.b.example.com')).to.equal(false);
    expect(checkHostname(s, 'example.com')).to.equal(false);
    expect(checkHostname(s, 'otherhost')).to.equal(false);
  });

  it('matches IP addresses against iPAddress entries', function () {
    const s = cert(SERVER);
    expect(checkHostname(s, '127.0.0.1')).to.equal(true);
    expect(checkHostname(s, '::1')).to.equal(true);
    expect(checkHostname(s, '0:0:0:0:0:0:0:1')).to.equal(true);
    expect(checkHostname(s, '127.0.0.2')).to.equal(false);
  });

  it('falls back to the CN when there is no dNSName', function () {
    const c = cert(CN_ONLY);
    expect(checkHostname(c, 'host.example')).to.equal(true);
    expect(checkHostname(c, 'other.example')).to.equal(false);
  });

  it('compares patterns as gnutls does', function () {
    expect(hostnameMatches('*.example.com', 'www.example.com')).to.equal(true);
    expect(hostnameMatches('w*.example.com', 'www.example.com')).to.equal(true);
    expect(hostnameMatches('*.com', 'example.com')).to.equal(false);
    expect(hostnameMatches('www.*.com', 'www.example.com')).to.equal(false);
    expect(hostnameMatches('Host.Example.', 'host.example')).to.equal(true);
  });
});

describe('TLS: gnutls priority strings and key sizes', function () {
  it('maps protocol versions', function () {
    expect(priorityVersions('NORMAL')).to.deep.equal({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(priorityVersions('NORMAL:-VERS-TLS1.3')).to.deep.equal({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(priorityVersions('@SYSTEM:-VERS-TLS1.2')).to.deep.equal({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(priorityVersions('NONE:+VERS-TLS1.2:+AES-256-GCM:+ECDHE-RSA:+SHA384:+SIGN-ALL:+GROUP-ALL')).to.deep.equal({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(priorityVersions('NORMAL:+VERS-ALL')).to.deep.equal({ minVersion: 'TLSv1', maxVersion: 'TLSv1.3' });
  });

  it('refuses a string that enables no protocol or is not a priority string', function () {
    expect(() => priorityVersions('NORMAL:-VERS-ALL')).to.throw(/Failed to set TLS session priority to NORMAL:-VERS-ALL/);
    expect(() => priorityVersions('not a priority')).to.throw(/Failed to set TLS session priority/);
  });

  it('knows the key size of the usual ciphers', function () {
    expect(cipherKeySize('TLS_AES_256_GCM_SHA384')).to.equal(32);
    expect(cipherKeySize('TLS_AES_128_GCM_SHA256')).to.equal(16);
    expect(cipherKeySize('TLS_CHACHA20_POLY1305_SHA256')).to.equal(32);
    expect(cipherKeySize('ECDHE-RSA-AES128-GCM-SHA256')).to.equal(16);
  });
});
