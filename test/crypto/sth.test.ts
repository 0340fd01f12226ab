import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CodecError,
  encodeTreeHeadSignature,
  formatGetSth,
  parseDnsSth,
  parseGetSth,
  type SignedTreeHead,
  sthFromJson,
} from '../../src/codec/index.ts';
import {
  generatePrivateKey,
  type KeyType,
  parsePrivateKey,
  parsePublicKey,
  rfc6962LogId,
  SignatureError,
  signerFromPrivateKey,
  signSth,
  verifySth,
} from '../../src/crypto/index.ts';
import type { GrapevineError } from '../../src/errors.ts';
import { ProofError, verifyConsistency } from '../../src/merkle/index.ts';
import { b64, hex } from '../codec/testing.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const sths = loadTestdata('ct-sths.json');
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON vectors
type Case = any;
const byId = new Map<string, Case>([...sths.real_log_sths, ...sths.test_key_sths, ...sths.negative_sths].map((s: Case) => [s.id, s]));

/** The STH as a gossiper receives it: with the log_id it was gossiped under, when the vector has one. */
function gossiped(s: Case): SignedTreeHead {
  return sthFromJson(s.pollination_log_id ? { ...s.sth, log_id: s.pollination_log_id } : s.sth);
}

describe('verifySth (RFC 6962 §3.5) on every valid STH in ct-sths.json', () => {
  for (const s of [...sths.real_log_sths, ...sths.test_key_sths]) {
    describe(`${s.id} (${s.log.description.slice(0, 60)})`, () => {
      const key = parsePublicKey(s.log.key);
      it('the log key hashes to the listed log_id (RFC 6962 §3.2)', () => assert.equal(rfc6962LogId(key).toString('base64'), s.log.log_id));
      it('the TreeHeadSignature we encode is tbs_hex', () => assert.equal(encodeTreeHeadSignature(gossiped(s)).toString('hex'), s.tbs_hex));
      it('verifies under the log key', () => verifySth(gossiped(s), key));
      it('verifies from the raw get-sth body too', () => verifySth(parseGetSth(JSON.stringify(s.sth)), key));
      if (s.pollination_log_id) {
        it('its gossiped log_id is the log key’s', () => assert.equal(s.pollination_log_id, s.log.log_id));
      }
    });
  }
});

/**
 * Expected typed error per negative STH. The first two fail while parsing
 * (the signature is not a well-formed DigitallySigned); the rest parse and
 * fail verification. "trailingjunk": the file's base64 is non-canonical as
 * well (see the codec tests), so strict base64 catches it first; the same
 * bytes re-encoded canonically fail with TRAILING_DATA, tested below.
 */
const NEGATIVE: Record<string, { cls: abstract new (...a: never[]) => GrapevineError; code: string }> = {
  'ctgo-logclient-trailingjunk': { cls: CodecError, code: 'BAD_BASE64' },
  'ctgo-gossip-aviator-badsig': { cls: CodecError, code: 'TRAILING_DATA' },
  'ctgo-gossip-unknownlog': { cls: SignatureError, code: 'LOG_ID_MISMATCH' },
  'derived-aviator-final-size+1': { cls: SignatureError, code: 'BAD_SIGNATURE' },
  'derived-aviator-final-timestamp+1': { cls: SignatureError, code: 'BAD_SIGNATURE' },
  'derived-aviator-final-root-bitflip': { cls: SignatureError, code: 'BAD_SIGNATURE' },
};

describe('verifySth on every negative STH in ct-sths.json', () => {
  it('has an expected error for each negative case', () =>
    assert.deepEqual(sths.negative_sths.map((s: Case) => s.id).sort(), Object.keys(NEGATIVE).sort()));

  for (const s of sths.negative_sths) {
    const want = NEGATIVE[s.id];
    it(`${s.id}: fails with ${want.cls.name} ${want.code}`, () => {
      const key = parsePublicKey(s.log.key);
      assertThrowsCode(() => verifySth(gossiped(s), key), want.cls, want.code);
    });
    if (s.tbs_hex && want.cls === SignatureError) {
      it(`${s.id}: still encodes to its tbs_hex`, () => assert.equal(encodeTreeHeadSignature(gossiped(s)).toString('hex'), s.tbs_hex));
    }
  }

  it('ctgo-logclient-trailingjunk: canonically re-encoded, fails with CodecError TRAILING_DATA; stripped, verifies under Argon2018', () => {
    const s = byId.get('ctgo-logclient-trailingjunk');
    const key = parsePublicKey(s.log.key);
    assert.equal(rfc6962LogId(key).toString('base64'), s.log.log_id);
    const canonical = b64(s.sth.tree_head_signature).toString('base64');
    assertThrowsCode(() => sthFromJson({ ...s.sth, tree_head_signature: canonical }), CodecError, 'TRAILING_DATA');
    verifySth(sthFromJson({ ...s.sth, tree_head_signature: s.stripped_signature_that_verifies }), key);
  });

  it('ctgo-gossip-unknownlog: the signature itself is a valid Aviator signature', () => {
    const s = byId.get('ctgo-gossip-unknownlog');
    verifySth(sthFromJson(s.sth), parsePublicKey(s.log.key));
  });

  it('an STH verified under another log’s key fails with BAD_SIGNATURE', () => {
    const pilot = byId.get('ctgo-logclient-validsth');
    const aviator = byId.get('ctgo-gossip-aviator-1');
    assertThrowsCode(() => verifySth(gossiped(pilot), parsePublicKey(aviator.log.key)), SignatureError, 'BAD_SIGNATURE');
  });
});

