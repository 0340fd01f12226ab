import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodecError, decodeBase64 } from '../../src/codec/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

describe('decodeBase64 (RFC 4648 §4, canonical as Go StdEncoding.Strict)', () => {
  const ok: [string, string][] = [
    ['', ''],
    ['QQ==', '41'],
    ['QUI=', '4142'],
    ['QUJD', '414243'],
    ['+/8=', 'fbff'],
  ];
  for (const [s, hex] of ok) {
    it(`decodes ${JSON.stringify(s)}`, () => assert.equal(decodeBase64(s).toString('hex'), hex));
  }
  const bad: [string, string][] = [
    ['QR==', 'non-zero unused bits (RFC 4648 §3.5)'],
    ['QUJ=', 'non-zero unused bits'],
    ['QQ', 'missing padding'],
    ['QQ=', 'short padding'],
    ['QUJD=', 'padding after a full quantum'],
    ['QQ==QQ==', 'padding inside'],
    ['Q===', 'too much padding'],
    ['QUJD\n', 'a newline'],
    ['QU JD', 'a space'],
    ['QQ-_', 'the URL-safe alphabet'],
    ['QUJD!', 'a character outside any alphabet'],
  ];
  for (const [s, why] of bad) {
    it(`refuses ${JSON.stringify(s)} (${why}) with BAD_BASE64`, () => assertThrowsCode(() => decodeBase64(s), CodecError, 'BAD_BASE64'));
  }
});
