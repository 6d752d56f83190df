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

/** One line from descriptor 0 without its newline (null at EOF); on a terminal without echo when `secret`. */
function readLine(io: ShellIO, secret: boolean): string | null {
  const tty = secret && io.isTTY && process.stdin.isTTY;
  if (tty) process.stdin.setRawMode(true);
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(0, one, 0, 1, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((e as NodeJS.ErrnoException).code !== 'EOF') throw e;
        n = 0;
      }
      if (n === 0) return bytes.length || secret ? Buffer.from(bytes).toString() : null;
      // Raw mode gives carriage returns and ^C instead of newlines and a signal.
      if (one[0] === 0x0a || (tty && (one[0] === 0x0d || one[0] === 0x03))) return Buffer.from(bytes).toString();
      bytes.push(one[0]!);
    }
  } finally {
    if (tty) {
      process.stdin.setRawMode(false);
      io.stdout('\n');
    }
  }
}

/** virGetPassword: a line read without echo on a terminal ('' at EOF). */
export function readPassword(io: ShellIO): string {
  return readLine(io, true) ?? '';
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
            const line = readLine(io, false);
            if (line) answer = line;
            break;
          }
          case VIR_CRED_PASSPHRASE:
          case VIR_CRED_NOECHOPROMPT: {
            io.stdout(`${cred.prompt}: `);
            const line = readLine(io, true);
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
