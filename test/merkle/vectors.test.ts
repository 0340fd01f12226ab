import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CompactRange,
  consistencyPlan,
  EMPTY_ROOT,
  hashChildren,
  hashLeaf,
  inclusionPlan,
  ProofError,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/index.ts';
import { loadTestdata } from '../testdata.ts';
import { materialize } from './memory-tree.ts';

const hex = (s: string) => Buffer.from(s, 'hex');
const ref = loadTestdata('merkle-rfc6962-reference-tree.json');
const leaves: Buffer[] = ref.leaves_hex.map((l: string) => hashLeaf(hex(l)));

describe('RFC 6962 reference tree (merkle-rfc6962-reference-tree.json)', () => {
  for (const v of ref.hasher_vectors) {
    it(`hasher: ${v.desc}`, () => {
      let got: Buffer;
      if (v.kind === 'empty') got = EMPTY_ROOT;
      else if (v.kind === 'leaf') got = hashLeaf(hex(v.input_hex));
      else got = hashChildren(hex(v.left_hex), hex(v.right_hex));
      assert.equal(got.toString('hex'), v.want);
    });
  }

  it('compact range reproduces the root of every size 0..8', () => {
    for (const { tree_size, root } of ref.root_by_size) {
      const cr = CompactRange.empty();
      for (const l of leaves.slice(0, tree_size)) cr.append(l);
      assert.equal(cr.root().toString('hex'), root, `size ${tree_size}`);
    }
  });

  it('compact range visits every full-subtree node hash', () => {
    const seen = new Map<string, string>();
    const cr = CompactRange.empty();
    for (const l of leaves) cr.append(l, (level, index, h) => seen.set(`${level}/${index}`, h.toString('hex')));
    let count = 0;
    for (const { level, hashes } of ref.node_hashes_by_level) {
      hashes.forEach((h: string, i: number) => {
        assert.equal(seen.get(`${level}/${i}`), h, `node ${level}/${i}`);
        count++;
      });
    }
    assert.equal(count, 15);
  });

  for (const p of ref.inclusion_proofs) {
    it(`inclusion proof for leaf ${p.leaf_index} of ${p.tree_size} is generated and verifies`, () => {
      const got = materialize(inclusionPlan(p.leaf_index, p.tree_size), leaves.slice(0, p.tree_size));
      assert.deepEqual(
        got.map((h) => h.toString('hex')),
        p.path,
      );
      verifyInclusion(p.leaf_index, p.tree_size, hex(p.leaf_hash), p.path.map(hex), hex(p.root));
    });
  }

  for (const p of ref.consistency_proofs) {
    it(`consistency proof ${p.size1} → ${p.size2} is generated and verifies`, () => {
      const got = materialize(consistencyPlan(p.size1, p.size2), leaves.slice(0, p.size2));
      assert.deepEqual(
        got.map((h) => h.toString('hex')),
        p.path,
      );
      verifyConsistency(p.size1, p.size2, p.path.map(hex), hex(p.root1), hex(p.root2));
    });
  }
});

describe('verifyInclusion probes (merkle-inclusion-probes.json)', () => {
  const probes = loadTestdata('merkle-inclusion-probes.json');
  assert.equal(probes.cases.length, probes.count);
  for (const c of probes.cases) {
    it(`${c.file}: ${c.want_error ? 'fails' : 'verifies'}`, () => {
      const run = () => verifyInclusion(c.leaf_index, c.tree_size, hex(c.leaf_hash), c.path.map(hex), hex(c.root));
      if (c.want_error) assert.throws(run, ProofError);
      else run();
    });
  }
});

describe('verifyConsistency probes (merkle-consistency-probes.json)', () => {
  const probes = loadTestdata('merkle-consistency-probes.json');
  assert.equal(probes.cases.length, probes.count);
  for (const c of probes.cases) {
    it(`${c.file}: ${c.want_error ? 'fails' : 'verifies'}`, () => {
      const run = () => verifyConsistency(c.size1, c.size2, c.path.map(hex), hex(c.root1), hex(c.root2));
      if (c.want_error) assert.throws(run, ProofError);
      else run();
    });
  }
});
