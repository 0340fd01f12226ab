/**
 * Evidence files: `<dir>/<incident id>.json`, one evidence document each
 * (docs/evidence.md), written atomically (temporary file, fsync, rename,
 * fsync of the directory) so a crash leaves either the whole file or none.
 * The id is a function of what the evidence shows, so a file that exists is
 * the same incident: it is kept, never overwritten (the first observation
 * stays the record).
 */
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type EvidenceDocument, formatEvidence } from '../evidence/index.ts';

export class EvidenceDir {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The ids of the evidence files present (creates the directory if missing). */
  async ids(): Promise<Set<string>> {
    await mkdir(this.dir, { recursive: true });
    const names = await readdir(this.dir);
    return new Set(names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length)));
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Writes the document of incident `id` unless a file for it exists; returns its path. */
  async write(id: string, doc: EvidenceDocument): Promise<string> {
    if (!/^[a-z-]+-[0-9a-f]{16}$/.test(id))
      throw new TypeError(`evidence file: got incident id ${JSON.stringify(id)}, want <category>-<16 hex>`);
    const path = this.pathOf(id);
    const tmp = join(this.dir, `.${id}.${process.pid}.tmp`);
    const f = await open(tmp, 'w');
    try {
      await f.writeFile(formatEvidence(doc));
      await f.sync();
    } finally {
      await f.close();
    }
    await rename(tmp, path);
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
    return path;
  }
}
