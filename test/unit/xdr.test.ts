import { expect } from 'chai';
import { XdrError, XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import * as remote from '../../src/protocol/generated/remote.js';
import * as virnet from '../../src/protocol/generated/virnet.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const enc = (f: (w: XdrWriter) => void): Buffer => {
  const w = new XdrWriter(8);
  f(w);
  return Buffer.from(w.bytes());
};
const bytes = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');

function expectXdrError(f: () => unknown, where: RegExp | string, detail: RegExp): XdrError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(XdrError);
    const x = e as XdrError;
    if (typeof where === 'string') expect(x.where).to.equal(where);
    else expect(x.where).to.match(where);
    expect(x.detail).to.match(detail);
    return x;
  }
  throw new Error('expected an XdrError');
}

describe('XDR primitives (RFC 4506)', () => {
  it('int and unsigned int are 4 big-endian bytes', () => {
    expect(hex(enc((w) => w.int('x', -2)))).to.equal('fffffffe');
    expect(hex(enc((w) => w.uint('x', 0xdeadbeef)))).to.equal('deadbeef');
    expect(new XdrReader(bytes('fffffffe')).int('x')).to.equal(-2);
    expect(new XdrReader(bytes('fffffffe')).uint('x')).to.equal(0xfffffffe);
  });

  it('hyper and unsigned hyper cover the full 64-bit range as bigint', () => {
    const min = -(1n << 63n);
    const umax = (1n << 64n) - 1n;
    expect(hex(enc((w) => w.hyper('x', min)))).to.equal('8000000000000000');
    expect(hex(enc((w) => w.uhyper('x', umax)))).to.equal('ffffffffffffffff');
    expect(new XdrReader(bytes('8000000000000000')).hyper('x')).to.equal(min);
    expect(new XdrReader(bytes('ffffffffffffffff')).uhyper('x')).to.equal(umax);
    expect(() => enc((w) => w.uhyper('x', -1n))).to.throw(XdrError, /64-bit unsigned/);
    expect(() => enc((w) => w.hyper('x', 1n << 63n))).to.throw(XdrError, /64-bit signed/);
  });

  it('float, double and bool', () => {
    expect(hex(enc((w) => w.float('x', 1.5)))).to.equal('3fc00000');
    expect(hex(enc((w) => w.double('x', -2.25)))).to.equal('c002000000000000');
    expect(new XdrReader(bytes('3fc00000')).float('x')).to.equal(1.5);
    expect(hex(enc((w) => w.bool('x', true)))).to.equal('00000001');
    expectXdrError(() => new XdrReader(bytes('00000002')).bool('flag'), 'flag', /0 or 1/);
  });

  it('opaque and string are padded to 4 bytes with zeros', () => {
    expect(hex(enc((w) => w.varOpaque('x', new Uint8Array([1, 2, 3]), 10)))).to.equal('00000003' + '01020300');
    expect(hex(enc((w) => w.fixedOpaque('x', new Uint8Array([1, 2, 3, 4, 5]), 5)))).to.equal('0102030405000000');
    expect(hex(enc((w) => w.string('x', 'héllo', 100)))).to.equal('00000006' + '68c3a96c6c6f' + '0000');
    expect(new XdrReader(bytes('00000006 68c3a96c6c6f 0000')).string('x', 100)).to.equal('héllo');
    const long = 'ü'.repeat(40);
    const r = new XdrReader(enc((w) => w.string('x', long, 1000)));
    expect(r.string('x', 1000)).to.equal(long);
    r.done('x');
  });

  it('non-zero padding is refused', () => {
    expectXdrError(() => new XdrReader(bytes('00000001 41000100')).string('s', 10), 's', /non-zero padding/);
  });

  it('char and short travel as 4-byte ints and must fit their C type', () => {
    expect(hex(enc((w) => w.ranged('c', -1, -128, 127)))).to.equal('ffffffff');
    expect(() => enc((w) => w.ranged('c', 200, -128, 127))).to.throw(XdrError, /-128..127/);
    expectXdrError(() => new XdrReader(bytes('00000100')).ranged('uc', 0, 255), 'uc', /out of range/);
  });

  it('bad JavaScript values are refused with the field name', () => {
    expectXdrError(() => enc((w) => w.int('remote_x.count', 1.5)), 'remote_x.count', /32-bit signed integer/);
    expectXdrError(() => enc((w) => w.uint('remote_x.count', -1)), 'remote_x.count', /unsigned/);
    expectXdrError(() => enc((w) => w.string('remote_x.name', 42 as unknown as string, 10)), 'remote_x.name', /string/);
    expectXdrError(() => enc((w) => w.string('remote_x.name', 'a'.repeat(11), 10)), 'remote_x.name', /exceeds bound 10/);
    expectXdrError(() => enc((w) => w.fixedOpaque('remote_x.uuid', new Uint8Array(15), 16)), 'remote_x.uuid', /16 bytes/);
  });
});

