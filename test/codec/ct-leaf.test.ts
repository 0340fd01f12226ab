import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CodecError,
  type CodecErrorCode,
  type CtTimestampedEntry,
  decodeMerkleTreeLeaf,
  decodePrecertExtraData,
  decodeX509ExtraData,
  encodeMerkleTreeLeaf,
  encodePrecertExtraData,
  encodeX509ExtraData,
  type SignedEntry,
} from '../../src/codec/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { b64, hex } from './testing.ts';

const responses = loadTestdata('ct-get-responses.json');

interface LeafCase {
  name: string;
  leafInput: Buffer;
  extraData?: Buffer;
  leafHashHex?: string;
  // biome-ignore lint/suspicious/noExplicitAny: the vector file's own decoding, untyped JSON
  want: any;
}

/** Every leaf_input in ct-get-responses.json that comes with an expected decoding. */
const leafCases: LeafCase[] = [
  ...responses.real_get_entries_response.entries_decoded.map(
    (e: { index: number; leaf_input: string; extra_data: string; computed_leaf_hash_hex: string; computed_merkle_tree_leaf: unknown }) => ({
      name: `real get-entries [${e.index}]`,
      leafInput: b64(e.leaf_input),
      extraData: b64(e.extra_data),
      leafHashHex: e.computed_leaf_hash_hex,
      want: e.computed_merkle_tree_leaf,
    }),
  ),
  ...responses.real_get_entries_items.entries.map(
    (e: { name: string; leaf_input: string; extra_data: string; computed_leaf_hash_hex: string; computed_merkle_tree_leaf: unknown }) => ({
      name: `real-looking ${e.name}`,
      leafInput: b64(e.leaf_input),
      extraData: b64(e.extra_data),
      leafHashHex: e.computed_leaf_hash_hex,
      want: e.computed_merkle_tree_leaf,
    }),
  ),
  ...responses.canned_responses
    .filter((c: { decoded_leaf?: unknown }) => c.decoded_leaf)
    .map((c: { endpoint: string; body: string; decoded_leaf: unknown }) => ({
      name: `canned ${c.endpoint}`,
      leafInput: b64(JSON.parse(c.body).leaf_input),
      want: c.decoded_leaf,
    })),
];

describe('decodeMerkleTreeLeaf (RFC 6962 §3.4) over ct-get-responses.json', () => {
  it('covers all 7 decodable leaves in the file', () => assert.equal(leafCases.length, 7));

  for (const tc of leafCases) {
    it(`${tc.name}: decodes completely to the expected fields and re-encodes byte for byte`, () => {
      const leaf = decodeMerkleTreeLeaf(tc.leafInput);
      assert.equal(tc.want.version, 0);
      assert.equal(tc.want.leaf_type, 0);
      assert.equal(leaf.timestamp, tc.want.timestamp);
      assert.equal(new Date(leaf.timestamp).toISOString(), tc.want.timestamp_iso);
      assert.equal(leaf.extensions.length, tc.want.extensions_len);
      const e = leaf.signedEntry;
      if (tc.want.entry_type === 0) {
        assert.equal(e.entryType, 'x509_entry');
        assert.equal(e.entryType === 'x509_entry' && e.certificate.length, tc.want.cert_len);
      } else {
        assert.equal(e.entryType, 'precert_entry');
        assert.ok(e.entryType === 'precert_entry');
        assert.equal(e.tbsCertificate.length, tc.want.tbs_len);
        assert.equal(e.issuerKeyHash.toString('hex'), tc.want.issuer_key_hash);
      }
      assert.deepEqual(encodeMerkleTreeLeaf(leaf), tc.leafInput);
    });

    if (tc.leafHashHex) {
      it(`${tc.name}: leaf hash SHA-256(0x00 || leaf_input) is ${tc.leafHashHex.slice(0, 8)}…`, () =>
        assert.equal(hashLeaf(tc.leafInput).toString('hex'), tc.leafHashHex));
    }

    if (tc.extraData) {
      it(`${tc.name}: extra_data decodes as its entry type's chain with no trailing bytes (§4.6)`, () => {
        const leaf = decodeMerkleTreeLeaf(tc.leafInput);
        const extra = tc.extraData as Buffer;
        if (leaf.signedEntry.entryType === 'x509_entry') {
          const chain = decodeX509ExtraData(extra);
          assert.ok(chain.length >= 1);
          assert.deepEqual(encodeX509ExtraData(chain), extra);
        } else {
          const pc = decodePrecertExtraData(extra);
          assert.ok(pc.preCertificate.length > 0);
          assert.deepEqual(encodePrecertExtraData(pc), extra);
        }
      });
    }
  }

  it('decodes the raw leaf of the real get-proof-by-hash and hashes it to the requested hash', () => {
    const p = responses.real_get_proof_by_hash;
    const leafInput = b64(p.leaf_input);
    assert.equal(decodeMerkleTreeLeaf(leafInput).signedEntry.entryType, 'x509_entry');
    assert.equal(hashLeaf(leafInput).toString('base64'), p.request.hash);
  });

  const x509 = leafCases[0].leafInput.toString('hex');
  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'version 1', input: `01${x509.slice(2)}`, code: 'BAD_VALUE' },
    { desc: 'leaf_type 1', input: `0001${x509.slice(4)}`, code: 'BAD_VALUE' },
    { desc: 'entry_type 2', input: `${x509.slice(0, 20)}0002${x509.slice(24)}`, code: 'BAD_VALUE' },
    { desc: 'a missing extensions field', input: x509.slice(0, -4), code: 'TRUNCATED' },
    { desc: 'a trailing byte', input: `${x509}00`, code: 'TRAILING_DATA' },
    {
      desc: 'an empty certificate (ASN.1Cert<1..2^24-1>)',
      input: `0000${'00'.repeat(8)}0000${'000000'}0000`,
      code: 'LENGTH_OUT_OF_BOUNDS',
    },
    { desc: 'three bytes ("bbbb" in base64)', input: '6db6db', code: 'BAD_VALUE' },
    { desc: 'nothing', input: '', code: 'TRUNCATED' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => decodeMerkleTreeLeaf(hex(tc.input)), CodecError, tc.code));
  }
});

