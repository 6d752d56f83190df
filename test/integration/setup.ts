// Mocha root hooks for the integration suite: a private libvirtd for the whole run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setProcedureObserver } from '../../src/rpc/engine.js';
import { ensureSystemDeps, sandboxRunning, startSandbox, stopSandbox } from '../support/sandbox.js';

let startedHere = false;
// Every procedure a real daemon answered during the run, for `npm run coverage:api`.
const exercised = new Map<string, { ok: number; error: number }>();
setProcedureObserver((name, ok) => {
  const e = exercised.get(name) ?? { ok: 0, error: 0 };
  if (ok) e.ok++;
  else e.error++;
  exercised.set(name, e);
});
const root = new URL('../../..', import.meta.url).pathname;

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(600_000);
    // Everything the suites need from Debian, on a fresh machine too (the sandbox's and the tests').
    ensureSystemDeps('sandbox', 'tests');
    startedHere = !sandboxRunning();
    startSandbox();
  },
  afterAll(this: Mocha.Context): void {
    this.timeout(120_000);
    mkdirSync(join(root, '.coverage'), { recursive: true });
    writeFileSync(join(root, '.coverage/exercised-procedures.json'), JSON.stringify(Object.fromEntries([...exercised].sort()), null, 1) + '\n');
    if (startedHere || process.env.CI) stopSandbox();
  },
};
