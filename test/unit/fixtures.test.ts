import { expect } from 'chai';
import { join } from 'node:path';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { VIR_ERR_RPC } from '../../src/apixml/generated/constants.js';
import { decodePacket, VIR_NET_ERROR, VIR_NET_REPLY } from '../../src/protocol/framing.js';
import { findProcedure } from '../../src/protocol/programs.js';
import { dec_virNetMessageError } from '../../src/protocol/generated/virnet.js';
import { XdrReader } from '../../src/protocol/xdr/index.js';
import { readConversation } from '../../src/transport/conversation.js';
import { ReplayMismatchError, ReplayTransport } from '../../src/transport/replay.js';

const root = new URL('../../..', import.meta.url).pathname;
const FIXTURE = join(root, 'fixtures/test-driver-basics.json');

/** Every server reply of the fixture, decoded with its procedure's codec, keyed by procedure name. */
function replies(): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const p of readConversation(FIXTURE).packets) {
    if (p.from !== 'server') continue;
    const raw = Buffer.from(p.data, 'base64');
    const { header, body } = decodePacket(raw);
    expect(header.type).to.equal(VIR_NET_REPLY);
    const proc = findProcedure(header.prog, header.proc)!;
    const r = new XdrReader(body);
    const value = header.status === VIR_NET_ERROR ? { error: dec_virNetMessageError(r) } : proc.ret ? proc.ret.decode(r) : undefined;
    r.done(proc.name);
    out.set(proc.name, [...(out.get(proc.name) ?? []), value]);
  }
  return out;
}

describe('real bytes recorded from libvirtd (fixtures/test-driver-basics.json)', () => {
  const r = replies();

  it('connectGetLibVersion', () => {
    expect(r.get('REMOTE_PROC_CONNECT_GET_LIB_VERSION')).to.deep.equal([{ lib_ver: 9000000n }]);
  });

  it('connectGetCapabilities', () => {
    const [caps] = r.get('REMOTE_PROC_CONNECT_GET_CAPABILITIES') as { capabilities: string }[];
    expect(caps!.capabilities).to.match(/^<capabilities>/);
    expect(caps!.capabilities).to.include("<domain type='test'/>");
  });

  it('connectListAllDomains', () => {
    const [list] = r.get('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS') as { domains: { name: string; uuid: Uint8Array; id: number }[]; ret: number }[];
    expect(list!.ret).to.equal(1);
    expect(list!.domains.map((d) => [d.name, Buffer.from(d.uuid).toString('hex'), d.id])).to.deep.equal([['test', '6695eb01f6a4830479aa97f2502e193f', 1]]);
  });

  it('domainGetInfo', () => {
    const [info] = r.get('REMOTE_PROC_DOMAIN_GET_INFO') as { state: number; maxMem: bigint; memory: bigint; nrVirtCpu: number; cpuTime: bigint }[];
    expect(info).to.include({ state: 1, maxMem: 8388608n, memory: 2097152n, nrVirtCpu: 2 });
    expect(typeof info!.cpuTime).to.equal('bigint');
  });

  it('domainGetXMLDesc', () => {
    const [desc] = r.get('REMOTE_PROC_DOMAIN_GET_XML_DESC') as { xml: string }[];
    expect(desc!.xml).to.match(/^<domain type='test' id='1'>/);
    expect(desc!.xml).to.include('<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>');
  });

  it('an error reply: lookup of a domain that does not exist', () => {
    const [, missing] = r.get('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME') as { error: { code: number; domain: number; message: string; str1: string } }[];
    expect(missing!.error).to.include({ code: 42, domain: 12, message: 'Domain not found', str1: 'Domain not found' });
  });
});

describe('replaying a recorded conversation (no daemon)', () => {
  const uri = readConversation(FIXTURE).meta.uri!;

  it('serves the same answers to the same calls', async () => {
    const transport = ReplayTransport.fromFile(FIXTURE);
    const conn = await connect(uri, { transport });
    expect(await conn.getLibVersion()).to.equal(9000000n);
    expect(await conn.getCapabilities()).to.match(/^<capabilities>/);
    const { domains } = await conn.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
    expect(domains.map((d) => d.name)).to.deep.equal(['test']);
    const dom = await conn.domainLookupByName('test');
    expect(dom.uuid).to.equal('6695eb01-f6a4-8304-79aa-97f2502e193f');
    expect((await conn.call('REMOTE_PROC_DOMAIN_GET_INFO', { dom: dom.wire })).nrVirtCpu).to.equal(2);
    expect((await conn.call('REMOTE_PROC_DOMAIN_GET_XML_DESC', { dom: dom.wire, flags: 0 })).xml).to.include('<name>test</name>');
    try {
      await conn.domainLookupByName('no-such-domain');
      expect.fail('lookup must reject');
    } catch (e) {
      expect((e as LibvirtError).code).to.equal(42);
    }
    await conn.close();
    transport.assertComplete();
  });

  it('fails loudly with a readable diff when the client says something else', async () => {
    const transport = ReplayTransport.fromFile(FIXTURE);
    const conn = await connect(uri, { transport });
    try {
      await conn.getHostname();
      expect.fail('a call the recording does not have must fail');
    } catch (e) {
      const err = e as LibvirtError;
      // What the caller catches is the ReplayMismatchError itself, a LibvirtError too.
      expect(err).to.be.instanceOf(LibvirtError);
      expect(err).to.be.instanceOf(ReplayMismatchError);
      expect(err.code).to.equal(VIR_ERR_RPC);
      expect(err.message).to.match(/replay mismatch at packet 5 of 20/);
      expect(err.message).to.match(/expected: CALL remote REMOTE_PROC_CONNECT_GET_LIB_VERSION serial=3/);
      expect(err.message).to.match(/actual: {3}CALL remote REMOTE_PROC_CONNECT_GET_HOSTNAME serial=3/);
      expect(err.message).to.match(/first difference at byte 1[2-5]: expected \[/);
    }
    expect(() => transport.assertComplete()).to.throw(ReplayMismatchError);
  });

  it('shows decoded arguments when only an argument differs', async () => {
    const transport = ReplayTransport.fromFile(FIXTURE);
    const conn = await connect(uri, { transport });
    await conn.getLibVersion();
    await conn.getCapabilities();
    try {
      await conn.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 2 });
      expect.fail('must fail');
    } catch (e) {
      expect((e as Error).message).to.include('{"need_results":1,"flags":0}');
      expect((e as Error).message).to.include('{"need_results":1,"flags":2}');
    }
  });
});
