/** A fresh folder under the OS temp folder for one test's files (left for the OS to clean). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates `<tmpdir>/<prefix>XXXXXX` and returns its path. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
