// Just enough of the C preprocessor for virsh's command tables: comments out, #if/#ifdef
// branches chosen as on Linux, #define collected (object-like and function-like, with line
// continuations) and expanded.

export type Defines = Map<string, { params: string[] | null; body: string }>;

/** Comments out, string and character literals kept. */
export function stripComments(src: string): string {
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
      out += src.slice(start, i + 1);
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const comment = src.slice(i, end + 2);
      out += comment.replace(/[^\n]/g, ' ');
      i = end + 1;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

/** What virsh is built with on Debian bookworm: Linux, not Windows, with readline. */
const DEFINED = new Set(['__linux__', 'WITH_READLINE', 'WITH_QEMU', 'WITH_LXC', 'WITH_REMOTE', 'WITH_LIBVIRTD']);

/** Keeps the lines of the branches that are taken; joins continued #define lines. */
export function preprocess(src: string): string {
  const lines = src.replace(/\\\n/g, '\uE000').split('\n');
  const stack: { active: boolean; taken: boolean }[] = [];
  const active = () => stack.every((s) => s.active);
  const out: string[] = [];
  const truth = (expr: string): boolean => {
    const e = expr.trim();
    const m = /^(!?)\s*defined\s*\(?\s*(\w+)\s*\)?$/.exec(e);
    if (m) return (m[1] === '!') !== DEFINED.has(m[2]!);
    if (/^\d+$/.test(e)) return e !== '0';
    if (/^\w+$/.test(e)) return DEFINED.has(e);
    return false;
  };
  for (const raw of lines) {
    const line = raw.replace(/\uE000/g, '\\\n');
    const d = /^\s*#\s*(\w+)\s*(.*)$/s.exec(line);
    if (d) {
      const [, kw, rest] = d;
      if (kw === 'if' || kw === 'ifdef' || kw === 'ifndef') {
        const v = kw === 'if' ? truth(rest!) : kw === 'ifdef' ? DEFINED.has(rest!.trim()) : !DEFINED.has(rest!.trim());
        stack.push({ active: v, taken: v });
        out.push('');
        continue;
      }
      if (kw === 'elif') {
        const top = stack[stack.length - 1]!;
        const v = !top.taken && truth(rest!);
        top.active = v;
        top.taken ||= v;
        out.push('');
        continue;
      }
      if (kw === 'else') {
        const top = stack[stack.length - 1]!;
        top.active = !top.taken;
        top.taken = true;
        out.push('');
        continue;
      }
      if (kw === 'endif') {
        stack.pop();
        out.push('');
        continue;
      }
    }
    out.push(active() ? line.replace(/\\\n/g, ' ') : '');
  }
  return out.join('\n');
}

export function parseDefines(src: string, defines: Defines): void {
  for (const m of src.matchAll(/^\s*#\s*define\s+(\w+)(\(([^)]*)\))?[ \t]*(.*)$/gm)) {
    const params = m[2] !== undefined ? m[3]!.split(',').map((s) => s.trim()).filter(Boolean) : null;
    defines.set(m[1]!, { params, body: m[4]!.trim() });
  }
}

/** The arguments of a macro call starting at the '(' at `open`; and where it ends. */
function callArgs(text: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      cur += text.slice(start, i + 1);
      continue;
    }
    if (c === '(') {
      if (depth++ === 0) continue;
    } else if (c === ')') {
      if (--depth === 0) {
        args.push(cur.trim());
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  throw new Error('unterminated macro call');
}

/** Expands the macros in `text` (outside string literals), recursively. */
export function expandMacros(text: string, defines: Defines, depth = 0): string {
  if (depth > 20) throw new Error('macro expansion too deep');
  let out = '';
  let changed = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const start = i;
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      out += text.slice(start, ++i);
      continue;
    }
    const id = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 200));
    if (!id || (i > 0 && /\w/.test(text[i - 1]!))) {
      out += c;
      i++;
      continue;
    }
    const name = id[0];
    const def = defines.get(name);
    // Only the table macros: names in capitals (VIRSH_COMMON_OPT_*, VSH_CMD_*, N_ is handled by the table parser).
    if (!def || !/^[A-Z][A-Z0-9_]+$/.test(name) || name === 'N_') {
      out += name;
      i += name.length;
      continue;
    }
    if (def.params === null) {
      out += def.body;
      i += name.length;
      changed = true;
      continue;
    }
    let j = i + name.length;
    while (text[j] === ' ' || text[j] === '\n' || text[j] === '\t') j++;
    if (text[j] !== '(') {
      out += name;
      i += name.length;
      continue;
    }
    const { args, end } = callArgs(text, j);
    let body = def.body;
    def.params.forEach((p, k) => {
      body = body.replace(new RegExp(`(?<![\\w"])${p}(?!\\w)`, 'g'), () => args[k] ?? '');
    });
    out += body;
    i = end;
    changed = true;
  }
  return changed ? expandMacros(out, defines, depth + 1) : out;
}
