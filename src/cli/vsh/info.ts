// The output of an info command ("Name:  value" lines): printed as virsh prints it, or with --json
// (ours) collected into one object printed by end().

import type { CArg } from './cformat.js';
import type { Cmd } from './cmd.js';
import type { VshControl } from './control.js';
import { jsonKey, jsonNumber, toJson, type JsonValue } from './json.js';

export class InfoOutput {
  private readonly fields: Record<string, JsonValue> | null;
  private last: string | null = null;

  constructor(
    private readonly ctl: VshControl,
    cmd: Cmd,
  ) {
    this.fields = cmd.has('json') ? {} : null;
  }

  get json(): boolean {
    return this.fields !== null;
  }

  /**
   * ctl.print(fmt, label, value, ...). For --json the field is keyed by the label ("Max memory:"
   * is max_memory, with _kib when the format prints KiB) and its value is the argument after the
   * label: numbers stay numbers, '-' is null; as() replaces either.
   */
  print(fmt: string, label: string, ...args: CArg[]): this {
    if (!this.fields) {
      this.ctl.print(fmt, label, ...args);
      return this;
    }
    const key = jsonKey(label) + (/KiB\b/.test(fmt) && !/KiB/.test(label) ? '_kib' : '');
    this.set(key, autoValue(args[0]));
    return this;
  }

  /** A field of the JSON only: `key` is `value` (nothing is printed as text). */
  field(key: string, value: JsonValue): this {
    if (this.fields) this.set(key, value);
    return this;
  }

  /** The JSON value of the field just printed, and its key when given. */
  as(value: JsonValue, key?: string): this {
    if (!this.fields || this.last === null) return this;
    if (key !== undefined) delete this.fields[this.last];
    this.set(key ?? this.last, value);
    return this;
  }

  /** With --json, prints the object collected. */
  end(): void {
    if (this.fields) this.ctl.print(toJson(this.fields));
  }

  private set(key: string, value: JsonValue): void {
    this.fields![key] = value;
    this.last = key;
  }
}

function autoValue(v: CArg): JsonValue {
  if (v === undefined || v === null || v === '-') return null;
  if (typeof v === 'number' || typeof v === 'bigint') return jsonNumber(v);
  return v;
}
