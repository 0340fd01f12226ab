/** c2sp.org/tlog-proof@v1 over testdata/tlog-proofs.json. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CheckpointError, formatTlogProof, parseTlogProof, type TlogProof, verifyTlogProof } from '../../src/checkpoint/index.ts';
import { ProofError } from '../../src/merkle/index.ts';
import { NoteError, verifierFromVkey } from '../../src/note/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const data = loadTestdata('tlog-proofs.json');
const real = data.real_proofs[0];
const log = [verifierFromVkey(real.log_vkey)];

describe('verifyTlogProof', () => {
  describe(`${real.id}: the real sum.golang.org proof`, () => {
    it('verifies from the leaf data: signature and inclusion', () => {
      const v = verifyTlogProof(real.tlog_proof, { leafData: Buffer.from(real.leaf_data) }, { log, origin: real.origin });
      assert.equal(v.proof.index, real.index);
      assert.equal(v.proof.hashes.length, real.proof_length);
      assert.equal(v.checkpoint.checkpoint.size, real.tree_size);
      assert.equal(v.checkpoint.logSignatures[0].name, 'sum.golang.org');
    });

    it('verifies from the leaf hash', () => {
      verifyTlogProof(real.tlog_proof, { leafHash: Buffer.from(real.leaf_hash_hex, 'hex') }, { log });
    });

    for (const n of real.negative_variants as { desc: string; index?: number; leaf_hash_hex?: string }[]) {
      it(`rejects ${n.desc} with ProofError INCLUSION_MISMATCH`, () => {
        const text = n.index === undefined ? real.tlog_proof : real.tlog_proof.replace(`index ${real.index}\n`, `index ${n.index}\n`);
        const leafHash = Buffer.from(n.leaf_hash_hex ?? real.leaf_hash_hex, 'hex');
        assertThrowsCode(() => verifyTlogProof(text, { leafHash }, { log }), ProofError, 'INCLUSION_MISMATCH');
      });
    }

    it('rejects a checkpoint not signed by the configured log key with NoteError NO_VERIFIED_SIGNATURE', () => {
      const other = [verifierFromVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')];
      assertThrowsCode(
        () => verifyTlogProof(real.tlog_proof, { leafData: Buffer.from(real.leaf_data) }, { log: other }),
        NoteError,
        'NO_VERIFIED_SIGNATURE',
      );
    });

    it('rejects an origin other than the expected one with CheckpointError BAD_ORIGIN', () => {
      assertThrowsCode(
        () => verifyTlogProof(real.tlog_proof, { leafData: Buffer.from(real.leaf_data) }, { log, origin: 'other' }),
        CheckpointError,
        'BAD_ORIGIN',
      );
    });

    it('rejects a dropped proof hash with ProofError BAD_PROOF_SIZE', () => {
      const lines = real.tlog_proof.split('\n');
      lines.splice(3, 1);
      assertThrowsCode(
        () => verifyTlogProof(lines.join('\n'), { leafData: Buffer.from(real.leaf_data) }, { log }),
        ProofError,
        'BAD_PROOF_SIZE',
      );
    });

    it('round-trips through parse and format byte for byte', () => {
      assert.equal(formatTlogProof(parseTlogProof(real.tlog_proof)), real.tlog_proof);
    });
  });

  describe('the spec example (signatures elided)', () => {
    it('parses structurally', () => {
      const p = parseTlogProof(data.spec_example.text);
      assert.equal(p.index, 73894);
      assert.equal(p.hashes.length, 5);
      assert.ok(p.extra && p.extra.length > 0);
      assert.equal(formatTlogProof(p), data.spec_example.text);
    });

    it('does not verify: the elided signatures are malformed (NoteError MALFORMED)', () => {
      assertThrowsCode(() => verifyTlogProof(data.spec_example.text, { leafHash: Buffer.alloc(32) }, { log }), NoteError, 'MALFORMED');
    });
  });
});

describe('formatTlogProof over marshal_cases', () => {
  for (const c of data.marshal_cases as {
    desc: string;
    index: number;
    extra_b64?: string;
    hashes_b64: string[];
    checkpoint: string;
    want: string;
  }[]) {
    it(c.desc, () => {
      const p: TlogProof = {
        index: c.index,
        hashes: c.hashes_b64.map((h) => Buffer.from(h, 'base64')),
        checkpoint: c.checkpoint,
        ...(c.extra_b64 === undefined ? {} : { extra: Buffer.from(c.extra_b64, 'base64') }),
      };
      assert.equal(formatTlogProof(p), c.want);
      assert.deepEqual(parseTlogProof(c.want), p);
    });
  }
});

describe('parseTlogProof over unmarshal_error_cases', () => {
  // Our code for each upstream case (upstream only says "error").
  const codes: Record<string, CheckpointError['code']> = {
    'invalid hash base64': 'BAD_PROOF_HASH',
    'incorrect hash length (64 zero bytes)': 'BAD_PROOF_HASH',
  };
  for (const c of data.unmarshal_error_cases as {
    desc: string;
    text?: string;
    generator?: { prefix: string; repeat_char: string; repeat_count: number; suffix: string };
  }[]) {
    const code = codes[c.desc] ?? 'BAD_PROOF_FORMAT';
    it(`rejects ${c.desc} with CheckpointError ${code}`, () => {
      const g = c.generator;
      const text = c.text ?? `${g!.prefix}${g!.repeat_char.repeat(g!.repeat_count)}${g!.suffix}`;
      assertThrowsCode(() => parseTlogProof(text), CheckpointError, code);
    });
  }

  const more: [string, string, CheckpointError['code']][] = [
    ['a leading zero in the index', 'c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n', 'BAD_PROOF_FORMAT'],
    ['an index above 2^53-1', 'c2sp.org/tlog-proof@v1\nindex 9007199254740992\n\ncp\n', 'BAD_PROOF_FORMAT'],
    ['no blank line before the checkpoint', 'c2sp.org/tlog-proof@v1\nindex 0\n', 'BAD_PROOF_FORMAT'],
    ['no checkpoint', 'c2sp.org/tlog-proof@v1\nindex 0\n\n', 'BAD_PROOF_FORMAT'],
    ['extra after index', 'c2sp.org/tlog-proof@v1\nindex 0\nextra AA==\n\ncp\n', 'BAD_PROOF_HASH'],
    ['a 31-byte hash', `c2sp.org/tlog-proof@v1\nindex 0\n${Buffer.alloc(31).toString('base64')}\n\ncp\n`, 'BAD_PROOF_HASH'],
    ['65 hashes', `c2sp.org/tlog-proof@v1\nindex 0\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(65)}\ncp\n`, 'BAD_PROOF_FORMAT'],
  ];
  for (const [desc, text, code] of more) {
    it(`rejects ${desc} with CheckpointError ${code}`, () => {
      assertThrowsCode(() => parseTlogProof(text), CheckpointError, code);
    });
  }

  it('rejects invalid UTF-8 with CheckpointError BAD_PROOF_FORMAT', () => {
    assertThrowsCode(() => parseTlogProof(Buffer.from([0xff, 0x0a])), CheckpointError, 'BAD_PROOF_FORMAT');
  });
});

describe('properties', () => {
  const proof: fc.Arbitrary<TlogProof> = fc
    .record(
      {
        index: fc.maxSafeNat(),
        hashes: fc.array(
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
          { maxLength: 64 },
        ),
        checkpoint: fc.string({ minLength: 1 }).map((s) => `${s.replace(/\n/g, ' ')}\n`),
        extra: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      },
      { requiredKeys: ['index', 'hashes', 'checkpoint'] },
    )
    .map((r) => ({ ...r }));

  it('parseTlogProof ∘ formatTlogProof = id', () => {
    fc.assert(fc.property(proof, (p) => assert.deepEqual(parseTlogProof(formatTlogProof(p)), p)));
  });
});
