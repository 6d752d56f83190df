// virKeycodeSet's names and virKeycodeValueFromString (libvirt's src/util/virkeycode.c).

import { KEY_NAMES } from './generated/keymaps.js';

/** VIR_KEYCODE_SET_* by index, as virKeycodeSetTypeFromString reads them. */
export const KEYCODE_SETS = ['linux', 'xt', 'atset1', 'atset2', 'atset3', 'os_x', 'xt_kbd', 'usb', 'win32', 'qnum'];

/** The keycode a key name has in `codeset` (linux, os_x and win32 have names); -1 when none. */
export function keycodeValue(codeset: number, name: string): number {
  const table = KEY_NAMES[KEYCODE_SETS[codeset] ?? ''];
  return table?.find(([n]) => n === name)?.[1] ?? -1;
}
