import type { CodecEmitter } from './emit-codecs.js';
import type { Model } from './model.js';

export interface ProgramSpec {
  module: string;
  program: string;
  version: string;
  procEnum: string;
  procPrefix: string;
  typePrefix: string;
}

export interface Annotations {
  generate: string | null;
  priority: 'high' | 'low';
  readStream: number | null;
  writeStream: number | null;
  sparseFlag: string | null;
  acl: string[];
}

export function parseAnnotations(comment: string): Annotations {
  const a: Annotations = { generate: null, priority: 'low', readStream: null, writeStream: null, sparseFlag: null, acl: [] };
  // Only the comment right above the procedure: the first one also carries the enum's explanation of the annotations.
  const own = comment.split('*/').map((b) => b.trim()).filter(Boolean).at(-1) ?? '';
  for (const m of own.matchAll(/@(\w+):\s*(\S+)/g)) {
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'generate') a.generate = value;
    else if (key === 'priority') a.priority = value === 'high' ? 'high' : 'low';
    else if (key === 'readstream') a.readStream = Number(value);
    else if (key === 'writestream') a.writeStream = Number(value);
    else if (key === 'sparseflag') a.sparseFlag = value;
    else if (key === 'acl') a.acl.push(value);
  }
  return a;
}

/** The procedure table of one program: number, name, codecs and annotations of every procedure. */
export function emitProcedures(model: Model, em: CodecEmitter, spec: ProgramSpec): { lines: string[]; count: number } {
  const def = model.types.get(spec.procEnum);
  if (!def || def.kind !== 'enum') throw new Error(`${spec.module}: no enum ${spec.procEnum}`);
  const typeName = (member: string, suffix: string): string | null => {
    const t = `${spec.typePrefix}${member.slice(spec.procPrefix.length).toLowerCase()}_${suffix}`;
    const d = model.types.get(t);
    if (!d) return null;
    em.use(t, d.module);
    return t;
  };
  const lines: string[] = [];
  const sig: string[] = [];
  const prefix = spec.module;
  lines.push(`export const ${prefix}_procedures = {`);
  sig.push(`/** Argument, reply and message types of every ${prefix} procedure, for typed calls. */`, `export interface ${prefix}_procedure_types {`);
  for (const m of def.body.members) {
    if (!m.name.startsWith(spec.procPrefix)) throw new Error(`${m.name} does not start with ${spec.procPrefix}`);
    const a = parseAnnotations(m.comment);
    const args = typeName(m.name, 'args');
    const ret = typeName(m.name, 'ret');
    const msg = typeName(m.name, 'msg');
    const num = model.value(m.value, spec.module);
    const gen = a.generate === null ? 'null' : JSON.stringify(a.generate);
    lines.push(
      `  ${m.name}: {`,
      `    program: ${spec.program}, version: ${spec.version}, proc: ${num}, name: ${JSON.stringify(m.name)},`,
      `    args: ${args ?? 'null'} as Codec<${args ?? 'undefined'}> | null, ret: ${ret ?? 'null'} as Codec<${ret ?? 'undefined'}> | null, message: ${msg ?? 'null'} as Codec<${msg ?? 'undefined'}> | null,`,
      `    readStream: ${a.readStream ?? 'null'}, writeStream: ${a.writeStream ?? 'null'}, sparseFlag: ${a.sparseFlag ? JSON.stringify(a.sparseFlag) : 'null'},`,
      `    priority: ${JSON.stringify(a.priority)}, generate: ${gen}, acl: ${JSON.stringify(a.acl)},`,
      '  },',
    );
    sig.push(`  ${m.name}: { args: ${args ?? 'undefined'}; ret: ${ret ?? 'undefined'}; message: ${msg ?? 'undefined'} };`);
  }
  lines.push('} as const;');
  sig.push('}');
  lines.push(...sig);
  lines.push(`export type ${prefix}_procedure_name = keyof ${prefix}_procedure_types;`);
  lines.push(`export const ${prefix}_program: ProgramInfo<typeof ${prefix}_procedures> = program(${JSON.stringify(prefix)}, ${spec.program}, ${spec.version}, ${prefix}_procedures);`);
  return { lines, count: def.body.members.length };
}
