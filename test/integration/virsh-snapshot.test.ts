// virsh-rpc against libvirt's virsh for the Snapshot, Checkpoint, Backup, Secret and Node Device
// groups: the same arguments give the same stdout, stderr and exit status, byte for byte (times
// masked), on the sandbox's test driver (and its QEMU driver for secrets, which the test driver
// lacks). Also libvirt's own tests/virsh-snapshot and tests/virsh-checkpoint, run with virsh-rpc
// and checked against the outputs written in those scripts.
import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnv } from '../support/sandbox.js';
import { freshTestURI, runAsync, runVirsh, runVirshRpc, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

const root = new URL('../../..', import.meta.url).pathname;

/** What changes between two runs: creation times in tables, XML and event lines. */
const maskTimes = (s: string): string =>
  s
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}/g, '<time>')
    .replace(/<creationTime>\d+<\/creationTime>/g, '<creationTime>N</creationTime>')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\+0000/g, '<stamp>')
    // a snapshot or checkpoint created without a name is named by its creation time
    .replace(/\b1\d{9}\b/g, '<secs>');

/** The test driver's state as a fresh connection finds it (no snapshots, no checkpoints, domain test running). */
const FRESH = 'running\ntest\n';

/**
 * Waits until the sandbox's test driver is back to its initial state: it resets when its last
 * connection closes, so a connection another test holds open keeps the previous run's snapshots.
 */
