/**
 * SourceEntries (src/hub/entry.ts), the add-signed-blob hot path's encoder,
 * gives byte for byte what the general codec gives: the TimestampedEntry of
 * specs/gossip-hub.md §2.1 and the §2.2 identity hash, for random sources,
 * blobs, signatures and timestamps (fast-check), and refuses what the TLS
 * bounds refuse.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeHubTimestampedEntry } from '../../src/codec/index.ts';
import { identityHash, SourceEntries } from '../../src/hub/index.ts';

describe('SourceEntries', () => {
  it('encodes entries and identity hashes exactly as the codec does', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.uint8Array({ minLength: 0, maxLength: 100 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (id, blob, sig, ts) => {
          const s = new SourceEntries(id);
          const want = encodeHubTimestampedEntry({ sourceId: id, blobData: blob, sourceSignature: sig, hubTimestamp: ts });
          assert.deepEqual(s.entry(blob, sig, ts), want);
          assert.deepEqual(s.identityHash(blob), identityHash(id, blob));
          // Identity does not depend on the signature or the timestamp (§2.2).
          assert.deepEqual(s.identityHash(blob), s.identityHash(Buffer.from(blob)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an empty blob, a blob or signature over 65535 bytes, and an empty source id', () => {
    const s = new SourceEntries('https://log.example/');
    assert.throws(() => s.entry(Buffer.alloc(0), Buffer.alloc(1), 1n), RangeError);
    assert.throws(() => s.identityHash(Buffer.alloc(65536)), RangeError);
    assert.throws(() => s.entry(Buffer.alloc(1), Buffer.alloc(65536), 1n), RangeError);
    assert.throws(() => new SourceEntries(''), RangeError);
  });
});
