/**
 * libvirt 9.0.0's schema-test corpus: the documents tests/virschematest.c validates against each
 * schema, read from that file itself, in a libvirt source tree fetched by scripts/libvirt-source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const root = new URL('../../..', import.meta.url).pathname;

/** The schema file each document kind is checked against in virschematest.c. */
export const SCHEMA_OF_KIND: Record<string, string> = {
  domain: 'domain.rng',
  capabilities: 'capability.rng',
  domaincaps: 'domaincaps.rng',
  network: 'network.rng',
  networkport: 'networkport.rng',
  storagepool: 'storagepool.rng',
  storagepoolcaps: 'storagepoolcaps.rng',
  storagevol: 'storagevol.rng',
  nodedev: 'nodedev.rng',
  secret: 'secret.rng',
  interface: 'interface.rng',
  nwfilter: 'nwfilter.rng',
  nwfilterbinding: 'nwfilterbinding.rng',
  domainsnapshot: 'domainsnapshot.rng',
  domaincheckpoint: 'domaincheckpoint.rng',
  domainbackup: 'domainbackup.rng',
};

export interface CorpusDocument {
  kind: string;
  /** Relative to the libvirt tree, e.g. tests/qemuxml2argvdata/disk-cdrom.xml. */
  path: string;
  text: string;
  /** virschematest.c expects the schema to reject it (the name ends in -invalid.xml). */
  invalid: boolean;
}

/** The libvirt source tree, fetched (apt-get source libvirt) when it is not there yet. */
export function libvirtSource(): string {
  return execFileSync(join(root, 'scripts/libvirt-source'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim();
}

/** Every document of the corpus, grouped by the kind its schema is for. */
export function loadCorpus(tree = libvirtSource()): CorpusDocument[] {
  const c = readFileSync(join(tree, 'tests/virschematest.c'), 'utf8');
  const entries = new Map<string, { dir?: string; regex?: string; file?: string }[]>();
  for (const m of c.matchAll(/static const struct testSchemaEntry (\w+)\[\] = \{([\s\S]*?)\n\};/g)) {
    const list: { dir?: string; regex?: string; file?: string }[] = [];
    for (const e of m[2]!.matchAll(/\{([^}]*)\}/g)) {
      const field = (n: string): string | undefined => new RegExp(`\\.\\s*${n}\\s*=\\s*"([^"]*)"`).exec(e[1]!)?.[1];
      list.push({ dir: field('dir'), regex: field('dirRegex'), file: field('file') });
    }
    entries.set(m[1]!, list);
  }
  const kindOfSchema = new Map(Object.entries(SCHEMA_OF_KIND).map(([k, s]) => [s, k]));
  const docs: CorpusDocument[] = [];
  for (const m of c.matchAll(/DO_TEST\(SCHEMAS_PATH "([\w.]+)", (\w+)\);/g)) {
    const kind = kindOfSchema.get(m[1]!);
    if (!kind) throw new Error(`virschematest.c tests ${m[1]}, which is no document kind here`);
    const add = (path: string): void => {
      docs.push({ kind, path, text: readFileSync(join(tree, path), 'utf8'), invalid: path.endsWith('-invalid.xml') });
    };
    for (const e of entries.get(m[2]!) ?? []) {
      if (e.file) add(e.file);
      if (!e.dir) continue;
      const dir = e.dir.replace(/\/$/, '');
      if (!existsSync(join(tree, dir))) continue;
      const re = e.regex ? new RegExp(e.regex) : undefined;
      for (const f of readdirSync(join(tree, dir)).sort()) {
        if (!f.endsWith('.xml') || f.startsWith('.') || (re && !re.test(f))) continue;
        add(`${dir}/${f}`);
      }
    }
  }
  return docs;
}

interface Tree {
  name: string;
  attributes: Map<string, string>;
  text: string;
  children: Tree[];
}

// An independent reader for the comparison (not the module under test): fast-xml-parser.
const reader = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

type Raw = Record<string, unknown>;

/**
 * Element names are compared as namespace-expanded names (`{uri}commandline` whichever prefix binds
 * the URI), and namespace declarations are not compared as attributes: the XML Namespaces notion
 * of the same document.
 */
function toTree(raw: Raw, scope: ReadonlyMap<string, string>): Tree | undefined {
  const written = Object.keys(raw).find((k) => k !== ':@')!;
  if (written === '#text' || written === '#comment' || written === '#cdata' || written.startsWith('?')) return undefined;
  const attributes = new Map<string, string>();
  let inner = scope;
  for (const [k, v] of Object.entries((raw[':@'] as Record<string, string> | undefined) ?? {})) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      (inner as Map<string, string>).set(k === 'xmlns' ? '' : k.slice(6), String(v));
    } else attributes.set(k, String(v));
  }
  const colon = written.indexOf(':');
  const uri = inner.get(colon === -1 ? '' : written.slice(0, colon));
  const name = uri ? `{${uri}}${written.slice(colon + 1)}` : written;
  const t: Tree = { name, attributes, text: '', children: [] };
  for (const c of raw[written] as Raw[]) {
    if ('#text' in c) t.text += String(c['#text']);
    else if ('#cdata' in c) t.text += (c['#cdata'] as Raw[]).map((x) => String(x['#text'])).join('');
    else {
      const child = toTree(c, inner);
      if (child) t.children.push(child);
    }
  }
  return t;
}

