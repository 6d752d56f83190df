// The libxml2 behaviour virsh's vol-clone shows: a document read with its blank text kept, an
// element's content replaced by xmlNodeSetContent (entity references in the new text are read),
// and the first node written back by xmlNodeDump (format 1): attributes in double quotes, empty
// elements as <a/>, libxml2's escaping.

import { escapeXmlAttr } from './device-xml.js';

/** The document is not the well-formed XML this reader expects. */
class ParseError extends Error {}

type XNode =
  | { kind: 'element'; name: string; attrs: [string, string][]; children: XNode[] }
  | { kind: 'text'; value: string }
  | { kind: 'cdata'; value: string }
  | { kind: 'comment'; value: string }
  | { kind: 'pi'; value: string }
  | { kind: 'entity'; name: string };

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeRefs(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_:][-\w.:]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new ParseError(`unknown entity ${whole}`);
    return e;
  });
}

/** The top-level nodes of a well-formed document (the daemon's XML), blank text kept. */
function parseDocument(src: string): XNode[] {
  const top: XNode[] = [];
  const stack: Extract<XNode, { kind: 'element' }>[] = [];
  const add = (n: XNode) => (stack.length ? stack[stack.length - 1]!.children : top).push(n);
  let pos = 0;
  const fail = (what: string): never => {
    throw new ParseError(`${what} at offset ${pos}`);
  };
  const until = (end: string): string => {
    const i = src.indexOf(end, pos);
    if (i < 0) fail(`missing ${end}`);
    const s = src.slice(pos, i);
    pos = i + end.length;
    return s;
  };
  while (pos < src.length) {
    if (src.startsWith('<!--', pos)) {
      pos += 4;
      add({ kind: 'comment', value: until('-->') });
    } else if (src.startsWith('<![CDATA[', pos)) {
      pos += 9;
      add({ kind: 'cdata', value: until(']]>') });
    } else if (src.startsWith('<?', pos)) {
      pos += 2;
      const body = until('?>');
      if (!/^xml(\s|$)/.test(body)) add({ kind: 'pi', value: body });
    } else if (src.startsWith('<!', pos)) {
      until('>');
    } else if (src.startsWith('</', pos)) {
      pos += 2;
      const name = until('>').trim();
      const open = stack.pop();
      if (!open || open.name !== name) fail(`mismatched </${name}>`);
    } else if (src[pos] === '<') {
      pos++;
      const m = /^([^\s/>]+)/.exec(src.slice(pos));
      if (!m) fail('expected a name');
      pos += m![1]!.length;
      const el: Extract<XNode, { kind: 'element' }> = { kind: 'element', name: m![1]!, attrs: [], children: [] };
      const attr = /^\s*([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/;
      for (;;) {
        const a = attr.exec(src.slice(pos));
        if (!a) break;
        // Attribute values are normalized: white space characters read as spaces.
        el.attrs.push([a[1]!, decodeRefs((a[3] ?? a[4]!).replace(/[\t\n\r]/g, ' '))]);
        pos += a[0].length;
      }
      const close = /^\s*(\/?)>/.exec(src.slice(pos));
      if (!close) fail('expected >');
      pos += close![0].length;
      add(el);
      if (!close![1]) stack.push(el);
    } else {
      const i = src.indexOf('<', pos);
      const raw = src.slice(pos, i < 0 ? src.length : i);
      pos += raw.length;
      if (stack.length) add({ kind: 'text', value: decodeRefs(raw.replace(/\r\n?/g, '\n')) });
    }
  }
  if (stack.length) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  return top;
}

/**
 * xmlStringGetNodeList: text with entity and character references read; an unknown entity stays
 * a reference. Calls `warn` with libxml2's message for an unterminated reference.
 */
function contentNodes(content: string, warn: (message: string) => void): XNode[] {
  const out: XNode[] = [];
  let buf = '';
  let i = 0;
  while (i < content.length) {
    const c = content[i]!;
    if (c !== '&') {
      buf += c;
      i++;
      continue;
    }
    const semi = content.indexOf(';', i + 1);
    if (semi < 0) {
      warn(`unterminated entity reference ${content.slice(i + 1).padStart(15)}\n`);
      return out;
    }
    const ref = content.slice(i + 1, semi);
    if (ref.startsWith('#')) {
      const hex = ref[1] === 'x';
      const digits = ref.slice(hex ? 2 : 1);
      if (digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        const cp = parseInt(digits, hex ? 16 : 10);
        if (cp <= 0x10ffff) buf += String.fromCodePoint(cp);
      } else warn(hex ? 'invalid hexadecimal character value\n' : 'invalid decimal character value\n');
    } else if (Object.hasOwn(ENTITIES, ref)) {
      buf += ENTITIES[ref];
    } else {
      if (buf) out.push({ kind: 'text', value: buf });
      buf = '';
      out.push({ kind: 'entity', name: ref });
    }
    i = semi + 1;
  }
  if (buf) out.push({ kind: 'text', value: buf });
  return out;
}

/** xmlEscapeContent. */
const escapeText = (s: string) => s.replace(/[<>&\r]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : '&#13;'));

/** xmlNodeDump(buf, doc, node, level, format 1). */
function dumpNode(n: XNode, level: number, format: boolean): string {
  switch (n.kind) {
    case 'text':
      return escapeText(n.value);
    case 'cdata':
      return `<![CDATA[${n.value}]]>`;
    case 'comment':
      return `<!--${n.value}-->`;
    case 'pi':
      return `<?${n.value}?>`;
    case 'entity':
      return `&${n.name};`;
    case 'element': {
      let out = `<${n.name}` + n.attrs.map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`).join('');
      if (n.children.length === 0) return out + '/>';
      const fmt = format && !n.children.some((c) => c.kind === 'text' || c.kind === 'cdata' || c.kind === 'entity');
      out += '>';
      if (fmt) out += '\n';
      for (const c of n.children) {
        if (fmt && (c.kind === 'element' || c.kind === 'comment' || c.kind === 'pi')) out += '  '.repeat(level + 1);
        out += dumpNode(c, level + 1, fmt);
        if (fmt) out += '\n';
      }
      if (fmt) out += '  '.repeat(level);
      return out + `</${n.name}>`;
    }
  }
}

/**
 * virshMakeCloneXML: the volume document with /volume/name set to `newname`, as libxml2 writes
 * it back; null when the document cannot be read or has no name.
 */
export function makeCloneXML(origxml: string, newname: string, warn: (message: string) => void): string | null {
  let top: XNode[];
  try {
    top = parseDocument(origxml);
  } catch (e) {
    if (e instanceof ParseError) return null;
    throw e;
  }
  const root = top.find((n) => n.kind === 'element');
  if (!root || root.kind !== 'element' || root.name !== 'volume') return null;
  const name = root.children.find((c) => c.kind === 'element' && c.name === 'name');
  if (!name || name.kind !== 'element') return null;
  name.children = contentNodes(newname, warn);
  return dumpNode(top[0]!, 0, true);
}
