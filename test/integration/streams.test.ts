import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import type { StoragePool } from '../../src/api/objects.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { guestXml, sandboxEnv } from '../support/sandbox.js';

describe('streams against the real daemon', function () {
  this.timeout(120_000);
  let conn: Connection;
  let dir: string;
  let pool: StoragePool;
  before(async () => {
    conn = await connect(sandboxEnv('QEMU_UNIX_URI'));
    dir = mkdtempSync(join(tmpdir(), 'lvrpc-pool-'));
    pool = await conn.storagePoolCreateXML(`<pool type='dir'><name>lvrpc-streams-${process.pid}</name><target><path>${dir}</path></target></pool>`, 0);
  });
  after(async () => {
    await pool?.destroy().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await conn?.close();
  });

  it('uploads into a volume and downloads the same bytes (virStorageVolUpload / Download)', async () => {
    const size = 3 * 1024 * 1024 + 123;
    const vol = await pool.storageVolCreateXML(`<volume><name>up.raw</name><capacity unit='bytes'>${size}</capacity><target><format type='raw'/></target></volume>`, 0);
    const data = randomBytes(size);
    const up = conn.newStream();
    await vol.upload(up, 0n, BigInt(size), 0);
    // Several chunks, each bigger than one packet.
    await up.sendAll([data.subarray(0, 1_000_000), data.subarray(1_000_000, 2_500_000), data.subarray(2_500_000)]);
    expect(readFileSync(join(dir, 'up.raw')).equals(data)).to.equal(true);

    const down = conn.newStream();
    await vol.download(down, 0n, BigInt(size), 0);
    const got = await down.recvAll();
    expect(got.length).to.equal(size);
    expect(got.equals(data)).to.equal(true);

    // A window in the middle.
    const part = conn.newStream();
    await vol.download(part, 1000n, 5000n, 0);
    expect((await part.recvAll()).equals(data.subarray(1000, 6000))).to.equal(true);
    await vol.delete(0);
  });

  it('aborts a download midway and keeps the connection usable (virStreamAbort)', async () => {
    const size = 2 * 1024 * 1024;
    const vol = await pool.storageVolCreateXML(`<volume><name>abort.raw</name><capacity unit='bytes'>${size}</capacity></volume>`, 0);
    const s = conn.newStream();
    await vol.download(s, 0n, BigInt(size), 0);
    const first = await s.recv(1000);
    expect(first.length).to.be.greaterThan(0);
    await s.abort();
    try {
      await s.recv(10);
      expect.fail('a closed stream must not read');
    } catch (e) {
      expect((e as LibvirtError).message).to.match(/stream is closed/);
    }
    expect((await vol.getInfo()).capacity).to.equal(BigInt(size));
    await vol.delete(0);
  });

  it('takes a screenshot of a real QEMU guest (virDomainScreenshot)', async () => {
    const xml = guestXml(`lvrpc-shot-${process.pid}`).replace('</devices>', "<graphics type='vnc' port='-1' listen='127.0.0.1'/><video><model type='vga'/></video></devices>");
    const dom = await conn.domainCreateXML(xml, 0);
    try {
      const s = conn.newStream();
      const mime = await dom.screenshot(s, 0, 0);
      const image = await s.recvAll();
      expect(mime).to.match(/image\//);
      expect(image.length).to.be.greaterThan(100);
      if (mime === 'image/x-portable-pixmap') expect(image.subarray(0, 2).toString()).to.equal('P6');
    } finally {
      await dom.destroy().catch(() => undefined);
    }
  });
});
