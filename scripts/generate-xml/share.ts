/**
 * One function per distinct body. Many element types are alike at runtime (the same attributes and
 * children under other names in other kinds, every empty element...): each emitter writes a body
 * per class with the functions it calls as references, and classes whose bodies are equal once
 * those references are equal share one function (a partition refinement, so that recursive element
 * types are shared too). The function takes the name of the first class that has it.
 */
import type { XClass } from './classes.js';

// Markers no schema text has: a reference to class i, and the function's own name.
const REF = /@@ref(\d+)@@/g;
const SELF = /@@self@@/g;

export interface SharedFunctions {
  /** The function the class is handled by. */
  nameOf(c: XClass): string;
  /** The bodies to write, with the function names filled in, in class order. */
  bodies: string[];
}

/**
 * `body(c, ref)` writes class c's function (undefined when c has none: leaves), calling others by
 * `ref(child)` and naming itself `self`; `name(c)` is the function's name when c is its first class.
 */
export function shareFunctions(
  classes: XClass[],
  name: (c: XClass) => string,
  body: (c: XClass, ref: (child: XClass) => string, self: string) => string | undefined,
): SharedFunctions {
  const index = new Map(classes.map((c, i) => [c, i]));
  const ref = (child: XClass): string => `@@ref${index.get(child)!}@@`;
  const templates = classes.map((c) => body(c, ref, '@@self@@'));
  // Start from bodies with every reference alike; split blocks until references agree too.
  let block = blocksOf(templates.map((t) => t?.replace(REF, '#')));
  for (;;) {
    const next = blocksOf(templates.map((t, i) => (t === undefined ? undefined : `${block[i]}|${t.replace(REF, (_, j: string) => String(block[Number(j)]))}`)));
    const count = new Set(next).size;
    const done = count === new Set(block).size;
    block = next;
    if (done) break;
  }
  const first = new Map<number, number>();
  block.forEach((b, i) => {
    if (templates[i] !== undefined && !first.has(b)) first.set(b, i);
  });
  const fnName = (i: number): string => name(classes[first.get(block[i]!)!]!);
  const bodies: string[] = [];
  for (const [, i] of first) bodies.push(templates[i]!.replace(REF, (_, j: string) => fnName(Number(j))).replace(SELF, fnName(i)));
  return {
    nameOf: (c) => {
      const i = index.get(c)!;
      if (templates[i] === undefined) throw new Error(`${c.name} has no function`);
      return fnName(i);
    },
    bodies,
  };
}

/** Equal keys get equal numbers, numbered by first occurrence (undefined keys get -1). */
function blocksOf(keys: (string | undefined)[]): number[] {
  const ids = new Map<string, number>();
  return keys.map((k) => {
    if (k === undefined) return -1;
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
    }
    return id;
  });
}
