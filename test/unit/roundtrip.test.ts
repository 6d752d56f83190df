import { expect } from 'chai';
import fc from 'fast-check';
import * as admin from '../../src/protocol/generated/admin.js';
import * as keepalive from '../../src/protocol/generated/keepalive.js';
import * as lxc from '../../src/protocol/generated/lxc.js';
import * as qemu from '../../src/protocol/generated/qemu.js';
import * as remote from '../../src/protocol/generated/remote.js';
import { schema } from '../../src/protocol/generated/schema.js';
import * as virnet from '../../src/protocol/generated/virnet.js';
import { type Codec, XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import { arbitraryFor } from '../support/arbitraries.js';

const MODULES: Record<string, Record<string, unknown>> = { admin, keepalive, lxc, qemu, remote, virnet };
const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 20);

function codecOf(name: string): Codec<unknown> {
  const c = MODULES[schema[name]!.module]![name] as Codec<unknown> | undefined;
  if (!c || typeof c.encode !== 'function') throw new Error(`no codec exported for ${name}`);
  return c;
}

function encode(codec: Codec<unknown>, v: unknown): Buffer {
  const w = new XdrWriter(64);
  codec.encode(w, v);
  return Buffer.from(w.bytes());
}

describe('round trip of every generated type (fast-check)', function () {
  this.timeout(120_000);
  const names = Object.keys(schema);

  it(`covers all ${names.length} types of the six .x files`, () => {
    expect(names.length).to.be.greaterThan(700);
    for (const n of names) codecOf(n);
  });

  for (const module of Object.keys(MODULES)) {
    it(`decode(encode(v)) deep-equals v and re-encodes to the same bytes: ${module}`, () => {
      for (const name of names.filter((n) => schema[n]!.module === module)) {
        const codec = codecOf(name);
        // NaN has several encodings; the same value must still re-encode to the same bytes.
        fc.assert(
          fc.property(arbitraryFor(name, { nan: false }), (v) => {
            const bytes = encode(codec, v);
            const r = new XdrReader(bytes);
            const back = codec.decode(r);
            r.done(name);
            expect(back, name).to.deep.equal(v);
            if (codec.decodeSliced) {
              // The sliced decoder (types that hold arrays) reads the same value, a slice at a time.
              const rs = new XdrReader(bytes);
              const slices = codec.decodeSliced(rs);
              let step = slices.next();
              while (!step.done) step = slices.next();
              rs.done(name);
              expect(step.value, `${name}, sliced`).to.deep.equal(v);
            }
            expect(encode(codec, back).equals(bytes), `${name} re-encodes identically`).to.equal(true);
          }),
          { numRuns: RUNS },
        );
      }
    });
  }
});
