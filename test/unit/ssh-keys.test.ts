// Key files (public part before any passphrase, lazy decryption) and auth.conf lookups.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { authConfigLookup, parseKeyFile } from '../../src/util/credentials.js';
import { KeyFileError, KeyFileIdentity, openSSHPublicBlob } from '../../src/transport/ssh-keys.js';

const HAVE_KEYGEN = existsSync('/usr/bin/ssh-keygen');

describe('ssh key files', function () {
  let dir: string;
  before(function () {
    if (!HAVE_KEYGEN) this.skip();
    dir = mkdtempSync('/tmp/libvirt-rpc-keys-');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-f', join(dir, 'enc'), '-N', 'pw', '-C', 'enc'], { stdio: 'ignore' });
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-f', join(dir, 'plain'), '-N', '', '-C', 'plain'], { stdio: 'ignore' });
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const pubBlob = (f: string): Buffer => Buffer.from(readFileSync(`${f}.pub`, 'utf8').split(' ')[1]!, 'base64');

  it('reads the public key of an encrypted OpenSSH key without its passphrase', async () => {
    expect(openSSHPublicBlob(readFileSync(join(dir, 'enc'), 'utf8'))!.equals(pubBlob(join(dir, 'enc')))).to.equal(true);
  });

  it('offers the public key first and asks for the passphrase only when signing', async () => {
    const asked: number[] = [];
    const id = KeyFileIdentity.open(join(dir, 'enc'), {
      publicFromPrivate: true,
      attempts: 3,
      passphrase: async (_f, attempt) => {
        asked.push(attempt);
        return attempt === 0 ? 'wrong' : 'pw';
      },
    })!;
    const pub = await id.public();
    expect(asked).to.deep.equal([]);
    expect(pub.getPublicSSH().equals(pubBlob(join(dir, 'enc')))).to.equal(true);
    const priv = await id.private();
    expect(asked).to.deep.equal([0, 1]);
    expect(priv.isPrivateKey()).to.equal(true);
  });

  it('without .pub and without publicFromPrivate (libssh), the passphrase is needed up front', async () => {
    const copy = join(dir, 'enc-copy');
    writeFileSync(copy, readFileSync(join(dir, 'enc')));
    let asked = 0;
    const id = KeyFileIdentity.open(copy, {
      publicFromPrivate: false,
      attempts: 1,
      passphrase: async () => {
        asked++;
        return 'pw';
      },
    })!;
    await id.public();
    expect(asked).to.equal(1);
  });

  it('wrong passphrases and no passphrase are KeyFileErrors', async () => {
    const wrong = KeyFileIdentity.open(join(dir, 'enc'), { publicFromPrivate: true, attempts: 2, passphrase: async () => 'nope' })!;
    const e1 = await wrong.private().catch((e: unknown) => e);
    expect(e1).to.be.instanceOf(KeyFileError).and.to.include({ kind: 'passphrase' });
    expect((e1 as Error).message).to.match(/wrong passphrase\?$/);
    const none = KeyFileIdentity.open(join(dir, 'enc'), { publicFromPrivate: true, attempts: 2, passphrase: async () => null })!;
    expect(await none.private().catch((e: unknown) => e)).to.include({ kind: 'no-passphrase' });
  });

  it('unencrypted keys load without asking; a missing file is null', async () => {
    const id = KeyFileIdentity.open(join(dir, 'plain'), { publicFromPrivate: false, attempts: 1, passphrase: async () => expect.fail('asked') })!;
    expect((await id.private()).type).to.equal('ssh-rsa');
    expect(KeyFileIdentity.open(join(dir, 'absent'), { publicFromPrivate: false, attempts: 1, passphrase: async () => null })).to.equal(null);
  });
});

describe('auth.conf', () => {
  const text = '[credentials-test]\nusername=root\npassword=s3cret\n\n[auth-ssh-host1]\ncredentials=test\n\n[auth-ssh-default]\ncredentials=other\n\n[credentials-other]\npassword=fallback\n# comment\n';
  let dir: string;
  before(() => {
    dir = mkdtempSync('/tmp/libvirt-rpc-authconf-');
    writeFileSync(join(dir, 'auth.conf'), text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses GKeyFile groups', () => {
    expect(parseKeyFile(text).get('credentials-test')!.get('password')).to.equal('s3cret');
  });

  it('looks up [auth-SERVICE-HOST], else [auth-SERVICE-default] (virAuthConfigLookup)', () => {
    expect(authConfigLookup(join(dir, 'auth.conf'), 'ssh', 'host1', 'password')).to.equal('s3cret');
    expect(authConfigLookup(join(dir, 'auth.conf'), 'ssh', 'elsewhere', 'password')).to.equal('fallback');
    expect(authConfigLookup(join(dir, 'auth.conf'), 'ssh', 'elsewhere', 'username')).to.equal(null);
    expect(authConfigLookup(join(dir, 'auth.conf'), 'libvirt', 'host1', 'password')).to.equal(null);
    expect(authConfigLookup(null, 'ssh', 'host1', 'password')).to.equal(null);
  });
});
