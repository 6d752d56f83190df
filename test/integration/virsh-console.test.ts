// virsh-rpc's console (and edit's "Try again?" prompt) against libvirt's virsh under a
// pseudo-terminal (script(1)): a real QEMU guest whose serial port echoes what it reads in upper
// case, the same keys typed at the same times, the same bytes on the terminal.
import { expect } from 'chai';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestXml, sandboxEnv } from '../support/sandbox.js';
import { bothVirsh, runAsync, VIRSH_RPC } from '../support/virsh-compare.js';

/**
 * A multiboot kernel (flat, loaded at 1 MiB) that polls COM1 and sends back each byte it reads,
 * lower case letters in upper case. Built from:
 *   .long 0x1BADB002, 0x00010000, -(0x1BADB002+0x00010000), 0x100000, 0x100000, 0, 0, 0x100020
 *   poll: mov $0x3fd,%dx; in %dx,%al; test $1,%al; jz poll
 *         mov $0x3f8,%dx; in %dx,%al; cmp $0x61,%al; jb send; cmp $0x7a,%al; ja send; sub $0x20,%al
 *   send: out %al,%dx; jmp poll
 */
const ECHO_KERNEL = '02b0ad1b00000100fe4f51e4000010000000100000000000000000002000100066bafd03eca80174f766baf803ec3c6172063c7a77022c20eeebe5';

const GUEST = 'virsh-rpc-console';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** pkttyagent, which libvirt's C client starts on a terminal, says this when polkit is not running. */
const maskPolkit = (s: string): string => s.replace(/^Authorization not available\. Check if polkit service is running or see debug message for more information\.\r\n/gm, '');

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** Runs `shell` under a pseudo-terminal, typing each key string after its delay (ms from the previous one). */
function onTerminal(shell: string, keys: [number, string][], env: NodeJS.ProcessEnv = {}, timeout = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', shell, '/dev/null'], { env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...env } });
    let out = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (out += d));
    const timers: NodeJS.Timeout[] = [];
    let at = 0;
    for (const [delay, text] of keys) {
      at += delay;
      timers.push(setTimeout(() => child.stdin.write(text), at));
    }
    const kill = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', reject);
    child.on('close', () => {
      for (const t of timers) clearTimeout(t);
      clearTimeout(kill);
      resolve(out);
    });
  });
}

