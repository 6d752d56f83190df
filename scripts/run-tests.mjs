#!/usr/bin/env node
// Runs the compiled mocha suites (unit, integration, or both) and prints `tests: N passed, N failed`.
// Integration tests start the private libvirtd themselves (test/integration/setup).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'integration'];
const summary = join(root, '.test-summary.jsonl');
rmSync(summary, { force: true });
let crashed = 0;
for (const suite of suites) {
  const dir = join(root, 'dist/test', suite);
  if (!existsSync(dir)) {
    console.error(`run-tests: no compiled tests in ${dir} (run npm run build)`);
    crashed++;
    continue;
  }
  const setup = join(dir, 'setup.js');
  const args = [
    join(root, 'node_modules/mocha/bin/mocha.js'),
    '--reporter', join(root, 'test/reporter.cjs'),
    '--recursive',
    ...(existsSync(setup) ? ['--require', setup] : []),
    `${dir}/**/*.test.js`,
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, MOCHA_SUMMARY_FILE: summary } });
  if (r.status !== 0 && r.status !== null) console.error(`run-tests: ${suite} suite exited with ${r.status}`);
  if (r.status === null) crashed++;
}
let passed = 0;
let failed = crashed;
if (existsSync(summary)) {
  for (const line of readFileSync(summary, 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line);
    passed += s.passes;
    failed += s.failures;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
