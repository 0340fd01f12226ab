/**
 * `grapevine evidence verify` as users run it (the built binary): exit 0
 * proves, 1 does not, 2 malformed; one line; keys from --key.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { logIdOfOrigin } from '../../src/audit/index.ts';
import { exportPublicKeyPem, generatePrivateKey, parsePublicKey } from '../../src/crypto/index.ts';
import { attempt, checkpointHead, checkpointLog, forkEvidence, formatEvidence, proofRefusedEvidence } from '../../src/evidence/index.ts';
import { ctWorld, leaves, seen, T0 } from '../evidence/fixtures.ts';
import { grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';
import { loadTestdata } from '../testdata.ts';

const dir = tempDir('grapevine-evidence-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));
const FORK = 'docs/examples/evidence-fork.json';

describe('grapevine evidence verify', () => {
  it('exits 0 and prints the line docs/evidence.md shows for the fork example', () => {
    const r = grapevine(['evidence', 'verify', FORK]);
    assert.equal(r.code, 0, r.stderr);
    const md = readFileSync('docs/evidence.md', 'utf8');
    const shown = /\$ grapevine evidence verify docs\/examples\/evidence-fork\.json\n(.*)\n/.exec(md);
    assert.ok(shown);
    assert.equal(r.stdout, `${shown[1]}\n`);
  });

  it('pins the key given with --key (PEM file), and refuses the file’s own key when another is given', () => {
    const doc = JSON.parse(readFileSync(FORK, 'utf8'));
    const pem = join(dir, 'log.pem');
    writeFileSync(pem, exportPublicKeyPem(parsePublicKey(Buffer.from(doc.log.key.spki, 'base64'))));
    const pinned = grapevine(['evidence', 'verify', FORK, '--key', pem]);
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stdout, /\(key given with --key\)\n$/);
    const other = join(dir, 'other.pem');
    writeFileSync(other, exportPublicKeyPem(generatePrivateKey('ecdsa-p256').publicKey));
    const wrong = grapevine(['evidence', 'verify', FORK, '--key', other]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /^NOT PROVEN \(fork\): none of the 1 key given is the key of log ct\.example\/log1\n$/);
  });

  it('takes a vkey on the command line: the monkeys fork of the witness vectors, read from stdin', () => {
    const w = loadTestdata('witness-scenarios.json').transparency_dev_witness_update_table;
    const c = w.cases.find((x: { desc: string }) => x.desc === 'resubmit known CP with changed root');
    const log = checkpointLog({ origin: 'monkeys', vkey: w.log.vkey, logId: logIdOfOrigin('monkeys') });
    const doc = forkEvidence({
      log,
      by: 't',
      atMs: T0,
      heads: [checkpointHead(c.initial_checkpoint, seen()), checkpointHead(c.new_checkpoint, seen())],
    });
    const { key: _, ...bare } = doc.log;
    const r = grapevine(['evidence', 'verify', '-', '--key', w.log.vkey], { input: formatEvidence({ ...doc, log: bare }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PROOF of fork: log monkeys signed two different trees of size 5/);
  });

  it('exits 1 for a suspicion', () => {
    const ct = ctWorld();
    const ls = leaves(9);
    const doc = proofRefusedEvidence({
      log: ct.log,
      by: 't',
      atMs: T0,
      older: ct.head(ls, 4, T0),
      newer: ct.head(ls, 9, T0 + 1),
      attempts: [attempt('http://ct.example/ct/v1/get-sth-consistency?first=4&second=9', T0, 'HTTP 503')],
    });
    const path = join(dir, 'suspicion.json');
    writeFileSync(path, formatEvidence(doc));
    const r = grapevine(['evidence', 'verify', path]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^SUSPICION only, not proof \(proof-refused\)/);
  });

  it('exits 2 with one line for a malformed file, a missing file and a bad key', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"grapevine-evidence","version":1,"kind":"fork"}');
    for (const args of [
      ['evidence', 'verify', bad],
      ['evidence', 'verify', join(dir, 'missing.json')],
      ['evidence', 'verify', FORK, '--key', join(dir, 'no-such-key.pem')],
    ]) {
      const r = grapevine(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^grapevine: /);
    }
  });
});