function waitFresh(uri: string): void {
  for (let i = 0; i < 100; i++) {
    const r = runVirsh(['-q', '-c', uri, 'snapshot-list test --name; checkpoint-list test --name; domstate test; list --all --name']);
    if (r.stdout === FRESH) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  throw new Error('the test driver did not return to its initial state within 20 s');
}

const SNAP_XML = `<domainsnapshot>
  <name>fromfile</name>
  <description>made from a file</description>
</domainsnapshot>
`;
const CHK_XML = `<domaincheckpoint>
  <name>cfile</name>
</domaincheckpoint>
`;
const SECRET_UUID = '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f';
const SECRET_XML = `<secret ephemeral='no' private='no'>
  <uuid>${SECRET_UUID}</uuid>
  <description>virsh-rpc test</description>
  <usage type='volume'>
    <volume>/var/lib/virsh-rpc-test/disk.img</volume>
  </usage>
</secret>
`;
const VHBA_XML = `<device>
  <parent>scsi_host1</parent>
  <capability type='scsi_host'>
    <capability type='fc_host'>
      <wwnn>2000000012341299</wwnn>
      <wwpn>1000000012341299</wwpn>
    </capability>
  </capability>
</device>
`;

describe('virsh-rpc vs virsh: snapshot, checkpoint, backup, secret, nodedev', function () {
  this.timeout(300_000);
  /** A test driver whose state is private to each connection. */
  let uri: string;
  /** test:///default, shared by the connections open at the same time (for events from another one). */
  let sharedUri: string;
  let qemuUri: string;
  let dir: string;
  before(() => {
    uri = freshTestURI();
    sharedUri = sandboxEnv('TEST_UNIX_URI');
    qemuUri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-snapshot-test-'));
    writeFileSync(join(dir, 'snap.xml'), SNAP_XML);
    writeFileSync(join(dir, 'chk.xml'), CHK_XML);
    writeFileSync(join(dir, 'secret.xml'), SECRET_XML);
    writeFileSync(join(dir, 'vhba.xml'), VHBA_XML);
    writeFileSync(join(dir, 'value.b64'), 'c2VjcmV0IHZhbHVl');
    writeFileSync(join(dir, 'value.raw'), Buffer.from([0x72, 0x61, 0x77, 0x00, 0xff, 0x0a]));
    writeFileSync(join(dir, 'big.raw'), Buffer.alloc(2000, 0x61));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const same = (args: string[], connect = uri) => {
    const masked = (r: RunResult): RunResult => ({ stdout: maskTimes(r.stdout), stderr: maskTimes(r.stderr), status: r.status });
    const ours = masked(runVirshRpc(['-c', connect, ...args], { cwd: dir }));
    const virsh = masked(runVirsh(['-c', connect, ...args], { cwd: dir }));
    expect(ours, `virsh-rpc ${args.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };
  const cases = (list: string[][], connect?: () => string) => {
    for (const args of list) it(args.join(' '), () => void same(args, connect?.()));
  };

  describe('snapshot-create-as --print-xml (tests/virsh-optparse)', () => {
    const one = `<domainsnapshot>
  <description>1&lt;2</description>
  <memory file='d,e'/>
  <disks>
    <disk name='vda' snapshot='external'>
      <source file='a&amp;b,c'/>
    </disk>
    <disk name='vdb'/>
  </disks>
</domainsnapshot>

`;
    const two = `<domainsnapshot>
  <name>name</name>
  <description>vda</description>
  <disks>
    <disk name='vdb'/>
  </disks>
</domainsnapshot>

`;
    const three = `<domainsnapshot>
  <name>name</name>
  <description>desc</description>
  <disks>
    <disk name='vda'/>
    <disk name='vdb'/>
  </disks>
</domainsnapshot>

`;
    const expected: [string[], string][] = [
      [['test', '--diskspec', 'vda,file=a&b,,c,snapshot=external', '--description', '1<2', '--diskspec', 'vdb', '--memspec', 'file=d,,e'], one],
      [['test', 'name', 'vda', 'vdb'], two],
      [['test', 'name', 'desc', 'vda', 'vdb'], three],
      [['test', 'name', 'desc', '--diskspec', 'vda', 'vdb'], three],
      [['test', 'name', 'desc', '--diskspec', 'vda', '--diskspec', 'vdb'], three],
      [['test', '--diskspec', 'vda', 'name', '--diskspec', 'vdb', 'desc'], three],
      [['--description', 'desc', '--name', 'name', '--domain', 'test', 'vda', 'vdb'], three],
      [['--description', 'desc', '--diskspec', 'vda', '--name', 'name', '--domain', 'test', 'vdb'], three],
    ];
    for (const [args, out] of expected)
      it(args.join(' '), () => {
        const full = ['-q', 'snapshot-create-as', '--print-xml', ...args];
        const v = same(full);
        expect(v).to.deep.equal({ stdout: out, stderr: '', status: 0 });
      });
  });

  describe('snapshot', () => {
    cases([
      ['snapshot-create-as test s1; snapshot-create-as test s1; snapshot-list test'],
      ['snapshot-create-as', 'nosuch', 's1'],
      ['snapshot-create-as', 'test', '--print-xml', '--name', 'n', '--memspec', 'snapshot=external,/var/mem', 'vda,snapshot=external,driver=qcow2,stype=block,file=/dev/x', 'vdb,stype=file,file=/f'],
      ['snapshot-create-as', 'test', '--print-xml', '--memspec', 'bogus'],
      ['snapshot-create-as', 'test', '--print-xml', 'vda,bogus=1'],
      ['snapshot-create-as', 'test', '--print-xml', 'vda,stype=network'],
      ['snapshot-create-as', 'test', '--print-xml', '--name', ''],
      ['snapshot-create-as test s1 --halt; domstate test; snapshot-info test s1'],
      ['snapshot-create-as test s1 --disk-only'],
      ['snapshot-create-as test s1 --validate --live'],
      ['snapshot-create test; snapshot-list test --name'],
      ['snapshot-create test snap.xml; snapshot-info test fromfile'],
      ['snapshot-create', 'test', '/nonexistent.xml'],
      ['snapshot-create', 'test', '--redefine'],
      ['snapshot-create', 'test', 'snap.xml', '--redefine'],
      ['snapshot-current', 'test'],
      ['snapshot-current', 'test', '--name'],
      ['snapshot-create-as test a; snapshot-create-as test b; snapshot-current test --name; snapshot-current test a; snapshot-current test --name; snapshot-current test'],
      ['snapshot-create-as test a; snapshot-current test --security-info'],
      ['snapshot-current', 'test', 'nosuch'],
      ['snapshot-current', 'test', '--name', 'a'],
      ['snapshot-current', 'nosuch'],
      ['snapshot-info', 'test', '--current'],
      ['snapshot-info', 'test'],
      ['snapshot-info', 'test', 'nosuch'],
      ['snapshot-create-as test a; snapshot-info test a --current'],
      ['snapshot-create-as test a; snapshot-create-as test b; snapshot-info test a; snapshot-info --current test'],
      ['snapshot-create-as test a --disk-only; snapshot-info test a'],
      ['snapshot-list', 'test'],
      ['snapshot-list', 'nosuch'],
      ['snapshot-list', 'test', '--tree', '--name'],
      ['snapshot-list', 'test', '--tree', '--leaves'],
      ['snapshot-list', 'test', '--roots', '--parent'],
      ['snapshot-list', 'test', '--roots', '--from', 'x'],
      ['snapshot-list', 'test', '--roots', '--current'],
      ['snapshot-list', 'test', '--descendants'],
      ['snapshot-list', 'test', '--from', 'nosuch'],
      ['snapshot-list', 'test', '--current'],
      [
        'snapshot-create-as test r; snapshot-create-as test a; snapshot-create-as test B; snapshot-revert test r; snapshot-create-as test c; ' +
          'snapshot-list test --tree; snapshot-list test --parent; snapshot-list test --roots; snapshot-list test --leaves --name; snapshot-list test --no-leaves; ' +
          'snapshot-list test --topological --name; snapshot-list test --from a; snapshot-list test --from r --tree; snapshot-list test --current --descendants; ' +
          'snapshot-list test --active; snapshot-list test --inactive; snapshot-list test --internal --name; snapshot-list test --external; snapshot-list test --disk-only; ' +
          'snapshot-list test --metadata --name; snapshot-list test --no-metadata; snapshot-list test --from r --descendants --tree',
      ],
      ['-q', 'snapshot-create-as test a; snapshot-list test; snapshot-list test --parent'],
      ['snapshot-create-as test a; snapshot-dumpxml test a; snapshot-dumpxml test a --security-info'],
      ['snapshot-dumpxml', 'test', 'nosuch'],
      ['snapshot-dumpxml', 'test'],
      ['snapshot-dumpxml', 'nosuch', 'a'],
      ['snapshot-create-as test a; snapshot-create-as test b; snapshot-parent test b; snapshot-parent test --current; snapshot-parent test a'],
      ['snapshot-parent', 'test', 'nosuch'],
      ['snapshot-parent', 'test'],
      ['snapshot-create-as test a; destroy test; snapshot-revert test a; domstate test; snapshot-revert test --current --paused; domstate test; snapshot-revert test a --running --force'],
      ['snapshot-create-as test a; snapshot-revert test a --running --paused'],
      ['snapshot-revert', 'test', 'nosuch'],
      ['snapshot-revert', 'test'],
      ['snapshot-revert', 'test', '--current'],
      ['snapshot-create-as test a; snapshot-revert test a --current'],
      ['snapshot-create-as test a; snapshot-create-as test b; snapshot-create-as test c; snapshot-delete test b --children-only; snapshot-list test --name; snapshot-delete test --current --metadata; snapshot-list test --name'],
      ['snapshot-create-as test a; snapshot-create-as test b; snapshot-delete test a --children; snapshot-list test --name'],
      ['snapshot-delete', 'test', 'nosuch'],
      ['snapshot-delete', 'test'],
      ['snapshot-delete', 'test', '--current'],
    ]);
  });

  describe('snapshot on the QEMU driver (a defined, inactive domain with a qcow2 disk)', () => {
    const name = 'virsh-rpc-snapshot-test';
    const domXml = (disk: string) => `<domain type='qemu'>
  <name>${name}</name>
  <uuid>5b9a6c1e-2f0d-4c57-9a51-0c1f3d5e7a90</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
`;
    const script =
      `define dom.xml; snapshot-create-as ${name} s1 --description first; snapshot-create-as ${name} s2; snapshot-create-as ${name} --print-xml s3 vda,snapshot=internal; ` +
      `snapshot-create-as ${name} s3 --validate; snapshot-list ${name} --tree; snapshot-list ${name} --parent; snapshot-info ${name} s1; snapshot-info ${name} --current; ` +
      `snapshot-list ${name} --inactive; snapshot-list ${name} --active; snapshot-list ${name} --internal --leaves; snapshot-list ${name} --external; snapshot-list ${name} --roots --name; ` +
      `snapshot-revert ${name} s1; snapshot-current ${name} --name; snapshot-parent ${name} s2; snapshot-parent ${name} s1; snapshot-dumpxml ${name} s2; snapshot-current ${name} s2; ` +
      `snapshot-revert ${name} s1 --running --paused; checkpoint-create-as ${name} c1; checkpoint-list ${name}; backup-dumpxml ${name}; backup-begin ${name}; ` +
      `snapshot-delete ${name} s1 --children-only; snapshot-list ${name} --name; snapshot-delete ${name} --current; snapshot-list ${name}`;
    it('create, list (tree, filters), info, revert, current, parent, dumpxml, delete; checkpoint and backup refused', function () {
      const disk = join(dir, 'disk.qcow2');
      writeFileSync(join(dir, 'dom.xml'), domXml(disk));
      const results: RunResult[] = [];
      for (const run of [runVirshRpc, runVirsh]) {
        runVirsh(['-c', qemuUri, `undefine ${name} --snapshots-metadata`]);
        const img = spawnSync('qemu-img', ['create', '-f', 'qcow2', disk, '16M'], { encoding: 'utf8' });
        if (img.error || img.status !== 0) this.skip();
        const r = run(['-c', qemuUri, script], { cwd: dir });
        results.push({ stdout: maskTimes(r.stdout), stderr: r.stderr, status: r.status });
        // virsh's undefine: the domain group is not this file's
        runVirsh(['-c', qemuUri, `undefine ${name} --snapshots-metadata`]);
      }
      expect(results[0], 'virsh-rpc vs virsh').to.deep.equal(results[1]);
      expect(results[1]!.stdout).to.include('Domain snapshot s3 created');
    });
  });

  describe('empty option values', () => {
    cases(
      [
        'secret-dumpxml ""', 'secret-undefine ""', 'secret-set-value "" --base64 aGk=', 'secret-set-value x --base64 ""', 'secret-set-value x --file ""',
        'nodedev-dumpxml ""', 'nodedev-destroy ""', 'nodedev-event --event lifecycle --device "" --timeout 1', 'nodedev-event --event ""', 'secret-event --event ""',
        'snapshot-create test ""', 'snapshot-create-as "" s1', 'snapshot-create-as test --description ""', 'snapshot-revert test ""', 'snapshot-delete test ""',
        'snapshot-parent test ""', 'snapshot-dumpxml test ""', 'checkpoint-create test ""', 'checkpoint-info test ""', 'checkpoint-delete test ""',
        'backup-begin test ""', 'backup-begin test --checkpointxml ""', 'nodedev-create ""', 'nodedev-define ""', 'secret-define ""', 'nodedev-list --cap ","',
      ].map((c) => [c]),
    );
  });

  describe('the dumpxml commands with --xpath', () => {
    cases([
      ['snapshot-create-as test s1; snapshot-dumpxml test s1 --xpath //name; snapshot-dumpxml test s1 --xpath //disk --wrap; snapshot-dumpxml test s1 --xpath ""'],
      ['snapshot-dumpxml', 'test', 'nosuch', '--xpath', ''],
      ['checkpoint-create-as test c1; checkpoint-dumpxml test c1 --xpath //disk/@name; checkpoint-dumpxml test c1 --xpath "//["; checkpoint-dumpxml test c1 --xpath ""'],
      ['checkpoint-dumpxml', 'test', 'nosuch', '--xpath', ''],
      ['nodedev-dumpxml', 'scsi_host1', '--xpath', '//wwnn/text()'],
      ['nodedev-dumpxml', 'scsi_host1', '--xpath', 'count(//capability)', '--wrap'],
      ['nodedev-dumpxml', 'nosuch', '--xpath', ''],
      ['backup-dumpxml', 'test', '--xpath', ''],
      ['backup-dumpxml', 'test', '--xpath', '//x'],
      ['secret-dumpxml', SECRET_UUID, '--xpath', ''],
    ]);
  });

  describe('checkpoint', () => {
    cases([
      ['checkpoint-create-as test c1; checkpoint-create-as test c1; checkpoint-list test'],
      ['checkpoint-create-as', 'nosuch', 'c1'],
      ['checkpoint-create-as', 'test', '--print-xml', '--name', 'n', '--description', '<&>', 'vda,checkpoint=bitmap,bitmap=b1', 'vdb,,x,checkpoint=no'],
      ['checkpoint-create-as', 'test', '--print-xml', 'vda,bogus'],
      ['checkpoint-create-as', 'test', '--print-xml'],
      ['checkpoint-create-as test c1 --quiesce'],
      ['checkpoint-create test; checkpoint-list test --name'],
      ['checkpoint-create test chk.xml; checkpoint-info test cfile'],
      ['checkpoint-create', 'test', '/nonexistent.xml'],
      ['checkpoint-create', 'test', '--redefine-validate'],
      ['checkpoint-create', 'test', 'chk.xml', '--redefine'],
      ['checkpoint-create-as test c1; snapshot-create-as test s1'],
      ['checkpoint-info', 'test', 'nosuch'],
      ['checkpoint-info', 'test'],
      ['checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-info test c1; checkpoint-info test c2'],
      ['checkpoint-list', 'test'],
      ['checkpoint-list', 'nosuch'],
      ['checkpoint-list', 'test', '--tree', '--name'],
      ['checkpoint-list', 'test', '--tree', '--leaves'],
      ['checkpoint-list', 'test', '--roots', '--from', 'x'],
      ['checkpoint-list', 'test', '--descendants'],
      ['checkpoint-list', 'test', '--from', 'nosuch'],
      [
        'checkpoint-create-as test c1; checkpoint-create-as test c3; checkpoint-create-as test c2; checkpoint-list test --tree; checkpoint-list test --parent; ' +
          'checkpoint-list test --roots; checkpoint-list test --leaves --name; checkpoint-list test --no-leaves; checkpoint-list test --topological --name; ' +
          'checkpoint-list test --from c1; checkpoint-list test --from c1 --tree; checkpoint-list test --from c1 --descendants --name',
      ],
      ['-q', 'checkpoint-create-as test c1; checkpoint-list test'],
      ['checkpoint-create-as test c1; checkpoint-dumpxml test c1; checkpoint-dumpxml test c1 --no-domain --security-info'],
      ['checkpoint-create-as test c1; checkpoint-dumpxml test c1 --size'],
      ['checkpoint-dumpxml', 'test', 'nosuch'],
      ['checkpoint-dumpxml', 'test'],
      ['checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-parent test c2; checkpoint-parent test c1'],
      ['checkpoint-parent', 'test', 'nosuch'],
      ['checkpoint-parent', 'test'],
      ['checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-create-as test c3; checkpoint-delete test c2 --children-only; checkpoint-list test --name; checkpoint-delete test c1 --metadata; checkpoint-list test --name'],
      ['checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-delete test c1 --children; checkpoint-list test --name'],
      ['checkpoint-delete', 'test', 'nosuch'],
      ['checkpoint-delete', 'test'],
    ]);
  });

  describe('backup', () => {
    cases([
      ['backup-begin', 'test'],
      ['backup-begin', 'test', '--reuse-external', 'chk.xml', '--checkpointxml', 'chk.xml'],
      ['backup-begin', 'test', '/nonexistent.xml'],
      ['backup-begin', 'test', '--checkpointxml', '/nonexistent.xml'],
      ['backup-begin', 'nosuch'],
      ['backup-dumpxml', 'test'],
      ['backup-dumpxml', 'nosuch'],
    ]);
  });

  describe('secret on the test driver (no secret driver)', () => {
    cases([
      ['secret-list'],
      ['secret-list', '--ephemeral'],
      ['secret-define', 'secret.xml'],
      ['secret-define', '/nonexistent.xml'],
      ['secret-dumpxml', SECRET_UUID],
      ['secret-dumpxml', 'not-a-uuid'],
      ['secret-get-value', SECRET_UUID],
      ['secret-set-value', SECRET_UUID, '--base64', 'aGk='],
      ['secret-set-value', SECRET_UUID, '--base64', 'aGk=', '--file', 'value.b64'],
      ['secret-set-value', SECRET_UUID, '--interactive', '--plain'],
      ['secret-undefine', SECRET_UUID],
      ['secret-event', '--list'],
      ['secret-event'],
      ['secret-event', '--event', 'bogus'],
      ['secret-event', '--event', 'lifecycle', '--timeout', '1'],
      ['secret-event', '--event', 'value-changed', '--timeout', '0'],
      ['secret-event', '--secret', '', '--event', 'lifecycle', '--timeout', '1'],
      ['secret-event', '--secret', 'not-a-uuid', '--event', 'lifecycle', '--timeout', '1'],
    ]);
  });

  describe('secret on the QEMU driver (each case undefines what it defines)', () => {
    const S = SECRET_UUID;
    cases(
      [
        [
          `secret-define secret.xml; secret-list; secret-list --no-private; secret-list --ephemeral; secret-list --private; secret-dumpxml ${S}; secret-get-value ${S}; ` +
            `secret-set-value ${S} --base64 aGVsbG8=; secret-get-value ${S}; secret-get-value ${S} --plain; secret-set-value ${S} --file value.b64; secret-get-value ${S}; ` +
            `secret-set-value ${S} --file value.raw --plain; secret-get-value ${S}; secret-get-value ${S} --plain; secret-set-value ${S}; secret-set-value ${S} --file /nonexistent; ` +
            `secret-set-value ${S} --file big.raw; secret-undefine ${S}; secret-undefine ${S}; secret-list`,
        ],
        ['-q', `secret-define secret.xml; secret-list; secret-set-value ${S} --base64 aGk=; secret-undefine ${S}`],
        [
          // GLib's base64 decoder: unknown characters skipped, '=' inside, a partial group dropped
          `secret-define secret.xml; secret-set-value ${S} --base64 aGVsbG8; secret-get-value ${S}; secret-set-value ${S} --base64 a-b_Yw==; secret-get-value ${S}; ` +
            `secret-set-value ${S} --base64 aGk=aGk=; secret-get-value ${S}; secret-set-value ${S} --base64 'a G\tk ='; secret-get-value ${S}; secret-undefine ${S}`,
        ],
        ['secret-dumpxml', '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6e'],
        ['secret-undefine', 'xyz'],
        ['secret-define', 'chk.xml'],
      ],
      () => qemuUri,
    );
  });

  it('secret-set-value --interactive reads the value from stdin without a terminal (QEMU driver)', async () => {
    const S = SECRET_UUID;
    const script = `secret-define secret.xml; secret-set-value ${S} --interactive; secret-get-value ${S} --plain; secret-undefine ${S}`;
    // setsid: no controlling terminal, so getpass() reads stdin as virsh-rpc does
    const virsh = await runAsync('setsid', ['-w', 'virsh', '-c', qemuUri, script], { cwd: dir, stdin: 'pass word\n' });
    const ours = await runAsync('setsid', ['-w', process.execPath, VIRSH_RPC, '-c', qemuUri, script], { cwd: dir, stdin: 'pass word\n' });
    expect(ours).to.deep.equal(virsh);
    expect(virsh.stdout).to.include('Enter new value for secret:Secret value set\n\npass word\n');
  });

  describe('nodedev on the test driver', () => {
    cases([
      ['nodedev-list'],
      ['nodedev-list', '--tree'],
      ['nodedev-list', '--cap', 'scsi_host,system'],
      ['nodedev-list', '--cap', 'bogus'],
      ['nodedev-list', '--all', '--inactive'],
      ['nodedev-list', '--tree', '--cap', 'pci'],
      ['nodedev-list', '--tree', '--inactive'],
      ['nodedev-dumpxml', 'scsi_host1'],
      ['nodedev-dumpxml', 'computer'],
      ['nodedev-dumpxml', 'nosuch'],
      ['nodedev-dumpxml', '2000000012341234,1000000012341234'],
      ['nodedev-info', 'computer'],
      ['nodedev-info', 'scsi_host11'],
      ['nodedev-info', 'nosuch'],
      ['nodedev-info', '1,2'],
      ['nodedev-info', 'a,b,c'],
      ['nodedev-info', '0x2000000012341234,100000001234123z'],
      ['nodedev-create vhba.xml; nodedev-info scsi_host12; nodedev-dumpxml scsi_host12; nodedev-destroy scsi_host12; nodedev-destroy scsi_host12'],
      ['nodedev-create', '/nonexistent.xml'],
      ['nodedev-create', 'chk.xml'],
      ['nodedev-destroy', 'nosuch'],
      ['nodedev-destroy', 'computer'],
      ['nodedev-define', 'vhba.xml', '--validate'],
      ['nodedev-define', '/nonexistent.xml'],
      ['nodedev-undefine', 'scsi_host1'],
      ['nodedev-undefine', 'nosuch'],
      ['nodedev-start', 'scsi_host1'],
      ['nodedev-start', 'nosuch'],
      ['nodedev-autostart', 'scsi_host1'],
      ['nodedev-autostart', 'scsi_host1', '--disable'],
      ['nodedev-autostart', 'nosuch'],
      ['nodedev-detach', 'computer'],
      ['nodedev-detach', 'computer', '--driver', 'vfio'],
      ['nodedev-detach', 'nosuch'],
      ['nodedev-dettach', 'computer'],
      ['nodedev-reattach', 'computer'],
      ['nodedev-reattach', 'nosuch'],
      ['nodedev-reset', 'computer'],
      ['nodedev-reset', 'nosuch'],
      ['nodedev-event', '--list'],
      ['nodedev-event'],
      ['nodedev-event', '--event', 'bogus'],
      ['nodedev-event', '--event', 'update', '--device', 'nosuch'],
      ['nodedev-event', '--event', 'lifecycle', '--timeout', '1', '--device', 'scsi_host1'],
      ['nodedev-event', '--event', 'lifecycle', '--timeout', 'x'],
    ]);
  });

  describe('nodedev on the QEMU driver (read-only commands)', () => {
    // The host's devices change when other tests start networks (bridges, taps): a pair of runs
    // is compared again only when virsh's own listing changed around it.
    const hostDevices = () => runVirsh(['-c', qemuUri, 'nodedev-list']).stdout;
    for (const args of [['nodedev-list'], ['nodedev-list', '--tree'], ['nodedev-list', '--cap', 'net,system'], ['nodedev-list', '--cap', 'pci'], ['nodedev-list', '--inactive'], ['nodedev-list', '--all'], ['nodedev-info', 'computer'], ['nodedev-dumpxml', 'computer']])
      it(args.join(' '), () => {
        for (let attempt = 1; ; attempt++) {
          const before = hostDevices();
          const ours = runVirshRpc(['-c', qemuUri, ...args]);
          const virsh = runVirsh(['-c', qemuUri, ...args]);
          if (attempt < 3 && hostDevices() !== before) continue;
          expect(ours, `virsh-rpc ${args.join(' ')}`).to.deep.equal(virsh);
          return;
        }
      });
  });

  describe('events delivered while the command waits', () => {
    const S = SECRET_UUID;
    const cases: [string, () => string, string[], string][] = [
      ['nodedev-event lifecycle --loop', () => sharedUri, ['nodedev-event', '--event', 'lifecycle', '--loop', '--timeout', '4'], 'nodedev-create vhba.xml; nodedev-destroy scsi_host12'],
      ['nodedev-event lifecycle one-shot with --timestamp', () => sharedUri, ['nodedev-event', '--event', 'lifecycle', '--timestamp', '--timeout', '4'], 'nodedev-create vhba.xml; nodedev-destroy scsi_host12'],
      ['nodedev-event lifecycle --device', () => sharedUri, ['nodedev-event', '--event', 'lifecycle', '--device', 'scsi_host1', '--loop', '--timeout', '3'], 'nodedev-create vhba.xml; nodedev-destroy scsi_host12'],
      ['secret-event lifecycle --loop (QEMU driver)', () => qemuUri, ['secret-event', '--event', 'lifecycle', '--loop', '--timeout', '4'], `secret-define secret.xml; secret-undefine ${S}`],
      ['secret-event value-changed --timestamp (QEMU driver)', () => qemuUri, ['secret-event', '--event', 'value-changed', '--timestamp', '--loop', '--timeout', '4'], `secret-define secret.xml; secret-set-value ${S} --base64 aGk=; secret-undefine ${S}`],
      ['secret-event lifecycle --secret (QEMU driver)', () => qemuUri, ['secret-event', '--event', 'lifecycle', '--secret', S, '--timeout', '3'], `secret-define secret.xml; secret-undefine ${S}`],
    ];
    for (const [what, connect, args, trigger] of cases)
      it(what, async () => {
        const results: RunResult[] = [];
        for (const program of ['virsh', process.execPath]) {
          const argv = program === 'virsh' ? ['-c', connect(), ...args] : [VIRSH_RPC, '-c', connect(), ...args];
          if (connect() === sharedUri) waitFresh(sharedUri);
          const waiting = runAsync(program, argv, { cwd: dir, timeout: 20_000 });
          await new Promise((r) => setTimeout(r, 1500));
          const t = runVirsh(['-c', connect(), trigger], { cwd: dir });
          expect(t.status, t.stderr).to.equal(0);
          const r = await waiting;
          results.push({ stdout: maskTimes(r.stdout), stderr: r.stderr, status: r.status });
        }
        expect(results[1]).to.deep.equal(results[0]);
        // The filter on another device lets none through; the others see the trigger's events.
        expect(results[0]!.stdout).to.match(what.includes('--device') ? /events received: 0\n/ : /events received: [1-9]/);
      });
    it('SIGINT ends the wait: "event loop interrupted"', async () => {
      const results: RunResult[] = [];
      for (const program of ['virsh', process.execPath]) {
        const args = ['-c', uri, 'nodedev-event', '--event', 'lifecycle', '--loop'];
        const child = spawn(program, program === 'virsh' ? args : [VIRSH_RPC, ...args], { env: { ...process.env, LC_ALL: 'C' } });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const done = new Promise<number | null>((resolve) => child.on('close', resolve));
        await new Promise((r) => setTimeout(r, 2000));
        child.kill('SIGINT');
        const status = await done;
        results.push({ stdout, stderr, status });
      }
      expect(results[1]).to.deep.equal(results[0]);
      expect(results[0]!.stdout).to.equal('event loop interrupted\nevents received: 0\n\n');
    });
  });

  describe("libvirt's tests/virsh-snapshot and tests/virsh-checkpoint with virsh-rpc", () => {
    let source: string;
    before(() => {
      source = execFileSync(join(root, 'scripts/libvirt-source'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim();
    });
    for (const name of ['virsh-snapshot', 'virsh-checkpoint'])
      it(name, () => {
        const script = parseLibvirtScript(readFileSync(join(source, 'tests', name), 'utf8'));
        expect(script.runs.length).to.equal(2);
        const work = mkdtempSync(join(tmpdir(), `${name}-`));
        try {
          script.runs.forEach((run, i) => {
            const ours = runVirshRpc(['-c', uri, run.commands], { cwd: work });
            const virsh = runVirsh(['-c', uri, run.commands], { cwd: work });
            expect({ ...ours, stdout: maskTimes(ours.stdout) }, `run ${i + 1}: virsh-rpc vs virsh`).to.deep.equal({ ...virsh, stdout: maskTimes(virsh.stdout) });
            expect(ours.status, `run ${i + 1} status`).to.equal(0);
            let out = ours.stdout;
            if (run.expected['out.cooked'] !== undefined) {
              // The script's sed: trailing spaces off, the first time stamp of a line masked, the XML part cut out (and saved for the next run).
              const lines = out.split('\n');
              const cut = (from: string, to: string) => {
                const a = lines.findIndex((l) => l.includes(from));
                const b = lines.findIndex((l, j) => j > a && l.includes(to));
                return lines.slice(a, b + 1).join('\n') + '\n';
              };
              const [xa, xb] = name === 'virsh-snapshot' ? ['s3.xml', 's2.xml'] : ['c3.xml', 'c2.xml'];
              writeFileSync(join(work, xa), cut('MarkerA', 'MarkerB'));
              writeFileSync(join(work, xb), cut('MarkerB', 'MarkerC'));
              const a = lines.findIndex((l) => l.includes('MarkerA'));
              const c = lines.findIndex((l, j) => j > a && l.includes('MarkerC'));
              out = [...lines.slice(0, a), ...lines.slice(c + 1)].map((l) => l.replace(/ *$/, '').replace(/[0-9-]{10} [0-9:.]* .[0-9]{4}/, 'TIMESTAMP')).join('\n');
              expect(out, `run ${i + 1} stdout (cooked)`).to.equal(run.expected['out.cooked']);
            } else expect(out, `run ${i + 1} stdout`).to.equal(run.expected.out);
            expect(ours.stderr, `run ${i + 1} stderr`).to.equal(run.expected.err);
          });
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      });
  });
});

interface ScriptRun {
  commands: string;
  /** What the script compares `out`, `out.cooked` and `err` with. */
  expected: Record<string, string>;
}

/**
 * The virsh runs of one of libvirt's shell tests and the expected outputs after each: the
 * single-quoted command string passed to virsh, and each `cat <<EOF > exp` document with the file
 * the following `compare exp FILE` checks.
 */
function parseLibvirtScript(text: string): { runs: ScriptRun[] } {
  const lines = text.split('\n');
  const runs: ScriptRun[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/tools\/virsh (?:--connect|-c) test:\/\/\/default >out 2>err '$/.test(line)) {
      const body: string[] = [];
      for (i++; !/^' \|\| fail=1$/.test(lines[i]!); i++) body.push(lines[i]!);
      runs.push({ commands: body.join('\n') + '\n', expected: {} });
    } else if (/^cat <<\\?EOF > exp/.test(line)) {
      const body: string[] = [];
      for (i++; lines[i] !== 'EOF'; i++) body.push(lines[i]!);
      const compare = /^compare exp (\S+)/.exec(lines[i + 1] ?? '');
      if (compare && runs.length) runs[runs.length - 1]!.expected[compare[1]!] = body.join('\n') + '\n';
    }
  }
  return { runs };
}
