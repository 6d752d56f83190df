// virsh-rpc's own additions to virsh, on their own: --json (the writer, Table's rows, the info
// collector, the hidden option) and the progress bar (drawn on a fake terminal with a fake clock).
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { commandHelp } from '../../src/cli/vsh/builtins.js';
import { Cmd, type CmdDef } from '../../src/cli/vsh/cmd.js';
import { InfoOutput } from '../../src/cli/vsh/info.js';
import { jsonKey, toJson } from '../../src/cli/vsh/json.js';
import { countedItems, formatBytes, migrationProgress, ProgressBar, REDRAW_MS, startProgress } from '../../src/cli/vsh/progress.js';
import { numberCell, Table, typed } from '../../src/cli/vsh/table.js';
import { buildGroups } from '../../src/cli/vsh/tables.js';
import { VirshControl } from '../../src/cli/virsh/control.js';
import { virshGroups } from '../../src/cli/virsh/groups.js';
import { GROUPS } from '../../src/cli/virsh/generated/commands.js';

function shell(progress: { write(s: string): void; columns: number } | null = null) {
  const out = { stdout: '', stderr: '' };
  const ctl = new VirshControl(
    virshGroups,
    { stdout: (s) => (out.stdout += s), stderr: (s) => (out.stderr += s), stdin: new PassThrough(), isTTY: false, env: {}, progress },
    'virsh',
  );
  return { ctl, out };
}

const cmdOf = (ctl: VirshControl, line: string): Cmd => ctl.parseString(line)![0]!;

describe('virsh-rpc --json: the writer', () => {
  it('indents, keeps 64-bit numbers exact, escapes strings, writes NaN as null', () => {
    const text = toJson({ a: [1, 'x"y', true, null], big: 18446744073709551615n, small: 5n, nan: NaN, e: [], o: {} });
    expect(text).to.equal('{\n  "a": [\n    1,\n    "x\\"y",\n    true,\n    null\n  ],\n  "big": 18446744073709551615,\n  "small": 5,\n  "nan": null,\n  "e": [],\n  "o": {}\n}\n');
    expect(JSON.parse(text).a[1]).to.equal('x"y');
  });
  it('keys from the labels virsh prints', () => {
    expect(jsonKey('Max memory:')).to.equal('max_memory');
    expect(jsonKey('CPU(s):')).to.equal('cpus');
    expect(jsonKey('Core(s) per socket:')).to.equal('cores_per_socket');
    expect(jsonKey('MAC Address')).to.equal('mac_address');
    expect(jsonKey('Client ID or DUID')).to.equal('client_id_or_duid');
  });
});

describe('virsh-rpc --json: Table rows', () => {
  it('typed values, null for "-", the columns with types of their own; the text unchanged', () => {
    const t = new Table('Id', 'Name', 'State', 'Autostart', 'Capacity', 'Source');
    t.add('1', '10', 'running', 'yes', numberCell('1.50 GiB', 1610612736n), '-');
    t.add('-', 'b', 'shut off', 'no autostart', 'unknown', '/x');
    expect(t.toString()).to.equal(
      new Table('Id', 'Name', 'State', 'Autostart', 'Capacity', 'Source').add('1', '10', 'running', 'yes', '1.50 GiB', '-').add('-', 'b', 'shut off', 'no autostart', 'unknown', '/x').toString(),
    );
    expect(t.toJsonValue()).to.deep.equal([
      { id: 1, name: '10', state: 'running', autostart: true, capacity: 1610612736, source: null },
      { id: null, name: 'b', state: 'shut off', autostart: null, capacity: null, source: '/x' },
    ]);
    expect(new Table('Target').add(typed('-', 7)).toJsonValue()).to.deep.equal([{ target: 7 }]);
  });
  it('printTable: text (no header with -q) or JSON with --json', () => {
    const { ctl, out } = shell();
    const t = new Table('Name').add('a');
    ctl.printTable(cmdOf(ctl, 'net-list'), t);
    ctl.quiet = true;
    ctl.printTable(cmdOf(ctl, 'net-list'), t);
    ctl.printTable(cmdOf(ctl, 'net-list --json'), t);
    expect(out.stdout).to.equal(' Name\n-------\n a\n a\n[\n  {\n    "name": "a"\n  }\n]\n');
  });
});

