// Runs libvirt's virsh and our virsh-rpc with the same arguments and stdin, on the same daemon,
// for tests that compare stdout, stderr and the exit status byte for byte.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
export const VIRSH_RPC = join(root, 'bin/virsh-rpc.js');
export const VIRT_ADMIN_RPC = join(root, 'bin/virt-admin-rpc.js');

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

export interface RunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeout?: number;
}

/** The environment both programs run in: C locale, no default URI from the caller's shell. */
function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  delete env.LIBVIRT_DEFAULT_URI;
  delete env.VIRSH_DEFAULT_CONNECT_URI;
  delete env.VIRSH_DEBUG;
  delete env.VIRSH_LOG_FILE;
  return { ...env, ...extra };
}

function run(cmd: string, args: readonly string[], opts: RunOptions): RunResult {
  const r = spawnSync(cmd, args, { input: opts.stdin ?? '', env: baseEnv(opts.env), cwd: opts.cwd, encoding: 'utf8', timeout: opts.timeout ?? 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/**
 * Runs a program with stdout and stderr on one file, as a shell's `> out 2>&1` does, so the
 * interleaving of the two is what the program wrote (libvirt's test scripts compare such files).
 */
export function runMerged(cmd: string, args: readonly string[], opts: RunOptions = {}): { output: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'virsh-merged-'));
  const path = join(dir, 'out');
  const fd = openSync(path, 'w');
  try {
    const r = spawnSync(cmd, args, { input: opts.stdin ?? '', stdio: ['pipe', fd, fd], env: baseEnv(opts.env), cwd: opts.cwd, timeout: opts.timeout ?? 60_000 });
    if (r.error) throw r.error;
    return { output: readFileSync(path, 'utf8'), status: r.status };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** virsh or virsh-rpc with merged output (runMerged). */
export const runVirshMerged = (program: 'virsh' | 'virsh-rpc', args: readonly string[], opts: RunOptions = {}) =>
  program === 'virsh' ? runMerged('virsh', args, opts) : runMerged(process.execPath, [VIRSH_RPC, ...args], opts);

/** Like run, without blocking the event loop (for cases where the test talks to the daemon meanwhile). */
export function runAsync(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: baseEnv(opts.env), cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

export const runVirsh = (args: readonly string[], opts: RunOptions = {}): RunResult => run('virsh', args, opts);
export const runVirshRpc = (args: readonly string[], opts: RunOptions = {}): RunResult => run(process.execPath, [VIRSH_RPC, ...args], opts);
export const runVirtAdmin = (args: readonly string[], opts: RunOptions = {}): RunResult => run('virt-admin', args, opts);
export const runVirtAdminRpc = (args: readonly string[], opts: RunOptions = {}): RunResult => run(process.execPath, [VIRT_ADMIN_RPC, ...args], opts);

/** Both programs' results, with `mask` applied to what changes between two runs (times, counters). */
export function bothVirsh(args: readonly string[], opts: RunOptions & { mask?: (s: string) => string } = {}): { virsh: RunResult; ours: RunResult } {
  const mask = opts.mask ?? ((s: string) => s);
  const m = (r: RunResult): RunResult => ({ stdout: mask(r.stdout), stderr: mask(r.stderr), status: r.status });
  return { virsh: m(runVirsh(args, opts)), ours: m(runVirshRpc(args, opts)) };
}

/** Masks a dominfo-style "CPU time:  123.4s" value. */
export const maskCpuTime = (s: string): string => s.replace(/(CPU time:\s+)[0-9.]+s/g, '$1<masked>s');

/**
 * A test-driver URI whose state is private to each connection: the daemon loads libvirt's default
 * test configuration (test_driver.c's defaultConnXML, in test/fixtures) afresh for every open,
 * so each virsh or virsh-rpc run starts from the same state whatever else is connected. (The
 * shared test:///default keeps its state while any connection to it is open.)
 */
export function freshTestURI(): string {
  const socket = process.env.LIBVIRT_SANDBOX_SOCKET;
  if (!socket) throw new Error('LIBVIRT_SANDBOX_SOCKET is not set: is the sandbox started (test/integration/setup)?');
  return `test+unix://${join(root, 'test/fixtures/test-driver-default.xml')}?socket=${socket}`;
}
