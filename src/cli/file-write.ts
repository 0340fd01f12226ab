/**
 * Writing files the CLI creates (keys, certificates, configs) so that what
 * lands on disk is exactly what was meant:
 *
 * - A new file is opened with O_CREAT|O_EXCL: an existing file, or a
 *   symlink planted where it should go, is refused, never written through.
 * - A replaced file (--force) is written to a temporary file in the same
 *   directory, with its final mode from the start, synced, then renamed over
 *   the old name: rename replaces the directory entry (a symlink included,
 *   never the file it points to), the new file gets its own mode whatever
 *   the old one had (a 0644 file replaced by a key becomes 0600), and a
 *   crash leaves the old file or the new one, never half of one.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.ts';

export interface WriteOptions {
  /** File mode of the new file (before the umask). Private keys: 0o600. */
  readonly mode: number;
  /** Replace an existing file (by rename). Default false: an existing path is an error. */
  readonly replace?: boolean;
  /** Appended to the "already exists" error, e.g. " (pass --force to replace it)". */
  readonly existsHint?: string;
}

/** Writes `content` to `path` as described above. Throws CliError FAILED naming the path. */
export function writeNewFile(path: string, content: string | Uint8Array, o: WriteOptions): void {
  const target = o.replace ? join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`) : path;
  let fd: number;
  try {
    fd = openSync(target, 'wx', o.mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !o.replace)
      throw new CliError('FAILED', `${path} already exists${o.existsHint ?? ''}`, { cause: err });
    throw new CliError('FAILED', `cannot create ${target}: ${(err as Error).message}`, { cause: err });
  }
  try {
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (o.replace) renameSync(target, path);
  } catch (err) {
    try {
      unlinkSync(target);
    } catch {
      // best effort: the write already failed
    }
    throw new CliError('FAILED', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
