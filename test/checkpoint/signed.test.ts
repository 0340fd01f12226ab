/** openCheckpoint: log signature required, witness cosignatures verified and reported. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, formatCheckpoint, openCheckpoint } from '../../src/checkpoint/index.ts';
import { cosignatureV1Signer, ed25519NoteSigner, NoteError, parseNote, signNote, verifierFromVkey } from '../../src/note/index.ts';
import { testSigner } from '../note/testing.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const notes = loadTestdata('signed-notes.json');
const cosigned = notes.cases.find((c: { id: string }) => c.id === 'sumdb-15081221-cosigned');
const [SUMDB, WITNESS, LEGACY] = cosigned.vkeys.map(verifierFromVkey);

describe('openCheckpoint', () => {
  describe('the real cosigned sum.golang.org checkpoint (15081221)', () => {
    it('verifies the log signature, reports the witness and ignores the obsolete 0x03 line', () => {
      const cp = openCheckpoint(cosigned.note, { log: [SUMDB], witnesses: [WITNESS], origin: 'go.sum database tree' });
      assert.equal(cp.checkpoint.size, 15081221);
      assert.deepEqual(
        cp.logSignatures.map((s) => s.name),
        ['sum.golang.org'],
      );
      assert.deepEqual(
        cp.cosignatures.map((s) => s.name),
        ['test.example.com'],
      );
      assert.equal(cp.note.unverified.length, 1);
    });

    it('also verifies the obsolete 0x03 line when given its vkey', () => {
      const cp = openCheckpoint(cosigned.note, { log: [SUMDB], witnesses: [WITNESS, LEGACY] });
      assert.equal(cp.cosignatures.length, 2);
    });

    it('throws CheckpointError MISSING_LOG_SIGNATURE when only a witness key verifies', () => {
      assertThrowsCode(() => openCheckpoint(cosigned.note, { log: [], witnesses: [WITNESS] }), CheckpointError, 'MISSING_LOG_SIGNATURE');
    });
  });

  describe('a fresh log and witness', () => {
    const log = ed25519NoteSigner('example.com/log', testSigner('ed25519'));
    const witness = cosignatureV1Signer('witness.example', testSigner('ed25519'));
    const text = formatCheckpoint({ origin: 'example.com/log', size: 3, rootHash: Buffer.alloc(32, 9), extensions: [] });
    const signed = signNote(text, log, witness.at(1_700_000_000));
    const keys = { log: [verifierFromVkey(log.vkey)], witnesses: [verifierFromVkey(witness.vkey)] };

    it('reports the cosignature time', () => {
      assert.equal(openCheckpoint(signed, keys).cosignatures[0].time, 1_700_000_000);
    });

    it('rejects the note when a known witness signature is bad (NoteError BAD_SIGNATURE)', () => {
      const n = parseNote(signed);
      const broken = signNote({ text: n.text, signatures: [n.signatures[0], { ...n.signatures[1], signature: Buffer.alloc(72) }] });
      assertThrowsCode(() => openCheckpoint(broken, keys), NoteError, 'BAD_SIGNATURE');
    });

    it('refuses a signed body that is not a checkpoint (CheckpointError), after verifying it', () => {
      assertThrowsCode(() => openCheckpoint(signNote('just text\n', log), keys), CheckpointError, 'MALFORMED');
    });
  });
});
