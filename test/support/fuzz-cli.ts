// `npm run fuzz -- --count N --seed S`: a longer mutation-fuzzing run (test/support/fuzz.ts) than
// the unit suite's. Prints inputs/s and every failure with the input that reproduces it (hex);
// exits 1 on a failure. `--from I --count 1` replays input I of a seed alone.
import { parseArgs } from 'node:util';
import { fuzz, loadSeeds } from './fuzz.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, seed: { type: 'string', default: String(Date.now() % 2 ** 31) }, from: { type: 'string', default: '0' } } });
const count = Number(values.count);
const seed = Number(values.seed);
const from = Number(values.from);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed) || !Number.isSafeInteger(from) || from < 0) {
  console.error('usage: npm run fuzz -- [--count N] [--seed S] [--from I]');
  process.exit(2);
}
const seeds = loadSeeds();
console.log(`fuzzing ${count} inputs, seed ${seed}, from ${seeds.reduce((n, s) => n + s.replies.length, 0)} recorded replies in ${seeds.length} fixture(s)`);
const report = await fuzz(seeds, count, seed, 20, from);
console.log(`${report.inputs} inputs in ${report.seconds.toFixed(1)} s: ${Math.round(report.inputs / report.seconds)} inputs/s, ${report.failures.length} failure(s)`);
for (const f of report.failures) {
  console.log(`\nFAILURE ${f.target} (seed ${seed}, input ${f.index}; replay: npm run fuzz -- --seed ${seed} --from ${f.index} --count 1): ${f.error}\n  input: ${f.input}`);
}
process.exit(report.failures.length ? 1 : 0);
