// `complete`, virsh's completion of a partly typed line, compared byte for byte with virsh and
// virt-admin: command names, options, and the values each option completer offers (asked of the
// daemon: domains, networks, pools, volumes, disks, interfaces, snapshots...; or virsh's own
// tables), on a private test-driver connection. The running QEMU guest's completions are in
// virsh-coverage.test.ts.
import { expect } from 'chai';
import { sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, freshTestURI, runVirtAdmin, runVirtAdminRpc } from '../support/virsh-compare.js';

describe('virsh-rpc complete vs virsh (test driver)', function () {
  this.timeout(120_000);
  const cases: string[][] = [
    // Where the cursor is: a command, its options, an option's value.
    ['dominfo', ''],
    ['dominfo', 't'],
    ['dominfo', '--domain', ''],
    ['dominfo', '--domain=te'],
    ['dominfo', 'te', 'st'],
    ['dominfo', '"te'],
    ['dominfo', 'te\\'],
    ['dominfo', '--help', ''],
    ['dominfo', '--bogus', ''],
    ['dump', 'test', 'f', 'x', '--format', ''],
    ['list --all; dominfo '],
    ['list --all;'],
    ['echo a; dominfo t'],
    ['help', 'net-'],
    ['help', '--command', 'net-l'],
    ['domblkstat', 'test', '--'],
    // Domains, filtered by the option's listing flags (start offers inactive ones only).
    ['start', '--domain', ''],
    ['shutdown', ''],
    ['domname', '--domain', ''],
    ['domname', '--domain', '6'],
    // Values from the domain's XML and the daemon.
    ['attach-disk', 'test', '--iothread', ''],
    ['blkdeviotune', 'test', ''],
    ['blkdeviotune', 'test', '--device', ''],
    ['blockcommit', 'test', '--base', ''],
    ['blockcommit', 'test', '--path', 'vda', '--base', ''],
    ['console', 'test', '--devname', ''],
    ['detach-device-alias', 'test', '--alias', ''],
    ['detach-interface', 'test', '--mac', ''],
    ['detach-interface', 'test', '--config', '--mac', ''],
    ['domif-setlink', 'test', '--interface', ''],
    ['domif-setlink', 'test', '--interface', 'testnet0', '--state', ''],
    ['domif-setlink', 'test', '--interface', 'x', '--state', ''],
    ['domif-setlink', 'nosuch', '--interface', 'x', '--state', ''],
    ['domfsfreeze', 'test', '--mountpoint', ''],
    ['iothreadpin', 'test', '1', '--cpulist', ''],
    ['iothreadpin', 'test', '1', '--cpulist', '1,'],
    ['migrate', 'test', 'uri', '--migrate-disks', ''],
    ['undefine', 'test', '--storage', ''],
    ['vcpupin', 'test', '--vcpu', ''],
    ['setvcpu', 'test', '--vcpulist', '1,'],
    ['setvcpu', 'test', '--vcpulist', '0,', '--enable'],
    ['guestvcpus', 'test', '--cpulist', ''],
    ['guestvcpus', 'test', '--enable', '--cpulist', ''],
    ['allocpages', '--pagesize', ''],
    ['allocpages', '--cellno', ''],
    ['allocpages', '--cellno', '0', '--pagesize', ''],
    ['hypervisor-cpu-baseline', '--model', ''],
    ['nodecpustats', '--cpu', ''],
    // virsh's own tables, whole or for a comma-separated list.
    ['attach-interface', 'test', '--source-mode', ''],
    ['blockcopy', 'test', '--format', 'q'],
    ['domhostname', 'test', '--source', ''],
    ['dompmsuspend', 'test', '--target', ''],
    ['dump', 'test', 'f', '--format', ''],
    ['send-key', 'test', '--codeset', ''],
    ['send-key', 'test', 'KEY_A', 'KEY_B'],
    ['send-key', 'test', '--codeset', 'os_x', 'KEY_'],
    ['send-key', 'test', '--codeset', 'win32', 'VK_A'],
    ['send-process-signal', 'test', '1', '--signame', 'rt1'],
    ['perf', 'test', '--enable', 'cmt,'],
    ['perf', 'test', '--disable', ''],
    ['migrate', 'test', 'uri', '--comp-methods', 'x'],
    ['numatune', 'test', '--mode', ''],
    ['reboot', 'test', '--mode', ''],
    ['shutdown', 'test', '--mode', 'acpi,'],
    ['shutdown', 'test', '--mode', 'acpi,ag'],
    ['set-lifecycle-action', 'test', '--type', ''],
    ['set-lifecycle-action', 'test', 'poweroff', '--action', ''],
    ['domdirtyrate-calc', 'test', '--mode', ''],
    ['domifaddr', 'test', '--source', ''],
    ['event', '--event', ''],
    ['cpu-models', '--arch', 'x'],
    ['domcapabilities', '--virttype', ''],
    // Networks, interfaces, node devices, filters, secrets, pools and volumes.
    ['net-autostart', '--network', ''],
    ['net-start', ''],
    ['net-start', '--network', ''],
    ['net-dhcp-leases', 'default', '--mac', ''],
    ['net-event', '--event', ''],
    ['net-name', '--network', ''],
    ['net-update', 'default', '--command', ''],
    ['net-update', 'default', 'add', '--section', ''],
    ['net-port-dumpxml', 'nosuch', '--port', ''],
    ['iface-bridge', '--interface', ''],
    ['iface-name', '--interface', ''],
    ['nodedev-destroy', '--device', ''],
    ['nodedev-detach', 'x', '--driver', ''],
    ['nodedev-list', '--cap', 'pci,'],
    ['nodedev-event', '--event', ''],
    ['nwfilter-dumpxml', '--nwfilter', ''],
    ['nwfilter-binding-delete', '--binding', ''],
    ['secret-dumpxml', '--secret', ''],
    ['secret-event', '--event', ''],
    ['pool-autostart', '--pool', ''],
    ['pool-start', '--pool', ''],
    ['pool-create-as', 'p', '--type', ''],
    ['pool-event', '--event', ''],
    ['vol-info', ''],
    ['vol-info', '--pool', 'default-pool', ''],
    ['vol-info', '--pool', 'default-pool', '--vol', ''],
    ['vol-clone', '--pool', 'nosuch', '--vol', ''],
    ['vol-list', '--pool', ''],
    ['vol-name', '--vol', ''],
    ['vol-wipe', '--algorithm', ''],
  ];
  for (const args of cases)
    it(`complete -- ${args.join(' ')}`, () => {
      const { virsh, ours } = bothVirsh(['-c', freshTestURI(), 'complete', '--', ...args]);
      expect(ours).to.deep.equal(virsh);
    });

  // Snapshots and checkpoints made earlier in the same run of the shell.
  for (const line of ['snapshot-create-as test s1; snapshot-create-as test s2; complete -- snapshot-delete test ""', 'checkpoint-create-as test c1; complete -- checkpoint-delete test ""', 'snapshot-create-as test s1; complete -- snapshot-current test --snapshotname ""'])
    it(line, () => {
      const { virsh, ours } = bothVirsh(['-c', freshTestURI(), line]);
      expect(ours).to.deep.equal(virsh);
    });

  it('offers values that virsh does (a sample of the cases is not empty)', () => {
    const { ours } = bothVirsh(['-c', freshTestURI(), 'complete', '--', 'dominfo', '--domain', '']);
    expect(ours.stdout).to.equal('test\n\n');
  });
});

describe('virt-admin-rpc complete vs virt-admin', function () {
  this.timeout(60_000);
  for (const args of [['srv-threadpool-info', ''], ['srv-clients-list', '--server', ''], ['srv-clients-list', '--server', 'l'], ['srv-']])
    it(`complete -- ${args.join(' ')}`, () => {
      const uri = `libvirtd:///system?socket=${sandboxEnv('SOCKET_ADMIN')}`;
      const argv = ['-c', uri, 'complete', '--', ...args];
      expect(runVirtAdminRpc(argv)).to.deep.equal(runVirtAdmin(argv));
    });
});
