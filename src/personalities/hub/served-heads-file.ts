/**
 * The served-head audit kept in a file (ServedHeadStore): one JSON line per
 * served head, fsynced, so that after a restart the hub serves only a root
 * consistent with the last one it served before (auditor.ts).
 *
 * Bounded, whatever the uptime (issue 9 #4: the whole file used to be read
 * into one string at start, which fails with ERR_STRING_TOO_LONG after about
 * 11 days at one head per second, and the hub then never served a head):
 * - `last()` reads the file backwards in chunks from its end and parses only
 *   the last complete line: the cost of a start does not grow with the file.
 *   A torn final line (a crash mid-append) is skipped, and the next append
 *   starts on a line of its own.
 * - Rotation: once the file passes `maxBytes`, it becomes `<path>.1` (older
 *   generations shift to `.2` … `.<keep>`, the oldest dropped) and `<path>`
 *   is replaced by a file holding only the last record. Every step is a
 *   rename (or a hard link) of complete, fsynced files, so at every instant
 *   `<path>` exists and its last complete line is the last served head: a
 *   crash anywhere in a rotation loses nothing the audit needs.
 *
 * Concurrency: one HeadAuditor calls `last` and `append`, never concurrently
 * with themselves (its refresh is single-flight). `#size` and `#torn` are
 * owned by those two methods.
 */
import { constants, type FileHandle, link, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SetupError } from '../../errors.ts';
import { type ServedHead, type ServedHeadStore, servedHeadFromJson, servedHeadToJson } from './served-heads.ts';

export interface AuditFileOptions {
  /** Size past which the file is rotated, bytes. Default 64 MiB (about 18 hours of heads at one per second). */
  readonly maxBytes?: number;
  /** Rotated generations kept (`<path>.1` … `<path>.<keep>`). Default 3; 0 keeps none. */
  readonly keep?: number;
}

export const DEFAULT_AUDIT_FILE_MAX_BYTES = 64 * 2 ** 20;
export const DEFAULT_AUDIT_FILE_KEEP = 3;

/** How far back from the end `last()` looks for a complete record. A record is about 1 KiB; a torn one is shorter. */
const MAX_TAIL_SCAN = 4 * 2 ** 20;
const CHUNK = 64 * 2 ** 10;
const NL = 0x0a;

export class FileServedHeads implements ServedHeadStore {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  /** Bytes in `#path`, once known (after `last` or the first `append`). */
  #size: number | null = null;
  /** True when `#path` ends in a torn line: the next append writes a newline first. */
  #torn = false;

