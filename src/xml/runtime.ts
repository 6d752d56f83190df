/**
 * What the generated parsers, formatters and validators call. Not part of the public API except
 * the types re-exported from index.ts.
 */
import type { XmlElement } from './tree.js';

/**
 * What a document had that the schema does not know (a newer daemon's XML): attributes by name,
 * elements verbatim as XML text, and text where the schema has none. Formatted back unchanged.
 */
export interface XmlExtra {
  /** The element's name as written when its namespace had another prefix (`ns0:commandline`). */
  name?: string;
  attributes?: Record<string, string>;
  elements?: string[];
  /**
   * Where each of `elements` stood: after the index-th (from 0) known child of that name, or first
   * (null). Formatting puts them back there; elements without a place are written last.
   */
  after?: ([name: string, index: number] | null)[];
  text?: string;
}

/** A 64-bit result is a bigint; a 64-bit input may be a number or a bigint. */
export type XmlInput<T> = T extends bigint
  ? number | bigint
  : T extends string | number | boolean
    ? T
    : T extends readonly (infer U)[]
      ? XmlInput<U>[]
      : T extends object
        ? { [K in keyof T]: XmlInput<T[K]> }
        : T;

export type Bag = Record<string, unknown>;

/**
 * What a generated formatter takes: one formatter serves every element type alike at runtime, so it
 * reads properties untyped (the typed entry points in documents.ts check the value's type).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fields = Record<string, any>;

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** A decimal integer as a number when it is written canonically (so it formats back the same). */
export function int(s: string): number | string {
  return DECIMAL.test(s) && s !== '-0' && Number.isSafeInteger(Number(s)) ? Number(s) : s;
}

/** A 64-bit decimal integer as a bigint when it is written canonically. */
export function big(s: string): bigint | string {
  return DECIMAL.test(s) && s !== '-0' ? BigInt(s) : s;
}

/** A floating-point number when it formats back to the same text. */
export function dbl(s: string): number | string {
  const v = Number(s);
  return s.trim() !== '' && String(v) === s ? v : s;
}

/** The text of an element that has neither attributes nor child elements; otherwise undefined. */
export function textOnly(el: XmlElement): string | undefined {
  return el.attributes.length === 0 && el.children.length === 0 ? el.text : undefined;
}

/** Text that is not just the whitespace between elements. */
export function meaningfulText(el: XmlElement): boolean {
  return el.children.length === 0 ? el.text !== '' : el.text.trim() !== '';
}

export function raw(el: XmlElement): string {
  return el.source.slice(el.start, el.end);
}

export function extraName(x: XmlExtra | undefined, el: XmlElement): XmlExtra | undefined {
  if (el.written === undefined) return x;
  x ??= {};
  x.name = el.written;
  return x;
}

export function extraAttribute(x: XmlExtra | undefined, name: string, value: string): XmlExtra {
  x ??= {};
  (x.attributes ??= {})[name] = value;
  return x;
}

/** The children kept as extra while their parent is read, so that places count known children only. */
const keptAsExtra = new WeakSet<XmlElement>();

/** A child the schema does not know (or one too many), kept verbatim with the known sibling it followed. */
export function extraElement(x: XmlExtra | undefined, el: XmlElement, parent: XmlElement): XmlExtra {
  x ??= {};
  (x.elements ??= []).push(raw(el));
  keptAsExtra.add(el);
  const siblings = parent.children;
  let i = siblings.indexOf(el) - 1;
  while (i >= 0 && keptAsExtra.has(siblings[i]!)) i--;
  let place: [string, number] | null = null;
  if (i >= 0) {
    const name = nameAsWritten(siblings[i]!);
    let index = 0;
    for (let j = 0; j < i; j++) if (!keptAsExtra.has(siblings[j]!) && nameAsWritten(siblings[j]!) === name) index++;
    place = [name, index];
  }
  (x.after ??= []).push(place);
  return x;
}

const nameAsWritten = (el: XmlElement): string => el.written ?? el.name;

/** Text where the schema has none; whitespace there is only layout. */
export function extraText(x: XmlExtra | undefined, el: XmlElement): XmlExtra | undefined {
  if (el.text.trim() === '') return x;
  x ??= {};
  x.text = el.text;
  return x;
}

/** Element content kept as XML text (`<metadata>` and the like: any element from any namespace). */
export function rawChildren(el: XmlElement): string {
  return el.children.map(raw).join('');
}

export function push(o: Bag, key: string, v: unknown): void {
  const a = o[key] as unknown[] | undefined;
  if (a) a.push(v);
  else o[key] = [v];
}

