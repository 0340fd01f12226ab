/**
 * Appends one JSON line per incident (record.ts) to a file and fsyncs it
 * before `report` resolves. An id already in the file — written by this
 * process or an earlier one — is not written again, so a restarted auditor
 * that catches the same fork again adds nothing. A torn last line after a
 * crash is the reader's to skip (every complete line is one record); the
 * next append starts on a fresh line.
 *
 * Concurrency: reports are chained on one promise, so lines never interleave
 * and the id set is only touched in order.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Incident } from '../evidence/index.ts';
import { incidentRecord } from './record.ts';
import type { IncidentSink, ReportContext } from './sink.ts';

const ID_AT_START = /^\{"v":1,"id":"([^"]{1,200})"/;

export class JsonLinesIncidentSink implements IncidentSink {
  readonly name = 'jsonl';
  readonly #path: string;
  #file: FileHandle | null = null;
  #ids: Set<string> | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string) {
    this.#path = path;
  }

  report(i: Incident, ctx: ReportContext): Promise<void> {
    const next = this.#chain.then(() => this.#append(i, ctx));
    this.#chain = next.catch(() => {});
    return next;
  }

  async #append(i: Incident, ctx: ReportContext): Promise<void> {
    if (this.#closed) return;
    this.#ids ??= await this.#readIds();
    const ids = this.#ids;
    if (ids.has(i.id)) return;
    if (this.#file === null) {
      this.#file = await open(this.#path, 'a+');
      // A torn last line (crash mid-write) must not swallow the next record.
      const { size } = await this.#file.stat();
      if (size > 0 && !(await this.#endsWithNewline(size))) await this.#file.write('\n');
    }
    await this.#file.write(`${JSON.stringify(incidentRecord(i, ctx))}\n`);
    await this.#file.datasync();
    ids.add(i.id);
  }

  async #endsWithNewline(size: number): Promise<boolean> {
    const b = Buffer.alloc(1);
    await (this.#file as FileHandle).read(b, 0, 1, size - 1);
    return b[0] === 0x0a;
  }

  async #readIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    try {
      const lines = createInterface({ input: createReadStream(this.#path), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        const m = ID_AT_START.exec(line);
        if (m) ids.add(m[1]);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return ids;
  }

  async close(): Promise<void> {
    await this.#chain;
    this.#closed = true;
    await this.#file?.close();
    this.#file = null;
  }
}
