// virsh-rpc's blockcommit, blockcopy and blockpull against libvirt's virsh: first virsh's own option
// checks and the test driver's refusals (it has no block jobs), then the jobs themselves on a QEMU
// guest whose disk is a qcow2 chain base <- mid <- top. Each job runs once through each program on
// a chain prepared the same way; the output (stdout, stderr, exit status) and the disk afterwards
// (the domain XML as both programs print it, the chain as qemu-img sees it) must be the same.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, freshTestURI, runVirsh, runVirshRpc, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

const GUEST = 'virsh-rpc-blockjob';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The progress lines of a job ("\rBlock Pull: [ 42 %]"...): how many and which percentages depend
 * on timing, so a run of them is one mark, telling whether it reached 100 %.
 */
const maskProgress = (s: string): string =>
  s.replace(/(?:\r(?:Block Pull|Block commit|Block Copy|Active Block Commit|Block Commit): \[[ 0-9]{3} %\])+/g, (m) => (m.endsWith('[100 %]') ? '<progress to 100 %>' : '<progress>'));

describe('virsh-rpc vs virsh: blockcommit, blockcopy, blockpull', function () {
  this.timeout(600_000);

  describe("virsh's option checks and the test driver's refusals", () => {
    let uri: string;
    let dir: string;
    before(() => {
      uri = freshTestURI();
      dir = mkdtempSync(join(tmpdir(), 'virsh-blockjob-'));
      writeFileSync(join(dir, 'dest.xml'), "<disk type='file'>\n  <source file='/tmp/copy.qcow2'/>\n  <driver type='qcow2'/>\n</disk>\n");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const cases: string[][] = [
      // blockcommit
      ['blockcommit', 'test', 'vda'],
      ['blockcommit', 'test', 'vda', '--wait', '--verbose', '--bandwidth', '10'],
      ['blockcommit', 'test', 'vda', '--active', '--pivot', '--async'],
      ['blockcommit', 'test', 'vda', '--pivot', '--keep-overlay'],
      ['blockcommit', 'test', 'vda', '--verbose'],
      ['blockcommit', 'test', 'vda', '--async'],
      ['blockcommit', 'test', 'vda', '--timeout', '5', '--async', '--verbose'],
      ['blockcommit', 'test', 'vda', '--bandwidth', 'abc'],
      ['blockcommit', 'test', 'vda', '--bandwidth', '1x'],
      ['blockcommit', 'test', 'vda', '--bandwidth', '-1'],
      ['blockcommit', 'test', 'vda', '--bandwidth', '1G', '--bytes', '--shallow', '--delete', '--keep-relative'],
      ['blockcommit', 'test', 'vda', '--timeout', '0'],
      ['blockcommit', 'test', 'vda', '--timeout', '-1'],
      ['blockcommit', 'test', 'vda', '--timeout', '2147484'],
      ['blockcommit', 'test', 'vda', '--base', ''],
      ['blockcommit', 'test', 'vda', '--top', ''],
      ['blockcommit', 'test', 'vda', '--base', 'a', '--top', 'b'],
      ['blockcommit', 'test'],
      ['blockcommit', 'nosuch', 'vda'],
      ['blockcommit', '--help'],
      // blockcopy
      ['blockcopy', 'test', 'vda'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--xml', '/tmp/y'],
      ['blockcopy', 'test', 'vda', '--xml', '/tmp/y', '--format', 'raw'],
      ['blockcopy', 'test', 'vda', '--xml', '/tmp/y', '--blockdev'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--pivot', '--finish'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--verbose'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--async'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--timeout', 'x'],
      ['blockcopy', 'test', 'vda', '--dest', ''],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--granularity', '-1'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--buf-size', 'lots'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--bandwidth', '99999999999999', '--granularity', '512'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--bandwidth', '99999999999999', '--bytes', '--granularity', '512'],
      ['blockcopy', 'test', 'vda', '--xml', '/nonexistent/dest.xml'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--raw', '--wait', '--blockdev', '--shallow', '--reuse-external'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--format', 'qcow2', '--pivot', '--verbose'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--transient-job', '--synchronous-writes', '--buf-size', '1048576'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--print-xml'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--print-xml', '--format', 'qcow2'],
      ['blockcopy', 'test', 'vda', '--dest', "/tmp/<a&b>'\"", '--print-xml', '--blockdev', '--format', 'r&w'],
      ['blockcopy', 'test', 'vda', '--dest', '/tmp/x', '--print-xml', '--raw'],
      ['blockcopy', 'nosuch', 'vda', '--dest', '/tmp/x', '--print-xml'],
      ['blockcopy', '--help'],
      // blockpull
      ['blockpull', 'test', 'vda'],
      ['blockpull', 'test', 'vda', '--verbose'],
      ['blockpull', 'test', 'vda', '--async'],
      ['blockpull', 'test', 'vda', '--timeout', '5'],
      ['blockpull', 'test', 'vda', '--timeout', '0', '--wait'],
      ['blockpull', 'test', 'vda', '--wait', '--base', 'vda[1]'],
      ['blockpull', 'test', 'vda', '--keep-relative', '--bytes', '--bandwidth', '512k'],
      ['blockpull', 'test', 'vda', '--bandwidth', '3', '--bytes'],
      ['blockpull', 'test', 'vda', '--bandwidth', 'many'],
      ['blockpull', 'test', 'vda', '--base', ''],
      ['blockpull', 'nosuch', 'vda', '--wait'],
      ['blockpull', '--help'],
    ];
    for (const args of cases)
      it(args.join(' '), () => {
        const { virsh, ours } = bothVirsh(['-c', uri, ...args]);
        expect(ours).to.deep.equal(virsh);
      });

    it('blockcopy --xml reads the file (and --print-xml prints it as it is)', () => {
      for (const extra of [['--print-xml'], [], ['--wait', '--verbose']]) {
        const { virsh, ours } = bothVirsh(['-c', uri, 'blockcopy', 'test', 'vda', '--xml', join(dir, 'dest.xml'), ...extra]);
        expect(ours, extra.join(' ')).to.deep.equal(virsh);
      }
    });

    it('in one shell session, with -q', () => {
      const line = 'blockcopy test vda --dest /tmp/a --print-xml; blockpull test vda; blockcommit test vda --wait; blockcopy test vda --dest /tmp/b --print-xml';
      const { virsh, ours } = bothVirsh(['-q', '-c', uri, line]);
      expect(ours).to.deep.equal(virsh);
      expect(virsh.stdout).to.contain("<source file='/tmp/b'/>");
    });
  });

  describe('on a QEMU guest whose disk is base <- mid <- top', () => {
    let qemu: string;
    let dir: string;
    let guestFile: string;
    const virshQ = (args: string[]) => runVirsh(['-c', qemu, ...args]);
    const img = (name: string) => join(dir, name);

    /** A fresh chain: base (16 MiB, 8 MiB written), mid (2 MiB more), top (empty), relative backing names. */
    const prepareChain = () => {
      for (const f of readdirSync(dir)) if (f.endsWith('.qcow2') || f.endsWith('.img')) rmSync(img(f));
      const q = (args: string[]) => execFileSync(args[0]!, args.slice(1), { cwd: dir, stdio: 'ignore' });
      q(['qemu-img', 'create', '-q', '-f', 'qcow2', 'base.qcow2', '16M']);
      q(['qemu-io', '-c', 'write -P 0xaa 0 8M', 'base.qcow2']);
      q(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', 'mid.qcow2']);
      q(['qemu-io', '-c', 'write -P 0xbb 8M 2M', 'mid.qcow2']);
      q(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'mid.qcow2', '-F', 'qcow2', 'top.qcow2']);
    };
    const startGuest = () => execFileSync('virsh', ['-c', qemu, 'create', guestFile], { stdio: 'ignore' });
    const stopGuest = () => {
      try {
        execFileSync('virsh', ['-c', qemu, 'destroy', GUEST], { stdio: 'ignore' });
      } catch {
        // not running
      }
    };
    /** The guest's disk elements, which both programs must print alike. */
    const diskXml = (): string => {
      const theirs = virshQ(['dumpxml', GUEST]);
      const mine = runVirshRpc(['-c', qemu, 'dumpxml', GUEST]);
      expect(mine).to.deep.equal(theirs);
      return (theirs.stdout.match(/^ {4}<disk [^]*?<\/disk>$/gm) ?? []).join('\n');
    };
    /** qemu-img's output; QEMU may hold a copy's image a moment after its job ended. */
    const qemuImg = (args: string[]): string => {
      for (let tries = 0; ; tries++) {
        try {
          return execFileSync('qemu-img', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (e) {
          if (tries === 20 || !/lock/.test(String((e as { stderr?: string }).stderr))) throw e;
          execFileSync('sleep', ['0.25']);
        }
      }
    };
    /** The chain qemu-img reads from each image left in the folder, and where its data is. */
    const images = (partial?: string): string => {
      const out: string[] = [];
      for (const f of readdirSync(dir).sort()) {
        if (!f.endsWith('.qcow2')) continue;
        const info = qemuImg(['info', '-U', '--output=json', '--backing-chain', img(f)]);
        const chain = (JSON.parse(info) as { filename: string; format: string; 'backing-filename'?: string }[]).map((i) => `${i.filename} ${i.format} -> ${i['backing-filename'] ?? ''}`);
        const map = qemuImg(['map', '-U', '--output=json', img(f)]);
        // QEMU splits the same data into extents as its writes went: adjacent alike extents are one
        const extents: string[] = [];
        let run: { start: number; length: number; data: boolean; depth: number } | null = null;
        for (const e of JSON.parse(map) as { start: number; length: number; data: boolean; depth: number }[]) {
          if (run && run.data === e.data && run.depth === e.depth && run.start + run.length === e.start) run.length += e.length;
          else {
            if (run) extents.push(`${run.start}+${run.length}:${run.data ? 'data' : 'zero'}@${run.depth}`);
            run = { ...e };
          }
        }
        if (run) extents.push(`${run.start}+${run.length}:${run.data ? 'data' : 'zero'}@${run.depth}`);
        // how much of an aborted copy was written depends on when the abort came
        out.push(`${f}: ${chain.join(' | ')}\n  ${f === partial ? '<partly copied>' : extents.join(' ')}`);
      }
      return out.join('\n');
    };
    const waitJobGone = async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await pause(200)) if (!/type=/.test(virshQ(['blockjob', GUEST, 'vda', '--raw']).stdout)) return;
      throw new Error('the block job did not end');
    };
    const waitJobRunning = async () => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await pause(100)) if (/type=/.test(virshQ(['blockjob', GUEST, 'vda', '--raw']).stdout)) return;
      throw new Error('the block job did not start');
    };

    type Prog = 'virsh' | 'ours';
    const runProg = (prog: Prog, args: string[]): RunResult => (prog === 'virsh' ? virshQ(args) : runVirshRpc(['-c', qemu, ...args]));
    /** Runs `args` under `prog`, sending SIGINT once the job has run for a second. */
    const runInterrupted = async (prog: Prog, args: string[]): Promise<RunResult> => {
      const [cmd, argv] = prog === 'virsh' ? ['virsh', ['-c', qemu, ...args]] : [process.execPath, [VIRSH_RPC, '-c', qemu, ...args]];
      const child = spawn(cmd as string, argv as string[], { env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitJobRunning();
      await pause(1000);
      child.kill('SIGINT');
      const status = await closed;
      return { stdout, stderr, status };
    };

    /**
     * Prepares the chain, starts the guest, runs the job through `prog` and whatever `after` asks
     * of the same program, then reads the disk and stops the guest.
     */
    type After = (prog: Prog) => Promise<RunResult[]> | RunResult[];
    const runOn = async (prog: Prog, job: (prog: Prog) => Promise<RunResult> | RunResult, after?: After, partial?: string) => {
      prepareChain();
      startGuest();
      try {
        const result = await job(prog);
        const then = after ? await after(prog) : [];
        return { result: { ...result, stderr: maskProgress(result.stderr) }, then, disk: diskXml(), images: images(partial) };
      } finally {
        stopGuest();
      }
    };
    /** `partial`: an image an aborted job left partly written. */
    const same = async (job: (prog: Prog) => Promise<RunResult> | RunResult, after?: After, partial?: string) => {
      const theirs = await runOn('virsh', job, after, partial);
      const mine = await runOn('ours', job, after, partial);
      expect(mine.result).to.deep.equal(theirs.result);
      expect(mine.then).to.deep.equal(theirs.then);
      expect(mine.disk).to.equal(theirs.disk);
      expect(mine.images).to.equal(theirs.images);
      return theirs;
    };
    const sameRun = (args: string[], after?: After, partial?: string) => same((p) => runProg(p, args), after, partial);

    before(() => {
      qemu = sandboxEnv('QEMU_UNIX_URI');
      dir = mkdtempSync(join(tmpdir(), 'virsh-blockjob-qemu-'));
      chmodSync(dir, 0o755);
      guestFile = join(dir, 'guest.xml');
      const disk = `<disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='${img('top.qcow2')}'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n    `;
      const xml = guestXml(GUEST)
        .replace(/<(memory|currentMemory) unit='MiB'>\d+</g, "<$1 unit='MiB'>64<")
        .replace('<devices>\n    ', `<devices>\n    ${disk}`);
      expect(xml).to.contain(img('top.qcow2'));
      writeFileSync(guestFile, xml);
    });
    after(() => {
      stopGuest();
      try {
        execFileSync('virsh', ['-c', qemu, 'undefine', GUEST], { stdio: 'ignore' });
      } catch {
        // transient: gone once destroyed
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it('blockpull --wait --verbose: top holds everything, no backing file', async () => {
      const r = await sameRun(['blockpull', GUEST, 'vda', '--wait', '--verbose']);
      expect(r.result.stdout).to.equal('\nPull complete\n');
      expect(r.result.stderr).to.equal('<progress to 100 %>');
      expect(r.result.status).to.equal(0);
      expect(r.disk).to.match(/<source file='[^']*top\.qcow2' index='1'\/>\n\s*<backingStore\/>/);
    });

    it('blockpull --base (a source path) --keep-relative --wait: mid is pulled into top, top keeps base.qcow2 relative', async () => {
      const r = await sameRun(['blockpull', GUEST, img('top.qcow2'), '--base', img('base.qcow2'), '--keep-relative', '--wait']);
      expect(r.result.stdout).to.equal('\nPull complete\n');
      expect(r.images).to.contain('top.qcow2: ' + img('top.qcow2') + ' qcow2 -> base.qcow2 |');
    });

    it('blockpull without --wait, then the job ends by itself', async () => {
      const r = await sameRun(['blockpull', GUEST, 'vda'], async () => {
        await waitJobGone();
        return [];
      });
      expect(r.result.stdout).to.equal('Block Pull started\n');
    });

    it('blockpull --wait --timeout 1 on a slow job: aborted', async () => {
      const r = await sameRun(['blockpull', GUEST, 'vda', '--wait', '--timeout', '1', '--bandwidth', '1'], undefined, 'top.qcow2');
      expect(r.result.stdout).to.equal('\nPull aborted\n');
      expect(r.result.status).to.equal(1);
    });

    it('blockpull --wait, interrupted by SIGINT: the job is aborted', async () => {
      const r = await same((p) => runInterrupted(p, ['blockpull', GUEST, 'vda', '--wait', '--bandwidth', '1']), undefined, 'top.qcow2');
      expect(r.result.stdout).to.equal('\nPull aborted\n');
      expect(r.result.status).to.equal(1);
    });

    it('blockcommit --top mid --wait --verbose: mid into base, top now backed by base', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--top', img('mid.qcow2'), '--wait', '--verbose']);
      expect(r.result.stdout).to.equal('\nCommit complete\n');
      expect(r.result.stderr).to.equal('<progress to 100 %>');
      expect(r.disk).to.not.contain('mid.qcow2');
    });

    it('blockcommit --shallow --top mid --delete --wait --bandwidth 64M --bytes: mid is deleted', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--top', 'vda[2]', '--shallow', '--delete', '--wait', '--bandwidth', '64M', '--bytes']);
      expect(r.result.stdout).to.equal('\nCommit complete\n');
      expect(r.images).to.not.contain('mid.qcow2:');
    });

    it('blockcommit --active --pivot --verbose: the guest runs on base', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--active', '--pivot', '--verbose']);
      expect(r.result.stdout).to.equal('\nSuccessfully pivoted\n');
      expect(r.result.stderr).to.equal('<progress to 100 %>');
      expect(r.disk).to.match(/<source file='[^']*base\.qcow2' index='\d+'\/>\n\s*<backingStore\/>/);
    });

    it('blockcommit --keep-overlay: commit complete, overlay image kept', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--keep-overlay', '--base', 'vda[2]']);
      expect(r.result.stdout).to.equal('\nCommit complete, overlay image kept\n');
      expect(r.disk).to.contain('top.qcow2');
    });

    it('blockcommit --active --wait: synchronized phase, then blockjob --info and --pivot', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--active', '--wait'], (p) => [runProg(p, ['blockjob', GUEST, 'vda', '--info']), runProg(p, ['blockjob', GUEST, 'vda', '--pivot'])]);
      expect(r.result.stdout).to.equal('\nNow in synchronized phase\n');
      expect(r.then[0]!.stderr).to.equal('\rActive Block Commit: [100 %]');
      expect(r.then[1]!.status).to.equal(0);
    });

    it('blockcommit --active without --wait: started', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--active'], async (p) => {
        await waitJobRunning();
        return [runProg(p, ['blockjob', GUEST, 'vda', '--abort'])];
      });
      expect(r.result.stdout).to.equal('Active Block Commit started\n');
    });

    it('blockcommit --top top without --active: the daemon refuses', async () => {
      const r = await sameRun(['blockcommit', GUEST, 'vda', '--top', img('top.qcow2'), '--wait']);
      expect(r.result.status).to.equal(1);
      expect(r.result.stderr).to.match(/^error: /);
    });

    it('blockcopy --dest --wait --verbose --finish: the copy is left, the guest stays on top', async () => {
      const r = await sameRun(['blockcopy', GUEST, 'vda', '--dest', img('copy.qcow2'), '--wait', '--verbose', '--finish']);
      expect(r.result.stdout).to.equal('\nSuccessfully copied\n');
      expect(r.result.stderr).to.equal('<progress to 100 %>');
      expect(r.images).to.contain('copy.qcow2: ');
      expect(r.disk).to.not.contain('copy.qcow2');
    });

    it('blockcopy --raw --finish: a raw copy (the old API with VIR_DOMAIN_BLOCK_REBASE_COPY_RAW)', async () => {
      const r = await sameRun(['blockcopy', GUEST, 'vda', '--dest', img('copy.img'), '--raw', '--finish'], () => [
        { stdout: qemuImg(['info', '-U', '--output=json', img('copy.img')]).match(/"format": "[^"]*"/)![0], stderr: '', status: 0 },
      ]);
      expect(r.result.stdout).to.equal('\nSuccessfully copied\n');
      expect(r.then[0]!.stdout).to.equal('"format": "raw"');
    });

    it('blockcopy --dest --format qcow2 --pivot --transient-job (the new API): the guest runs on the copy', async () => {
      const r = await sameRun(['blockcopy', GUEST, 'vda', '--dest', img('copy.qcow2'), '--format', 'qcow2', '--pivot', '--transient-job', '--granularity', '65536', '--buf-size', '1048576', '--bandwidth', '100']);
      expect(r.result.stdout).to.equal('\nSuccessfully pivoted\n');
      expect(r.disk).to.match(/<source file='[^']*copy\.qcow2' index='\d+'\/>\n\s*<backingStore\/>/);
    });

    it('blockcopy --shallow --wait: mirroring phase (the copy backed by mid), then blockjob --abort', async () => {
      const r = await sameRun(['blockcopy', GUEST, 'vda', '--dest', img('copy.qcow2'), '--shallow', '--wait'], (p) => [runProg(p, ['blockjob', GUEST, 'vda', '--abort'])]);
      expect(r.result.stdout).to.equal('\nNow in mirroring phase\n');
      expect(r.images).to.contain(`copy.qcow2: ${img('copy.qcow2')} qcow2 -> ${img('mid.qcow2')}`);
    });

    it('blockcopy --shallow --raw: the daemon refuses a shallow copy into a raw file', async () => {
      const r = await sameRun(['blockcopy', GUEST, 'vda', '--dest', img('copy.img'), '--shallow', '--raw', '--wait']);
      expect(r.result.stderr).to.contain('shallow copy');
      expect(r.result.status).to.equal(1);
    });

    it('blockcopy --xml --pivot --reuse-external onto an image made beforehand', async () => {
      const dest = join(dir, 'dest.xml');
      writeFileSync(dest, `<disk type='file'>\n  <source file='${img('copy.qcow2')}'/>\n  <driver type='qcow2'/>\n</disk>\n`);
      const r = await same((p) => {
        execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', img('copy.qcow2'), '16M']);
        return runProg(p, ['blockcopy', GUEST, 'vda', '--xml', dest, '--pivot', '--reuse-external', '--transient-job']);
      });
      expect(r.result.stdout).to.equal('\nSuccessfully pivoted\n');
      expect(r.disk).to.contain('copy.qcow2');
    });

    // QEMU's mirror copies its whole buffer (16 MiB by default) before --bandwidth slows it: a
    // small --buf-size makes the copy of the 10 MiB slow.
    it('blockcopy --pivot --async with --timeout 1 on a slow copy: aborted', async () => {
      const r = await sameRun(
        ['blockcopy', GUEST, 'vda', '--dest', img('copy.qcow2'), '--pivot', '--async', '--timeout', '1', '--bandwidth', '1', '--buf-size', '65536'],
        async () => {
          await waitJobGone();
          return [];
        },
        'copy.qcow2',
      );
      expect(r.result.stdout).to.equal('\nCopy aborted\n');
      expect(r.result.status).to.equal(1);
    });

    it('blockcopy --wait, interrupted by SIGINT: the job is aborted', async () => {
      const r = await same((p) => runInterrupted(p, ['blockcopy', GUEST, 'vda', '--dest', img('copy.qcow2'), '--wait', '--bandwidth', '1', '--buf-size', '65536']), undefined, 'copy.qcow2');
      expect(r.result.stdout).to.equal('\nCopy aborted\n');
      expect(r.result.status).to.equal(1);
    });
  });
});
