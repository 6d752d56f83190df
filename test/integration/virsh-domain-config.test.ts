// virsh-rpc against libvirt's virsh on the sandbox's test driver, for the "Domain Management"
// commands of commands/domain-config.ts, domain-tune.ts and domain-guest.ts: the same arguments
// give the same stdout, stderr and exit status, byte for byte. Also libvirt's own tests
// tests/virsh-vcpupin, virsh-schedinfo and virsh-int-overflow, run on virsh-rpc.
//
// The connection opens the test driver on a node file of this test (libvirt's built-in default
// state, plus an inactive domain with storage): unlike test:///default, whose state other
// clients of the sandbox share, such a driver is private to the connection.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, maskCpuTime, runAsync, runVirshRpc, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

/** libvirt 9.0's defaultConnXML (src/test/test_driver.c), with two volumes and a second domain. */
const NODE_XML = `<node>
<domain type='test'>
  <name>test</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
  <memory>8388608</memory>
  <currentMemory>2097152</currentMemory>
  <vcpu>2</vcpu>
  <os>
    <type>hvm</type>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/guest/diskimage1'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <interface type='network'>
      <mac address='aa:bb:cc:dd:ee:ff'/>
      <source network='default' bridge='virbr0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1' function='0x0'/>
    </interface>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x2' function='0x0'/>
    </memballoon>
  </devices>
</domain>
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>vm2</name>
  <uuid>6695eb01-f6a4-8304-79aa-97f2502e1940</uuid>
  <maxMemory slots='16' unit='KiB'>16777216</maxMemory>
  <memory>4194304</memory>
  <vcpu current='1'>4</vcpu>
  <os><type>hvm</type></os>
  <cpu><numa><cell id='0' cpus='0-3' memory='1048576' unit='KiB'/></numa></cpu>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source network='default'/>
      <target dev='vnet7'/>
      <link state='up'/>
    </interface>
    <memory model='dimm'>
      <target><size unit='KiB'>524288</size><node>0</node></target>
      <alias name='ua-dimm0'/>
    </memory>
    <memory model='virtio-mem'>
      <target><size unit='KiB'>1048576</size><node>0</node><block unit='KiB'>2048</block><requested unit='KiB'>0</requested></target>
      <alias name='ua-virtiomem0'/>
    </memory>
    <disk type='file' device='disk'>
      <source file='/default-pool/disk2.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='volume' device='disk'>
      <source pool='default-pool' volume='disk3.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/guest/unmanaged.img'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <graphics type='vnc' port='5901' listen='127.0.0.1' passwd='secret'/>
    <graphics type='spice' port='5902' tlsPort='5903' listen='0.0.0.0'/>
    <console type='pty' tty='/dev/pts/7'><target type='serial' port='0'/></console>
  </devices>
  <test:runstate>5</test:runstate>
</domain>
<network>
  <name>default</name>
  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>
  <bridge name='virbr0'/>
  <forward/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.2' end='192.168.122.254'/>
    </dhcp>
  </ip>
</network>
<pool type='dir'>
  <name>default-pool</name>
  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>
  <target>
    <path>/default-pool</path>
  </target>
  <volume><name>disk2.img</name><capacity>1000000</capacity><allocation>50000</allocation><target/></volume>
  <volume><name>disk3.img</name><capacity>1000000</capacity><allocation>50000</allocation><target/></volume>
</pool>
</node>
`;

/** Masks what changes between two runs: CPU times, the name of an editor's temporary file, a screenshot's time stamp. */
const mask = (s: string): string =>
  maskCpuTime(s)
    .replace(/\/virsh[A-Za-z0-9]{6}\.xml/g, '/virshXXXXXX.xml')
    .replace(/test-\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d/g, 'test-<time>')
    .replace(/ +\d+\.\d{9} seconds/g, ' <masked> seconds');

