/**
 * Loads the shared test vectors from ../shared/testdata (written by others;
 * never edited to make a test pass).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTDATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'testdata');

// biome-ignore lint/suspicious/noExplicitAny: test vectors are untyped JSON
export function loadTestdata(name: string): any {
  return JSON.parse(readFileSync(join(TESTDATA_DIR, name), 'utf8'));
}