describe('STH groups (sth_pairs)', () => {
  const aviatorGroup = sths.sth_pairs[0];
  it(`${aviatorGroup.sth_ids.join(', ')}: all verify under one log, sizes and timestamps grow (no proof available)`, () => {
    const group = aviatorGroup.sth_ids.map((id: string) => byId.get(id));
    const key = parsePublicKey(group[0].log.key);
    assert.equal(rfc6962LogId(key).toString('base64'), aviatorGroup.log_id);
    const parsed = group.map((s: Case) => gossiped(s)).sort((a: SignedTreeHead, b: SignedTreeHead) => a.treeSize - b.treeSize);
    for (const sth of parsed) verifySth(sth, key);
    for (let i = 1; i < parsed.length; i++) assert.ok(parsed[i].timestamp > parsed[i - 1].timestamp);
  });

  const pair = sths.sth_pairs[1];
  const [first, second] = pair.sth_ids.map((id: string) => byId.get(id));
  const mKey = parsePublicKey(first.log.key);
  const sth1 = gossiped(first);
  const sth2 = gossiped(second);

  it(`${pair.sth_ids.join(' → ')}: both parse, verify, and carry sizes ${pair.first} → ${pair.second}`, () => {
    assert.equal(rfc6962LogId(mKey).toString('base64'), pair.log_id);
    verifySth(sth1, mKey);
    verifySth(sth2, mKey);
    assert.deepEqual([sth1.treeSize, sth2.treeSize], [pair.first, pair.second]);
  });

  it('the 4-hash consistency proof verifies (src/merkle verifyConsistency)', () =>
    verifyConsistency(sth1.treeSize, sth2.treeSize, pair.consistency_proof_hex.map(hex), sth1.sha256RootHash, sth2.sha256RootHash));

  it(`negative proof "${pair.negative_proofs[0].desc}" fails with ProofError`, () =>
    assert.throws(
      () =>
        verifyConsistency(
          sth1.treeSize,
          sth2.treeSize,
          pair.negative_proofs[0].path_hex.map(hex),
          sth1.sha256RootHash,
          sth2.sha256RootHash,
        ),
      ProofError,
    ));

  it(`negative proof "${pair.negative_proofs[1].desc}" fails with ProofError BAD_SIZES`, () =>
    assertThrowsCode(
      () => verifyConsistency(sth2.treeSize, sth1.treeSize, pair.consistency_proof_hex.map(hex), sth2.sha256RootHash, sth1.sha256RootHash),
      ProofError,
      'BAD_SIZES',
    ));

  it('log "b" (same size-5 root, different key) verifies only under its own key', () => {
    const b = byId.get('ctgo-witness-bInit');
    const bSth = gossiped(b);
    assert.deepEqual(bSth.sha256RootHash, sth1.sha256RootHash);
    verifySth(bSth, parsePublicKey(b.log.key));
    assertThrowsCode(() => verifySth(bSth, mKey), SignatureError, 'BAD_SIGNATURE');
    assert.equal(rfc6962LogId(parsePublicKey(b.log.key)).toString('base64'), pair.log_ids.b);
  });

  it('signing the size-5 tree head with the published "m" key gives an STH that verifies under m only', () => {
    const m = signerFromPrivateKey(parsePrivateKey(pair.test_private_keys_pem.m));
    const mine = signSth(m, { timestamp: sth1.timestamp, treeSize: sth1.treeSize, sha256RootHash: sth1.sha256RootHash });
    verifySth(mine, mKey);
    assertThrowsCode(() => verifySth(mine, parsePublicKey(byId.get('ctgo-witness-bInit').log.key)), SignatureError, 'BAD_SIGNATURE');
  });
});

describe('the draft-ietf-trans-gossip sth-pollination request body', () => {
  const aviatorKey = parsePublicKey(byId.get('ctgo-gossip-aviator-1').log.key);
  for (const [i, s] of sths.sth_pollination_request.body.sths.entries()) {
    it(`sths[${i}] (size ${s.tree_size}) verifies under the Aviator key with its log_id`, () => verifySth(sthFromJson(s), aviatorKey));
  }
});

describe('the CT-over-DNS TXT STH (DERIVED BY US from the Pilot STH)', () => {
  it('verifies under the Pilot key', () =>
    verifySth(parseDnsSth(sths.dns_api_sth_example.txt), parsePublicKey(byId.get('ctgo-logclient-validsth').log.key)));
});

describe('unsigned real roots', () => {
  for (const r of sths.unsigned_real_roots) {
    it(`${r.log} at ${r.tree_size}: a 32-byte root${r.log.includes('Aviator') ? ', the one the signed Aviator final STH vouches for' : ''}`, () => {
      assert.equal(b64(r.sha256_root_hash).length, 32);
      const signed = [...byId.values()].find((s) => s.expect === 'valid' && s.sth.tree_size === r.tree_size);
      if (r.log.includes('Aviator')) {
        assert.ok(signed, 'a signed STH of that size exists');
        assert.equal(signed.sth.sha256_root_hash, r.sha256_root_hash);
        verifySth(sthFromJson(signed.sth), parsePublicKey(signed.log.key));
      } else {
        assert.equal(signed, undefined, 'no signed STH in the file to check it against');
      }
    });
  }
});

describe('signSth', () => {
  for (const type of ['ecdsa-p256', 'ed25519', 'rsa'] as KeyType[]) {
    it(`${type}: produces an STH that verifies, formats as get-sth and parses back`, () => {
      const signer = signerFromPrivateKey(generatePrivateKey(type));
      const sth = signSth(signer, { timestamp: 1_700_000_000_000, treeSize: 10, sha256RootHash: Buffer.alloc(32, 1) });
      verifySth(parseGetSth(formatGetSth(sth)), signer.publicKey);
      assertThrowsCode(() => verifySth({ ...sth, treeSize: 11 }, signer.publicKey), SignatureError, 'BAD_SIGNATURE');
    });
  }
});
