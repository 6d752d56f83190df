// known_hosts parsing, matching and writing; ssh-keygen (-F, -H, -l) is the oracle where installed.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addKnownHost,
  checkHostKey,
  checkHostKeyAnyType,
  fingerprintHexMD5,
  fingerprintHexSHA256,
  fingerprintSHA256,
  hashHostName,
  hostFieldMatches,
  keyBlobType,
  keyTypeLabel,
  knownHostName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/ssh-known-hosts.js';

const HAVE_KEYGEN = existsSync('/usr/bin/ssh-keygen');

// Two fixed ed25519 keys and an RSA-typed blob (only the type matters for matching).
const K1 = 'AAAAC3NzaC1lZDI1NTE5AAAAIA/i9hDcZTgqlYp+xRwUzSFKJDb1QIckFcwMBVM6xnO8';
const K2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIGlkMUl+kx070A7dExtg7vnjKr4p8ozu4z/8XL6PrDUc';
const b = (s: string): Buffer => Buffer.from(s, 'base64');
const rsaBlob = (): Buffer => {
  const t = Buffer.from('ssh-rsa');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from([0, 0, 0, 1, 3, 0, 0, 0, 1, 5])]);
};

describe('known_hosts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync('/tmp/libvirt-rpc-kh-');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses entries, markers, comments; skips junk and SSH-1 lines', () => {
    const text = [
      '# comment',
      '',
      `host1,host2 ssh-ed25519 ${K1} a comment`,
      `@revoked * ssh-ed25519 ${K2}`,
      `@cert-authority *.example ssh-ed25519 ${K2}`,
      'host3 1024 35 12345',
      'broken-line',
      `@unknown host ssh-ed25519 ${K1}`,
    ].join('\n');
    const e = parseKnownHosts(text, 'f');
    expect(e.map((x) => [x.line, x.marker, x.hosts, x.keyType])).to.deep.equal([
      [3, null, 'host1,host2', 'ssh-ed25519'],
      [4, 'revoked', '*', 'ssh-ed25519'],
      [5, 'cert-authority', '*.example', 'ssh-ed25519'],
    ]);
    expect(keyBlobType(e[0]!.key)).to.equal('ssh-ed25519');
  });

  it('names: host for port 22, [host]:port otherwise', () => {
    expect(knownHostName('h', 22)).to.equal('h');
    expect(knownHostName('h', null)).to.equal('h');
    expect(knownHostName('127.0.0.1', 2222)).to.equal('[127.0.0.1]:2222');
  });

  it('host fields: pattern lists with negation, and hashed names', () => {
    expect(hostFieldMatches('a.example,!b.example,*.test', 'x.test')).to.equal(true);
    expect(hostFieldMatches('*.example,!b.example', 'b.example')).to.equal(false);
    expect(hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222')).to.equal(true);
    expect(hostFieldMatches('127.0.0.1', '[127.0.0.1]:2222')).to.equal(false);
    const hashed = hashHostName('[127.0.0.1]:2222');
    expect(hostFieldMatches(hashed, '[127.0.0.1]:2222')).to.equal(true);
    expect(hostFieldMatches(hashed, '127.0.0.1')).to.equal(false);
  });

  it('our hashed entries are found by ssh-keygen -F, and ssh-keygen -H entries by us', function () {
    if (!HAVE_KEYGEN) this.skip();
    const f = join(dir, 'kh1');
    writeFileSync(f, '');
    addKnownHost(f, '[127.0.0.1]:2222', b(K1), { hash: true });
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', f], { encoding: 'utf8' });
    expect(found).to.contain(K1);
    const g = join(dir, 'kh2');
    writeFileSync(g, `[10.0.0.1]:2200 ssh-ed25519 ${K2}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', g], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(g, 'utf8'));
    expect(entries[0]!.hosts.startsWith('|1|')).to.equal(true);
    expect(checkHostKey(entries, ['[10.0.0.1]:2200'], b(K2)).status).to.equal('ok');
  });

  it('check: ok, changed (same type, other key), other (other types only), revoked, unknown', () => {
    const entries = parseKnownHosts([`a ssh-ed25519 ${K1}`, `c ssh-rsa ${rsaBlob().toString('base64')}`, `@revoked * ssh-ed25519 ${K2}`, `d ssh-ed25519 ${K2}`].join('\n'));
    expect(checkHostKey(entries, ['a'], b(K1)).status).to.equal('ok');
    expect(checkHostKey(entries, ['a'], b(K2)).status).to.equal('revoked');
    const changed = checkHostKey(parseKnownHosts(`a ssh-ed25519 ${K1}`), ['a'], b(K2));
    expect(changed.status).to.equal('changed');
    expect(checkHostKey(entries, ['c'], b(K1)).status).to.equal('other');
    expect(checkHostKeyAnyType(entries, ['c'], b(K1)).status).to.equal('changed'); // libssh/libssh2
    expect(checkHostKey(entries, ['zzz'], b(K1)).status).to.equal('unknown');
    expect(knownKeyTypes(entries, ['c'])).to.deep.equal(['ssh-rsa']);
  });

  it('adds lines (plain, with comment, hashed) and creates the directory unless told not to', () => {
    const f = join(dir, 'sub/dir/known_hosts');
    addKnownHost(f, '[h]:2', b(K1), { comment: 'added by libvirt ssh transport' });
    addKnownHost(f, 'h2', b(K2));
    expect(readFileSync(f, 'utf8')).to.equal(`[h]:2 ssh-ed25519 ${K1} added by libvirt ssh transport\nh2 ssh-ed25519 ${K2}\n`);
    expect(() => addKnownHost(join(dir, 'missing/known_hosts'), 'h', b(K1), { createDir: false })).to.throw();
  });

  it('fingerprints: OpenSSH SHA256, libssh hex SHA256, libssh2 hex MD5 (ssh-keygen -l as oracle)', function () {
    const key = b(K1);
    expect(fingerprintHexSHA256(key)).to.match(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(fingerprintHexMD5(key)).to.match(/^([0-9A-F]{2}:){15}[0-9A-F]{2}$/);
    if (!HAVE_KEYGEN) this.skip();
    const pub = join(dir, 'k.pub');
    writeFileSync(pub, `ssh-ed25519 ${K1} x\n`);
    const sha = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1];
    const md5 = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', pub], { encoding: 'utf8' }).split(' ')[1];
    expect(fingerprintSHA256(key)).to.equal(sha);
    expect('MD5:' + fingerprintHexMD5(key).toLowerCase()).to.equal(md5);
    expect(keyTypeLabel('ssh-ed25519')).to.equal('ED25519');
    expect(keyTypeLabel('ecdsa-sha2-nistp256')).to.equal('ECDSA');
  });
});
