// libvirt's own virsh tests (tests/virshtest.c of libvirt 9.0) run against virsh-rpc, with their
// expected outputs; each case also runs libvirt's virsh, so the adaptation itself is checked.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sandboxEnv } from '../support/sandbox.js';
import { runVirsh, runVirshRpc } from '../support/virsh-compare.js';

/** virshtest.c's echo cases: [number, expected stdout, arguments after `virsh --connect URI`]. */
const ECHO_CASES: [number, string, string[]][] = [
  [0, "\n", ["echo"]],
  [1, "a\n", ["echo", "a"]],
  [2, "a b\n", ["echo", "a", "b"]],
  [3, "a b\n", ["echo a \t b"]],
  [4, "a \t b\n", ["echo \"a \t b\""]],
  [5, "a \t b\n", ["echo 'a \t b'"]],
  [6, "a \t b\n", ["echo a\\ \\\t\\ b"]],
  [7, "\n\n", ["echo ; echo"]],
  [8, "a\nb\n", [";echo a; ; echo b;"]],
  [9, "' \" \\;echo\ta\n", ["echo", "'", "\"", "\\;echo\ta"]],
  [10, "' \" ;echo a\n", ["echo \\' \\\" \\;echo\ta"]],
  [11, "' \" \\\na\n", ["echo \\' \\\" \\\\;echo\ta"]],
  [12, "' \" \\\\\n", ["echo  \"'\"  '\"'  '\\'\"\\\\\""]],
  [13, "a A 0 + * ; . ' \" / ? =   \n < > &\n", ["echo", "a", "A", "0", "+", "*", ";", ".", "'", "\"", "/", "?", "=", " ", "\n", "<", ">", "&"]],
  [14, "a A 0 + '*' ';' . ''\\''' '\"' / '?' = ' ' '\n' '<' '>' '&'\n", ["echo", "--shell", "a", "A", "0", "+", "*", ";", ".", "'", "\"", "/", "?", "=", " ", "\n", "<", ">", "&"]],
  [15, "a A 0 + * ; . &apos; &quot; / ? =   \n &lt; &gt; &amp;\n", ["echo", "--xml", "a", "A", "0", "+", "*", ";", ".", "'", "\"", "/", "?", "=", " ", "\n", "<", ">", "&"]],
  [16, "a A 0 + '*' ';' . ''\\''' '\"' / '?' = ' ' '\n' '<' '>' '&'\n", ["echo", "--shell", "a", "A", "0", "+", "*", ";", ".", "'", "\"", "/", "?", "=", " ", "\n", "<", ">", "&"]],
  [17, "\n", ["echo", ""]],
  [18, "''\n", ["echo", "--shell", ""]],
  [19, "\n", ["echo", "--xml", ""]],
  [20, "''\n", ["echo", "--shell", ""]],
  [21, "\n", ["echo ''"]],
  [22, "''\n", ["echo --shell \"\""]],
  [23, "\n", ["echo --xml ''"]],
  [24, "''\n", ["echo --shell \"\"''"]],
  [25, "a\n", ["--", "echo", "--shell", "a"]],
  [26, "a\n", ["--", "echo", "a", "--shell"]],
  [27, "a --shell\n", ["--", "echo", "--", "a", "--shell"]],
  [28, "-- --shell a\n", ["echo", "--", "--", "--shell", "a"]],
  [29, "a\n", ["echo --s\\h'e'\"l\"l -- a"]],
  [30, "--shell a\n", ["echo \t '-'\"-\" \t --shell \t a"]],
  [31, "hello\n", ["echo", "--string", "hello"]],
  [32, "hello\n", ["echo --string hello"]],
  [33, "hello\n", ["echo", "--str", "hello"]],
  [34, "hello\n", ["echo --str hello"]],
  [35, "hello\n", ["echo --hi"]],
  [36, "a\nb\n", [" echo a; echo b;"]],
  [37, "a\nb\n", ["\necho a\n echo b\n"]],
  [38, "a\nb\n", ["ec\\\nho a\n echo \\\n b;"]],
  [39, "a\n b\n", ["\"ec\\\nho\" a\n echo \"\\\n b\";"]],
  [40, "a\n\\\n b\n", ["ec\\\nho a\n echo '\\\n b';"]],
  [41, "a\n", ["echo a # b"]],
  [42, "a\nc\n", ["echo a #b\necho c"]],
  [43, "a\nc\n", ["echo a # b\\\necho c"]],
  [44, "a # b\n", ["echo a '#' b"]],
  [45, "a # b\n", ["echo a \\# b"]],
  [46, "a\n", ["#unbalanced; 'quotes\"\necho a # b"]],
  [47, "a\n", ["\\# ignored;echo a\n'#also' ignored"]],
  [48, "a\nb,c,\nd,,e,,\nf,,,e\n", ["-q", "echo", "--split", "a,b,,c,,,d,,,,e,,,,,f,,,,,,e"]],
  [49, "\na\nb,c,\nd,,e,,\nf,,,e\n\n", ["-q", "echo", "--split", ",a,b,,c,,,d,,,,e,,,,,f,,,,,,e,"]],
  [50, ",a\nb,c,\nd,,e,,\nf,,,e,\n", ["-q", "echo", "--split", ",,a,b,,c,,,d,,,,e,,,,,f,,,,,,e,,"]],
  [51, ",\na\nb,c,\nd,,e,,\nf,,,e,\n\n", ["-q", "echo", "--split", ",,,a,b,,c,,,d,,,,e,,,,,f,,,,,,e,,,"]],
  [52, ",,a\nb,c,\nd,,e,,\nf,,,e,,\n", ["-q", "echo", "--split", ",,,,a,b,,c,,,d,,,,e,,,,,f,,,,,,e,,,,"]],
];

