/** Syntax of signed notes: parseNote / formatNote / parseSignatureLine (c2sp.org/signed-note §Format). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  formatNote,
  formatSignatureLine,
  isValidKeyName,
  MAX_SIGNATURES,
  type Note,
  NoteError,
  parseNote,
  parseSignatureLine,
} from '../../src/note/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

const SIG = `— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe('parseNote', () => {
  it('splits text (with its final newline) from the signature lines', () => {
    const n = parseNote(`hello\nworld\n\n${SIG}`);
    assert.equal(n.text, 'hello\nworld\n');
    assert.equal(n.signatures.length, 1);
    assert.equal(n.signatures[0].name, 'PeterNeumann');
    assert.equal(n.signatures[0].keyId, 0xc74f20a3);
    assert.equal(n.signatures[0].signature.length, 64);
  });

  it('splits at the last blank line, so the text may contain blank lines', () => {
    assert.equal(parseNote(`a\n\nb\n\n\n${SIG}`).text, 'a\n\nb\n\n');
  });

  it('accepts bytes and strings alike', () => {
    const s = `x\n\n${SIG}`;
    assert.deepEqual(parseNote(Buffer.from(s)), parseNote(s));
  });

  it('keeps a leading byte-order mark as text (Go treats U+FEFF as an ordinary character)', () => {
    assert.equal(parseNote(Buffer.from(`\ufeffx\n\n${SIG}`)).text, '\ufeffx\n');
  });

  it(`accepts ${MAX_SIGNATURES} signatures`, () => {
    assert.equal(parseNote(`x\n\n${SIG.repeat(MAX_SIGNATURES)}`).signatures.length, MAX_SIGNATURES);
  });

  const malformed: [string, string | Uint8Array][] = [
    ['no blank line', 'x\n'],
    ['empty input', ''],
    ['an empty signature block', 'x\n\n'],
    ['a signature block without final newline', `x\n\n${SIG.slice(0, -1)}`],
    ['a carriage return', `x\r\n\n${SIG}`],
    ['a tab in the text', `x\ty\n\n${SIG}`],
    ['a NUL in the signatures', `x\n\n${SIG.slice(0, -1)}\u0000\n`],
    ['invalid UTF-8', Buffer.concat([Buffer.from([0xc3, 0x28]), Buffer.from(`\n\n${SIG}`)])],
    ['an encoded surrogate (invalid UTF-8)', Buffer.concat([Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(`\n\n${SIG}`)])],
    ['a lone surrogate in a string', `\ud800x\n\n${SIG}`],
    ['a hyphen instead of an em dash', `x\n\n- PeterNeumann AAAAAAA=\n`],
    ['an em dash without space', `x\n\n—PeterNeumann AAAAAAA=\n`],
    ['a line without signature', `x\n\n— PeterNeumann\n`],
    ['an empty signature', `x\n\n— PeterNeumann \n`],
    ['a name with a plus', `x\n\n— Peter+Neumann AAAAAAA=\n`],
    ['an empty name', `x\n\n—  AAAAAAA=\n`],
    ['a name with a no-break space', `x\n\n— Peter\u00a0Neumann AAAAAAA=\n`],
    ['a signature of 4 bytes (key ID only)', `x\n\n— PeterNeumann AAAAAA==\n`],
    ['unpadded base64', `x\n\n— PeterNeumann AAAAAAA\n`],
    ['non-canonical base64 (non-zero trailing bits)', `x\n\n— PeterNeumann AAAAAAB=\n`],
    ['two spaces after the name', `x\n\n— PeterNeumann  AAAAAAA=\n`],
    ['a blank line after the signatures', `x\n\n${SIG}\n`],
    [`${MAX_SIGNATURES + 1} signatures`, `x\n\n${SIG.repeat(MAX_SIGNATURES + 1)}`],
  ];
  for (const [desc, msg] of malformed) {
    it(`rejects ${desc} with NoteError MALFORMED`, () => {
      assertThrowsCode(() => parseNote(msg), NoteError, 'MALFORMED');
    });
  }
});

describe('parseSignatureLine', () => {
  it('reads the big-endian key ID and keeps the remaining bytes', () => {
    const s = parseSignatureLine('— a AQIDBAU=');
    assert.equal(s.keyId, 0x01020304);
    assert.deepEqual([...s.signature], [5]);
  });
});

describe('formatNote', () => {
  it('rejects text that does not end in a newline', () => {
    assertThrowsCode(
      () => formatNote({ text: 'x', signatures: [{ name: 'a', keyId: 1, signature: Buffer.of(1) }] }),
      NoteError,
      'MALFORMED',
    );
  });

  it('rejects a note without signatures', () => {
    assertThrowsCode(() => formatNote({ text: 'x\n', signatures: [] }), NoteError, 'MALFORMED');
  });

  it('rejects a key ID that is not a uint32', () => {
    assertThrowsCode(() => formatSignatureLine({ name: 'a', keyId: 2 ** 32, signature: Buffer.of(1) }), NoteError, 'MALFORMED');
  });
});

describe('isValidKeyName', () => {
  for (const [name, want] of [
    ['example.com/log42', true],
    ['sum.golang.org', true],
    ['ünïcödé', true],
    ['', false],
    ['a b', false],
    ['a+b', false],
    ['a\u2003b', false], // EM SPACE
    ['a\u3000b', false], // IDEOGRAPHIC SPACE
    ['a\ufeffb', true], // BOM is not White_Space (Go's unicode.IsSpace agrees)
  ] as const) {
    it(`${JSON.stringify(name)} is ${want ? 'valid' : 'invalid'}`, () => assert.equal(isValidKeyName(name), want));
  }
});

// Note text: lines of printable characters (no control characters), each ending in "\n".
const line = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('a', 'Z', ' ', '+', '/', '=', '—', 'é', '😀'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 30,
  })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  .filter((s) => !/[\u0000-\u001f]/.test(s));
const keyName = fc.string({ unit: fc.constantFrom('a', 'b', '.', '/', '-', 'é', '0'), minLength: 1, maxLength: 12 });
const signature = fc
  .record({
    name: keyName,
    keyId: fc.integer({ min: 0, max: 0xffffffff }),
    signature: fc.uint8Array({ minLength: 1, maxLength: 80 }).map((b) => Buffer.from(b)),
  })
  .map((r) => ({ ...r })); // fc.record builds null-prototype objects
const note: fc.Arbitrary<Note> = fc
  .record({
    text: fc.array(line, { minLength: 1, maxLength: 6 }).map((ls) => ls.map((l) => `${l}\n`).join('')),
    signatures: fc.array(signature, { minLength: 1, maxLength: 5 }),
  })
  .map((r) => ({ ...r }));

describe('properties', () => {
  it('parseNote ∘ formatNote = id', () => {
    fc.assert(fc.property(note, (n) => assert.deepEqual(parseNote(formatNote(n)), n)));
  });

  it('formatNote ∘ parseNote = id on well-formed notes (bytes too)', () => {
    fc.assert(
      fc.property(note, (n) => {
        const s = formatNote(n);
        assert.equal(formatNote(parseNote(Buffer.from(s, 'utf8'))), s);
      }),
    );
  });

  it('never throws anything but NoteError MALFORMED on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        (input) => {
          try {
            parseNote(input);
          } catch (err) {
            assert.ok(err instanceof NoteError && err.code === 'MALFORMED');
          }
        },
      ),
    );
  });
});
