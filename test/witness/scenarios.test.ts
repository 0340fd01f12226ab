/**
 * The shared witness vectors (witness-scenarios.json) over loopback HTTP:
 * the transparency-dev/witness Update() table with its C2SP status, and the
 * tlog-witness spec example (parse only).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cosignerFromSkey, parseNote, verifierFromVkey, verifyNoteSignature } from '../../src/note/index.ts';
import { parseAddCheckpointRequest, TLOG_SIZE_CONTENT_TYPE } from '../../src/witness/index.ts';
import { loadTestdata } from '../testdata.ts';
import { startWitness, type WitnessServer } from './fixtures.ts';

const scenarios = loadTestdata('witness-scenarios.json');
const table = scenarios.transparency_dev_witness_update_table;

interface UpdateCase {
  desc: string;
  initial_checkpoint: string;
  old_size: number;
  new_checkpoint: string;
  proof_hex: string[];
  c2sp_http_status_equivalent: number;
}

describe('witness-scenarios.json over HTTP', () => {
  const cosigner = cosignerFromSkey(table.witness_keys.private_key_note_format);
  const servers: WitnessServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('the witness key gives the cosignature/v1 vkey the vectors computed', () => {
    assert.equal(cosigner.vkey, table.witness_keys.cosignature_v1_vkey_computed_by_us);
  });

  for (const tc of table.cases as UpdateCase[]) {
    it(`${tc.desc}: ${tc.c2sp_http_status_equivalent}`, async () => {
      const w = await startWitness({ logs: [{ origin: table.log.origin, vkeys: [table.log.vkey] }], cosigners: [cosigner] });
      servers.push(w);
      const init = await w.add(0, [], tc.initial_checkpoint);
      assert.equal(init.status, 200, init.text);
      const initSize = Number(tc.initial_checkpoint.split('\n')[1]);

      const res = await w.add(
        tc.old_size,
        tc.proof_hex.map((h) => Buffer.from(h, 'hex')),
        tc.new_checkpoint,
      );
      assert.equal(res.status, tc.c2sp_http_status_equivalent, res.text);
      const latest = await w.get(table.log.origin);
      assert.equal(latest.status, 200);
      const stored = parseNote(latest.text);
      if (res.status === 200) {
        // One cosignature line, by the witness key, over the new checkpoint's text, with a non-zero time.
        assert.match(res.text, /^— witness [A-Za-z0-9+/=]+\n$/);
        const text = parseNote(tc.new_checkpoint).text;
        const sig = parseNote(`${text}\n${res.text}`).signatures[0];
        const v = verifyNoteSignature(text, sig, [verifierFromVkey(cosigner.vkey)]);
        assert.ok((v.time ?? 0) > 0);
        assert.equal(stored.text, text);
      } else {
        // Refused: the witness still holds the initial checkpoint.
        assert.equal(stored.text, parseNote(tc.initial_checkpoint).text);
      }
      if (res.status === 409) {
        assert.equal(res.type, TLOG_SIZE_CONTENT_TYPE);
        assert.equal(res.text, `${initSize}\n`);
      }
    });
  }

  it('parses the tlog-witness spec example request', () => {
    const ex = scenarios.c2sp_spec_example;
    const req = parseAddCheckpointRequest(Buffer.from(ex.request_body, 'utf8'));
    assert.equal(req.oldSize, 20852014);
    assert.equal(req.proof.length, 4);
    for (const h of req.proof) assert.equal(h.length, 32);
    const note = parseNote(req.checkpoint);
    assert.equal(note.text.split('\n')[0], 'example.com/behind-the-sofa');
    assert.equal(note.signatures.length, 2);
    // The example response is three cosignature lines, as a client appends them to its note.
    assert.equal(parseNote(`${note.text}\n${ex.response_body_example}`).signatures.length, 3);
  });
});
