// vshTTYMakeRaw / vshTTYRestore: the terminal on stdin in cfmakeraw's mode (no echo, no line
// editing, no signals, and no output processing: Node's setRawMode keeps ONLCR), through stty(1).

import { spawnSync } from 'node:child_process';

export interface TTYState {
  /** `stty -g` before the change. */
  saved: string;
}

function stty(args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('stty', args, { stdio: ['inherit', 'pipe', 'pipe'], encoding: 'utf8' });
  return { ok: !r.error && r.status === 0, out: r.stdout ?? '' };
}

/** The terminal on fd 0 in raw mode; null when it is not a terminal or cannot be changed. */
export function ttyMakeRaw(): TTYState | null {
  const saved = stty(['-g']);
  if (!saved.ok) return null;
  if (!stty(['raw', '-echo']).ok) return null;
  return { saved: saved.out.trim() };
}

export function ttyRestore(state: TTYState | null): void {
  if (state) stty([state.saved]);
}
