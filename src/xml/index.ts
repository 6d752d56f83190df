/**
 * libvirt-rpc/xml: libvirt's XML documents as typed objects, generated from libvirt 9.0.0's
 * RelaxNG schemas. `parse<Kind>XML(text)` reads, `format<Kind>XML(value)` writes,
 * `validate<Kind>(value)` lists schema violations; `parseLibvirtXML` tells the kind by the root.
 * Standalone: it loads nothing of the RPC client.
 */
export * from './generated/documents.js';
export type * from './generated/types.js';
export { XmlError } from './error.js';
export { parseXmlTree, type XmlElement } from './tree.js';
export type { ValidationIssue, XmlExtra, XmlInput } from './runtime.js';
