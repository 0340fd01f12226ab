/**
 * docs/incidents.md: the record example has the fields incidentRecord writes
 * and the id the example evidence really has; every category is documented.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { INCIDENT_CATEGORIES, incidentId, makeIncident, parseEvidence } from '../../src/evidence/index.ts';
import { incidentRecord } from '../../src/incidents/index.ts';

const md = readFileSync('docs/incidents.md', 'utf8');
const evidence = parseEvidence(readFileSync('docs/examples/evidence-fork.json'));

describe('docs/incidents.md', () => {
  const block = /```jsonc\n([\s\S]*?)```/.exec(md);
  assert.ok(block, 'a ```jsonc record example');
  const example = JSON.parse(block[1]);

  it('shows a record with exactly the fields incidentRecord writes', () => {
    const rec = incidentRecord(makeIncident(evidence, example.observer, Date.parse(example.time)), { evidencePath: example.evidencePath });
    assert.deepEqual(Object.keys(example), Object.keys(rec));
    assert.deepEqual(example.log, rec.log);
    assert.equal(example.summary, rec.summary);
  });

  it('shows the id the example evidence has', () => {
    assert.equal(example.id, incidentId(evidence));
  });

  it('documents every category', () => {
    for (const c of INCIDENT_CATEGORIES) assert.ok(md.includes(`| \`${c}\` |`), c);
  });
});
