// A command on a pseudo-terminal made by script(1), for the tests of what virsh does on a terminal.
import { spawn } from 'node:child_process';

/** Runs `cmd` on a pseudo-terminal, typing each input once `waitFor` has appeared since the last. */
export function onTerminal(cmd: string, steps: { waitFor: string; type: string }[], env: NodeJS.ProcessEnv): Promise<{ out: string; status: number | null }> {
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
