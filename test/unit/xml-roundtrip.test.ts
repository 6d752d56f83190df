/**
 * libvirt 9.0.0's own schema-test corpus (every document tests/virschematest.c validates against
 * a schema): each parses into its kind, formats back to the same document at element and
 * attribute level, and typed fields carry what the XML says. The corpus is fetched by
 * scripts/libvirt-source (apt-get source libvirt) when it is not there.
 */
import { expect } from 'chai';
import { type CorpusDocument, SCHEMA_OF_KIND, loadCorpus, xmlDifference } from '../support/xml-corpus.js';
import * as X from '../../src/xml/index.js';

let DOCS: CorpusDocument[] = [];
const doc = (path: string): string => {
  const d = DOCS.find((x) => x.path === path);
  if (!d) throw new Error(`${path} is not in the corpus`);
  return d.text;
};


describe('typed XML: libvirt 9.0.0 schema-test corpus', function () {
  this.timeout(120_000);
  before(function () {
    // The first run on a machine fetches libvirt's source package (about 9 MB).
    this.timeout(900_000);
    DOCS = loadCorpus();
  });

  it('the comparison sees what a lossy round trip would change', () => {
    const base = "<a x='1'><b>t</b><c/><c y='2'/></a>";
    expect(xmlDifference(base, '<a x="1">\n  <c/>\n  <c y="2"/>\n  <b>t</b>\n</a>')).to.equal(undefined);
    expect(xmlDifference(base, "<a><b>t</b><c/><c y='2'/></a>")).to.match(/@x/);
    expect(xmlDifference(base, "<a x='1'><b>u</b><c/><c y='2'/></a>")).to.match(/text/);
    expect(xmlDifference(base, "<a x='1'><b>t</b><c y='2'/><c/></a>")).to.match(/@y/);
    expect(xmlDifference(base, "<a x='1'><b>t</b><c/></a>")).to.match(/2 <c> became 1/);
    expect(xmlDifference(base, "<a x='1'><b>t</b><c/><c y='2'/><d/></a>")).to.match(/<d> added/);
  });

  it('has every kind, about 3000 documents', () => {
    const kinds = new Set(DOCS.map((d) => d.kind));
    expect([...kinds].sort()).to.deep.equal(Object.keys(SCHEMA_OF_KIND).sort());
    expect(DOCS.length).to.be.greaterThan(2500);
  });

  for (const kind of Object.keys(SCHEMA_OF_KIND)) {
    it(`${kind}: every document parses into its kind and formats back the same`, () => {
      const failures: string[] = [];
      let n = 0;
      for (const d of DOCS) {
        if (d.kind !== kind) continue;
        n++;
        try {
          const parsed = X.parseLibvirtXML(d.text);
          if (parsed.kind !== kind) throw new Error(`parsed as ${parsed.kind}`);
          const diff = xmlDifference(d.text, X.formatLibvirtXML(parsed));
          if (diff) throw new Error(diff);
          // Formatting the formatted document again changes nothing at all.
          const once = X.formatLibvirtXML(parsed);
          if (X.formatLibvirtXML(X.parseLibvirtXML(once)) !== once) throw new Error('formatting is not stable');
        } catch (e) {
          failures.push(`${d.path}: ${(e as Error).message}`);
        }
      }
      expect(n).to.be.greaterThan(0);
      expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
    });
  }

  it('every valid document validates', () => {
    const failures: string[] = [];
    for (const d of DOCS) {
      if (d.invalid) continue;
      const issues = X.validateLibvirtXML(X.parseLibvirtXML(d.text));
      if (issues.length) failures.push(`${d.path}: ${issues[0]!.path}: ${issues[0]!.message}`);
    }
    expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
  });

  it('a namespace bound to another prefix, or as the default, is read under libvirt\'s prefix', () => {
    for (const path of ['tests/qemuxml2argvdata/qemu-ns-commandline-ns1.xml', 'tests/qemuxml2argvdata/qemu-ns-alt.xml']) {
      const d = X.parseDomainXML(doc(path));
      expect(d['qemu:commandline']?.['qemu:arg']?.length, path).to.be.greaterThan(0);
      expect(d.$extra?.elements, path).to.equal(undefined);
    }
  });

  it('every document libvirt expects its schema to reject is reported by validate', () => {
    const invalid = DOCS.filter((d) => d.invalid);
    const missed = invalid.filter((d) => X.validateLibvirtXML(X.parseLibvirtXML(d.text)).length === 0).map((d) => d.path);
    expect(invalid.length).to.equal(57);
    expect(missed).to.deep.equal([]);
  });

  it('validate finds what a kind of element or a choice inside a kind forbids', () => {
    // Constraints that live in one branch of a choice: a kind's own child type, a choice inside
    // a kind, an optional group given in part, an attribute a kind leaves out.
    const cases: [string, { path: string; message: string }][] = [
      ['tests/qemuxml2argvdata/disk-cdrom-empty-network-invalid.xml', { path: 'devices.disk[0].source', message: 'required when device=floppy|disk|cdrom, type=network: <source>' }],
      ['tests/qemuxml2argvdata/disk-device-lun-type-invalid.xml', { path: 'devices.disk[0].type', message: 'must be network or block or volume when device=lun' }],
      ['tests/qemuxml2argvdata/hostdev-mdev-src-address-invalid.xml', { path: 'devices.hostdev[0].source.address.uuid', message: 'required: attribute uuid' }],
      ['tests/qemuxml2argvdata/luks-disk-invalid.xml', { path: 'devices.disk[0].encryption', message: 'cipher, ivgen: given all or none' }],
      ['tests/qemuxml2argvdata/numatune-auto-nodeset-invalid.xml', { path: 'numatune.memory.nodeset', message: 'not allowed when placement=auto' }],
      ['tests/qemudomainsnapshotxml2xmlin/disk-network-seclabel-invalid.xml', { path: 'disks.disk[0].source.seclabel', message: 'not in the schema of <source>' }],
      ['tests/storagepoolschemadata/dir-missing-target-path-invalid.xml', { path: 'target.path', message: 'required: <path>' }],
    ];
    for (const [path, issue] of cases) expect(X.validateLibvirtXML(X.parseLibvirtXML(doc(path))), path).to.deep.include(issue);
  });

  describe('typed fields carry what the XML says', () => {
    it('domain', () => {
      const d = X.parseDomainXML(doc('tests/qemuxml2argvdata/disk-cdrom.xml'));
      expect(d.type).to.equal('qemu');
      expect(d.name).to.equal('QEMUGuest1');
      expect(d.memory).to.deep.equal({ unit: 'KiB', value: 219100n });
      expect(d.vcpu).to.deep.equal({ placement: 'static', value: 1 });
      expect(d.os?.type).to.deep.include({ arch: 'x86_64', machine: 'pc', value: 'hvm' });
      const disks = d.devices?.disk ?? [];
      expect(disks.map((x) => [x.type, x.device, x.target?.dev])).to.deep.equal([
        ['block', 'cdrom', 'hda'],
        ['file', 'cdrom', 'hdb'],
        ['file', 'cdrom', 'hdc'],
        ['file', 'cdrom', 'hdd'],
      ]);
      const cdrom = disks[1]!;
      if (cdrom.type !== 'file') throw new Error(`a ${cdrom.type} disk`);
      expect(cdrom.source?.file).to.equal('/root/boot.iso');
      expect(disks[0]!.readonly).to.deep.equal({});
      expect(d.on_crash).to.equal('destroy');
    });
    it('capabilities', () => {
      const c = X.parseCapabilitiesXML(doc('tests/capabilityschemadata/caps-test.xml'));
      expect(c.host.cpu?.arch).to.equal('i686');
      expect(c.host.cpu?.maxphysaddr).to.deep.equal({ mode: 'emulate', bits: 46 });
      expect(c.host.topology?.cells?.num).to.equal(2);
      expect(c.guest?.[0]?.os_type).to.equal('hvm');
      // The schema restricts wordsize by a pattern (32|64), so it stays text.
      expect(c.guest?.[0]?.arch.wordsize).to.equal('32');
    });
    it('domaincaps', () => {
      const c = X.parseDomainCapabilitiesXML(doc('tests/domaincapsdata/qemu_7.2.0.x86_64.xml'));
      expect(c.path).to.equal('/usr/bin/qemu-system-x86_64');
      expect(c.vcpu?.max).to.equal(255);
      expect(c.os?.enum?.[0]?.value).to.deep.equal(['bios', 'efi']);
    });
    it('network', () => {
      const n = X.parseNetworkXML(doc('tests/networkxml2xmlin/nat-network.xml'));
      expect(n.name).to.equal('default');
      expect(n.forward).to.deep.include({ mode: 'nat', dev: 'eth1' });
      expect(n.ip?.[0]?.dhcp?.host?.map((h) => h.ip)).to.deep.equal(['192.168.122.10', '192.168.122.11']);
      expect(n.ip?.[2]).to.deep.include({ family: 'ipv6', prefix: 64 });
    });
    it('networkport', () => {
      const p = X.parseNetworkPortXML(doc('tests/virnetworkportxml2xmldata/plug-bridge.xml'));
      expect(p.owner?.name).to.equal('memtest');
      expect(p.bandwidth?.inbound).to.deep.include({ average: 1000, peak: 4000, floor: 2000, burst: 1024 });
      expect(p.plug).to.deep.include({ type: 'bridge', bridge: 'virbr0' });
    });
    it('storagepool', () => {
      const p = X.parseStoragePoolXML(doc('tests/storagepoolxml2xmlin/pool-dir.xml'));
      // A discriminated union: the pool's type tells which fields it has.
      if (p.type !== 'dir') throw new Error(`a ${p.type} pool`);
      expect(p.capacity).to.deep.equal({ value: 0n });
      expect(p.target?.path).to.equal('///var/////lib/libvirt/images//');
      // An octal mode is text: 0700 must format back as 0700.
      expect(p.target?.permissions?.mode).to.equal('0700');
      expect(p.target?.permissions?.owner).to.equal(-1);
    });
    it('storagepoolcaps', () => {
      const c = X.parseStoragePoolCapabilitiesXML(doc('tests/storagepoolcapsschemadata/poolcaps-fs.xml'));
      expect(c.pool?.[0]).to.deep.include({ type: 'dir', supported: 'no' });
      expect(c.pool?.[0]?.volOptions?.enum?.[0]?.value).to.include('qcow2');
    });
    it('storagevol', () => {
      const v = X.parseStorageVolumeXML(doc('tests/storagevolxml2xmlin/vol-qcow2.xml'));
      expect(v.name).to.equal('OtherDemo.img');
      expect(v.capacity).to.deep.equal({ unit: 'G', value: 5n });
      expect(v.allocation).to.deep.equal({ value: 294912n });
      expect(v.target?.format?.type).to.equal('qcow2');
      expect(v.backingStore?.path).to.equal('/dev/null');
    });
    it('nodedev', () => {
      const n = X.parseNodeDeviceXML(doc('tests/nodedevschemadata/pci_8086_10c9_sriov_pf.xml'));
      expect(n.name).to.equal('pci_0000_02_00_0');
      const cap = n.capability?.[0];
      if (cap?.type !== 'pci') throw new Error(`capability ${cap?.type}`);
      expect(cap.product).to.deep.equal({ id: '0x10c9', value: '82576 Gigabit Network Connection' });
      expect(cap.iommuGroup?.address?.map((a) => a.function)).to.deep.equal(['0x0', '0x1']);
    });
    it('secret', () => {
      const s = X.parseSecretXML(doc('tests/secretxml2xmlin/usage-volume.xml'));
      expect(s).to.deep.include({ ephemeral: 'yes', private: 'yes', description: 'Ephemeral Private Secret' });
      if (s.usage?.type !== 'volume') throw new Error(`usage ${s.usage?.type}`);
      expect(s.usage.volume).to.equal('/var/lib/libvirt/images/image.img');
    });
    it('interface', () => {
      const i = X.parseInterfaceXML(doc('tests/interfaceschemadata/bridge.xml'));
      expect(i).to.deep.include({ type: 'bridge', name: 'br0' });
      expect(i.mtu?.size).to.equal(1500);
      expect(i.bridge?.interface?.map((e) => e.name)).to.deep.equal(['eth0', 'eth1']);
    });
    it('nwfilter', () => {
      const f = X.parseNWFilterXML(doc('tests/nwfilterxml2xmlin/ah-test.xml'));
      expect(f).to.deep.include({ name: 'testcase', chain: 'root' });
      expect(f.rule?.[0]).to.deep.include({ action: 'accept', direction: 'out' });
      expect(f.rule?.[0]?.ah).to.deep.include({ srcmacaddr: '1:2:3:4:5:6', dstipaddr: '10.1.2.3' });
    });
    it('nwfilterbinding', () => {
      const b = X.parseNWFilterBindingXML(doc('tests/virnwfilterbindingxml2xmldata/simple.xml'));
      expect(b.portdev.name).to.equal('vnet0');
      expect(b.filterref.filter).to.equal('clean-traffic');
    });
    it('domainsnapshot', () => {
      const s = X.parseDomainSnapshotXML(doc('tests/qemudomainsnapshotxml2xmlin/disk_snapshot.xml'));
      expect(s.name).to.equal('my snap name');
      expect(s.description).to.equal('!@#$%^');
      expect(s.disks?.disk?.map((d) => d.snapshot ?? null).slice(0, 4)).to.deep.equal([null, 'no', 'internal', 'external']);
    });
    it('domaincheckpoint', () => {
      const c = X.parseDomainCheckpointXML(doc('tests/qemudomaincheckpointxml2xmlin/sample.xml'));
      expect(c.disks?.disk?.map((d) => [d.name, d.checkpoint])).to.deep.equal([
        ['vda', 'bitmap'],
        ['vdb', 'no'],
      ]);
    });
    it('domainbackup', () => {
      const b = X.parseDomainBackupXML(doc('tests/domainbackupxml2xmlin/backup-pull.xml'));
      if (b.mode !== 'pull') throw new Error(`a ${b.mode} backup`);
      expect(b.incremental).to.equal('1525889631');
      expect(b.server).to.deep.include({ transport: 'tcp', name: 'localhost', port: 10809 });
      expect(b.disks?.disk?.[0]?.scratch?.file).to.equal('/path/to/file');
    });
  });
});
