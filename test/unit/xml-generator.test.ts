/** The typed-XML generator's --check: the committed src/xml/generated must be what the schemas give. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
const generator = join(root, 'dist-scripts/generate-xml/main.js');
const SCHEMAS = '/work/shared/libvirt/9.0.0/schemas';

function checkWith(edit?: (schemas: string) => void): { status: number | null; output: string } {
  const tree = mkdtempSync(join(tmpdir(), 'libvirt-rpc-xmlgen-'));
  try {
    const schemas = join(tree, 'src/conf/schemas');
    cpSync(sharedSchemas(), schemas, { recursive: true });
    edit?.(schemas);
    const r = spawnSync(process.execPath, [generator, '--check'], { env: { ...process.env, LIBVIRT_SOURCE: tree }, encoding: 'utf8' });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** The schemas beside the checkout, as the generator finds them. */
function sharedSchemas(): string {
  for (let dir = root; dir !== '/'; dir = join(dir, '..')) {
    const candidate = join(dir, '..', 'shared/libvirt/9.0.0/schemas');
    try {
      readFileSync(join(candidate, 'domain.rng'));
      return candidate;
    } catch {
      /* further up */
    }
  }
  return SCHEMAS;
}

describe('typed XML generator', function () {
  this.timeout(60_000);

  it('--check passes on the schemas the committed output was generated from', () => {
    const r = checkWith();
    expect(r.output).to.contain('src/xml/generated is up to date');
    expect(r.status).to.equal(0);
  });

  it('--check fails, naming the stale files, when a schema changes', () => {
    const r = checkWith((schemas) => {
      const p = join(schemas, 'secret.rng');
      const text = readFileSync(p, 'utf8');
      const changed = text.replace('<element name="description">', '<optional><attribute name="rotation"><ref name="unsignedInt"/></attribute></optional><element name="description">');
      expect(changed).not.to.equal(text);
      writeFileSync(p, changed);
    });
    expect(r.status).to.equal(1);
    expect(r.output).to.match(/src\/xml\/generated is stale \(types\.ts, parse\.ts, format\.ts, validate\.ts\)/);
  });

  it('refuses a schema it cannot read, with the reason', () => {
    const r = checkWith((schemas) => writeFileSync(join(schemas, 'secret.rng'), readFileSync(join(schemas, 'secret.rng'), 'utf8').replace('<start>', '<start><parentRef name="x"/>')));
    expect(r.status).to.not.equal(0);
    expect(r.output).to.contain('unsupported RelaxNG element <parentRef>');
  });
});
