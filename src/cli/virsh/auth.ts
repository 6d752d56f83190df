// virConnectAuthPtrDefault: the credentials callback virsh opens connections with. Each
// question is printed as "<prompt>: " on stdout and answered from stdin, passwords without echo.

import { readSync } from 'node:fs';
import {
  VIR_CRED_AUTHNAME,
  VIR_CRED_ECHOPROMPT,
  VIR_CRED_EXTERNAL,
  VIR_CRED_NOECHOPROMPT,
  VIR_CRED_PASSPHRASE,
  VIR_CRED_REALM,
  VIR_CRED_USERNAME,
  type ConnectAuth,
} from '../../index.js';
import type { ShellIO } from '../vsh/control.js';

/** One line from descriptor 0, without its newline; null at EOF. */
function readLine(): string | null {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, one, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EOF') n = 0;
      else throw e;
    }
    if (n === 0) return bytes.length ? Buffer.from(bytes).toString() : null;
    if (one[0] === 0x0a) return Buffer.from(bytes).toString();
    bytes.push(one[0]!);
  }
}

/** virGetPassword: a line read with echo off on a terminal. */
export function readPassword(io: ShellIO): string {
  const tty = io.isTTY && process.stdin.isTTY;
  if (tty) process.stdin.setRawMode(true);
  try {
    const bytes: number[] = [];
    const one = Buffer.alloc(1);
    for (;;) {
      let n: number;
      try {
        n = readSync(0, one, 0, 1, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw e;
      }
      if (n === 0 || one[0] === 0x0a || one[0] === 0x0d) break;
      if (tty && one[0] === 0x03) break;
      bytes.push(one[0]!);
    }
    return Buffer.from(bytes).toString();
  } finally {
    if (tty) {
      process.stdin.setRawMode(false);
      io.stdout('\n');
    }
  }
}

export function defaultAuth(io: ShellIO): ConnectAuth {
  return {
    credtype: [VIR_CRED_AUTHNAME, VIR_CRED_ECHOPROMPT, VIR_CRED_REALM, VIR_CRED_PASSPHRASE, VIR_CRED_NOECHOPROMPT, VIR_CRED_EXTERNAL],
    cb: (creds) => {
      for (const cred of creds) {
        let answer: string | null = null;
        switch (cred.type) {
          case VIR_CRED_EXTERNAL:
            if (cred.challenge !== 'PolicyKit') return -1;
            continue;
          case VIR_CRED_USERNAME:
          case VIR_CRED_AUTHNAME:
          case VIR_CRED_ECHOPROMPT:
          case VIR_CRED_REALM: {
            io.stdout(`${cred.prompt}: `);
            const line = readLine();
            if (line) answer = line;
            break;
          }
          case VIR_CRED_PASSPHRASE:
          case VIR_CRED_NOECHOPROMPT: {
            io.stdout(`${cred.prompt}: `);
            const line = readPassword(io);
            if (line) answer = line;
            break;
          }
          default:
            return -1;
        }
        cred.result = answer ?? cred.defresult ?? '';
      }
      return 0;
    },
  };
}
