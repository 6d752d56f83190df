#!/usr/bin/env node
// Records conversations with the sandbox's real libvirtd into fixtures/ (npm run record-fixtures).
// Unit tests decode and replay them with no daemon. Needs `npm run build` and the sandbox
// (scripts/libvirtd-sandbox run -- node scripts/record-fixtures.mjs).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { connect } = await import(join(root, 'dist/src/index.js'));

const uri = process.env.LIBVIRT_SANDBOX_TEST_UNIX_URI;
if (!uri) {
  console.error('record-fixtures: run it inside the sandbox: scripts/libvirtd-sandbox run -- node scripts/record-fixtures.mjs');
  process.exit(2);
}
const daemon = execFileSync('libvirtd', ['--version'], { encoding: 'utf8' }).trim();
mkdirSync(join(root, 'fixtures'), { recursive: true });

// The calls of issue 2's "real bytes" list, on the test driver (its state is fixed at start-up).
const path = join(root, 'fixtures/test-driver-basics.json');
const conn = await connect(uri, { recordTo: path });
conn.transport.conversation.meta.daemon = daemon;
conn.transport.conversation.meta.calls =
  'connectGetLibVersion, connectGetCapabilities, connectListAllDomains, domainLookupByName(test), domainGetInfo, domainGetXMLDesc, domainLookupByName(no-such-domain) -> error';
await conn.call('REMOTE_PROC_CONNECT_GET_LIB_VERSION');
await conn.call('REMOTE_PROC_CONNECT_GET_CAPABILITIES');
await conn.call('REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: 0 });
const { dom } = await conn.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'test' });
await conn.call('REMOTE_PROC_DOMAIN_GET_INFO', { dom });
await conn.call('REMOTE_PROC_DOMAIN_GET_XML_DESC', { dom, flags: 0 });
await conn.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'no-such-domain' }).catch(() => undefined);
await conn.close();
console.log(`record-fixtures: wrote ${path} (${conn.transport.conversation.packets.length} packets)`);

// A wider corpus for the mutation fuzzer (test/support/fuzz.ts): typed parameters, lists of every
// kind of object, domain stats, lifecycle event messages and error replies, on the test driver.
// Calls the driver refuses are kept: their error replies are part of the corpus.
const corpusPath = join(root, 'fixtures/test-driver-corpus.json');
const c2 = await connect(uri, { recordTo: corpusPath });
c2.transport.conversation.meta.daemon = daemon;
c2.transport.conversation.meta.calls =
  'typed parameters (scheduler, memory, node CPU and memory stats), connectGetAllDomainStats, domainGetVcpus, list of networks/pools/interfaces/node devices/secrets, nodeGetInfo, lifecycle events of a suspend and resume, refused calls';
const tolerate = (p) => p.catch((e) => e);
const test = (await c2.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME', { name: 'test' })).dom;
for (const [proc, args] of [
  ['REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS', { dom: test, flags: 0 }],
  ['REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS', { dom: test, flags: 0 }],
  ['REMOTE_PROC_NODE_GET_CPU_STATS', { cpuNum: -1, flags: 0 }],
  ['REMOTE_PROC_NODE_GET_MEMORY_STATS', { cellNum: -1, flags: 0 }],
]) {
  // Call-by-reference counts, as libvirt's client does: first the count, then the values.
  const first = await tolerate(c2.call(proc, { ...args, nparams: 0 }));
  if (first && typeof first.nparams === 'number') await tolerate(c2.call(proc, { ...args, nparams: first.nparams }));
}
await tolerate(c2.call('REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS', { doms: [], stats: 0, flags: 0 }));
await tolerate(c2.call('REMOTE_PROC_DOMAIN_GET_VCPUS', { dom: test, maxinfo: 2, maplen: 1 }));
await tolerate(c2.call('REMOTE_PROC_NODE_GET_INFO'));
for (const proc of ['NETWORKS', 'STORAGE_POOLS', 'INTERFACES', 'NODE_DEVICES', 'SECRETS']) {
  await tolerate(c2.call(`REMOTE_PROC_CONNECT_LIST_ALL_${proc}`, { need_results: 1, flags: 0 }));
}
await c2.call('REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', { eventID: 0, dom: null });
await c2.call('REMOTE_PROC_DOMAIN_SUSPEND', { dom: test });
await c2.call('REMOTE_PROC_DOMAIN_RESUME', { dom: test });
await new Promise((r) => setTimeout(r, 300));
await tolerate(c2.call('REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID', { uuid: new Uint8Array(16) }));
await c2.close();
console.log(`record-fixtures: wrote ${corpusPath} (${c2.transport.conversation.packets.length} packets)`);
