/**
 * docs/configuration.md cannot drift from the schemas: its key tables are
 * what src/config/reference.ts generates from them, every key of every file
 * type is in a table, every documented key exists, every key has a
 * description, and key paths named in the prose exist.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILES, marker, REFERENCE_TABLES, referenceRows, regenerate, schemaKeys } from '../../src/config/reference.ts';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/configuration.md', import.meta.url)), 'utf8');
const rowsOf = (id: string) => {
  const t = REFERENCE_TABLES.find((x) => x.id === id);
  assert.ok(t, `no table ${id}`);
  return referenceRows(t);
};

describe('docs/configuration.md', () => {
  it('has every generated table, as the schemas generate it now', () => {
    for (const t of REFERENCE_TABLES) {
      const { begin, end } = marker(t.id);
      assert.ok(DOC.includes(begin) && DOC.includes(end), `markers of table ${t.id} missing`);
    }
    assert.ok(regenerate(DOC) === DOC, 'stale tables: run node --import tsx scripts/config-reference.ts --write');
  });

  for (const f of CONFIG_FILES) {
    it(`documents every key of a ${f.name} file, and only keys it has`, () => {
      const documented = f.tables.flatMap(([id, prefix]) => rowsOf(id).map((r) => `${prefix}${r.key}`));
      const keys = schemaKeys(f.schema);
      assert.deepEqual(
        keys.filter((k) => !documented.includes(k)),
        [],
        'schema keys with no row',
      );
      assert.deepEqual(
        documented.filter((k) => !keys.includes(k)),
        [],
        'rows with no schema key',
      );
    });
  }

  it('describes every key', () => {
    for (const t of REFERENCE_TABLES) {
      for (const r of referenceRows(t)) assert.ok(r.description.length > 10, `${t.id}: ${r.key} has no description`);
    }
  });

  it('names only keys that exist in its prose', () => {
    const known = new Set(CONFIG_FILES.flatMap((f) => schemaKeys(f.schema)).map((k) => k.replace(/\[\]/g, '')));
    const prose = DOC.replace(/```[\s\S]*?```/g, '') // code blocks show problems, typos included
      .replace(/<!-- BEGIN GENERATED[\s\S]*?END GENERATED[^>]*>/g, '');
    const named = [...prose.matchAll(/`([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*):?`/g)].map((m) => m[1]);
    const keyLike = named.filter((k) => k.includes('.') || /^[a-z]+[A-Z]/.test(k) || prose.includes(`\`${k}:\``));
    // A key path (`sequencer.leaseTtl`), or a key named within its section (`vkey` of a hub source).
    const exists = (k: string) => known.has(k) || [...known].some((x) => x.endsWith(`.${k}`));
    const unknown = keyLike.filter((k) => !exists(k) && !/\.(yaml|ts|md|db|pem)$/.test(k));
    assert.deepEqual(unknown, [], 'key paths in the prose that no schema has');
  });
});
