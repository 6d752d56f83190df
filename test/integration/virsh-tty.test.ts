// The interactive shell on a terminal (under a pseudo-terminal made by script(1)): the prompt,
// line editing with history recalled by the up arrow, the history file, quit; as virsh does.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIRSH_RPC, freshTestURI } from '../support/virsh-compare.js';

/** Runs `cmd` on a pseudo-terminal, typing each input once `waitFor` has appeared since the last. */
function onTerminal(cmd: string, steps: { waitFor: string; type: string }[], env: NodeJS.ProcessEnv): Promise<{ out: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...process.env, ...env, TERM: 'xterm' } });
    let out = '';
    let seen = 0;
    let step = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out at step ${step}; output so far: ${JSON.stringify(out)}`));
    }, 60_000);
    const pump = () => {
      while (step < steps.length) {
        const at = out.indexOf(steps[step]!.waitFor, seen);
        if (at < 0) return;
        seen = at + steps[step]!.waitFor.length;
        child.stdin.write(steps[step]!.type);
        step++;
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      pump();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ out, status });
    });
  });
}

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('virsh-rpc interactive shell on a terminal', function () {
  this.timeout(120_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'virsh-tty-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  for (const [name, bin] of [
    ['virsh', 'virsh'],
    ['virsh-rpc', `${process.execPath} ${VIRSH_RPC}`],
  ] as const)
    it(`${name}: prompt, a command, the up arrow recalls it, quit; history saved`, async () => {
      const uri = freshTestURI();
      const { out, status } = await onTerminal(
        `${bin} -c '${uri}'`,
        [
          { waitFor: 'virsh # ', type: 'domstate test\r' },
          { waitFor: 'running', type: '\x1b[A\r' },
          { waitFor: 'running', type: 'quit\r' },
        ],
        { HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      );
      expect(status).to.equal(0);
      const text = plain(out);
      expect(text).to.contain("Welcome to virsh, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n");
      expect(text.match(/running\n\n/g)).to.have.length(2);
      expect(readFileSync(join(home, '.cache/libvirt/virsh/history'), 'utf8').split('\n').filter(Boolean)).to.deep.equal(['domstate test', 'domstate test', 'quit']);
    });
});
