import { expect } from 'chai';
import { fuzz, loadSeeds, Prng, mutate } from '../support/fuzz.js';

// Mutation fuzzing from recorded real replies (test/support/fuzz.ts) with a fixed seed and a count
// that runs in a few seconds; `npm run fuzz -- --count N --seed S` runs longer.
const SEED = 20261201;
const COUNT = 30_000;

describe('mutation fuzzing of the decoders, the framing and the engine', function () {
  this.timeout(120_000);

  it('the same seed gives the same inputs', () => {
    const [seed] = loadSeeds();
    const a = mutate(new Prng(7), seed!.replies[3]!, seed!.replies);
    const b = mutate(new Prng(7), seed!.replies[3]!, seed!.replies);
    expect(a.equals(b)).to.equal(true);
    expect(a.equals(seed!.replies[3]!)).to.equal(false);
  });

  it(`${COUNT} mutated inputs: only XdrError, FramingError or LibvirtError, every call settles`, async () => {
    const seeds = loadSeeds();
    expect(seeds.flatMap((s) => s.replies).length).to.be.above(5);
    const report = await fuzz(seeds, COUNT, SEED);
    const shown = report.failures.map((f) => `${f.target} #${f.index}: ${f.error}\n  input ${f.input}`).join('\n');
    expect(report.failures, shown).to.deep.equal([]);
    expect(report.inputs).to.equal(COUNT);
  });
});
