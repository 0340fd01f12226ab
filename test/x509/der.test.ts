import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDer, encodeElement, oidText, readWhole, TAG } from '../../src/x509/der.ts';
import { X509Error } from '../../src/x509/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';

const h = (hex: string) => Buffer.from(hex.replace(/ /g, ''), 'hex');

describe('DER (x509/der.ts)', () => {
  describe('checkDer', () => {
    const cases: { desc: string; hex: string; wantErr?: 'MALFORMED' | 'NOT_DER' }[] = [
      { desc: 'a SEQUENCE of INTEGER 1, BOOLEAN TRUE, NULL', hex: '3008 020101 0101ff 0500' },
      { desc: 'a long-form length where it is needed', hex: `048180${'61'.repeat(128)}` },
      { desc: 'a long-form length for a short length', hex: '308103 020101', wantErr: 'NOT_DER' },
      { desc: 'a length with a leading zero octet', hex: '30820003 020101', wantErr: 'NOT_DER' },
      { desc: 'an indefinite length', hex: '3080 020101 0000', wantErr: 'NOT_DER' },
      { desc: 'BOOLEAN TRUE as 0x01', hex: '3003 010101', wantErr: 'NOT_DER' },
      { desc: 'an INTEGER with a redundant 0x00', hex: '3004 02020001', wantErr: 'NOT_DER' },
      { desc: 'an INTEGER with a redundant 0xff', hex: '3004 0202ff80', wantErr: 'NOT_DER' },
      { desc: 'an INTEGER 0x0080 (needed zero)', hex: '3004 02020080' },
      { desc: 'a constructed OCTET STRING', hex: '3007 2405 0403616263', wantErr: 'NOT_DER' },
      { desc: 'BIT STRING padding bits that are not zero', hex: '3004 030201ff', wantErr: 'NOT_DER' },
      { desc: 'BIT STRING with 8 unused bits', hex: '3004 030208ff', wantErr: 'MALFORMED' },
      { desc: 'a padded OID subidentifier', hex: '3005 0603808101', wantErr: 'MALFORMED' },
      { desc: 'an element longer than its container', hex: '3003 020201', wantErr: 'MALFORMED' },
      { desc: 'a multi-octet tag', hex: '3003 1f0100', wantErr: 'MALFORMED' },
    ];
    for (const tc of cases) {
      it(tc.wantErr ? `refuses ${tc.desc} with ${tc.wantErr}` : `accepts ${tc.desc}`, () => {
        const b = h(tc.hex);
        const run = () => checkDer(b, readWhole(b, 'test'));
        if (tc.wantErr) assertThrowsCode(run, X509Error, tc.wantErr);
        else run();
      });
    }
  });

  it('writes the fewest length octets (encodeElement)', () => {
    assert.deepEqual(encodeElement(TAG.OCTET_STRING, Buffer.alloc(127)).subarray(0, 2), h('047f'));
    assert.deepEqual(encodeElement(TAG.OCTET_STRING, Buffer.alloc(128)).subarray(0, 3), h('048180'));
    assert.deepEqual(encodeElement(TAG.OCTET_STRING, Buffer.alloc(256)).subarray(0, 4), h('04820100'));
    const big = encodeElement(TAG.SEQUENCE, Buffer.alloc(300));
    checkDer(big, readWhole(big, 'test'));
  });

  it('reads OBJECT IDENTIFIERs (X.690 §8.19)', () => {
    const cases: [string, string][] = [
      ['0603551d13', '2.5.29.19'],
      ['06082a8648ce3d030107', '1.2.840.10045.3.1.7'],
      ['060a2b06010401d679020403', '1.3.6.1.4.1.11129.2.4.3'],
      ['0603883703', '2.999.3'],
    ];
    for (const [hex, want] of cases) {
      const b = h(hex);
      assert.equal(oidText(b, readWhole(b, 'oid')), want);
    }
  });
});
