// vshTable (tools/vsh-table.c): a header and rows printed in aligned columns, control characters
// shown as \xNN, wide characters counted as two columns. For --json (ours), the same rows as
// objects keyed by the column names.

import { intOrNull, jsonKey, jsonNumber, yesNo, type JsonValue } from './json.js';

/** A cell with the value --json gives for it (raw bytes where the text is "1.50 GiB"). */
export interface TypedCell {
  text: string;
  value: JsonValue;
}

export type Cell = string | TypedCell;

/** A cell printed as `text` whose JSON value is `value`. */
export function typed(text: string, value: JsonValue): TypedCell {
  return { text, value };
}

/** A number printed as `text` ("1.50 GiB"): --json gives the number. */
export function numberCell(text: string, n: number | bigint): TypedCell {
  return { text, value: jsonNumber(n) };
}

/** A count or size column: digits are the number, anything else ("-", "unknown") is null. */
function countOrNull(text: string): JsonValue {
  return /^\d+$/.test(text) ? intOrNull(text) : null;
}

// The columns whose text has a type of its own; any other text cell is a string, '-' null.
const COLUMN_VALUES: Readonly<Record<string, (text: string) => JsonValue>> = {
  Id: intOrNull,
  VCPU: intOrNull,
  'IOThread ID': intOrNull,
  Autostart: yesNo,
  Persistent: yesNo,
  Capacity: countOrNull,
  Allocation: countOrNull,
  Available: countOrNull,
  Physical: countOrNull,
};

export class Table {
  private readonly rows: string[][];
  private readonly values: JsonValue[][] = [];
  private readonly extras: Record<string, JsonValue>[] = [];

  constructor(...header: string[]) {
    this.rows = [header];
  }

  /** vshTableRowAppend: a row with as many cells as the header. */
  add(...cells: Cell[]): this {
    const header = this.rows[0]!;
    if (cells.length !== header.length) throw new Error('Incorrect number of cells in a table row');
    this.rows.push(cells.map((c) => (typeof c === 'string' ? c : c.text)));
    this.extras.push({});
    this.values.push(cells.map((c, j) => (typeof c !== 'string' ? c.value : Object.hasOwn(COLUMN_VALUES, header[j]!) ? COLUMN_VALUES[header[j]!]!(c) : c === '-' ? null : c)));
    return this;
  }

  /** Fields of the last row that only --json shows (as a domain's UUID in `list`). */
  with(extra: Record<string, JsonValue>): this {
    Object.assign(this.extras[this.extras.length - 1]!, extra);
    return this;
  }

  /** The rows for --json: one object per row, keyed by the lower-cased column names. */
  toJsonValue(): JsonValue[] {
    const keys = this.rows[0]!.map(jsonKey);
    return this.values.map((row, i) => ({ ...Object.fromEntries(row.map((v, j) => [keys[j]!, v])), ...this.extras[i] }));
  }

  get length(): number {
    return this.rows.length - 1;
  }

  /** vshTablePrintToString: with the header and its dividing line when `header`. */
  toString(header = true): string {
    const ncols = this.rows[0]!.length;
    const encoded = this.rows.map((r) => r.map(safeEncode));
    const max = new Array<number>(ncols).fill(0);
    encoded.forEach((row, i) => {
      if (i === 0 && !header) return;
      row.forEach((c, j) => {
        if (c.width > max[j]!) max[j] = c.width;
      });
    });
    let out = '';
    const printRow = (row: { text: string; width: number }[]) => {
      row.forEach((c, j) => {
        out += ' ' + c.text;
        if (j < row.length - 1) out += ' '.repeat(max[j]! - c.width + 2);
      });
      out += '\n';
    };
    if (header) {
      printRow(encoded[0]!);
      out += max.map((w) => '-'.repeat(w + 3)).join('') + '\n';
    }
    for (let i = 1; i < encoded.length; i++) printRow(encoded[i]!);
    return out;
  }
}

const hex = (b: number) => `\\x${b.toString(16).padStart(2, '0')}`;

/** vshTableSafeEncode. */
function safeEncode(s: string): { text: string; width: number } {
  let text = '';
  let width = 0;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    if ((ch === '\\' && chars[i + 1] === 'x') || cp < 0x20 || cp === 0x7f) {
      text += hex(cp);
      width += 4;
    } else if (cp >= 0x80 && (cp < 0xa0 || isNonPrintable(cp))) {
      for (const b of Buffer.from(ch, 'utf8')) text += hex(b);
      width += 4 * Buffer.byteLength(ch);
    } else {
      text += ch;
      width += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
    }
  }
  return { text, width };
}

function isNonPrintable(cp: number): boolean {
  return /\p{C}/u.test(String.fromCodePoint(cp)) && !/\p{Cf}/u.test(String.fromCodePoint(cp));
}

function isZeroWidth(cp: number): boolean {
  return /[\p{Mn}\p{Me}\p{Cf}]/u.test(String.fromCodePoint(cp)) || (cp >= 0x1160 && cp < 0x1200);
}

/** g_unichar_iswide: East Asian Wide and Fullwidth. */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}
