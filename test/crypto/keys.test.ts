import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ed25519PublicKeyBytes,
  ed25519PublicKeyFromBytes,
  encodePem,
  exportPrivateKeyDer,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generatePrivateKey,
  KeyError,
  type KeyErrorCode,
  type KeyType,
  parsePrivateKey,
  parsePublicKey,
  publicKeyFromKeyObject,
} from '../../src/crypto/index.ts';
import { b64 } from '../codec/testing.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';

const sths = loadTestdata('ct-sths.json');
const checkpointLogs = loadTestdata('checkpoint-logs.json');

/** Every distinct log key (base64 DER SPKI) in ct-sths.json. */
const ctLogKeys: { desc: string; key: string; logId: string }[] = [];
for (const s of [...sths.real_log_sths, ...sths.test_key_sths, ...sths.negative_sths]) {
  if (!ctLogKeys.some((k) => k.key === s.log.key)) ctLogKeys.push({ desc: s.log.description, key: s.log.key, logId: s.log.log_id });
}

describe('parsePublicKey on real CT log keys (ct-sths.json)', () => {
  for (const k of ctLogKeys) {
    it(`${k.desc}: loads from base64 DER, DER bytes and PEM as the same ecdsa-p256 key`, () => {
      const fromB64 = parsePublicKey(k.key);
      assert.equal(fromB64.type, 'ecdsa-p256');
      assert.equal(fromB64.spki.toString('base64'), k.key, 'spki is the published DER, byte for byte');
      const fromDer = parsePublicKey(b64(k.key));
      const fromPem = parsePublicKey(exportPublicKeyPem(fromB64));
      assert.deepEqual(fromDer.spki, fromB64.spki);
      assert.deepEqual(fromPem.spki, fromB64.spki);
    });
  }
});

describe('parsePublicKey on ECDSA signed-note keys (checkpoint-logs.json, type 0x02 = DER SPKI)', () => {
  for (const log of checkpointLogs.logs.filter((l: { key_type: string }) => l.key_type === 'ecdsa')) {
    it(`${log.origin}: loads, and SHA-256(SPKI)[:4] is the vkey's key ID`, () => {
      // The name has no '+', but the base64 key may.
      const [, id, ...rest] = log.vkey.split('+');
      const der = b64(rest.join('+')).subarray(1);
      const key = parsePublicKey(der);
      assert.equal(key.type, 'ecdsa-p256');
      assert.equal(createHash('sha256').update(key.spki).digest().subarray(0, 4).toString('hex'), id);
    });
  }
});

describe('parsePrivateKey on the published test keys (ct-sths.json sth_pairs)', () => {
  const pair = sths.sth_pairs.find((p: { test_private_keys_pem?: unknown }) => p.test_private_keys_pem);
  const logKeys: Record<string, string> = {
    m: sths.test_key_sths.find((s: { id: string }) => s.id === 'ctgo-witness-mInit').log.key,
    b: sths.test_key_sths.find((s: { id: string }) => s.id === 'ctgo-witness-bInit').log.key,
  };
  for (const [name, pem] of Object.entries(pair.test_private_keys_pem as Record<string, string>)) {
    it(`${name}: loads (${pem.split('\n')[0]}) as ecdsa-p256 with the listed log ID`, () => {
      const key = parsePrivateKey(pem);
      assert.equal(key.type, 'ecdsa-p256');
      if (logKeys[name]) assert.equal(key.publicKey.spki.toString('base64'), logKeys[name]);
      if (pair.log_ids[name]) {
        assert.equal(createHash('sha256').update(key.publicKey.spki).digest('base64'), pair.log_ids[name]);
      }
    });
  }
});

/** Node KeyObjects exported in every encoding this module accepts. */
function encodings(privateKey: KeyObject, type: KeyType): { desc: string; input: string | Buffer }[] {
  const out: { desc: string; input: string | Buffer }[] = [
    { desc: 'PKCS#8 PEM', input: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    { desc: 'PKCS#8 DER', input: privateKey.export({ type: 'pkcs8', format: 'der' }) },
    { desc: 'PKCS#8 PEM as bytes', input: Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) },
  ];
  if (type === 'ecdsa-p256') {
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    out.push({ desc: 'SEC1 PEM', input: sec1 });
    out.push({ desc: 'SEC1 DER', input: privateKey.export({ type: 'sec1', format: 'der' }) });
    // `openssl ecparam -name prime256v1 -genkey` output: a parameters block, then the key.
    out.push({
      desc: 'EC PARAMETERS + SEC1 PEM',
      input: `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`,
    });
  }
  if (type === 'rsa') {
    out.push({ desc: 'PKCS#1 PEM', input: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string });
    out.push({ desc: 'PKCS#1 DER', input: privateKey.export({ type: 'pkcs1', format: 'der' }) });
  }
  return out;
}

