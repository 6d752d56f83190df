// The vshCmdOptDef, vshCmdInfo, vshCmdDef and vshCmdGrp arrays of preprocessed C source, read
// as designated initialisers ({.name = "x", .type = VSH_OT_BOOL, .help = N_("...")}).

export interface OptEntry {
  name: string;
  type: string;
  flags: string[];
  help: string;
  completer?: string;
  /** The completer's flags, as the C names or-ed together. */
  completerFlags?: string[];
}
export interface CmdEntry {
  name: string;
  handler?: string;
  help: string;
  desc: string;
  flags: string[];
  alias?: string;
  opts: OptEntry[];
}
export interface CmdTable {
  groups: { name: string; keyword: string; commands: CmdEntry[] }[];
}

/** A C string literal sequence ("a" "b", N_("..."), _("...")) as its value; null when not one. */
function cString(expr: string): string | null {
  let e = expr.trim();
  const wrapped = /^N?_\s*\(([\s\S]*)\)$/.exec(e);
  if (wrapped) e = wrapped[1]!.trim();
  if (!e.startsWith('"')) return null;
  let out = '';
  let i = 0;
  while (i < e.length) {
    while (i < e.length && /\s/.test(e[i]!)) i++;
    if (i >= e.length) break;
    if (e[i] !== '"') return null;
    for (i++; i < e.length && e[i] !== '"'; i++) {
      if (e[i] === '\\') {
        const n = e[++i]!;
        const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', "'": "'", r: '\r' };
        if (n in map) out += map[n];
        else if (/[0-7]/.test(n)) {
          const oct = /^[0-7]{1,3}/.exec(e.slice(i))![0];
          out += String.fromCharCode(parseInt(oct, 8));
          i += oct.length - 1;
        } else out += n;
      } else out += e[i];
    }
    i++;
  }
  return out;
}

/** The top-level {...} entries of an array body. */
function entries(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"') {
      for (i++; i < body.length && body[i] !== '"'; i++) if (body[i] === '\\') i++;
      continue;
    }
    if (c === '{') {
      if (depth++ === 0) start = i + 1;
    } else if (c === '}') {
      if (--depth === 0) out.push(body.slice(start, i));
    }
  }
  return out;
}

/** `.field = value` pairs of one entry (values split at top-level commas). */
function fields(entry: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < entry.length; i++) {
    const c = entry[i]!;
    if (c === '"') {
      const s = i;
      for (i++; i < entry.length && entry[i] !== '"'; i++) if (entry[i] === '\\') i++;
      cur += entry.slice(s, i + 1);
      continue;
    }
    if (c === '(' || c === '{') depth++;
    if (c === ')' || c === '}') depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const positional: string[] = [];
  for (const p of parts) {
    const m = /^\s*\.(\w+)\s*=\s*([\s\S]*)$/.exec(p);
    if (m) out.set(m[1]!, m[2]!.trim());
    else if (p.trim()) positional.push(p.trim());
  }
  positional.forEach((p, i) => out.set(`#${i}`, p));
  return out;
}

