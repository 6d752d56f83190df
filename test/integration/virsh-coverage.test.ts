// virsh-rpc against libvirt's virsh for the commands no other virsh-*.test.ts compares (see
// scripts/coverage-virsh.mjs), and for the commands that only mean something on a running QEMU
// guest: the same arguments on the same daemon give the same stdout, stderr and exit status, byte
// for byte, with only what moves between two runs masked (CPU times, memory and block counters).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, freshTestURI, maskCpuTime, runVirsh, runVirshRpc } from '../support/virsh-compare.js';

const GUEST = 'virsh-rpc-coverage';
const MAC = '52:54:00:5e:c0:01';
const UUID = '6c0d9a3e-5b1f-4f0e-9d2a-7e8b1c2d3e4f';
const NET = 'virsh-rpc-coverage-net';
const NETWORK_XML = `<network><name>${NET}</name><uuid>0f3a7c52-8e61-4d2b-9a55-3c1e0b7d9f21</uuid><bridge name='vrpccov0'/><mac address='52:54:00:5e:c0:fe'/><ip address='192.168.251.1' netmask='255.255.255.0'><dhcp><range start='192.168.251.2' end='192.168.251.9'/></dhcp></ip></network>\n`;
const POOL = 'virsh-rpc-coverage-pool';
const POOL_XML = (path: string) => `<pool type='dir'><name>${POOL}</name><uuid>3e7f1b2c-4d5a-4b6c-8d7e-9f0a1b2c3d4e</uuid><target><path>${path}</path></target></pool>\n`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** domstats' counters of a running guest: CPU and vCPU times and KVM statistics, memory, I/O. */
const maskStats = (s: string): string =>
  s.replace(/^(\s+(?:cpu\.[\w.]+|balloon\.(?:rss|last-update)|vcpu\.\d+\.(?!state=)[\w.]+|vm\.[\w.]+|block\.\d+\.(?:rd|wr|fl)\.\w+|net\.\d+\.(?:rx|tx)\.\w+|dirtyrate\.[\w.]+)=)\d+$/gm, '$1<n>');

/** The other commands' counters: CPU times, the host CPU a vCPU is on, the resident memory, I/O counts. */
const maskRunning = (s: string): string =>
  maskCpuTime(s)
    .replace(/^(CPU:\s+)\d+$/gm, '$1<n>')
    .replace(/\b\d+\.\d{9} seconds$/gm, '<n> seconds')
    .replace(/^rss \d+$/gm, 'rss <n>')
    .replace(/^( number of [\w ]+:\s+|\s*total duration of \w+ \(ns\):\s+)\d+$/gm, '$1<n>');

