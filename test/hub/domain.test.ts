/**
 * Domain separation of the hub key (ARCHITECTURE.md, "Gossip Hub"): no byte
 * string is both a signed entry and a signed tree head.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeHubTreeHead, encodeHubTimestampedEntry, encodeHubTreeHead } from '../../src/codec/index.ts';
import { isError } from '../../src/errors.ts';
import { buildEntry, HubError, makeSource, parsesAsEntry, parsesAsTreeHead } from '../../src/hub/index.ts';
import { LOG_ROOT_DOMAIN } from '../../src/log/index.ts';
import { checkEntryDomain, HubSigner } from '../../src/personalities/hub/index.ts';
import { newSigner } from '../support/keys.ts';
import { blobBody, hubEnv, settle } from './fixtures.ts';

/**
 * A blob that makes its TimestampedEntry also a valid HubTreeHead: for
 * source "a" and a 64-byte signature the entry is 15 + 64 + 64 bytes, and
 * the u16 at entry offset 16 (blob offset 11) must be total − 18 = 125.
 */
function collidingBlob(): Buffer {
  const blob = Buffer.alloc(64, 0x41);
  blob.writeUInt16BE(64 + 64 - 3, 11);
  return blob;
}

describe('domain separation of the hub key', () => {
  it('finds the attack real: the crafted entry decodes as a HubTreeHead', () => {
    const e = encodeHubTimestampedEntry({
      sourceId: 'a',
      blobData: collidingBlob(),
      sourceSignature: Buffer.alloc(64, 1),
      hubTimestamp: 123n,
    });
    const th = decodeHubTreeHead(e);
    assert.equal(th.rootHash.length, 125);
    assert.ok(parsesAsTreeHead(e));
  });

  it('signEntry refuses an entry that parses as a tree head with HubError DOMAIN_COLLISION', () => {
    const s = new HubSigner(newSigner());
    const e = encodeHubTimestampedEntry({
      sourceId: 'a',
      blobData: collidingBlob(),
      sourceSignature: Buffer.alloc(64, 1),
      hubTimestamp: 1n,
    });
    assert.throws(
      () => s.signEntry(e),
      (err: unknown) => isError(err, HubError, 'DOMAIN_COLLISION'),
    );
  });

  it('signTreeHead refuses bytes that parse as an entry, and anything starting with the log-root domain', () => {
    const s = new HubSigner(newSigner());
    const e = encodeHubTimestampedEntry({ sourceId: 'a', blobData: Buffer.from('b'), sourceSignature: Buffer.alloc(0), hubTimestamp: 1n });
    assert.throws(
      () => s.signTreeHead(e),
      (err: unknown) => isError(err, HubError, 'DOMAIN_COLLISION'),
    );
    assert.throws(
      () => s.signTreeHead(Buffer.concat([LOG_ROOT_DOMAIN, Buffer.alloc(40)])),
      (err: unknown) => isError(err, HubError, 'DOMAIN_COLLISION'),
    );
    assert.throws(
      () => checkEntryDomain(Buffer.concat([LOG_ROOT_DOMAIN, Buffer.alloc(40)])),
      (err: unknown) => isError(err, HubError, 'DOMAIN_COLLISION'),
    );
  });

  it('never signs one byte string under both roles (property over random entries and heads)', () => {
    const s = new HubSigner(newSigner('ed25519'));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((x) => !/\p{Cs}/u.test(x)),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (id, blob, sig, ts) => {
          const e = buildEntry(id, blob, sig, ts).value;
          let asEntry = true;
          try {
            s.signEntry(e);
          } catch {
            asEntry = false;
          }
          let asHead = true;
          try {
            s.signTreeHead(e);
          } catch {
            asHead = false;
          }
          assert.ok(!(asEntry && asHead), 'signed as both an entry and a tree head');
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (size, ts, root) => {
          const h = encodeHubTreeHead({ treeSize: size, timestamp: ts, rootHash: root });
          // Every real tree head (size < 2^48) is signable, and so is never an entry.
          assert.ok(!parsesAsEntry(h));
          s.signTreeHead(h);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers 400 DOMAIN_COLLISION over HTTP and stores nothing', async () => {
    const src = newSigner('ed25519');
    const env = await hubEnv({ sources: [makeSource({ id: 'a', kind: 'UNKNOWN', publicKey: src.publicKey })] });
    try {
      const blob = collidingBlob();
      const r = await env.app.inject({
        method: 'POST',
        url: '/gamut/gossip/v0/add-signed-blob',
        payload: blobBody('a', blob, src.sign(blob)),
      });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'DOMAIN_COLLISION');
      await settle(env);
      assert.equal(env.hub.servedHead()?.size, 0);
      assert.equal(await env.storage.pendingCount(env.hubs[0].log.tree.id), 0);
    } finally {
      await env.close();
    }
  });
});