  constructor(path: string, opts: AuditFileOptions = {}) {
    this.#path = path;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_AUDIT_FILE_MAX_BYTES;
    this.#keep = opts.keep ?? DEFAULT_AUDIT_FILE_KEEP;
    if (!(this.#maxBytes > 0) || !Number.isSafeInteger(this.#keep) || this.#keep < 0) {
      throw new SetupError('BAD_CONFIG', `audit file ${path}: got maxBytes ${this.#maxBytes}, keep ${this.#keep}; want > 0 and ≥ 0`);
    }
  }

  /**
   * The last complete record: of `<path>`, or when `<path>` is missing or
   * empty (a file moved away by hand), of the newest rotated generation.
   * SetupError BAD_CONFIG when the file has complete lines but none of its
   * last 4 MiB is a record: it is not an audit file, and trusting the core's
   * first root as given could serve a fork. (A file holding only a torn first
   * line never recorded a served head: null.)
   */
  async last(): Promise<ServedHead | null> {
    const current = await readLast(this.#path);
    this.#size = current.size;
    this.#torn = current.torn;
    if (current.head) return current.head;
    // No record in <path>: it was moved away by hand, or a crash came before its first record.
    for (let i = 1; i <= this.#keep; i++) {
      const older = await readLast(`${this.#path}.${i}`);
      if (older.head) return older.head;
    }
    return null;
  }

  async append(head: ServedHead): Promise<void> {
    const line = Buffer.from(`${JSON.stringify(servedHeadToJson(head))}\n`, 'utf8');
    const fh = await open(this.#path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
    try {
      if (this.#size === null) {
        const s = await fh.stat();
        this.#size = s.size;
        this.#torn = s.size > 0 && (await lastByte(fh, s.size)) !== NL;
      }
      const out = this.#torn ? Buffer.concat([Buffer.of(NL), line]) : line;
      await fh.write(out);
      await fh.sync();
      this.#size += out.length;
      this.#torn = false;
    } finally {
      await fh.close();
    }
    if (this.#size > this.#maxBytes) await this.#rotate(line);
  }

  /** Moves the full file to `.1` (shifting older generations) and replaces it with `line` alone. */
  async #rotate(line: Buffer): Promise<void> {
    const p = this.#path;
    const fresh = `${p}.tmp`;
    const fh = await open(fresh, 'w', 0o644);
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (this.#keep > 0) {
      await rm(`${p}.${this.#keep}`, { force: true });
      for (let i = this.#keep - 1; i >= 1; i--) await renameIfExists(`${p}.${i}`, `${p}.${i + 1}`);
      // A hard link keeps <path> in place until the rename below replaces it in one step.
      const held = `${p}.1.tmp`;
      await rm(held, { force: true });
      await link(p, held);
      await rename(held, `${p}.1`);
    }
    await rename(fresh, p);
    await syncDir(dirname(p));
    this.#size = line.length;
  }
}

/** The last complete record of `path`, its size, and whether it ends in a torn line; size 0 when missing. */
async function readLast(path: string): Promise<{ head: ServedHead | null; size: number; torn: boolean }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { head: null, size: 0, torn: false };
    throw err;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return { head: null, size, torn: false };
    const torn = (await lastByte(fh, size)) !== NL;
    const { head, lines } = await lastCompleteRecord(fh, size);
    if (!head && lines) {
      throw new SetupError(
        'BAD_CONFIG',
        `audit file ${path}: no complete served-head record in its last ${Math.min(size, MAX_TAIL_SCAN)} bytes; it is not a hub audit file (move it aside only if this hub never served from its database)`,
      );
    }
    return { head, size, torn };
  } finally {
    await fh.close();
  }
}

async function lastByte(fh: FileHandle, size: number): Promise<number> {
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, size - 1);
  return b[0];
}

/**
 * Reads backwards from the end, a chunk at a time, for the last
 * newline-terminated line that parses as a record (bytes after the last
 * newline are a torn write and are skipped). Reads at most MAX_TAIL_SCAN
 * bytes. `lines` tells a file with no complete line at all (only a torn
 * first write: nothing was ever served from it) from one whose lines are not
 * records.
 */
async function lastCompleteRecord(fh: FileHandle, size: number): Promise<{ head: ServedHead | null; lines: boolean }> {
  let pos = size;
  // Once a newline was seen: file[pos, pos + pending.length) is the start of a line whose end is known.
  let pending = Buffer.alloc(0);
  let lines = false;
  while (pos > 0) {
    if (size - pos >= MAX_TAIL_SCAN) return { head: null, lines: true };
    const start = Math.max(0, pos - CHUNK);
    const chunk = Buffer.alloc(pos - start);
    await fh.read(chunk, 0, chunk.length, start);
    pos = start;
    const data = pending.length > 0 ? Buffer.concat([chunk, pending]) : chunk;
    let end = data.length;
    if (!lines) {
      const nl = data.lastIndexOf(NL);
      if (nl < 0) continue; // still inside the torn tail
      lines = true;
      end = nl;
    }
    // data[0, end) ends where a line ends; take complete lines from the right.
    for (;;) {
      const nl = end > 0 ? data.lastIndexOf(NL, end - 1) : -1;
      if (nl < 0 && pos > 0) break; // the line starts in an earlier chunk
      const head = parseLine(data.subarray(nl + 1, end));
      if (head) return { head, lines };
      if (nl < 0) return { head: null, lines }; // the start of the file
      end = nl;
    }
    pending = Buffer.from(data.subarray(0, end));
  }
  return { head: null, lines };
}

function parseLine(line: Buffer): ServedHead | null {
  if (line.length === 0) return null;
  try {
    return servedHeadFromJson(JSON.parse(line.toString('utf8')));
  } catch {
    return null;
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Makes the renames in `dir` durable (POSIX: a rename is persisted by fsyncing the directory). */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch (err) {
    // Some platforms cannot fsync a directory (EISDIR/EINVAL); the renames are then as durable as the platform allows.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err;
  } finally {
    await d.close();
  }
}
