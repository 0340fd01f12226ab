/**
 * Checkpoint note text (c2sp.org/tlog-checkpoint), the Go sumdb tree note and
 * origin-derived IDs, over testdata/checkpoint-parse-cases.json.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Checkpoint,
  CheckpointError,
  formatCheckpoint,
  formatSumdbTree,
  logIdForOrigin,
  originHash,
  parseCheckpoint,
  parseSumdbTree,
} from '../../src/checkpoint/index.ts';
import { CodecError } from '../../src/codec/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import { assertThrowsCode, thrownWithCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const data = loadTestdata('checkpoint-parse-cases.json');

interface BodyCase {
  desc: string;
  body: string;
  want_error: boolean;
  want?: { origin: string; size: number; hash_b64: string };
  want_rest?: string;
}

/** transparency-dev/formats' leniency: any root length, empty extension lines (Finding 8). */
const FORMATS_COMPAT = { hashSize: null, allowEmptyExtensions: true } as const;

describe('parseCheckpoint over checkpoint_body_cases (transparency-dev/formats TestUnmarshalLogState)', () => {
  it('has every case', () => assert.equal(data.checkpoint_body_cases.length, data.counts.checkpoint_body_cases));

  for (const c of data.checkpoint_body_cases as BodyCase[]) {
    describe(c.desc, () => {
      if (c.want_error) {
        it('throws CheckpointError in compatibility mode and by default', () => {
          for (const opts of [FORMATS_COMPAT, {}]) {
            assert.throws(() => parseCheckpoint(c.body, opts), CheckpointError);
          }
        });
        return;
      }
      it('parses in compatibility mode with upstream origin, size, hash and rest', () => {
        const cp = parseCheckpoint(c.body, FORMATS_COMPAT);
        assert.equal(cp.origin, c.want!.origin);
        assert.equal(cp.size, c.want!.size);
        assert.equal(cp.rootHash.toString('base64'), c.want!.hash_b64);
        assert.equal(cp.extensions.map((e) => `${e}\n`).join(''), c.want_rest);
      });
      // Every upstream "valid" body has a non-32-byte root ("bananas" is 7 bytes): strict mode refuses it.
      it('is refused by the strict default with CheckpointError BAD_ROOT_HASH', () => {
        assertThrowsCode(() => parseCheckpoint(c.body), CheckpointError, 'BAD_ROOT_HASH');
      });
    });
  }
});

describe('parseSumdbTree over sumdb_tree_cases (golang.org/x/mod TestParseTree)', () => {
  it('has every case', () => assert.equal(data.sumdb_tree_cases.length, data.counts.sumdb_tree_cases));

  for (const c of data.sumdb_tree_cases as BodyCase[]) {
    it(`${c.desc}: ${c.want_error ? 'throws CheckpointError' : 'parses'}`, () => {
      if (c.want_error) {
        assert.throws(() => parseSumdbTree(c.body), CheckpointError);
        return;
      }
      const t = parseSumdbTree(c.body);
      assert.equal(t.size, 123456789012);
      // The golden hash is RecordHash("hello world") = SHA-256(0x00 || "hello world").
      assert.deepEqual(t.hash, hashLeaf(Buffer.from('hello world')));
    });
  }

  it('formats the golden tree as FormatTree does', () => {
    const golden = (data.sumdb_tree_cases as BodyCase[])[0].body;
    assert.equal(formatSumdbTree(parseSumdbTree(golden)), golden);
  });
});

describe('logIdForOrigin / originHash over log_id_vectors', () => {
  it('has every vector', () => assert.equal(data.log_id_vectors.length, data.counts.log_id_vectors));

  for (const v of data.log_id_vectors as { desc: string; origin: string; want_id_hex: string; origin_sha256_hex: string }[]) {
    it(`${v.desc}: SHA-256("o:" + origin) and SHA-256(origin)`, () => {
      assert.equal(logIdForOrigin(v.origin).toString('hex'), v.want_id_hex);
      assert.equal(originHash(v.origin).toString('hex'), v.origin_sha256_hex);
    });
  }
});

const ROOT = 'mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=';

