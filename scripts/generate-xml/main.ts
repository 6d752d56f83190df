/**
 * npm run generate [-- --check]
 *
 * Reads libvirt 9.0.0's RelaxNG schemas (../shared/libvirt/9.0.0/schemas by default, or
 * src/conf/schemas of the libvirt source tree in LIBVIRT_SOURCE) and writes src/xml/generated/:
 * types, parsers, formatters and validators for every document kind. With --check it writes
 * nothing and fails when the committed files differ from a fresh run.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassBuilder, type Kind, runtimeClasses } from './classes.js';
import { emitDocuments, emitFormatters, emitParsers, emitTypes, emitValidators } from './emit.js';
import { NAMESPACE_PREFIXES, SchemaReader } from './rng.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'src/xml/generated');

/** The document kinds: the name (the schema's), the schema file, the TypeScript name of its root. */
export const KINDS = [
  ['domain', 'domain.rng', 'Domain'],
  ['capabilities', 'capability.rng', 'Capabilities'],
  ['domaincaps', 'domaincaps.rng', 'DomainCapabilities'],
  ['network', 'network.rng', 'Network'],
  ['networkport', 'networkport.rng', 'NetworkPort'],
  ['storagepool', 'storagepool.rng', 'StoragePool'],
  ['storagepoolcaps', 'storagepoolcaps.rng', 'StoragePoolCapabilities'],
  ['storagevol', 'storagevol.rng', 'StorageVolume'],
  ['nodedev', 'nodedev.rng', 'NodeDevice'],
  ['secret', 'secret.rng', 'Secret'],
  ['interface', 'interface.rng', 'Interface'],
  ['nwfilter', 'nwfilter.rng', 'NWFilter'],
  ['nwfilterbinding', 'nwfilterbinding.rng', 'NWFilterBinding'],
  ['domainsnapshot', 'domainsnapshot.rng', 'DomainSnapshot'],
  ['domaincheckpoint', 'domaincheckpoint.rng', 'DomainCheckpoint'],
  ['domainbackup', 'domainbackup.rng', 'DomainBackup'],
] as const;

function schemaDir(): string {
  const source = process.env.LIBVIRT_SOURCE;
  if (source) {
    const d = join(source, 'src/conf/schemas');
    if (!existsSync(join(d, 'domain.rng'))) throw new Error(`LIBVIRT_SOURCE=${source} has no src/conf/schemas/domain.rng`);
    return d;
  }
  const tail = 'shared/libvirt/9.0.0/schemas';
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, tail, 'domain.rng'))) return join(dir, tail);
    if (existsSync(join(dir, '..', tail, 'domain.rng'))) return resolve(dir, '..', tail);
    if (dirname(dir) === dir) break;
  }
  const fixed = join('/work', tail);
  if (existsSync(join(fixed, 'domain.rng'))) return fixed;
  throw new Error(`cannot find libvirt's schemas (${tail}) beside ${root}: set LIBVIRT_SOURCE to a libvirt source tree`);
}

export function generate(dir: string): Map<string, string> {
  const reader = new SchemaReader();
  const builder = new ClassBuilder();
  builder.reserve(KINDS.map(([, , typeName]) => typeName));
  const kinds: Kind[] = KINDS.map(([kind, file, typeName]) => builder.kind(kind, typeName, reader.grammarOf(join(dir, file))));
  const runtime = runtimeClasses(kinds);
  const parse = emitParsers(builder.classes, runtime);
  const format = emitFormatters(builder.classes, runtime);
  const validate = emitValidators(builder.classes);
  return new Map([
    ['types.ts', emitTypes(builder.classes)],
    ['parse.ts', parse.text],
    ['format.ts', format.text],
    ['validate.ts', validate.text],
    ['documents.ts', emitDocuments(kinds, NAMESPACE_PREFIXES, { parse: parse.nameOf, format: format.nameOf, validate: validate.nameOf })],
  ]);
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = generate(schemaDir());
  if (check) {
    const stale: string[] = [];
    for (const [name, text] of files) {
      const path = join(outDir, name);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(name);
    }
    const extra = existsSync(outDir) ? readdirSync(outDir).filter((f) => !files.has(f)) : [];
    if (stale.length || extra.length) {
      console.error(`src/xml/generated is stale (${[...stale, ...extra.map((f) => `${f} (not generated)`)].join(', ')}): run npm run generate`);
      process.exit(1);
    }
    console.log(`src/xml/generated is up to date (${files.size} files)`);
    return;
  }
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) if (!files.has(f)) throw new Error(`src/xml/generated/${f} is not generated: remove it by hand`);
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  console.log(`wrote src/xml/generated (${[...files.keys()].join(', ')})`);
}

main();
