import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMessageSexp, MAX_DEPTH, MAX_ITEMS, parseSexp, WireError } from '../../../src/gossip/wire/index.ts';
import { assertThrowsCode } from '../../support/assert-code.ts';

describe('parseSexp', () => {
  const good: { desc: string; text: string; want: unknown }[] = [
    { desc: 'tokens and a nested list', text: '(a (b c) d)', want: ['a', ['b', 'c'], 'd'] },
    { desc: 'lists need no space beside parentheses', text: '(a(b)(c d))', want: ['a', ['b'], ['c', 'd']] },
    { desc: 'any whitespace between items', text: ' \r\n(a\t\n  b )\n', want: ['a', 'b'] },
    { desc: 'a token may start with a digit (timestamps, hex)', text: '(t 1414396810000 467a)', want: ['t', '1414396810000', '467a'] },
    { desc: 'base64 is a token', text: '(d b3V0+/9=)', want: ['d', 'b3V0+/9='] },
    { desc: 'quoted strings with spaces and escapes', text: '(m "a \\"b\\" \\\\ c")', want: ['m', 'a "b" \\ c'] },
    { desc: 'the empty string', text: '(source "")', want: ['source', ''] },
    { desc: 'an empty list', text: '(a ())', want: ['a', []] },
  ];
  for (const tc of good) it(`reads ${tc.desc}`, () => assert.deepEqual(parseSexp(tc.text), tc.want));

  const malformed: { desc: string; text: string }[] = [
    { desc: 'an empty message', text: '  ' },
    { desc: 'an atom instead of a list', text: 'abc' },
    { desc: 'an unclosed list', text: '(a (b)' },
    { desc: 'a second list after the first', text: '(a)(b)' },
    { desc: 'a stray closing parenthesis', text: '(a))' },
    { desc: 'a non-ASCII byte', text: '(a \u00e9)' },
    { desc: 'a control character', text: '(a \u0001)' },
    { desc: 'a control character in a string', text: '(a "x\u0007")' },
    { desc: 'an unknown escape', text: '(a "\\n")' },
    { desc: 'an unterminated string', text: '(a "abc)' },
    { desc: "Rivest's hex form", text: '(a #616263#)' },
    { desc: "Rivest's base64 form", text: '(a |YWJj|)' },
    { desc: "Rivest's verbatim form", text: '(a 3:abc)' },
    { desc: 'a display hint', text: '(a [t]b)' },
    { desc: 'two atoms without a space', text: '(a "b"c)' },
  ];
  for (const tc of malformed) {
    it(`refuses ${tc.desc} as MALFORMED`, () => assertThrowsCode(() => parseSexp(tc.text), WireError, 'MALFORMED'));
  }

  it(`refuses nesting deeper than ${MAX_DEPTH} as TOO_LARGE`, () => {
    assert.doesNotThrow(() => parseSexp(`${'('.repeat(MAX_DEPTH)}a${')'.repeat(MAX_DEPTH)}`));
    const deep = `${'('.repeat(MAX_DEPTH + 1)}a${')'.repeat(MAX_DEPTH + 1)}`;
    assertThrowsCode(() => parseSexp(deep), WireError, 'TOO_LARGE');
  });

  it(`refuses a list of more than ${MAX_ITEMS} items as TOO_LARGE`, () => {
    assert.equal(parseSexp(`(${'a '.repeat(MAX_ITEMS)})`).length, MAX_ITEMS);
    assertThrowsCode(() => parseSexp(`(${'a '.repeat(MAX_ITEMS + 1)})`), WireError, 'TOO_LARGE');
  });
});

describe('formatMessageSexp', () => {
  it('wraps a field past column 72 and keeps short ones on one line', () => {
    const text = formatMessageSexp('m', [
      ['short', 'x'],
      ['long', 'y'.repeat(70)],
    ]);
    assert.equal(text, `(m\n  (short x)\n  (long\n    ${'y'.repeat(70)}))`);
    assert.ok(text.split('\n').every((l) => l.length <= 76));
  });

  it('quotes atoms that are not tokens', () => {
    assert.equal(formatMessageSexp('m', [['s', '']]), '(m\n  (s ""))');
    assert.equal(formatMessageSexp('m', [['s', 'a "b"']]), '(m\n  (s "a \\"b\\""))');
    assert.deepEqual(parseSexp(formatMessageSexp('m', [['s', 'a "b" \\']])), ['m', ['s', 'a "b" \\']]);
  });
});
