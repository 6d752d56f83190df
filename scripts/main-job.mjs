#!/usr/bin/env node
// The project's main job (`npm start`): against the private libvirtd that scripts/libvirtd-sandbox
// starts, use the library the way an application would, over unix and TCP, on the test driver and
// on a real QEMU/KVM guest, and print what it sees. Exits non-zero if anything fails.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { connect, LibvirtError } = await import(join(root, 'dist/src/index.js'));

const env = process.env;
if (!env.LIBVIRT_SANDBOX_QEMU_UNIX_URI) {
  console.error('main-job: run it through the sandbox: scripts/libvirtd-sandbox run -- node scripts/main-job.mjs (npm start does)');
  process.exit(2);
}

for (const uri of [env.LIBVIRT_SANDBOX_QEMU_UNIX_URI, env.LIBVIRT_SANDBOX_QEMU_TCP_URI, env.LIBVIRT_SANDBOX_TEST_UNIX_URI, env.LIBVIRT_SANDBOX_TEST_TCP_URI]) {
  const conn = await connect(uri);
  const [lib, type, host, node, secure, encrypted] = await Promise.all([
    conn.getLibVersion(),
    conn.getType(),
    conn.getHostname(),
    conn.nodeGetInfo(),
    conn.isSecure(),
    conn.isEncrypted(),
  ]);
  const domains = await conn.listAllDomains(0);
  console.log(`${uri}`);
  console.log(`  libvirt ${lib} driver ${type} on ${host}: ${node.model}, ${node.cpus} cpus, ${node.memory} KiB; secure=${secure} encrypted=${encrypted}`);
  console.log(`  domains: ${domains.map((d) => `${d.name}(id ${d.id})`).join(', ') || 'none'}`);
  try {
    await conn.domainLookupByName('no-such-domain');
  } catch (e) {
    if (!(e instanceof LibvirtError)) throw e;
    console.log(`  lookup of a missing domain: ${e.codeName} / ${e.domainName}: ${e.message}`);
  }
  await conn.close();
}

// A real guest on qemu:///system: define, start, ask QEMU for its status, destroy, undefine.
const conn = await connect(env.LIBVIRT_SANDBOX_QEMU_UNIX_URI);
const name = `main-job-${process.pid}`;
const xml = execFileSync(join(root, 'scripts/libvirtd-sandbox'), ['guest-xml', name], { encoding: 'utf8' });
const events = [];
const cb = await conn.domainEventRegisterAny(null, 0, (ev) => events.push(`${ev.event}/${ev.detail}`));
const dom = await conn.domainDefineXML(xml);
try {
  await dom.create();
  const state = await dom.getState(0);
  const result = await dom.qemuMonitorCommand('{"execute":"query-status"}', 0);
  console.log(`guest ${dom} (${env.LIBVIRT_SANDBOX_VIRT_TYPE}): state ${state.state}, QEMU says ${JSON.parse(result).return.status}`);
  // The command lines on the same daemon, beside libvirt's own: the same bytes out.
  const adminURI = `libvirtd:///system?socket=${env.LIBVIRT_SANDBOX_SOCKET_ADMIN}`;
  for (const [ours, theirs, args] of [
    ['virsh-rpc', 'virsh', ['-c', env.LIBVIRT_SANDBOX_QEMU_UNIX_URI, 'list', '--all']],
    ['virsh-rpc', 'virsh', ['-c', env.LIBVIRT_SANDBOX_QEMU_UNIX_URI, `domstate ${name} --reason; domid ${name}`]],
    ['virt-admin-rpc', 'virt-admin', ['-c', adminURI, 'srv-list']],
  ]) {
    const out = execFileSync(process.execPath, [join(root, 'bin', `${ours}.js`), ...args], { encoding: 'utf8' });
    const want = execFileSync(theirs, args, { encoding: 'utf8' });
    console.log(`$ ${ours} ${args.slice(2).join(' ')}\n${out.trimEnd()}`);
    if (out !== want) throw new Error(`${ours} printed something else than ${theirs}:\n${out}\n---\n${want}`);
  }
  await dom.suspend();
  await dom.resume();
  await dom.destroy();
} finally {
  await dom.undefine();
  await new Promise((r) => setTimeout(r, 200));
  await conn.domainEventDeregisterAny(cb);
  console.log(`lifecycle events seen (event/detail): ${events.join(' ')}`);
  await conn.close();
}
console.log('main-job: ok');
