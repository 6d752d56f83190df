import { expect } from 'chai';
import { connect } from '../../src/api/open.js';
import type { NetworkEvent, NodeDeviceEvent, SecretEvent, StoragePoolEvent } from '../../src/api/events/event-types.js';
import {
  VIR_NETWORK_EVENT_ID_LIFECYCLE,
  VIR_NODE_DEVICE_EVENT_CREATED,
  VIR_NODE_DEVICE_EVENT_DELETED,
  VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
  VIR_SECRET_EVENT_DEFINED,
  VIR_SECRET_EVENT_ID_LIFECYCLE,
  VIR_SECRET_EVENT_ID_VALUE_CHANGED,
  VIR_SECRET_EVENT_UNDEFINED,
  VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
  VIR_STORAGE_POOL_EVENT_ID_REFRESH,
} from '../../src/apixml/generated/constants.js';
import { sandboxEnv } from '../support/sandbox.js';
import { EventsOracle } from './events-oracle.js';
import { privateSandbox } from './keepalive-sandbox.js';

const tag = `lvevf-${process.pid}`;

async function until(pred: () => boolean, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('events: node devices, secrets, storage pool refresh; every family deregisters', function () {
  this.timeout(120_000);

  it('node device lifecycle (test driver): created and deleted, as the C client sees them', async () => {
    // A private daemon: the test driver names the new vport device itself (and other suites use node devices).
    const sb = await privateSandbox('nodedev');
    const uri = sb.uri('TEST_UNIX_URI');
    const oracle = new EventsOracle(uri, { register: ['nodedev:0'] });
    const conn = await connect(uri);
    try {
      await oracle.ready;
      const got: NodeDeviceEvent[] = [];
      const id = await conn.nodeDeviceEventRegisterAny(null, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE, (ev) => got.push(ev));
        const dev = await conn.nodeDeviceCreateXML(
        "<device><parent>scsi_host1</parent><capability type='scsi_host'><capability type='fc_host'><wwnn>2000000012341234</wwnn><wwpn>1000000012341234</wwpn></capability></capability></device>",
        0,
      );
      await dev.destroy();
      await until(() => got.length >= 2, 'node device events');
      await oracle.waitFor((evs) => evs.filter((e) => e.name === dev.name).length >= 2);
      const mine = got.filter((e) => e.dev.name === dev.name);
      expect(mine.map((e) => (e.kind === 'lifecycle' ? e.event : -1))).to.deep.equal([VIR_NODE_DEVICE_EVENT_CREATED, VIR_NODE_DEVICE_EVENT_DELETED]);
      expect(mine.map((e) => (e.kind === 'lifecycle' ? [e.event, e.detail] : []))).to.deep.equal(oracle.events.filter((e) => e.name === dev.name).map((e) => e.args));
      expect(mine[0]!.kind === 'lifecycle' && mine[0]!.eventName).to.equal('VIR_NODE_DEVICE_EVENT_CREATED');
      await conn.nodeDeviceEventDeregisterAny(id);
    } finally {
      await oracle.stop();
      await conn.close();
      sb.clean();
    }
  });

  it('secret lifecycle and value changes (QEMU daemon), as the C client sees them', async () => {
    const uri = sandboxEnv('QEMU_UNIX_URI');
    const oracle = new EventsOracle(uri, { register: ['secret:0', 'secret:1'] });
    const conn = await connect(uri);
    try {
      await oracle.ready;
      const got: SecretEvent[] = [];
      const stream = conn.secretEvents({ eventIDs: [VIR_SECRET_EVENT_ID_LIFECYCLE, VIR_SECRET_EVENT_ID_VALUE_CHANGED] });
      await stream.ready;
      const usage = `${tag}-secret`;
      const secret = await conn.secretDefineXML(`<secret ephemeral='yes' private='yes'><usage type='volume'><volume>/tmp/${usage}</volume></usage></secret>`, 0);
      await secret.setValue(new TextEncoder().encode('s3cret'), 0);
      await secret.undefine();
      for await (const ev of stream) {
        if (ev.secret.usageID !== `/tmp/${usage}`) continue;
        got.push(ev);
        if (got.length === 3) break;
      }
      expect(got.map((e) => (e.kind === 'lifecycle' ? `lifecycle ${e.event}` : e.kind))).to.deep.equal([`lifecycle ${VIR_SECRET_EVENT_DEFINED}`, 'valueChanged', `lifecycle ${VIR_SECRET_EVENT_UNDEFINED}`]);
      expect(got[0]!.secret.uuid).to.equal(secret.uuid);
      await oracle.waitFor((evs) => evs.filter((e) => e.name === `/tmp/${usage}`).length >= 3);
      const theirs = oracle.events.filter((e) => e.name === `/tmp/${usage}`);
      expect(theirs.map((e) => (e.eventID === 0 ? `lifecycle ${e.args![0]}` : 'valueChanged'))).to.deep.equal(got.map((e) => (e.kind === 'lifecycle' ? `lifecycle ${e.event}` : e.kind)));
      expect(theirs[0]!.uuid).to.equal(secret.uuid);
    } finally {
      await oracle.stop();
      await conn.close();
    }
  });

  it('storage pool refresh events; every family registers and deregisters on the daemon', async () => {
    const uri = sandboxEnv('TEST_UNIX_URI');
    const conn = await connect(uri);
    try {
      const pool = await conn.storagePoolLookupByName('default-pool');
      const refreshes: StoragePoolEvent[] = [];
      const poolID = await conn.storagePoolEventRegisterAny(pool, VIR_STORAGE_POOL_EVENT_ID_REFRESH, (ev) => refreshes.push(ev));
      await pool.refresh(0);
      await until(() => refreshes.length === 1, 'the refresh event');
      expect(refreshes[0]!.kind).to.equal('refresh');
      expect(refreshes[0]!.pool.equals(pool)).to.equal(true);
      const nets: NetworkEvent[] = [];
      const netID = await conn.networkEventRegisterAny(null, VIR_NETWORK_EVENT_ID_LIFECYCLE, (ev) => nets.push(ev));
      const lifeID = await conn.storagePoolEventRegisterAny(null, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, () => undefined);
      const secretID = await conn.secretEventRegisterAny(null, VIR_SECRET_EVENT_ID_LIFECYCLE, () => undefined).catch(() => null);
      await conn.networkEventDeregisterAny(netID);
      await conn.storagePoolEventDeregisterAny(poolID);
      await conn.storagePoolEventDeregisterAny(lifeID);
      if (secretID !== null) await conn.secretEventDeregisterAny(secretID);
      // Deregistered: a network change reaches nobody.
      const n = await conn.networkDefineXML(`<network><name>${tag}-n</name></network>`);
      await n.undefine();
      await pool.refresh(0);
      await conn.getLibVersion();
      await new Promise((r) => setTimeout(r, 200));
      expect(nets).to.deep.equal([]);
      expect(refreshes.length).to.equal(1);
    } finally {
      await conn.close();
    }
  });
});
