/**
 * The incident record (docs/incidents.md) and the JSON-lines sink: the
 * documented example has exactly the fields the witness writes, and the
 * file sink appends one line per incident, once per id.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openCheckpoint, originHash } from '../../src/checkpoint/index.ts';
import { verifierFromVkey } from '../../src/note/index.ts';
import { JsonLinesIncidentSink, witnessIncident } from '../../src/witness/index.ts';

const DOC = new URL('../../docs/incidents.md', import.meta.url);

function keysDeep(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [prefix];
  return Object.entries(o).flatMap(([k, v]) => keysDeep(v, prefix ? `${prefix}.${k}` : k));
}

const sample = witnessIncident({
  category: 'witness.root-mismatch',
  timeMs: 1_800_000_000_000,
  observer: 'witness.example/w1',
  origin: 'example.com/log',
  originHash: 'ab'.repeat(32),
  detail: 'two heads of size 8 with different roots',
  accepted: 'example.com/log\n8\n…\n\n— example.com/log AAAA\n',
  submitted: 'example.com/log\n8\n…\n\n— example.com/log BBBB\n',
  oldSize: 8,
  proof: [Buffer.alloc(32, 1)],
});

describe('docs/incidents.md', () => {
  const text = readFileSync(DOC, 'utf8');

  it('has an example with exactly the fields a witness incident has', () => {
    const block = /```json\n(.*)\n```/.exec(text);
    assert.ok(block, 'no json block');
    const example = JSON.parse(block[1]);
    assert.deepEqual(keysDeep(example).sort(), keysDeep(sample).sort());
    assert.equal(example.v, 1);
  });

  it("has a real example: both notes verify under the log's vkey, the accepted one also under the witness's", () => {
    const example = JSON.parse((/```json\n(.*)\n```/.exec(text) ?? [])[1]);
    const [logVkey, witnessVkey] = [...text.matchAll(/vkey `([^`]+)`/g)].map((m) => m[1]);
    const submitted = openCheckpoint(example.evidence.submitted, { log: [verifierFromVkey(logVkey)] });
    const accepted = openCheckpoint(example.evidence.accepted, {
      log: [verifierFromVkey(logVkey)],
      witnesses: [verifierFromVkey(witnessVkey)],
    });
    assert.equal(accepted.cosignatures.length, 1);
    assert.equal(submitted.checkpoint.size, accepted.checkpoint.size);
    assert.notDeepEqual(submitted.checkpoint.rootHash, accepted.checkpoint.rootHash);
    assert.equal(example.log.originHash, originHash(example.log.origin).toString('hex'));
  });

  it('documents every field and every category', () => {
    for (const k of keysDeep(sample)) assert.ok(text.includes(`\`${k}\``), `field ${k} is not documented`);
    for (const c of ['witness.root-mismatch', 'witness.bad-empty-root', 'witness.bad-consistency-proof'])
      assert.ok(text.includes(`\`${c}\``));
  });
});

describe('JsonLinesIncidentSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'grapevine-incidents-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per incident, and an id only once', async () => {
    const path = join(dir, 'incidents.jsonl');
    const sink = new JsonLinesIncidentSink(path);
    const other = witnessIncident({
      ...sample,
      category: 'witness.bad-consistency-proof',
      timeMs: 0,
      observer: 'w',
      origin: 'o',
      originHash: '00',
      detail: 'd',
      accepted: null,
      submitted: 's',
      oldSize: 3,
      proof: [],
    });
    await Promise.all([sink.report(sample), sink.report(sample), sink.report(other)]);
    await sink.report(sample);
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      [JSON.parse(JSON.stringify(sample)), JSON.parse(JSON.stringify(other))],
    );
  });

  it('fails the report when the file cannot be written, and goes on with the next', async () => {
    const sink = new JsonLinesIncidentSink(join(dir, 'missing', 'incidents.jsonl'));
    await assert.rejects(sink.report(sample), { code: 'ENOENT' });
    await assert.rejects(sink.report(sample), { code: 'ENOENT' });
  });
});
