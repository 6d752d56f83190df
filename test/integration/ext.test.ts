// The ext transport (`?command=`): a local command whose stdin/stdout carry the protocol, compared
// with virsh on the same URI.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../src/api/open.js';
import { LibvirtError } from '../../src/errors/errors.js';
import { resolveTarget } from '../../src/uri/uri.js';
import { VIR_ERR_SYSTEM_ERROR, VIR_FROM_RPC } from '../../src/apixml/generated/constants.js';
import { openExt } from '../../src/transport/ext.js';
import { sandboxEnv } from '../support/sandbox.js';
import { ours, transportError, virshPlain } from '../support/ssh-oracle.js';

describe('ext transport (virsh as oracle)', function () {
  this.timeout(60_000);
  let dir: string;
  const script = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  before(() => {
    dir = mkdtempSync('/tmp/libvirt-rpc-ext-');
    chmodSync(dir, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Same outcome as virsh. `racy`: libvirt itself races the command's exit against its first write
   * (it then says "internal error: client socket is closed" or nothing instead of the command's
   * error); virsh is asked a few times and ours must be one of its answers.
   */
  async function same(uri: string, racy = false): Promise<{ ok: boolean; message: string | null; secure?: boolean; encrypted?: boolean }> {
    const mine = await ours(uri, { home: dir });
    let theirs = virshPlain(uri);
    for (let i = 0; racy && i < 10 && theirs.message !== mine.message; i++) theirs = virshPlain(uri);
    expect({ ok: mine.ok, message: mine.message }).to.deep.equal(theirs);
    return mine;
  }

  it('a command that proxies to the daemon (nc -U): works, neither secure nor encrypted', async () => {
    const cmd = script('proxy', `exec nc -U ${sandboxEnv('SOCKET')}`);
    const mine = await same(`qemu+ext:///system?command=${cmd}`);
    expect(mine.ok).to.equal(true);
    // remote_driver.c: no is_secure for ext ("we can't guarantee an external program is secure")
    expect([mine.secure, mine.encrypted]).to.deep.equal([false, false]);
    // and by URI through connect() itself
    const conn = await connect(`qemu+ext:///system?command=${cmd}`);
    try {
      expect([await conn.isSecure(), await conn.isEncrypted()]).to.deep.equal([false, false]);
    } finally {
      await conn.close();
    }
  });

  it('test:///default through a command found in $PATH', async () => {
    script('lvrpc-ext-proxy', `exec nc -U ${sandboxEnv('SOCKET')}`);
    const path = `${dir}:${process.env.PATH}`;
    const uri = 'test+ext:///default?command=lvrpc-ext-proxy';
    const old = process.env.PATH;
    process.env.PATH = path;
    try {
      await same(uri);
    } finally {
      process.env.PATH = old;
    }
  });

  it('a command that fails at once: its stderr is in the error', async () => {
    const cmd = script('fail', 'echo "fail: cannot reach the daemon" >&2\nexit 3');
    const mine = await same(`qemu+ext:///system?command=${cmd}`, true);
    expect(mine.message).to.equal('Cannot recv data: fail: cannot reach the daemon: Connection reset by peer');
  });

  it('a command that is not in $PATH', async () => {
    await same('qemu+ext:///system?command=no-such-libvirt-rpc-command');
  });

  it('a command path that does not exist, or is not executable', async () => {
    await same(`qemu+ext:///system?command=${dir}/no-such-file`, true);
    writeFileSync(join(dir, 'not-executable'), '#!/bin/sh\n');
    chmodSync(join(dir, 'not-executable'), 0o644);
    await same(`qemu+ext:///system?command=${dir}/not-executable`, true);
  });

  it('no ?command=', async () => {
    await same('qemu+ext:///system');
  });

  it('the command runs with libvirt\'s reduced environment', async () => {
    const out = join(dir, 'env.out');
    const cmd = script('envdump', `env | sort > ${out}\nexec nc -U ${sandboxEnv('SOCKET')}`);
    process.env.LIBVIRT_RPC_SECRET_TEST = 'must-not-leak';
    try {
      const conn = await connect(`qemu+ext:///system?command=${cmd}`, { transport: await openExt(resolveTarget(`qemu+ext:///system?command=${cmd}`)) });
      await conn.close();
    } finally {
      delete process.env.LIBVIRT_RPC_SECRET_TEST;
    }
    const { readFileSync } = await import('node:fs');
    const names = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('=')[0]);
    expect(names).to.include.members(['LC_ALL', 'PATH']);
    expect(names).to.not.include('LIBVIRT_RPC_SECRET_TEST');
  });

  it('the command dies mid-session: later calls fail with its stderr (End of file while reading data)', async () => {
    const cmd = script('dies', `exec 3<&0\nnc -U ${sandboxEnv('SOCKET')} <&3 &\npid=$!\nsleep 1\nkill $pid\necho "proxy: daemon went away" >&2\nexit 1`);
    const conn = await connect(`qemu+ext:///system?command=${cmd}`, { transport: await openExt(resolveTarget(`qemu+ext:///system?command=${cmd}`)) });
    await conn.getLibVersion();
    const err = await new Promise<LibvirtError>((resolve) => conn.on('close', (_reason, e) => resolve(e!)));
    const e = transportError(err);
    expect(e).to.include({ code: VIR_ERR_SYSTEM_ERROR, domain: VIR_FROM_RPC });
    expect(e.message).to.equal('End of file while reading data: proxy: daemon went away: Input/output error');
    await conn.close();
  });
});
