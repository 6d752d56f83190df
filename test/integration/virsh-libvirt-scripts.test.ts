// libvirt 9.0's own virsh test scripts (libvirt-9.0.0/tests/virsh-*) run against virsh-rpc, with
// the outputs the scripts expect. Each script ran `tools/virsh` on test:///default, whose state is
// private to the process; here both virsh-rpc and, as a control of the adaptation, libvirt's virsh
// run on freshTestURI() (the same default configuration, fresh for every connection) and must both
// give the script's expected output. The scripts' input files are in test/fixtures/libvirt-9.0.0-tests.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnv } from '../support/sandbox.js';
import { freshTestURI, runMerged, runVirsh, runVirshMerged, runVirshRpc, VIRSH_RPC, type RunResult } from '../support/virsh-compare.js';

const FIXTURES = new URL('../../../test/fixtures/libvirt-9.0.0-tests', import.meta.url).pathname;
const fixture = (name: string) => join(FIXTURES, name);

const PROGRAMS = [
  ['virsh', runVirsh],
  ['virsh-rpc', runVirshRpc],
] as const;

/** What a script checks of one run: the exit status's success, and stdout/stderr where it compares them. */
interface Expect {
  ok: boolean;
  stdout?: string;
  stderr?: string;
}

describe("libvirt 9.0's virsh test scripts against virsh-rpc", function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  before(() => {
    uri = freshTestURI();
    dir = mkdtempSync(join(tmpdir(), 'virsh-scripts-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Both programs, `-c URI args...`, each meeting `want`. */
  const check = (args: string[], want: Expect, post: (r: RunResult) => RunResult = (r) => r) => {
    for (const [name, run] of PROGRAMS) {
      const r = post(run(['-c', uri, ...args], { cwd: dir }));
      const where = `${name} ${args.join(' ')}\n${JSON.stringify(r)}`;
      expect(r.status === 0, where).to.equal(want.ok);
      if (want.stdout !== undefined) expect(r.stdout, where).to.equal(want.stdout);
      if (want.stderr !== undefined) expect(r.stderr, where).to.equal(want.stderr);
    }
  };
  /** Both programs, `-c URI args...` with stdout and stderr merged (a script's `> out 2>&1`). */
  const checkMerged = (args: string[], ok: boolean, output: string, filter: (s: string) => string = (s) => s) => {
    for (const program of ['virsh', 'virsh-rpc'] as const) {
      const r = runVirshMerged(program, ['-c', uri, ...args], { cwd: dir });
      expect(filter(r.output), `${program} ${args.join(' ')}`).to.equal(output);
      expect(r.status === 0, `${program} ${args.join(' ')}: ${r.output}`).to.equal(ok);
    }
  };

  describe('virsh-optparse', () => {
    const SETVCPUS_DEBUG = '\nsetvcpus: <domain> trying as domain NAME\nsetvcpus: count(optdata): 2\nsetvcpus: domain(optdata): test\nsetvcpus: found option <domain>: test\n';
    const sortLines = (r: RunResult): RunResult => {
      const lines = r.stdout.split('\n');
      if (lines.at(-1) === '') lines.pop();
      // LC_ALL=C sort: byte order.
      return { ...r, stdout: lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((l) => `${l}\n`).join('') };
    };
    for (const args of [
      'test 2',
      '--domain test 2',
      '--domain=test 2',
      'test --count 2',
      'test --count=2',
      '--domain test --count 2',
      '--domain=test --count 2',
      '--domain test --count=2',
      '--domain=test --count=2',
      '--count 2 --domain test',
      '--count 2 --domain=test',
      '--count=2 --domain test',
      '--count=2 --domain=test',
      '--count 2 test',
      '--count=2 test',
    ])
      it(`-k0 -d0 setvcpus ${args}`, () => {
        for (const [name, run] of PROGRAMS) {
          const r = sortLines(run(['-k0', '-d0', '-c', uri, 'setvcpus', ...args.split(' ')]));
          expect(r.stdout, name).to.equal(SETVCPUS_DEBUG);
          expect(r.status, name).to.equal(0);
        }
      });

    it('snapshot-create-as --print-xml with escaped commas in --diskspec and --memspec', () =>
      check(['-q', 'snapshot-create-as', '--print-xml', 'test', '--diskspec', 'vda,file=a&b,,c,snapshot=external', '--description', '1<2', '--diskspec', 'vdb', '--memspec', 'file=d,,e'], {
        ok: true,
        stderr: '',
        stdout:
          "<domainsnapshot>\n  <description>1&lt;2</description>\n  <memory file='d,e'/>\n  <disks>\n    <disk name='vda' snapshot='external'>\n" +
          "      <source file='a&amp;b,c'/>\n    </disk>\n    <disk name='vdb'/>\n  </disks>\n</domainsnapshot>\n\n",
      }));
    it('snapshot-create-as --print-xml test name vda vdb (positional name, description, diskspec)', () =>
      check(['-q', 'snapshot-create-as', '--print-xml', 'test', 'name', 'vda', 'vdb'], {
        ok: true,
        stderr: '',
        stdout: "<domainsnapshot>\n  <name>name</name>\n  <description>vda</description>\n  <disks>\n    <disk name='vdb'/>\n  </disks>\n</domainsnapshot>\n\n",
      }));
    for (const args of [
      'test name desc vda vdb',
      'test name desc --diskspec vda vdb',
      'test name desc --diskspec vda --diskspec vdb',
      'test --diskspec vda name --diskspec vdb desc',
      '--description desc --name name --domain test vda vdb',
      '--description desc --diskspec vda --name name --domain test vdb',
    ])
      it(`snapshot-create-as --print-xml ${args}`, () =>
        check(['-q', 'snapshot-create-as', '--print-xml', ...args.split(' ')], {
          ok: true,
          stderr: '',
          stdout:
            "<domainsnapshot>\n  <name>name</name>\n  <description>desc</description>\n  <disks>\n    <disk name='vda'/>\n    <disk name='vdb'/>\n  </disks>\n</domainsnapshot>\n\n",
        }));

    // [arguments after -q -c URI, expected stderr (stdout empty, exit status 1)]
    const ERRORS: [string[], string][] = [
      [['qemu-monitor-command', 'test', 'a'], 'error: this function is not supported by the connection driver: virDomainQemuMonitorCommand\n'],
      [['cpu-stats', 'test', '--start', 'abc'], "error: Numeric value 'abc' for <start> option is malformed or out of range\n"],
      [['cpu-stats', 'test', '--start', '42WB'], "error: Numeric value '42WB' for <start> option is malformed or out of range\n"],
      [['cpu-stats', 'test', '--start', '42MB'], "error: Numeric value '42MB' for <start> option is malformed or out of range\n"],
      [['cpu-stats', 'test', '--start', '2147483648'], "error: Numeric value '2147483648' for <start> option is malformed or out of range\n"],
      [['cpu-stats', 'test', '--start', '-1'], 'error: Invalid value for start CPU\n'],
      [['setmaxmem', 'test', 'abc'], "error: Scaled numeric value 'abc' for <size> option is malformed or out of range\n"],
      [['setmaxmem', 'test', '42WB'], "error: Scaled numeric value '42WB' for <size> option is malformed or out of range\nerror: invalid argument: unknown suffix 'WB'\n"],
      [['setmaxmem', 'test', '-1'], "error: Scaled numeric value '-1' for <size> option is malformed or out of range\n"],
      [['setmaxmem', 'test', '0'], 'error: Unable to change MaxMemorySize\nerror: memory in virDomainSetMemoryFlags must not be zero\n'],
      [['event', '--all', '--timeout', 'abc'], "error: Numeric value 'abc' for <timeout> option is malformed or out of range\n"],
      [['event', '--all', '--timeout', '2147484'], "error: Numeric value '2147484' for <timeout> option is malformed or out of range\n"],
      [['event', '--all', '--timeout', '42WB'], "error: Numeric value '42WB' for <timeout> option is malformed or out of range\n"],
      [['event', '--all', '--timeout', '42MB'], "error: Numeric value '42MB' for <timeout> option is malformed or out of range\n"],
      [['event', '--all', '--timeout', '-1'], "error: Numeric value '-1' for <timeout> option is malformed or out of range\n"],
      [['event', '--all', '--timeout', '0'], "error: Numeric value '0' for <timeout> option is malformed or out of range\n"],
    ];
    for (const [args, stderr] of ERRORS) it(args.join(' '), () => check(['-q', ...args], { ok: false, stdout: '', stderr }));

    for (const size of ['42MB', '2147483648', '42']) it(`setmaxmem test ${size} --config`, () => check(['-q', 'setmaxmem', 'test', size, '--config'], { ok: true, stdout: '', stderr: '' }));

    it('event --all --timeout 1 times out after parsing the value', () =>
      check(['-q', 'event', '--all', '--timeout', '1'], { ok: false, stdout: 'event loop timed out\nevents received: 0\n', stderr: '' }));
  });

  // virsh-output runs virsh-output-commands (a bash script tracing `./virsh attach-disk --print-xml ...`
  // with set -x) and compares all of its output, then "end", with virsh-output.out.
  describe('virsh-output', () => {
    for (const program of ['virsh', 'virsh-rpc'] as const)
      it(`virsh-output-commands through ${program} gives virsh-output.out`, () => {
        const work = join(dir, `output-${program}`);
        mkdirSync(work);
        for (const x of ['config', 'cache', 'runtime']) mkdirSync(join(work, x), { mode: 0o700 });
        if (program === 'virsh') symlinkSync('/usr/bin/virsh', join(work, 'virsh'));
        else {
          writeFileSync(join(work, 'virsh'), `#!/bin/sh\nexec '${process.execPath}' '${VIRSH_RPC}' "$@"\n`);
          chmodSync(join(work, 'virsh'), 0o755);
        }
        const r = runMerged('bash', [fixture('virsh-output-commands')], {
          cwd: work,
          env: { LIBVIRT_DEFAULT_URI: uri, PS4: '+ ', XDG_CONFIG_HOME: join(work, 'config'), XDG_CACHE_HOME: join(work, 'cache'), XDG_RUNTIME_DIR: join(work, 'runtime') },
          timeout: 110_000,
        });
        expect(`${r.output}end\n`).to.equal(readFileSync(fixture('virsh-output.out'), 'utf8'));
      });
  });

  it('virsh-cpuset: define refuses a vcpu cpuset that is no bitmap', () => {
    const xml = runVirsh(['-c', uri, 'dumpxml', '1']).stdout;
    expect(xml).to.contain('<vcpu placement');
    writeFileSync(join(dir, 'xml-invalid'), xml.replace("vcpu placement='static'>", "vcpu cpuset='aaa'>"));
    checkMerged(['define', 'xml-invalid'], false, "error: Failed to define domain from xml-invalid\nerror: invalid argument: Failed to parse bitmap 'aaa'\n\n");
  });

  it('virsh-define-dev-segfault: define D.xml; dumpxml D gives the XML back', () => {
    const xml = readFileSync(fixture('virsh-define-dev-segfault-D.xml'), 'utf8');
    writeFileSync(join(dir, 'D.xml'), xml);
    // The script's expected file is "Domain 'D' defined from D.xml\n\n$(cat D.xml)\n\n" ($(...) drops the final newline).
    checkMerged(['define D.xml; dumpxml D'], true, `Domain 'D' defined from D.xml\n\n${xml.replace(/\n$/, '')}\n\n`);
  });

  describe('virsh-read-bufsiz: define reads a file larger than BUFSIZ', () => {
    for (const where of ['before', 'after'])
      it(`132000 spaces ${where} the XML`, () => {
        const xml = runVirsh(['-c', uri, 'dumpxml', '1'])
          .stdout.replaceAll('<name>test</name>', '<name>newtest</name>')
          .split('\n')
          .filter((l) => !/<uuid>.*<\/uuid>/.test(l))
          .join('\n');
        const sp = ' '.repeat(132000);
        const file = `in-${where}`;
        writeFileSync(join(dir, file), where === 'before' ? sp + xml : xml + sp);
        check(['define', file], { ok: true, stdout: `Domain 'newtest' defined from ${file}\n\n` });
      });
  });

  it('virsh-read-non-seekable: define reads a FIFO', async () => {
    const dom = fixture('virsh-read-non-seekable-dom.xml');
    check(['define', dom], { ok: true });
    for (const [name] of PROGRAMS) {
      const fifo = join(dir, `fifo-${name}`);
      execFileSync('mkfifo', [fifo]);
      const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', dom, fifo], { stdio: 'ignore' });
      const done = new Promise((resolve) => writer.on('close', resolve));
      const run = name === 'virsh' ? runVirsh : runVirshRpc;
      const r = run(['-c', uri, 'define', fifo]);
      expect(r.status, `${name}: ${r.stderr}`).to.equal(0);
      expect(r.stdout).to.equal(`Domain 't2' defined from ${fifo}\n\n`);
      await done;
    }
  });

  it('virsh-self-test: self-test succeeds (and prints what virsh prints)', () => {
    const virsh = runVirsh(['-c', uri, 'self-test']);
    const ours = runVirshRpc(['-c', uri, 'self-test']);
    expect(virsh.status).to.equal(0);
    expect(ours).to.deep.equal(virsh);
  });

  it('virsh-start: start of an active domain', () => check(['start', 'test'], { ok: false, stdout: '\n', stderr: 'error: Domain is already active\n' }));

  describe('virsh-undefine', () => {
    // sed '/^Persistent/n; /:/d': the Persistent lines stay, the other lines with a colon go.
    const persistentOnly = (s: string) =>
      s
        .split('\n')
        .filter((l) => l.startsWith('Persistent') || !l.includes(':'))
        .join('\n');
    for (const key of ['test', '1'])
      it(`dominfo ${key}; undefine ${key}; dominfo ${key}`, () =>
        checkMerged([`dominfo ${key}; undefine ${key}; dominfo ${key}`], true, `Persistent:     yes\n\nDomain '${key}' has been undefined\n\nPersistent:     no\n\n`, persistentOnly));
    it('shutdown test; undefine test; dominfo test', () =>
      checkMerged(['shutdown test; undefine test; dominfo test'], false, "Domain 'test' is being shutdown\n\nDomain 'test' has been undefined\n\nerror: failed to get domain 'test'\n\n"));
  });

  // virsh-auth opens test://.../virsh-auth.xml, whose <auth> makes the test driver ask for a user
  // name, and answers "astrochicken" on stdin. The test driver asks through the callback of the
  // process that opened it; through the daemon (test+unix) that is libvirtd, which has none, so
  // libvirt's virsh fails there, and virsh-rpc must fail the same way.
  it('virsh-auth: the test driver <auth> through the daemon fails as for virsh', () => {
    const authUri = `test+unix://${fixture('virsh-auth.xml')}?socket=${sandboxEnv('SOCKET')}`;
    const virsh = runVirsh(['-c', authUri, 'uri'], { stdin: 'astrochicken' });
    const ours = runVirshRpc(['-c', authUri, 'uri'], { stdin: 'astrochicken' });
    expect(virsh.stderr).to.equal('error: failed to connect to the hypervisor\nerror: invalid argument: Missing authentication credentials\n');
    expect(ours).to.deep.equal(virsh);
  });
});
