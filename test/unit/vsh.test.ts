// The vsh machinery on its own: C printf, libvirt's number parsing, virsh's tokenizer and parser.
import { expect } from 'chai';
import { cformat } from '../../src/cli/vsh/cformat.js';
import { scaleInteger, strToSigned, strToUnsigned } from '../../src/cli/vsh/numbers.js';
import { StringSource, type Token } from '../../src/cli/vsh/tokenizer.js';
import { checkCommandTables, splitCommas, escapeShell } from '../../src/cli/vsh/builtins.js';
import { virshGroups } from '../../src/cli/virsh/groups.js';
import { adminGroups } from '../../src/cli/virt-admin/main.js';
import { Table } from '../../src/cli/vsh/table.js';

describe('vsh: cformat (C printf)', () => {
  const cases: [string, unknown[], string][] = [
    ['%-15s %s\n', ['Id:', '1'], 'Id:             1\n'],
    ['%5d|%-5d|%05d', [42, 42, 42], '   42|42   |00042'],
    ['%u', [-1], '4294967295'],
    ['%llu', [-1n], '18446744073709551615'],
    ['%x %X %#x %02x', [255, 255, 255, 10], 'ff FF 0xff 0a'],
    ['%.1lfs', [1796170462.96], '1796170463.0s'],
    ['%.3f %f', [2.0005, 1.5], '2.001 1.500000'],
    ['%+d % d %%', [5, 5], '+5  5 %'],
    ['%.2s|%c', ['abc', 65], 'ab|A'],
    ['%s', [null], '(null)'],
    ['%*d', [4, 7], '   7'],
  ];
  for (const [fmt, args, want] of cases) it(JSON.stringify(fmt), () => expect(cformat(fmt, ...(args as never[]))).to.equal(want));
});

describe('vsh: numbers as libvirt reads them', () => {
  it('virStrToLong_i: whole string, 32 bits, leading blanks and signs', () => {
    expect(strToSigned(' +42', 32)?.value).to.equal(42n);
    expect(strToSigned('2147483648', 32)).to.equal(null);
    expect(strToSigned('-2147483648', 32)?.value).to.equal(-2147483648n);
    expect(strToSigned('42MB', 32)).to.equal(null);
    expect(strToSigned('', 32)).to.equal(null);
    expect(strToSigned('0x10', 32, 0)?.value).to.equal(16n);
  });
  it('virStrToLong_ui wraps a minus sign, _uip refuses it', () => {
    expect(strToUnsigned('-1', 32, true)?.value).to.equal(4294967295n);
    expect(strToUnsigned('-1', 32, false)).to.equal(null);
    expect(strToUnsigned('-1', 64, true)?.value).to.equal(18446744073709551615n);
    expect(strToUnsigned('18446744073709551616', 64, true)).to.equal(null);
  });
  it('virScaleInteger: suffixes, bases, overflow', () => {
    expect(scaleInteger(42n, 'MB', 1024n, 1n << 62n)).to.equal(42000000n);
    expect(scaleInteger(42n, 'M', 1024n, 1n << 62n)).to.equal(42n * 1024n * 1024n);
    expect(scaleInteger(42n, '', 1024n, 1n << 62n)).to.equal(42n * 1024n);
    expect(() => scaleInteger(42n, 'WB', 1n, 1n << 62n)).to.throw("unknown suffix 'WB'");
    expect(() => scaleInteger(1n << 61n, 'KiB', 1n, 1n << 62n)).to.throw('value too large');
  });
});

describe('vsh: the command-string tokenizer', () => {
  const words = (line: string): (string | Token['kind'])[] => {
    const src = new StringSource(line);
    const out: (string | Token['kind'])[] = [];
    for (;;) {
      const t = src.next(true);
      out.push(t.kind === 'arg' ? t.value : t.kind);
      if (t.kind === 'end' || t.kind === 'error') return out;
    }
  };
  it('quotes, escapes, separators and comments', () => {
    expect(words(`a 'b c' "d\\"e" f\\ g;h # c\ni`)).to.deep.equal(['a', 'b c', 'd"e', 'f g', 'end-command', 'h', 'end-command', 'i', 'end']);
    expect(words("'single \\ stays'")).to.deep.equal(['single \\ stays', 'end']);
    expect(words('x\\')).to.deep.equal(['error']);
  });
});

describe('vsh: helpers and tables', () => {
  it('vshStringToArray splits on commas with ,, as a comma', () => {
    expect(splitCommas('a,,b,c')).to.deep.equal(['a,b', 'c']);
    expect(splitCommas('a,')).to.deep.equal(['a', '']);
  });
  it('virBufferEscapeShell', () => {
    expect(escapeShell('plain')).to.equal('plain');
    expect(escapeShell("it's")).to.equal("'it'\\''s'");
    expect(escapeShell('')).to.equal("''");
  });
  it('vshTable aligns columns and encodes control characters', () => {
    const t = new Table('Id', 'Name').add('1', 'a\tb').add('10', 'x');
    expect(t.toString()).to.equal(' Id   Name\n--------------\n 1    a\\x09b\n 10   x\n');
    expect(t.toString(false)).to.equal(' 1    a\\x09b\n 10   x\n');
  });
  it("virsh's and virt-admin's generated tables pass the self-test checks", () => {
    expect(checkCommandTables(virshGroups as never)).to.deep.equal([]);
    expect(checkCommandTables(adminGroups as never)).to.deep.equal([]);
    expect(virshGroups.flatMap((g) => g.commands).filter((c) => !c.alias && !c.hidden)).to.have.length(274);
  });
});
