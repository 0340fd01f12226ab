/**
 * Black-box tests of `grapevine log` and `grapevine proof`: the built CLI
 * against a temp data directory, proofs checked by the CLI's own verifier
 * and by src/merkle.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/merkle/index.ts';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

/** Hashes are printed in base64 (docs/cli.md). */
const bytes = (s: string) => Buffer.from(s, 'base64');

describe('grapevine log', () => {
  const data = join(tempDir('gv-cli-'), 'data');
  const base = ['--data', data, '--name', 'demo'];

  it('refuses to inspect a data directory that does not exist (exit 1, one line)', () => {
    const r = grapevine(['log', 'info', ...base]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not exist/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('creates a log, adds and sequences leaves, and serves verifiable proofs', () => {
    const c = grapevine(['log', 'create', ...base]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(JSON.parse(c.stdout).public_key, /BEGIN PUBLIC KEY/);
    assert.equal(grapevine(['log', 'create', ...base]).code, 1, 'a second create is refused');

    const a = grapevine(['log', 'add', ...base, '--value', 'a', 'b', 'c', '--sequence']);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(
      JSON.parse(a.stdout).map((l: { index: number }) => l.index),
      [0, 1, 2],
    );
    const first = JSON.parse(grapevine(['log', 'info', ...base]).stdout);
    assert.equal(first.size, 3);

    const dup = JSON.parse(grapevine(['log', 'add', ...base, '--value', 'b', 'd', 'e', '--sequence']).stdout);
    assert.deepEqual(
      dup.map((l: { duplicate: boolean }) => l.duplicate),
      [true, false, false],
    );
    assert.equal(dup[0].index, 1, 'the duplicate keeps its original index');
    const info = JSON.parse(grapevine(['log', 'info', ...base]).stdout);
    assert.equal(info.size, 5);
    assert.equal(info.pending, 0);

    const inc = JSON.parse(grapevine(['log', 'inclusion', ...base, '--leaf-hash', hashLeaf(Buffer.from('d')).toString('hex')]).stdout);
    assert.equal(inc.index, 3);
    verifyInclusion(3, 5, hashLeaf(Buffer.from('d')), inc.proof.map(bytes), bytes(info.root_hash));

    const cons = JSON.parse(grapevine(['log', 'consistency', ...base, '--size1', '3']).stdout);
    verifyConsistency(3, 5, cons.proof.map(bytes), bytes(first.root_hash), bytes(info.root_hash));

    const v = grapevine([
      'proof',
      'verify-consistency',
      '--size1',
      '3',
      '--size2',
      '5',
      '--root1',
      first.root_hash,
      '--root2',
      bytes(info.root_hash).toString('hex'), // either encoding is taken
      '--proof',
      cons.proof.join(','),
    ]);
    assert.equal(v.code, 0, v.stderr);

    const leaves = grapevine(['log', 'leaves', ...base])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      leaves.map((l) => Buffer.from(l.value, 'base64').toString()),
      ['a', 'b', 'c', 'd', 'e'],
    );
  });

  it('asks for a proof beyond the tree and fails with exit 1', () => {
    const r = grapevine(['log', 'inclusion', ...base, '--index', '9', '--size', '50']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BAD_REQUEST/);
  });
});

describe('grapevine proof', () => {
  const leaf = hashLeaf(Buffer.from('x')).toString('hex');
  const other = hashLeaf(Buffer.from('y')).toString('hex');

  it('exits 0 for a valid one-leaf inclusion proof with an empty proof string', () => {
    assert.equal(
      grapevine(['proof', 'verify-inclusion', '--leaf-hash', leaf, '--index', '0', '--size', '1', '--root', leaf, '--proof', '']).code,
      0,
    );
  });

  it('exits 1 with one line for an invalid proof', () => {
    const r = grapevine(['proof', 'verify-inclusion', '--leaf-hash', leaf, '--index', '0', '--size', '1', '--root', other, '--proof', '']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /INCLUSION_MISMATCH/);
  });

  it('exits 2 on usage errors: a bad hash, a missing option, a negative size', () => {
    assert.equal(
      grapevine(['proof', 'verify-inclusion', '--leaf-hash', 'nothex', '--index', '0', '--size', '1', '--root', leaf, '--proof', '']).code,
      2,
    );
    assert.equal(grapevine(['proof', 'verify-consistency', '--size1', '1']).code, 2);
    assert.equal(
      grapevine(['proof', 'verify-consistency', '--size1', '-1', '--size2', '2', '--root1', leaf, '--root2', leaf, '--proof', '']).code,
      2,
    );
  });
});

describe('grapevine log inclusion usage', () => {
  it('exits 2 when neither --index nor --leaf-hash is given', () => {
    const data = join(tempDir('gv-cli-'), 'data');
    assert.equal(grapevine(['log', 'create', '--data', data, '--name', 'u']).code, 0);
    assert.equal(grapevine(['log', 'inclusion', '--data', data, '--name', 'u']).code, 2);
  });
});
