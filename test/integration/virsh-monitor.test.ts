// virsh-rpc against libvirt's virsh on the sandbox's test driver, for the "Domain Monitoring"
// (virsh-domain-monitor.c) and "Host and Hypervisor" (virsh-host.c) commands: the same arguments
// give the same stdout, stderr and exit status, byte for byte (counters that move between two
// runs masked).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/index.js';
import { sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, freshTestURI } from '../support/virsh-compare.js';

/** The test driver's block and interface counters grow with time: the number ending each line. */
const maskCounters = (s: string): string => s.replace(/ -?\d+$/gm, ' <n>');

/** Host numbers that move between two runs (free memory, CPU times): the number ending each line. */
// The padding goes too: a right-aligned field is one column narrower at 100.0% than at 99.9%.
const maskNumbers = (s: string): string => s.replace(/ *\d+(\.\d+)?( KiB|%)?$/gm, ' <n>$2');

/** The CPU times a QEMU domain's stats report even while it is inactive. */
const maskCpuStats = (s: string): string => s.replace(/^( {2}cpu\.\w+=)\d+$/gm, '$1<n>');

/** A domain with disks and interfaces of several kinds (file, cdrom without source, network, nvme, dir). */
const DOMAIN_XML = `<domain type='test'>
  <name>mon</name>
  <memory>1048576</memory>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/guest/a.img'/><target dev='vda' bus='virtio'/></disk>
    <disk type='block' device='cdrom'><target dev='hdc' bus='ide'/></disk>
    <disk type='network' device='disk'><source protocol='nbd' name='foo'><host name='example.org' port='10809'/></source><target dev='vdb' bus='virtio'/></disk>
    <disk type='nvme' device='disk'><source type='pci' managed='yes' namespace='1'><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source><target dev='vdc' bus='virtio'/></disk>
    <disk type='dir' device='floppy'><source dir='/tmp'/><target dev='fda' bus='fdc'/></disk>
    <interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/><model type='virtio'/><link state='down'/></interface>
    <interface type='bridge'><mac address='52:54:00:11:22:34'/><source bridge='br0'/><target dev='vnet7'/></interface>
    <interface type='user'><mac address='52:54:00:11:22:35'/></interface>
  </devices>
</domain>
`;

/** Two host CPUs the test driver can compute a baseline of, after an XML declaration. */
const CPUS_XML = `<?xml version="1.0"?>
<cpu>
  <arch>x86_64</arch>
  <model>core2duo</model>
  <vendor>Intel</vendor>
  <feature name='lahf_lm'/>
</cpu>
<cpu>
  <arch>x86_64</arch>
  <model>Penryn</model>
  <vendor>Intel</vendor>
</cpu>
`;

/** A guest CPU in a domain, and a domain capabilities host-model mode (renamed to <cpu> by virsh). */
const MIXED_XML = `<domain type='test'><name>x</name><cpu mode='custom' match='exact'><model fallback='allow'>core2duo</model></cpu></domain>
<domainCapabilities><cpu><mode name='host-model' supported='yes'><model fallback='forbid'>Nehalem</model><vendor>Intel</vendor></mode><mode name='custom' supported='yes'/></cpu></domainCapabilities>
`;

