import { expect } from 'chai';
import { rejection } from '../support/expect.js';
import { connect as netConnect } from 'node:net';
import { DirectRead } from '../../src/transport/socket.js';
import { RpcEngine } from '../../src/rpc/engine.js';
import { encodePacket, MAX_PACKET, VIR_NET_MESSAGE, VIR_NET_OK } from '../../src/protocol/framing.js';
import { remote_procedures, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, remote_domain_event_lifecycle_msg } from '../../src/protocol/generated/remote.js';
import { XdrReader, XdrWriter } from '../../src/protocol/xdr/index.js';
import {
  VIR_ERR_INTERNAL_ERROR,
  VIR_ERR_INVALID_ARG,
  VIR_ERR_NO_DOMAIN,
  VIR_ERR_OPERATION_TIMEOUT,
  VIR_ERR_RPC,
  VIR_ERR_SYSTEM_ERROR,
  VIR_FROM_QEMU,
  VIR_FROM_RPC,
} from '../../src/apixml/generated/constants.js';
import { FakeDaemon, type FakeCall } from '../support/fake-daemon.js';

const P = remote_procedures;

let readMode: 'data' | 'direct' = 'data';

async function engineFor(daemon: FakeDaemon): Promise<RpcEngine> {
  const port = await daemon.listen();
  // Both ways the engine reads a socket: 'data' events (TLS, SSH, ...) and DirectRead (unix, tcp).
  const socket = readMode === 'direct' ? DirectRead.connect({ host: '127.0.0.1', port }) : netConnect({ host: '127.0.0.1', port });
  await new Promise((resolve) => socket.once('connect', resolve));
  return new RpcEngine(socket);
}


