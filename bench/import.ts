// Import time of the published package: the tarball installed into an empty folder, `node` loading
// it by `import` and by `require` (and libvirt-rpc/xml by `import`), against bare `node` starting and
// exiting, interleaved rounds.
// `npm run bench:import` (BENCH_ROUNDS, default 21).
import { spawnSync } from 'node:child_process';
import { packAndInstall } from '../test/support/package.js';
import { median as med } from './common.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
const pkg = packAndInstall();
const cases = {
  bare: ['-e', ''],
  import: ['--input-type=module', '-e', "await import('libvirt-rpc')"],
  require: ['-e', "require('libvirt-rpc')"],
  xml: ['--input-type=module', '-e', "await import('libvirt-rpc/xml')"],
} as const;
const times: Record<keyof typeof cases, number[]> = { bare: [], import: [], require: [], xml: [] };
for (let i = 0; i < rounds; i++) {
  for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...cases[name]], { cwd: pkg.dir, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${name}: node exited with ${r.status}`);
    times[name].push(performance.now() - t0);
  }
}

const bare = med(times.bare);
console.log(`package: ${pkg.tarball} (${(pkg.size / 1024).toFixed(0)} KiB packed, ${(pkg.unpackedSize / 1024 / 1024).toFixed(1)} MiB unpacked, ${pkg.files.length} files)`);
console.log(`node ${process.versions.node}, median of ${rounds} interleaved rounds (wall time of the whole process)`);
console.log(`  bare node:          ${bare.toFixed(1)} ms`);
for (const name of ['import', 'require'] as const) {
  const m = med(times[name]);
  console.log(`  ${name.padEnd(8)} libvirt-rpc: ${m.toFixed(1)} ms (+${(m - bare).toFixed(1)} ms over bare node)`);
}
const xml = med(times.xml);
console.log(`  import   libvirt-rpc/xml: ${xml.toFixed(1)} ms (+${(xml - bare).toFixed(1)} ms over bare node)`);
