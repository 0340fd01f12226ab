/**
 * The pure parts of the witness: the add-checkpoint body parser and the
 * status decision table (src/witness/decide.ts), with a reference tree as
 * the oracle for roots and proofs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_ROOT } from '../../src/merkle/index.ts';
import {
  decideAddCheckpoint,
  formatAddCheckpointRequest,
  parseAddCheckpointRequest,
  parseTlogSize,
  WitnessError,
  type WitnessErrorCode,
} from '../../src/witness/index.ts';
import { assertThrowsCode, thrownWithCode } from '../support/assert-code.ts';
import { TestLog } from './fixtures.ts';

const log = new TestLog('example.com/log', 13);
const fork = log.fork(7, 6);
const head = (size: number, l = log) => ({ size, rootHash: l.root(size) });

describe('decideAddCheckpoint', () => {
  const cases: {
    desc: string;
    old: number;
    proof: Buffer[];
    next: { size: number; rootHash: Buffer };
    latest: { size: number; rootHash: Buffer } | null;
    want?: 'same' | 'extends';
    wantErr?: WitnessErrorCode;
    wantSize?: number;
  }[] = [
    { desc: 'first checkpoint, old 0, empty proof', old: 0, proof: [], next: head(13), latest: null, want: 'extends' },
    { desc: 'first checkpoint of size 0 with the empty root', old: 0, proof: [], next: head(0), latest: null, want: 'same' },
    { desc: 'extends with a valid proof', old: 5, proof: log.proof(5, 13), next: head(13), latest: head(5), want: 'extends' },
    { desc: 'same size and root, empty proof', old: 13, proof: [], next: head(13), latest: head(13), want: 'same' },
    { desc: 'from a cosigned size 0', old: 0, proof: [], next: head(9), latest: head(0), want: 'extends' },
    { desc: 'old above the size', old: 14, proof: [], next: head(13), latest: head(13), wantErr: 'OLD_SIZE_TOO_LARGE' },
    { desc: 'old above the size is 400 before 409', old: 9, proof: [], next: head(8), latest: head(2), wantErr: 'OLD_SIZE_TOO_LARGE' },
    {
      desc: 'old is not the cosigned size',
      old: 4,
      proof: log.proof(4, 13),
      next: head(13),
      latest: head(5),
      wantErr: 'STALE',
      wantSize: 5,
    },
    {
      desc: 'old 0 with nothing cosigned yet is the probe',
      old: 3,
      proof: log.proof(3, 13),
      next: head(13),
      latest: null,
      wantErr: 'STALE',
      wantSize: 0,
    },
    { desc: 'old 0 with a proof', old: 0, proof: [log.root(1)], next: head(13), latest: null, wantErr: 'BAD_PROOF' },
    { desc: 'size 0 with another root', old: 0, proof: [], next: { size: 0, rootHash: log.root(1) }, latest: null, wantErr: 'BAD_PROOF' },
    { desc: 'same size, different root', old: 10, proof: [], next: head(10, fork), latest: head(10), wantErr: 'ROOT_MISMATCH' },
    { desc: 'same size, non-empty proof', old: 13, proof: [log.root(2)], next: head(13), latest: head(13), wantErr: 'BAD_PROOF' },
    { desc: 'empty proof between different sizes', old: 5, proof: [], next: head(13), latest: head(5), wantErr: 'BAD_PROOF' },
    {
      desc: "the fork's own proof from the fork point on",
      old: 9,
      proof: fork.proof(9, 13),
      next: head(13, fork),
      latest: head(9),
      wantErr: 'BAD_PROOF',
    },
    { desc: 'a proof for other sizes', old: 5, proof: log.proof(6, 13), next: head(13), latest: head(5), wantErr: 'BAD_PROOF' },
  ];
  for (const tc of cases) {
    it(`${tc.desc}: ${tc.want ?? tc.wantErr}`, () => {
      if (tc.want) {
        assert.deepEqual(decideAddCheckpoint(tc.old, tc.proof, tc.next, tc.latest), { verdict: tc.want });
        return;
      }
      const err = thrownWithCode(
        () => decideAddCheckpoint(tc.old, tc.proof, tc.next, tc.latest),
        WitnessError,
        tc.wantErr as WitnessErrorCode,
      );
      assert.equal(err.size, tc.wantSize);
    });
  }

  it('agrees with the empty-tree hash of RFC 6962 §2.1', () => assert.deepEqual(log.root(0), EMPTY_ROOT));
});

describe('parseAddCheckpointRequest', () => {
  it('round-trips with formatAddCheckpointRequest', () => {
    const proof = log.proof(3, 13);
    const req = parseAddCheckpointRequest(formatAddCheckpointRequest({ oldSize: 3, proof, checkpoint: log.checkpoint() }));
    assert.equal(req.oldSize, 3);
    assert.deepEqual(req.proof, proof);
    assert.equal(req.checkpoint.toString('utf8'), log.checkpoint());
  });

  it('accepts 63 proof lines and refuses 64', () => {
    const h = Buffer.alloc(32, 7);
    const body = (n: number) => Buffer.from(`old 1\n${`${h.toString('base64')}\n`.repeat(n)}\n${log.checkpoint()}`);
    assert.equal(parseAddCheckpointRequest(body(63)).proof.length, 63);
    assertThrowsCode(() => parseAddCheckpointRequest(body(64)), WitnessError, 'MALFORMED');
  });

  it('keeps a proof hash of the wrong length, for the proof check to fail (422, not 400)', () => {
    const req = parseAddCheckpointRequest(Buffer.from(`old 5\nAg==\n\n${log.checkpoint()}`));
    assert.deepEqual(req.proof, [Buffer.of(2)]);
  });

  for (const [desc, body] of [
    ['an old size above 2^53-1', `old 9007199254740992\n\n`],
    ['an overlong first line', `old ${'1'.repeat(80)}\n\n`],
    ['a proof line with trailing space', `old 1\n${Buffer.alloc(32).toString('base64')} \n\n`],
    ['a CRLF line end', 'old 1\r\n\r\n'],
  ]) {
    it(`refuses ${desc}`, () => {
      assertThrowsCode(() => parseAddCheckpointRequest(Buffer.from(`${body}${log.checkpoint()}`)), WitnessError, 'MALFORMED');
    });
  }
});

describe('parseTlogSize', () => {
  it('reads "<size>\\n" and refuses anything else', () => {
    assert.equal(parseTlogSize('12\n'), 12);
    for (const bad of ['12', '012\n', ' 12\n', '12\n\n', '']) assertThrowsCode(() => parseTlogSize(bad), WitnessError, 'MALFORMED');
  });
});