describe('virsh-rpc --json: the info collector', () => {
  const run = (line: string) => {
    const { ctl, out } = shell();
    const o = new InfoOutput(ctl, cmdOf(ctl, line));
    o.print('%-15s %s\n', 'Id:', '-');
    o.print('%-15s %s\n', 'Name:', 'yes');
    o.print('%-15s %lu KiB\n', 'Max memory:', 1024n);
    o.print('%-15s %d MHz\n', 'CPU frequency:', 1400);
    o.print('%-15s %s\n', 'Persistent:', 'yes');
    o.print('%-15s %s\n', 'Autostart:', 'disable');
    o.print('%-15s %.1lfs\n', 'CPU time:', 1.5).as(1500000000n, 'cpu_time_ns');
    o.put('rx_bytes', 42, '%s rx_bytes %lld\n', 'vnet0', 42n);
    o.text('only text\n').field('only_json', [1]);
    o.end();
    return out.stdout;
  };
  it('without --json: exactly what ctl.print prints', () => {
    expect(run('dominfo x')).to.equal(
      'Id:             -\nName:           yes\nMax memory:     1024 KiB\nCPU frequency:  1400 MHz\nPersistent:     yes\nAutostart:      disable\nCPU time:       1.5s\nvnet0 rx_bytes 42\nonly text\n',
    );
  });
  it('with --json: one object, keys from labels and units, typed values', () => {
    expect(JSON.parse(run('dominfo x --json'))).to.deep.equal({
      id: null,
      name: 'yes',
      max_memory_kib: 1024,
      cpu_frequency_mhz: 1400,
      persistent: true,
      autostart: false,
      cpu_time_ns: 1500000000,
      rx_bytes: 42,
      only_json: [1],
    });
  });
  it('a time in ms keyed with _ms; value: the object collected so far, null without --json', () => {
    const { ctl, out } = shell();
    const text = new InfoOutput(ctl, cmdOf(ctl, 'domjobinfo x'));
    text.print('%-17s %-12llu ms\n', 'Time elapsed:', 32n);
    expect(text.value).to.equal(null);
    expect(out.stdout).to.equal('Time elapsed:     32           ms\n');
    const json = new InfoOutput(ctl, cmdOf(ctl, 'domjobinfo x --json'));
    const value = json.value;
    json.print('%-17s %-12llu ms\n', 'Time elapsed:', 32n).print('%-17s %-12llu bytes\n', 'Page size:', 4096n);
    expect(value).to.deep.equal({ time_elapsed_ms: 32, page_size: 4096 });
  });
});

describe('virsh-rpc --json: the hidden option', () => {
  it('is accepted by the commands that have it, and by no other', () => {
    const { ctl, out } = shell();
    expect(cmdOf(ctl, 'list --json').has('json')).to.equal(true);
    expect(cmdOf(ctl, 'domstats --json d1 d2').argv()).to.deep.equal(['d1', 'd2']);
    expect(ctl.parseString('start d --json')).to.equal(null);
    expect(out.stderr).to.equal("error: command 'start' doesn't support option --json\n");
  });
  it('is not in help or in completion', async () => {
    const { ctl } = shell();
    const list = ctl.lookup('list')!;
    expect(list.opts!.some((o) => o.name === 'json' && o.hidden)).to.equal(true);
    const plain = buildGroups(GROUPS, {}, {})
      .flatMap((g) => g.commands)
      .find((c) => c.name === 'list')!;
    expect(commandHelp(list as CmdDef<never>)).to.equal(commandHelp(plain as CmdDef<never>));
    expect(await ctl.complete('list --j', '--j')).to.equal(null);
    expect(await ctl.complete('list --ti', '--ti')).to.deep.equal(['--title']);
  });
  it('goes before a trailing argv option, which stays last', () => {
    const { ctl } = shell();
    const opts = ctl.lookup('domstats')!.opts!;
    expect(opts[opts.length - 1]!.type).to.equal('argv');
    expect(opts[opts.length - 2]!.name).to.equal('json');
  });
});

