// Mocha's spec reporter, plus a summary file that scripts/run-tests.mjs adds up.
const Mocha = require('mocha');
const { appendFileSync } = require('node:fs');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const s = runner.stats || {};
      appendFileSync(file, JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0 }) + '\n');
    });
  }
}
module.exports = SummaryReporter;
