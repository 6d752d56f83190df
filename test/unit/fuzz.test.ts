import { expect } from 'chai';
import { fuzz, loadSeeds, Prng, mutate } from '../support/fuzz.js';
import { XdrReader } from '../../src/protocol/xdr/index.js';

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

  it('finds a planted fault and reports the input that replays it', async () => {
    const string = XdrReader.prototype.string;
    XdrReader.prototype.string = function (this: XdrReader, where: string, max: number): string {
      const v = string.call(this, where, max);
      if (v.length > 900) throw new TypeError('planted');
      return v;
    };
    try {
      const report = await fuzz(loadSeeds(), 3000, SEED, 1);
      expect(report.failures).to.have.length(1);
      const [f] = report.failures;
      expect(f!.error).to.match(/TypeError: planted/);
      // The same seed and index give the same input.
      const again = await fuzz(loadSeeds(), 1, SEED, 1, f!.index);
      expect(again.failures.map((x) => x.input)).to.deep.equal([f!.input]);
    } finally {
      XdrReader.prototype.string = string;
    }
  });
});
