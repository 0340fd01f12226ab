import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X509Certificate } from '@peculiar/x509';
import {
  CodecError,
  type CodecErrorCode,
  decodeMerkleTreeLeaf,
  decodeSct,
  decodeSctList,
  encodeSct,
  encodeSctList,
  encodeSctSignatureInput,
  type SignedCertificateTimestamp,
} from '../../src/codec/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { b64, hex } from './testing.ts';

/** RFC 6962 §3.3: the X.509v3 extension carrying an SCT list in a certificate. */
const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

const responses = loadTestdata('ct-get-responses.json');
const certEntry = responses.real_get_entries_items.entries.find((e: { name: string }) => e.name === 'CertEntry');

/** The TLS-encoded SCT list embedded in the CertEntry certificate (the extension value is an OCTET STRING around it). */
function embeddedSctList(): Buffer {
  const leaf = decodeMerkleTreeLeaf(b64(certEntry.leaf_input));
  assert.ok(leaf.signedEntry.entryType === 'x509_entry');
  const ext = new X509Certificate(new Uint8Array(leaf.signedEntry.certificate)).getExtension(SCT_LIST_OID);
  assert.ok(ext, 'the CertEntry certificate carries an SCT list');
  const octets = Buffer.from(ext.value);
  assert.equal(octets[0], 0x04, 'OCTET STRING');
  assert.ok(octets[1] < 0x80, 'short-form length');
  return octets.subarray(2);
}

describe('decodeSctList / decodeSct (RFC 6962 §3.2, §3.3) on the SCT embedded in a real-looking certificate', () => {
  it('finds one v1 SCT that decodes completely and re-encodes byte for byte', () => {
    const listBytes = embeddedSctList();
    const list = decodeSctList(listBytes);
    assert.equal(list.length, 1);
    const sct = decodeSct(list[0]);
    assert.equal(sct.logId.toString('hex'), 'b0cc83e5a5f97d6baf7c09cc284904872ac7e88b132c6350b7c6fd26e16c6c77');
    // Issued minutes before the entry was logged (2014-11-13T01:59:13.342Z).
    assert.equal(new Date(sct.timestamp).toISOString(), '2014-11-13T01:54:49.579Z');
    assert.equal(sct.extensions.length, 0);
    assert.deepEqual([sct.signature.hashAlgorithm, sct.signature.signatureAlgorithm], [4, 3]);
    assert.deepEqual(encodeSct(sct), list[0]);
    assert.deepEqual(encodeSctList(list), listBytes);
  });
});

describe('decodeSct', () => {
  const sct: SignedCertificateTimestamp = {
    logId: Buffer.alloc(32, 0xaa),
    timestamp: 1_400_000_000_000,
    extensions: hex('beef'),
    signature: { hashAlgorithm: 4, signatureAlgorithm: 3, signature: hex('3006020101020101') },
  };
  const good = encodeSct(sct).toString('hex');

  it('encodes version, log ID, timestamp, extensions and DigitallySigned in order', () => {
    assert.equal(good, `00${'aa'.repeat(32)}0000 0145 f680 b000 0002beef 0403 0008 3006020101020101`.replaceAll(' ', ''));
    assert.deepEqual(decodeSct(hex(good)), sct);
  });

  const bad: { desc: string; input: string; code: CodecErrorCode }[] = [
    { desc: 'sct_version 1', input: `01${good.slice(2)}`, code: 'BAD_VALUE' },
    { desc: 'a log ID cut short', input: good.slice(0, 40), code: 'TRUNCATED' },
    { desc: 'a missing signature', input: good.slice(0, 2 + 64 + 16 + 8), code: 'TRUNCATED' },
    { desc: 'a trailing byte', input: `${good}00`, code: 'TRAILING_DATA' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () => assertThrowsCode(() => decodeSct(hex(tc.input)), CodecError, tc.code));
  }
});

describe('decodeSctList', () => {
  it('rejects an empty list (sct_list<1..2^16-1>) with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(() => decodeSctList(hex('0000')), CodecError, 'LENGTH_OUT_OF_BOUNDS'));
  it('rejects an empty SerializedSCT with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(() => decodeSctList(hex('00020000')), CodecError, 'LENGTH_OUT_OF_BOUNDS'));
  it('rejects bytes after the list with TRAILING_DATA', () =>
    assertThrowsCode(() => decodeSctList(hex('0003000101ff')), CodecError, 'TRAILING_DATA'));
  it('returns undecoded elements so a client can skip SCTs it cannot parse', () =>
    assert.deepEqual(
      decodeSctList(hex('000700010100020203')).map((b) => b.toString('hex')),
      ['01', '0203'],
    ));
});

describe('encodeSctSignatureInput (RFC 6962 §3.2 digitally-signed struct)', () => {
  it('lays out an x509_entry input: version, certificate_timestamp, timestamp, entry_type, ASN.1Cert, extensions', () => {
    const got = encodeSctSignatureInput({
      timestamp: 1,
      signedEntry: { entryType: 'x509_entry', certificate: hex('3001') },
      extensions: hex(''),
    });
    assert.equal(got.toString('hex'), '00' + '00' + '0000000000000001' + '0000' + '0000023001' + '0000');
  });

  it('lays out a precert_entry input with the 32-byte issuer_key_hash before the TBSCertificate', () => {
    const got = encodeSctSignatureInput({
      timestamp: 2,
      signedEntry: { entryType: 'precert_entry', issuerKeyHash: Buffer.alloc(32, 0x11), tbsCertificate: hex('30') },
      extensions: hex('ab'),
    });
    assert.equal(got.toString('hex'), `000000000000000000020001${'11'.repeat(32)}000001300001ab`);
  });
});
