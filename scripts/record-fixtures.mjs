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
