/**
 * What the generated validators run: each element type is a table (ElementSpec) of its properties,
 * its discriminated choices and its all-or-none groups, checked here; the generated functions only
 * pass their table.
 */
import { type Issues, type ValueCheck, checkExtra, checkValue, isObject } from './runtime.js';

/** A generated validator: `n` is the element's name, for the messages. */
export type Validator = (v: unknown, path: string, issues: Issues, n: string) => void;

export const REQUIRED = 1;
export const MANY = 2;
export const RAW = 4;

/**
 * A property: its key, how messages name it, REQUIRED | MANY | RAW, the check of its value (the
 * schema's values, or the child element's validator; null: none), and its XML name.
 */
export type PropSpec = readonly [key: string, what: string, flags: number, check: readonly ValueCheck[] | Validator | null, xml: string];

/** A discriminated choice: the discriminant's key, XML name and description, and the branches. */
export interface UnionSpec {
  key: string;
  xml: string;
  what: string;
  branches: readonly BranchSpec[];
}

export interface BranchSpec {
  values: readonly string[];
  /** The discriminant may be left out for this branch. */
  optional?: boolean;
  /** This branch's properties: required ones and narrower checks than the merged ones. */
  props: readonly PropSpec[];
  /** The other branches' properties, not allowed in this one. */
  forbidden: readonly string[];
  unions?: readonly UnionSpec[];
}

export interface ElementSpec {
  props: readonly PropSpec[];
  keys: ReadonlySet<string>;
  unions?: readonly UnionSpec[];
  /** Keys given all or none. */
  together?: readonly (readonly string[])[];
}

const at = (path: string, k: string): string => (path ? `${path}.${k}` : k);

function checkOne(e: unknown, path: string, issues: Issues, spec: PropSpec): void {
  const check = spec[3];
  if (spec[2] & RAW) {
    if (typeof e !== 'string') issues.push({ path, message: 'expected XML text' });
  } else if (typeof check === 'function') check(e, path, issues, spec[4]);
  else if (check) {
    const m = checkValue(e, check);
    if (m) issues.push({ path, message: m });
  }
}

/** A property's checks; `reportShape`: whether to report a non-array where an array belongs (branches leave it to the merged check). */
function checkProp(v: Record<string, unknown>, path: string, issues: Issues, spec: PropSpec, requiredMessage: string, reportShape: boolean): void {
  const [key, , flags] = spec;
  const value = v[key];
  const p = at(path, key);
  if (value === undefined) {
    if (flags & REQUIRED) issues.push({ path: p, message: requiredMessage });
    return;
  }
  if (flags & MANY) {
    if (!Array.isArray(value)) {
      if (reportShape) issues.push({ path: p, message: `expected an array of <${spec[4]}>` });
    } else value.forEach((e, i) => checkOne(e, `${p}[${i}]`, issues, spec));
  } else checkOne(value, p, issues, spec);
}

function checkUnion(v: Record<string, unknown>, path: string, issues: Issues, u: UnionSpec, outer: string): void {
  const raw = v[u.key];
  const value = raw === undefined ? undefined : String(raw);
  const branch = u.branches.find((b) => (value === undefined ? b.optional : b.values.includes(value)));
  if (!branch) {
    // The merged attribute allows every kind's values; a choice inside a kind allows fewer.
    if (outer) {
      const values = u.branches.flatMap((b) => b.values).join(' or ');
      issues.push({ path: at(path, u.key), message: value === undefined ? `required when ${outer}: ${u.what}` : `must be ${values} when ${outer}` });
    }
    return;
  }
  const when = `${outer ? `${outer}, ` : ''}${u.xml}=${branch.values.join('|')}`;
  for (const spec of branch.props) checkProp(v, path, issues, spec, `required when ${when}: ${spec[1]}`, false);
  for (const k of branch.forbidden) if (v[k] !== undefined) issues.push({ path: at(path, k), message: `not allowed when ${when}` });
  for (const inner of branch.unions ?? []) checkUnion(v, path, issues, inner, when);
}

/** Checks an element's object against its table. */
export function validateElement(v: unknown, path: string, issues: Issues, n: string, spec: ElementSpec): void {
  if (!isObject(v)) {
    issues.push({ path, message: `expected an object for <${n}>` });
    return;
  }
  for (const p of spec.props) checkProp(v, path, issues, p, `required: ${p[1]}`, true);
  for (const u of spec.unions ?? []) checkUnion(v, path, issues, u, '');
  for (const group of spec.together ?? []) {
    const given = group.filter((k) => v[k] !== undefined).length;
    if (given > 0 && given < group.length) issues.push({ path, message: `${group.join(', ')}: given all or none` });
  }
  for (const k of Object.keys(v)) if (!spec.keys.has(k)) issues.push({ path: at(path, k), message: `not in the schema of <${n}>` });
  checkExtra(v.$extra, path, issues);
}
