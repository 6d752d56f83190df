// The interactive shell on a terminal (under a pseudo-terminal made by script(1)): the prompt,
// line editing with history recalled by the up arrow, the history file, quit; as virsh does.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTerminal } from '../support/terminal.js';
import { VIRSH_RPC, freshTestURI } from '../support/virsh-compare.js';

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('virsh-rpc interactive shell on a terminal', function () {
  this.timeout(120_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'virsh-tty-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  for (const [name, bin] of [
    ['virsh', 'virsh'],
    ['virsh-rpc', `${process.execPath} ${VIRSH_RPC}`],
  ] as const)
    it(`${name}: prompt, a command, the up arrow recalls it, quit; history saved`, async () => {
      const uri = freshTestURI();
      const { out, status } = await onTerminal(
        `${bin} -c '${uri}'`,
        [
          { waitFor: 'virsh # ', type: 'domstate test\r' },
          { waitFor: 'running', type: '\x1b[A\r' },
          { waitFor: 'running', type: 'quit\r' },
        ],
        { HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      );
      expect(status).to.equal(0);
      const text = plain(out);
      expect(text).to.contain("Welcome to virsh, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n");
      expect(text.match(/running\n\n/g)).to.have.length(2);
      expect(readFileSync(join(home, '.cache/libvirt/virsh/history'), 'utf8').split('\n').filter(Boolean)).to.deep.equal(['domstate test', 'domstate test', 'quit']);
    });
  for (const [name, bin] of [
    ['virsh', 'virsh'],
    ['virsh-rpc', `${process.execPath} ${VIRSH_RPC}`],
  ] as const)
    it(`${name}: Tab completes a command, then a network name asked of the daemon`, async () => {
      const uri = freshTestURI();
      const { out, status } = await onTerminal(
        `${bin} -c '${uri}'`,
        [
          // "net-inf" is only net-info; "def" only the network "default".
          { waitFor: 'virsh # ', type: 'net-inf\t' },
          { waitFor: 'net-info', type: ' def\t' },
          { waitFor: 'default', type: '\r' },
          { waitFor: 'Bridge:', type: 'quit\r' },
        ],
        { HOME: home, XDG_CACHE_HOME: join(home, '.cache') },
      );
      expect(status).to.equal(0);
      expect(plain(out)).to.match(/Name: +default\nUUID: +[0-9a-f-]{36}\nActive: +yes\n/);
    });
});
