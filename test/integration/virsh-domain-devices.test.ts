// virsh-rpc against libvirt's virsh on the sandbox's test driver, the device, block job, migration,
// edit, event and QEMU commands of "Domain Management": the same arguments give the same stdout,
// stderr and exit status, byte for byte.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, maskCpuTime, runAsync, VIRSH_RPC } from '../support/virsh-compare.js';

/** A domain with removable media, two interfaces and a virtio-mem device (fixed UUID: redefining it is idempotent). */
const CD_DOMAIN = `<domain type='test'>
  <name>cd</name>
  <uuid>8f07e1a2-5a7c-4b0e-9b1f-2a4c1d3e5f60</uuid>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <maxMemory slots='4' unit='KiB'>4194304</maxMemory>
  <vcpu>1</vcpu>
  <cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB'/></numa></cpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/tmp/a&amp;b.iso' startupPolicy='optional'/>
      <backingStore/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <disk type='file' device='floppy'>
      <target dev='fda' bus='fdc'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:00:00:01'/>
      <source network='default'/>
    </interface>
    <interface type='network'>
      <mac address='52:54:00:00:00:02'/>
      <source network='default'/>
    </interface>
    <memory model='virtio-mem'>
      <target><size unit='KiB'>1048576</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>524288</requested></target>
      <alias name='ua-mem'/>
    </memory>
  </devices>
</domain>
`;

const DISK_DEVICE = `<disk type='file' device='disk'><source file='/tmp/y.img'/><target dev='vdc'/></disk>\n`;

