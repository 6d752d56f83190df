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
  before(() => (uri = freshTestURI()));
  const cases: string[][] = [
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
      const { virsh, ours } = bothVirsh(['-c', uri, ...args], { cwd: '/tmp' });
      expect(ours, args.join(' ')).to.deep.equal(virsh);
    });
});

describe('virsh-rpc vs virsh on a running QEMU guest', function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  const same = (args: string[], mask: (s: string) => string = (s) => s) => {
    const real = args.map((a) => a.replaceAll('@g', GUEST).replaceAll('@dir', dir));
    const { virsh, ours } = bothVirsh(['-c', uri, ...real], { mask, timeout: 110_000 });
    expect(ours, real.join(' ')).to.deep.equal(virsh);
    return virsh;
  };
  const cases = (list: string[][], mask?: (s: string) => string) => {
    for (const args of list) it(args.join(' '), () => void same(args, mask));
  };

  before(() => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-coverage-'));
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'disk.img'), Buffer.alloc(1 << 20));
    const xml = guestXml(GUEST).replace(`<name>${GUEST}</name>`, `<name>${GUEST}</name>\n  <uuid>${UUID}</uuid>`).replace(
      '<devices>',
      `<devices>\n    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${join(dir, 'disk.img')}'/><target dev='vda' bus='virtio'/></disk>` +
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
      execFileSync('virsh', ['-c', uri, 'undefine', GUEST, '--managed-save'], { stdio: 'ignore' });
    } finally {
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
        ['save-image-define @dir/g.save @dir/guest.xml'],
        ['managedsave @g; dominfo @g; managedsave-dumpxml @g; start @g; domstate @g --reason'],
        ['managedsave @g --paused; managedsave-define @g @dir/guest.xml --running; managedsave-remove @g; domstate @g --reason; start @g'],
        ['managedsave-remove', '@g'],
        ['dump @g @dir/g.core --memory-only; domstate @g'],
        ['dump', '@g', '@dir/g.core', '--format', 'nosuch', '--memory-only'],
        // Neither does anything to a guest without an operating system (nothing handles ACPI).
        ['reboot @g; domstate @g --reason'],
        ['shutdown @g; domstate @g --reason'],
      ],
      (s) => maskCpuTime(s),
    );
  });
});
