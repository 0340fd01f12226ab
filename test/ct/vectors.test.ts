/**
 * Real CT log entries (ct-get-responses.json) re-admitted through our
 * admission: each chain from extra_data must verify, and with the entry's own
 * timestamp our MerkleTreeLeaf and extra_data must equal the logged bytes —
 * including the precertificate, whose TBS we rebuild (poison removed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMerkleTreeLeaf, decodePrecertExtraData, decodeX509ExtraData } from '../../src/codec/index.ts';
import { leafInput, timestampedEntry } from '../../src/ct/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { admitChain, RootStore } from '../../src/personalities/ct/index.ts';
import { loadTestdata } from '../testdata.ts';
import { assertCtError } from './fixtures.ts';

interface Entry {
  name: string;
  leafInput: Buffer;
  extraData: Buffer;
  leafHash: string;
}

const data = loadTestdata('ct-get-responses.json');
const entries: Entry[] = [
  ...data.real_get_entries_response.entries_decoded.map((e: Record<string, string>, i: number) => ({ ...e, name: `real entry ${i}` })),
  ...data.real_get_entries_items.entries,
].map((e: Record<string, string>) => ({
  name: e.name,
  leafInput: Buffer.from(e.leaf_input, 'base64'),
  extraData: Buffer.from(e.extra_data, 'base64'),
  leafHash: e.computed_leaf_hash_hex,
}));

function submission(e: Entry): { kind: 'x509_entry' | 'precert_entry'; first: Buffer; issuers: Buffer[]; timestamp: number } {
  const leaf = decodeMerkleTreeLeaf(e.leafInput);
  if (leaf.signedEntry.entryType === 'precert_entry') {
    const x = decodePrecertExtraData(e.extraData);
    return { kind: 'precert_entry', first: x.preCertificate, issuers: [...x.precertificateChain], timestamp: leaf.timestamp };
  }
  return { kind: 'x509_entry', first: leaf.signedEntry.certificate, issuers: decodeX509ExtraData(e.extraData), timestamp: leaf.timestamp };
}

describe('admitChain on real log entries (ct-get-responses.json)', () => {
  it('covers all six entries, one of them a precertificate', () => {
    assert.equal(entries.length, 6);
    assert.equal(entries.filter((e) => submission(e).kind === 'precert_entry').length, 1);
  });

  for (const e of entries) {
    describe(e.name, () => {
      const s = submission(e);
      const root = s.issuers[s.issuers.length - 1];
      const policy = { roots: new RootStore([root]), maxChainLength: 10 };

      it('reproduces leaf_input and extra_data byte for byte from the submitted chain', () => {
        const a = admitChain(s.kind, [s.first, ...s.issuers], policy, s.timestamp);
        const li = leafInput(timestampedEntry(a.signedEntry, s.timestamp));
        assert.deepEqual(li, e.leafInput);
        assert.deepEqual(a.extraData, e.extraData);
        assert.equal(hashLeaf(li).toString('hex'), e.leafHash);
      });

      it('gives the same entry when the root is left out of the submission', () => {
        const a = admitChain(s.kind, [s.first, ...s.issuers.slice(0, -1)], policy, s.timestamp);
        assert.deepEqual(a.extraData, e.extraData);
      });

      it('refuses the chain when its root is not accepted (UNKNOWN_ROOT)', () => {
        const other = entries.map(submission).find((x) => !x.issuers[x.issuers.length - 1].equals(root));
        assert.ok(other);
        const p = { roots: new RootStore([other.issuers[other.issuers.length - 1]]), maxChainLength: 10 };
        assertCtError(() => admitChain(s.kind, [s.first, ...s.issuers.slice(0, -1)], p, s.timestamp), 'UNKNOWN_ROOT');
      });
    });
  }
});
