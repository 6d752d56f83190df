// Mocha root hooks for the integration suite: a private libvirtd for the whole run.
import { sandboxRunning, startSandbox, stopSandbox } from '../support/sandbox.js';

let startedHere = false;

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(600_000);
    startedHere = !sandboxRunning();
    startSandbox();
  },
  afterAll(this: Mocha.Context): void {
    this.timeout(120_000);
    if (startedHere || process.env.CI) stopSandbox();
  },
};