describe('virsh-rpc vs virsh: domain configuration commands (test driver)', function () {
  this.timeout(300_000);
  let uri: string;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'virsh-domain-config-'));
    chmodSync(dir, 0o755);
    const node = join(dir, 'node.xml');
    writeFileSync(node, NODE_XML);
    writeFileSync(join(dir, 'domain.xml'), '<domain type="test"><name>test</name><memory>1024</memory><os><type>hvm</type></os></domain>\n');
    writeFileSync(join(dir, 'keys'), 'ssh-rsa AAAA one\nssh-ed25519 BBBB two\n');
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'editor.sh'), '#!/bin/sh\necho "edited text" > "$1"\n');
    writeFileSync(join(dir, 'editor-xml.sh'), '#!/bin/sh\necho "<a>edited</a>" > "$1"\n');
    chmodSync(join(dir, 'editor.sh'), 0o755);
    chmodSync(join(dir, 'editor-xml.sh'), 0o755);
    uri = sandboxEnv('TEST_UNIX_URI').replace('///default', `//${node}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const same = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const real = args.map((a) => a.replaceAll('$DIR', dir));
    const { virsh, ours } = bothVirsh(['-c', uri, ...real], { mask, env, cwd: dir });
    expect(ours, `virsh-rpc ${real.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };

  /** As same, both programs at once: for commands that touch no file (each connection has its own driver). */
  const sameAtOnce = async (args: string[]) => {
    const m = (r: RunResult): RunResult => ({ stdout: mask(r.stdout), stderr: mask(r.stderr), status: r.status });
    const full = ['-c', uri, ...args];
    const [virsh, ours] = await Promise.all([runAsync('virsh', full, { cwd: dir }), runAsync(process.execPath, [VIRSH_RPC, ...full], { cwd: dir })]);
    expect(m(ours), `virsh-rpc ${args.join(' ')}`).to.deep.equal(m(virsh));
  };

  const groups: Record<string, string[][]> = {
    'undefine and autostart': [
      ['undefine test'],
      ['undefine nosuch'],
      ['destroy test; undefine test; list --all'],
      ['undefine test --remove-all-storage'],
      ['undefine test --wipe-storage'],
      ['undefine test --nvram --keep-nvram'],
      ['undefine test --tpm --keep-tpm'],
      ['undefine test --delete-storage-volume-snapshots'],
      ['destroy test; undefine test --nvram'],
      ['undefine vm2 --remove-all-storage; list --all'],
      ['undefine vm2 --storage vda,vdb,vdc --wipe-storage'],
      ['undefine vm2 --storage /default-pool/disk2.img,nope'],
      ['undefine vm2 --storage vdb --remove-all-storage'],
      ['undefine vm2 --storage disk3.img --delete-storage-volume-snapshots --remove-all-storage'],
      ['start vm2; undefine vm2 --remove-all-storage'],
      ['managedsave test; undefine test; list --all'],
      ['managedsave test; undefine test --managed-save; list --all'],
      ['autostart test; dominfo test'],
      ['autostart test --disable; dominfo test'],
      ['autostart nosuch'],
      ['autostart nosuch --disable'],
    ],
    'save, managedsave, restore, dump': [
      ['save test $DIR/s1; list --all; restore $DIR/s1; list'],
      ['save test $DIR/s1 --verbose --running --bypass-cache'],
      ['save test $DIR/s1 --xml $DIR/domain.xml'],
      ['save test $DIR/s1 --xml $DIR/none.xml'],
      ['save nosuch $DIR/s1'],
      ['save test /nonexistent/dir/s1'],
      ['save test $DIR/s1; save-image-dumpxml $DIR/s1'],
      ['save test $DIR/s1; save-image-dumpxml $DIR/s1 --security-info'],
      ['save-image-dumpxml $DIR/none'],
      ['save test $DIR/s1; save-image-define $DIR/s1 $DIR/domain.xml --running'],
      ['save-image-define $DIR/none $DIR/domain.xml'],
      ['save-image-define $DIR/none $DIR/none.xml'],
      ['save test $DIR/s1; restore $DIR/s1 --paused; list'],
      ['save test $DIR/s1; restore $DIR/s1 --xml $DIR/domain.xml --running; list'],
      ['restore $DIR/none'],
      ['restore $DIR/s1 --xml $DIR/none.xml'],
      ['managedsave test; list --all --managed-save; start test; list'],
      ['managedsave test --verbose --paused'],
      ['managedsave nosuch'],
      ['destroy test; managedsave test'],
      ['managedsave test; managedsave-dumpxml test'],
      ['managedsave-dumpxml test'],
      ['managedsave-dumpxml nosuch'],
      ['managedsave test; managedsave-define test $DIR/domain.xml --paused'],
      ['managedsave-define test $DIR/domain.xml --running --paused'],
      ['managedsave-define test $DIR/none.xml'],
      ['managedsave-define test $DIR/domain.xml'],
      ['managedsave test; managedsave-remove test; list --all --managed-save'],
      ['managedsave-remove test'],
      ['managedsave-remove nosuch'],
      ['dump test $DIR/core; list'],
      ['dump test $DIR/core --live --crash --verbose'],
      ['dump test $DIR/core --format elf'],
      ['dump test $DIR/core --memory-only --format bad'],
      ['dump test $DIR/core --memory-only --format kdump-zlib'],
      ['dump nosuch $DIR/core'],
    ],
    'vCPUs': [
      ['vcpucount test'],
      ['vcpucount test --maximum --live'],
      ['vcpucount test --active --config'],
      ['vcpucount test --current'],
      ['vcpucount test --guest'],
      ['vcpucount test --live --config'],
      ['vcpucount test --active --maximum'],
      ['vcpucount vm2'],
      ['vcpucount nosuch'],
      ['vcpuinfo test'],
      ['vcpuinfo test --pretty'],
      ['vcpuinfo vm2'],
      ['vcpuinfo vm2 --pretty'],
      ['vcpuinfo nosuch'],
      ['vcpupin test'],
      ['vcpupin test 1'],
      ['vcpupin test --config'],
      ['vcpupin test --live --config'],
      ['vcpupin vm2'],
      ['vcpupin vm2 --live'],
      ['vcpupin vm2 3 --config'],
      ['vcpupin test 0 1-3,^2; vcpupin test'],
      ['vcpupin test 1 r --live; vcpupin test'],
      ['vcpupin test 0 99'],
      ['vcpupin test 0 x'],
      ['vcpupin test 0 ^0'],
      ['vcpupin test 0 "1, 2 - 3"'],
      ['emulatorpin test'],
      ['emulatorpin test --live --config'],
      ['emulatorpin test 1-2; emulatorpin test'],
      ['emulatorpin test r --config'],
      ['emulatorpin test 3-1'],
      ['emulatorpin nosuch'],
      ['setvcpus test 1; vcpucount test'],
      ['setvcpus test 1 --live; vcpucount test'],
      ['setvcpus test 0'],
      ['setvcpus test 3'],
      ['setvcpus test x'],
      ['setvcpus test 3 --maximum'],
      ['setvcpus vm2 3 --config; vcpucount vm2'],
      ['setvcpus vm2 3 --maximum --config; vcpucount vm2'],
      ['setvcpus test 1 --guest --config'],
      ['setvcpus test 1 --guest'],
      ['setvcpu test 1 --disable'],
      ['setvcpu test 1'],
      ['setvcpu test 1 --enable --disable'],
      ['setvcpu nosuch 1 --enable'],
      ['guestvcpus test'],
      ['guestvcpus test 1 --enable'],
      ['guestvcpus test 1'],
      ['guestvcpus test --enable'],
    ],
    'IOThreads and the scheduler': [
      ['iothreadinfo test'],
      ['iothreadinfo nosuch'],
      ['iothreadadd test 3; iothreadinfo test'],
      ['iothreadadd test 0'],
      ['iothreadadd test x'],
      ['iothreadadd test 3 --config; iothreadpin test 3 1-2 --config; iothreadinfo test --config'],
      ['iothreadpin test 3 1'],
      ['iothreadpin test 3 x'],
      ['iothreaddel test 3'],
      ['iothreadadd test 3; iothreaddel test 3; iothreadinfo test'],
      ['iothreaddel test -1'],
      ['iothreadset test 1 --poll-max-ns 100'],
      ['iothreadset test 1'],
      ['iothreadset test 0 --poll-grow 1'],
      ['iothreadset test 1 --poll-grow x'],
      ['iothreadset test 1 --thread-pool-min 1 --thread-pool-max 2'],
      ['schedinfo test'],
      ['schedinfo test --set weight=10; schedinfo test'],
      ['schedinfo test --weight 20 --config'],
      ['schedinfo test --weight 20 --live --config'],
      ['schedinfo test --set weight=x'],
      ['schedinfo test --set weight'],
      ['schedinfo test --set bogus=1'],
      ['schedinfo test --cap 5'],
      ['schedinfo test --live --config'],
      ['schedinfo test --current --live'],
      ['schedinfo nosuch'],
    ],
    'memory, block I/O, NUMA, perf': [
      ['setmem test 1G; dominfo test'],
      ['setmem test 1024 --config; dumpxml test --inactive'],
      ['setmem test 100T'],
      ['setmem test x'],
      ['setmem test 1G --current --live'],
      ['setmaxmem test 2G --config; dominfo test'],
      ['setmaxmem test 1'],
      ['setmaxmem nosuch 1'],
      ['memtune test'],
      ['memtune test --hard-limit 1G --soft-limit -1; memtune test'],
      ['memtune test --swap-hard-limit 2048 --min-guarantee 10M --config; memtune test --config'],
      ['memtune test --hard-limit x'],
      ['memtune test --hard-limit 1Q'],
      ['memtune nosuch'],
      ['blkiotune test'],
      ['blkiotune test --weight 100; blkiotune test'],
      ['blkiotune test --weight 0'],
      ['blkiotune test --weight x'],
      ['blkiotune test --device-weights /dev/sda,100 --device-read-iops-sec /dev/sda,5; blkiotune test'],
      ['numatune test'],
      ['numatune test --mode interleave --nodeset 0; numatune test'],
      ['numatune test --mode 2; numatune test'],
      ['numatune test --mode 9; numatune test'],
      ['numatune test --mode bogus'],
      ['numatune test --nodeset x'],
      ['perf test'],
      ['perf test --enable cmt,,mbmt --disable cpu_cycles; perf test'],
      ['perf test --enable bogus'],
      ['perf test --config --current'],
    ],
    'description and metadata': [
      ['desc test'],
      ['desc test --title'],
      ['desc test hello   world; desc test'],
      ['desc test --title My title; desc test --title; list --title'],
      ['desc test --config new; desc test --config; desc test --live'],
      ['desc test --new-desc "a b"; desc test'],
      ['desc nosuch'],
      ['desc test --current --config'],
      ['metadata test http://example.org/'],
      ['metadata test http://example.org/ --key k --set "<a>b</a>"; metadata test http://example.org/'],
      ['metadata test http://example.org/ --set "<a/>"'],
      ['metadata test http://example.org/ --key k --set "<a/>"; metadata test http://example.org/ --remove; metadata test http://example.org/'],
      ['metadata test http://example.org/ --key k --set "<a"'],
      ['metadata test http://example.org/ --edit --set x'],
      ['metadata nosuch http://example.org/'],
    ],
    'guest actions': [
      ['inject-nmi test'],
      ['inject-nmi nosuch'],
      ['send-key test KEY_A'],
      ['send-key test 30 0x1e 036 KEY_LEFTCTRL'],
      ['send-key test --codeset win32 VK_A'],
      ['send-key test --codeset os_x ANSI_A --holdtime 10'],
      ['send-key test --codeset rfb 30'],
      ['send-key test --codeset usb 4'],
      ['send-key test --codeset usb KEY_A'],
      ['send-key test --codeset bad 1'],
      ['send-key test KEY_NOPE'],
      ['send-key test 0x10000'],
      ['send-key test 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'],
      ['send-key test --holdtime x 1'],
      ['send-process-signal test 1 sigterm'],
      ['send-process-signal test 1 SIG_KILL'],
      ['send-process-signal test 1 15'],
      ['send-process-signal test 1 rt3'],
      ['send-process-signal test 1 bogus'],
      ['send-process-signal test x kill'],
      ['screenshot test --file $DIR/shot'],
      ['screenshot test --file $DIR/shot --screen 1'],
      ['screenshot test'],
      ['screenshot test --screen x'],
      ['screenshot nosuch'],
      ['screenshot test --file /nonexistent/dir/shot'],
      ['reset test'],
      ['reset nosuch'],
      ['dompmsuspend test mem --duration 5'],
      ['dompmsuspend test bad'],
      ['dompmsuspend test disk --duration x'],
      ['dompmwakeup test'],
      ['dompmwakeup nosuch'],
      ['set-lifecycle-action test poweroff restart; dumpxml test'],
      ['set-lifecycle-action test crash coredump-restart --config'],
      ['set-lifecycle-action test bad restart'],
      ['set-lifecycle-action test reboot bad'],
      ['set-user-password test root pw'],
      ['set-user-password test root pw --encrypted'],
      ['set-user-password nosuch root pw'],
      ['domrename test newname'],
      ['destroy test; domrename test newname; list --all'],
      ['destroy test; domrename test vm2'],
      ['domhostname test'],
      ['domhostname test --source agent'],
      ['domhostname test --source lease'],
      ['domhostname test --source bad'],
      ['domhostname vm2'],
    ],
    'guest agent and filesystems': [
      ['domfsinfo test'],
      ['domfsinfo vm2'],
      ['domfsfreeze test'],
      ['domfsfreeze test / /boot'],
      ['domfsthaw test'],
      ['domfsthaw test /'],
      ['domfstrim test --minimum 10 --mountpoint /'],
      ['domfstrim test --minimum x'],
      ['guestinfo test'],
      ['guestinfo test --os --hostname --user --timezone --filesystem --disk --interface'],
      ['guest-agent-timeout test --timeout 5'],
      ['guest-agent-timeout test'],
      ['guest-agent-timeout test --timeout x'],
      ['get-user-sshkeys test root'],
      ['set-user-sshkeys test root --file $DIR/keys'],
      ['set-user-sshkeys test root --file $DIR/empty'],
      ['set-user-sshkeys test root --file $DIR/none'],
      ['set-user-sshkeys test root'],
      ['set-user-sshkeys test root --reset'],
      ['set-user-sshkeys test root --remove'],
      ['set-user-sshkeys test root --reset --remove --file $DIR/keys'],
      ['domblkthreshold test vda 1G'],
      ['domblkthreshold test vda x'],
      ['domdirtyrate-calc test'],
      ['domdirtyrate-calc test --mode bad'],
      ['domdirtyrate-calc test --seconds 2 --mode dirty-ring'],
      ['domdirtyrate-calc test --seconds x'],
    ],
    'cpu-stats, blkdeviotune, domiftune, launch security, lxc-enter-namespace': [
      ['cpu-stats test'],
      ['cpu-stats test --total'],
      ['cpu-stats test --start 1'],
      ['cpu-stats test --start 1 --count 1'],
      ['cpu-stats test --count 5'],
      ['cpu-stats test --start 9'],
      ['cpu-stats test --start -1'],
      ['cpu-stats test --count -1'],
      ['cpu-stats test --count x'],
      ['cpu-stats nosuch'],
      ['blkdeviotune test vda'],
      ['blkdeviotune test vda --total-bytes-sec 1M --write-bytes-sec-max 2k; blkdeviotune test vda'],
      ['blkdeviotune test vda --read-iops-sec 5 --group-name g1 --config; blkdeviotune test vda --config'],
      ['blkdeviotune test vda --total-bytes-sec x'],
      ['blkdeviotune test vda --total-bytes-sec 1Q'],
      ['blkdeviotune test vda --read-iops-sec x'],
      ['blkdeviotune test vdz'],
      ['blkdeviotune test vda --group-name ""'],
      ['domiftune test vnet0'],
      ['domiftune test aa:bb:cc:dd:ee:ff'],
      ['domiftune test vnet0 --inbound 100,200,300'],
      ['domiftune test vnet0 --inbound 1,2,3,4,5'],
      ['domiftune test vnet0 --inbound x'],
      ['domiftune test vnet0 --inbound 0,5'],
      ['domiftune test vnet0 --outbound 1,,,5'],
      ['domiftune test vnet0 --outbound 0,,5'],
      ['domiftune test vnet0 --outbound 99999999999'],
      ['domlaunchsecinfo test'],
      ['domlaunchsecinfo nosuch'],
      ['domsetlaunchsecstate test --secrethdr $DIR/keys --secret $DIR/keys --set-address 5'],
      ['domsetlaunchsecstate test --secrethdr $DIR/keys'],
      ['domsetlaunchsecstate test --secrethdr $DIR/none --secret $DIR/keys'],
      ['lxc-enter-namespace test /bin/true'],
      ['lxc-enter-namespace nosuch /bin/true'],
    ],
    'domif-setlink and update-memory-device (a definition element as libxml2 writes it)': [
      ['domif-setlink test aa:bb:cc:dd:ee:ff down'],
      ['domif-setlink test AA:BB:CC:DD:EE:FF down --print-xml'],
      ['domif-setlink test aa:bb:cc:dd:ee:ff up --config --print-xml'],
      ['domif-setlink test vnet9 up'],
      ['domif-setlink test aa:bb:cc:dd:ee:ff sideways'],
      ['domif-setlink nosuch x up'],
      ['domif-setlink vm2 vnet7 down --print-xml'],
      ['domif-setlink vm2 52:54:00:aa:bb:cc down'],
      ['update-memory-device test'],
      ['update-memory-device vm2 --print-xml'],
      ['update-memory-device vm2 --node 0 --print-xml'],
      ['update-memory-device vm2 --node 1 --print-xml'],
      ['update-memory-device vm2 --node x'],
      ['update-memory-device vm2 --alias ua-dimm0 --print-xml'],
      ['update-memory-device vm2 --alias ua-dimm0 --node 0'],
      ['update-memory-device vm2 --alias ua-virtiomem0 --requested-size 512M --print-xml'],
      ['update-memory-device vm2 --alias ua-virtiomem0 --requested-size 1G --config'],
      ['update-memory-device vm2 --alias ua-virtiomem0 --requested-size x --print-xml'],
      ['update-memory-device vm2 --alias ua-dimm0 --requested-size 512M'],
      ['update-memory-device nosuch'],
    ],
    'jobs, displays, native formats': [
      ['domjobinfo test'],
      ['domjobinfo test --completed'],
      ['domjobinfo test --keep-completed'],
      ['domjobinfo test --rawstats'],
      ['domjobinfo nosuch'],
      ['domjobabort test'],
      ['domjobabort test --postcopy'],
      ['domjobabort nosuch'],
      ['domdisplay test'],
      ['domdisplay test --type vnc'],
      ['domdisplay test --all --type vnc'],
      ['domdisplay vm2'],
      ['start vm2; domdisplay vm2; domdisplay vm2 --all; domdisplay vm2 --include-password --all; domdisplay vm2 --type spice; domdisplay vm2 --type rdp'],
      ['vncdisplay test'],
      ['start vm2; vncdisplay vm2'],
      ['vncdisplay vm2'],
      ['ttyconsole test'],
      ['ttyconsole vm2'],
      ['ttyconsole nosuch'],
      ['domxml-from-native qemu-argv $DIR/domain.xml'],
      ['domxml-from-native qemu-argv $DIR/none'],
      ['domxml-to-native qemu-argv --domain test'],
      ['domxml-to-native qemu-argv --xml $DIR/domain.xml'],
      ['domxml-to-native qemu-argv --xml $DIR/none'],
      ['domxml-to-native qemu-argv'],
      ['domxml-to-native qemu-argv --domain test --xml $DIR/domain.xml'],
      ['domxml-to-native qemu-argv --domain nosuch'],
    ],
  };
  for (const [group, cases] of Object.entries(groups))
    describe(group, () => {
      for (const args of cases) it(args.join(' '), () => (args.some((a) => a.includes('$DIR')) || args[0]!.startsWith('screenshot') ? same(args) : sameAtOnce(args)));
    });

  describe('--edit', () => {
    it('desc --edit sets what the editor wrote', () => void same(['desc test --edit; desc test'], { EDITOR: join(dir, 'editor.sh') }));
    it('desc --title --edit drops the final newline', () => void same(['desc test --title --edit; desc test --title'], { EDITOR: join(dir, 'editor.sh') }));
    it('desc --edit with no change', () => void same(['desc test --edit'], { EDITOR: 'true' }));
    it('desc --edit with a failing editor', () => void same(['desc test --edit'], { EDITOR: 'false' }));
    it('desc --edit with an editor command line', () => void same(['desc test --edit'], { EDITOR: 'false --x' }));
    it('desc --edit with $VISUAL first', () => void same(['desc test --edit; desc test'], { VISUAL: join(dir, 'editor.sh'), EDITOR: 'false' }));
    it('metadata --edit defines the element', () => void same(['metadata test http://example.org/ --key k --edit; metadata test http://example.org/'], { EDITOR: join(dir, 'editor-xml.sh') }));
    it('metadata --edit with what is not XML', () => void same(['metadata test http://example.org/ --key k --edit; metadata test http://example.org/'], { EDITOR: join(dir, 'editor.sh') }));
    it('metadata --edit with no change', () => void same(['metadata test http://example.org/ --key k --edit'], { EDITOR: 'true' }));
    it('metadata --edit needs --key', () => void same(['metadata test http://example.org/ --edit'], { EDITOR: 'true' }));
  });

  it('dom-fd-associate says that it passes descriptors, which virsh-rpc cannot', () => {
    const r = runVirshRpc(['-c', uri, 'dom-fd-associate', 'test', 'name', '--pass-fds', '0']);
    expect(r.stderr).to.equal('error: dom-fd-associate passes file descriptors to the daemon (SCM_RIGHTS), which virsh-rpc does not do\n');
    expect(r.status).to.equal(1);
  });

  describe("libvirt's tests", () => {
    /** Runs virsh-rpc with stdout and stderr on one pipe, as the shell tests' `> out 2>&1`. */
    const merged = (args: string[]): RunResult => {
      const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
      delete env.LIBVIRT_DEFAULT_URI;
      delete env.VIRSH_DEFAULT_CONNECT_URI;
      const r = spawnSync('sh', ['-c', '"$@" 2>&1', 'sh', process.execPath, VIRSH_RPC, ...args], { encoding: 'utf8', env });
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    };

    // tests/virsh-vcpupin: an invalid CPU spec elicits a diagnostic.
    const vcpupin: [string[], string][] = [
      [['vcpupin', 'test', 'a', '0,1'], "error: Numeric value 'a' for <vcpu> option is malformed or out of range\n\n"],
      [['vcpupin', 'test', '100', '0,1'], "error: invalid argument: requested vcpu '100' is not present in the domain\n\n"],
      [['vcpupin', 'test', '-100', '0,1'], "error: Numeric value '-100' for <vcpu> option is malformed or out of range\n\n"],
      [['vcpupin', 'test', '--cpulist', '0,1'], 'error: vcpupin: Missing vCPU number in pin mode.\n\n'],
      [['vcpupin', 'test', '100', '--live'], 'error: vcpu 100 is out of range of live cpu count 2\n\n'],
      [['vcpupin', 'test', '100'], 'error: vcpu 100 is out of range of live cpu count 2\n\n'],
      [['vcpupin', 'test', '100', '--config'], 'error: vcpu 100 is out of range of persistent cpu count 2\n\n'],
      [['vcpupin', 'test', '100', '--current'], 'error: vcpu 100 is out of range of live cpu count 2\n\n'],
    ];
    for (const [args, exp] of vcpupin)
      it(`virsh-vcpupin: ${args.join(' ')}`, () => {
        const r = merged(['--connect', uri, ...args]);
        expect(r.stdout).to.equal(exp);
        expect(r.status).to.equal(1);
        same(args);
      });

    it('virsh-schedinfo: schedinfo --set invalid=val fails', () => {
      const { virsh, ours } = bothVirsh(['-c', uri, 'schedinfo', '1', '--set', 'j=k']);
      expect(ours.stdout).to.equal('Scheduler      : fair\n\n');
      expect(ours.stderr).to.equal('error: invalid scheduler option: j\n');
      expect(ours.status).to.not.equal(0);
      expect(ours).to.deep.equal(virsh);
    });

    it("virsh-int-overflow: an ID of 2^32+2 is not the domain of ID 2", () => {
      const { virsh, ours } = bothVirsh(['--quiet', '--connect', uri, 'domname 4294967298; quit']);
      expect(ours.stderr).to.equal("error: failed to get domain '4294967298'\n");
      expect(ours.status).to.equal(0);
      expect(ours).to.deep.equal(virsh);
    });
  });
});
