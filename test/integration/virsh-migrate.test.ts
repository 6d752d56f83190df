// virsh-rpc's migrate against libvirt's virsh: real migrations of a small diskless QEMU guest
// between the shared sandbox daemon and a second one this file starts (its own state directory,
// TCP port and host UUID: libvirt refuses a destination with the source's UUID), over loopback.
// Each case runs virsh, then virsh-rpc, on the same fresh guest and compares stdout, stderr and
// the exit status byte for byte, and where the guest ended up on both daemons. The option errors
// run on the test driver.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Connection } from '../../src/api/connection.js';
import { connect } from '../../src/api/open.js';
import { VIR_DOMAIN_XML_MIGRATABLE } from '../../src/apixml/generated/constants.js';
import { guestXml, parseEnv, SANDBOX, sandboxEnv } from '../support/sandbox.js';
import { onTerminal } from '../support/terminal.js';
import { bothVirsh, freshTestURI, runVirsh, runVirshRpc, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

const DST_DIR = '/tmp/libvirt-rpc-sandbox-dst';
const DST_PORT = '16569';
const DST_HOST_UUID = '8b2f6a54-0d1e-4c57-9a3b-5e7d2c1f0a99';
const NAME = `lvrpc-vmig-${process.pid}`;
const RENAMED = `${NAME}-new`;
const MIGRATE_URI = 'tcp://127.0.0.1';
const STATES = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shut off', 'crashed', 'pmsuspended'];

/**
 * --verbose's intermediate "Migration: [ NN %]" updates vary between runs (and a poll may already
 * see nothing remaining, printing [100 %] before the final one): keep one [100 %].
 */
const maskProgress = (s: string): string => s.replace(/\rMigration: \[ {1,2}\d{1,2} %\]/g, '').replace(/(\rMigration: \[100 %\])+/g, '$1');

describe('virsh-rpc vs virsh: migrate', function () {
  this.timeout(180_000);
  let dir: string;
  let dstEnv: NodeJS.ProcessEnv;
  let srcURI: string;
  let dstURI: string;
  let src: Connection;
  let dst: Connection;

  before(async function () {
    this.timeout(300_000);
    dir = mkdtempSync(join(tmpdir(), 'virsh-migrate-'));
    const extra = join(dir, 'libvirtd-extra.conf');
    writeFileSync(extra, `host_uuid = "${DST_HOST_UUID}"\n`);
    dstEnv = { ...process.env, LIBVIRT_SANDBOX_DIR: DST_DIR, LIBVIRT_SANDBOX_TCP_PORT: DST_PORT, LIBVIRT_SANDBOX_EXTRA_CONF: extra };
    const env = parseEnv(execFileSync(SANDBOX, ['start'], { env: dstEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 280_000 }));
    srcURI = sandboxEnv('QEMU_UNIX_URI');
    dstURI = env.LIBVIRT_SANDBOX_QEMU_TCP_URI!;
    src = await connect(srcURI);
    dst = await connect(dstURI);
  });

  after(async function () {
    this.timeout(120_000);
    if (src) await removeGuests(src);
    await src?.close();
    await dst?.close();
    if (dstEnv) execFileSync(SANDBOX, ['clean'], { env: dstEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 110_000 });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function removeGuests(conn: Connection): Promise<void> {
    for (const name of [NAME, RENAMED]) {
      const dom = await conn.domainLookupByName(name).catch(() => null);
      if (!dom) continue;
      await dom.destroy().catch(() => undefined);
      await dom.undefine().catch(() => undefined);
    }
  }

  /** Where `name` is on a daemon: its state and whether it is persistent, or "absent". */
  async function whereIs(conn: Connection, name: string): Promise<string> {
    const dom = await conn.domainLookupByName(name).catch(() => null);
    if (!dom) return 'absent';
    const { state } = await dom.getInfo();
    return `${STATES[state]} ${(await dom.isPersistent()) ? 'persistent' : 'transient'}`;
  }

  /** The 64 MiB guest, started on the source (defined first when `persistent`), or only defined. */
  async function makeGuest(how: 'transient' | 'persistent' | 'defined'): Promise<void> {
    await removeGuests(src);
    await removeGuests(dst);
    const xml = guestXml(NAME).replace(/>128</g, '>64<');
    if (how === 'transient') await src.domainCreateXML(xml, 0);
    else {
      const dom = await src.domainDefineXML(xml);
      if (how === 'persistent') await dom.create();
    }
  }

  interface Outcome {
    result: RunResult;
    where: Record<string, string>;
  }

  /** Runs `migrate` with each program on a fresh guest; the results and where the guests are must agree. */
  async function compare(how: 'transient' | 'persistent' | 'defined', args: string[], opts: { prepare?: () => Promise<void>; inspect?: () => Promise<Record<string, string>> } = {}): Promise<Outcome> {
    const outcomes: Outcome[] = [];
    for (const run of [runVirsh, runVirshRpc]) {
      await makeGuest(how);
      await opts.prepare?.();
      const r = run(['-c', srcURI, 'migrate', NAME, ...args], { timeout: 90_000 });
      const where: Record<string, string> = {};
      for (const [side, conn] of [['source', src], ['destination', dst]] as const) {
        for (const name of [NAME, RENAMED]) where[`${side} ${name === NAME ? 'guest' : 'renamed'}`] = await whereIs(conn, name);
      }
      Object.assign(where, await opts.inspect?.());
      outcomes.push({ result: { stdout: maskProgress(r.stdout), stderr: maskProgress(r.stderr), status: r.status }, where });
    }
    await removeGuests(src);
    await removeGuests(dst);
    expect(outcomes[1]).to.deep.equal(outcomes[0]);
    return outcomes[0]!;
  }

  it('--live: the client drives the migration; the guest runs on the destination only', async () => {
    const o = await compare('transient', [dstURI, '--live', '--migrateuri', MIGRATE_URI]);
    expect(o.result.status).to.equal(0);
    expect(o.where['source guest']).to.equal('absent');
    expect(o.where['destination guest']).to.equal('running transient');
  });

  it('--live --p2p --verbose: the source daemon migrates; the progress line ends at [100 %]', async () => {
    const o = await compare('transient', [dstURI, '--live', '--p2p', '--verbose', '--migrateuri', MIGRATE_URI]);
    expect(o.result.status).to.equal(0);
    expect(o.result.stderr).to.include('\rMigration: [100 %]');
    expect(o.where['destination guest']).to.equal('running transient');
  });

  it('--persistent --undefinesource: the definition moves with the guest', async () => {
    const o = await compare('persistent', [dstURI, '--live', '--persistent', '--undefinesource', '--migrateuri', MIGRATE_URI]);
    expect(o.result.status).to.equal(0);
    expect(o.where['source guest']).to.equal('absent');
    expect(o.where['destination guest']).to.equal('running persistent');
  });

  it('--offline --persistent of a defined guest: only the definition is copied', async () => {
    const o = await compare('defined', [dstURI, '--offline', '--persistent']);
    expect(o.result.status).to.equal(0);
    expect(o.where['source guest']).to.equal('shut off persistent');
    expect(o.where['destination guest']).to.equal('shut off persistent');
  });

  it('--dname --suspend: renamed on the destination and left paused there', async () => {
    const o = await compare('transient', [dstURI, '--live', '--dname', RENAMED, '--suspend', '--migrateuri', MIGRATE_URI]);
    expect(o.result.status).to.equal(0);
    expect(o.where['destination renamed']).to.equal('paused transient');
    expect(o.where['destination guest']).to.equal('absent');
  });

  it('--xml: the destination runs the XML given (a new description)', async () => {
    const file = join(dir, 'dest.xml');
    const o = await compare('transient', [dstURI, '--live', '--xml', file, '--migrateuri', MIGRATE_URI], {
      prepare: async () => {
        const xml = await (await src.domainLookupByName(NAME)).getXMLDesc(VIR_DOMAIN_XML_MIGRATABLE);
        writeFileSync(file, xml.replace('</name>', '</name>\n  <description>migrated with --xml</description>'));
      },
      inspect: async () => {
        const dom = await dst.domainLookupByName(NAME).catch(() => null);
        return { description: dom ? /<description>(.*)<\/description>/.exec(await dom.getXMLDesc(0))?.[1] ?? 'none' : 'no guest' };
      },
    });
    expect(o.result.status).to.equal(0);
    expect(o.where.description).to.equal('migrated with --xml');
  });

  it('--timeout 1 --bandwidth 1: the same result and destination state from both programs', async () => {
    // This idle guest's migration is over in about a second here (the destination's downtime stays
    // short), too soon for the timeout's suspend to show; test/unit/virsh-watch-job.test.ts runs it.
    const o = await compare('transient', [dstURI, '--live', '--timeout', '1', '--bandwidth', '1', '--migrateuri', MIGRATE_URI]);
    expect(o.result.status).to.equal(0);
    expect(o.where['destination guest']).to.equal('running transient');
  });

  it('Ctrl-C on a terminal once the job runs: the migration is aborted and the guest stays on the source', async () => {
    const outcomes: { out: string; status: number | null; where: string[] }[] = [];
    for (const bin of ['virsh', `${process.execPath} ${VIRSH_RPC}`]) {
      await makeGuest('transient');
      const { out, status } = await onTerminal(
        `${bin} -c '${srcURI}' migrate ${NAME} ${dstURI} --live --verbose --bandwidth 1 --migrateuri ${MIGRATE_URI}`,
        [{ waitFor: 'Migration: [', type: '\x03' }],
        { LC_ALL: 'C', LANG: 'C' },
      );
      // virsh on a terminal tries to start a polkit agent, and says there is none.
      const shown = maskProgress(out).replace(/^Authorization not available\. Check if polkit service is running or see debug message for more information\.\r\n/gm, '');
      outcomes.push({ out: shown.replace(/\r\n/g, '\n'), status, where: [await whereIs(src, NAME), await whereIs(dst, NAME)] });
    }
    await removeGuests(src);
    await removeGuests(dst);
    expect(outcomes[1]).to.deep.equal(outcomes[0]);
    expect(outcomes[0]!.status).to.equal(1);
    expect(outcomes[0]!.out).to.equal("^Cerror: operation aborted: job 'migration out' canceled by client\n\n");
    expect(outcomes[0]!.where).to.deep.equal(['running transient', 'absent']);
  });

  it('virsh-rpc draws a progress bar for migrate on a terminal without --verbose (where virsh prints nothing), and none with -q', async () => {
    const shown: string[] = [];
    for (const quiet of [[], ['-q']]) {
      await makeGuest('transient');
      const { out, status } = await onTerminal(`${process.execPath} ${VIRSH_RPC} ${quiet.join(' ')} -c '${srcURI}' migrate ${NAME} ${dstURI} --live --migrateuri ${MIGRATE_URI}`, [], { LC_ALL: 'C', LANG: 'C' });
      expect(status).to.equal(0);
      expect(await whereIs(dst, NAME)).to.equal('running transient');
      shown.push(out);
    }
    await removeGuests(src);
    await removeGuests(dst);
    expect(shown[0]).to.match(/\rmigrate: /);
    expect(shown[1]).to.not.include('migrate:');
  });

  it('failures: an unreachable destination (client and peer-to-peer), --offline without --persistent, --direct on QEMU; the guest stays', async () => {
    const bad = 'qemu+tcp://127.0.0.1:1/system';
    for (const args of [[bad, '--live'], [bad, '--live', '--p2p'], ['DST', '--offline'], ['DST', '--live', '--direct', '--migrateuri', MIGRATE_URI]]) {
      const o = await compare('persistent', args.map((a) => (a === 'DST' ? dstURI : a)));
      expect(o.result.status, args.join(' ')).to.equal(1);
      expect(o.result.stderr).to.match(/^error: /);
      expect(o.where['source guest']).to.equal('running persistent');
      expect(o.where['destination guest']).to.equal('absent');
    }
  });

  describe('option errors (test driver)', () => {
    const cases: string[][] = [
      ['--live', '--offline'],
      ['--timeout-suspend', '--timeout-postcopy'],
      ['--postcopy-after-precopy'],
      ['--postcopy-resume'],
      ['--timeout-postcopy', '--timeout', '5', '--live'],
      ['--persistent-xml', '/nonexistent.xml'],
      ['--tls-destination', 'host'],
      ['--timeout', '5'],
      ['--timeout', '-1', '--live'],
      ['--timeout-suspend'],
      ['--copy-storage-synchronous-writes'],
      ['--copy-storage-all', '--copy-storage-inc'],
      ['--tunnelled'],
      ['--p2p', '--tunnelled', '--parallel'],
      ['--p2p'],
      ['--direct'],
      ['--offline'],
      ['--change-protection'],
      ['--graphicsuri', 'spice://127.0.0.1'],
      ['--disks-port', 'abc'],
      ['--comp-mt-level', '99999999999'],
      ['--bandwidth', '-5'],
      ['--xml', '/nonexistent.xml'],
      ['--live'],
    ];
    for (const args of cases) {
      it(`migrate ${args.join(' ')}`, () => {
        const uri = freshTestURI();
        const { virsh, ours } = bothVirsh(['-c', uri, 'migrate', 'test', uri, ...args]);
        expect(ours).to.deep.equal(virsh);
        expect(virsh.status).to.equal(1);
      });
    }
    it('migrate of an unknown domain, and to a destination that cannot be reached', () => {
      const uri = freshTestURI();
      for (const args of [['nosuch', uri], ['test', 'qemu+tcp://127.0.0.1:1/system']]) {
        const { virsh, ours } = bothVirsh(['-c', uri, 'migrate', ...args]);
        expect(ours).to.deep.equal(virsh);
        expect(virsh.status).to.equal(1);
      }
    });
  });
});