describe('virsh-rpc vs virsh: domain devices, block jobs, migration, edit, events (test driver)', function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  before(() => {
    uri = sandboxEnv('TEST_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-devices-'));
    writeFileSync(join(dir, 'cd.xml'), CD_DOMAIN);
    writeFileSync(join(dir, 'disk.xml'), DISK_DEVICE);
    const script = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    script('bad-xml.sh', 'sed -i "s|<name>|<nam>|" "$1"');
    script('set-memory.sh', `sed -i "s|<memory unit='KiB'>[0-9]*<|<memory unit='KiB'>3145728<|" "$1"`);
    script('set-bridge.sh', `sed -i "s|<bridge name='virbr0'|<bridge name='virbr9'|" "$1"`);
    script('touch.sh', 'touch "$1"');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fix = (a: string): string => a.replace(/@DIR@/g, dir);
  const same = (args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; mask?: (s: string) => string } = {}) => {
    const { virsh, ours } = bothVirsh(['-c', uri, ...args.map(fix)], opts);
    expect(ours, `virsh-rpc ${args.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };
  const cases = (list: string[][]) => {
    for (const args of list) it(args.join(' '), () => void same(args));
  };
  const onCd = (line: string): string[] => [`define @DIR@/cd.xml; ${line}`];

  describe('attach-disk and attach-interface (--print-xml)', () =>
    cases([
      ['attach-disk', 'test', '/var/lib/x.img', 'vdb', '--print-xml'],
      ['attach-disk', 'test', '/var/lib/x.img', 'vdb', '--print-xml', '--driver', 'qemu', '--subdriver', 'qcow2', '--cache', 'none', '--io', 'native', '--iothread', '1', '--type', 'cdrom', '--mode', 'readonly', '--serial', 'abc', '--alias', 'ua-x', '--wwn', '0x5000c50015ea71ac', '--address', 'pci:0000.00.0a.0', '--multifunction', '--rawio', '--targetbus', 'virtio'],
      ['attach-disk', 'test', "a'b<&", 'vdb', '--print-xml', '--sourcetype', 'network', '--source-protocol', 'nbd', '--source-host-name', 'host:1234'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--source-protocol', 'nbd', '--source-host-transport', 'unix', '--source-host-socket', '/s'],
      ['attach-disk', 'test', '', 'vdb', '--print-xml', '--type', 'cdrom', '--shareable'],
      ['attach-disk', 'test', 'x', 'sda', '--print-xml', '--address', 'scsi:1.2.3'],
      ['attach-disk', 'test', 'x', 'sdb', '--print-xml', '--address', 'usb:1.2'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--address', 'ccw:0xfe.0.0a'],
      ['attach-disk', 'test', 'x', 'hda', '--print-xml', '--address', 'ide:0.1.0'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--wwn', '12'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--mode', 'foo'],
      ['attach-disk', 'test', 'x', 'sda', '--print-xml', '--address', 'pci:0.0.0.0'],
      ['attach-disk', 'test', 'x', 'hda', '--print-xml', '--address', 'usb:1.2'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--address', 'bogus'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--sourcetype', 'foo'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--source-host-name', 'h'],
      ['attach-disk', 'test', 'x', 'vdb', '--sourcetype', 'network'],
      ['attach-disk', 'test', 'x', 'vdb', '--print-xml', '--persistent', '--current'],
      ['attach-disk', 'test', '/tmp/x.img', 'vdb'],
      ['attach-disk', 'test', '/tmp/x.img', 'vdb', '--config'],
      ['attach-disk', 'nosuch', '/tmp/x.img', 'vdb'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml'],
      ['attach-interface', 'test', 'bridge', 'br0', '--print-xml', '--target', 'vnet0', '--mac', '52:54:00:11:22:33', '--script', '/s', '--model', 'virtio', '--alias', 'ua-n', '--inbound', '100,200,300,400', '--outbound', '10,20,30', '--managed'],
      ['attach-interface', 'test', 'direct', 'eth0', '--print-xml', '--inbound', ',,,5'],
      ['attach-interface', 'test', 'hostdev', '0000:00:03.0', '--print-xml'],
      ['attach-interface', 'test', 'vhostuser', '/s', '--print-xml', '--source-mode', 'server'],
      ['attach-interface', 'test', 'hostdev', 'zz', '--print-xml'],
      ['attach-interface', 'test', 'vhostuser', '/s', '--print-xml'],
      ['attach-interface', 'test', 'vhostuser', '/s', '--print-xml', '--source-mode', 'x'],
      ['attach-interface', 'test', 'user', 'x', '--print-xml'],
      ['attach-interface', 'test', 'foo', 'x', '--print-xml'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml', '--inbound', '1,2,3,4,5'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml', '--inbound', ',2'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml', '--inbound', 'x'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml', '--outbound', '1,2,3,4'],
      ['attach-interface', 'test', 'network', 'default', '--print-xml', '--outbound', ',1'],
      ['attach-interface', 'test', 'network', 'default'],
      ['attach-interface', 'test', 'direct', 'eth0', '--config'],
      ['attach-interface', 'nosuch', 'network', 'default'],
    ]));

  describe('attach-device, detach-device, update-device, detach-device-alias', () =>
    cases([
      ['attach-device', 'test', '@DIR@/disk.xml'],
      ['attach-device', 'test', '@DIR@/disk.xml', '--persistent'],
      ['attach-device', 'test', '/nonexistent.xml'],
      ['attach-device', 'nosuch', '@DIR@/disk.xml'],
      ['attach-device', 'test', '@DIR@/disk.xml', '--current', '--live'],
      ['detach-device', 'test', '@DIR@/disk.xml', '--live'],
      ['detach-device', 'test', '/nonexistent.xml'],
      ['update-device', 'test', '@DIR@/disk.xml', '--force'],
      ['update-device', 'test', '/nonexistent.xml'],
      ['detach-device-alias', 'test', 'ua-x'],
      ['detach-device-alias', 'test', 'ua-x', '--current', '--live'],
      ['detach-device-alias', 'nosuch', 'ua-x'],
    ]));

  describe('detach-disk, detach-interface, change-media, update-memory-device', () =>
    cases([
      ['detach-disk', 'test', 'vda', '--print-xml'],
      ['detach-disk', 'test', '/guest/diskimage1', '--config', '--print-xml'],
      ['detach-disk', 'test', 'vda'],
      ['detach-disk', 'test', 'vdz'],
      ['detach-interface', 'test', 'network', '--print-xml'],
      ['detach-interface', 'test', 'network', '--mac', 'AA:BB:CC:DD:EE:FF', '--config', '--print-xml'],
      ['detach-interface', 'test', 'network'],
      ['detach-interface', 'test', 'bridge'],
      ['detach-interface', 'test', 'network', '--mac', '00:00:00:00:00:00'],
      ['change-media', 'test', 'vda', '--eject'],
      ['change-media', 'test', 'hdc', '--eject'],
      ['change-media', 'test', 'vda', '--eject', '--insert'],
      ['update-memory-device', 'test'],
      ['update-memory-device', 'test', '--node', '1', '--alias', 'x'],
      onCd('change-media cd hdc --eject --print-xml'),
      onCd('change-media cd hdc /tmp/new.iso --print-xml'),
      onCd('change-media cd /tmp/a&b.iso /tmp/new.iso --insert --print-xml'),
      onCd('change-media cd fda /tmp/f.img --insert --print-xml --block'),
      onCd('change-media cd fda --eject'),
      onCd('change-media cd fda --update'),
      onCd('change-media cd fda --insert'),
      onCd('change-media cd hdc /x --eject'),
      onCd('change-media cd hdc --eject'),
      onCd('change-media cd hdc --update /n.iso --config'),
      onCd('detach-disk cd hdc --print-xml'),
      onCd('detach-interface cd network'),
      onCd('detach-interface cd network --mac 52:54:00:00:00:2 --print-xml'),
      onCd('update-memory-device cd --print-xml --requested-size 1G'),
      onCd('update-memory-device cd --print-xml --alias ua-mem'),
      onCd('update-memory-device cd --print-xml --node 0 --requested-size 1023'),
      onCd('update-memory-device cd --node 1'),
      onCd('update-memory-device cd --requested-size 1x'),
      onCd('update-memory-device cd --requested-size 2G'),
    ]));

  describe('block jobs and migration tuning', () =>
    cases([
      ['blockjob', 'test', 'vda'],
      ['blockjob', 'test', 'vda', '--raw'],
      ['blockjob', 'test', 'vda', '--abort'],
      ['blockjob', 'test', 'vda', '--pivot', '--async'],
      ['blockjob', 'test', 'vda', '--bandwidth', '10'],
      ['blockjob', 'test', 'vda', '--bandwidth', '10M', '--bytes'],
      ['blockjob', 'test', 'vda', '--bandwidth', '-1'],
      ['blockjob', 'test', 'vda', '--bandwidth', '1x'],
      ['blockjob', 'test', 'vda', '--raw', '--abort'],
      ['blockjob', 'test', 'vda', '--info', '--bandwidth', '1'],
      ['blockjob', 'test', 'vda', '--bytes', '--async'],
      ['blockjob', 'nosuch', 'vda'],
      ['blkdeviotune', 'test', 'vda'],
      ['blkdeviotune', 'test', 'vdz'],
      ['blkdeviotune test vda --total-bytes-sec 10M --read-iops-sec 5 --group-name g; blkdeviotune test vda'],
      ['blkdeviotune test vda --total_bytes_sec 100 --config; blkdeviotune test vda --config'],
      ['blkdeviotune', 'test', 'vda', '--total-bytes-sec', '1x'],
      ['blkdeviotune', 'test', 'vda', '--read-iops-sec', '-1'],
      ['blkdeviotune', 'test', 'vda', '--group-name', ''],
      ['blkdeviotune', 'test', 'vda', '--config', '--current'],
      ['destroy test; blkdeviotune test vda; start test'],
      ['blkdeviotune', 'nosuch', 'vda'],
      ['blockresize', 'test', 'vda', '10G'],
      ['blockresize', 'test', 'vda', '1000b'],
      ['blockresize', 'test', 'vda', 'x'],
      ['domblkthreshold', 'test', 'vda', '1G'],
      ['domblkthreshold', 'test', 'vda', 'x'],
      ['migrate-setmaxdowntime', 'test', '100'],
      ['migrate-setmaxdowntime', 'test', '0'],
      ['migrate-setmaxdowntime', 'test', 'x'],
      ['migrate-getmaxdowntime', 'test'],
      ['migrate-compcache', 'test'],
      ['migrate-compcache', 'test', '--size', '100'],
      ['migrate-setspeed', 'test', '100'],
      ['migrate-setspeed', 'test', '-1', '--postcopy'],
      ['migrate-getspeed', 'test', '--postcopy'],
      ['migrate-postcopy', 'test'],
      ['migrate-postcopy', 'nosuch'],
      ['qemu-monitor-command', 'test', 'query-status'],
      ['qemu-monitor-command', 'test', '--hmp', '--pretty', 'info'],
      ['qemu-monitor-command', 'test', 'qom-list', '"a":1', '"b":2'],
      ['qemu-agent-command', 'test', '{"execute":"guest-ping"}'],
      ['qemu-agent-command', 'test', 'x', '--timeout', '-1'],
      ['qemu-attach', '1'],
    ]));

  describe('console without a terminal', () =>
    cases([['console', 'test'], ['destroy test; console test; start test'], ['console', 'nosuch'], ['console', 'test', '--devname', ''], ['console', 'test', '--force', '--safe']]));

  describe('the *-edit commands', () => {
    // The editor runs on the temporary file virsh names at random.
    const mask = (t: string) => maskCpuTime(t).replace(/virsh[A-Za-z0-9]{6}\.xml/g, 'virshXXXXXX.xml');
    const edits: [string, string][] = [
      // On a domain the same line defines first: the test driver keeps state while another client is connected.
      ['set-memory.sh', 'define @DIR@/cd.xml; edit cd; dominfo cd'],
      ['set-memory.sh', 'define @DIR@/cd.xml; edit cd --skip-validate'],
      ['bad-xml.sh', 'edit test'],
      ['touch.sh', 'edit test'],
      ['true', 'edit test'],
      ['false', 'edit test'],
      ['false x', 'edit test'],
      ['/nonexistent-editor', 'edit test'],
      ['nonexistent-editor', 'edit test'],
      ['kill -9 $$;', 'edit test'],
      ['true', 'edit nosuch'],
      ['set-bridge.sh', 'net-edit default'],
      ['bad-xml.sh', 'net-edit default'],
      ['true', 'net-edit default'],
      ['true', 'net-edit nosuch'],
      ['true', 'pool-edit default-pool'],
      ['bad-xml.sh', 'pool-edit default-pool'],
      ['true', 'pool-edit nosuch'],
      ['true', 'iface-edit eth1'],
      ['bad-xml.sh', 'iface-edit eth1'],
      ['true', 'iface-edit nosuch'],
      ['true', 'iface-edit 00:11:22:33:44:55'],
      ['true', 'nwfilter-edit nosuch'],
      ['true', 'snapshot-edit test'],
      ['true', 'snapshot-edit test --current'],
      ['true', 'snapshot-edit test nosnap'],
      ['true', 'snapshot-edit test x --rename --clone'],
      ['true', 'checkpoint-edit test'],
      ['true', 'checkpoint-edit test x'],
      ['true', 'managedsave-edit test'],
      ['true', 'managedsave-edit test --running --paused'],
      ['true', 'save-image-edit /nonexistent'],
    ];
    for (const [editor, line] of edits)
      it(`EDITOR=${editor} ${line}`, () => {
        const ed = editor.endsWith('.sh') ? join(dir, editor) : editor;
        same([fix(line)], { env: { EDITOR: ed, VISUAL: undefined }, mask });
      });
    it('VISUAL is preferred to EDITOR', () => void same(['edit test'], { env: { VISUAL: 'false', EDITOR: 'true' }, mask }));
  });

  describe('event', () => {
    cases([
      ['event', '--list'],
      ['event'],
      ['event', '--all', '--timeout', '1'],
      ['event', '--event', 'lifecycle', '--timeout', '1', 'test'],
      ['event', '--event', 'foo'],
      ['event', '--list', '--all'],
      ['event', '--all', '--event', 'lifecycle'],
      ['event', '--event', 'lifecycle', '--timeout', '0'],
      ['event', '--event', 'lifecycle', '--timeout', 'x'],
      ['event', 'nosuch', '--all', '--timeout', '1'],
    ]);
    // Other clients of the shared test driver may cause events too: only the events of our domain count.
    const ours = (out: string) => out.split('\n').filter((l) => l.includes("domain 'cd'")).join('\n');
    const stamp = (out: string) => out.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: /gm, '<time>: ');
    for (const args of [['--all', '--loop'], ['--event', 'lifecycle', '--loop', '--timestamp'], ['--all']])
      it(`event ${args.join(' ')} sees what another connection does`, async () => {
        const watch = async (program: string[]) => {
          const watcher = runAsync(program[0]!, [...program.slice(1), '-c', uri, 'event', ...args, '--timeout', '5']);
          await new Promise((r) => setTimeout(r, 1500));
          const trigger = await runAsync('virsh', ['-c', uri, fix('define @DIR@/cd.xml; start cd; suspend cd; resume cd; destroy cd; undefine cd')]);
          expect(trigger.status).to.equal(0);
          const r = await watcher;
          return { stdout: stamp(ours(r.stdout)), stderr: r.stderr, status: r.status };
        };
        const theirs = await watch(['virsh']);
        expect(theirs.stdout).to.contain("event 'lifecycle' for domain 'cd': ");
        expect(await watch([process.execPath, VIRSH_RPC])).to.deep.equal(theirs);
      });
  });
});
