// virsh-rpc against libvirt's virsh on the sandbox's test driver: the same arguments give the same
// stdout, stderr and exit status, byte for byte.
import { expect } from 'chai';
import { bothVirsh, freshTestURI, maskCpuTime } from '../support/virsh-compare.js';

describe('virsh-rpc vs virsh (test driver)', function () {
  this.timeout(120_000);
  let uri: string;
  before(() => {
    uri = freshTestURI();
  });

  const same = (args: string[], opts: { stdin?: string; mask?: (s: string) => string } = {}) => {
    const { virsh, ours } = bothVirsh(['-c', uri, ...args], opts);
    expect(ours, `virsh-rpc ${args.join(' ')}`).to.deep.equal(virsh);
    return virsh;
  };

  describe('parsing and the virsh group', () => {
    const cases: string[][] = [
      ['list', '--foo'],
      ['nosuch'],
      ['list', '--all', '--all'],
      ['list', 'extra'],
      ['dominfo'],
      ['dominfo', '--domain'],
      ['list', '--table', '--name'],
      ['help', 'list'],
      ['help', 'domain'],
      ['help', 'nosuchgroup'],
      ['help'],
      ['list --all; dominfo test', '<mask>'],
      ['list --all; nosuch'],
      ['echo', 'a', 'b c', "'d'"],
      ['echo --shell "a b" \'c\'"d"e'],
      ['echo --xml "<&>"'],
      ['echo --split a,,b,c'],
      ['echo --err hello'],
      ['echo --hi'],
      ['echo --hi=x'],
      ['echo "unterminated'],
      ['echo dangling\\'],
      ['# a comment; echo after'],
      ['echo', '--', '--all'],
      ['dominfo', '--help'],
      ['start', '--help'],
      ['cd'],
      ['self-test'],
    ];
    for (const args of cases) it(args.join(' '), () => void same(args.filter((a) => a !== '<mask>'), { mask: maskCpuTime }));
  });

  describe('global options', () => {
    const cases: string[][] = [['-v'], ['-V'], ['--version=long'], ['-x'], ['--k=1'], ['-e', 'xx'], ['-d', 'x'], ['-d', '9', 'uri'], ['-k', '-1'], ['-q', 'list'], ['-t', 'list'], ['-r', 'start', 'test'], ['-h']];
    for (const args of cases)
      it(args.join(' '), () => {
        const { virsh, ours } = bothVirsh(args[0] === '-h' || args[0]!.startsWith('-v') || args[0] === '-V' || args[0] === '-x' || args[0] === '--k=1' || args[0] === '-e' || args[0] === '-d' && args[1] === 'x' || args[0] === '-k' ? args : ['-c', uri, ...args], {
          mask: (s) => s.replace(/\(Time: [0-9.]+ ms\)/g, '(Time: <masked> ms)'),
        });
        expect(ours).to.deep.equal(virsh);
      });
    it('a URI that cannot be reached', () => {
      const { virsh, ours } = bothVirsh(['-c', 'test+unix:///default?socket=/nonexistent/sock', 'list']);
      expect(ours).to.deep.equal(virsh);
    });
  });

  describe('the interactive shell on a non-terminal stdin', () => {
    it('runs each line, echoing the prompt and the line as readline does', () => void same([], { stdin: 'list\ndominfo test\nquit\n', mask: maskCpuTime }));
    it('prints a newline at EOF', () => void same([], { stdin: 'list --all\n' }));
    it('keeps going after a bad line', () => void same([], { stdin: 'nosuch\nlist\n' }));
    it('quiet mode has no banner', () => void same(['-q'], { stdin: 'uri\n' }));
  });

  describe('dumpxml --xpath (XPath 1.0 and libxml2 printing)', () => {
    const exprs = [
      '//os', '//disk/@type', 'string(//name)', '//name/text()', 'count(//disk)', '//nosuch', '//[', '/domain/devices/*[1]',
      "//*[@type='network']", '/', "//disk[target/@dev='hda']/source", '//@*', '//devices/*[last()]', '//memory | //vcpu',
      '..//name', 'name', './devices/interface/mac/@address', '//devices/disk[1]/following-sibling::*[1]', '//mac/ancestor::*',
      "concat('a', 'b')", "//*[starts-with(name(), 'v')]", '//interface[position()=1]/*[2]', '//bogus(', 'foo(', "'abc",
      'count(//disk', '//disk[1', '@@', '//os | foo()',
    ];
    for (const x of exprs) it(x, () => void same(['dumpxml', 'test', '--xpath', x]));
    for (const x of ['//interface', '//@*', '//name/text()']) it(`${x} --wrap`, () => void same(['dumpxml', 'test', '--xpath', x, '--wrap']));
  });

  describe('commands', () => {
    const cases: string[][] = [
      ['list'],
      ['list', '--all'],
      ['list', '--inactive'],
      ['list', '--name'],
      ['list', '--uuid'],
      ['list', '--id'],
      ['list', '--uuid', '--name', '--id'],
      ['list', '--title'],
      ['list', '--state-running'],
      ['list', '--managed-save', '--all'],
      ['dominfo', 'test'],
      ['dominfo', '1'],
      ['dominfo', '6695eb01-f6a4-8304-79aa-97f2502e193f'],
      ['dominfo', 'nosuch'],
      ['domstate', 'test'],
      ['domstate', 'test', '--reason'],
      ['domid', 'test'],
      ['domname', '1'],
      ['domuuid', 'test'],
      ['dumpxml', 'test'],
      ['dumpxml', '--inactive', 'test'],
      ['start', 'test'],
      ['destroy', 'test'],
      ['destroy test; start test; list --all'],
      ['suspend test; domstate test --reason; resume test; domstate test'],
      ['resume test'],
      ['shutdown test; list --all'],
      ['shutdown', '--mode', 'bogus', 'test'],
      ['reboot', 'test'],
      ['define', '/nonexistent.xml'],
      ['create', '/nonexistent.xml'],
      ['version'],
      ['version', '--daemon'],
      ['uri'],
      ['hostname'],
      ['nodeinfo'],
      ['capabilities'],
      ['sysinfo'],
      ['connect', uriPlaceholder()],
    ];
    for (const args of cases)
      it(args.join(' '), () => {
        const real = args.map((a) => (a === uriPlaceholder() ? uri : a));
        same(real, { mask: maskCpuTime });
      });
  });
});

function uriPlaceholder(): string {
  return '<sandbox test URI>';
}
