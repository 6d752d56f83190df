// A test PKI made with certtool (Debian's gnutls-bin), laid out as libvirt expects it, plus the
// pkipath directories the TLS tests point clients at.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** The CA the daemon trusts. */
  readonly cacert: string;
  /** A CA nobody trusts. */
  readonly otherCacert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** CN=client1, signed by the CA (on the daemon's tls_allowed_dn_list). */
  readonly clientCert: string;
  /** The key of every client certificate. */
  readonly clientKey: string;
  /** CN=client2, signed by the CA, not on the allowed list. */
  readonly client2Cert: string;
  /** CN=client1 signed by the other CA. */
  readonly otherClientCert: string;
  /** A CRL of the CA revoking the server's certificate. */
  readonly crlRevokingServer: string;
  /** The distinguished name of client1 as libvirtd's tls_allowed_dn_list matches it. */
  readonly clientDN: string;
  /**
   * A pkipath directory holding the given files under libvirt's names (cacert.pem, clientcert.pem,
   * clientkey.pem, cacrl.pem); `null` leaves a file out.
   */
  pkipath(name: string, files: { cacert?: string | null; cert?: string | null; key?: string | null; crl?: string | null }): string;
}

export function certtoolAvailable(): boolean {
  try {
    execFileSync('certtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function certtool(args: string[]): void {
  execFileSync('certtool', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Generates the PKI into `dir` (emptied first). */
export function makeTestPki(dir: string): TestPki {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const p = (f: string): string => join(dir, f);
  const template = (name: string, lines: string[]): string => {
    writeFileSync(p(`${name}.info`), lines.join('\n') + '\n');
    return p(`${name}.info`);
  };
  const key = (name: string): string => {
    certtool(['--generate-privkey', '--key-type', 'rsa', '--bits', '2048', '--outfile', p(`${name}key.pem`)]);
    return p(`${name}key.pem`);
  };
  const selfSigned = (name: string, cn: string): void => {
    certtool(['--generate-self-signed', '--load-privkey', key(name), '--template', template(name, [`cn = ${cn}`, 'ca', 'cert_signing_key', 'crl_signing_key', 'expiration_days = 30']), '--outfile', p(`${name}cert.pem`)]);
  };
  const signed = (name: string, keyFile: string, ca: string, lines: string[]): string => {
    certtool(['--generate-certificate', '--load-privkey', keyFile, '--load-ca-certificate', p(`${ca}cert.pem`), '--load-ca-privkey', p(`${ca}key.pem`), '--template', template(name, [...lines, 'expiration_days = 30']), '--outfile', p(`${name}cert.pem`)]);
    return p(`${name}cert.pem`);
  };

  selfSigned('ca', 'libvirt-rpc test CA');
  selfSigned('otherca', 'libvirt-rpc untrusted CA');
  // The server's certificate names localhost only: 127.0.0.1 is the "wrong hostname".
  signed('server', key('server'), 'ca', ['organization = libvirt-rpc', 'cn = localhost', 'dns_name = localhost', 'tls_www_server', 'encryption_key', 'signing_key']);
  const clientKey = key('client');
  const client = (cn: string): string[] => ['country = GB', 'organization = libvirt-rpc', `cn = ${cn}`, 'tls_www_client', 'encryption_key', 'signing_key'];
  signed('client', clientKey, 'ca', client('client1'));
  signed('client2', clientKey, 'ca', client('client2'));
  signed('otherclient', clientKey, 'otherca', client('client1'));
  certtool([
    '--generate-crl',
    '--load-ca-privkey', p('cakey.pem'),
    '--load-ca-certificate', p('cacert.pem'),
    '--load-certificate', p('servercert.pem'),
    '--template', template('crl', ['crl_next_update = 30', 'crl_number = 1']),
    '--outfile', p('revoked-server-crl.pem'),
  ]);

  return {
    dir,
    cacert: p('cacert.pem'),
    otherCacert: p('othercacert.pem'),
    serverCert: p('servercert.pem'),
    serverKey: p('serverkey.pem'),
    clientCert: p('clientcert.pem'),
    clientKey,
    client2Cert: p('client2cert.pem'),
    otherClientCert: p('otherclientcert.pem'),
    crlRevokingServer: p('revoked-server-crl.pem'),
    clientDN: 'C=GB,O=libvirt-rpc,CN=client1',
    pkipath(name, files) {
      const d = join(dir, 'pki', name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      const put = (src: string | null | undefined, as: string): void => {
        if (src) {
          if (!existsSync(src)) throw new Error(`no ${src}`);
          copyFileSync(src, join(d, as));
        }
      };
      put(files.cacert, 'cacert.pem');
      put(files.cert, 'clientcert.pem');
      put(files.key, 'clientkey.pem');
      put(files.crl, 'cacrl.pem');
      return d;
    },
  };
}