const FC4 = 'ef861801-45b9-11cb-88e3-afbfe5370493';
const FC4_MESSAGES = 'tainted: network configuration using opaque shell scripts';
const FC5_MESSAGES = [
  'tainted: running with undesirable elevated privileges',
  '                tainted: network configuration using opaque shell scripts',
  '                tainted: use of host cdrom passthrough',
  '                tainted: custom device tree blob used',
  '                tainted: use of deprecated configuration settings',
  '                deprecated configuration: CPU model Deprecated-Test',
].join('\n');
const dominfo = (id: number, name: string, uuid: string, cpus: number, max: number, used: number, messages: string) =>
  `Id:             ${id}\nName:           ${name}\nUUID:           ${uuid}\nOS Type:        linux\nState:          running\nCPU(s):         ${cpus}\n` +
  `Max memory:     ${max} KiB\nUsed memory:    ${used} KiB\nPersistent:     yes\nAutostart:      disable\nManaged save:   no\n` +
  `Security model: testSecurity\nSecurity DOI:   \nSecurity label: libvirt-test (enforcing)\nMessages:       ${messages}\n\n`;

describe("libvirt's virshtest.c against virsh-rpc", function () {
  this.timeout(120_000);
  let def: string;
  let custom: string;
  before(() => {
    // VIRSH_DEFAULT is test:///default; VIRSH_CUSTOM is libvirt's examples/xml/test/testnode.xml.
    def = sandboxEnv('TEST_UNIX_URI');
    const tree = execFileSync(new URL('../../../scripts/libvirt-source', import.meta.url).pathname, { encoding: 'utf8' }).trim();
    custom = `test+unix://${join(tree, 'examples/xml/test/testnode.xml')}?socket=${sandboxEnv('SOCKET')}`;
  });

  /** testCompareOutputLit: stdout equals `exp` once the line starting with `filter` is removed. */
  const check = (uri: () => string, args: string[], exp: string, filter?: string) => {
    for (const run of [runVirsh, runVirshRpc]) {
      const r = run(['--connect', uri(), ...args]);
      let out = r.stdout;
      if (filter) {
        const at = out.indexOf(filter);
        if (at >= 0) out = out.slice(0, at + 1) + out.slice(out.indexOf('\n', at + 1) + 1);
      }
      expect(out, `${run === runVirsh ? 'virsh' : 'virsh-rpc'} ${args.join(' ')}`).to.equal(exp);
    }
  };

  it('list (default)', () => check(() => def, ['list'], ' Id   Name   State\n----------------------\n 1    test   running\n\n'));
  it('list (custom)', () => check(() => custom, ['list'], ' Id   Name   State\n----------------------\n 1    fv0    running\n 2    fc4    running\n 3    fc5    running\n\n'));
  it('nodeinfo (default)', () =>
    check(() => def, ['nodeinfo'], 'CPU model:           i686\nCPU(s):              16\nCPU frequency:       1400 MHz\nCPU socket(s):       2\nCore(s) per socket:  2\nThread(s) per core:  2\nNUMA cell(s):        2\nMemory size:         3145728 KiB\n\n'));
  it('nodeinfo (custom)', () =>
    check(() => custom, ['nodeinfo'], 'CPU model:           i986\nCPU(s):              50\nCPU frequency:       6000 MHz\nCPU socket(s):       4\nCore(s) per socket:  4\nThread(s) per core:  2\nNUMA cell(s):        4\nMemory size:         8192000 KiB\n\n'));
  for (const key of ['2', FC4, 'fc4']) it(`dominfo ${key}`, () => check(() => custom, ['dominfo', key], dominfo(2, 'fc4', FC4, 1, 261072, 131072, FC4_MESSAGES), '\nCPU time:'));
  it('dominfo fc5 (tainted)', () => check(() => custom, ['dominfo', 'fc5'], dominfo(3, 'fc5', '08721f99-3d1d-4aec-96eb-97803297bb36', 4, 2097152, 2097152, FC5_MESSAGES), '\nCPU time:'));
  for (const key of ['2', 'fc4']) it(`domuuid ${key}`, () => check(() => custom, ['domuuid', key], `${FC4}\n\n`));
  for (const key of ['fc4', FC4]) it(`domid ${key}`, () => check(() => custom, ['domid', key], '2\n\n'));
  for (const key of ['2', FC4]) it(`domname ${key}`, () => check(() => custom, ['domname', key], 'fc4\n\n'));
  for (const key of ['2', FC4, 'fc4']) it(`domstate ${key}`, () => check(() => custom, ['domstate', key], 'running\n\n'));

  for (const [n, want, args] of ECHO_CASES) it(`virsh echo ${n}`, () => check(() => def, args, want));

  // tests/virsh-uriprecedence: -c over VIRSH_DEFAULT_CONNECT_URI over LIBVIRT_DEFAULT_URI, for
  // `uri` alone (the lazy default connection) and after `connect`.
  describe('virsh-uriprecedence', () => {
    const cases: [string, NodeJS.ProcessEnv, string[]][] = [
      ['LIBVIRT_DEFAULT_URI', { LIBVIRT_DEFAULT_URI: 'good' }, []],
      ['VIRSH_DEFAULT_CONNECT_URI', { LIBVIRT_DEFAULT_URI: 'bad', VIRSH_DEFAULT_CONNECT_URI: 'good' }, []],
      ['Parameter', { LIBVIRT_DEFAULT_URI: 'bad', VIRSH_DEFAULT_CONNECT_URI: 'bad' }, ['--connect', 'good']],
    ];
    for (const [name, env, args] of cases)
      for (const cmd of ['connect; uri', 'uri'])
        it(`${name}: ${cmd}`, () => {
          const good = sandboxEnv('TEST_UNIX_URI');
          const bad = sandboxEnv('QEMU_UNIX_URI');
          const sub = (v: string) => (v === 'good' ? good : v === 'bad' ? bad : v);
          const realEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, sub(v!)]));
          for (const run of [runVirsh, runVirshRpc]) {
            const r = run([...args.map(sub), cmd], { env: realEnv });
            expect(r.stdout, `${run === runVirsh ? 'virsh' : 'virsh-rpc'}: ${r.stderr}`).to.contain(good);
          }
        });
  });
});
