#!/usr/bin/env node
// npm run coverage:api: every remote procedure, whether a method reaches it, and whether the
// integration tests exercised it against a real libvirtd (recorded by the last integration run in
// .coverage/exercised-procedures.json). `--markdown FILE` also writes the table to FILE.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = (p) => import(join(root, 'dist/src', p));
const { remote_procedures } = await dist('protocol/generated/remote.js');
const { qemu_procedures } = await dist('protocol/generated/qemu.js');
const { lxc_procedures } = await dist('protocol/generated/lxc.js');
const { methodMap } = await dist('api/generated/method-map.js');
const api = await dist('index.js');

const exercisedFile = join(root, '.coverage/exercised-procedures.json');
const exercised = existsSync(exercisedFile) ? JSON.parse(readFileSync(exercisedFile, 'utf8')) : null;

// Procedures reached by the library itself rather than by a method of their own.
const INTERNAL = {
  REMOTE_PROC_CONNECT_OPEN: 'connect()',
  REMOTE_PROC_CONNECT_CLOSE: 'Connection.close()',
  REMOTE_PROC_AUTH_LIST: 'connect(): authentication',
  REMOTE_PROC_AUTH_POLKIT: 'connect(): polkit authentication',
  REMOTE_PROC_AUTH_SASL_INIT: 'connect(): SASL authentication',
  REMOTE_PROC_AUTH_SASL_START: 'connect(): SASL authentication',
  REMOTE_PROC_AUTH_SASL_STEP: 'connect(): SASL authentication',
  REMOTE_PROC_CONNECT_IS_SECURE: 'Connection.isSecure() / isEncrypted()',
  REMOTE_PROC_NODE_GET_INFO: 'Connection.nodeGetInfo()',
  REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS: 'Domain.getSchedulerParameters()',
  REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS: 'Domain.getSchedulerParametersFlags()',
  REMOTE_PROC_DOMAIN_GET_CPU_STATS: 'Domain.getCPUStats()',
  REMOTE_PROC_CONNECT_SUPPORTS_FEATURE: 'connect() and Domain.migrate3() (driver feature checks)',
  REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS: 'Domain.migrate3() / migrate() / migrate2()',
  REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS: 'Domain.migrate3() / migrate() / migrate2() (on the destination)',
  REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS: 'Domain.migrate3() / migrateToURI3() / migrateToURI() / migrateToURI2()',
  REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS: 'Domain.migrate3() / migrate() / migrate2() (on the destination)',
  REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS: 'Domain.migrate3() / migrate() / migrate2()',
};

// Server-sent event messages reach the callbacks of these registrations.
const EVENTS = [
  [/^REMOTE_PROC_DOMAIN_EVENT_/, 'Connection.domainEventRegisterAny() / domainEventRegister() callbacks, domainEvents()'],
  [/^REMOTE_PROC_NETWORK_EVENT_/, 'Connection.networkEventRegisterAny() callbacks'],
  [/^REMOTE_PROC_STORAGE_POOL_EVENT_/, 'Connection.storagePoolEventRegisterAny() callbacks'],
  [/^REMOTE_PROC_NODE_DEVICE_EVENT_/, 'Connection.nodeDeviceEventRegisterAny() callbacks'],
  [/^REMOTE_PROC_SECRET_EVENT_/, 'Connection.secretEventRegisterAny() callbacks'],
  [/^REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED$/, 'Connection.registerCloseCallback() / on(\'close\')'],
  [/^QEMU_PROC_DOMAIN_MONITOR_EVENT$/, 'Connection.domainQemuMonitorEventRegister() callbacks'],
  [/^REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_(REGISTER|DEREGISTER)_ANY$/, 'Connection.domainEventRegisterAny() / domainEventDeregisterAny()'],
];

// Why a procedure has no method of its own, when it has none.
const WHY = [
  [/^REMOTE_PROC_DOMAIN_MIGRATE_(PREPARE|PERFORM|FINISH)$|^REMOTE_PROC_DOMAIN_MIGRATE_(PREPARE2|FINISH2)$|^REMOTE_PROC_DOMAIN_MIGRATE_(BEGIN3|PREPARE3|PERFORM3|FINISH3|CONFIRM3)$/, 'migration protocol v1-v3 without parameters: libvirt clients use it only with daemons older than 1.1.0; migrate3() speaks v3 with parameters'],
  [/^REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL/, 'tunnelled migration: spoken between daemons (peer-to-peer), never by a client'],
  [/WITH_FILES$|_FD$|FD_ASSOCIATE$/, 'passes file descriptors (SCM_RIGHTS), which a pure-JavaScript client cannot send or receive'],
  [/EVENT.*REGISTER|REGISTER_CLOSE_CALLBACK/, 'event registration: issue 5'],
];