function readTree(text: string): Tree {
  for (const r of reader.parse(text) as Raw[]) {
    const t = toTree(r, new Map());
    if (t) return t;
  }
  throw new Error('no root element');
}

/**
 * The first difference between two documents at element and attribute level: names, attributes
 * (in any order), text, and children, where only the order among same-named siblings counts
 * (order across names is the schema's interleave, formatted canonically). Whitespace-only text
 * between elements and comments do not count. Undefined when they are the same.
 */
export function xmlDifference(a: string, b: string): string | undefined {
  return elementDifference(readTree(a), readTree(b), '');
}

// XML normalizes literal tabs and newlines in attribute values to spaces.
const attr = (v: string | undefined): string | undefined => v?.replace(/[\t\n\r]/g, ' ');

function elementDifference(a: Tree, b: Tree, path: string): string | undefined {
  const here = `${path}/${a.name}`;
  if (a.name !== b.name) return `${path}: <${a.name}> became <${b.name}>`;
  for (const [k, v] of a.attributes) if (attr(b.attributes.get(k)) !== attr(v)) return `${here}@${k}: ${JSON.stringify(v)} became ${JSON.stringify(b.attributes.get(k))}`;
  for (const k of b.attributes.keys()) if (!a.attributes.has(k)) return `${here}@${k}: added`;
  // Whitespace-only text is layout; text beside child elements is compared trimmed.
  const text = (e: Tree): string => (e.children.length || e.text.trim() === '' ? e.text.trim() : e.text);
  if (text(a) !== text(b)) return `${here}: text ${JSON.stringify(text(a))} became ${JSON.stringify(text(b))}`;
  const byName = (e: Tree): Map<string, Tree[]> => {
    const m = new Map<string, Tree[]>();
    for (const c of e.children) m.set(c.name, [...(m.get(c.name) ?? []), c]);
    return m;
  };
  const ac = byName(a);
  const bc = byName(b);
  for (const [name, list] of ac) {
    const other = bc.get(name) ?? [];
    if (other.length !== list.length) return `${here}: ${list.length} <${name}> became ${other.length}`;
    for (let i = 0; i < list.length; i++) {
      const d = elementDifference(list[i]!, other[i]!, list.length > 1 ? `${here}[${name}#${i}]` : here);
      if (d) return d;
    }
  }
  for (const name of bc.keys()) if (!ac.has(name)) return `${here}: <${name}> added`;
  return undefined;
}
