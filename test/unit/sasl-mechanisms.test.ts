// SASL mechanisms without a daemon: SCRAM against the test vectors of RFC 5802 (SHA-1) and
// RFC 7677 (SHA-256), SASLprep (RFC 4013), DIGEST-MD5 against RFC 2831's example, its security
// layer, and the choice of auth type.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chooseAuthType } from '../../src/rpc/sasl.js';
import { DigestMd5Client, parseDirectives, type DigestCipher, type SecurityLayer } from '../../src/rpc/sasl-digest.js';
import { SaslMechanismError, saslprep, ScramClient } from '../../src/rpc/sasl-scram.js';
import { REMOTE_AUTH_NONE, REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL } from '../../src/protocol/generated/remote.js';

describe('SASL: SCRAM test vectors', function () {
  it('SCRAM-SHA-1 (RFC 5802 section 5)', function () {
    const c = new ScramClient('sha1', 'user', 'pencil', 'fyko+d2lbbFgONRv9qkxdawL');
    expect(c.first().toString()).to.equal('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
    const final = c.final(Buffer.from('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'));
    expect(final.toString()).to.equal('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    c.verify(Buffer.from('v=rmF9pqV8S7suAoZWja4dJRkFsKQ='));
  });

  it('SCRAM-SHA-256 (RFC 7677 section 3)', function () {
    const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(c.first().toString()).to.equal('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = c.final(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    expect(final.toString()).to.equal('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    c.verify(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
  });

  it('refuses a wrong server signature, a nonce that is not ours, a server error', function () {
    const c = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    c.first();
    c.final(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    expect(() => c.verify(Buffer.from('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='))).to.throw(SaslMechanismError, /server signature/);
    expect(() => c.verify(Buffer.from('e=invalid-proof'))).to.throw(SaslMechanismError, /invalid-proof/);
    const d = new ScramClient('sha1', 'user', 'pencil', 'abc');
    d.first();
    expect(() => d.final(Buffer.from('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096'))).to.throw(SaslMechanismError, /nonce/);
  });

  it('escapes , and = in the user name', function () {
    const c = new ScramClient('sha256', 'a,b=c', 'x', 'nonce');
    expect(c.first().toString()).to.equal('n,,n=a=2Cb=3Dc,r=nonce');
  });
});

describe('SASL: SASLprep (RFC 4013 section 3 examples)', function () {
  it('maps and normalizes', function () {
    expect(saslprep('I\u00ADX')).to.equal('IX');
    expect(saslprep('user')).to.equal('user');
    expect(saslprep('USER')).to.equal('USER');
    expect(saslprep('\u00AA')).to.equal('a');
    expect(saslprep('\u2168')).to.equal('IX');
    expect(saslprep('a\u00A0b')).to.equal('a b');
  });

  it('prohibits control characters and bad bidirectional strings', function () {
    expect(() => saslprep('\u0007')).to.throw(SaslMechanismError);
    expect(() => saslprep('\u0627\u0031')).to.throw(SaslMechanismError);
    expect(saslprep('\u0627\u0031\u0628')).to.equal('\u0627\u0031\u0628');
  });
});

describe('SASL: DIGEST-MD5', function () {
  const challenge = Buffer.from('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');

  it("computes RFC 2831's example response and checks its rspauth", function () {
    const c = new DigestMd5Client({ service: 'imap', host: 'elwood.innosoft.com', username: 'chris', password: 'secret', minSsf: 0, maxSsf: 0, cnonce: 'OA6MHXh6VqTrRk' });
    const r = parseDirectives(c.respond(challenge).toString());
    expect(r.get('response')).to.deep.equal(['d388dad90d4bbd760a152321f2143af7']);
    expect(r.get('digest-uri')).to.deep.equal(['imap/elwood.innosoft.com']);
    expect(r.get('qop')).to.deep.equal(['auth']);
    expect(r.get('realm')).to.deep.equal(['elwood.innosoft.com']);
    c.verify(Buffer.from('rspauth=ea40f60335c427b5527b84dbabcdfffd'));
    expect(() => c.verify(Buffer.from('rspauth=00000000000000000000000000000000'))).to.throw(SaslMechanismError);
    expect(c.layer()).to.equal(null);
  });

  it('picks the strongest cipher within the SSF bounds, or refuses', function () {
    const offer = Buffer.from('realm="r",nonce="n",qop="auth,auth-int,auth-conf",cipher="rc4-40,rc4-56,rc4,des,3des",maxbuf=65536,charset=utf-8,algorithm=md5-sess');
    const pick = (minSsf: number, maxSsf: number, ciphers?: DigestCipher[]): string => {
      const c = new DigestMd5Client({ service: 'libvirt', host: 'h', username: 'u', password: 'p', minSsf, maxSsf, ciphers });
      c.respond(offer);
      return `${c.qop}/${c.cipher}/${c.ssf}`;
    };
    expect(pick(56, 100000)).to.equal('auth-conf/rc4/128');
    expect(pick(56, 112)).to.equal('auth-conf/3des/112');
    expect(pick(0, 0)).to.equal('auth/null/0');
    expect(pick(56, 100000, ['rc4-56'])).to.equal('auth-conf/rc4-56/56');
    expect(() => pick(200, 100000)).to.throw(SaslMechanismError, /no protection/);
  });

  /** Both ends of one negotiated layer (the same exchange, built as client and as server). */
  function layers(cipher: DigestCipher | null): { client: SecurityLayer; server: SecurityLayer } {
    const qop = cipher ? 'auth-conf' : 'auth-int';
    const offer = Buffer.from(`realm="r",nonce="n",qop="${qop}",cipher="${cipher ?? ''}",maxbuf=4096,charset=utf-8,algorithm=md5-sess`);
    const make = (): DigestMd5Client => {
      const c = new DigestMd5Client({ service: 'libvirt', host: 'h', username: 'u', password: 'p', minSsf: cipher ? 40 : 1, maxSsf: 100000, cnonce: 'cn', maxbuf: 4096 });
      c.respond(offer);
      return c;
    };
    return { client: make().layer('client')!, server: make().layer('server')! };
  }

  for (const cipher of [null, 'rc4', 'rc4-56', 'rc4-40', '3des', 'des'] as const) {
    it(`security layer both ways (${cipher ?? 'auth-int'}): frames, splitting, sequence numbers, chained cipher state`, function () {
      const { client, server } = layers(cipher);
      const messages = [Buffer.from('hello'), Buffer.alloc(10_000, 7), createHash('sha256').update('x').digest(), Buffer.from('x'.repeat(4079))];
      for (const [from, to] of [
        [client, server],
        [server, client],
      ] as const) {
        for (let round = 0; round < 2; round++) {
          const wire = Buffer.concat(messages.map((m) => from.encode(m)));
          // Fed in odd pieces, as TCP may deliver them.
          const out: Buffer[] = [];
          for (let at = 0; at < wire.length; at += 333) out.push(...to.decode(wire.subarray(at, at + 333)));
          expect(Buffer.concat(out).equals(Buffer.concat(messages))).to.equal(true);
          // 10 000 bytes do not fit one 4096-byte frame.
          expect(out.length).to.be.greaterThan(messages.length);
        }
      }
    });
  }

  it('rejects a tampered, replayed or oversized frame', function () {
    const { client, server } = layers('rc4');
    const frame = client.encode(Buffer.from('payload'));
    const tampered = Buffer.from(frame);
    tampered[6]! ^= 1;
    expect(() => server.decode(tampered)).to.throw(SaslMechanismError, /integrity/);
    const other = layers('rc4');
    other.server.decode(other.client.encode(Buffer.from('one')));
    const second = other.client.encode(Buffer.from('two'));
    expect(other.server.decode(second)[0]!.toString()).to.equal('two');
    expect(() => other.server.decode(second)).to.throw(SaslMechanismError, /sequence/);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(1 << 20);
    expect(() => layers(null).server.decode(huge)).to.throw(SaslMechanismError, /out of bounds/);
  });
});

describe('SASL: choice of auth type (remoteAuthenticate)', function () {
  it("takes the daemon's first type, or the one ?auth= asks for", function () {
    expect(chooseAuthType([], undefined)).to.deep.equal({ type: REMOTE_AUTH_NONE, mechanism: null });
    expect(chooseAuthType([REMOTE_AUTH_SASL], undefined)).to.deep.equal({ type: REMOTE_AUTH_SASL, mechanism: null });
    expect(chooseAuthType([REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL], 'sasl.SCRAM-SHA-256')).to.deep.equal({ type: REMOTE_AUTH_SASL, mechanism: 'SCRAM-SHA-256' });
    expect(chooseAuthType([REMOTE_AUTH_POLKIT, REMOTE_AUTH_SASL], 'SASL')).to.deep.equal({ type: REMOTE_AUTH_SASL, mechanism: null });
    expect(() => chooseAuthType([REMOTE_AUTH_SASL], 'polkit')).to.throw(/requested authentication type polkit rejected/);
    expect(() => chooseAuthType([REMOTE_AUTH_SASL], 'kerberos')).to.throw(/unknown authentication type kerberos/);
  });
});