const rows = [];
for (const [program, table] of [['remote', remote_procedures], ['qemu', qemu_procedures], ['lxc', lxc_procedures]]) {
  for (const p of Object.values(table)) {
    const methods = methodMap
      .filter((m) => m.procedure === p.name && typeof api[m.cls]?.prototype?.[m.method] === 'function')
      .map((m) => `${m.cls}.${m.method}()`);
    const reason = WHY.find(([re]) => re.test(p.name))?.[1] ?? methodMap.find((m) => m.procedure === p.name && m.note)?.note ?? '';
    const event = EVENTS.find(([re]) => re.test(p.name));
    const via = methods.length ? methods.join(', ') : INTERNAL[p.name] ?? (event && typeof api.Connection.prototype.domainEventRegisterAny === 'function' ? event[1] : '');
    const kind = p.message ? 'event message' : '';
    rows.push({ program, proc: p.proc, name: p.name, via, kind, reason, exercised: exercised ? !!exercised[p.name] : null });
  }
}

const withMethod = rows.filter((r) => r.via);
const exercisedRows = rows.filter((r) => r.exercised);
const lines = [];
lines.push(`| program | # | procedure | method | exercised against libvirtd | note |`);
lines.push('|---|---:|---|---|---|---|');
for (const r of rows) lines.push(`| ${r.program} | ${r.proc} | ${r.name} | ${r.via || '—'} | ${r.exercised === null ? '?' : r.exercised ? 'yes' : 'no'} | ${r.kind || (!r.via ? r.reason : '')} |`);
const summary = [
  `procedures: ${rows.length}`,
  `reachable through a method: ${withMethod.length}`,
  `without a method: ${rows.length - withMethod.length} (${rows.filter((r) => !r.via && r.kind).length} are server-sent event messages)`,
  exercised ? `exercised against a real libvirtd by the integration tests: ${exercisedRows.length}` : 'exercised: unknown (run the integration tests first: npm test)',
  `C functions with a method: ${methodMap.filter((m) => typeof api[m.cls]?.prototype?.[m.method] === 'function').length} of ${methodMap.length}`,
];
// Methods that depart from the API contract (README "The API contract"), and why. The rest follow
// it: test/unit/api-contract.test.ts checks the generated methods and the hand-written async ones.
const DEPARTURES = [
  ['Domain.migrate(), migrate2(), migrate3(), migrateToURI(), migrateToURI2(), migrateToURI3()', 'an abort or timeout does not reject at once: it asks the source to cancel its job (virDomainAbortJob) and rejects once the sequence has cancelled on both daemons'],
  ['Connection.close(), setKeepAlive(), registerCloseCallback(), unregisterCloseCallback()', 'no per-call options: close() has its own 5 s bound for CONNECT_CLOSE; the others change local state first'],
  ['Connection.*EventRegisterAny(), *EventDeregisterAny(), domainEventRegister(), domainQemuMonitorEventRegister()', 'no per-call options: the arguments follow the C functions (callback, opaque, freecb); event streams (domainEvents() ...) take a signal'],
  ['getAllDomainStats(), domainListGetStats(), getGuestInfo(), getSchedulerParameters(), getSchedulerParametersFlags(), getCPUStats()', 'typed-parameter results stay TypedParams (a record of number | bigint | string | boolean): their fields are patterned (vcpu.<n>.time) or their macros document no type; the other getters are typed per documented field (TypedParamsOf)'],
  ['Domain.openGraphics(), lxcOpenNamespace()', 'refused with VIR_ERR_NO_SUPPORT: they pass file descriptors'],
];

const i = process.argv.indexOf('--markdown');
if (i > 0) writeFileSync(process.argv[i + 1], `# API coverage\n\n${summary.map((s) => `- ${s}`).join('\n')}\n\n## Departures from the API contract\n\n${DEPARTURES.map(([w, y]) => `- ${w}: ${y}`).join('\n')}\n\n${lines.join('\n')}\n`);
if (process.argv.includes('--table')) console.log(lines.join('\n'));
else for (const r of rows.filter((r) => !r.via)) console.log(`no method: ${r.name}${r.kind ? ` (${r.kind})` : r.reason ? ` (${r.reason})` : ''}`);
console.log(summary.join('\n'));
console.log('departures from the API contract:');
for (const [what, why] of DEPARTURES) console.log(`  ${what}: ${why}`);