for (const mode of ['data', 'direct'] as const) describe(`RPC engine (${mode} reads)`, function () {
  before(() => (readMode = mode));
  this.timeout(10000);
  let daemon: FakeDaemon | null = null;
  afterEach(async () => {
    await daemon?.close();
    daemon = null;
  });

  it('matches 1,000 concurrent calls to out-of-order replies by serial', async () => {
    const held: FakeCall[] = [];
    daemon = new FakeDaemon((call, d) => {
      held.push(call);
      if (held.length === 1000) {
        // Answer in reverse order: each reply carries the name sent with its call.
        for (const c of held.reverse()) {
          const name = c.body.toString('latin1', 4, 4 + c.body.readUInt32BE(0));
          c.socket.write(d.reply(c, P.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME.ret, { dom: { name, uuid: new Uint8Array(16), id: Number(name.slice(3)) } }));
        }
      }
    });
    const engine = await engineFor(daemon);
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => engine.call(P.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, { name: `dom${i}` })));
    results.forEach((r, i) => {
      expect(r.dom.name).to.equal(`dom${i}`);
      expect(r.dom.id).to.equal(i);
    });
    engine.close();
  });

  it('turns an error reply into a LibvirtError with every virError field', async () => {
    daemon = new FakeDaemon((call, d) => {
      call.socket.write(d.errorReply(call, { code: VIR_ERR_NO_DOMAIN, domain: VIR_FROM_QEMU, message: "Domain not found: no domain with matching name 'x'", str1: 'Domain not found', str2: 'x', int1: 3 }));
    });
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, { name: 'x' }));
    expect(e.code).to.equal(VIR_ERR_NO_DOMAIN);
    expect(e.codeName).to.equal('VIR_ERR_NO_DOMAIN');
    expect(e.domainName).to.equal('VIR_FROM_QEMU');
    expect(e.levelName).to.equal('VIR_ERR_ERROR');
    expect(e.message).to.equal("Domain not found: no domain with matching name 'x'");
    expect([e.str1, e.str2, e.str3, e.int1, e.int2]).to.deep.equal(['Domain not found', 'x', null, 3, 0]);
    engine.close();
  });

  it('rejects every pending call at once when the daemon goes away', async () => {
    let seen = 0;
    daemon = new FakeDaemon((call) => {
      if (++seen === 50) call.socket.destroy();
    });
    const engine = await engineFor(daemon);
    const started = Date.now();
    const errors = await Promise.all(Array.from({ length: 50 }, () => rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined))));
    expect(Date.now() - started).to.be.below(2000);
    for (const e of errors) {
      expect(e.code).to.equal(VIR_ERR_SYSTEM_ERROR);
      expect(e.domain).to.equal(VIR_FROM_RPC);
      expect(e.message).to.match(/End of file while reading data/);
    }
    const after = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
    expect(after.code).to.equal(VIR_ERR_INTERNAL_ERROR);
    expect(after.message).to.equal('client socket is closed');
  });

  it('reports a truncated packet at end of file', async () => {
    daemon = new FakeDaemon((call, d) => {
      const full = d.reply(call, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 9000000n });
      call.socket.end(full.subarray(0, full.length - 3));
    });
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
    expect(e.message).to.match(/End of file.*truncated packet/);
  });

  it('refuses an oversized packet from the server before buffering it', async () => {
    daemon = new FakeDaemon((call) => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(MAX_PACKET + 1, 0);
      call.socket.write(b);
    });
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
    expect(e.code).to.equal(VIR_ERR_RPC);
    expect(e.message).to.match(/too large/);
    expect(engine.closed).to.equal(true);
  });

  it('refuses a reply whose body does not decode', async () => {
    daemon = new FakeDaemon((call, d) => {
      // lib_ver needs 8 bytes; send 4.
      call.socket.write(d.reply(call, P.REMOTE_PROC_CONNECT_GET_MAX_VCPUS.ret, { max_vcpus: 1 }));
    });
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
    expect(e.code).to.equal(VIR_ERR_RPC);
    expect(e.message).to.match(/cannot decode reply to REMOTE_PROC_CONNECT_GET_LIB_VERSION.*remote_connect_get_lib_version_ret\.lib_ver.*truncated/);
    engine.close();
  });

  it('closes on a reply nobody waits for (a protocol violation)', async () => {
    daemon = new FakeDaemon((call, d) => {
      call.socket.write(d.reply({ ...call, header: { ...call.header, serial: 999 } }, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 1n }));
    });
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined));
    expect(e.code).to.equal(VIR_ERR_RPC);
    expect(e.message).to.match(/no call waiting for reply with prog .* serial 999/);
  });

  it('refuses bad arguments and oversized calls without sending anything', async () => {
    let received = 0;
    daemon = new FakeDaemon(() => received++);
    const engine = await engineFor(daemon);
    const bad = await rejection(engine.call(P.REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, { name: 12 as unknown as string }));
    expect(bad.code).to.equal(VIR_ERR_INVALID_ARG);
    expect(bad.message).to.match(/remote_domain_lookup_by_name_args\.name/);
    const huge = 'x'.repeat(4 * 1024 * 1024);
    const big = await rejection(engine.call(P.REMOTE_PROC_CONNECT_BASELINE_CPU, { xmlCPUs: Array.from({ length: 9 }, () => huge), flags: 0 }));
    expect(big.code).to.equal(VIR_ERR_RPC);
    expect(big.message).to.match(/exceeds libvirt's maximum/);
    await new Promise((r) => setTimeout(r, 50));
    expect(received).to.equal(0);
    engine.close();
  });

  it('times out a call when asked and drops its late reply', async () => {
    const held: FakeCall[] = [];
    daemon = new FakeDaemon((call) => held.push(call));
    const engine = await engineFor(daemon);
    const e = await rejection(engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined, { timeout: 50 }));
    expect(e.code).to.equal(VIR_ERR_OPERATION_TIMEOUT);
    const d = daemon;
    held[0]!.socket.write(d.reply(held[0]!, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 1n }));
    await new Promise((r) => setTimeout(r, 50));
    expect(engine.closed).to.equal(false);
    engine.close();
  });

  it('hands server messages to the program handler, in order, and counts unhandled ones', async () => {
    daemon = new FakeDaemon((call, d) => {
      const w = new XdrWriter();
      for (let i = 0; i < 3; i++) {
        call.socket.write(
          encodePacket(w, { prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc: REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK }, (x) =>
            remote_domain_event_lifecycle_msg.encode(x, { dom: { name: `d${i}`, uuid: new Uint8Array(16), id: i }, event: i, detail: 0 }),
          ),
        );
      }
      call.socket.write(encodePacket(w, { prog: 0x1234, vers: 1, proc: 1, type: VIR_NET_MESSAGE, serial: 0, status: VIR_NET_OK }));
      call.socket.write(d.reply(call, P.REMOTE_PROC_CONNECT_GET_LIB_VERSION.ret, { lib_ver: 1n }));
    });
    const engine = await engineFor(daemon);
    const seen: string[] = [];
    engine.setHandler(REMOTE_PROGRAM, (p) => {
      seen.push(remote_domain_event_lifecycle_msg.decode(new XdrReader(p.body)).dom.name);
    });
    await engine.call(P.REMOTE_PROC_CONNECT_GET_LIB_VERSION, undefined);
    expect(seen).to.deep.equal(['d0', 'd1', 'd2']);
    expect(engine.unhandledMessages).to.equal(1);
    engine.close();
  });
});
