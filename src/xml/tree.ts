/**
 * libvirt-rpc/xml/tree: the generic reader on its own, for a program that walks a document's
 * elements without the typed module (a few KiB against the schemas' megabytes of generated code).
 */
import { XmlError, positionOf } from './error.js';

export { XmlError };

/**
 * One element of a parsed document. Text is the concatenation of the element's own text nodes
 * (entities decoded, CDATA included); comments and processing instructions are dropped. `start`
 * and `end` are offsets into `source`, so an element the schema does not know is kept verbatim.
 */
export interface XmlElement {
  name: string;
  /** Name, value, name, value, ... in document order. */
  attributes: string[];
  children: XmlElement[];
  text: string;
  /** The name as written, when `name` is the conventional one of its namespace instead. */
  written?: string;
  source: string;
  start: number;
  end: number;
}

// Name characters (XML 1.0, simplified: any non-ASCII character is allowed).
function nameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}
function nameRest(c: number): boolean {
  return nameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}
const WHITESPACE = /[\t\n\r]/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A small, strict XML 1.0 reader for libvirt's documents: elements, attributes, text, CDATA, the
 * five predefined and numeric character references, comments, processing instructions and a
 * DOCTYPE without an internal subset. Names are kept as written, except that an element in one of
 * `namespaces` (prefix to URI: libvirt's extension namespaces) is named with that prefix whatever
 * prefix, or default namespace, the document binds it to (`ns0:commandline` -> `qemu:commandline`).
 * Errors say the line and column.
 */
export function parseXmlTree(source: string, namespaces?: Readonly<Record<string, string>>): XmlElement {
  const prefixOf = new Map<string, string>();
  for (const [prefix, uri] of Object.entries(namespaces ?? {})) prefixOf.set(uri, prefix);
  const rootScope: ReadonlyMap<string, string> = new Map();
  const scopes: ReadonlyMap<string, string>[] = [];
  const written: string[] = [];
  let pos = 0;
  const n = source.length;
  const fail = (message: string, at = pos): never => {
    const { line, column } = positionOf(source, at);
    throw new XmlError(message, line, column);
  };

  const readName = (): string => {
    const begin = pos;
    if (pos >= n || !nameStart(source.charCodeAt(pos))) fail('expected a name');
    pos++;
    while (pos < n && nameRest(source.charCodeAt(pos))) pos++;
    return source.slice(begin, pos);
  };
  const skipSpace = (): void => {
    while (pos < n) {
      const c = source.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) pos++;
      else break;
    }
  };
  const decode = (raw: string, at: number): string => {
    if (raw.indexOf('&') === -1) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string, off: number) => {
      if (!whole.endsWith(';')) fail('unterminated character reference', at + off);
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!/^#(x[0-9a-fA-F]+|[0-9]+)$/.test(ref) || code > 0x10ffff) fail(`bad character reference &${ref};`, at + off);
        return String.fromCodePoint(code);
      }
      const e = ENTITIES[ref];
      if (e === undefined) fail(`unknown entity &${ref};`, at + off);
      return e!;
    });
  };
  const skipUntil = (end: string, what: string): void => {
    const i = source.indexOf(end, pos);
    if (i === -1) fail(`unterminated ${what}`);
    pos = i + end.length;
  };
  /** Comments, PIs and the DOCTYPE, where they may appear; returns false at anything else. */
  const skipMisc = (): boolean => {
    if (source.startsWith('<!--', pos)) {
      const begin = pos;
      skipUntil('-->', 'comment');
      if (source.slice(begin + 4, pos - 3).includes('--')) fail("'--' inside a comment", begin);
      return true;
    }
    if (source.startsWith('<?', pos)) {
      skipUntil('?>', 'processing instruction');
      return true;
    }
    return false;
  };

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  if (source.charCodeAt(0) === 0xfeff) pos = 1;
  // Prolog.
  for (;;) {
    skipSpace();
    if (skipMisc()) continue;
    if (source.startsWith('<!DOCTYPE', pos)) {
      if (root) fail('DOCTYPE after the root element');
      const close = source.indexOf('>', pos);
      if (close === -1 || source.slice(pos, close).includes('[')) fail('unsupported DOCTYPE (internal subsets are not read)');
      pos = close + 1;
      continue;
    }
    break;
  }
  if (pos >= n) fail('no root element');
  if (source[pos] !== '<') fail('text before the root element');

  while (pos < n) {
    const c = source[pos];
    if (c !== '<') {
      const begin = pos;
      const lt = source.indexOf('<', pos);
      pos = lt === -1 ? n : lt;
      const raw = source.slice(begin, pos);
      const top = stack[stack.length - 1];
      if (!top) {
        if (raw.trim() !== '') fail('text after the root element', begin);
        continue;
      }
      if (raw.includes(']]>')) fail("']]>' in text", begin + raw.indexOf(']]>'));
      top.text += decode(raw, begin);
      continue;
    }
    if (skipMisc()) continue;
    if (source.startsWith('<![CDATA[', pos)) {
      const top = stack[stack.length - 1];
      if (!top) fail('CDATA outside the root element');
      const begin = pos + 9;
      skipUntil(']]>', 'CDATA section');
      top!.text += source.slice(begin, pos - 3);
      continue;
    }
    if (source[pos + 1] === '/') {
      const begin = pos;
      pos += 2;
      const name = readName();
      skipSpace();
      if (source[pos] !== '>') fail(`expected '>' to close </${name}`);
      pos++;
      const top = stack.pop();
      if (!top) fail(`end tag </${name}> without a start tag`, begin);
      const open = written.pop()!;
      scopes.pop();
      if (open !== name) fail(`end tag </${name}> does not match <${open}>`, begin);
      top!.end = pos;
      continue;
    }
    // A start tag.
    const begin = pos;
    pos++;
    if (root && stack.length === 0) fail('a second root element', begin);
    const name = readName();
    const attributes: string[] = [];
    for (;;) {
      const before = pos;
      skipSpace();
      if (source[pos] === '>' || source.startsWith('/>', pos)) break;
      if (pos >= n) fail(`unterminated start tag <${name}`, begin);
      if (before === pos) fail(`expected whitespace before an attribute in <${name}`);
      const attrAt = pos;
      const attr = readName();
      skipSpace();
      if (source[pos] !== '=') fail(`expected '=' after attribute ${attr}`);
      pos++;
      skipSpace();
      const q = source[pos];
      if (q !== '"' && q !== "'") fail(`expected a quoted value for attribute ${attr}`);
      const valueAt = pos + 1;
      const close = source.indexOf(q!, valueAt);
      if (close === -1) fail(`unterminated value of attribute ${attr}`);
      const raw = source.slice(valueAt, close);
      const lt = raw.indexOf('<');
      if (lt !== -1) fail(`'<' in the value of attribute ${attr}`, valueAt + lt);
      for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === attr) fail(`duplicate attribute ${attr}`, attrAt);
      // Attribute-value normalization: literal whitespace characters become spaces.
      attributes.push(attr, decode(WHITESPACE.test(raw) ? raw.replace(/[\t\n\r]/g, ' ') : raw, valueAt));
      pos = close + 1;
    }
    // Namespace scope, only when asked for and only where a declaration changes it.
    const parentScope = scopes[scopes.length - 1] ?? rootScope;
    let scope = parentScope;
    let canonical = name;
    if (prefixOf.size) {
      for (let i = 0; i < attributes.length; i += 2) {
        const a = attributes[i]!;
        if (a === 'xmlns' || a.startsWith('xmlns:')) {
          if (scope === parentScope) scope = new Map(parentScope);
          (scope as Map<string, string>).set(a === 'xmlns' ? '' : a.slice(6), attributes[i + 1]!);
        }
      }
      const colon = name.indexOf(':');
      const uri = scope.get(colon === -1 ? '' : name.slice(0, colon));
      const prefix = uri === undefined ? undefined : prefixOf.get(uri);
      if (prefix !== undefined) canonical = `${prefix}:${name.slice(colon + 1)}`;
    }
    const el: XmlElement = { name: canonical, attributes, children: [], text: '', source, start: begin, end: -1 };
    if (canonical !== name) el.written = name;
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    if (source[pos] === '/') {
      pos += 2;
      el.end = pos;
    } else {
      pos++;
      stack.push(el);
      written.push(name);
      scopes.push(scope);
    }
  }
  if (stack.length) fail(`<${written[written.length - 1]}> is not closed`, stack[stack.length - 1]!.start);
  return root!;
}
