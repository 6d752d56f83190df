/**
 * npm run generate [-- --check]
 *
 * Reads libvirt's .x protocol files and API XML (../shared/libvirt/11.3.0 by default, or the
 * libvirt source tree in LIBVIRT_SOURCE) and writes src/protocol/generated/. With --check it
 * writes nothing and fails when the committed files differ from a fresh run.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiXml, readApiXml, resolveEnumValues } from './apixml.js';
import { CodecEmitter, emitSchema, jsdoc } from './emit-codecs.js';
import { emitConstants, emitFunctionDocs, emitTypedParamTypes } from './emit-api.js';
import { type ProgramSpec, emitProcedures } from './emit-procedures.js';
import { XdrSyntaxError } from './lexer.js';
import { emitMethods } from './emit-methods.js';
import { Model, type SourceFile } from './model.js';
import { parseXdr } from './parser.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const srcDir = join(root, 'src');
/**
 * Where the output goes, by what it is generated from and which layer uses it: the codecs and
 * procedure tables (.x files) are the protocol layer's, the constants, typed-parameter field types
 * and function docs (API XML) are data every layer may use, the methods are the API layer's.
 */
const PROTOCOL = 'protocol/generated';
const APIXML = 'apixml/generated';
const API = 'api/generated';
const ADMIN = 'admin/generated';
const OUT_DIRS = [PROTOCOL, APIXML, API, ADMIN];

/** The .x files in dependency order, with where they live in a libvirt source tree. */
const X_FILES = [
  { module: 'virnet', file: 'virnetprotocol.x', tree: 'src/rpc' },
  { module: 'keepalive', file: 'virkeepaliveprotocol.x', tree: 'src/rpc' },
  { module: 'remote', file: 'remote_protocol.x', tree: 'src/remote' },
  { module: 'qemu', file: 'qemu_protocol.x', tree: 'src/remote' },
  { module: 'lxc', file: 'lxc_protocol.x', tree: 'src/remote' },
  { module: 'admin', file: 'admin_protocol.x', tree: 'src/admin' },
];
const API_FILES = ['libvirt-api.xml', 'libvirt-qemu-api.xml', 'libvirt-lxc-api.xml', 'libvirt-admin-api.xml'];

const PROGRAMS: ProgramSpec[] = [
  { module: 'keepalive', program: 'KEEPALIVE_PROGRAM', version: 'KEEPALIVE_PROTOCOL_VERSION', procEnum: 'keepalive_procedure', procPrefix: 'KEEPALIVE_PROC_', typePrefix: 'keepalive_' },
  { module: 'remote', program: 'REMOTE_PROGRAM', version: 'REMOTE_PROTOCOL_VERSION', procEnum: 'remote_procedure', procPrefix: 'REMOTE_PROC_', typePrefix: 'remote_' },
  { module: 'qemu', program: 'QEMU_PROGRAM', version: 'QEMU_PROTOCOL_VERSION', procEnum: 'qemu_procedure', procPrefix: 'QEMU_PROC_', typePrefix: 'qemu_' },
  { module: 'lxc', program: 'LXC_PROGRAM', version: 'LXC_PROTOCOL_VERSION', procEnum: 'lxc_procedure', procPrefix: 'LXC_PROC_', typePrefix: 'lxc_' },
  { module: 'admin', program: 'ADMIN_PROGRAM', version: 'ADMIN_PROTOCOL_VERSION', procEnum: 'admin_procedure', procPrefix: 'ADMIN_PROC_', typePrefix: 'admin_' },
];

/**
 * The libvirt 11.3.0 inputs that sit beside a checkout (../shared/libvirt/11.3.0). A clone made
 * elsewhere on the same machine (CI clones to a temporary directory) finds them by walking up
 * from the checkout, then at the workspace's fixed place.
 */
