/**
 * The published evidence format: docs/evidence.schema.json is generated from
 * src/evidence/schema.ts (UPDATE_DOCS=1 rewrites it; UPDATE_EXAMPLES=1 the
 * examples), and every example in docs/ verifies and validates against it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  brokenPromiseEvidence,
  type EvidenceDocument,
  evidenceJsonSchema,
  forkEvidence,
  formatEvidence,
  parseEvidence,
  verifyEvidence,
} from '../../src/evidence/index.ts';
import { ctWorld, hubWorld, leaves, T0 } from './fixtures.ts';

const SCHEMA = 'docs/evidence.schema.json';
const EXAMPLES: Record<string, () => EvidenceDocument> = {
  'docs/examples/evidence-fork.json': () => {
    const ct = ctWorld(86_400_000);
    const honest = leaves(8);
    const forked = [...honest.slice(0, 5), ...leaves(3, 'forked')];
    return forkEvidence({
      log: { ...ct.log, name: 'ct.example/log1', url: 'https://ct.example/log1/' },
      by: 'grapevine-auditor@monitor.example',
      atMs: T0 + 2000,
      heads: [
        {
          ...ct.head(honest, 8, T0),
          observed: {
            by: 'grapevine-collector@a.example',
            from: 'https://ct.example/log1/ct/v1/get-sth',
            at: new Date(T0 + 50).toISOString(),
          },
        },
        {
          ...ct.head(forked, 8, T0 + 900),
          observed: { by: 'gossip-peer@b.example', from: 'https://hub.example/h1', at: new Date(T0 + 1500).toISOString() },
        },
      ],
    });
  },
  'docs/examples/evidence-broken-promise.json': () => {
    const hub = hubWorld(10_000);
    const { promise } = hub.sgt('a checkpoint the hub promised to log', T0);
    const ls = leaves(4);
    return brokenPromiseEvidence({
      log: { ...hub.log, name: 'hub.example/h1', url: 'https://hub.example/h1' },
      by: 'grapevine-auditor@monitor.example',
      atMs: T0 + 30_000,
      promise,
      last: hub.head(ls, 4, T0 + 12_000),
      leafHashes: ls,
    });
  },
};

describe('docs: the published evidence format', () => {
  if (process.env.UPDATE_DOCS === '1') {
    writeFileSync(SCHEMA, `${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`);
  }
  // The examples are embedded in docs/evidence.md: rewriting them (new keys) means updating it too.
  if (process.env.UPDATE_EXAMPLES === '1') {
    for (const [path, make] of Object.entries(EXAMPLES)) writeFileSync(path, formatEvidence(make()));
  }

  it(`${SCHEMA} is the schema of src/evidence/schema.ts (UPDATE_DOCS=1 rewrites it)`, () => {
    assert.deepEqual(JSON.parse(readFileSync(SCHEMA, 'utf8')), evidenceJsonSchema());
  });

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
  for (const path of Object.keys(EXAMPLES)) {
    it(`${path} validates against the JSON Schema and proves misbehaviour`, () => {
      const text = readFileSync(path, 'utf8');
      assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors));
      const v = verifyEvidence(parseEvidence(text));
      assert.equal(v.proves, true, v.line);
    });
  }

  it('the JSON Schema rejects what the parser rejects: a document of the wrong class', () => {
    const doc = JSON.parse(readFileSync('docs/examples/evidence-fork.json', 'utf8'));
    assert.equal(validate({ ...doc, class: 'suspicion' }), false);
  });

  it('docs/evidence.md shows the fork example as it is in docs/examples', () => {
    const md = readFileSync('docs/evidence.md', 'utf8');
    const block = /```json example=docs\/examples\/evidence-fork\.json\n([\s\S]*?)```/.exec(md);
    assert.ok(block, 'docs/evidence.md has a ```json example=docs/examples/evidence-fork.json block');
    assert.deepEqual(JSON.parse(block[1]), JSON.parse(readFileSync('docs/examples/evidence-fork.json', 'utf8')));
  });
});
