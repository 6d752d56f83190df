// The output of an info command ("Name:  value" lines): printed as virsh prints it, or with --json
// (ours) collected into one object printed by end().

import type { CArg } from './cformat.js';
import type { Cmd } from './cmd.js';
import type { VshControl } from './control.js';
import { intOrNull, jsonKey, jsonNumber, toJson, type JsonValue } from './json.js';

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

  /** With --json, the object collected (live: later fields are added to it); null without. */
  get value(): Record<string, JsonValue> | null {
    return this.fields;
  }

  /**
   * ctl.print(fmt, label, value, ...). For --json the field is keyed by the label ("Max memory:"
   * is max_memory, with _kib, _mhz or _ms when the format prints that unit) and its value is the
   * argument after the label: numbers stay numbers, '-' is null; as() replaces either.
   */
  print(fmt: string, label: string, ...args: CArg[]): this {
    if (!this.fields) {
      this.ctl.print(fmt, label, ...args);
      return this;
    }
    const unit = / (KiB|MHz|ms)\b/.exec(fmt)?.[1];
    const key = jsonKey(label) + (unit && !label.includes(unit) ? `_${unit.toLowerCase()}` : '');
    const v = args[0];
    this.set(key, typeof v === 'string' && Object.hasOwn(LABEL_VALUES, label) ? LABEL_VALUES[label]!(v) : autoValue(v));
    return this;
  }

  /** ctl.print(fmt, ...args) as virsh; for --json, `key` is `value`. */
  put(key: string, value: JsonValue, fmt: string, ...args: CArg[]): this {
    if (this.fields) this.set(key, value);
    else this.ctl.print(fmt, ...args);
    return this;
  }

  /** Text only: ctl.print without --json; with it, nothing (field() gives the JSON its value). */
  text(fmt: string, ...args: CArg[]): this {
    if (!this.fields) this.ctl.print(fmt, ...args);
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

/** A handler whose lines go through `out`; with --json the object is printed when it succeeds. */
export function infoCommand<C extends VshControl>(fn: (ctl: C, cmd: Cmd, out: InfoOutput) => Promise<boolean>): (ctl: C, cmd: Cmd) => Promise<boolean> {
  return async (ctl, cmd) => {
    const out = new InfoOutput(ctl, cmd);
    const ok = await fn(ctl, cmd, out);
    if (ok) out.end();
    return ok;
  };
}

// The labels whose text has a type of its own (as Table's columns).
const onOff = (t: string): boolean | null => (t === 'yes' || t === 'enable' ? true : t === 'no' || t === 'disable' ? false : null);
const LABEL_VALUES: Readonly<Record<string, (text: string) => JsonValue>> = {
  'Id:': intOrNull,
  'Active:': onOff,
  'Persistent:': onOff,
  'Autostart:': onOff,
  'Managed save:': onOff,
  'Current:': onOff,
  'Metadata:': onOff,
};

function autoValue(v: CArg): JsonValue {
  if (v === undefined || v === null || v === '-') return null;
  if (typeof v === 'number' || typeof v === 'bigint') return jsonNumber(v);
  return v;
}