describe('parsePrivateKey / parsePublicKey round trips', () => {
  for (const type of ['ecdsa-p256', 'ed25519', 'rsa'] as const) {
    const key = generatePrivateKey(type);
    for (const enc of encodings(key.key, type)) {
      it(`${type}: loads ${enc.desc} as the same key`, () => {
        const got = parsePrivateKey(enc.input);
        assert.equal(got.type, type);
        assert.deepEqual(got.publicKey.spki, key.publicKey.spki);
      });
    }
    it(`${type}: exportPrivateKeyPem gives PKCS#8 PEM that loads back`, () => {
      const pem = exportPrivateKeyPem(key);
      assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.deepEqual(parsePrivateKey(pem).publicKey.spki, key.publicKey.spki);
      assert.deepEqual(parsePrivateKey(exportPrivateKeyDer(key)).publicKey.spki, key.publicKey.spki);
    });
    it(`${type}: exportPublicKeyPem gives SPKI PEM with 64-column lines that loads back`, () => {
      const pem = exportPublicKeyPem(key.publicKey);
      assert.ok(pem.split('\n').every((l) => l.length <= 64));
      assert.deepEqual(parsePublicKey(pem).spki, key.publicKey.spki);
    });
  }

  it('rsa: loads an "RSA PUBLIC KEY" (PKCS#1) PEM', () => {
    const key = generatePrivateKey('rsa');
    const pkcs1 = key.publicKey.key.export({ type: 'pkcs1', format: 'pem' }) as string;
    assert.deepEqual(parsePublicKey(pkcs1).spki, key.publicKey.spki);
  });
});

describe('key type checks', () => {
  const spkiOf = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  const pkcs8Of = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
  const cases: { desc: string; pair: () => { publicKey: KeyObject; privateKey: KeyObject }; code: KeyErrorCode }[] = [
    { desc: 'ECDSA P-384', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), code: 'WRONG_CURVE' },
    { desc: 'ECDSA P-521', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-521' }), code: 'WRONG_CURVE' },
    { desc: 'ECDSA secp256k1', pair: () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }), code: 'WRONG_CURVE' },
    { desc: 'RSA 1024', pair: () => generateKeyPairSync('rsa', { modulusLength: 1024 }), code: 'WEAK_KEY' },
    { desc: 'RSA-PSS', pair: () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 }), code: 'UNSUPPORTED_KEY' },
    { desc: 'X25519', pair: () => generateKeyPairSync('x25519'), code: 'UNSUPPORTED_KEY' },
    { desc: 'Ed448', pair: () => generateKeyPairSync('ed448'), code: 'UNSUPPORTED_KEY' },
    { desc: 'DSA', pair: () => generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }), code: 'UNSUPPORTED_KEY' },
  ];
  for (const tc of cases) {
    it(`rejects a ${tc.desc} public key with KeyError ${tc.code}`, () =>
      assertThrowsCode(() => parsePublicKey(spkiOf(tc.pair().publicKey)), KeyError, tc.code));
    it(`rejects a ${tc.desc} private key with KeyError ${tc.code}`, () =>
      assertThrowsCode(() => parsePrivateKey(pkcs8Of(tc.pair().privateKey)), KeyError, tc.code));
  }
  it('accepts an RSA key with public exponent 3 (odd and ≥ 3)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    assert.equal(parsePublicKey(spkiOf(publicKey)).type, 'rsa');
  });
});

