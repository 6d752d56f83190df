/**
 * The discriminated unions of the typed XML, checked by the compiler (this file builds under
 * strict, with no casts): narrowing on the attribute that tells the kinds apart reaches the kind's
 * own fields, at any depth (a disk's source per disk type, inside its device choice); without
 * narrowing those fields are refused (the @ts-expect-error lines fail the build if they compile).
 */
import { expect } from 'chai';
import * as X from '../../src/xml/index.js';

const DOMAIN = `<domain type='kvm'>
  <name>t</name>
  <memory unit='KiB'>1024</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='network' device='disk'>
      <source protocol='rbd' name='pool/image'><host name='mon1' port='6789'/></source>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <source file='/srv/iso/debian.iso'/>
      <target dev='sda' bus='sata'/>
    </disk>
    <disk type='block' device='lun'>
      <source dev='/dev/sdb'/>
      <target dev='sdb' bus='scsi'/>
    </disk>
    <interface type='network'><source network='default' portgroup='web'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface>
    <graphics type='vnc' port='5900' autoport='no'/>
    <graphics type='spice' autoport='yes'><channel name='main' mode='secure'/></graphics>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source>
    </hostdev>
  </devices>
</domain>`;

function diskSummary(disk: X.DomainDevicesDisk): string {
  if (disk.type === 'network') {
    const host = disk.source.host?.[0];
    // A host is a unix socket or a name (and port): transport tells.
    const where = host === undefined ? '' : host.transport === 'unix' ? host.socket : host.name;
    return `${disk.source.protocol}:${disk.source.name ?? ''}@${where}`;
  }
  if (disk.type === 'file' || disk.type === undefined) return `file:${disk.source?.file ?? ''}`;
  if (disk.device === 'lun') {
    // A lun is a network, block or volume disk only.
    if (disk.type === 'block') return `lun:${disk.source?.dev ?? ''}:${disk.sgio ?? ''}`;
    return `lun:${disk.type}`;
  }
  return disk.type;
}

function interfaceSummary(nic: X.DomainDevicesInterface): string {
  if (nic.type === 'network') return `network:${nic.source.network}/${nic.source.portgroup ?? ''}`;
  if (nic.type === 'bridge') return `bridge:${nic.source?.bridge ?? ''}`;
  return nic.type;
}

function graphicsSummary(g: X.DomainDevicesGraphics): string {
  if (g.type === 'vnc') return `vnc:${g.port ?? ''}:${g.autoport ?? ''}`;
  if (g.type === 'spice') return `spice:${g.channel?.map((c) => `${c.name}=${c.mode}`).join(',') ?? ''}`;
  return g.type;
}

function hostdevSummary(h: X.DomainDevicesHostdev): string {
  if (h.type === 'pci') return `pci:${h.source.address.bus ?? ''}:${h.source.address.slot ?? ''}`;
  if (h.type === 'mdev') return `mdev:${h.model}:${h.source.address.uuid}`;
  return h.type;
}

/** What the unions refuse before narrowing; run, so the accesses are real expressions. */
function withoutNarrowing(d: X.Domain): unknown[] {
  const disk = d.devices!.disk![0]!;
  const nic = d.devices!.interface![0]!;
  const g = d.devices!.graphics![0]!;
  const h = d.devices!.hostdev![0]!;
  return [
    // @ts-expect-error a file disk's source has no protocol: narrow on disk.type first
    disk.source?.protocol,
    // @ts-expect-error only a network interface's source names a network
    nic.source?.network,
    // @ts-expect-error only vnc and spice have a port
    g.port,
    // @ts-expect-error only mdev hostdevs have a model of their own
    h.model,
    // What every kind has needs no narrowing.
    disk.target.dev,
    nic.mac?.address,
  ];
}

describe('typed XML: discriminated unions', () => {
  const d = X.parseDomainXML(DOMAIN);

  it('a disk narrowed by type (and device) reaches its kind of source', () => {
    expect(d.devices?.disk?.map(diskSummary)).to.deep.equal(['rbd:pool/image@mon1', 'file:/srv/iso/debian.iso', 'lun:/dev/sdb:']);
  });

  it('an interface, graphics and hostdev narrowed by type reach their kind of fields', () => {
    expect(d.devices?.interface?.map(interfaceSummary)).to.deep.equal(['network:default/web', 'bridge:br0']);
    expect(d.devices?.graphics?.map(graphicsSummary)).to.deep.equal(['vnc:5900:no', 'spice:main=secure']);
    expect(d.devices?.hostdev?.map(hostdevSummary)).to.deep.equal(['pci:0x06:0x12', 'mdev:vfio-pci:c2177883-f1bb-47f0-914d-32a22e3a8804']);
  });

  it('the fields refused before narrowing are there at runtime all the same', () => {
    expect(withoutNarrowing(d)).to.deep.equal(['rbd', 'default', 5900, undefined, 'vda', undefined]);
  });

  it('objects written by hand are checked per kind too', () => {
    const disk: X.XmlInput<X.DomainDevicesDisk> = { type: 'network', device: 'lun', source: { protocol: 'iscsi', name: 'iqn.2013-07.com.example:iscsi/1' }, target: { dev: 'sdc' } };
    // @ts-expect-error a network disk needs its source
    const bare: X.XmlInput<X.DomainDevicesDisk> = { type: 'network', target: { dev: 'sdd' } };
    // @ts-expect-error a lun is not a file disk
    const lunFile: X.XmlInput<X.DomainDevicesDisk> = { type: 'file', device: 'lun', target: { dev: 'sde' } };
    const domain: X.XmlInput<X.Domain> = { type: 'kvm', name: 't', devices: { disk: [disk, bare, lunFile] } };
    expect(X.validateDomain(domain)).to.deep.equal([
      { path: 'devices.disk[1].source', message: 'required when device=floppy|disk|cdrom, type=network: <source>' },
      { path: 'devices.disk[2].type', message: 'must be network or block or volume when device=lun' },
    ]);
    expect(X.formatDomainXML(domain)).to.contain("<source protocol=\"iscsi\" name=\"iqn.2013-07.com.example:iscsi/1\"/>");
  });
});