describe('virsh-rpc progress bar', () => {
  const MiB = 1024 * 1024;
  const fake = (columns = 80) => {
    const o = { text: '', columns, write: (s: string) => (o.text += s) };
    return o;
  };

  it('draws bytes done and total, percent and rate; at most every REDRAW_MS', () => {
    const out = fake();
    let now = 1000;
    const bar = new ProgressBar(out, 'vol-upload', 4 * MiB, () => now);
    now += 500;
    bar.add(MiB);
    expect(out.text).to.equal('\rvol-upload: [########........................]  25% 1.0 MiB / 4.0 MiB 2.0 MiB/s\x1b[K');
    expect(out.text.length - '\r'.length - '\x1b[K'.length).to.equal(79);
    out.text = '';
    now += REDRAW_MS - 1;
    bar.add(MiB);
    expect(out.text).to.equal('');
    now += 1;
    bar.add(0);
    // eslint-disable-next-line no-control-regex
    expect(out.text).to.match(new RegExp('^\\rvol-upload: \\[#+\\.+\\] {2}50% 2\\.0 MiB / 4\\.0 MiB 3\\.3 MiB/s\x1b\\[K$'));
    out.text = '';
    bar.add(2 * MiB);
    bar.finish();
    // eslint-disable-next-line no-control-regex
    expect(out.text).to.match(new RegExp('^\\rvol-upload: \\[#+\\] 100% 4\\.0 MiB / 4\\.0 MiB [0-9.]+ MiB/s\x1b\\[K\n$'));
    out.text = '';
    bar.add(1);
    bar.clear();
    expect(out.text).to.equal('');
  });

  it('an unknown total: bytes and rate only; a narrow terminal: no bar', () => {
    let now = 0;
    const a = new ProgressBar(fake(), 'vol-download', null, () => now);
    now = 2000;
    a.add(3 * MiB);
    expect(a.render(now)).to.equal('vol-download: 3.0 MiB 1.5 MiB/s');
    const b = new ProgressBar(fake(30), 'vol-download', 100, () => now);
    b.add(50);
    expect(b.render(now)).to.equal('vol-download: 50% 50 B / 100 B');
    expect(formatBytes(1023)).to.equal('1023 B');
    expect(formatBytes(1536)).to.equal('1.5 KiB');
  });

  it('an error clears the line: nothing left when nothing was drawn', () => {
    const out = fake();
    const bar = new ProgressBar(out, 'x', 10, () => 0);
    bar.clear();
    expect(out.text).to.equal('');
    const drawn = new ProgressBar(out, 'x', 10, () => 0);
    drawn.add(1);
    out.text = '';
    drawn.clear();
    expect(out.text).to.equal('\r\x1b[K');
  });

  it('startProgress: none without a terminal or with -q; the shell clears it before an error', () => {
    expect(startProgress(shell(null).ctl, 'x', 1)).to.equal(null);
    const term = fake();
    const quiet = shell(term).ctl;
    quiet.quiet = true;
    expect(startProgress(quiet, 'x', 1)).to.equal(null);
    const { ctl, out } = shell(term);
    const bar = startProgress(ctl, 'vol-upload', 10, () => 0)!;
    bar.add(5);
    expect(ctl.progressLine).to.equal(bar);
    ctl.error('cannot send data');
    expect(term.text.endsWith('\r\x1b[K')).to.equal(true);
    expect(out.stderr).to.equal('error: cannot send data\n');
    expect(ctl.progressLine).to.equal(null);
  });

  it('counts data and holes as they are taken; migrate reports remaining of total', async () => {
    let now = 0;
    const bar = new ProgressBar(fake(), 'x', 100, () => (now += REDRAW_MS));
    const seen: unknown[] = [];
    for await (const item of countedItems([new Uint8Array(10), { hole: 30n }, new Uint8Array(5)], bar)) seen.push(item);
    expect(seen).to.have.length(3);
    expect(bar.render(now)).to.contain(' 45% 45 B / 100 B');
    const m = new ProgressBar(fake(), 'migrate', null, () => (now += REDRAW_MS));
    migrationProgress(m)(750n, 1000n);
    expect(m.render(now)).to.contain(' 25% 250 B / 1000 B');
    // The job watcher's "done" (nothing remains of 1) fills the bar to the total it knows.
    migrationProgress(m)(0n, 1n);
    expect(m.render(now)).to.contain('100% 1000 B / 1000 B');
  });
});
