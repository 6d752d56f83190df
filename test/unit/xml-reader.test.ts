/** libvirt-rpc/xml without the corpus: the reader's errors, hand-written objects, unknown content, validation. */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import * as X from '../../src/xml/index.js';
import { parseXmlTree } from '../../src/xml/tree.js';

function xmlError(f: () => unknown): X.XmlError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(X.XmlError);
    return e as X.XmlError;
  }
  throw new Error('expected an XmlError');
}

describe('typed XML: reader and writer', () => {
  describe('malformed XML is an XmlError with line and column', () => {
    const cases: [string, string, number, number, RegExp][] = [
      ['mismatched end tag', '<domain>\n  <name>a</nam>\n</domain>', 2, 10, /does not match <name>/],
      ['unclosed element', '<domain>\n  <name>a</name>\n', 1, 1, /<domain> is not closed/],
      ['unknown entity', "<domain>\n  <name>a &nbsp; b</name></domain>", 2, 11, /unknown entity &nbsp;/],
      ['duplicate attribute', "<domain type='kvm' type='qemu'/>", 1, 20, /duplicate attribute type/],
      ['unquoted attribute', '<domain type=kvm/>', 1, 14, /quoted value/],
      ['two roots', '<a/>\n<b/>', 2, 1, /second root/],
      ['text after the root', '<a/> x', 1, 5, /text after the root/],
      ["'<' in an attribute", "<a b='<'/>", 1, 7, /'<' in the value/],
      ['empty document', '  ', 1, 3, /no root element/],
    ];
    for (const [what, text, line, column, message] of cases) {
      it(what, () => {
        const e = xmlError(() => X.parseDomainXML(text));
        expect(e.message).to.match(message);
        expect([e.line, e.column]).to.deep.equal([line, column]);
        expect(e.message).to.contain(`line ${line}, column ${column}`);
      });
    }
    it('a document of another kind', () => {
      expect(xmlError(() => X.parseDomainXML('<network><name>n</name></network>')).message).to.match(/root is <network>, expected <domain>/);
      expect(xmlError(() => X.parseLibvirtXML('<nonsense/>')).message).to.match(/unknown root element <nonsense>/);
    });
  });

  it('any truncation or corruption of a document is parsed or refused with an XmlError, never anything else', () => {
    const text = X.formatDomainXML({
      type: 'kvm',
      name: 'a&b',
      metadata: { xml: '<app:x xmlns:app="urn:a">t</app:x>' },
      devices: { disk: [{ type: 'file', device: 'disk', source: { file: '/x' }, target: { dev: 'vda' } }] },
    });
    for (let i = 0; i < text.length; i++) {
      try {
        X.parseLibvirtXML(text.slice(0, i));
      } catch (e) {
        expect(e, `truncated at ${i}`).to.be.instanceOf(X.XmlError);
      }
    }
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.constantFrom('<', '>', '&', '"', "'", '/', '=', ' ', '!', '?', ']', 'x', ':'), (at, ch) => {
        const broken = text.slice(0, at) + ch + text.slice(at + 1);
        try {
          const doc = X.parseLibvirtXML(broken);
          X.formatLibvirtXML(doc);
        } catch (e) {
          if (!(e instanceof X.XmlError)) throw e;
        }
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it('reads entities, character references, CDATA, comments, a prolog and a DOCTYPE', () => {
    const el = parseXmlTree("<?xml version='1.0'?>\n<!DOCTYPE domain>\n<!-- c -->\n<a x='&lt;&amp;&#65;&#x42;'>t<![CDATA[<raw>]]><!-- in -->u</a>\n<!-- after -->");
    expect(el.attributes).to.deep.equal(['x', '<&AB']);
    expect(el.text).to.equal('t<raw>u');
  });

  it('escapes what must be escaped and reads it back', () => {
    const text = X.formatDomainXML({ type: 'kvm', name: 'a<b & "c"\n', description: "it's <fine> & ok" });
    const d = X.parseDomainXML(text);
    expect(d.name).to.equal('a<b & "c"\n');
    expect(d.description).to.equal("it's <fine> & ok");
  });

  it('formats an object written by hand', () => {
    const xml = X.formatDomainXML({
      type: 'kvm',
      name: 'web1',
      memory: { value: 1048576, unit: 'KiB' },
      vcpu: { value: 2 },
      os: { type: { arch: 'x86_64', value: 'hvm' }, boot: [{ dev: 'hd' }] },
      devices: {
        disk: [{ type: 'file', device: 'disk', driver: { name: 'qemu', type: 'qcow2' }, source: { file: '/var/lib/libvirt/images/web1.qcow2' }, target: { dev: 'vda', bus: 'virtio' } }],
        interface: [{ type: 'network', source: { network: 'default' }, model: { type: 'virtio' } }],
      },
    });
    expect(xml).to.equal(
      [
        '<domain type="kvm">',
        '  <name>web1</name>',
        '  <os>',
        '    <type arch="x86_64">hvm</type>',
        '    <boot dev="hd"/>',
        '  </os>',
        '  <memory unit="KiB">1048576</memory>',
        '  <vcpu>2</vcpu>',
        '  <devices>',
        '    <disk device="disk" type="file">',
        '      <source file="/var/lib/libvirt/images/web1.qcow2"/>',
        '      <driver name="qemu" type="qcow2"/>',
        '      <target dev="vda" bus="virtio"/>',
        '    </disk>',
        '    <interface type="network">',
        '      <source network="default"/>',
        '      <model type="virtio"/>',
        '    </interface>',
        '  </devices>',
        '</domain>',
        '',
      ].join('\n'),
    );
    expect(X.validateDomain(X.parseDomainXML(xml))).to.deep.equal([]);
  });

  it('attribute-value choices are discriminated unions in the types', () => {
    // @ts-expect-error a ceph secret's usage needs a name
    const bad: X.SecretUsage = { type: 'ceph' };
    const good: X.SecretUsage = { type: 'ceph', name: 'client.admin secret' };
    expect(X.formatSecretXML({ usage: good })).to.contain('<usage type="ceph">\n    <name>client.admin secret</name>');
    const nic = X.parseDomainXML("<domain type='kvm'><name>n</name><devices><interface type='bridge'><source bridge='br0'/></interface></devices></domain>").devices?.interface?.[0];
    // Narrowing on the discriminant gives the branch's fields.
    if (nic?.type !== 'bridge') throw new Error('expected a bridge interface');
    expect(nic.source?.bridge).to.equal('br0');
    expect(X.validateSecret({ usage: bad })).to.deep.include({ path: 'usage.name', message: 'required when type=ceph: <name>' });
  });

  it('64-bit values are bigints when read and numbers or bigints when written', () => {
    const big = 2n ** 63n + 5n;
    const xml = X.formatStorageVolumeXML({ name: 'v', capacity: { value: big }, allocation: { value: 1024, unit: 'KiB' }, target: { format: { type: 'raw' } } });
    expect(xml).to.contain(`<capacity>${big}</capacity>`).and.contain('<allocation unit="KiB">1024</allocation>');
    const v = X.parseStorageVolumeXML(xml);
    expect(v.capacity?.value).to.equal(big);
    expect(v.allocation?.value).to.equal(1024n);
  });

  it('keeps what the schema does not know (a newer daemon) and formats it back', () => {
    const text =
      "<domain type='kvm' future='1'><name>a</name><futureElement x='y'><deep/></futureElement><devices><disk type='file' device='disk' newattr='z'><target dev='vda'/><newchild/></disk></devices><name>second</name></domain>";
    const d = X.parseDomainXML(text);
    expect(d.$extra?.attributes).to.deep.equal({ future: '1' });
    expect(d.$extra?.elements).to.deep.equal(["<futureElement x='y'><deep/></futureElement>", '<name>second</name>']);
    expect(d.$extra?.after).to.deep.equal([['name', 0], ['devices', 0]]);
    expect(d.devices?.disk?.[0]?.$extra).to.deep.equal({ attributes: { newattr: 'z' }, elements: ['<newchild/>'], after: [['target', 0]] });
    const again = X.formatDomainXML(d);
    expect(again).to.contain('future="1"').and.contain("<futureElement x='y'><deep/></futureElement>").and.contain('newattr="z"').and.contain('<newchild/>');
    const issues = X.validateDomain(d);
    expect(issues.map((i) => `${i.path}: ${i.message}`).sort()).to.deep.equal([
      ': attribute future is not in the schema',
      ': element futureElement is not in the schema',
      ': element name is not in the schema',
      'devices.disk[0]: attribute newattr is not in the schema',
      'devices.disk[0]: element newchild is not in the schema',
    ]);
  });

  it('writes unknown elements back where they stood among the known ones', () => {
    // A newer daemon's elements between known ones, first, last, repeated, after a repeated known
    // element and after one written under another prefix: formatting gives the same text back.
    const text = [
      "<domain type=\"kvm\" xmlns:q=\"http://libvirt.org/schemas/domain/qemu/1.0\">",
      '  <first/>',
      '  <name>a</name>',
      '  <future n="1"/>',
      '  <future n="2"/>',
      '  <memory>1024</memory>',
      '  <devices>',
      '    <disk type="file">',
      '      <target dev="vda"/>',
      '    </disk>',
      '    <newdevice/>',
      '    <disk type="file">',
      '      <target dev="vdb"/>',
      '    </disk>',
      '    <newdevice kind="after second disk"/>',
      '    <interface type="user"/>',
      '  </devices>',
      '  <q:commandline>',
      '    <q:arg value="-S"/>',
      '  </q:commandline>',
      '  <afterNamespaced/>',
      '  <last/>',
      '</domain>',
      '',
    ].join('\n');
    const d = X.parseDomainXML(text);
    expect(d.$extra?.after).to.deep.equal([null, ['name', 0], ['name', 0], ['q:commandline', 0], ['q:commandline', 0]]);
    expect(d.devices?.$extra?.after).to.deep.equal([['disk', 0], ['disk', 1]]);
    expect(X.formatDomainXML(d)).to.equal(text);
    // Known children are written in the schema's order; an unknown one stays after its sibling.
    const moved = X.formatDomainXML(X.parseDomainXML("<domain type='kvm'><devices/><x/><name>a</name></domain>"));
    expect(moved).to.equal('<domain type="kvm">\n  <name>a</name>\n  <devices/>\n  <x/>\n</domain>\n');
    // Written by hand without places: after the known children, as before.
    expect(X.formatDomainXML({ type: 'kvm', name: 'b', $extra: { elements: ['<y/>'] }, memory: { value: 1 } })).to.equal(
      '<domain type="kvm">\n  <name>b</name>\n  <memory>1</memory>\n  <y/>\n</domain>\n',
    );
  });

  it('keeps <metadata> as raw XML and declares libvirt extension namespaces', () => {
    const xml = X.formatDomainXML({
      type: 'kvm',
      name: 'm',
      metadata: { xml: '<app:info xmlns:app="urn:app">x</app:info>' },
      'qemu:commandline': { 'qemu:arg': [{ value: '-S' }] },
    });
    expect(xml.slice(0, xml.indexOf('>'))).to.contain('type="kvm"').and.contain('xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"');
    const d = X.parseDomainXML(xml);
    expect(d.metadata?.xml).to.equal('<app:info xmlns:app="urn:app">x</app:info>');
    expect(d['qemu:commandline']?.['qemu:arg']).to.deep.equal([{ value: '-S' }]);
  });

  it('validate reports schema violations with paths', () => {
    const issues = X.validateDomain({
      type: 'kvm-ish',
      memory: { value: -1, unit: 'KiB' },
      devices: { disk: [{ type: 'file', target: { dev: 'vda' } }, { type: 'file', target: {} }], bogus: 1 },
    });
    const text = issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).to.include('name: required: <name>');
    expect(text.some((t) => t.startsWith('type: "kvm-ish" is not'))).to.equal(true);
    expect(text.some((t) => t.startsWith('memory.value: -1 is not'))).to.equal(true);
    expect(text).to.include('devices.disk[1].target.dev: required: attribute dev');
    expect(text).to.include('devices.bogus: not in the schema of <devices>');
    expect(issues.filter((i) => i.path.startsWith('devices.disk[0]'))).to.deep.equal([]);
  });

  it('parseLibvirtXML tells the kind by the root element', () => {
    expect(X.parseLibvirtXML('<pool type="dir"><name>p</name><target><path>/p</path></target></pool>').kind).to.equal('storagepool');
    expect(X.parseLibvirtXML('<volume><name>v</name><capacity>1</capacity></volume>').kind).to.equal('storagevol');
    expect(X.parseLibvirtXML('<device><name>d</name><capability type="system"/></device>').kind).to.equal('nodedev');
    expect(Object.keys(X.KIND_OF_ROOT)).to.have.length(16);
  });

  it('importing libvirt-rpc does not load the xml module (nor does xml load the client)', () => {
    const dist = new URL('../../src/', import.meta.url).pathname;
    const reachable = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        const js = readFileSync(file, 'utf8');
        for (const m of js.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.[^']+)'/g)) visit(resolve(dirname(file), m[1]!));
      };
      visit(join(dist, entry));
      return seen;
    };
    const main = [...reachable('index.js')].map((f) => relative(dist, f));
    expect(main.length).to.be.greaterThan(10);
    expect(main.filter((f) => f.startsWith('xml/'))).to.deep.equal([]);
    const xml = [...reachable('xml/index.js')].map((f) => relative(dist, f));
    expect(xml.filter((f) => !f.startsWith('xml/'))).to.deep.equal([]);
  });
});