describe('XDR decoding of untrusted bytes', () => {
  it('truncated input names the type and field and never reads past the end', () => {
    const w = new XdrWriter();
    remote.enc_remote_nonnull_domain(w, { name: 'vm1', uuid: new Uint8Array(16), id: 7 });
    const full = Buffer.from(w.bytes());
    for (let cut = 0; cut < full.length; cut++) {
      const e = expectXdrError(() => remote.dec_remote_nonnull_domain(new XdrReader(full.subarray(0, cut))), /^remote_nonnull_domain\.(name|uuid|id)$/, /truncated|exceeds/);
      expect(e.message).to.match(/remote_nonnull_domain\./);
    }
    expect(remote.dec_remote_nonnull_domain(new XdrReader(full)).name).to.equal('vm1');
  });

  it('a length over its declared bound is refused before allocating', () => {
    // remote_connect_list_all_domains_ret.domains<REMOTE_DOMAIN_LIST_MAX = 16384>
    const buf = bytes('00004001');
    expectXdrError(() => remote.dec_remote_connect_list_all_domains_ret(new XdrReader(buf)), 'remote_connect_list_all_domains_ret.domains', /length 16385 exceeds bound 16384/);
  });

  it('a length over what is left in the buffer is refused before allocating', () => {
    // 1000 domains announced, 8 bytes follow: each domain needs at least 24 bytes.
    const buf = bytes('000003e8 0000000000000000');
    expectXdrError(() => remote.dec_remote_connect_list_all_domains_ret(new XdrReader(buf)), 'remote_connect_list_all_domains_ret.domains', /exceeds the 8 bytes left/);
    // A string announcing 4 GiB - 1 bytes on a 8-byte buffer.
    expectXdrError(() => new XdrReader(bytes('ffffffff 00000000')).string('s', 0xffffffff), 's', /exceeds the 4 bytes left/);
  });

  it('an unknown union discriminant is refused', () => {
    // remote_typed_param { field = "a", value.type = 99 }
    const buf = bytes('00000001 61000000 00000063');
    expectXdrError(() => remote.dec_remote_typed_param(new XdrReader(buf)), 'remote_typed_param_value.type', /unknown discriminant 99/);
  });

  it('an enum value out of range is refused', () => {
    // virNetMessageHeader with type = 9
    const buf = bytes('20008086 00000001 00000001 00000009 00000001 00000000');
    expectXdrError(() => virnet.dec_virNetMessageHeader(new XdrReader(buf)), 'virNetMessageHeader.type', /enum value 9 is not declared/);
  });

  it('bad optional and bool discriminants are refused', () => {
    // remote_string: present flag 2
    expectXdrError(() => remote.dec_remote_string(new XdrReader(bytes('00000002'))), 'remote_string', /0 or 1/);
  });

  it('encoding checks bounds too', () => {
    const w = new XdrWriter();
    const domains = Array.from({ length: 16385 }, () => ({ name: 'x', uuid: new Uint8Array(16), id: 1 }));
    expectXdrError(() => remote.enc_remote_connect_list_all_domains_ret(w, { domains, ret: 0 }), 'remote_connect_list_all_domains_ret.domains', /exceeds bound 16384/);
    expectXdrError(
      () => remote.enc_remote_typed_param_value(w, { type: 42 } as unknown as remote.remote_typed_param_value),
      'remote_typed_param_value.type',
      /unknown discriminant 42/,
    );
    expectXdrError(() => remote.enc_remote_nonnull_domain(w, null as unknown as remote.remote_nonnull_domain), 'remote_nonnull_domain', /expected an object/);
  });

  it('trailing bytes are reported by done()', () => {
    const r = new XdrReader(bytes('00000001 00000002'));
    r.int('a');
    expectXdrError(() => r.done('reply'), 'reply', /4 unexpected trailing bytes/);
  });
});
