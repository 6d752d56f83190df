import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schema } from '../../src/protocol/generated/schema.js';
import type { SchemaShape } from '../../src/protocol/schema.js';
import * as net from 'node:net';
import { DEFAULT_OPEN_TIMEOUT_MS, connect } from '../../src/api/open.js';
import { VIR_ERR_OPERATION_ABORTED, VIR_ERR_OPERATION_TIMEOUT } from '../../src/apixml/generated/constants.js';
import { rejection } from '../support/expect.js';
import { FakeLibvirtd } from './events-fake-libvirtd.js';

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

  it('the admin API\'s generated methods follow the same rules', () => {
    const admin = signatures(readFileSync(join(root, 'src/admin/generated/methods.ts'), 'utf8'));
    expect(admin.map((s) => s.name)).to.include.members(['listServers', 'lookupServer', 'getThreadPoolParameters', 'setThreadPoolParameters', 'listClients', 'lookupClient', 'getClientLimits', 'setClientLimits', 'updateTlsFiles', 'getInfo', 'close', 'getLoggingFilters', 'getLoggingOutputs', 'setLoggingFilters', 'setLoggingOutputs', 'setDaemonTimeout', 'getLibVersion']);
    expect(admin.filter((s) => !s.params.endsWith('options?: CallOptions')).map((s) => s.name)).to.deep.equal([]);
    expect(admin.filter((s) => /\bn(outputs|filters)\b|\bret:/.test(s.ret)).map((s) => s.name)).to.deep.equal([]);
    expect(admin.find((s) => s.name === 'lookupClient')?.params).to.match(/id: number \| bigint/);
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

describe('API contract: per-call timeouts and the open deadline (fake daemon)', function () {
  this.timeout(20_000);

  it('a timeout rejects a generated method with VIR_ERR_OPERATION_TIMEOUT; the late reply is dropped and the connection goes on', async () => {
    const held: (() => void)[] = [];
    const d = new FakeLibvirtd({
      intercept: (call, name, _args, fake) => {
        if (name !== 'REMOTE_PROC_CONNECT_GET_HOSTNAME') return false;
        held.push(() => call.socket.write(fake.reply(call, name, { hostname: 'late' })));
        return true;
      },
    });
    const conn = await d.connect({ keepAlive: false });
    try {
      const t0 = performance.now();
      const e = await rejection(conn.getHostname({ timeout: 100 }));
      expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
      expect(performance.now() - t0).to.be.below(2000);
      for (const send of held.splice(0)) send();
      expect(await conn.getLibVersion()).to.equal(11003000n);
      const ac = new AbortController();
      const p = conn.getHostname({ signal: ac.signal, timeout: 10_000 });
      ac.abort('gone');
      const a = await rejection(p);
      expect([a.code, a.cause]).to.deep.equal([VIR_ERR_OPERATION_ABORTED, 'gone']);
      for (const send of held.splice(0)) send();
      expect(await conn.getLibVersion()).to.equal(11003000n);
      expect(conn.closed).to.equal(false);
    } finally {
      await conn.close();
      await d.close();
    }
  });

  it('connect() to a server that never answers: timeout is VIR_ERR_OPERATION_TIMEOUT, a signal VIR_ERR_OPERATION_ABORTED, and the default is documented', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const uri = `test+tcp://127.0.0.1:${port}/default`;
      const t0 = performance.now();
      const e = await rejection(connect(uri, { timeout: 300, keepAlive: false }));
      expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
      expect(e.message).to.match(/timed out after 300 ms/);
      expect(performance.now() - t0).to.be.below(3000);
      const ac = new AbortController();
      const p = connect(uri, { signal: ac.signal });
      setTimeout(() => ac.abort('user'), 100);
      const a = await rejection(p);
      expect([a.code, a.cause]).to.deep.equal([VIR_ERR_OPERATION_ABORTED, 'user']);
      const pre = await rejection(connect(uri, { signal: AbortSignal.abort('before') }));
      expect(pre.code).to.equal(VIR_ERR_OPERATION_ABORTED);
      expect(DEFAULT_OPEN_TIMEOUT_MS).to.equal(60_000);
    } finally {
      silent.close();
    }
  });

  it('Connection is AsyncDisposable', async () => {
    const d = new FakeLibvirtd();
    let seen: { closed: boolean } | null = null;
    try {
      {
        await using conn = await d.connect({ keepAlive: false });
        seen = conn;
        expect(conn.closed).to.equal(false);
      }
      expect(seen!.closed).to.equal(true);
    } finally {
      await d.close();
    }
  });
});
