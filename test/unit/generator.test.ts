import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote_procedures } from '../../src/protocol/generated/remote.js';
import * as constants from '../../src/apixml/generated/constants.js';
import { functionDocs } from '../../src/apixml/generated/functions.js';
import * as external from '../../src/protocol/generated/external.js';

const root = new URL('../../..', import.meta.url).pathname;
const generator = join(root, 'dist-scripts/generate/main.js');
const shared = spawnSync(process.execPath, [generator, '--print-input-dir'], { encoding: 'utf8' }).stdout.trim();
const FILES = ['virnetprotocol.x', 'virkeepaliveprotocol.x', 'remote_protocol.x', 'qemu_protocol.x', 'lxc_protocol.x', 'admin_protocol.x', 'libvirt-api.xml', 'libvirt-qemu-api.xml', 'libvirt-lxc-api.xml', 'libvirt-admin-api.xml'];

function sourceTree(edit?: (name: string, text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'libvirt-src-'));
  for (const f of FILES) {
    if (edit && f.endsWith('.x')) writeFileSync(join(dir, f), edit(f, readFileSync(join(shared, f), 'utf8')));
    else copyFileSync(join(shared, f), join(dir, f));
  }
  return dir;
}

function runGenerator(dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [generator, '--check'], { env: { ...process.env, LIBVIRT_SOURCE: dir }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('generator', function () {
  this.timeout(60000);

  it('has all 453 remote procedures of libvirt 11.3.0 with their annotations', () => {
    const procs = Object.values(remote_procedures);
    expect(procs).to.have.length(453);
    expect(new Set(procs.map((p) => p.proc)).size).to.equal(453);
    const upload = remote_procedures.REMOTE_PROC_STORAGE_VOL_UPLOAD;
    expect(upload.writeStream).to.equal(1);
    expect(upload.sparseFlag).to.equal('VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM');
    expect(remote_procedures.REMOTE_PROC_STORAGE_VOL_DOWNLOAD.readStream).to.equal(1);
    expect(remote_procedures.REMOTE_PROC_CONNECT_OPEN.priority).to.equal('high');
    expect(remote_procedures.REMOTE_PROC_CONNECT_OPEN.readStream).to.equal(null);
    expect(remote_procedures.REMOTE_PROC_CONNECT_OPEN.writeStream).to.equal(null);
    expect(remote_procedures.REMOTE_PROC_CONNECT_OPEN.generate).to.equal('none');
    expect(remote_procedures.REMOTE_PROC_DOMAIN_GET_INFO.args?.name).to.equal('remote_domain_get_info_args');
    expect(remote_procedures.REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE.message?.name).to.equal('remote_domain_event_lifecycle_msg');
  });

  it('resolves the C header constants the .x files use from the API XML', () => {
    expect(external.VIR_UUID_BUFLEN).to.equal(16);
    expect(external.VIR_SECURITY_LABEL_BUFLEN).to.equal(4097);
    expect(external.VIR_TYPED_PARAM_STRING).to.equal(7);
  });

  it('emits every API enum constant and function documentation', () => {
    expect(constants.VIR_CONNECT_LIST_DOMAINS_ACTIVE).to.equal(1);
    expect(constants.VIR_ERR_NO_DOMAIN).to.equal(42);
    expect(constants.virErrorNumber.VIR_ERR_NO_DOMAIN).to.equal(42);
    expect(constants.VIR_FROM_QEMU).to.equal(10);
    expect(constants.VIR_DOMAIN_EVENT_ID_LIFECYCLE).to.equal(0);
    expect(constants.VIR_DOMAIN_SCHEDULER_CPU_SHARES).to.equal('cpu_shares');
    // Values given as the name of another constant, even of another API file, are resolved.
    expect(constants.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE).to.equal(constants.VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    expect(constants.VIR_DOMAIN_VCPU_CONFIG).to.equal(constants.VIR_DOMAIN_AFFECT_CONFIG);
    expect(constants.VIR_DOMAIN_QEMU_AGENT_COMMAND_BLOCK).to.equal(constants.VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK);
    const numbers = Object.values(constants).filter((v) => typeof v === 'number');
    expect(numbers.filter((v) => Number.isNaN(v))).to.deep.equal([]);
    expect(functionDocs.virDomainGetInfo!.info).to.match(/Extract information about a domain/);
    expect(functionDocs.virDomainGetInfo!.args.map((a) => a.name)).to.deep.equal(['domain', 'info']);
    expect(functionDocs.virDomainQemuMonitorCommand?.module).to.equal('libvirt-qemu');
  });

  it('reproduces the committed output from a copy of the inputs (LIBVIRT_SOURCE)', () => {
    const dir = sourceTree();
    try {
      const r = runGenerator(dir);
      expect(r.stderr).to.match(/up to date/);
      expect(r.status).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a syntax error with file, line and column', () => {
    const dir = sourceTree((name, text) => (name === 'remote_protocol.x' ? text.replace('struct remote_nonnull_domain {\n    remote_nonnull_string name;', 'struct remote_nonnull_domain {\n    remote_nonnull_string name\n') : text));
    try {
      const r = runGenerator(dir);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/remote_protocol\.x:\d+:\d+: expected ';', found 'remote_uuid'/);
      const line = Number(/remote_protocol\.x:(\d+):/.exec(r.stderr)![1]);
      const text = readFileSync(join(dir, 'remote_protocol.x'), 'utf8').split('\n');
      expect(text[line - 1]).to.match(/remote_uuid uuid;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unknown constant with its position', () => {
    const dir = sourceTree((name, text) => (name === 'remote_protocol.x' ? text.replace('opaque cpumap<REMOTE_CPUMAP_MAX>;', 'opaque cpumap<REMOTE_NO_SUCH_MAX>;') : text));
    try {
      const r = runGenerator(dir);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/remote_protocol\.x:\d+:\d+: unknown constant 'REMOTE_NO_SUCH_MAX'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
