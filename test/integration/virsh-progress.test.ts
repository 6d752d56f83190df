// virsh-rpc's progress bar (not virsh's) for vol-upload and vol-download on the sandbox's
// qemu:///system: drawn on stderr under a pseudo-terminal (script(1)); nothing with -q, nothing
// when stderr is not a terminal, and then the output is virsh's byte for byte.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxEnv } from '../support/sandbox.js';
import { runVirsh, runVirshRpc, VIRSH_RPC } from '../support/virsh-compare.js';

/** `cmd` run by a shell on a pseudo-terminal: what the terminal showed. */
function onTerminal(cmd: string): { out: string; status: number | null } {
  const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm', LC_ALL: 'C' }, timeout: 60_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, status: r.status };
}

const MiB = 1024 * 1024;
// The last frame of a bar: label, a full bar, 100%, done / total.
const finalFrame = (label: string, total: string) => new RegExp(`\\r${label}: \\[#+\\] 100% ${total} / ${total} [0-9.]+ [KMG]?i?B/s\\x1b\\[K\\r?\\n`);

describe('virsh-rpc progress bar: vol-upload and vol-download on a terminal', function () {
  this.timeout(120_000);
  let uri: string;
  let dir: string;
  let src: string;
  const pool = `vprogress-${process.pid}`;
  const rpc = `${process.execPath} ${VIRSH_RPC}`;

  before(() => {
    uri = sandboxEnv('QEMU_UNIX_URI');
    dir = mkdtempSync(join(tmpdir(), 'virsh-progress-'));
    mkdirSync(join(dir, 'pool'));
    // 3 MiB: 1 MiB of data, a 1 MiB hole, 1 MiB of data.
    src = join(dir, 'src.img');
    const fd = openSync(src, 'w');
    ftruncateSync(fd, 3 * MiB);
    writeSync(fd, randomBytes(MiB), 0, MiB, 0);
    writeSync(fd, randomBytes(MiB), 0, MiB, 2 * MiB);
    closeSync(fd);
    const r = runVirsh(['-c', uri, `pool-create-as ${pool} dir --target ${dir}/pool; vol-create-as ${pool} v 3M; vol-create-as ${pool} w 3M`]);
    expect(r.status, r.stderr).to.equal(0);
  });
  after(() => {
    runVirsh(['-c', uri, `pool-destroy ${pool}`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('vol-upload: the bar on the terminal, ending at 100% of the file', () => {
    const { out, status } = onTerminal(`${rpc} -c '${uri}' vol-upload v ${src} --pool ${pool}`);
    expect(status).to.equal(0);
    expect(out).to.match(finalFrame('vol-upload', '3\\.0 MiB'));
    expect(readFileSync(join(dir, 'pool', 'v')).equals(readFileSync(src))).to.equal(true);
  });

  it('vol-upload --sparse: data and holes counted, to 100%', () => {
    const { out, status } = onTerminal(`${rpc} -c '${uri}' vol-upload w ${src} --pool ${pool} --sparse`);
    expect(status).to.equal(0);
    expect(out).to.match(finalFrame('vol-upload', '3\\.0 MiB'));
  });

  it('vol-download and vol-download --sparse: the bar to 100% of the volume', () => {
    for (const [file, flag] of [
      ['d1', ''],
      ['d2', ' --sparse'],
    ] as const) {
      const { out, status } = onTerminal(`${rpc} -c '${uri}' vol-download v ${join(dir, file)} --pool ${pool}${flag}`);
      expect(status, out).to.equal(0);
      expect(out).to.match(finalFrame('vol-download', '3\\.0 MiB'));
      expect(readFileSync(join(dir, file)).equals(readFileSync(src))).to.equal(true);
    }
  });

  it('the bar is on stderr: stdout alone on the terminal shows nothing of it, stderr alone shows it', () => {
    const quietErr = onTerminal(`${rpc} -c '${uri}' vol-upload v ${src} --pool ${pool} 2>/dev/null`);
    expect(quietErr.out).to.equal('\r\n');
    const errOnly = onTerminal(`${rpc} -c '${uri}' vol-upload v ${src} --pool ${pool} >/dev/null`);
    expect(errOnly.out).to.match(finalFrame('vol-upload', '3\\.0 MiB'));
  });

  it('-q: nothing drawn, on a terminal too', () => {
    const { out, status } = onTerminal(`${rpc} -q -c '${uri}' vol-download v ${join(dir, 'd3')} --pool ${pool}`);
    expect(status).to.equal(0);
    expect(out).to.equal('');
  });

  it('not a terminal: nothing drawn, the output is virsh\'s', () => {
    const a = runVirsh(['-c', uri, `vol-upload v ${src} --pool ${pool}; vol-download v ${join(dir, 'd4')} --pool ${pool}`]);
    const b = runVirshRpc(['-c', uri, `vol-upload v ${src} --pool ${pool}; vol-download v ${join(dir, 'd5')} --pool ${pool}`]);
    expect(b).to.deep.equal(a);
    expect(b.stderr).to.equal('');
  });
});
