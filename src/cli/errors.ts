// Errors the command line turns into one line and an exit status, never a stack trace.

/** A bad command line or bad input: exit status 2. */
export class UsageError extends Error {}

/** An I/O failure (unreadable file, full or read-only output folder): exit status 3. */
export class IoError extends Error {}

export const EXIT = { clean: 0, found: 1, usage: 2, io: 3 } as const;

/** A one-line description of a Node I/O error: 'permission denied', 'no space left on device'... */
export function ioCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EEXIST':
      return 'file exists';
    case 'EMFILE':
      return 'too many open files';
    default:
      return err?.message ?? String(e);
  }
}
