import { expect } from 'chai';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodePacket, VIR_NET_CALL, VIR_NET_OK } from '../../src/protocol/framing.js';
import { remote_procedures as P, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from '../../src/protocol/generated/remote.js';
import { XdrWriter } from '../../src/protocol/xdr/index.js';
import { readConversation, recordPacket } from '../../src/transport/conversation.js';
import { FakeLibvirtd } from './events-fake-libvirtd.js';

// recordTo writes the conversation as it goes, readable by its owner only, without credentials.
describe('recording a conversation (recordTo)', () => {
  const secret = 'hunter2-not-in-the-fixture';

  it('is on disk before close(), with mode 0600, and leaves out secret values', async () => {
    const dir = mkdtempSync('/tmp/libvirt-rpc-record-');
    const path = join(dir, 'conv.json');
    const fake = new FakeLibvirtd();
    const conn = await fake.connect({ recordTo: path });
    try {
      expect(await conn.getLibVersion()).to.equal(11003000n);
      await conn.call('REMOTE_PROC_SECRET_SET_VALUE', { secret: { uuid: new Uint8Array(16), usageType: 0, usageID: 'x' }, value: new TextEncoder().encode(secret), flags: 0 });
      // Before close: what a crash would leave.
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      const early = readConversation(path);
      expect(early.packets.map((p) => p.summary.split(' ')[2])).to.include.members(['REMOTE_PROC_CONNECT_OPEN', 'REMOTE_PROC_CONNECT_GET_LIB_VERSION', 'REMOTE_PROC_SECRET_SET_VALUE']);
    } finally {
      await conn.close();
      await fake.close();
    }
    const text = readFileSync(path, 'utf8');
    const c = JSON.parse(text) as ReturnType<typeof readConversation>;
    const set = c.packets.filter((p) => p.summary.includes('REMOTE_PROC_SECRET_SET_VALUE'));
    expect(set.length).to.equal(2);
    expect(set.every((p) => p.redacted === true)).to.equal(true);
    expect(text).not.to.include(secret);
    expect(text).not.to.include(Buffer.from(secret).toString('base64').slice(0, 12));
  });

  it('a SASL PLAIN start leaves no password; recordCredentials keeps it', () => {
    const w = new XdrWriter();
    const data = Buffer.from(`\0admin\0${secret}`);
    const raw = Buffer.from(
      encodePacket(w, { prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc: P.REMOTE_PROC_AUTH_SASL_START.proc, type: VIR_NET_CALL, serial: 3, status: VIR_NET_OK }, (x) =>
        P.REMOTE_PROC_AUTH_SASL_START.args!.encode(x, { mech: 'PLAIN', nil: 0, data: [...data] }),
      ),
    );
    const redacted = recordPacket('client', raw);
    expect(redacted.redacted).to.equal(true);
    expect(redacted.body).to.equal(undefined);
    // The header alone: 28 bytes, where the call had the mechanism and the password.
    expect(Buffer.from(redacted.data, 'base64').length).to.equal(28);
    const kept = recordPacket('client', raw, { keepCredentials: true });
    expect(kept.redacted).to.equal(undefined);
    expect((JSON.parse(kept.body!) as { data: number[] }).data).to.deep.equal([...data]);
  });
});