const ATTRIBUTE_SPECIAL = /[&<"\t\n\r]/;
const TEXT_SPECIAL = /[&<>\r]/;
const INDENT: string[] = ['\n'];
function indent(depth: number): string {
  while (INDENT.length <= depth) INDENT.push('\n' + '  '.repeat(INDENT.length));
  return INDENT[depth]!;
}

function escapeAttribute(s: string): string {
  if (!ATTRIBUTE_SPECIAL.test(s)) return s;
  return s.replace(/[&<"\t\n\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : `&#${c.charCodeAt(0)};`));
}

function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

interface Placed {
  x: XmlExtra;
  written: boolean[];
  seen: Map<string, number>;
}

/** Builds indented XML text: two spaces per level, text inline. */
export class XmlWriter {
  private readonly out: string[] = [];
  private readonly usedPrefixes = new Set<string>();
  private readonly declaredPrefixes = new Set<string>();

  /** `namespaces`: prefix to URI, declared on the root when an element uses the prefix and the value does not declare it. */
  constructor(private readonly namespaces: Readonly<Record<string, string>> = {}) {}

  /** Per open element: whether its start tag is still open ('<name a="b"' without '>'). */
  private readonly open: boolean[] = [];
  private readonly names: string[] = [];
  private readonly hadChildren: boolean[] = [];
  /** By depth, the open elements with placed extra elements: those not yet written, and their children so far by name. */
  private readonly placed: (Placed | undefined)[] = [];
  /** How many of `placed` are set (none, almost always: then end() has nothing to look up). */
  private placedOpen = 0;

  start(name: string): void {
    this.closeStartTag(true);
    if (this.names.length) this.out.push(indent(this.names.length));
    this.out.push('<', name);
    const colon = name.indexOf(':');
    if (colon > 0) this.usedPrefixes.add(name.slice(0, colon));
    this.names.push(name);
    this.open.push(true);
    this.hadChildren.push(false);
  }

  attr(name: string, value: string | number | bigint | boolean | undefined): void {
    if (value === undefined) return;
    if (name.startsWith('xmlns:')) this.declaredPrefixes.add(name.slice(6));
    this.out.push(' ', name, '="', escapeAttribute(String(value)), '"');
  }

  /** The extra attributes; called once the element's own are written, it also places its extra elements. */
  extraAttributes(x: XmlExtra | undefined): void {
    if (!x) return;
    if (x.attributes) for (const [k, v] of Object.entries(x.attributes)) this.attr(k, v);
    if (x.elements && x.after) {
      const placed: Placed = { x, written: x.elements.map(() => false), seen: new Map() };
      this.placed[this.names.length - 1] = placed;
      this.placedOpen++;
      this.writePlaced(placed, null);
    }
  }

  text(value: string | number | bigint | boolean | undefined): void {
    if (value === undefined || value === '') return;
    this.closeStartTag(false);
    this.out.push(escapeText(String(value)));
  }

  /** XML text written as it is (kept from a parsed document, or written by hand). */
  rawElements(xml: string | readonly string[] | undefined): void {
    if (xml === undefined) return;
    for (const s of typeof xml === 'string' ? [xml] : xml) {
      if (s === '') continue;
      this.closeStartTag(true);
      this.out.push(indent(this.names.length), s);
    }
  }

  /** The extra text, and the extra elements not written at their place already. */
  extraContent(x: XmlExtra | undefined): void {
    if (!x) return;
    if (x.text !== undefined) this.text(x.text);
    const placed = this.placedOpen ? this.placed[this.names.length - 1] : undefined;
    if (placed?.x === x) this.rawElements(x.elements!.filter((_, i) => !placed.written[i]));
    else this.rawElements(x.elements);
  }

  /** After an element closed: its own places are done; its parent's extras placed after it are written. */
  private endPlaced(name: string): void {
    const depth = this.names.length;
    if (this.placed[depth]) {
      this.placed[depth] = undefined;
      this.placedOpen--;
    }
    const parent = depth > 0 ? this.placed[depth - 1] : undefined;
    if (!parent) return;
    const index = parent.seen.get(name) ?? 0;
    parent.seen.set(name, index + 1);
    this.writePlaced(parent, name, index);
  }

  private writePlaced(placed: Placed, after: string | null, index = 0): void {
    const { elements, after: places } = placed.x;
    elements!.forEach((xml, i) => {
      if (placed.written[i]) return;
      const p = places![i];
      if (p === undefined || (p === null ? after !== null : p[0] !== after || p[1] !== index)) return;
      placed.written[i] = true;
      this.rawElements(xml);
    });
  }

  /** A whole element whose content is one value. */
  leaf(name: string, value: string | number | bigint | boolean | undefined): void {
    if (value === undefined) return;
    this.start(name);
    this.text(value);
    this.end();
  }

  end(): void {
    const name = this.names.pop()!;
    const open = this.open.pop()!;
    const hadChildren = this.hadChildren.pop()!;
    if (open) this.out.push('/>');
    else {
      if (hadChildren) this.out.push(indent(this.names.length));
      this.out.push('</', name, '>');
    }
    if (this.placedOpen) this.endPlaced(name);
  }

  toString(): string {
    const missing: string[] = [];
    for (const p of this.usedPrefixes) {
      const uri = this.namespaces[p];
      if (uri !== undefined && !this.declaredPrefixes.has(p)) missing.push(` xmlns:${p}="${escapeAttribute(uri)}"`);
    }
    if (missing.length) this.out.splice(2, 0, ...missing);
    return this.out.join('') + '\n';
  }

  private closeStartTag(child: boolean): void {
    const i = this.open.length - 1;
    if (i < 0) return;
    if (this.open[i]) {
      this.out.push('>');
      this.open[i] = false;
    }
    if (child) this.hadChildren[i] = true;
  }
}

export interface ValidationIssue {
  /** Where, as in `devices.disk[0].source.file`. */
  path: string;
  message: string;
}

export type Issues = ValidationIssue[];

/** Each finding once (a child is checked against the merged type and against its kind's own). */
export function uniqueIssues(issues: Issues): Issues {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function isObject(v: unknown): v is Bag {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a parsed document had beyond the schema is a violation too (namespace declarations aside). */
export function checkExtra(x: unknown, path: string, issues: Issues): void {
  if (x === undefined) return;
  if (!isObject(x)) {
    issues.push({ path: path ? `${path}.$extra` : '$extra', message: 'expected an object' });
    return;
  }
  const e = x as XmlExtra;
  for (const a of Object.keys(e.attributes ?? {})) if (a !== 'xmlns' && !a.startsWith('xmlns:')) issues.push({ path, message: `attribute ${a} is not in the schema` });
  for (const el of e.elements ?? []) issues.push({ path, message: `element ${/^<([^\s>/]+)/.exec(el)?.[1] ?? el.slice(0, 20)} is not in the schema` });
  if (e.text !== undefined) issues.push({ path, message: 'text is not in the schema here' });
}

/** Checks one value against the alternatives of a schema type; returns why not, or undefined. */
export function checkValue(v: unknown, alternatives: readonly ValueCheck[]): string | undefined {
  for (const a of alternatives) if (matches(v, a)) return undefined;
  return `${JSON.stringify(typeof v === 'bigint' ? String(v) : v)} is not ${alternatives.map(describe).join(' or ')}`;
}

/** One alternative of a value's type: a fixed text, or data of a kind with XSD facets. */
export type ValueCheck =
  | { value: string }
  | { kind: 'string' | 'int' | 'long' | 'double'; pattern?: RegExp; min?: string; max?: string; minLength?: number; maxLength?: number; not?: readonly string[] };

function describe(a: ValueCheck): string {
  if ('value' in a) return JSON.stringify(a.value);
  let s = a.kind === 'string' ? 'a string' : a.kind === 'double' ? 'a number' : 'an integer';
  if (a.pattern) s += ` matching ${a.pattern.source}`;
  if (a.min !== undefined) s += ` >= ${a.min}`;
  if (a.max !== undefined) s += ` <= ${a.max}`;
  return s;
}

function matches(v: unknown, a: ValueCheck): boolean {
  if ('value' in a) return String(v) === a.value && (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint');
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number' || typeof v === 'bigint') text = String(v);
  else return false;
  if (a.not?.includes(text)) return false;
  if (a.kind === 'int' || a.kind === 'long') {
    if (!/^[-+]?[0-9]+$/.test(text.trim())) return false;
    const n = BigInt(text.trim());
    if (a.min !== undefined && n < BigInt(a.min)) return false;
    if (a.max !== undefined && n > BigInt(a.max)) return false;
  } else if (a.kind === 'double') {
    if (text.trim() === '' || Number.isNaN(Number(text))) return false;
  } else {
    if (a.minLength !== undefined && text.length < a.minLength) return false;
    if (a.maxLength !== undefined && text.length > a.maxLength) return false;
  }
  return !a.pattern || a.pattern.test(text);
}
