// virsh-rpc against libvirt's virsh for the "Networking", "Interface" and "Network Filter" groups:
// the same arguments give the same stdout, stderr and exit status, byte for byte. Mostly on the
// test driver (network "default", interface "eth1"; its state resets when no connection is open);
// what it lacks (network filters, ports, iface-bridge's inactive XML) on the sandbox's QEMU
// driver, with objects that touch nothing on the host: a filter nothing uses and a transient
// network in bridge mode on a bridge that does not exist.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/api/open.js';
import { bridgeDefinition, unbridgeDefinition } from '../../src/cli/virsh/interface-bridge.js';
import { sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, runAsync, runVirsh, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

const NET_UUID = 'dd8fe884-6c02-601e-7551-cca97df1c5df';
const FILTER_UUID = '5ab0f1a6-8e39-4bc3-9c4d-3b1f2e0a7c11';
const PORT_UUID = '3f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

const FILES: Record<string, string> = {
  // The network and interface of test_driver.c's defaultConnXML, for a private test URI.
  'driver.xml': `<node>
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
<interface type="ethernet" name="eth1">
  <start mode="onboot"/>
  <mac address="aa:bb:cc:dd:ee:ff"/>
  <mtu size="1492"/>
  <protocol family="ipv4">
    <ip address="192.168.0.5" prefix="24"/>
    <route gateway="192.168.0.1"/>
  </protocol>
</interface>
</node>
`,
  'net.xml': `<network>
  <name>vnet1</name>
  <uuid>0b7e5f0e-3c1a-4d52-8a3e-6f1f4a2b9c01</uuid>
  <bridge name='vbr1'/>
  <ip address='10.9.0.1' netmask='255.255.255.0'>
    <dhcp><range start='10.9.0.2' end='10.9.0.9'/></dhcp>
  </ip>
</network>
`,
  'bad.xml': '<network><name>bad\n',
  'host.xml': "<host mac='52:54:00:00:00:01' ip='192.168.122.50'/>\n",
  'iface.xml': `<interface type='ethernet' name='eth2'>
  <start mode='onboot'/>
  <mac address='aa:bb:cc:dd:ee:01'/>
  <protocol family='ipv4'><dhcp/></protocol>
</interface>
`,
  'filter.xml': `<filter name='vnet-test-filter' chain='ipv4'>
  <uuid>${FILTER_UUID}</uuid>
  <rule action='accept' direction='out' priority='500'>
    <ip srcipaddr='10.1.2.3'/>
  </rule>
</filter>
`,
  'bridgenet.xml': `<network>
  <name>vnet-test-net</name>
  <uuid>7e2b4c2a-1d3f-4a6b-9c8d-0e1f2a3b4c5d</uuid>
  <forward mode='bridge'/>
  <bridge name='vnettestbr0'/>
</network>
`,
  'port.xml': `<networkport>
  <uuid>${PORT_UUID}</uuid>
  <owner>
    <name>vnet-guest</name>
    <uuid>11111111-2222-3333-4444-555555555555</uuid>
  </owner>
  <mac address='52:54:00:aa:bb:cc'/>
</networkport>
`,
};

describe('virsh-rpc vs virsh: networking, interfaces, network filters', function () {
  this.timeout(180_000);
  /** A test-driver URI whose state is private to each connection (the daemon loads the file afresh). */
  let testUri: string;
  /** test:///default, whose state is shared while any connection is open: for net-event. */
  let sharedTestUri: string;
  let qemuUri: string;
  let dir: string;
  before(() => {
    sharedTestUri = sandboxEnv('TEST_UNIX_URI');
    qemuUri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-network-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
    testUri = `test+unix://${join(dir, 'driver.xml')}?socket=${sandboxEnv('SOCKET')}`;
  });
  after(() => {
    // Leave nothing behind on the QEMU driver if a case failed half-way.
    if (qemuUri) runVirsh(['-q', '-c', qemuUri, 'nwfilter-undefine vnet-test-filter; net-destroy vnet-test-net']);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The case's words with @name replaced by the path of fixture `name`. */
  const withFiles = (args: string[]) => args.map((a) => a.replace(/@([\w-]+\.xml)/g, (_, f: string) => join(dir, f)));
  const same = (uri: string, args: string[]) => {
    const real = withFiles(args);
    const { virsh, ours } = bothVirsh(['-c', uri, ...real]);
    expect(ours, `virsh-rpc ${real.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };

  describe('Networking (test driver)', () => {
    const cases: string[][] = [
      ['net-list'],
      ['net-list', '--all'],
      ['net-list', '--inactive'],
      ['net-list', '--name'],
      ['net-list', '--uuid'],
      ['net-list', '--persistent', '--no-autostart'],
      ['net-list', '--transient'],
      ['net-list', '--name', '--uuid'],
      ['net-list', '--table', '--name'],
      ['-q', 'net-list', '--all'],
      ['net-info', 'default'],
      ['net-info', NET_UUID],
      ['net-info', 'nosuch'],
      ['net-info', 'dd8fe884-6c02-601e-7551-cca97df1c5dx'],
      ['net-info', ''],
      ['net-dumpxml', 'default'],
      ['net-dumpxml', '--inactive', NET_UUID],
      ['net-dumpxml', 'nosuch'],
      ['net-uuid', 'default'],
      ['net-uuid', NET_UUID],
      ['net-name', NET_UUID],
      ['net-name', 'default'],
      ['net-destroy default; net-list --all; net-info default'],
      ['net-destroy', 'nosuch'],
      ['net-destroy default; net-destroy default'],
      ['net-destroy default; net-start default; net-list'],
      ['net-start', 'default'],
      ['net-start', 'nosuch'],
      ['net-autostart default; net-info default; net-list --autostart; net-autostart --disable default; net-list --all --no-autostart'],
      ['net-autostart', 'nosuch'],
      ['net-undefine default; net-list --all --transient'],
      ['net-destroy default; net-undefine default; net-list --all'],
      ['net-undefine', 'nosuch'],
      ['net-define @net.xml; net-list --all; net-info vnet1; net-start vnet1; net-list --persistent'],
      ['net-define', '--validate', '@net.xml'],
      ['net-define', '/nonexistent.xml'],
      ['net-define', '@bad.xml'],
      ['net-create @net.xml; net-list --all --transient; net-dumpxml vnet1'],
      ['net-create', '--validate', '@net.xml'],
      ['net-create', '/nonexistent.xml'],
      ['net-create', '@bad.xml'],
      ["net-update default add ip-dhcp-host \"<host mac='52:54:00:00:00:01' ip='192.168.122.50'/>\"; net-dumpxml default"],
      ['net-update default add-first ip-dhcp-host @host.xml --config; net-dumpxml --inactive default'],
      ['net-update', 'default', 'add-last', 'ip-dhcp-host', '@host.xml', '--live', '--config'],
      ['net-update', 'default', 'add', 'ip-dhcp-host', '@host.xml', '--live'],
      ['net-destroy default; net-update default add ip-dhcp-host @host.xml'],
      ['net-update', 'default', 'delete', 'ip-dhcp-host', '@host.xml'],
      ['net-update', 'default', 'bogus', 'ip-dhcp-host', '@host.xml'],
      ['net-update', 'default', 'none', 'ip-dhcp-host', '@host.xml'],
      ['net-update', 'default', 'add', 'bogus', '@host.xml'],
      ['net-update', 'default', 'add', 'ip-dhcp-host', '/nonexistent.xml'],
      ['net-update', 'default', 'add', 'ip-dhcp-host', '@host.xml', '--parent-index', 'x'],
      ['net-update', 'default', 'add', 'ip-dhcp-host', '@host.xml', '--current', '--live'],
      ['net-update', 'nosuch', 'add', 'ip-dhcp-host', '@host.xml'],
      ['net-dhcp-leases', 'default'],
      ['net-dhcp-leases', 'default', '--mac', '52:54:00:00:00:01'],
      ['net-dhcp-leases', 'nosuch'],
      ['net-port-list', 'default'],
      ['net-port-list', 'default', '--uuid', '--table'],
      ['net-port-list', 'nosuch'],
      ['net-port-create', 'default', '@port.xml'],
      ['net-port-create', 'default', '/nonexistent.xml'],
      ['net-port-dumpxml', 'default', PORT_UUID],
      ['net-port-dumpxml', 'nosuch', PORT_UUID],
      ['net-port-delete', 'default', PORT_UUID],
      ['net-port-delete', 'nosuch', PORT_UUID],
      ['net-port-delete', '', PORT_UUID],
      ['net-port-dumpxml', 'default', ''],
      ['net-event', '--event', 'lifecycle', '--network', '', '--timeout', '1'],
      ['net-dhcp-leases', 'default', '--mac', ''],
      ['net-event', '--list'],
      ['net-event'],
      ['net-event', '--event', 'nosuch'],
      ['net-event', '--event', 'lifecycle', '--timeout', '0'],
      ['net-event', '--event', 'lifecycle', '--timeout', '1'],
      ['net-event', '--event', 'lifecycle', '--timeout', '1', '--network', 'nosuch'],
      ['-d', '0', 'net-info', NET_UUID],
      ['-d', '0', 'net-uuid', 'default'],
      ['help', 'network'],
      ['help', 'net-update'],
    ];
    for (const args of cases) it(args.join(' '), () => void same(testUri, args));
  });

  describe('net-event with events (test driver)', () => {
    /** Runs `prog` net-event `args` while another client stops and starts "default" until it ends. */
    const eventRun = async (prog: 'virsh' | 'ours', args: string[]): Promise<RunResult> => {
      const cmd = prog === 'virsh' ? 'virsh' : process.execPath;
      const pre = prog === 'virsh' ? [] : [VIRSH_RPC];
      const running = runAsync(cmd, [...pre, '-c', sharedTestUri, 'net-event', ...args], { timeout: 60_000 });
      let ended = false;
      void running.then(() => (ended = true));
      await new Promise((r) => setTimeout(r, 1500));
      while (!ended) {
        spawnSync('virsh', ['-q', '-c', sharedTestUri, 'net-destroy default; net-start default'], { env: { ...process.env, LC_ALL: 'C' } });
        await new Promise((r) => setTimeout(r, 700));
      }
      return running;
    };
    const mask = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: /gm, '<time>: ') });

    for (const args of [
      ['--event', 'lifecycle'],
      ['default', '--event', 'lifecycle', '--timestamp'],
      ['--network', NET_UUID, '--event', 'lifecycle'],
    ])
      it(`net-event ${args.join(' ')}`, async () => {
        const virsh = mask(await eventRun('virsh', args));
        const ours = mask(await eventRun('ours', args));
        expect(virsh.stdout, JSON.stringify(virsh)).to.match(/^(<time>: )?event 'lifecycle' for network default: Stopped\n/);
        expect(ours).to.deep.equal(virsh);
      });

    it('net-event --loop --timeout 8 counts every event until the timeout', async () => {
      const run = async (prog: 'virsh' | 'ours') => {
        const cmd = prog === 'virsh' ? 'virsh' : process.execPath;
        const pre = prog === 'virsh' ? [] : [VIRSH_RPC];
        const running = runAsync(cmd, [...pre, '-c', sharedTestUri, 'net-event', '--event', 'lifecycle', '--loop', '--timeout', '8']);
        // Half the timeout: time enough for the program to start and register under load.
        await new Promise((r) => setTimeout(r, 4000));
        spawnSync('virsh', ['-q', '-c', sharedTestUri, 'net-destroy default; net-start default'], { env: { ...process.env, LC_ALL: 'C' } });
        return running;
      };
      const virsh = await run('virsh');
      const ours = await run('ours');
      expect(virsh.stdout).to.contain('events received: 2');
      expect(ours).to.deep.equal(virsh);
    });

    it('net-event stops at SIGINT with "event loop interrupted"', async () => {
      const run = (prog: 'virsh' | 'ours') =>
        new Promise<RunResult>((resolve, reject) => {
          const cmd = prog === 'virsh' ? 'virsh' : process.execPath;
          const pre = prog === 'virsh' ? [] : [VIRSH_RPC];
          const child = spawn(cmd, [...pre, '-c', sharedTestUri, 'net-event', '--event', 'lifecycle', '--network', 'nosuch'], { env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
          child.stderr.setEncoding('utf8').on('data', (d: string) => {
            stderr += d;
            // The lookup error comes just before the wait begins.
            if (stderr.includes("failed to get network 'nosuch'")) setTimeout(() => child.kill('SIGINT'), 1000);
          });
          child.on('error', reject);
          child.on('close', (status) => resolve({ stdout, stderr, status }));
          child.stdin.end();
        });
      const virsh = await run('virsh');
      const ours = await run('ours');
      expect(virsh.stdout).to.contain('event loop interrupted');
      expect(ours).to.deep.equal(virsh);
    });
  });

  describe('Interface (test driver)', () => {
    const cases: string[][] = [
      ['iface-list'],
      ['iface-list', '--all'],
      ['iface-list', '--inactive'],
      ['iface-list', '--all', '--inactive'],
      ['iface-name', 'aa:bb:cc:dd:ee:ff'],
      ['iface-name', 'AA:BB:CC:DD:EE:FF'],
      ['iface-name', 'eth1'],
      ['iface-name', 'aa:bb:cc:dd:ee:f0'],
      ['iface-name', 'aa:bb:cc:dd:ee:fff'],
      ['iface-mac', 'eth1'],
      ['iface-mac', 'aa:bb:cc:dd:ee:ff'],
      ['iface-mac', 'nosuch'],
      ['iface-dumpxml', 'eth1'],
      ['iface-dumpxml', 'aa:bb:cc:dd:ee:ff'],
      ['iface-dumpxml', '--inactive', 'eth1'],
      ['iface-dumpxml', 'nosuch'],
      ['iface-define @iface.xml; iface-list --all; iface-start eth2; iface-list; iface-dumpxml eth2'],
      ['iface-define', '--validate', '@iface.xml'],
      ['iface-define', '/nonexistent.xml'],
      ['iface-define', '@bad.xml'],
      ['iface-undefine', 'eth1'],
      ['iface-destroy eth1; iface-undefine aa:bb:cc:dd:ee:ff; iface-list --all'],
      ['iface-undefine', 'nosuch'],
      ['iface-start', 'eth1'],
      ['iface-destroy eth1; iface-start eth1; iface-list'],
      ['iface-start', 'nosuch'],
      ['iface-destroy', 'eth1'],
      ['iface-destroy eth1; iface-destroy eth1'],
      ['iface-destroy', 'nosuch'],
      ['iface-begin; iface-commit'],
      ['iface-begin; iface-rollback'],
      ['iface-begin; iface-begin'],
      ['iface-commit'],
      ['iface-rollback'],
      ['iface-bridge', 'eth1', 'br0'],
      ['iface-bridge', 'eth1', 'eth1'],
      ['iface-bridge', 'nosuch', 'br0'],
      ['iface-bridge', 'aa:bb:cc:dd:ee:ff', 'br0'],
      ['iface-bridge', 'eth1', 'br0', '--delay', '-1'],
      ['iface-bridge', 'eth1', 'br0', '--delay', 'x'],
      ['iface-unbridge', 'eth1'],
      ['iface-unbridge', 'nosuch'],
      ['iface-bridge', 'eth1', ''],
      ['iface-mac', ''],
      ['-d', '0', 'iface-mac', 'eth1'],
      ['-d', '0', 'iface-name', 'aa:bb:cc:dd:ee:ff'],
      ['help', 'interface'],
    ];
    for (const args of cases) it(args.join(' '), () => void same(testUri, args));
  });

  // The test driver cannot give an interface's inactive XML, so iface-bridge stops there; here the
  // rewritten definitions are checked the other way: the daemon must read what we send as it reads
  // the document virsh's libxml2 code builds (written out by hand from virsh-interface.c).
  describe('iface-bridge / iface-unbridge definitions, as the daemon reads them', () => {
    const ETH1 = `<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <mac address='aa:bb:cc:dd:ee:ff'/>
</interface>
`;
    /** What the daemon makes of `xml`: defined on a private test connection, then dumped. */
    const asDefined = async (xml: string): Promise<string> => {
      const conn = await connect(testUri);
      try {
        const iface = await conn.interfaceDefineXML(xml, 0);
        return await iface.getXMLDesc(0);
      } finally {
        await conn.close();
      }
    };

    it('bridges eth1 into br0 (STP on, delay 0), as virsh would', async () => {
      const r = bridgeDefinition(ETH1, 'eth1', 'br0', true, 0);
      if (!('xml' in r)) throw new Error(r.error);
      const virsh = `<?xml version="1.0"?>
<interface type='bridge' name='br0'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <bridge stp='on' delay='0'><interface type='ethernet' name='eth1'><mac address='aa:bb:cc:dd:ee:ff'/></interface></bridge></interface>
`;
      const ours = await asDefined(r.xml);
      expect(ours).to.equal(await asDefined(virsh));
      expect(ours).to.contain("<bridge stp='on' delay='0'>");
    });

    it('bridges with --no-stp (no delay attribute) and a delay past INT_MAX printed as %d', () => {
      const off = bridgeDefinition(ETH1, 'eth1', 'br0', false, 7);
      expect('xml' in off && off.xml).to.contain('<bridge stp="off">');
      const big = bridgeDefinition(ETH1, 'eth1', 'br0', true, 4294967295);
      expect('xml' in big && big.xml).to.contain('<bridge stp="on" delay="-1">');
    });

    it('unbridges br0 back to eth1, keeping the emptied <bridge> as virsh does', async () => {
      const bridged = bridgeDefinition(ETH1, 'eth1', 'br0', true, 3);
      if (!('xml' in bridged)) throw new Error(bridged.error);
      const r = unbridgeDefinition(bridged.xml, 'br0');
      if (!('xml' in r)) throw new Error(r.error);
      expect(r.name).to.equal('eth1');
      const virsh = `<?xml version="1.0"?>
<interface type='ethernet' name='eth1'>
  <start mode='onboot'/>
  <mtu size='1492'/>
  <protocol family='ipv4'>
    <ip address='192.168.0.5' prefix='24'/>
    <route gateway='192.168.0.1'/>
  </protocol>
  <bridge stp='on' delay='3'><interface type='ethernet' name='eth1'/></bridge><mac address='aa:bb:cc:dd:ee:ff'/></interface>
`;
      expect(await asDefined(r.xml)).to.equal(await asDefined(virsh));
    });

    it("refuses what virsh refuses, with virsh's messages", () => {
      expect(bridgeDefinition(ETH1.replace("type='ethernet' ", "type='bridge' "), 'eth1', 'br0', true, 0)).to.deep.equal({ error: 'Existing device eth1 is already a bridge' });
      expect(bridgeDefinition(ETH1.replace("type='ethernet' ", ''), 'eth1', 'br0', true, 0)).to.deep.equal({ error: 'Existing device eth1 has no type' });
      expect(bridgeDefinition(ETH1, 'eth9', 'br0', true, 0)).to.deep.equal({ error: "Interface name from config eth1 doesn't match given supplied name eth9" });
      expect(unbridgeDefinition(ETH1, 'eth1')).to.deep.equal({ error: 'Device eth1 is not a bridge' });
      expect(unbridgeDefinition("<interface type='bridge' name='br0'/>", 'br0')).to.deep.equal({ error: 'No bridge node in xml document' });
      expect(unbridgeDefinition("<interface type='bridge' name='br0'><bridge/></interface>", 'br0')).to.deep.equal({ error: 'No interface attached to bridge' });
      expect(unbridgeDefinition("<interface type='bridge' name='br0'><bridge><interface name='a' type='ethernet'/><interface name='b' type='ethernet'/></bridge></interface>", 'br0')).to.deep.equal({ error: 'Multiple interfaces attached to bridge' });
      expect(unbridgeDefinition("<interface type='bridge' name='br0'><bridge><interface type='ethernet'/></bridge></interface>", 'br0')).to.deep.equal({ error: 'Device attached to bridge br0 has no name' });
      expect(unbridgeDefinition("<interface type='bridge' name='br0'><bridge><interface name='a'/></bridge></interface>", 'br0')).to.deep.equal({ error: 'Attached device a has no type' });
      expect(unbridgeDefinition("<interface name='br0'/>", 'br0')).to.deep.equal({ error: 'Existing device br0 has no type' });
      expect(unbridgeDefinition("<interface type='bridge'/>", 'br0')).to.deep.equal({ error: "Interface name from config (null) doesn't match given supplied name br0" });
    });
  });

  describe('Network Filter (test driver: no filters)', () => {
    const cases: string[][] = [
      ['nwfilter-list'],
      ['nwfilter-dumpxml', 'nosuch'],
      ['nwfilter-dumpxml', FILTER_UUID],
      ['nwfilter-undefine', 'nosuch'],
      ['nwfilter-define', '/nonexistent.xml'],
      ['nwfilter-define', '@filter.xml'],
      ['nwfilter-binding-list'],
      ['nwfilter-binding-create', '/nonexistent.xml'],
      ['nwfilter-binding-create', '@bad.xml'],
      ['nwfilter-binding-delete', 'vnet0'],
      ['nwfilter-binding-dumpxml', 'vnet0'],
      ['-d', '0', 'nwfilter-dumpxml', FILTER_UUID],
      ['-d', '0', 'nwfilter-binding-delete', 'vnet0'],
      ['help', 'filter'],
    ];
    for (const args of cases) it(args.join(' '), () => void same(testUri, args));
  });

  describe('QEMU driver: filters, ports, iface-bridge', () => {
    const cases: string[][] = [
      ['nwfilter-define @filter.xml; nwfilter-list; nwfilter-dumpxml vnet-test-filter; nwfilter-dumpxml ' + FILTER_UUID + '; nwfilter-undefine vnet-test-filter; nwfilter-dumpxml vnet-test-filter'],
      ['nwfilter-define --validate @filter.xml; nwfilter-undefine ' + FILTER_UUID + '; nwfilter-undefine vnet-test-filter'],
      ['nwfilter-define', '@bad.xml'],
      ['nwfilter-binding-list'],
      ['nwfilter-binding-create', '@filter.xml'],
      ['nwfilter-binding-dumpxml', 'vnet-nosuch0'],
      ['nwfilter-binding-delete', 'vnet-nosuch0'],
      [
        `net-create @bridgenet.xml; net-info vnet-test-net; net-port-create vnet-test-net @port.xml; net-port-list vnet-test-net; net-port-dumpxml vnet-test-net ${PORT_UUID}; ` +
          `net-port-create vnet-test-net @port.xml; net-port-delete vnet-test-net ${PORT_UUID}; net-port-list --uuid vnet-test-net; net-port-delete vnet-test-net ${PORT_UUID}; ` +
          `net-port-dumpxml vnet-test-net ${PORT_UUID}; net-port-dumpxml vnet-test-net bogus; net-dhcp-leases vnet-test-net; net-port-create vnet-test-net @bad.xml; net-destroy vnet-test-net`,
      ],
      ['iface-bridge', 'lo', 'vnettestbr1', '--no-start'],
      ['iface-unbridge', 'lo'],
    ];
    for (const args of cases) it(args.join(' ').slice(0, 160), () => void same(qemuUri, args));
  });
});
