// vshExtractCPUDefXMLs (virsh-host.c): the CPU definitions in a file of bare <cpu> elements,
// domain XMLs, host capabilities or domain capabilities, as the XML texts virsh sends.

import { VIR_ERR_XML_DETAIL, VIR_FROM_XML } from '../../index.js';
import { parseXmlTree, XmlError, type XmlElement } from '../../xml/tree.js';
import type { VirshControl } from './control.js';
import { attr, childrenNamed } from './monitor-util.js';
import { readFileAll } from './util.js';

/** Where an element's start tag ends (just past its '>'), quotes respected. */
function startTagEnd(el: XmlElement): number {
  let quote = '';
  for (let i = el.start; i < el.end; i++) {
    const c = el.source[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i + 1;
  }
  return el.end;
}

/** The element as text; a domain capabilities <mode> becomes a <cpu> without attributes. */
function cpuText(el: XmlElement): string {
  if (el.name !== 'mode') return el.source.slice(el.start, el.end);
  const open = startTagEnd(el);
  if (open === el.end) return '<cpu/>';
  const close = el.source.lastIndexOf('</', el.end - 1);
  return `<cpu>${el.source.slice(open, close)}</cpu>`;
}

/**
 * /container/cpu | /container/domain/cpu | /container/capabilities/host/cpu |
 * /container/domainCapabilities/cpu/mode[@name='host-model' and @supported='yes'], in document order.
 */
function cpuNodes(container: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of container.children) {
    if (c.name === 'cpu') out.push(c);
    else if (c.name === 'domain') out.push(...childrenNamed(c, 'cpu'));
    else if (c.name === 'capabilities') for (const h of childrenNamed(c, 'host')) out.push(...childrenNamed(h, 'cpu'));
    else if (c.name === 'domainCapabilities')
      for (const cpu of childrenNamed(c, 'cpu')) out.push(...childrenNamed(cpu, 'mode').filter((m) => attr(m, 'name') === 'host-model' && attr(m, 'supported') === 'yes'));
  }
  return out;
}

/** The CPU definitions of `file`; null after an error (printed, or kept for the report). */
export function extractCPUDefXMLs(ctl: VirshControl, file: string): string[] | null {
  const buffer = readFileAll(ctl, file);
  if (buffer === null) return null;
  let doc = buffer;
  const decl = buffer.indexOf('?>');
  if (buffer.startsWith('<?xml') && decl >= 0) doc = buffer.slice(decl + 2);
  let container: XmlElement;
  try {
    container = parseXmlTree(`<container>${doc}</container>`);
  } catch (e) {
    // virXMLParseStringCtxt's "file:line: message" (the message is this reader's, not libxml2's).
    const line = e instanceof XmlError ? e.line : 0;
    const message = e instanceof Error ? e.message.replace(/ at line \d+, column \d+$/, '') : String(e);
    ctl.lastError = { message: `${file}:${line}: ${message}`, code: VIR_ERR_XML_DETAIL, domain: VIR_FROM_XML };
    return null;
  }
  const nodes = cpuNodes(container);
  if (nodes.length === 0) {
    ctl.error(`File '${file}' does not contain any <cpu> element or valid domain XML, host capabilities XML, or domain capabilities XML`);
    return null;
  }
  return nodes.map(cpuText);
}