describe('virsh-rpc vs virsh on a QEMU guest: console, the edit prompt, QEMU and migration tuning commands', function () {
  this.timeout(300_000);
  let qemu: string;
  let test: string;
  let dir: string;
  const virsh = (uri: string, args: string) => `virsh -c ${quote(uri)} ${args}; echo "[rc=$?]"`;
  const ours = (uri: string, args: string) => `${quote(process.execPath)} ${quote(VIRSH_RPC)} -c ${quote(uri)} ${args}; echo "[rc=$?]"`;
  const both = async (uri: string, args: string, keys: [number, string][], env: NodeJS.ProcessEnv = {}) => {
    const theirs = maskPolkit(await onTerminal(virsh(uri, args), keys, env));
    const mine = await onTerminal(ours(uri, args), keys, env);
    expect(mine, `virsh-rpc ${args}`).to.equal(theirs);
    return mine;
  };

  before(async () => {
    qemu = sandboxEnv('QEMU_UNIX_URI');
    test = sandboxEnv('TEST_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-console-'));
    chmodSync(dir, 0o755);
    const kernel = join(dir, 'echo.bin');
    writeFileSync(kernel, Buffer.from(ECHO_KERNEL, 'hex'), { mode: 0o644 });
    const xml = guestXml(GUEST).replace(/<boot dev='hd'\/>/, `<kernel>${kernel}</kernel>`);
    writeFileSync(join(dir, 'guest.xml'), xml);
    execFileSync('virsh', ['-c', qemu, 'create', join(dir, 'guest.xml')], { stdio: 'ignore' });
    // The firmware takes seconds to reach the kernel: wait for the multiboot magic in EAX.
    for (const deadline = Date.now() + 120_000; ; ) {
      const regs = execFileSync('virsh', ['-c', qemu, 'qemu-monitor-command', GUEST, '--hmp', 'info registers'], { encoding: 'utf8' });
      if (/EAX=2badb0/.test(regs)) break;
      if (Date.now() > deadline) throw new Error(`the echo kernel did not start:\n${regs}`);
      await pause(500);
    }
  });
  after(() => {
    try {
      execFileSync('virsh', ['-c', qemu, 'destroy', GUEST], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('types to the guest and shows its output, until ^]', async () => {
    const out = await both(qemu, `console ${GUEST}`, [[2500, 'hello'], [1000, 'World 1'], [1000, '\x1d']]);
    expect(out).to.contain(`Connected to domain '${GUEST}'\r\nEscape character is ^] (Ctrl + ])\r\nHELLOWORLD 1`);
    expect(out).to.contain('[rc=0]');
  });

  it('another escape character with -e', async () => {
    const out = await both(qemu, `-e '^a' console ${GUEST}`, [[2500, 'abc'], [1000, '\x1d'], [1000, '\x01']]);
    expect(out).to.contain('Escape character is ^a (Ctrl + a)\r\nABC\x1d');
  });

  it('--safe, and a quiet banner with -q', async () => {
    await both(qemu, `-q console ${GUEST} --safe`, [[2500, 'q'], [1000, '\x1d']]);
  });

  it('a character device that does not exist', async () => {
    const out = await both(qemu, `console ${GUEST} --devname nosuch`, [[2500, 'x']]);
    expect(out).to.contain('error: internal error: cannot find character device nosuch');
  });

  it('refused while another session holds the console', async () => {
    const held = onTerminal(virsh(qemu, `console ${GUEST}`), [[15_000, '\x1d']]);
    await pause(2500);
    const out = await both(qemu, `console ${GUEST}`, [[2000, 'x']]);
    expect(out).to.contain('error: operation failed: Active console session exists for this domain');
    await held;
  });

  it('--force takes the console over; the session that held it ends as in virsh', async () => {
    const takenFrom = async (holder: string, taker: string) => {
      const held = onTerminal(holder, [[10_000, '']]);
      await pause(2500);
      const took = await onTerminal(taker, [[2000, 'b'], [1000, '\x1d']]);
      expect(took).to.contain('\r\nB');
      return maskPolkit(await held);
    };
    const theirs = await takenFrom(virsh(qemu, `console ${GUEST}`), virsh(qemu, `console ${GUEST} --force`));
    expect(theirs).to.contain('error: stream had I/O failure');
    expect(await takenFrom(ours(qemu, `console ${GUEST}`), ours(qemu, `console ${GUEST} --force`))).to.equal(theirs);
  });

  it("edit's Try again? prompt: help, then no", async () => {
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/bin/sh\nsed -i "s|<name>|<nam>|" "$1"\n', { mode: 0o755 });
    const domain = join(dir, 'edit.xml');
    writeFileSync(domain, "<domain type='test'><name>virsh-rpc-edit</name><uuid>5d4c3b2a-1f0e-4d9c-8b7a-695847362514</uuid><memory>1024</memory><os><type>hvm</type></os></domain>\n");
    const out = await both(test, `${quote(`define ${domain}; edit virsh-rpc-edit`)}`, [[2500, '?'], [700, 'x'], [700, 'y'], [1500, 'n']], { EDITOR: bad });
    expect(out).to.contain('Failed. Try again? [y,n,i,f,?]: \r\ny - yes, start editor again\r\n');
  });

  describe('without a terminal', () => {
    // QEMU numbers each monitor command.
    const mask = (t: string) => t.replace(/libvirt-\d+/g, 'libvirt-N');
    const cases: string[][] = [
      ['qemu-monitor-command', GUEST, '{"execute":"query-status"}'],
      ['qemu-monitor-command', GUEST, 'query-status', '--pretty'],
      ['qemu-monitor-command', GUEST, 'query-status', '--return-value'],
      ['qemu-monitor-command', GUEST, 'query-chardev', '--pretty', '--return-value'],
      ['qemu-monitor-command', GUEST, 'query-block', '--pretty'],
      ['qemu-monitor-command', GUEST, 'qom-list', '"path":"/machine"', '--return-value'],
      ['qemu-monitor-command', GUEST, 'qom-list', '{"path":"/machine/unattached"}', '--pretty'],
      ['qemu-monitor-command', GUEST, '--hmp', 'info', 'status'],
      ['qemu-monitor-command', GUEST, '--hmp', '--pretty', 'info', 'status'],
      ['qemu-monitor-command', GUEST, 'nosuchcmd'],
      ['qemu-monitor-command', GUEST, 'nosuchcmd', '--return-value'],
      ['qemu-monitor-command', 'nosuch', 'query-status'],
      ['qemu-agent-command', GUEST, '{"execute":"guest-ping"}', '--timeout', '1'],
      ['qemu-agent-command', GUEST, '{"execute":"guest-ping"}', '--timeout', '0'],
      ['qemu-agent-command', GUEST, '{"execute":"guest-ping"}', '--async', '--block'],
      ['qemu-attach', '1234'],
      ['qemu-attach', 'x'],
      ['migrate-getspeed', GUEST],
      [`migrate-setspeed ${GUEST} 100; migrate-getspeed ${GUEST}`],
      [`migrate-setspeed ${GUEST} 100 --postcopy; migrate-getspeed ${GUEST} --postcopy`],
      ['migrate-setspeed', GUEST, 'x'],
      ['migrate-getmaxdowntime', GUEST],
      [`migrate-setmaxdowntime ${GUEST} 500; migrate-getmaxdowntime ${GUEST}`],
      ['migrate-setmaxdowntime', GUEST, '0'],
      ['migrate-compcache', GUEST],
      ['migrate-compcache', GUEST, '--size', '1048576'],
      ['migrate-postcopy', GUEST],
      ['blockjob', GUEST, 'vda'],
      ['blockjob', GUEST, 'vda', '--raw'],
      ['domblkthreshold', GUEST, 'vda', '1M'],
      ['blockresize', GUEST, 'vda', '1M'],
      ['console', GUEST],
      ['qemu-monitor-event', '--timeout', '1'],
      ['qemu-monitor-event', 'nosuch'],
      ['qemu-monitor-event', '--timeout', '0'],
      ['qemu-monitor-event', '--event', 'ST(', '--regex', '--timeout', '1'],
    ];
    for (const args of cases)
      it(args.join(' '), () => {
        const { virsh: theirs, ours: mine } = bothVirsh(['-c', qemu, ...args], { mask });
        expect(mine, args.join(' ')).to.deep.equal(theirs);
      });
  });

  describe('qemu-monitor-event sees what another connection does', () => {
    const mask = (t: string) => t.replace(/ at \d+\.\d{6} /g, ' at <time> ').replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: /gm, '<time>: ');
    for (const args of [['--loop', '--pretty'], ['--event', 'resume', '--no-case', '--timestamp'], ['--event', 'RES.*', '--regex', '--loop']])
      it(`qemu-monitor-event ${args.join(' ')}`, async () => {
        const watch = async (program: string[]) => {
          const watcher = runAsync(program[0]!, [...program.slice(1), '-c', qemu, 'qemu-monitor-event', GUEST, ...args, '--timeout', '4']);
          await pause(1500);
          const trigger = await runAsync('virsh', ['-c', qemu, `qemu-monitor-command ${GUEST} stop; qemu-monitor-command ${GUEST} cont`]);
          expect(trigger.status).to.equal(0);
          const r = await watcher;
          return { stdout: mask(r.stdout), stderr: r.stderr, status: r.status };
        };
        const theirs = await watch(['virsh']);
        expect(theirs.stdout).to.contain(`event RESUME`);
        expect(await watch([process.execPath, VIRSH_RPC])).to.deep.equal(theirs);
      });
  });
});