describe('virsh-rpc vs virsh: domain monitoring and host commands (test driver)', function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  const file = (name: string) => join(dir, name);
  before(() => {
    uri = freshTestURI();
    dir = mkdtempSync(join(tmpdir(), 'virsh-monitor-'));
    writeFileSync(file('dom.xml'), DOMAIN_XML);
    writeFileSync(file('cpus.xml'), CPUS_XML);
    writeFileSync(file('mixed.xml'), MIXED_XML);
    writeFileSync(file('none.xml'), '<nothing/>\n');
    writeFileSync(file('secret'), 'c2VjcmV0\n');
    writeFileSync(file('big'), Buffer.alloc(65 * 1024, 0x41));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `@dir` in an argument stands for the test's temporary directory. */
  const same = (args: string[], mask?: (s: string) => string) => {
    const real = args.map((a) => a.replaceAll('@dir', dir));
    const { virsh, ours } = bothVirsh(['-c', uri, ...real], { mask });
    expect(ours, `virsh-rpc ${real.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };
  const cases = (list: string[][], mask?: (s: string) => string) => {
    for (const args of list) it(args.join(' '), () => void same(args, mask));
  };

  describe('domain monitoring', () => {
    cases([
      ['dommemstat', 'test'],
      ['dommemstat', 'nosuch'],
      ['dommemstat', 'test', '--period', '5'],
      ['dommemstat', 'test', '--period', '-1'],
      ['dommemstat', 'test', '--period', 'x'],
      ['dommemstat', 'test', '--current', '--live'],
      ['-d', '0', 'dommemstat', 'test'],
      ['domblkinfo', 'test', 'vda'],
      ['domblkinfo', 'test', 'vda', '--human'],
      ['domblkinfo', 'test', '--all'],
      ['domblkinfo', 'test', '--all', '--human'],
      ['-d', '0', 'domblkinfo', 'test', '--all'],
      ['domblkinfo', 'test'],
      ['domblkinfo', 'test', 'vdb'],
      ['domblkinfo', 'test', '--all', '--device', 'vda'],
      ['domblklist', 'test'],
      ['domblklist', 'test', '--details'],
      ['domblklist', 'test', '--inactive', '--details'],
      ['-q', 'domblklist', 'test'],
      ['domblklist', 'nosuch'],
      ['domiflist', 'test'],
      ['domiflist', 'test', '--inactive'],
      ['domiflist', 'nosuch'],
      ['domif-getlink', 'test', 'testnet0'],
      ['domif-getlink', 'test', 'aa:bb:cc:dd:ee:ff'],
      ['domif-getlink', 'test', 'AA:BB:CC:DD:EE:FF', '--config'],
      ['domif-getlink', 'test', 'testnet0', '--persistent'],
      ['domif-getlink', 'test', 'vnet0'],
      ['domif-getlink', 'test', 'aa:bb:cc:dd:ee:fe'],
      ['domif-getlink', 'test', "a'b"],
      ['domif-getlink', 'nosuch', 'testnet0'],
      ['domcontrol', 'test'],
      ['domcontrol', 'nosuch'],
      ['domblkstat', 'test'],
      ['domblkstat', 'test', 'vdb'],
      ['domblkstat', 'nosuch', 'vda'],
      ['domifstat', 'test', 'vnet0'],
      ['domifstat', 'nosuch', 'testnet0'],
      ['domblkerror', 'test'],
      ['domblkerror', 'nosuch'],
      ['domtime', 'test'],
      ['domtime', 'test', '--pretty'],
      ['domtime', 'test', '--now'],
      ['domtime', 'test', '--time', '5'],
      ['domtime', 'test', '--sync'],
      ['domtime', 'test', '--time', 'x'],
      ['domtime', 'test', '--now', '--sync'],
      ['domtime', 'test', '--time', '5', '--now'],
      ['domtime', 'nosuch'],
      ['domstats'],
      ['domstats', '--raw', '--state', 'test'],
      ['domstats', 'test', 'test'],
      ['domstats', 'test', 'nosuch'],
      ['-d', '0', 'domstats', '1'],
      ['domstats', '--list-inactive'],
      ['domstats', '--list-active', '--list-persistent', '--list-running'],
      ['domstats', '--state', '--cpu-total', '--balloon', '--vcpu', '--interface', '--block', '--perf', '--iothread', '--memory', '--dirtyrate', '--vm'],
      ['domstats', '--vcpu', '--enforce'],
      ['domstats', '--state', '--enforce', '--backing', '--nowait'],
      ['destroy test; domstats --list-inactive; domstats; domstats --list-shutoff --list-paused --list-other --list-transient'],
      ['domifaddr', 'test'],
      ['domifaddr', 'test', '--full'],
      ['domifaddr', 'test', '--source', 'arp'],
      ['domifaddr', 'test', '--source', 'agent'],
      ['domifaddr', 'test', '--interface', 'testnet0'],
      ['domifaddr', 'test', '--interface', 'nosuch'],
      ['-q', 'domifaddr', 'test'],
      ['domifaddr', 'test', '--source', 'foo'],
      ['domifaddr', 'nosuch'],
      ['domlaunchsecinfo', 'test'],
      ['domlaunchsecinfo', 'nosuch'],
      ['domsetlaunchsecstate', 'test', '--secrethdr', '@dir/secret', '--secret', '@dir/secret', '--set-address', '5'],
      ['domsetlaunchsecstate', 'test', '--secrethdr', '@dir/secret'],
      ['domsetlaunchsecstate', 'test', '--secrethdr', '@dir/nonexistent', '--secret', '@dir/secret'],
      ['domsetlaunchsecstate', 'test', '--secrethdr', '@dir/secret', '--secret', '@dir/big'],
      ['domsetlaunchsecstate', 'test', '--secrethdr', '@dir/secret', '--secret', '@dir/secret', '--set-address', '-1'],
      ['define @dir/dom.xml; domblklist mon --details; domblklist mon; domblkinfo mon --all --human; domblkinfo mon vdb; domiflist mon'],
      ['define @dir/dom.xml; domif-getlink mon 52:54:00:11:22:33; domif-getlink mon 52:54:00:11:22:3; domif-getlink mon vnet7'],
      ['define @dir/dom.xml; start mon; domblkinfo mon --all; domifaddr mon; domstats mon --block --interface --vcpu --balloon --cpu-total'],
    ]);
    cases(
      [
        ['domblkstat', 'test', 'vda'],
        ['domblkstat', 'test', 'vda', '--human'],
        ['domifstat', 'test', 'testnet0'],
      ],
      maskCounters,
    );
  });

  describe('host and hypervisor', () => {
    cases([
      ['domcapabilities'],
      ['domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64', '--machine', 'pc', '--emulatorbin', '/usr/bin/qemu'],
      ['domcapabilities', '--arch', ''],
      ['freecell'],
      ['freecell', '--all'],
      ['-q', 'freecell', '--all'],
      ['freecell', '1'],
      ['freecell', '--cellno', '0'],
      ['freecell', '7'],
      ['freecell', '--', '-1'],
      ['freecell', 'x'],
      ['freecell', '--all', '--cellno', '0'],
      ['freepages'],
      ['freepages', '--all'],
      ['freepages', '--all', '--pagesize', '2M'],
      ['freepages', '--pagesize', '4', '--cellno', '0'],
      ['freepages', '--cellno', '0'],
      ['freepages', '--cellno', '-2', '--pagesize', '4'],
      ['freepages', '--pagesize', '4x', '--cellno', '0'],
      ['freepages', '--all', '--cellno', '0'],
      ['allocpages', '4', '10'],
      ['allocpages', '2M', '10', '--all', '--add'],
      ['allocpages', '4', '-1'],
      ['allocpages', '4x', '1'],
      ['allocpages', '4', '1', '--all', '--cellno', '0'],
      ['maxvcpus'],
      ['maxvcpus', '--type', 'kvm'],
      ['maxvcpus', '--type', ''],
      ['nodecpumap'],
      ['nodecpumap', '--pretty'],
      ['nodecpustats'],
      ['nodecpustats', '0'],
      ['nodecpustats', '--percent'],
      ['nodecpustats', '--cpu', '-5'],
      ['nodecpustats', '--cpu', 'x'],
      ['nodememstats'],
      ['nodememstats', '0'],
      ['nodememstats', '--cell', '-5'],
      ['nodesevinfo'],
      ['nodesuspend', 'mem', '60'],
      ['nodesuspend', 'foo', '60'],
      ['nodesuspend', 'mem', '-1'],
      ['nodesuspend', 'mem', 'x'],
      ['node-memory-tune'],
      ['node-memory-tune', '--shm-pages-to-scan', '5', '--shm-sleep-millisecs', '10', '--shm-merge-across-nodes', '1'],
      ['node-memory-tune', '--shm-pages-to-scan', '-5'],
      ['cpu-models', 'x86_64'],
      ['cpu-models', 'foo'],
      ['cpu-baseline', '@dir/cpus.xml'],
      ['cpu-baseline', '--features', '--migratable', '@dir/cpus.xml'],
      ['cpu-baseline', '@dir/mixed.xml'],
      ['cpu-baseline', '@dir/none.xml'],
      ['cpu-baseline', '@dir/nonexistent.xml'],
      ['cpu-compare', '@dir/cpus.xml'],
      ['cpu-compare', '--error', '--validate', '@dir/mixed.xml'],
      ['cpu-compare', '@dir/none.xml'],
      ['hypervisor-cpu-baseline', '@dir/cpus.xml', '--arch', 'x86_64'],
      ['hypervisor-cpu-baseline', '--model', 'core2duo', '--virttype', 'kvm'],
      ['hypervisor-cpu-baseline'],
      ['hypervisor-cpu-baseline', '@dir/cpus.xml', '--model', 'core2duo'],
      ['hypervisor-cpu-baseline', '@dir/none.xml'],
      ['hypervisor-cpu-compare', '@dir/cpus.xml', '--emulator', '/usr/bin/qemu'],
      ['hypervisor-cpu-compare', '@dir/nonexistent.xml'],
    ]);
  });

  // Host commands and an inactive guest on the sandbox's QEMU daemon (nothing is started): typed
  // parameters and stats as a real driver reports them. The daemon is shared: commands name the
  // test's own domain rather than listing all.
  describe('on QEMU', () => {
    const NAME = 'virsh-monitor-qemu';
    let qemuUri: string;
    const qsame = (args: string[], mask?: (s: string) => string) => {
      const real = args.map((a) => a.replaceAll('@dir', dir).replaceAll('@dom', NAME));
      const { virsh, ours } = bothVirsh(['-c', qemuUri, ...real], { mask });
      expect(ours, `virsh-rpc ${real.join(' ')}`).to.deep.equal(virsh);
    };
    const qcases = (list: string[][], mask?: (s: string) => string) => {
      for (const args of list) it(args.join(' '), () => void qsame(args, mask));
    };
    before(async () => {
      qemuUri = sandboxEnv('QEMU_UNIX_URI');
      writeFileSync(file('disk.img'), Buffer.alloc(1 << 20));
      const conn = await connect(qemuUri);
      try {
        await conn.domainDefineXML(
          `<domain type='qemu'><name>${NAME}</name><memory>65536</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os><devices>` +
            `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${file('disk.img')}'/><target dev='vda' bus='virtio'/></disk>` +
            `<interface type='user'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/></interface></devices></domain>`,
        );
      } finally {
        await conn.close();
      }
    });
    after(async () => {
      const conn = await connect(qemuUri);
      try {
        await (await conn.domainLookupByName(NAME)).undefine();
      } finally {
        await conn.close();
      }
    });
    qcases([
      ['node-memory-tune'],
      ['nodesevinfo'],
      ['maxvcpus'],
      ['maxvcpus', '--type', 'kvm'],
      ['cpu-models', 'x86_64'],
      ['domcapabilities'],
      ['nodecpumap'],
      ['nodecpumap', '--pretty'],
      ['cpu-compare', '@dir/cpus.xml'],
      ['cpu-baseline', '@dir/cpus.xml'],
      ['hypervisor-cpu-compare', '@dir/cpus.xml'],
      ['hypervisor-cpu-baseline', '@dir/cpus.xml'],
      ['hypervisor-cpu-baseline', '--model', 'Penryn', '--features'],
      ['domblkinfo', '@dom', '--all'],
      ['domblkinfo', '@dom', '--all', '--human'],
      ['domblkinfo', '@dom', 'vda'],
      ['domblklist', '@dom', '--details'],
      ['domiflist', '@dom'],
      ['domif-getlink', '@dom', '52:54:00:aa:bb:cc'],
      ['domstats', '@dom', '--block', '--backing'],
      ['domstats', '@dom', '--vcpu', '--balloon', '--interface'],
      ['dommemstat', '@dom'],
      ['domblkstat', '@dom', 'vda'],
      ['domifstat', '@dom', '52:54:00:aa:bb:cc'],
      ['domblkerror', '@dom'],
      ['domcontrol', '@dom'],
      ['domtime', '@dom'],
      ['domifaddr', '@dom'],
      ['domlaunchsecinfo', '@dom'],
    ]);
    qcases([['domstats', '@dom']], maskCpuStats);
    qcases([['nodecpustats'], ['nodecpustats', '--percent'], ['nodememstats'], ['nodememstats', '0'], ['freecell'], ['freecell', '--all'], ['freepages', '--all']], maskNumbers);
  });
});
