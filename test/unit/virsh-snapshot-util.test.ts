// The helpers of virsh-rpc's snapshot, checkpoint and nodedev commands: vshTreePrint's layout,
// virBuffer's indent and escaping, the XPath strings read from a snapshot, GLib's time format.
import { expect } from 'chai';
import { formatLocalTime, parseDoc, treePrint, XmlBuffer, xpathLongLong, xpathString } from '../../src/cli/virsh/snapshot-util.js';
import type { VshControl } from '../../src/cli/vsh/control.js';
import { cformat, type CArg } from '../../src/cli/vsh/cformat.js';
import { glibBase64Decode } from '../../src/cli/virsh/commands/secret.js';

function printer(): { ctl: VshControl; out: () => string } {
  let text = '';
  const ctl = { print: (fmt: string, ...args: CArg[]) => (text += args.length ? cformat(fmt, ...args) : fmt) } as unknown as VshControl;
  return { ctl, out: () => text };
}

describe('virsh-rpc snapshot helpers', () => {
  it('treePrint lays out a tree as vshTreePrint (tests/virsh-snapshot)', () => {
    // name -> parent, in the order snapshot-list --tree sorts them
    const items: [string, string | null][] = [
      ['s1', null],
      ['s2', 's3'],
      ['s3', 's1'],
      ['s4', 's6'],
      ['s5', 's6'],
      ['s6', 's3'],
      ['s7', 's1'],
      ['s8', 's7'],
    ];
    const { ctl, out } = printer();
    treePrint(ctl, (id, parent) => (parent ? items[id]![1] : items[id]![0]), items.length, 0);
    const expected = [
      's1',
      '  |',
      '  +- s3',
      '  |   |',
      '  |   +- s2',
      '  |   +- s6',
      '  |       |',
      '  |       +- s4',
      '  |       +- s5',
      '  |',
      '  +- s7',
      '      |',
      '      +- s8',
      '',
    ];
    expect(
      out()
        .split('\n')
        .map((l) => l.replace(/ *$/, '')),
    ).to.deep.equal([...expected, '']);
    // the trailing spaces virsh leaves on the blank line that closes a branch
    expect(out()).to.include('      +- s8\n        \n');
  });

  it('treePrint of a lone root', () => {
    const { ctl, out } = printer();
    treePrint(ctl, (_id, parent) => (parent ? null : 'computer'), 1, 0);
    expect(out()).to.equal('computer\n\n');
  });

  it('XmlBuffer indents each line and escapes as virBufferEscapeString', () => {
    const b = new XmlBuffer();
    b.add('<a>\n');
    b.adjustIndent(2);
    b.escape('<name>%s</name>\n', `x<&>'"\x01$&y`);
    b.escape('<skip>%s</skip>\n', undefined);
    b.add('<b');
    b.add(" c='d'");
    b.add('/>\n');
    b.adjustIndent(-2);
    b.add('</a>\n');
    expect(b.toString()).to.equal("<a>\n  <name>x&lt;&amp;&gt;&apos;&quot;$&amp;y</name>\n  <b c='d'/>\n</a>\n");
  });

  it('xpathString and xpathLongLong read string(/root/path) as libvirt does', async () => {
    const doc = (await parseDoc('<domainsnapshot><name>s1</name><parent><name>p</name></parent><state></state><creationTime> 1700000000</creationTime><bad>12x</bad></domainsnapshot>'))!;
    expect(xpathString(doc, 'domainsnapshot', ['parent', 'name'])).to.equal('p');
    expect(xpathString(doc, 'domainsnapshot', ['state'])).to.equal(null);
    expect(xpathString(doc, 'domainsnapshot', ['missing'])).to.equal(null);
    expect(xpathString(doc, 'other', ['name'])).to.equal(null);
    expect(xpathLongLong(doc, 'domainsnapshot', ['creationTime'])).to.equal(1700000000n);
    expect(xpathLongLong(doc, 'domainsnapshot', ['bad'])).to.equal(null);
    expect(await parseDoc('<unclosed>')).to.equal(null);
  });

  it('formatLocalTime is "%Y-%m-%d %H:%M:%S %z" in the local zone', () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      expect(formatLocalTime(1700000000n)).to.equal('2023-11-14 22:13:20 +0000');
      process.env.TZ = 'Asia/Kolkata';
      expect(formatLocalTime(1700000000n)).to.equal('2023-11-15 03:43:20 +0530');
      process.env.TZ = 'America/New_York';
      expect(formatLocalTime(1700000000n)).to.equal('2023-11-14 17:13:20 -0500');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('glibBase64Decode decodes as g_base64_decode', () => {
    const d = (s: string) => glibBase64Decode(Buffer.from(s)).toString('latin1');
    expect(d('aGVsbG8=')).to.equal('hello');
    expect(d('aGVsbG8')).to.equal('hel'); // a partial group is dropped
    expect(d('a G\tk\n=')).to.equal('hi'); // characters outside the alphabet are skipped
    expect(d('aGk=aGk=')).to.equal('hihi'); // a group ending in '=' gives one byte less, and decoding goes on
    expect(d('a-b_Yw==')).to.equal(Buffer.from([0x69, 0xb6, 0x30]).toString('latin1')); // no URL-safe alphabet
    expect(d('aGk=\x00aGk=')).to.equal('hi'); // the text ends at a NUL
  });
});