describe('encodeMerkleTreeLeaf', () => {
  const signedEntry = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 600 }).map((c): SignedEntry => ({ entryType: 'x509_entry', certificate: Buffer.from(c) })),
    fc
      .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 1, maxLength: 600 }))
      .map(([h, t]): SignedEntry => ({ entryType: 'precert_entry', issuerKeyHash: Buffer.from(h), tbsCertificate: Buffer.from(t) })),
  );
  it('round-trips any x509 or precert entry with extensions', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), signedEntry, fc.uint8Array({ maxLength: 100 }), (timestamp, e, ext) => {
        const entry: CtTimestampedEntry = { timestamp, signedEntry: e, extensions: Buffer.from(ext) };
        const bytes = encodeMerkleTreeLeaf(entry);
        assert.deepEqual(decodeMerkleTreeLeaf(bytes), entry);
      }),
    );
  });

  it('refuses a precert issuer_key_hash that is not 32 bytes', () =>
    assertThrowsCode(
      () =>
        encodeMerkleTreeLeaf({
          timestamp: 1,
          signedEntry: { entryType: 'precert_entry', issuerKeyHash: Buffer.alloc(20), tbsCertificate: hex('01') },
          extensions: Buffer.alloc(0),
        }),
      CodecError,
      'LENGTH_OUT_OF_BOUNDS',
    ));
});

describe('extra_data chains (§4.6)', () => {
  it('accepts an empty x509 certificate_chain', () => assert.deepEqual(decodeX509ExtraData(hex('000000')), []));
  it('rejects a chain element that overruns the chain with TRUNCATED', () =>
    assertThrowsCode(() => decodeX509ExtraData(hex('000004' + '00000501')), CodecError, 'TRUNCATED'));
  it('rejects bytes after the chain with TRAILING_DATA', () =>
    assertThrowsCode(() => decodeX509ExtraData(hex('000004' + '00000101' + '00')), CodecError, 'TRAILING_DATA'));
  it('rejects a PrecertChainEntry without its chain with TRUNCATED', () =>
    assertThrowsCode(() => decodePrecertExtraData(hex('00000101')), CodecError, 'TRUNCATED'));
  it('rejects the canned get-entry-and-proof extra_data ("Extra\\n") as a chain', () =>
    assertThrowsCode(() => decodeX509ExtraData(Buffer.from('Extra\n')), CodecError, 'TRUNCATED'));
});
