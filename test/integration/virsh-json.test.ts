// virsh-rpc's --json (not virsh's): `help` stays virsh's for every command that has it, the JSON
// parses, and its values agree with what virsh itself prints for the same command on the same
// state (virsh's text parsed back: tables by their columns, info commands by their labels).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HIDDEN_OPTS } from '../../src/cli/virsh/json-commands.js';
import { jsonKey } from '../../src/cli/vsh/json.js';
import { SANDBOX, sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, freshTestURI, runVirsh, runVirshRpc } from '../support/virsh-compare.js';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
/** vshPrettyCapacity's text of `bytes` with `digits` decimals. */
function pretty(bytes: number, digits: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(digits)} ${UNITS[i]}`;
}

/** Whether virsh's `text` is what the JSON `value` says (padding after the value, as domjobinfo's, aside). */
function agrees(padded: string, value: Json): boolean {
  const text = padded.trimEnd();
  if (value === null) return ['-', 'unknown', 'no autostart', 'no limit', ''].includes(text) || /^Cannot extract/.test(text);
  if (typeof value === 'boolean') return value ? text === 'yes' || text === 'enable' : text === 'no' || text === 'disable';
  if (typeof value === 'number') {
    const spaced = text.replace(/ +/g, ' ');
    if ([String(value), `${value} KiB`, `${value} MHz`, `${value} bytes`, `${value} ms`, `${value} pages/s`].includes(spaced)) return true;
    return [2, 3].some((d) => pretty(value, d) === text || `${pretty(value, d)}/s` === text);
  }
  if (typeof value === 'string') return text === value || text.startsWith(`${value} (`);
  return false;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(a), Math.abs(b), 1);

/** A vshTable printed with -q: cells are at least three blanks apart; trailing empty cells padded. */
function tableRows(text: string, ncols: number): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cells = l.replace(/^ /, '').trimEnd().split(/ {3,}/);
      while (cells.length < ncols) cells.push('');
      return cells;
    });
}

/** virsh's "Label:   value" lines. */
function infoLines(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^([^:]+):\s*(.*)$/.exec(l);
      if (!m) throw new Error(`not a label line: ${l}`);
      return [m[1]!.trim(), m[2]!];
    });
}

/** Runs `setup; cmd` with virsh (text) and `setup; cmd --json` with virsh-rpc, quietly, on one connection each. */
function pair(uri: string, cmd: string, setup = ''): { text: string; json: Json; raw: string } {
  const pre = setup ? `${setup}; ` : '';
  const t = runVirsh(['-q', '-c', uri, `${pre}${cmd}`]);
  expect(t.status, t.stderr).to.equal(0);
  const j = runVirshRpc(['-q', '-c', uri, `${pre}${cmd} --json`]);
  expect(j.status, j.stderr).to.equal(0);
  expect(j.stderr).to.equal('');
  expect(j.stdout.endsWith('}\n') || j.stdout.endsWith(']\n'), j.stdout).to.equal(true);
  return { text: t.stdout, json: JSON.parse(j.stdout) as Json, raw: j.stdout };
}

/** A listing: every row and column of virsh's table is the JSON's, by the lower-cased column names. */
function sameTable(uri: string, cmd: string, columns: string[], opts: { setup?: string; volatile?: string[]; minRows?: number } = {}): Json[] {
  const { text, json } = pair(uri, cmd, opts.setup);
  expect(json).to.be.an('array');
  const rows = json as { [k: string]: Json }[];
  const cells = tableRows(text, columns.length);
  expect(rows.length, `${cmd}: ${text}`).to.equal(cells.length);
  expect(rows.length).to.be.at.least(opts.minRows ?? 1);
  rows.forEach((row, i) => {
    expect(Object.keys(row)).to.include.members(columns.map(jsonKey));
    columns.forEach((c, j) => {
      const key = jsonKey(c);
      if (opts.volatile?.includes(key)) return;
      expect(agrees(cells[i]![j]!, row[key]!), `${cmd}: ${c} is ${JSON.stringify(cells[i]![j])}, JSON ${JSON.stringify(row[key])}`).to.equal(true);
    });
  });
  return rows;
}

/** An info command: every label virsh prints is a JSON key (with its unit), with the same value. */
function sameInfo(uri: string, cmd: string, opts: { setup?: string; keys?: Record<string, string>; volatile?: string[]; text?: (label: string, text: string, json: { [k: string]: Json }) => boolean } = {}): { [k: string]: Json } {
  const { text, json } = pair(uri, cmd, opts.setup);
  expect(json).to.be.an('object').and.not.an('array');
  const obj = json as { [k: string]: Json };
  const lines = infoLines(text);
  expect(lines.length).to.be.at.least(1);
  for (const [label, value] of lines) {
    const base = opts.keys?.[label] ?? jsonKey(label);
    const key = [base, `${base}_kib`, `${base}_mhz`, `${base}_ms`].find((k) => k in obj);
    expect(key, `${cmd}: no key for "${label}" in ${JSON.stringify(obj)}`).to.not.equal(undefined);
    if (opts.volatile?.includes(key!)) {
      expect(obj[key!]).to.be.a('number');
      continue;
    }
    expect(agrees(value, obj[key!]!), `${cmd}: ${label} is ${JSON.stringify(value)}, JSON ${JSON.stringify(obj[key!])}`).to.equal(true);
  }
  return obj;
}

/** "name value" lines (dommemstat, domblkstat, domifstat, nodememstats): each is the JSON's number, by `key`. */
function sameCounters(uri: string, cmd: string, parse: (line: string) => [string, number], opts: { setup?: string; tolerant?: boolean } = {}): { [k: string]: Json } {
  const { text, json } = pair(uri, cmd, opts.setup);
  const obj = json as { [k: string]: Json };
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).to.be.at.least(1);
  for (const l of lines) {
    const [key, n] = parse(l);
    expect(obj[key], `${cmd}: ${key} in ${JSON.stringify(obj)}`).to.be.a('number');
    if (opts.tolerant) expect(near(obj[key] as number, n), `${cmd}: ${key} ${n} vs ${String(obj[key])}`).to.equal(true);
    else expect(obj[key]).to.equal(n);
  }
  return obj;
}

/** vcpuinfo's text: records parted by blank lines, of "%-15s value" lines (the N/A "CPU time" has no colon). */
function vcpuRecords(text: string): [string, string][][] {
  return text
    .split(/\n\n+/)
    .filter((b) => b.trim() !== '')
    .map((b) =>
      b
        .split('\n')
        .filter((l) => l !== '')
        .map((l): [string, string] => [l.slice(0, 15).trim().replace(/:$/, ''), l.slice(16)]),
    );
}

/** vcpuinfo: one JSON record per vCPU virsh prints, with its labels as keys in order and its values. */
function sameVcpuinfo(uri: string, cmd: string, setup = ''): { [k: string]: Json }[] {
  const { text, json } = pair(uri, cmd, setup);
  const recs = vcpuRecords(text);
  expect(recs.length, text).to.be.at.least(1);
  expect(json).to.be.an('array').with.length(recs.length);
  const rows = json as { [k: string]: Json }[];
  recs.forEach((lines, i) => {
    const row = rows[i]!;
    expect(Object.keys(row)).to.deep.equal(lines.map(([label]) => (label === 'CPU time' ? 'cpu_time_ns' : jsonKey(label))));
    for (const [label, value] of lines) {
      const key = label === 'CPU time' ? 'cpu_time_ns' : jsonKey(label);
      const what = `${cmd}: ${label} is ${JSON.stringify(value)}, JSON ${JSON.stringify(row[key])}`;
      if (value === 'N/A') expect(row[key], what).to.equal(null);
      else if (key === 'cpu_time_ns') expect(Math.abs((row[key] as number) / 1e9 - parseFloat(value)), what).to.be.below(5);
      else expect(agrees(value, row[key]!), what).to.equal(true);
    }
  });
  return rows;
}

/** The same run by virsh and by virsh-rpc with --json appended: the same stdout, stderr and status. */
function sameFailure(uri: string, cmd: string): { stdout: string; stderr: string; status: number | null } {
  const t = runVirsh(['-c', uri, cmd]);
  const j = runVirshRpc(['-c', uri, `${cmd} --json`]);
  expect(j, cmd).to.deep.equal(t);
  expect(t.status, t.stderr).to.equal(1);
  return t;
}

describe('virsh-rpc --json: help and completion stay virsh', function () {
  this.timeout(300_000);
  it('`help <command>` is byte-identical to virsh for every command that has --json', () => {
    const names = Object.keys(HIDDEN_OPTS);
    expect(names.length).to.be.at.least(30);
    const script = names.map((n) => `help ${n}`).join('; ');
    const { virsh, ours } = bothVirsh([script]);
    expect(ours).to.deep.equal(virsh);
    expect(virsh.stdout).to.not.contain('--json');
  });
  it('without --json the output is what virsh prints', () => {
    const uri = freshTestURI();
    const { virsh, ours } = bothVirsh(['-c', uri, 'list --all; pool-list --details; vol-list default-pool --details; domblkinfo test --all --human; nodeinfo; pool-info default-pool; net-info default; domstate test --reason; iface-list --all']);
    expect(ours).to.deep.equal(virsh);
  });
  it('the README lists every command that has --json, and says how many', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const m = /The (\d+) commands:([^]*?)\(`src\/cli\/virsh\/json-commands\.ts`/.exec(readme);
    expect(m, 'README: "The N commands: ..."').to.not.equal(null);
    const listed = [...m![2]!.matchAll(/`([a-z-]+)`/g)].map((x) => x[1]!);
    expect(Number(m![1])).to.equal(Object.keys(HIDDEN_OPTS).length);
    expect([...listed].sort()).to.deep.equal(Object.keys(HIDDEN_OPTS).sort());
  });
  it('`complete` offers no --json', () => {
    // vsh's cmdComplete connects (for the completers), takes the words after `--` as the line
    // and its last one as the text.
    const r = runVirshRpc(['-c', freshTestURI(), 'complete', '--', 'list', '--']);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.contain('--title');
    expect(r.stdout).to.not.contain('--json');
  });
  it('a command without --json refuses it as virsh refuses an unknown option; --json with --name is an error', () => {
    const uri = freshTestURI();
    const r = runVirshRpc(['-c', uri, 'start test --json']);
    expect(r.stderr).to.equal("error: command 'start' doesn't support option --json\n");
    expect(r.status).to.equal(1);
    const n = runVirshRpc(['-c', uri, 'list --name --json']);
    expect(n.stderr).to.equal('error: Options --json and --name are mutually exclusive\n');
    expect(n.stdout).to.equal('\n'); // virsh's blank line after a command, without -q
  });
});

describe('virsh-rpc --json on the test driver: the values agree with virsh', function () {
  this.timeout(300_000);
  let uri: string;
  before(() => {
    uri = freshTestURI();
  });

  it('list --all (ids, names, states)', () => {
    const rows = sameTable(uri, 'list --all', ['Id', 'Name', 'State'], { setup: 'destroy test' });
    expect(rows[0]).to.have.property('id', null);
    expect(rows[0]).to.have.property('uuid').that.matches(/^[0-9a-f-]{36}$/);
    sameTable(uri, 'list --title', ['Id', 'Name', 'State', 'Title']);
  });
  it('list --all: the uuids are the domains\'', () => {
    const rows = pair(uri, 'list --all', '').json as { name: string; uuid: string }[];
    for (const r of rows) expect(runVirsh(['-c', uri, 'domuuid', r.name]).stdout.trim()).to.equal(r.uuid);
  });
  it('net-list, pool-list (plain and --details, sizes in bytes), iface-list', () => {
    sameTable(uri, 'net-list --all', ['Name', 'State', 'Autostart', 'Persistent']);
    sameTable(uri, 'pool-list --all', ['Name', 'State', 'Autostart']);
    const [p] = sameTable(uri, 'pool-list --all --details', ['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available']) as { capacity: number }[];
    expect(p!.capacity).to.equal(107374182400);
    sameTable(uri, 'iface-list --all', ['Name', 'State', 'MAC Address']);
  });
  it('vol-list --details, snapshot-list, domblklist, domiflist, vcpupin, domfsinfo', () => {
    const [v] = sameTable(uri, 'vol-list default-pool --details', ['Name', 'Path', 'Type', 'Capacity', 'Allocation'], { setup: 'vol-create-as default-pool v1 10M' }) as { capacity: number }[];
    expect(v!.capacity).to.equal(10 * 1024 * 1024);
    sameTable(uri, 'vol-list default-pool', ['Name', 'Path'], { setup: 'vol-create-as default-pool v1 10M' });
    const [s] = sameTable(uri, 'snapshot-list test --parent', ['Name', 'Creation Time', 'State', 'Parent'], { setup: 'snapshot-create-as test s1', volatile: ['creation_time'] }) as { creation_time: string; parent: Json }[];
    expect(s!.creation_time).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$/);
    sameTable(uri, 'domblklist test --details', ['Type', 'Device', 'Target', 'Source']);
    sameTable(uri, 'domiflist test', ['Interface', 'Type', 'Source', 'Model', 'MAC']);
    const pins = sameTable(uri, 'vcpupin test', ['VCPU', 'CPU Affinity'], { minRows: 2 });
    expect(pins[1]).to.deep.equal({ vcpu: 1, cpu_affinity: '0-7' });
    sameTable(uri, 'domfsinfo test', ['Mountpoint', 'Name', 'Type', 'Target'], { minRows: 2 });
  });
  it('snapshot-info, checkpoint-info, checkpoint-list', () => {
    const s = sameInfo(uri, 'snapshot-info test s1', { setup: 'snapshot-create-as test s1' });
    expect(s).to.include({ current: true, parent: null, children: 0, metadata: true });
    const c = sameInfo(uri, 'checkpoint-info test c1', { setup: 'checkpoint-create-as test c1' });
    expect(c).to.include({ name: 'c1', parent: null, descendants: 0 });
    sameTable(uri, 'checkpoint-list test', ['Name', 'Creation Time'], { setup: 'checkpoint-create-as test c1', volatile: ['creation_time'] });
  });
  it('domblkinfo, plain, --human and --all', () => {
    sameInfo(uri, 'domblkinfo test vda');
    sameInfo(uri, 'domblkinfo test vda --human');
    sameTable(uri, 'domblkinfo test --all', ['Target', 'Capacity', 'Allocation', 'Physical']);
    sameTable(uri, 'domblkinfo test --all --human', ['Target', 'Capacity', 'Allocation', 'Physical']);
  });
  it('dominfo (CPU time in ns, memory in KiB, booleans)', () => {
    const o = sameInfo(uri, 'dominfo test', { keys: { 'CPU time': 'cpu_time_ns' }, volatile: ['cpu_time_ns'] });
    expect(o).to.include({ id: 1, persistent: true, autostart: false, managed_save: false, max_memory_kib: 8388608, cpus: 2 });
    expect(o.messages).to.deep.equal([]);
    const off = sameInfo(uri, 'dominfo test', { setup: 'destroy test', keys: { 'CPU time': 'cpu_time_ns' }, volatile: ['cpu_time_ns'] });
    expect(off).to.include({ id: null, state: 'shut off' });
  });
  it('nodeinfo, pool-info (--bytes too), vol-info, net-info', () => {
    const n = sameInfo(uri, 'nodeinfo');
    expect(n).to.include({ cpus: 16, cpu_frequency_mhz: 1400, memory_size_kib: 3145728 });
    sameInfo(uri, 'pool-info default-pool');
    sameInfo(uri, 'pool-info default-pool --bytes');
    sameInfo(uri, 'vol-info v1 --pool default-pool', { setup: 'vol-create-as default-pool v1 10M' });
    sameInfo(uri, 'vol-info v1 --pool default-pool --bytes', { setup: 'vol-create-as default-pool v1 10M' });
    sameInfo(uri, 'net-info default');
  });
  it('domstate --reason, domcontrol, domtime, hostname, uri, version', () => {
    const s = pair(uri, 'domstate test --reason');
    expect(s.json).to.deep.equal({ state: /^(\S+) \((.*)\)\n$/.exec(s.text)![1], reason: /^(\S+) \((.*)\)\n$/.exec(s.text)![2] });
    expect(pair(uri, 'domstate test').json).to.deep.equal({ state: 'running' });
    const c = pair(uri, 'domcontrol test');
    expect(c.json).to.deep.equal({ state: c.text.trim() });
    const t = pair(uri, 'domtime test').json as { seconds: number };
    expect(runVirsh(['-c', uri, 'domtime test']).stdout).to.match(new RegExp(`^Time: ${t.seconds}\\n`));
    expect(pair(uri, 'hostname').json).to.deep.equal({ hostname: runVirsh(['-c', uri, 'hostname']).stdout.trim() });
    expect(pair(uri, 'uri').json).to.deep.equal({ uri: runVirsh(['-c', uri, 'uri']).stdout.trim() });
    const v = pair(uri, 'version --daemon');
    const lines = v.text.split('\n');
    const j = v.json as Record<string, string>;
    expect(lines[0]).to.equal(`Compiled against library: libvirt ${j.compiled_against_library}`);
    expect(lines[2]).to.equal(`Using API: ${j.hypervisor_type} ${j.api}`);
    expect(lines[3]).to.equal(`Running hypervisor: ${j.hypervisor_type} ${j.hypervisor}`);
    expect(lines[4]).to.equal(`Running against daemon: ${j.daemon}`);
  });
  it('dommemstat (KiB values so named), domblkstat (libvirt field names), nodecpustats', () => {
    const kib = ['swap_in', 'swap_out', 'unused', 'available', 'usable', 'actual', 'rss', 'disk_caches'];
    const m = sameCounters(uri, 'dommemstat test', (l) => {
      const [k, v] = l.split(' ');
      return [kib.includes(k!) ? `${k}_kib` : k!, Number(v)];
    });
    expect(m).to.have.property('actual_kib');
    const legacy: Record<string, string> = { rd_req: 'rd_operations', wr_req: 'wr_operations' };
    const b = sameCounters(
      uri,
      'domblkstat test vda',
      (l) => {
        const [, k, v] = l.split(' ');
        return [legacy[k!] ?? k!, Number(v)];
      },
      { tolerant: true },
    );
    expect(b).to.have.property('device', 'vda');
    sameCounters(
      uri,
      'nodecpustats',
      (l) => {
        const [k, v] = l.split(/:\s+/);
        return [`${k}_ns`, Number(v)];
      },
      { tolerant: true },
    );
  });
  it('vcpuinfo, plain and --pretty, running and shut off: one record per vCPU', () => {
    const rows = sameVcpuinfo(uri, 'vcpuinfo test');
    expect(rows).to.have.length(2);
    expect(rows[1]).to.include({ vcpu: 1, state: 'running', cpu_affinity: 'yyyyyyyy' });
    expect(sameVcpuinfo(uri, 'vcpuinfo test --pretty')[0]).to.include({ vcpu: 0, cpu_affinity: '0-7' });
    expect(sameVcpuinfo(uri, 'vcpuinfo test', 'vcpupin test 1 2-3')[1]).to.include({ vcpu: 1, cpu_affinity: '--yy----' });
    expect(sameVcpuinfo(uri, 'vcpuinfo test --pretty', 'vcpupin test 1 2-3')[1]).to.include({ vcpu: 1, cpu_affinity: '2-3' });
    const off = sameVcpuinfo(uri, 'vcpuinfo test --pretty', 'destroy test');
    expect(off[1]).to.deep.equal({ vcpu: 1, cpu: null, state: null, cpu_time_ns: null, cpu_affinity: '0-7' });
    sameVcpuinfo(uri, 'vcpuinfo test', 'destroy test');
  });
  it('emulatorpin: the query\'s affinity, without virsh\'s header; with a cpulist it pins and prints nothing', () => {
    const q = pair(uri, 'emulatorpin test');
    expect(q.json).to.deep.equal({ cpu_affinity: q.text.trim() });
    expect(q.text).to.equal('0-7\n');
    expect(pair(uri, 'emulatorpin test', 'emulatorpin test 2-3').json).to.deep.equal({ cpu_affinity: '2-3' });
    const loud = runVirshRpc(['-c', uri, 'emulatorpin test --json']);
    expect(loud.status, loud.stderr).to.equal(0);
    expect(loud.stdout).to.equal('{\n  "cpu_affinity": "0-7"\n}\n\n');
    const set = runVirshRpc(['-q', '-c', uri, 'emulatorpin test 2-3 --json; emulatorpin test']);
    expect(set).to.deep.equal(runVirsh(['-q', '-c', uri, 'emulatorpin test 2-3; emulatorpin test']));
    expect(set.stdout).to.equal('2-3\n');
  });
  it('iothreadinfo: the table\'s rows; none is [], not virsh\'s "No IOThreads found" line', () => {
    const rows = sameTable(uri, 'iothreadinfo test', ['IOThread ID', 'CPU Affinity'], { setup: 'iothreadadd test 3' });
    expect(rows).to.deep.equal([{ iothread_id: 3, cpu_affinity: '0-1' }]);
    const none = runVirshRpc(['-c', uri, 'iothreadinfo test --json']);
    expect(runVirsh(['-c', uri, 'iothreadinfo test']).stdout).to.equal('No IOThreads found for the domain\n');
    expect(none).to.deep.equal({ stdout: '[]\n\n', stderr: '', status: 0 });
  });
  it('domjobinfo: the test driver has no job statistics, and --json fails as virsh does; refused with --rawstats', () => {
    expect(sameFailure(uri, 'domjobinfo test').stderr).to.contain('virDomainGetJobInfo');
    sameFailure(uri, 'domjobinfo test --completed');
    const r = runVirshRpc(['-q', '-c', uri, 'domjobinfo test --rawstats --json']);
    expect(r).to.deep.equal({ stdout: '', stderr: 'error: Options --json and --rawstats are mutually exclusive\n', status: 1 });
  });
  it('vcpuinfo, emulatorpin, domjobinfo of a domain that does not exist: virsh\'s error and status', () => {
    for (const c of ['vcpuinfo nosuch', 'vcpuinfo nosuch --pretty', 'emulatorpin nosuch', 'domjobinfo nosuch', 'domjobinfo nosuch --completed'])
      expect(sameFailure(uri, c).stderr, c).to.equal("error: failed to get domain 'nosuch'\n");
  });
  it('domstats: each record\'s fields and values', () => {
    const { text, json } = pair(uri, 'domstats');
    const recs = json as { domain: string; stats: Record<string, Json> }[];
    const expected: { domain: string; stats: Record<string, number> }[] = [];
    for (const l of text.split('\n')) {
      const d = /^Domain: '(.*)'$/.exec(l);
      if (d) expected.push({ domain: d[1]!, stats: {} });
      const f = /^ {2}(\S+)=(.*)$/.exec(l);
      if (f) expected[expected.length - 1]!.stats[f[1]!] = Number(f[2]);
    }
    expect(recs).to.deep.equal(expected);
  });
});

describe('virsh-rpc --json on qemu:///system: a dir pool, a defined guest, the host', function () {
  this.timeout(300_000);
  let uri: string;
  let dir: string;
  const pool = `vjson-pool-${process.pid}`;
  const guest = `vjson-guest-${process.pid}`;

  before(() => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-json-'));
    mkdirSync(join(dir, 'pool'));
    const xml = execFileSync(SANDBOX, ['guest-xml', guest], { encoding: 'utf8' });
    writeFileSync(join(dir, 'guest.xml'), xml);
    const r = runVirsh(['-c', uri, `pool-create-as ${pool} dir --target ${dir}/pool; vol-create-as ${pool} a 3M; vol-create-as ${pool} b 1G --allocation 0 --format qcow2; define ${dir}/guest.xml`]);
    expect(r.status, r.stderr).to.equal(0);
  });
  after(() => {
    runVirsh(['-c', uri, `destroy ${guest}`]); // started (and saved, so stopped) by the domjobinfo case
    runVirsh(['-c', uri, `undefine ${guest}`]);
    runVirsh(['-c', uri, `pool-destroy ${pool}`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pool-list --details, pool-info, vol-list --details, vol-info --physical', () => {
    const rows = sameTable(uri, 'pool-list --all --details', ['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available']) as { name: string; persistent: boolean }[];
    expect(rows.find((r) => r.name === pool)).to.include({ persistent: false });
    sameInfo(uri, `pool-info ${pool}`);
    const vols = sameTable(uri, `vol-list ${pool} --details`, ['Name', 'Path', 'Type', 'Capacity', 'Allocation'], { minRows: 2 }) as { name: string; capacity: number }[];
    expect(vols.map((v) => [v.name, v.capacity])).to.deep.equal([
      ['a', 3 * 1024 * 1024],
      ['b', 1024 * 1024 * 1024],
    ]);
    sameInfo(uri, `vol-info a --pool ${pool} --physical`);
    sameInfo(uri, `vol-info b --pool ${pool} --bytes`);
  });
  it('a defined guest: list, dominfo, domblklist, domiflist, domstate, vcpupin', () => {
    const rows = sameTable(uri, 'list --all', ['Id', 'Name', 'State']) as { name: string; id: Json; state: string }[];
    expect(rows.find((r) => r.name === guest)).to.include({ id: null, state: 'shut off' });
    const o = sameInfo(uri, `dominfo ${guest}`, { keys: { 'CPU time': 'cpu_time_ns' } });
    expect(o).to.include({ id: null, state: 'shut off', persistent: true });
    sameTable(uri, `domblklist ${guest} --details`, ['Type', 'Device', 'Target', 'Source'], { minRows: 0 });
    sameTable(uri, `domiflist ${guest}`, ['Interface', 'Type', 'Source', 'Model', 'MAC'], { minRows: 0 });
    expect(pair(uri, `domstate ${guest} --reason`).json).to.deep.equal({ state: 'shut off', reason: 'unknown' });
    sameTable(uri, `vcpupin ${guest}`, ['VCPU', 'CPU Affinity']);
  });
  it('the defined guest: vcpuinfo, emulatorpin, domjobinfo (none, or virsh\'s error)', () => {
    sameVcpuinfo(uri, `vcpuinfo ${guest}`);
    sameVcpuinfo(uri, `vcpuinfo ${guest} --pretty`);
    const q = pair(uri, `emulatorpin ${guest}`);
    expect(q.json).to.deep.equal({ cpu_affinity: q.text.trim() });
    expect(pair(uri, `domjobinfo ${guest} --completed`).json).to.deep.equal({ job_type: 'None' });
    expect(sameFailure(uri, `domjobinfo ${guest}`).stderr).to.contain('domain is not running');
  });
  it('domjobinfo --completed after a save: every field virsh prints, times in ms, sizes and rates in bytes', () => {
    const r = runVirsh(['-c', uri, `start ${guest}; save ${guest} ${dir}/guest.save`]);
    expect(r.status, r.stderr).to.equal(0);
    // --keep-completed: virsh's run and ours read the same statistics.
    const cmd = `domjobinfo ${guest} --completed --keep-completed`;
    expect(runVirshRpc(['-c', uri, cmd])).to.deep.equal(runVirsh(['-c', uri, cmd]));
    const o = sameInfo(uri, cmd, { keys: { 'Dirty rate': 'dirty_rate_pages_per_s' } });
    expect(o).to.include({ job_type: 'Completed', operation: 'Save' });
    const raw = runVirsh(['-q', '-c', uri, `${cmd} --rawstats`]).stdout;
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(raw)?.[1]);
    expect(o.time_elapsed_ms).to.equal(field('time_elapsed'));
    expect(o.memory_total).to.equal(field('memory_total'));
    expect(o.memory_processed).to.equal(field('memory_processed'));
    expect(o.data_total).to.equal(field('data_total')).and.to.be.above(0);
  });
  it('nodedev-list: the names virsh lists', () => {
    const { text, json } = pair(uri, 'nodedev-list');
    expect(json).to.deep.equal(text.split('\n').filter((l) => l).map((name) => ({ name })));
    expect((json as Json[]).length).to.be.at.least(1);
  });
  it('nodeinfo, nodememstats (KiB), version, hostname', () => {
    sameInfo(uri, 'nodeinfo');
    const m = pair(uri, 'nodememstats').json as Record<string, number>;
    const text = runVirsh(['-c', uri, 'nodememstats']).stdout;
    for (const l of text.split('\n').filter((x) => x.trim())) {
      const [k] = l.split(/\s*:/);
      expect(m[`${k!.trim()}_kib`], l).to.be.a('number');
    }
    expect(Object.keys(m)).to.have.length(text.split('\n').filter((x) => x.trim()).length);
    expect(pair(uri, 'hostname').json).to.deep.equal({ hostname: runVirsh(['-c', uri, 'hostname']).stdout.trim() });
    expect((pair(uri, 'version').json as Record<string, string>).hypervisor_type).to.equal('QEMU');
  });
});
