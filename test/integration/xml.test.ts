// libvirt-rpc/xml against the sandbox's daemon: XML formatted from objects written by hand is
// accepted by the define/create calls, and what the daemon gives back parses, carries the values
// and formats back the same.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection, VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, VIR_SECRET_USAGE_TYPE_CEPH } from '../../src/index.js';
import * as X from '../../src/xml/index.js';
import { sandboxEnv } from '../support/sandbox.js';
import { xmlDifference } from '../support/xml-corpus.js';

const PID = process.pid;

/** Parses, checks the kind, formats back, compares with the daemon's text and validates (issues beyond `allowed` fail). */
function roundTrips(text: string, kind: X.LibvirtXMLKind, allowed?: (i: X.ValidationIssue) => boolean): X.LibvirtXML {
  const doc = X.parseLibvirtXML(text);
  expect(doc.kind).to.equal(kind);
  expect(xmlDifference(text, X.formatLibvirtXML(doc))).to.equal(undefined);
  expect(X.validateLibvirtXML(doc).filter((i) => !allowed?.(i))).to.deep.equal([]);
  return doc;
}

/**
 * libvirt 9.0.0's capability schema allows only [a-zA-Z0-9\-_]+ as a host CPU feature name
 * (cputypes.rng, the host <cpu>), while the daemon reports features like sse4.1: the daemon's
 * own output breaks its schema there, and validate says so.
 */
