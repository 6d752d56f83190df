/** glibc's strerror() texts, which libvirt's messages carry, for the errno codes Node reports. */
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOEXEC: 'Exec format error',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
};

/** strerror(code), or null for a code not in the table. */
export function strerror(code: string | undefined): string | null {
  return (code && STRERROR[code]) || null;
}

/** strerror()-style text for a Node error: the errno's text when known, else the error's message. */
export function errnoText(e: Error): string {
  return strerror((e as NodeJS.ErrnoException).code) ?? e.message;
}