describe('virsh-rpc vs virsh: the virsh commands no other test compares (test driver)', function () {
  this.timeout(60_000);
  let uri: string;
  let dir: string;
  before(() => {
    uri = freshTestURI();
    dir = mkdtempSync(join(tmpdir(), 'virsh-coverage-test-'));
    // virsh reads a file as a C string: what follows a NUL byte is not there.
    writeFileSync(join(dir, 'nul.xml'), Buffer.concat([Buffer.alloc(16), Buffer.from("<domain type='test'><name>x</name></domain>\n")]));
    writeFileSync(join(dir, 'keys'), Buffer.concat([Buffer.from('ssh-ed25519 AAAA a@b\n'), Buffer.alloc(4), Buffer.from('ssh-rsa BBBB c@d\n')]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: string[][] = [
    ['define', '@dir/nul.xml'],
    ['set-user-sshkeys', 'test', 'root', '--file', '@dir/keys'],
    ['set-user-sshkeys test root --reset --file @dir/keys; get-user-sshkeys test root'],
    ['pwd'],
    ['cd /; pwd'],
    ['cd /nonexistent; pwd'],
    ['exit'],
    ['echo a; exit; echo b'],
    ['quit; echo b'],
    // complete's text is its last argument, the line all of them (as the bash completion script passes them).
    ['complete', ''],
    ['complete', 'dom'],
    ['complete', 'dump'],
    ['complete', 'net-'],
    ['complete', 'list --'],
    ['complete', 'dominfo '],
    ['complete', '--', 'list', '--'],
    ['complete', '--', 'list', '--a'],
    ['complete', '--', 'list', '--all'],
    ['complete', '--', 'list', '--all', '--'],
    ['complete', '--', 'list', '--inactive', '--all', ''],
    ['complete', '--', 'dump', ''],
    ['complete', '--', 'dominfo', ''],
    ['complete', '--', 'echo', '--s'],
    ['complete', '--', 'help', ''],
    ['complete', '--', 'nosuch', ''],
    ['complete', '--', 'nosuch', 'n'],
    ['complete', '--', '', ''],
    ['complete', '--', 'echo', '--'],
  ];
  for (const args of cases)
    it(args.join(' '), () => {
      const real = args.map((a) => a.replaceAll('@dir', dir));
      const { virsh, ours } = bothVirsh(['-c', uri, ...real], { cwd: '/tmp' });
      expect(ours, real.join(' ')).to.deep.equal(virsh);
    });
});

describe('virsh-rpc vs virsh on a running QEMU guest', function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  const same = (args: string[], mask: (s: string) => string = (s) => s, env: NodeJS.ProcessEnv = {}) => {
    const real = args.map((a) => a.replaceAll('@g', GUEST).replaceAll('@dir', dir).replaceAll('@net', NET).replaceAll('@pool', POOL));
    const { virsh, ours } = bothVirsh(['-c', uri, ...real], { mask, env, timeout: 110_000 });
    expect(ours, real.join(' ')).to.deep.equal(virsh);
    return virsh;
  };
  /** With `ok`, virsh must also have succeeded without an error (both failing alike would not do). */
  const cases = (list: string[][], mask?: (s: string) => string, ok = false) => {
    for (const args of list)
      it(args.join(' '), () => {
        const virsh = same(args, mask);
        if (ok) expect({ status: virsh.status, stderr: virsh.stderr }, 'virsh').to.deep.equal({ status: 0, stderr: '' });
      });
  };

  before(() => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-coverage-'));
    chmodSync(dir, 0o777);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'disk.qcow2'), '16M']);
    chmodSync(join(dir, 'disk.qcow2'), 0o666);
    writeFileSync(join(dir, 'net.xml'), NETWORK_XML);
    writeFileSync(join(dir, 'pool.xml'), POOL_XML(join(dir, 'pool')));
    writeFileSync(join(dir, 'vol.xml'), "<volume><name>b.img</name><capacity unit='KiB'>64</capacity></volume>\n");
    writeFileSync(join(dir, 'vol2.xml'), "<volume><name>c.img</name><capacity unit='KiB'>64</capacity></volume>\n");
    writeFileSync(join(dir, 'cdrom.xml'), "<disk type='file' device='cdrom'><target dev='sdb' bus='sata'/><readonly/></disk>\n");
    writeFileSync(join(dir, 'iso'), Buffer.alloc(2048));
    const xml = guestXml(GUEST).replace(`<name>${GUEST}</name>`, `<name>${GUEST}</name>\n  <uuid>${UUID}</uuid>`).replace(
      '<devices>',
      `<devices>\n    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${join(dir, 'disk.qcow2')}'/><target dev='vda' bus='virtio'/></disk>` +
        `\n    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>` +
        `\n    <interface type='user'><mac address='${MAC}'/><model type='virtio'/></interface>` +
        `\n    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>`,
    );
    writeFileSync(join(dir, 'guest.xml'), xml);
    execFileSync('virsh', ['-c', uri, 'define', join(dir, 'guest.xml')], { stdio: 'ignore' });
    execFileSync('virsh', ['-c', uri, 'start', GUEST], { stdio: 'ignore' });
  });
  after(() => {
    try {
      execFileSync('virsh', ['-c', uri, 'destroy', GUEST], { stdio: 'ignore' });
    } catch {
      // not running
    }
    try {
      execFileSync('virsh', ['-c', uri, 'undefine', GUEST, '--managed-save', '--snapshots-metadata', '--checkpoints-metadata'], { stdio: 'ignore' });
    } finally {
      for (const [cmd, name] of [['net-undefine', NET], ['pool-destroy', POOL], ['pool-undefine', POOL]])
        try {
          execFileSync('virsh', ['-c', uri, cmd!, name!], { stdio: 'ignore' });
        } catch {
          // not left behind
        }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('state and information', () =>
    cases([
      ['domstate', '@g', '--reason'],
      ['domid', '@g'],
      ['domuuid', '@g'],
      ['domname', '@g'],
      ['list', '--name', '--state-running'],
      ['dumpxml', '@g'],
      ['dumpxml', '@g', '--inactive'],
      ['dumpxml', '@g', '--security-info'],
      ['dumpxml', '@g', '--xpath', '//devices/graphics'],
      ['domxml-to-native', 'qemu-argv', '--domain', '@g'],
      ['domdisplay', '@g'],
      ['domdisplay', '@g', '--type', 'spice'],
      ['vncdisplay', '@g'],
      ['ttyconsole', '@g'],
      ['domjobinfo', '@g'],
      ['domjobabort', '@g'],
      ['domblkerror', '@g'],
      ['vcpucount', '@g'],
      ['vcpupin', '@g'],
      ['emulatorpin', '@g'],
      ['iothreadinfo', '@g'],
      ['schedinfo', '@g'],
      ['blkiotune', '@g'],
      ['memtune', '@g'],
      ['numatune', '@g'],
      ['perf', '@g'],
      ['domiftune', '@g', MAC],
      ['blkdeviotune', '@g', 'vda'],
      ['metadata', '@g', 'http://example.org/x'],
    ]));

  describe('completion of values from the running guest', () =>
    cases([
      ['complete', '--', 'blkdeviotune', '@g', '--device', ''],
      ['complete', '--', 'blockcommit', '@g', '--top', ''],
      ['complete', '--', 'blockcommit', '@g', '--path', 'vda', '--base', ''],
      ['complete', '--', 'console', '@g', '--devname', ''],
      ['complete', '--', 'detach-interface', '@g', '--mac', ''],
      ['complete', '--', 'domif-setlink', '@g', '--interface', ''],
      ['complete', '--', 'domif-setlink', '@g', '--interface', MAC, '--state', ''],
      ['complete', '--', 'detach-device-alias', '@g', '--alias', ''],
      ['complete', '--', 'iothreadpin', '@g', '1', '--cpulist', ''],
      ['complete', '--', 'vcpupin', '@g', '--vcpu', ''],
      ['complete', '--', 'domfsfreeze', '@g', '--mountpoint', ''],
      ['complete', '--', 'guestvcpus', '@g', '--cpulist', ''],
      ['complete', '--', 'hypervisor-cpu-baseline', '--model', ''],
      ['complete', '--', 'allocpages', '--pagesize', ''],
      ['complete', '--', 'allocpages', '--cellno', ''],
      ['complete', '--', 'nodecpustats', '--cpu', ''],
      ['complete', '--', 'vol-list', '--pool', ''],
      ['complete', '--', 'shutdown', ''],
      ['complete', '--', 'start', '--domain', ''],
    ]));

  describe('counters (masked)', () => {
    cases(
      [
        ['dominfo', '@g'],
        ['vcpuinfo', '@g'],
        ['cpu-stats', '@g'],
        ['cpu-stats', '@g', '--total'],
        ['dommemstat', '@g'],
        ['domblkstat', '@g', 'vda', '--human'],
        ['domifstat', '@g', MAC],
      ],
      maskRunning,
    );
    cases(
      [
        ['domstats', '@g'],
        ['domstats', '@g', '--state', '--cpu-total', '--balloon', '--vcpu', '--interface', '--block'],
      ],
      maskStats,
    );
  });

  describe('the guest agent, which is not connected', () =>
    cases([
      ['domfsinfo', '@g'],
      ['domfsfreeze', '@g'],
      ['domfsthaw', '@g'],
      ['domfstrim', '@g'],
      ['domhostname', '@g'],
      ['domhostname', '@g', '--source', 'lease'],
      ['domtime', '@g'],
      ['guestinfo', '@g'],
      ['guestvcpus', '@g'],
      ['get-user-sshkeys', '@g', 'root'],
      ['set-user-password', '@g', 'root', 'secret'],
      ['dompmsuspend', '@g', 'mem'],
      ['dompmwakeup', '@g'],
      ['guest-agent-timeout', '@g', '--timeout', '5'],
      ['domifaddr', '@g', '--source', 'agent'],
    ]));

  describe('changes, each undone on the same line', () =>
    cases([
      ['send-key', '@g', 'KEY_A'],
      ['send-key', '@g', '--codeset', 'linux', '--holdtime', '50', 'KEY_LEFTCTRL', 'KEY_C'],
      ['send-key', '@g', 'KEY_NOSUCH'],
      ['inject-nmi', '@g'],
      ['send-process-signal', '@g', '1', 'SIGUSR1'],
      ['screenshot @g @dir/screen.ppm'],
      ['suspend @g; domstate @g --reason; resume @g; domstate @g --reason'],
      ['resume @g'],
      ['reset @g; domstate @g'],
      ['setmem @g 100M --live; dominfo @g; setmem @g 128M --live'],
      ['setmem', '@g', '1G', '--live'],
      ['setmaxmem', '@g', '100M', '--live'],
      ['setvcpus', '@g', '1', '--live'],
      ['setvcpus', '@g', '2', '--live'],
      ['setvcpu', '@g', '0', '--disable', '--live'],
      ['iothreadadd @g 3 --live; iothreadinfo @g; iothreadset @g 3 --poll-max-ns 100 --live; iothreaddel @g 3 --live; iothreadinfo @g'],
      ['desc @g --live --title --new-desc cover; desc @g --title; desc @g --live --title --new-desc ""'],
      ['autostart @g; dominfo @g; autostart @g --disable'],
      ['domif-setlink @g ' + MAC + ' down; domif-getlink @g ' + MAC + '; domif-setlink @g ' + MAC + ' up'],
      ['set-lifecycle-action', '@g', 'reboot', 'restart', '--live'],
      ['domsetlaunchsecstate', '@g', '--secrethdr', '@dir/none', '--secret', '@dir/none'],
    ], (s) => maskCpuTime(s)));

  it("domdirtyrate-calc, each program once the other one's measurement is over", async () => {
    const args = ['-c', uri, 'domdirtyrate-calc', GUEST, '--seconds', '1'];
    const theirs = runVirsh(args);
    await pause(1500);
    const mine = runVirshRpc(args);
    await pause(1500);
    expect(mine).to.deep.equal(theirs);
    expect(theirs.status).to.equal(0);
    same(['domstats', '@g', '--dirtyrate'], maskStats);
  });

  describe('save, managed save and dump', () => {
    cases(
      [
        ['save @g @dir/g.save; domstate @g --reason; save-image-dumpxml @dir/g.save; restore @dir/g.save; domstate @g --reason'],
        ['managedsave @g; dominfo @g; managedsave-dumpxml @g; start @g; domstate @g --reason'],
        ['dump @g @dir/g.core --memory-only; domstate @g'],
        // Neither does anything to a guest without an operating system (nothing handles ACPI).
        ['reboot @g; domstate @g --reason'],
        ['shutdown @g; domstate @g --reason'],
      ],
      maskCpuTime,
      true,
    );
    cases(
      [
        ['save-image-define @dir/g.save @dir/guest.xml'],
        ['managedsave @g --paused; managedsave-define @g @dir/guest.xml --running; managedsave-remove @g; domstate @g --reason; start @g'],
        ['managedsave-remove', '@g'],
        ['dump', '@g', '@dir/g.core', '--format', 'nosuch', '--memory-only'],
      ],
      maskCpuTime,
    );
  });

  describe('devices of the running guest, each change undone on the same line', () => {
    cases(
      [
        ['change-media @g sda @dir/iso --insert --live; domblklist @g; change-media @g sda --eject --live; domblklist @g'],
        ['attach-device @g @dir/cdrom.xml --config; domblklist @g --inactive; detach-device @g @dir/cdrom.xml --config; domblklist @g --inactive'],
        ['attach-interface @g bridge vrpcnone0 --mac 52:54:00:5e:c0:02 --model virtio --config; domiflist @g --inactive; detach-interface @g bridge --mac 52:54:00:5e:c0:02 --config; domiflist @g --inactive'],
      ],
      maskCpuTime,
      true,
    );
    cases([
      ['attach-disk @g @dir/iso sdb --type cdrom --targetbus sata --mode readonly --live; domblklist @g; detach-disk @g sdb --live; domblklist @g'],
      ['change-media', '@g', 'sda', '--eject', '--live'],
      ['update-device @g @dir/cdrom.xml --live'],
      ['detach-device-alias', '@g', 'nosuch', '--live'],
      ['detach-interface', '@g', 'network', '--live'],
      ['update-memory-device', '@g', '--requested-size', '1M'],
      ['iothreadpin', '@g', '1', '0', '--live'],
      ['set-user-sshkeys', '@g', 'root', '--reset', '--file', '@dir/iso'],
      ['domrename', '@g', 'renamed'],
      ['domxml-from-native', 'qemu-argv', '@dir/iso'],
    ]);
  });

  describe('snapshots and checkpoints of the running guest (qcow2 disk)', () => {
    const maskTimes = (s: string) =>
      s
        .replace(/<creationTime>\d+<\/creationTime>/g, '<creationTime>N</creationTime>')
        .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/g, '<date>')
        // A snapshot made without a name is named after the second it was made in.
        .replace(/\b1\d{9}\b/g, '<secs>');
    cases(
      [
        ['snapshot-create-as @g s1 --description one; snapshot-list @g; snapshot-info @g s1; snapshot-current @g --name; snapshot-create-as @g s2; snapshot-parent @g s2; snapshot-list @g --tree; snapshot-dumpxml @g s2; snapshot-revert @g s1; domstate @g --reason; snapshot-delete @g s2; snapshot-delete @g s1'],
        ['checkpoint-create-as @g c1 one; checkpoint-list @g; checkpoint-info @g c1; checkpoint-create-as @g c2; checkpoint-parent @g c2; checkpoint-list @g --tree; checkpoint-dumpxml @g c2 --no-domain; checkpoint-delete @g c2; checkpoint-delete @g c1; checkpoint-list @g'],
      ],
      maskTimes,
      true,
    );
    cases([['snapshot-create-as @g s1; snapshot-parent @g s1; snapshot-delete @g s1'], ['snapshot-create @g --no-metadata; snapshot-list @g'], ['snapshot-revert', '@g', 'nosuch'], ['checkpoint-create', '@g', '@dir/iso']], maskTimes);
    it('snapshot-edit, checkpoint-edit, managedsave-edit and save-image-edit with an editor that changes nothing', () => {
      for (const line of [
        'snapshot-create-as @g s1; snapshot-edit @g s1; snapshot-delete @g s1',
        'checkpoint-create-as @g c1; checkpoint-edit @g c1; checkpoint-delete @g c1',
        'managedsave @g; managedsave-edit @g; start @g',
        'save @g @dir/e.save; save-image-edit @dir/e.save; restore @dir/e.save',
      ]) {
        const virsh = same([line], maskTimes, { EDITOR: 'true', VISUAL: undefined });
        expect(virsh.stdout, line).to.contain('not changed');
        expect(virsh.status, line).to.equal(0);
      }
    });
  });

  describe('a network, a pool and volumes on the QEMU driver (nothing started but the pool)', () => {
    // The file system's free and used space move between two runs.
    const maskSpace = (s: string) =>
      s.replace(/<(allocation|available) unit='bytes'>\d+</g, "<$1 unit='bytes'>N<").replace(/^(Allocation|Available):(\s+)[\d.]+ \w+$/gm, '$1:$2N');
    cases(
      [
        ['net-define @dir/net.xml; net-list --all --name --inactive; net-info @net; net-dumpxml @net; net-uuid @net; net-name 0f3a7c52-8e61-4d2b-9a55-3c1e0b7d9f21; net-autostart @net; net-info @net; net-autostart @net --disable; ' +
        `net-update @net add ip-dhcp-host "<host mac='52:54:00:00:00:01' ip='192.168.251.3'/>" --config; net-dumpxml @net --inactive; net-undefine @net`],
        ['pool-define-as virsh-rpc-coverage-pool2 dir --target @dir/pool2; pool-build virsh-rpc-coverage-pool2; pool-delete virsh-rpc-coverage-pool2; pool-undefine virsh-rpc-coverage-pool2'],
        ['iface-dumpxml', 'lo'],
        ['iface-mac', 'lo'],
        ['pool-capabilities'],
      ],
      undefined,
      true,
    );
    cases([
      ['net-start', 'nosuch'],
      ['net-event', '--network', 'nosuch', '--timeout', '1'],
      ['find-storage-pool-sources-as', 'netfs', 'localhost'],
      ['pool-event', '--pool', 'nosuch', '--timeout', '1'],
    ]);
    cases(
      [
        ['pool-define @dir/pool.xml; pool-build @pool; pool-start @pool; pool-info @pool; pool-dumpxml @pool; pool-uuid @pool; pool-name 3e7f1b2c-4d5a-4b6c-8d7e-9f0a1b2c3d4e; pool-autostart @pool; pool-autostart @pool --disable; ' +
          'vol-create-as @pool a.img 64K; vol-create @pool @dir/vol.xml; vol-create-from @pool @dir/vol2.xml a.img --inputpool @pool; vol-list @pool; vol-key a.img --pool @pool; vol-path b.img --pool @pool; ' +
          'vol-name @dir/pool/c.img; vol-pool @dir/pool/c.img; pool-refresh @pool; vol-delete a.img --pool @pool; vol-delete b.img --pool @pool; vol-delete c.img --pool @pool; pool-destroy @pool; pool-delete @pool; pool-undefine @pool'],
      ],
      maskSpace,
      true,
    );
  });

  describe('host (QEMU driver)', () =>
    cases([['version'], ['uri'], ['hostname'], ['nodeinfo'], ['sysinfo'], ['capabilities'], ['event', '@g', '--timeout', '1']]));
});