const dottedHostFeature = (i: X.ValidationIssue): boolean => /^host\.cpu\.feature\[\d+\]\.name$/.test(i.path) && /^"[^"]*\.[^"]*" is not/.test(i.message);

describe('typed XML against the daemon (qemu:///system)', function () {
  this.timeout(120_000);
  const domName = `rpc-xml-${PID}`;
  const netName = `rpc-xml-net-${PID}`;
  const poolName = `rpc-xml-pool-${PID}`;
  const secretUsage = `client.rpc-xml-${PID} secret`;
  let conn: Connection;
  let dir: string;

  const cleanup = async (): Promise<void> => {
    const quiet = async (f: () => Promise<unknown>): Promise<void> => {
      try {
        await f();
      } catch {
        /* not there */
      }
    };
    await quiet(async () => (await conn.domainLookupByName(domName)).undefine());
    await quiet(async () => (await conn.networkLookupByName(netName)).undefine());
    await quiet(async () => (await conn.secretLookupByUsage(VIR_SECRET_USAGE_TYPE_CEPH, secretUsage)).undefine());
    await quiet(async () => {
      const pool = await conn.storagePoolLookupByName(poolName);
      for (const v of await pool.listAllVolumes(0)) await quiet(() => v.delete(0));
      await quiet(() => pool.destroy());
      await pool.undefine();
    });
  };

  before(async () => {
    conn = await connect(sandboxEnv('QEMU_UNIX_URI'));
    dir = mkdtempSync(join(tmpdir(), 'libvirt-rpc-xml-'));
    await cleanup();
  });
  after(async () => {
    if (conn) {
      await cleanup();
      await conn.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let volPath: string;

  it('storagePoolDefineXML and storageVolCreateXML accept formatted objects; their XML round-trips', async () => {
    const poolXml = X.formatStoragePoolXML({ type: 'dir', name: poolName, target: { path: join(dir, 'pool') } });
    const pool = await conn.storagePoolDefineXML(poolXml, 0);
    await pool.build(0);
    await pool.create(0);
    const volXml = X.formatStorageVolumeXML({
      name: 'disk.qcow2',
      capacity: { value: 64, unit: 'MiB' },
      target: { format: { type: 'qcow2' } },
    });
    const vol = await pool.storageVolCreateXML(volXml, 0);
    const p = roundTrips(await pool.getXMLDesc(0), 'storagepool').value as X.StoragePool;
    expect(p.name).to.equal(poolName);
    if (p.type !== 'dir') throw new Error(`a ${p.type} pool`);
    expect(p.target.path).to.equal(join(dir, 'pool'));
    expect(typeof p.capacity?.value).to.equal('bigint');
    const v = roundTrips(await vol.getXMLDesc(0), 'storagevol').value as X.StorageVolume;
    expect(v.name).to.equal('disk.qcow2');
    expect(v.capacity).to.deep.equal({ unit: 'bytes', value: 64n * 1024n * 1024n });
    expect(v.target?.format?.type).to.equal('qcow2');
    volPath = v.target!.path!;
    expect(volPath).to.equal(join(dir, 'pool', 'disk.qcow2'));
  });

  it('networkDefineXML accepts a formatted object; its XML round-trips', async () => {
    const xml = X.formatNetworkXML({
      name: netName,
      forward: { mode: 'nat' },
      bridge: { name: `rpcx${PID % 100000}` },
      ip: [{ address: '192.168.251.1', netmask: '255.255.255.0', dhcp: { range: [{ start: '192.168.251.10', end: '192.168.251.99' }] } }],
    });
    const net = await conn.networkDefineXML(xml);
    const n = roundTrips(await net.getXMLDesc(0), 'network').value as X.Network;
    expect(n.name).to.equal(netName);
    expect(n.uuid).to.match(/^[0-9a-f-]{36}$/);
    expect(n.forward?.mode).to.equal('nat');
    expect(n.ip?.[0]?.dhcp?.range?.[0]).to.deep.include({ start: '192.168.251.10', end: '192.168.251.99' });
  });

  it('domainDefineXML accepts a formatted guest with a disk; getXMLDesc parses, carries it and round-trips', async () => {
    const xml = X.formatDomainXML({
      type: 'kvm',
      name: domName,
      memory: { value: 128, unit: 'MiB' },
      vcpu: { value: 1 },
      os: { type: { arch: 'x86_64', machine: 'pc', value: 'hvm' } },
      devices: {
        disk: [{ type: 'file', device: 'disk', driver: { name: 'qemu', type: 'qcow2' }, source: { file: volPath }, target: { dev: 'vda', bus: 'virtio' } }],
        interface: [{ type: 'network', source: { network: netName }, mac: { address: '52:54:00:12:34:56' }, model: { type: 'virtio' } }],
        serial: [{ type: 'pty' }],
      },
    });
    const dom = await conn.domainDefineXML(xml);
    const d = roundTrips(await dom.getXMLDesc(0), 'domain').value as X.Domain;
    expect(d.name).to.equal(domName);
    expect(d.memory).to.deep.equal({ unit: 'KiB', value: 131072n });
    const disk = d.devices?.disk?.[0];
    if (disk?.type !== 'file') throw new Error(`a ${disk?.type} disk`);
    expect(disk.source?.file).to.equal(volPath);
    expect(disk?.target).to.deep.include({ dev: 'vda', bus: 'virtio' });
    const nic = d.devices?.interface?.[0];
    expect(nic?.mac?.address).to.equal('52:54:00:12:34:56');
    if (nic?.type !== 'network') throw new Error(`a ${nic?.type} interface`);
    expect(nic.source?.network).to.equal(netName);
    // The daemon filled in what it chooses: a UUID, PCI addresses, controllers.
    expect(d.uuid).to.match(/^[0-9a-f-]{36}$/);
    expect(disk?.address?.type).to.equal('pci');
    expect(d.devices?.controller?.length).to.be.greaterThan(0);

    // Add a second disk to the parsed object and define it again.
    disk!.target!.dev = 'vda';
    d.devices!.disk!.push({ type: 'file', device: 'cdrom', source: { file: join(dir, 'missing.iso') }, target: { dev: 'sda', bus: 'sata' }, readonly: {} });
    await conn.domainDefineXML(X.formatDomainXML(d));
    const again = X.parseDomainXML(await dom.getXMLDesc(0));
    expect(again.devices?.disk?.map((x) => [x.device, x.target?.dev])).to.deep.equal([
      ['disk', 'vda'],
      ['cdrom', 'sda'],
    ]);
  });

  it('secretDefineXML accepts a formatted secret; its XML round-trips', async () => {
    const secret = await conn.secretDefineXML(
      X.formatSecretXML({ ephemeral: 'no', private: 'yes', description: 'typed secret', usage: { type: 'ceph', name: secretUsage } }),
    );
    const s = roundTrips(await secret.getXMLDesc(0), 'secret').value as X.Secret;
    expect(s.uuid).to.equal(secret.uuid);
    expect(s.description).to.equal('typed secret');
    if (s.usage?.type !== 'ceph') throw new Error(`usage ${s.usage?.type}`);
    expect(s.usage.name).to.equal(secretUsage);
  });

  it("the daemon's capabilities, domain capabilities and pool capabilities parse and round-trip", async () => {
    const caps = roundTrips(await conn.getCapabilities(), 'capabilities', dottedHostFeature).value as X.Capabilities;
    expect(caps.host.cpu?.arch).to.be.a('string');
    expect(caps.guest?.some((g) => g.os_type === 'hvm')).to.equal(true);
    const dcaps = roundTrips(await conn.getDomainCapabilities(null, null, null, null, 0), 'domaincaps').value as X.DomainCapabilities;
    expect(dcaps.path).to.be.a('string');
    roundTrips(await conn.getStoragePoolCapabilities(0), 'storagepoolcaps');
  });

  it('every nwfilter and node device the daemon has parses and round-trips', async () => {
    const filters = await conn.listAllNWFilters(0);
    for (const f of filters) roundTrips(await f.getXMLDesc(0), 'nwfilter');
    const devices = await conn.listAllNodeDevices(0);
    expect(devices.length).to.be.greaterThan(0);
    for (const dev of devices) roundTrips(await dev.getXMLDesc(0), 'nodedev');
  });
});

describe('typed XML against the daemon (test:///default): snapshots, checkpoints, interfaces', function () {
  this.timeout(120_000);
  const domName = `rpc-xml-test-${PID}`;
  let conn: Connection;

  const cleanup = async (): Promise<void> => {
    try {
      const dom = await conn.domainLookupByName(domName);
      if (await dom.isActive()) await dom.destroy();
      await dom.undefineFlags(VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA);
    } catch {
      /* not there */
    }
  };

  before(async () => {
    conn = await connect(sandboxEnv('TEST_UNIX_URI'));
    await cleanup();
  });
  after(async () => {
    if (conn) {
      await cleanup();
      await conn.close();
    }
  });

  it('a formatted guest, snapshot and checkpoint are accepted; their XML parses and round-trips', async () => {
    const dom = await conn.domainDefineXML(
      X.formatDomainXML({
        type: 'test',
        name: domName,
        memory: { value: 128, unit: 'MiB' },
        vcpu: { value: 1 },
        os: { type: { value: 'hvm' } },
        devices: { disk: [{ type: 'file', device: 'disk', driver: { name: 'qemu', type: 'qcow2' }, source: { file: `/guest/${domName}.qcow2` }, target: { dev: 'vda', bus: 'virtio' } }] },
      }),
    );
    await dom.create();
    const snap = await dom.snapshotCreateXML(X.formatDomainSnapshotXML({ name: 's1', description: 'made from a typed object' }), 0);
    const s = roundTrips(await snap.getXMLDesc(0), 'domainsnapshot').value as X.DomainSnapshot;
    expect(s.name).to.equal('s1');
    expect(s.description).to.equal('made from a typed object');
    expect(s.state).to.equal('running');
    // The snapshot carries the whole domain definition, parsed with the domain's types.
    expect(s.domain?.name).to.equal(domName);
    expect(s.domain?.memory).to.deep.equal({ unit: 'KiB', value: 131072n });
    // The test driver allows no checkpoint beside a snapshot.
    await snap.delete(0);
    const cp = await dom.checkpointCreateXML(X.formatDomainCheckpointXML({ name: 'c1', description: 'typed' }), 0);
    const c = roundTrips(await cp.getXMLDesc(0), 'domaincheckpoint').value as X.DomainCheckpoint;
    expect(c.name).to.equal('c1');
    expect(c.description).to.equal('typed');
  });

  it('every interface the daemon has parses and round-trips', async () => {
    const interfaces = await conn.listAllInterfaces(0);
    expect(interfaces.length).to.be.greaterThan(0);
    for (const i of interfaces) {
      const parsed = roundTrips(await i.getXMLDesc(0), 'interface').value as X.Interface;
      expect(parsed.name).to.equal(i.name);
    }
  });
});
