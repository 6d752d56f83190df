// npm run generate [-- --check]: the protocol generator (src/protocol/generated) and the typed-XML
// generator (src/xml/generated) and the virsh command-table generator (src/cli/*/generated), each
// given the same arguments; fails when any fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let failed = false;
for (const script of ['dist-scripts/generate/main.js', 'dist-scripts/generate-xml/main.js', 'dist-scripts/generate-virsh/main.js']) {
  const r = spawnSync(process.execPath, [script, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