describe('malformed and misused key inputs', () => {
  const ec = generatePrivateKey('ecdsa-p256');
  const spki = ec.publicKey.spki;
  const sec1Pem = ec.key.export({ type: 'sec1', format: 'pem' }) as string;
  const pkcs8Pem = exportPrivateKeyPem(ec);
  const pubPem = exportPublicKeyPem(ec.publicKey);

  const publicCases: { desc: string; input: string | Buffer; code: KeyErrorCode }[] = [
    { desc: 'an SPKI with a trailing byte', input: Buffer.concat([spki, Buffer.of(0)]), code: 'MALFORMED_KEY' },
    { desc: 'a truncated SPKI', input: spki.subarray(0, -1), code: 'MALFORMED_KEY' },
    {
      desc: 'a non-canonical (long-form length) SPKI that OpenSSL accepts',
      input: Buffer.concat([Buffer.of(0x30, 0x81, spki[1]), spki.subarray(2)]),
      code: 'MALFORMED_KEY',
    },
    { desc: 'random bytes', input: Buffer.from('not a key at all'), code: 'MALFORMED_KEY' },
    { desc: 'a string that is neither PEM nor base64', input: 'hello world!', code: 'MALFORMED_KEY' },
    { desc: 'an empty string', input: '', code: 'MALFORMED_KEY' },
    { desc: 'a PKCS#8 private key PEM', input: pkcs8Pem, code: 'WRONG_KEY_KIND' },
    { desc: 'a SEC1 private key PEM', input: sec1Pem, code: 'WRONG_KEY_KIND' },
    { desc: 'PKCS#8 private key DER', input: exportPrivateKeyDer(ec), code: 'WRONG_KEY_KIND' },
    { desc: 'a CERTIFICATE PEM', input: encodePem('CERTIFICATE', spki), code: 'UNSUPPORTED_KEY' },
    { desc: 'PEM with mismatched END label', input: pubPem.replace('END PUBLIC KEY', 'END PRIVATE KEY'), code: 'MALFORMED_KEY' },
    { desc: 'PEM without an END line', input: pubPem.split('-----END')[0], code: 'MALFORMED_KEY' },
    { desc: 'PEM with a bad base64 body', input: pubPem.replace(/\n[A-Za-z0-9]/, '\n!'), code: 'MALFORMED_KEY' },
    { desc: 'two PEM keys', input: pubPem + pubPem, code: 'MALFORMED_KEY' },
    { desc: 'a PEM with RFC 1421 headers', input: pubPem.replace('-----\n', '-----\nComment: hi\n\n'), code: 'MALFORMED_KEY' },
  ];
  for (const tc of publicCases) {
    it(`parsePublicKey rejects ${tc.desc} with KeyError ${tc.code}`, () =>
      assertThrowsCode(() => parsePublicKey(tc.input), KeyError, tc.code));
  }

  const encrypted = ec.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
  const legacyEncrypted = ec.key.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
  const privateCases: { desc: string; input: string | Buffer; code: KeyErrorCode }[] = [
    { desc: 'an encrypted PKCS#8 PEM', input: encrypted, code: 'ENCRYPTED_KEY' },
    {
      desc: 'an encrypted PKCS#8 DER',
      input: ec.key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      code: 'ENCRYPTED_KEY',
    },
    { desc: 'a legacy Proc-Type: 4,ENCRYPTED PEM', input: legacyEncrypted, code: 'ENCRYPTED_KEY' },
    { desc: 'a public key PEM', input: pubPem, code: 'WRONG_KEY_KIND' },
    { desc: 'public key DER', input: spki, code: 'WRONG_KEY_KIND' },
    { desc: 'PKCS#8 DER with a trailing byte', input: Buffer.concat([exportPrivateKeyDer(ec), Buffer.of(0)]), code: 'MALFORMED_KEY' },
    { desc: 'random bytes', input: Buffer.from('0123456789'), code: 'MALFORMED_KEY' },
    {
      desc: 'an "EC PRIVATE KEY" PEM holding PKCS#8 of an Ed25519 key',
      input: encodePem('EC PRIVATE KEY', exportPrivateKeyDer(generatePrivateKey('ed25519'))),
      code: 'MALFORMED_KEY',
    },
    {
      desc: 'only an EC PARAMETERS block',
      input: '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n',
      code: 'MALFORMED_KEY',
    },
    { desc: 'an OPENSSH PRIVATE KEY PEM', input: encodePem('OPENSSH PRIVATE KEY', Buffer.from('openssh-key-v1')), code: 'UNSUPPORTED_KEY' },
  ];
  for (const tc of privateCases) {
    it(`parsePrivateKey rejects ${tc.desc} with KeyError ${tc.code}`, () =>
      assertThrowsCode(() => parsePrivateKey(tc.input), KeyError, tc.code));
  }

  it('publicKeyFromKeyObject rejects a private KeyObject with WRONG_KEY_KIND', () =>
    assertThrowsCode(() => publicKeyFromKeyObject(ec.key), KeyError, 'WRONG_KEY_KIND'));

  it('ignores explanatory text around a PEM block (RFC 7468 §2)', () =>
    assert.deepEqual(parsePublicKey(`my log key:\n${pubPem}\nthanks`).spki, spki));

  it('accepts CRLF line endings', () => assert.deepEqual(parsePublicKey(pubPem.replaceAll('\n', '\r\n')).spki, spki));
});

describe('Ed25519 raw keys', () => {
  it('round-trips the 32-byte RFC 8032 key through SPKI', () => {
    const key = generatePrivateKey('ed25519').publicKey;
    const raw = ed25519PublicKeyBytes(key);
    assert.equal(raw.length, 32);
    assert.deepEqual(ed25519PublicKeyFromBytes(raw).spki, key.spki);
  });
  it('rejects a 31-byte key with MALFORMED_KEY', () =>
    assertThrowsCode(() => ed25519PublicKeyFromBytes(Buffer.alloc(31)), KeyError, 'MALFORMED_KEY'));
  it('refuses to give raw bytes of an ECDSA key with UNSUPPORTED_KEY', () =>
    assertThrowsCode(() => ed25519PublicKeyBytes(generatePrivateKey('ecdsa-p256').publicKey), KeyError, 'UNSUPPORTED_KEY'));
});
