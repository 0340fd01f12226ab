import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CodecError,
  type CodecErrorCode,
  decodeHubTimestampedEntry,
  decodeHubTreeHead,
  encodeHubLeafIdentity,
  encodeHubTimestampedEntry,
  encodeHubTreeHead,
} from '../../src/codec/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { hex } from './testing.ts';

describe('encodeHubTimestampedEntry (gossip-hub.md §2.1)', () => {
  // The "Valid" row of trillian-examples gossip/api/types_test.go TestTimestampedEntryHash:
  // SourceID 0x2020, BlobData 0x0102, SourceSignature 0x0304, HubTimestamp 0x01020304.
  const upstream = { sourceId: '  ', blobData: hex('0102'), sourceSignature: hex('0304'), hubTimestamp: 0x01020304n };
  const upstreamHex = '0002' + '2020' + '0002' + '0102' + '0002' + '0304' + '0000000001020304';

  it('lays out u16 len‖source_id‖u16 len‖blob‖u16 len‖sig‖u64 ts as the original does', () =>
    assert.equal(encodeHubTimestampedEntry(upstream).toString('hex'), upstreamHex));

  it('gives the upstream Merkle leaf hash SHA-256(0x00 ‖ entry)', () =>
    assert.deepEqual(
      hashLeaf(encodeHubTimestampedEntry(upstream)),
      createHash('sha256')
        .update(hex(`00${upstreamHex}`))
        .digest(),
    ));

  it('decodes the upstream bytes back to the same entry', () => assert.deepEqual(decodeHubTimestampedEntry(hex(upstreamHex)), upstream));

  it('carries a nanosecond timestamp above 2^53 exactly (bigint)', () => {
    const e = { ...upstream, hubTimestamp: 1_732_000_000_123_456_789n };
    const bytes = encodeHubTimestampedEntry(e);
    assert.equal(bytes.subarray(-8).toString('hex'), 1_732_000_000_123_456_789n.toString(16).padStart(16, '0'));
    assert.equal(decodeHubTimestampedEntry(bytes).hubTimestamp, 1_732_000_000_123_456_789n);
  });

  it('encodes source_id as UTF-8', () =>
    assert.equal(
      encodeHubTimestampedEntry({ ...upstream, sourceId: 'é' })
        .subarray(0, 4)
        .toString('hex'),
      '0002c3a9',
    ));

  // The "Empty" and "NoData" rows fail to marshal upstream: source_id and head_data have minlen 1.
  const badEncodes: { desc: string; entry: typeof upstream; code: CodecErrorCode }[] = [
    { desc: 'an empty source_id (upstream "Empty")', entry: { ...upstream, sourceId: '' }, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'an empty blob (upstream "NoData")', entry: { ...upstream, blobData: hex('') }, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'a blob of 65536 bytes', entry: { ...upstream, blobData: Buffer.alloc(65536) }, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'a negative timestamp', entry: { ...upstream, hubTimestamp: -1n }, code: 'BAD_VALUE' },
    { desc: 'a source_id with a lone surrogate', entry: { ...upstream, sourceId: 'a\ud800' }, code: 'BAD_VALUE' },
  ];
  for (const tc of badEncodes) {
    it(`refuses ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => encodeHubTimestampedEntry(tc.entry), CodecError, tc.code));
  }

  it('allows an empty source_signature (opaque source_signature<0..65535>)', () =>
    assert.equal(
      decodeHubTimestampedEntry(encodeHubTimestampedEntry({ ...upstream, sourceSignature: hex('') })).sourceSignature.length,
      0,
    ));

  it('round-trips any valid entry', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (sourceId, blob, sig, ts) => {
          const e = { sourceId, blobData: Buffer.from(blob), sourceSignature: Buffer.from(sig), hubTimestamp: ts };
          assert.deepEqual(decodeHubTimestampedEntry(encodeHubTimestampedEntry(e)), e);
        },
      ),
    );
  });
});

describe('decodeHubTimestampedEntry', () => {
  const good = '0002' + '2020' + '0002' + '0102' + '0002' + '0304' + '0000000001020304';
  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'an empty source_id', input: `0000${good.slice(8)}`, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'an empty head_data', input: '00022020' + '0000' + '00020304' + '0000000001020304', code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'a short timestamp', input: good.slice(0, -2), code: 'TRUNCATED' },
    { desc: 'trailing bytes (the hub answers 500 on these)', input: `${good}00`, code: 'TRAILING_DATA' },
    { desc: 'a source_id that is not UTF-8', input: `0001ff${good.slice(8)}`, code: 'BAD_VALUE' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => decodeHubTimestampedEntry(hex(tc.input)), CodecError, tc.code));
  }
});

describe('encodeHubLeafIdentity (gossip-hub.md §2.2)', () => {
  it('is the entry with an empty signature and a zero timestamp: u16 len‖id‖u16 len‖blob‖0x0000‖0x00×8', () =>
    assert.equal(
      encodeHubLeafIdentity('https://log.example/', Buffer.from('blob')).toString('hex'),
      `0014${Buffer.from('https://log.example/').toString('hex')}0004${Buffer.from('blob').toString('hex')}0000${'00'.repeat(8)}`,
    ));
});

describe('HubTreeHead (gossip-hub.md §2.3)', () => {
  const root = Buffer.alloc(32, 0xab);
  it('lays out u64 tree_size‖u64 timestamp‖u16 len‖root, 50 bytes for SHA-256 (tree_size first)', () => {
    const bytes = encodeHubTreeHead({ treeSize: 42, timestamp: 1_000_000_000n, rootHash: root });
    assert.equal(bytes.length, 50);
    assert.equal(bytes.toString('hex'), `000000000000002a000000003b9aca000020${'ab'.repeat(32)}`);
    assert.deepEqual(decodeHubTreeHead(bytes), { treeSize: 42, timestamp: 1_000_000_000n, rootHash: root });
  });

  const good = `000000000000002a000000003b9aca000020${'ab'.repeat(32)}`;
  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'an empty root (root_hash<1..65535>)', input: `${good.slice(0, 32)}0000`, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'a root shorter than its length', input: good.slice(0, -2), code: 'TRUNCATED' },
    { desc: 'trailing bytes', input: `${good}00`, code: 'TRAILING_DATA' },
    { desc: 'a tree size above 2^53-1', input: `0020000000000000${good.slice(16)}`, code: 'UNSAFE_INTEGER' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => decodeHubTreeHead(hex(tc.input)), CodecError, tc.code));
  }

  it('refuses to encode an empty root with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(
      () => encodeHubTreeHead({ treeSize: 1, timestamp: 1n, rootHash: Buffer.alloc(0) }),
      CodecError,
      'LENGTH_OUT_OF_BOUNDS',
    ));
});