export function sharedInputDir(): string {
  const tail = 'shared/libvirt/11.3.0';
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, tail, 'remote_protocol.x'))) return join(dir, tail);
    if (existsSync(join(dir, '..', tail, 'remote_protocol.x'))) return resolve(dir, '..', tail);
    if (dirname(dir) === dir) break;
  }
  const fixed = join('/work', tail);
  if (existsSync(join(fixed, 'remote_protocol.x'))) return fixed;
  throw new Error(`cannot find libvirt's protocol files (${tail}) beside ${root}: set LIBVIRT_SOURCE to a libvirt source tree`);
}

function findInputs(): { xPaths: Map<string, string>; apiPaths: string[] } {
  const source = process.env.LIBVIRT_SOURCE;
  const xPaths = new Map<string, string>();
  if (!source) {
    const dir = sharedInputDir();
    for (const x of X_FILES) xPaths.set(x.module, join(dir, x.file));
    return { xPaths, apiPaths: API_FILES.map((f) => join(dir, f)) };
  }
  for (const x of X_FILES) {
    const flat = join(source, x.file);
    xPaths.set(x.module, existsSync(flat) ? flat : join(source, x.tree, x.file));
  }
  // The API XML is a build product of libvirt (scripts/apibuild.py); look where builds put it.
  const candidates = [process.env.LIBVIRT_API_XML_DIR, source, join(source, 'build/docs'), join(source, 'docs'), '/usr/share/libvirt/api'].filter(
    (d): d is string => !!d,
  );
  const apiDir = candidates.find((d) => existsSync(join(d, 'libvirt-api.xml')));
  if (!apiDir) {
    throw new Error(`no libvirt-api.xml under ${candidates.join(', ')}: build libvirt's docs (scripts/apibuild.py) or set LIBVIRT_API_XML_DIR`);
  }
  return { xPaths, apiPaths: API_FILES.map((f) => join(apiDir, f)).filter((p) => existsSync(p)) };
}

const HEADER = (what: string): string[] => [`// Generated by scripts/generate from ${what}. Do not edit: run \`npm run generate\`.`, '/* eslint-disable */'];

