import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InstalledPackage, nodeIn, packAndInstall } from '../support/package.js';

const root = new URL('../../..', import.meta.url).pathname;
const FIXTURE = join(root, 'fixtures/test-driver-basics.json');

// What a user of the published package gets: packed, installed into an empty folder with scripts
// disabled, then used with `import` and with `require`.
describe('the packed package, installed into an empty folder', function () {
  this.timeout(300_000);
  let pkg: InstalledPackage;

  before(() => {
    pkg = packAndInstall();
  });

  it('ships dist/src, a LICENSE and a README, and no source maps or sources it does not carry', () => {
    const paths = pkg.files.map((f) => f.path);
    expect(paths).to.include.members(['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts']);
    expect(paths.filter((p) => p.endsWith('.map')), 'source maps').to.deep.equal([]);
    expect(paths.filter((p) => !p.startsWith('dist/src/') && !['LICENSE', 'README.md', 'package.json', 'bin/virsh-rpc.js', 'bin/virt-admin-rpc.js'].includes(p))).to.deep.equal([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).to.deep.equal([]);
    const js = readFileSync(join(pkg.dir, 'node_modules/libvirt-rpc/dist/src/index.js'), 'utf8');
    expect(js).not.to.include('sourceMappingURL');
    expect(readFileSync(join(pkg.dir, 'node_modules/libvirt-rpc/LICENSE'), 'utf8')).to.include('GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 2.1');
  });

  it('installs the virsh-rpc and virt-admin-rpc commands, which run without a daemon for help and versions', () => {
    const bin = (name: string, args: string[]) => execFileSync(join(pkg.dir, 'node_modules/.bin', name), args, { encoding: 'utf8', env: { ...process.env, LIBVIRT_DEFAULT_URI: '' } });
    expect(bin('virsh-rpc', ['-v'])).to.equal('9.0.0\n');
    expect(bin('virsh-rpc', ['help', 'list'])).to.match(/^ {2}NAME\n {4}list - list domains\n/);
    expect(bin('virt-admin-rpc', ['help', 'srv-list'])).to.match(/server-list - list available servers on a daemon/);
  });

  it('the README links to nothing the package does not contain', () => {
    const readme = readFileSync(join(pkg.dir, 'node_modules/libvirt-rpc/README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(https?:|#|mailto:)/.test(l));
    const shipped = new Set(pkg.files.map((f) => f.path));
    expect(links.filter((l) => !shipped.has(l.replace(/^\.\//, '').replace(/#.*$/, '')))).to.deep.equal([]);
    expect(readme).not.to.match(/DESIGN\.md/);
  });

  it('works with import, without loading ssh2 or node:tls until a URI asks for them', () => {
    const script = `
      import { createRequire } from 'node:module';
      const m = await import('libvirt-rpc');
      const require = createRequire(import.meta.url);
      const loaded = () => ({
        ssh2: Object.keys(require.cache).some((p) => p.includes('/node_modules/ssh2/')),
        tls: process.moduleLoadList.includes('NativeModule tls'),
      });
      const atImport = loaded();
      const conn = await m.connect('test:///default', { transport: m.ReplayTransport.fromFile(${JSON.stringify(FIXTURE)}) });
      const version = String(await conn.getLibVersion());
      // An SSH URI loads ssh2 (the positive control: nothing listens on port 1, so it fails).
      const ssh = await m.connect('qemu+ssh://root@127.0.0.1:1/system?no_tty=1&no_verify=1', { timeout: 5000 }).then(() => 'connected', (e) => e instanceof m.LibvirtError ? 'LibvirtError' : String(e));
      console.log(JSON.stringify({ connect: typeof m.connect, constant: m.VIR_ERR_NO_DOMAIN, atImport, version, ssh, ssh2AfterSsh: loaded().ssh2 }));
      process.exit(0);
    `;
    const out = JSON.parse(nodeIn(pkg.dir, ['--input-type=module', '-e', script]));
    expect(out).to.deep.equal({
      connect: 'function',
      constant: 42,
      atImport: { ssh2: false, tls: false },
      version: '9000000',
      ssh: 'LibvirtError',
      ssh2AfterSsh: true,
    });
  });

  it('works with require() from CommonJS (require of ESM, Node >= 20.19)', () => {
    const script = `
      const m = require('libvirt-rpc');
      m.connect('test:///default', { transport: m.ReplayTransport.fromFile(${JSON.stringify(FIXTURE)}) })
        .then((conn) => conn.getLibVersion())
        .then((v) => { console.log(JSON.stringify({ connect: typeof m.connect, error: typeof m.LibvirtError, version: String(v) })); process.exit(0); });
    `;
    const out = JSON.parse(nodeIn(pkg.dir, ['-e', script]));
    expect(out).to.deep.equal({ connect: 'function', error: 'function', version: '9000000' });
  });

  it('the engines field names the Node versions where require() of the package works', () => {
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'node_modules/libvirt-rpc/package.json'), 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).to.equal('^20.19.0 || >=22.12.0');
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect((major === 20 && minor >= 19) || major > 22 || (major === 22 && minor >= 12), `this Node ${process.versions.node}`).to.equal(true);
  });

  it('libvirt-rpc/xml works with import and require (that libvirt-rpc does not load it: xml-reader.test)', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const x = await import('libvirt-rpc/xml');
      const xml = x.formatDomainXML({ type: 'kvm', name: 'web1', memory: { value: 1048576, unit: 'KiB' } });
      const cjs = require('libvirt-rpc/xml');
      const d = cjs.parseDomainXML(xml);
      console.log(JSON.stringify({ name: d.name, memory: String(d.memory.value), kind: x.parseLibvirtXML(xml).kind }));
      process.exit(0);
    `;
    const out = JSON.parse(nodeIn(pkg.dir, ['--input-type=module', '-e', script]));
    expect(out).to.deep.equal({ name: 'web1', memory: '1048576', kind: 'domain' });
    expect(pkg.files.map((f) => f.path)).to.include.members(['dist/src/xml/index.js', 'dist/src/xml/index.d.ts', 'dist/src/xml/generated/types.d.ts']);
  });

  it('libvirt-rpc/xml/tree: the generic reader alone, with import and require, its XmlError the one libvirt-rpc/xml throws', () => {
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const t = await import('libvirt-rpc/xml/tree');
      const root = t.parseXmlTree("<domain type='kvm'><name>web1</name></domain>");
      const cjs = require('libvirt-rpc/xml/tree');
      let bad = null;
      try { cjs.parseXmlTree('<domain><nam></domain>'); } catch (e) { bad = { same: e instanceof t.XmlError, line: e.line, column: e.column }; }
      const x = await import('libvirt-rpc/xml');
      console.log(JSON.stringify({ root: root.name, attributes: root.attributes, child: root.children[0].text, bad, sameClass: x.XmlError === t.XmlError }));
      process.exit(0);
    `;
    const out = JSON.parse(nodeIn(pkg.dir, ['--input-type=module', '-e', script]));
    expect(out).to.deep.equal({ root: 'domain', attributes: ['type', 'kvm'], child: 'web1', bad: { same: true, line: 1, column: 14 }, sameClass: true });
    expect(pkg.files.map((f) => f.path)).to.include.members(['dist/src/xml/tree.js', 'dist/src/xml/tree.d.ts']);
  });
});