function arrays(src: string, type: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = new RegExp(`(?:static\\s+)?const\\s+${type}\\s+(\\w+)\\s*\\[\\s*\\]\\s*=\\s*\\{`, 'g');
  for (const m of src.matchAll(re)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const start = i;
    for (; i < src.length && depth > 0; i++) {
      const c = src[i]!;
      if (c === '"') {
        for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    out.set(m[1]!, src.slice(start, i - 1));
  }
  return out;
}

/** A flags expression: A | B, or a macro's `(cond) ? A : B` with a literal condition. */
function flagExpr(v: string): string {
  let e = v.trim();
  while (/^\(([^()]*)\)$/.test(e)) e = e.slice(1, -1).trim();
  const t = /^\(?\s*(true|false|[01])\s*\)?\s*\?\s*([^:]+):\s*(.+)$/.exec(e);
  if (t) return flagExpr(t[1] === 'true' || t[1] === '1' ? t[2]! : t[3]!);
  return e.replace(/[()]/g, ' ');
}

const flagList = (v: string | undefined, prefix: string): string[] =>
  flagExpr(v ?? '0')
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s && s !== '0' && s !== `${prefix}NONE`)
    .map((s) => {
      if (!s.startsWith(prefix)) throw new Error(`unexpected flag ${s}`);
      return s.slice(prefix.length);
    });

export function parseTables(src: string, groupsVar: string): CmdTable {
  const optArrays = arrays(src, 'vshCmdOptDef');
  const infoArrays = arrays(src, 'vshCmdInfo');
  const cmdArrays = arrays(src, 'vshCmdDef');
  const grpArrays = arrays(src, 'vshCmdGrp');

  const opts = (name: string | undefined): OptEntry[] => {
    if (!name || name === 'NULL') return [];
    const body = optArrays.get(name);
    if (body === undefined) throw new Error(`no option table ${name}`);
    const out: OptEntry[] = [];
    for (const e of entries(body)) {
      const f = fields(e);
      const n = f.get('name');
      if (!n || n === 'NULL') break;
      const o: OptEntry = {
        name: cString(n)!,
        type: flagExpr(f.get('type')!).trim().replace(/^VSH_OT_/, '').toLowerCase(),
        flags: flagList(f.get('flags'), 'VSH_OFLAG_'),
        help: cString(f.get('help') ?? '""') ?? '',
      };
      const comp = f.get('completer');
      if (comp && comp !== 'NULL') o.completer = comp;
      const cflags = f.get('completer_flags');
      if (cflags) {
        const names = flagExpr(cflags).split('|').map((x) => x.trim().replace(/^\((.*)\)$/, '$1').trim()).filter((x) => x && x !== '0');
        if (names.length) o.completerFlags = names;
      }
      out.push(o);
    }
    return out;
  };
  const info = (name: string | undefined): { help: string; desc: string } => {
    const r = { help: '', desc: '' };
    if (!name) return r;
    const body = infoArrays.get(name);
    if (body === undefined) throw new Error(`no info table ${name}`);
    for (const e of entries(body)) {
      const f = fields(e);
      // Designated ({.name = "help", .data = ...}) or positional ({"help", N_("...")}).
      const n = f.get('name') ?? f.get('#0');
      if (!n || n === 'NULL') break;
      const key = cString(n)!;
      const data = f.get('data') ?? f.get('#1') ?? '""';
      if (key === 'help') r.help = cString(data) ?? '';
      if (key === 'desc') r.desc = cString(data) ?? '';
    }
    return r;
  };
  const commands = (name: string): CmdEntry[] => {
    const body = cmdArrays.get(name);
    if (body === undefined) throw new Error(`no command table ${name}`);
    const out: CmdEntry[] = [];
    for (const e of entries(body)) {
      const f = fields(e);
      const n = f.get('name');
      if (!n || n === 'NULL') break;
      const i = info(f.get('info'));
      const c: CmdEntry = { name: cString(n)!, help: i.help, desc: i.desc, flags: flagList(f.get('flags'), 'VSH_CMD_FLAG_'), opts: opts(f.get('opts')) };
      const h = f.get('handler');
      if (h && h !== 'NULL') c.handler = h;
      const a = f.get('alias');
      if (a) c.alias = cString(a)!;
      out.push(c);
    }
    return out;
  };

  const groupsBody = grpArrays.get(groupsVar);
  if (groupsBody === undefined) throw new Error(`no group table ${groupsVar}`);
  const groups: CmdTable['groups'] = [];
  for (const e of entries(groupsBody)) {
    const f = fields(e);
    const n = f.get('#0') ?? f.get('name');
    if (!n || n === 'NULL') break;
    groups.push({ name: cString(n)!, keyword: cString(f.get('#1') ?? f.get('keyword')!)!, commands: commands(f.get('#2') ?? f.get('commands')!) });
  }
  return { groups };
}