describe('parseCheckpoint (strict)', () => {
  it('parses a checkpoint with extension lines', () => {
    const cp = parseCheckpoint(`example.com/log\n0\n${ROOT}\nTimestamp: 1\nx\n`);
    assert.deepEqual(cp.extensions, ['Timestamp: 1', 'x']);
    assert.equal(cp.size, 0);
  });

  const bad: [string, string, CheckpointError['code']][] = [
    ['a leading zero in the size', `o\n01\n${ROOT}\n`, 'BAD_SIZE'],
    ['a plus sign in the size', `o\n+1\n${ROOT}\n`, 'BAD_SIZE'],
    ['a space after the size', `o\n1 \n${ROOT}\n`, 'BAD_SIZE'],
    ['an empty size', `o\n\n${ROOT}\n`, 'BAD_SIZE'],
    ['unpadded base64 root', `o\n1\n${ROOT.slice(0, -1)}\n`, 'BAD_ROOT_HASH'],
    ['a 31-byte root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`, 'BAD_ROOT_HASH'],
    ['a 33-byte root', `o\n1\n${Buffer.alloc(33).toString('base64')}\n`, 'BAD_ROOT_HASH'],
    ['an empty extension line', `o\n1\n${ROOT}\n\n`, 'BAD_EXTENSION'],
    ['no final newline', `o\n1\n${ROOT}`, 'MALFORMED'],
    ['an empty origin', `\n1\n${ROOT}\n`, 'BAD_ORIGIN'],
  ];
  for (const [desc, body, code] of bad) {
    it(`rejects ${desc} with CheckpointError ${code}`, () => {
      assertThrowsCode(() => parseCheckpoint(body), CheckpointError, code);
    });
  }

  it('rejects a size above 2^53-1 with BAD_SIZE caused by CodecError UNSAFE_INTEGER', () => {
    const err = thrownWithCode(() => parseCheckpoint(`o\n9007199254740992\n${ROOT}\n`), CheckpointError, 'BAD_SIZE');
    assert.ok(err.cause instanceof CodecError && err.cause.code === 'UNSAFE_INTEGER');
  });

  it('accepts 2^53-1', () => {
    assert.equal(parseCheckpoint(`o\n9007199254740991\n${ROOT}\n`).size, Number.MAX_SAFE_INTEGER);
  });

  it('rejects an unexpected origin with CheckpointError BAD_ORIGIN', () => {
    assertThrowsCode(() => parseCheckpoint(`o\n1\n${ROOT}\n`, { origin: 'p' }), CheckpointError, 'BAD_ORIGIN');
  });
});

describe('formatCheckpoint', () => {
  for (const [desc, cp, code] of [
    ['an origin with a newline', { origin: 'a\nb', size: 1, rootHash: Buffer.alloc(32), extensions: [] }, 'BAD_ORIGIN'],
    ['a negative size', { origin: 'a', size: -1, rootHash: Buffer.alloc(32), extensions: [] }, 'BAD_SIZE'],
    ['a 7-byte root', { origin: 'a', size: 1, rootHash: Buffer.from('bananas'), extensions: [] }, 'BAD_ROOT_HASH'],
    ['an empty extension', { origin: 'a', size: 1, rootHash: Buffer.alloc(32), extensions: [''] }, 'BAD_EXTENSION'],
  ] as [string, Checkpoint, CheckpointError['code']][]) {
    it(`rejects ${desc} with CheckpointError ${code}`, () => {
      assertThrowsCode(() => formatCheckpoint(cp), CheckpointError, code);
    });
  }
});

const line = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '/', ':', '+', '—', 'é'), minLength: 1, maxLength: 20 });
const checkpoint: fc.Arbitrary<Checkpoint> = fc
  .record({
    origin: line,
    size: fc.maxSafeNat(),
    rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
    extensions: fc.array(line, { maxLength: 3 }),
  })
  .map((r) => ({ ...r }));

describe('properties', () => {
  it('parseCheckpoint ∘ formatCheckpoint = id', () => {
    fc.assert(fc.property(checkpoint, (cp) => assert.deepEqual(parseCheckpoint(formatCheckpoint(cp)), cp)));
  });

  it('formatCheckpoint ∘ parseCheckpoint = id on what it accepts', () => {
    fc.assert(
      fc.property(checkpoint, fc.nat(40), fc.constantFrom('0', '\n', 'x', '='), (cp, i, ch) => {
        const text = formatCheckpoint(cp);
        const mutated = `${text.slice(0, i)}${ch}${text.slice(i + 1)}`;
        try {
          assert.equal(formatCheckpoint(parseCheckpoint(mutated)), mutated);
        } catch (err) {
          assert.ok(err instanceof CheckpointError, String(err));
        }
      }),
    );
  });
});
