import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { configureLogging, getLogger, LogPriority, redact } from '../../src/util/log.js';

// 2026-11-21 09:11:27.123+0000: 4242: debug : rpc.engine : message
const LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\+0000): (\d+): (debug|info|warning|error) : (\S+) : (.*)$/;

describe('util/log', () => {
  let captured: string[];
  let originalWrite: typeof process.stderr.write;
  let dir: string;

  /** Lines written to stderr since the test began. */
  const stderrLines = (): string[] => captured.join('').split('\n').filter((l) => l !== '');
  /** Warnings the logging layer wrote about its own configuration. */
  const problems = (): string[] => stderrLines().filter((l) => l.includes(' : util.log : '));
  const readLines = (path: string): string[] =>
    existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'libvirt-rpc-log-'));
  });

  after(() => {
    configureLogging({});
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    captured = [];
    originalWrite = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array): boolean => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stderr.write;
  });

  afterEach(() => {
    process.stderr.write = originalWrite;
    configureLogging({});
  });

  describe('no variable set', () => {
    it('writes warnings and errors to stderr and nothing else (libvirt client default)', () => {
      configureLogging({});
      const log = getLogger('api.conn');
      expect(log.enabled(LogPriority.DEBUG)).to.equal(false);
      expect(log.enabled(LogPriority.INFO)).to.equal(false);
      expect(log.enabled(LogPriority.WARN)).to.equal(true);
      expect(log.enabled(LogPriority.ERROR)).to.equal(true);
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      const lines = stderrLines();
      expect(lines).to.have.length(2);
      const [warn, err] = lines.map((l) => LINE.exec(l));
      expect(warn?.slice(2)).to.deep.equal([String(process.pid), 'warning', 'api.conn', 'w']);
      expect(err?.slice(2)).to.deep.equal([String(process.pid), 'error', 'api.conn', 'e']);
    });

    it('treats empty variables as unset', () => {
      configureLogging({ LIBVIRT_DEBUG: '', LIBVIRT_LOG_FILTERS: '', LIBVIRT_LOG_OUTPUTS: '' });
      const log = getLogger('api.conn');
      expect(log.enabled(LogPriority.INFO)).to.equal(false);
      expect(log.enabled(LogPriority.WARN)).to.equal(true);
      expect(captured).to.deep.equal([]);
    });
  });

  describe('LIBVIRT_DEBUG', () => {
    const cases: Array<[string, number]> = [
      ['1', 1], ['debug', 1], ['2', 2], ['info', 2], ['3', 3], ['warning', 3], ['warn', 3], ['4', 4], ['error', 4],
    ];
    for (const [value, priority] of cases) {
      it(`accepts ${value}`, () => {
        configureLogging({ LIBVIRT_DEBUG: value });
        const log = getLogger('api.conn');
        expect(log.enabled(priority)).to.equal(true);
        expect(log.enabled(priority - 1)).to.equal(false);
        expect(problems()).to.deep.equal([]);
      });
    }

    for (const value of ['0', '5', 'DEBUG', 'verbose', ' 1', '1 ', '-1', '1.0']) {
      it(`rejects ${JSON.stringify(value)} with one warning and keeps the default`, () => {
        configureLogging({ LIBVIRT_DEBUG: value });
        const log = getLogger('api.conn');
        expect(log.enabled(LogPriority.INFO)).to.equal(false);
        expect(log.enabled(LogPriority.WARN)).to.equal(true);
        const warnings = problems();
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.match(LINE);
        expect(warnings[0]).to.contain('LIBVIRT_DEBUG').and.contain(`'${value}'`);
      });
    }

    it('an invalid LIBVIRT_DEBUG does not discard the other variables', () => {
      const file = join(dir, 'debug-invalid.log');
      configureLogging({ LIBVIRT_DEBUG: 'nope', LIBVIRT_LOG_FILTERS: '1:rpc', LIBVIRT_LOG_OUTPUTS: `1:file:${file}` });
      expect(problems()).to.have.length(1);
      getLogger('rpc.engine').debug('kept');
      expect(readLines(file).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['kept']);
    });
  });

  describe('LIBVIRT_LOG_FILTERS', () => {
    it('a filter enables debug below the default priority for matching categories only', () => {
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '1:rpc' });
      expect(getLogger('rpc.engine').enabled(LogPriority.DEBUG)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.DEBUG)).to.equal(false);
      expect(getLogger('api.conn').enabled(LogPriority.WARN)).to.equal(false);
      expect(getLogger('api.conn').enabled(LogPriority.ERROR)).to.equal(true);
    });

    it('a filter silences matching categories above the default priority', () => {
      configureLogging({ LIBVIRT_DEBUG: '1', LIBVIRT_LOG_FILTERS: '4:rpc' });
      expect(getLogger('rpc.engine').enabled(LogPriority.WARN)).to.equal(false);
      expect(getLogger('rpc.engine').enabled(LogPriority.ERROR)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.DEBUG)).to.equal(true);
    });

    it('matches a substring anywhere in the category', () => {
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '1:engine 2:nn' });
      expect(getLogger('rpc.engine').enabled(LogPriority.DEBUG)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.INFO)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.DEBUG)).to.equal(false);
      expect(getLogger('transport.tls').enabled(LogPriority.WARN)).to.equal(false);
    });

    it('the first matching filter wins, as in libvirt', () => {
      configureLogging({ LIBVIRT_DEBUG: '3', LIBVIRT_LOG_FILTERS: '4:rpc.engine 1:rpc' });
      expect(getLogger('rpc.engine').enabled(LogPriority.WARN)).to.equal(false);
      expect(getLogger('rpc.framing').enabled(LogPriority.DEBUG)).to.equal(true);
      configureLogging({ LIBVIRT_DEBUG: '3', LIBVIRT_LOG_FILTERS: '1:rpc 4:rpc.engine' });
      expect(getLogger('rpc.engine').enabled(LogPriority.DEBUG)).to.equal(true);
    });

    it('supports glob wildcards and treats "." literally', () => {
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '1:rpc.*ine 2:a?i.' });
      expect(getLogger('rpc.engine').enabled(LogPriority.DEBUG)).to.equal(true);
      expect(getLogger('rpcXengine').enabled(LogPriority.DEBUG)).to.equal(false);
      expect(getLogger('api.conn').enabled(LogPriority.INFO)).to.equal(true);
    });

    it('accepts and ignores the "+" stack-trace marker, extra spaces and text after a second colon', () => {
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '  1:+rpc   +2:api  3:transport:ignored ' });
      expect(problems()).to.deep.equal([]);
      expect(getLogger('rpc.engine').enabled(LogPriority.DEBUG)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.INFO)).to.equal(true);
      expect(getLogger('api.conn').enabled(LogPriority.DEBUG)).to.equal(false);
      expect(getLogger('transport.tls').enabled(LogPriority.WARN)).to.equal(true);
      expect(getLogger('transport.tls').enabled(LogPriority.INFO)).to.equal(false);
    });

    for (const value of ['rpc', '0:rpc', '5:rpc', 'x:rpc', '1:', '1:+', '1:rpc 9:api', '-1:rpc']) {
      it(`rejects ${JSON.stringify(value)} as a whole, with one warning`, () => {
        configureLogging({ LIBVIRT_DEBUG: '3', LIBVIRT_LOG_FILTERS: value });
        const warnings = problems();
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.contain('LIBVIRT_LOG_FILTERS');
        // No filter at all applies, not even the valid items.
        expect(getLogger('rpc.engine').enabled(LogPriority.INFO)).to.equal(false);
        expect(getLogger('rpc.engine').enabled(LogPriority.WARN)).to.equal(true);
      });
    }
  });

  describe('LIBVIRT_LOG_OUTPUTS', () => {
    it('writes to a file in libvirt\'s line format', () => {
      const file = join(dir, 'format.log');
      configureLogging({ LIBVIRT_DEBUG: '1', LIBVIRT_LOG_OUTPUTS: `1:file:${file}` });
      const before = Date.now();
      getLogger('rpc.engine').debug('hello world: 42');
      const lines = readLines(file);
      expect(lines).to.have.length(1);
      const m = LINE.exec(lines[0]);
      expect(m, lines[0]).to.not.equal(null);
      expect(m?.slice(2)).to.deep.equal([String(process.pid), 'debug', 'rpc.engine', 'hello world: 42']);
      const stamp = Date.parse(`${m?.[1].replace(' ', 'T').replace('+0000', 'Z')}`);
      expect(stamp).to.be.within(before - 1000, Date.now() + 1000);
      expect(captured).to.deep.equal([]); // Nothing on stderr when outputs are defined.
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    });

    it('opens the file lazily and appends to it', () => {
      const file = join(dir, 'append.log');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:file:${file}` });
      expect(existsSync(file)).to.equal(false);
      getLogger('api.conn').error('one');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:file:${file}` });
      getLogger('api.conn').error('two');
      expect(readLines(file).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['one', 'two']);
    });

    it('applies each output\'s own priority to multiple outputs', () => {
      const all = join(dir, 'multi-all.log');
      const errors = join(dir, 'multi-errors.log');
      configureLogging({
        LIBVIRT_DEBUG: '1',
        LIBVIRT_LOG_OUTPUTS: `1:file:${all} 4:file:${errors} 3:stderr`,
      });
      const log = getLogger('rpc.engine');
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      expect(readLines(all).map((l) => LINE.exec(l)?.[3])).to.deep.equal(['debug', 'info', 'warning', 'error']);
      expect(readLines(errors).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['e']);
      expect(stderrLines().map((l) => LINE.exec(l)?.[5])).to.deep.equal(['w', 'e']);
    });

    it('still applies the filters before the outputs', () => {
      const file = join(dir, 'filtered.log');
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '1:rpc', LIBVIRT_LOG_OUTPUTS: `1:file:${file}` });
      getLogger('rpc.engine').debug('yes');
      getLogger('api.conn').warn('no');
      getLogger('api.conn').error('yes too');
      expect(readLines(file).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['yes', 'yes too']);
    });

    it('writes to stderr with an explicit stderr output', () => {
      configureLogging({ LIBVIRT_DEBUG: '1', LIBVIRT_LOG_OUTPUTS: '2:stderr' });
      const log = getLogger('transport.ssh');
      log.debug('hidden');
      log.info('shown');
      const lines = stderrLines();
      expect(lines).to.have.length(1);
      expect(LINE.exec(lines[0])?.slice(3)).to.deep.equal(['info', 'transport.ssh', 'shown']);
    });

    it('enabled() accounts for what the outputs accept', () => {
      configureLogging({ LIBVIRT_DEBUG: '1', LIBVIRT_LOG_OUTPUTS: '3:stderr' });
      expect(getLogger('rpc.engine').enabled(LogPriority.INFO)).to.equal(false);
      expect(getLogger('rpc.engine').enabled(LogPriority.WARN)).to.equal(true);
    });

    it('replaces a duplicate output by its last occurrence', () => {
      const file = join(dir, 'dup.log');
      configureLogging({ LIBVIRT_DEBUG: '1', LIBVIRT_LOG_OUTPUTS: `1:file:${file} 4:stderr 4:file:${file} 2:stderr` });
      const log = getLogger('rpc.engine');
      log.info('i');
      log.error('e');
      expect(readLines(file).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['e']);
      expect(stderrLines().map((l) => LINE.exec(l)?.[5])).to.deep.equal(['i', 'e']);
    });

    it('reports syslog and journald once as unsupported and drops them', () => {
      const file = join(dir, 'unsupported.log');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:syslog:libvirt 1:journald 1:file:${file}` });
      const warnings = problems();
      expect(warnings).to.have.length(2);
      expect(warnings[0]).to.contain("'syslog'").and.contain('not supported');
      expect(warnings[1]).to.contain("'journald'").and.contain('not supported');
      getLogger('api.conn').error('to file only');
      expect(readLines(file)).to.have.length(1);
      expect(stderrLines()).to.have.length(2);

      captured = [];
      configureLogging({ LIBVIRT_LOG_OUTPUTS: '1:syslog:libvirt 2:journald' });
      expect(problems()).to.deep.equal([]); // Once per process.
      // Only unsupported outputs: the messages are dropped, not sent to stderr.
      expect(getLogger('api.conn').enabled(LogPriority.ERROR)).to.equal(false);
      getLogger('api.conn').error('dropped');
      expect(captured).to.deep.equal([]);
    });

    const invalid = [
      'stderr',
      '0:stderr',
      '5:stderr',
      'x:stderr',
      '1:console',
      '1:stderr:extra',
      '1:file',
      '1:file:',
      '1:file:/tmp/a:b',
      '1:syslog',
      '1:journald:x',
      '1:stderr 1:bogus',
    ];
    for (const value of invalid) {
      it(`rejects ${JSON.stringify(value)} as a whole, with one warning, falling back to stderr`, () => {
        configureLogging({ LIBVIRT_LOG_OUTPUTS: value });
        const warnings = problems();
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.contain('LIBVIRT_LOG_OUTPUTS');
        captured = [];
        getLogger('api.conn').warn('fallback');
        expect(stderrLines().map((l) => LINE.exec(l)?.[5])).to.deep.equal(['fallback']);
      });
    }

    it('reports a file that cannot be opened once and disables that output', () => {
      const file = join(dir, 'missing-dir', 'x.log');
      const good = join(dir, 'good.log');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:file:${file} 3:file:${good}` });
      const log = getLogger('api.conn');
      expect(log.enabled(LogPriority.DEBUG)).to.equal(false); // Default priority 3.
      log.warn('first');
      log.warn('second');
      const warnings = problems();
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain(file);
      expect(readLines(good).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['first', 'second']);
    });
  });

  describe('reconfiguration', () => {
    it('loggers handed out earlier follow the new configuration', () => {
      configureLogging({});
      const log = getLogger('rpc.engine');
      expect(log.enabled(LogPriority.DEBUG)).to.equal(false);
      configureLogging({ LIBVIRT_DEBUG: '1' });
      expect(log.enabled(LogPriority.DEBUG)).to.equal(true);
      configureLogging({ LIBVIRT_DEBUG: '4', LIBVIRT_LOG_FILTERS: '2:engine' });
      expect(log.enabled(LogPriority.DEBUG)).to.equal(false);
      expect(log.enabled(LogPriority.INFO)).to.equal(true);
      configureLogging({});
      expect(log.enabled(LogPriority.INFO)).to.equal(false);
      expect(log.enabled(LogPriority.WARN)).to.equal(true);
    });

    it('switches outputs', () => {
      const a = join(dir, 'switch-a.log');
      const b = join(dir, 'switch-b.log');
      const log = getLogger('api.conn');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:file:${a}` });
      log.error('to a');
      configureLogging({ LIBVIRT_LOG_OUTPUTS: `1:file:${b}` });
      log.error('to b');
      configureLogging({});
      log.error('to stderr');
      expect(readLines(a).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['to a']);
      expect(readLines(b).map((l) => LINE.exec(l)?.[5])).to.deep.equal(['to b']);
      expect(stderrLines().map((l) => LINE.exec(l)?.[5])).to.deep.equal(['to stderr']);
    });
  });

  describe('getLogger', () => {
    it('returns one logger per category', () => {
      const a = getLogger('rpc.engine');
      expect(getLogger('rpc.engine')).to.equal(a);
      expect(getLogger('api.conn')).to.not.equal(a);
      expect(a.category).to.equal('rpc.engine');
    });

    it('reads process.env lazily on first use and loses no line on exit', () => {
      const file = join(dir, 'child.log');
      const moduleUrl = new URL('../../src/util/log.js', import.meta.url).href;
      const script = [
        'const { getLogger } = await import(process.argv[1]);',
        "const log = getLogger('rpc.engine');",
        "process.env.LIBVIRT_DEBUG = '1';", // Set after getLogger, before the first message.
        "log.debug('from child');",
        'process.exit(3);',
      ].join('\n');
      const env: Record<string, string | undefined> = { ...process.env, LIBVIRT_LOG_OUTPUTS: `1:file:${file}` };
      delete env.LIBVIRT_DEBUG;
      delete env.LIBVIRT_LOG_FILTERS;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, moduleUrl], {
        env,
        encoding: 'utf8',
      });
      expect(child.status, child.stderr).to.equal(3);
      const lines = readLines(file);
      expect(lines).to.have.length(1);
      expect(LINE.exec(lines[0])?.slice(2)).to.deep.equal([String(child.pid), 'debug', 'rpc.engine', 'from child']);
    });
  });

  describe('redact', () => {
    it('replaces a secret by a placeholder that reveals nothing about it', () => {
      expect(redact('hunter2')).to.equal('<redacted>');
      expect(redact('a much longer secret value')).to.equal(redact('x'));
      expect(redact('')).to.equal('<redacted>');
    });
  });
});