function generate(): Map<string, string> {
  const { xPaths, apiPaths } = findInputs();
  const apis: ApiXml[] = apiPaths.map((p) => readApiXml(p));
  resolveEnumValues(apis);
  const files: SourceFile[] = X_FILES.map((x) => {
    const path = xPaths.get(x.module)!;
    if (!existsSync(path)) throw new Error(`missing ${path}`);
    return { module: x.module, file: x.file, defs: parseXdr(x.file, readFileSync(path, 'utf8')) };
  });
  const model = new Model(files, apis);
  const out = new Map<string, string>();
  const counts: string[] = [];
  for (const f of files) {
    const em = new CodecEmitter(model, f.module);
    const body: string[] = [];
    for (const c of model.constOrder.get(f.module)!) {
      if (f.defs.some((d) => d.kind === 'const' && d.name === c.name)) body.push(...jsdoc(c.comment), `export const ${c.name} = ${c.value};`);
    }
    for (const d of model.order.get(f.module)!) body.push('', ...em.emitType(d));
    const spec = PROGRAMS.find((p) => p.module === f.module);
    let usesProcedures = false;
    if (spec) {
      const { lines, count } = emitProcedures(model, em, spec);
      body.push('', ...lines);
      counts.push(`${spec.module}: ${count} procedures`);
      usesProcedures = true;
    }
    const head = [
      ...HEADER(f.file),
      "import { type Codec, XdrReader, XdrWriter } from '../xdr/index.js';",
      ...(usesProcedures ? ["import { type ProgramInfo, program } from '../procedure.js';"] : []),
      ...em.importLines(),
    ];
    out.set(`${PROTOCOL}/${f.module}.ts`, [...head, ...body, ''].join('\n'));
  }
  const external = [...model.external].sort(([a], [b]) => (a < b ? -1 : 1));
  out.set(
    `${PROTOCOL}/external.ts`,
    [...HEADER('the API XML: C header constants the .x files use'), ...external.map(([k, v]) => `export const ${k} = ${v};`), ''].join('\n'),
  );
  out.set(`${PROTOCOL}/schema.ts`, [...HEADER('the .x files: a data description of every type, for tests'), "import type { SchemaType } from '../schema.js';", '', 'export const schema: Readonly<Record<string, SchemaType>> = {', ...emitSchema(model, files.map((f) => f.module)), '};', ''].join('\n'));
  const methods = emitMethods(model, apis);
  out.set(`${API}/methods.ts`, [...HEADER('the procedure tables and the API XML: the API layer\'s methods'), ...methods.code, ''].join('\n'));
  out.set(`${ADMIN}/methods.ts`, [...HEADER('the admin procedure table and the admin API XML: the admin API\'s methods'), ...methods.adminCode, ''].join('\n'));
  out.set(
    `${API}/method-map.ts`,
    [
      ...HEADER('the procedure tables and the API XML: which C function became which method'),
      'export interface MethodMapEntry {',
      '  readonly cName: string;',
      '  readonly cls: string;',
      '  readonly method: string;',
      '  readonly procedure: string | null;',
      "  readonly program: 'remote' | 'qemu' | 'lxc' | 'admin';",
      "  readonly status: 'generated' | 'hand-written' | 'not yet';",
      '  readonly note: string;',
      '}',
      '',
      'export const methodMap: readonly MethodMapEntry[] = [',
      ...methods.methods.map((m) => `  ${JSON.stringify(m)},`),
      '];',
      '',
    ].join('\n'),
  );
  out.set(`${APIXML}/typed-params.ts`, [...HEADER('the API XML: field macros and their documented types'), ...emitTypedParamTypes(apis), ''].join('\n'));
  out.set(`${APIXML}/constants.ts`, [...HEADER(apiPaths.map((p) => p.split('/').pop()).join(', ')), ...emitConstants(apis), ''].join('\n'));
  out.set(`${APIXML}/functions.ts`, [...HEADER(apiPaths.map((p) => p.split('/').pop()).join(', ')), ...emitFunctionDocs(apis), ''].join('\n'));
  out.set(
    `${PROTOCOL}/index.ts`,
    [
      ...HEADER('the list of generated modules'),
      ...X_FILES.map((x) => `export * as ${x.module} from './${x.module}.js';`),
      "export * as constants from '../../apixml/generated/constants.js';",
      // functions.ts (the C documentation, 0.6 MB) is not re-exported: importing the package must
      // not load it; the methods carry the same text as JSDoc.
      '',
    ].join('\n'),
  );
  process.stderr.write(`generate: ${counts.join(', ')}\n`);
  return out;
}

function main(): void {
  if (process.argv.includes('--print-input-dir')) {
    process.stdout.write(sharedInputDir() + '\n');
    return;
  }
  const check = process.argv.includes('--check');
  let out: Map<string, string>;
  try {
    out = generate();
  } catch (e) {
    process.stderr.write(`generate: ${e instanceof XdrSyntaxError ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  }
  if (check) {
    const stale: string[] = [];
    for (const [name, text] of out) {
      const path = join(srcDir, name);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(name);
    }
    const extra = OUT_DIRS.flatMap((d) => (existsSync(join(srcDir, d)) ? readdirSync(join(srcDir, d)).map((f) => `${d}/${f}`) : [])).filter((f) => !out.has(f));
    if (stale.length || extra.length) {
      process.stderr.write(`generate --check: src/{${OUT_DIRS.join(',')}} is not the generator's output (differs: ${stale.join(', ') || 'none'}; not generated: ${extra.join(', ') || 'none'}). Run npm run generate.\n`);
      process.exit(1);
    }
    process.stderr.write('generate --check: committed output is up to date\n');
    return;
  }
  for (const d of OUT_DIRS) {
    mkdirSync(join(srcDir, d), { recursive: true });
    for (const f of readdirSync(join(srcDir, d))) if (!out.has(`${d}/${f}`)) process.stderr.write(`generate: warning: stale file src/${d}/${f}\n`);
  }
  for (const [name, text] of out) writeFileSync(join(srcDir, name), text);
}

main();
