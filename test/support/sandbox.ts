import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
export const SANDBOX = join(root, 'scripts/libvirtd-sandbox');
export const SYSTEM_DEPS = join(root, 'scripts/system-deps');

/** Installs what is missing of the project's Debian package groups (scripts/system-deps). */
export function ensureSystemDeps(...groups: string[]): void {
  execFileSync(SYSTEM_DEPS, ['install', ...groups], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The sandbox's env lines (KEY=VALUE) as an object. */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(LIBVIRT_SANDBOX_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export function sandboxRunning(): boolean {
  try {
    execFileSync(SANDBOX, ['status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the private libvirtd (idempotent) and exports its URIs into process.env. */
export function startSandbox(): Record<string, string> {
  const env = parseEnv(execFileSync(SANDBOX, ['start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 }));
  Object.assign(process.env, env);
  return env;
}

export function stopSandbox(): void {
  execFileSync(SANDBOX, ['stop'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
}

export function guestXml(name: string): string {
  return execFileSync(SANDBOX, ['guest-xml', name], { encoding: 'utf8' });
}

/** A sandbox URI by its variable suffix, e.g. uri('QEMU_UNIX_URI'). */
export function sandboxEnv(name: string): string {
  const v = process.env[`LIBVIRT_SANDBOX_${name}`];
  if (!v) throw new Error(`LIBVIRT_SANDBOX_${name} is not set: is the sandbox started (test/integration/setup)?`);
  return v;
}

/** A TCP port on 127.0.0.1 that is free right now (for a private daemon's listener). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
