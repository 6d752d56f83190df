import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schema } from '../../src/protocol/generated/schema.js';
import type { SchemaShape } from '../../src/protocol/schema.js';

const root = new URL('../../..', import.meta.url).pathname;
const methods = readFileSync(join(root, 'src/api/generated/methods.ts'), 'utf8');
const handWritten = ['src/api/objects.ts', 'src/api/connection.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');

/** Fields that only say how long an array beside them is. */
const COUNT = ['ret', 'num', 'nparams', 'nerrors', 'ncpumaps', 'nstats', 'ninfo'];
const isArray = (s: SchemaShape): boolean => s.k === 'varray' || s.k === 'vopaque' || s.k === 'farray';

/** Every `async name(params): Promise<T>` of a source text. */
function signatures(text: string): { name: string; params: string; ret: string }[] {
  return [...text.matchAll(/^ {2}async (\w+)\((.*)\): Promise<(.*)> \{$/gm)].map((m) => ({ name: m[1]!, params: m[2]!, ret: m[3]! }));
}

describe('API contract: what the generator emits', () => {
  const sigs = signatures(methods);

  it('emits 300+ calling methods, each with a last `options?: CallOptions`', () => {
    expect(sigs.length).to.be.greaterThan(300);
    const without = sigs.filter((s) => !s.params.endsWith('options?: CallOptions'));
    expect(without.map((s) => s.name)).to.deep.equal([]);
    const hand = signatures(handWritten).filter((s) => !s.name.startsWith('_'));
    expect(hand.filter((s) => !/options\?: CallOptions$/.test(s.params) && !/^(close|registerCloseCallback|unregisterCloseCallback|setKeepAlive)$/.test(s.name) && !/Event|event/.test(s.name)).map((s) => s.name)).to.deep.equal([]);
  });

  it('no result type carries a wire count field beside an array', () => {
    const offenders: string[] = [];
    for (const s of sigs) {
      // Inline object types: `{ a: T; ret: number }`.
      for (const f of COUNT) if (new RegExp(`[{;] ${f}: `).test(s.ret)) offenders.push(`${s.name}: ${f}`);
      // Named wire structs returned as they are.
      for (const m of s.ret.matchAll(/\bremote_\w+/g)) {
        const t = schema[m[0]];
        if (t?.kind !== 'struct' || !t.fields.some((f) => isArray(f.shape))) continue;
        for (const f of t.fields) if (COUNT.includes(f.name)) offenders.push(`${s.name}: ${m[0]}.${f.name}`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it('no 64-bit input is bigint-only, and 0/1 switches take booleans', () => {
    const bigOnly = sigs.filter((s) => /\w+: bigint(?!\s*\|)/.test(s.params.replace(/number \| bigint/g, '')));
    expect(bigOnly.map((s) => `${s.name}(${s.params})`)).to.deep.equal([]);
    for (const m of ['setAutostart', 'setVcpu']) expect(sigs.filter((s) => s.name === m).every((s) => /boolean \| number/.test(s.params)), m).to.equal(true);
  });

  it('output-buffer sizes are optional', () => {
    const sized = sigs.filter((s) => /\b(maxids|maxnames|maxuuids|maxerrors|maxinfo|maplen|ncpumaps|maxStats)\b/.test(s.params));
    expect(sized.length).to.be.greaterThan(10);
    expect(sized.filter((s) => !/\b(maxids|maxnames|maxuuids|maxerrors|maxinfo|maplen|ncpumaps|maxStats)\?: number/.test(s.params)).map((s) => s.name)).to.deep.equal([]);
  });
});
