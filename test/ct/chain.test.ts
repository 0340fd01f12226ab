/**
 * The certification path (src/personalities/ct/chain.ts): names are matched up to an accepted root before any
 * signature is verified, signatures are verified from the root down, and keys outside the limits are refused
 * before use. Verifications are counted through the testingOnlyOnVerify hook, never timed.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { type AdmissionPolicy, admitChain, CertificateCache, RootStore } from '../../src/personalities/ct/index.ts';
import { type ParsedCertificate, parseCertificate } from '../../src/x509/index.ts';
import type { DemoSet } from '../../src/x509/testca/index.ts';
import { ECDSA_WITH_SHA256, forgeCertificate, oddNumber, rsaSpki } from '../x509/forge.ts';
import { assertCtError, demoSet } from './fixtures.ts';

const NOW = Date.now();
const E65537 = Buffer.from([1, 0, 1]);

describe('certification path', () => {
  let d: DemoSet;
  let rootName: Buffer;
  const verified: [string, string][] = [];
  const policy = (extra: Partial<AdmissionPolicy> = {}): AdmissionPolicy => ({
    roots: new RootStore([d.root.der]),
    maxChainLength: 12,
    testingOnlyOnVerify: (child: ParsedCertificate, issuer: ParsedCertificate) => verified.push([child.subjectText, issuer.subjectText]),
    ...extra,
  });
  const count = (f: () => void): number => {
    verified.length = 0;
    f();
    return verified.length;
  };

  /** chain[0] issued by "Hostile 1", chain[i] = "Hostile i" issued by "Hostile i+1", the last issued by `top`. */
  function hostileChain(n: number, spki: (i: number) => Buffer, top: string | Buffer, lastSigned?: (tbs: Buffer) => Buffer): Buffer[] {
    return Array.from({ length: n }, (_, i) =>
      forgeCertificate({
        subject: i === 0 ? 'hostile.example' : `Hostile ${i}`,
        issuer: i === n - 1 ? top : `Hostile ${i + 1}`,
        spki: spki(i),
        ca: i > 0,
        ...(i === n - 1 && lastSigned ? { algorithm: ECDSA_WITH_SHA256, sign: lastSigned } : {}),
      }),
    );
  }

  before(async () => {
    d = await demoSet();
    rootName = parseCertificate(d.root.der).subject;
  });

  describe('a chain under no accepted root (issue 9 #2)', () => {
    it('ten certificates with 3072-bit RSA keys and ~3072-bit exponents: UNKNOWN_ROOT before any verification', () => {
      const modulus = oddNumber(3072);
      const chain = hostileChain(10, () => rsaSpki(modulus, oddNumber(3070)), 'Nobody Root');
      assert.equal(
        count(() => assertCtError(() => admitChain('x509_entry', chain, policy(), NOW), 'UNKNOWN_ROOT')),
        0,
      );
    });

    it('ten certificates with ordinary keys: UNKNOWN_ROOT before any verification', () => {
      const chain = hostileChain(10, () => rsaSpki(oddNumber(2048), E65537), 'Nobody Root');
      assert.equal(
        count(() => assertCtError(() => admitChain('x509_entry', chain, policy(), NOW), 'UNKNOWN_ROOT')),
        0,
      );
    });
  });

  describe('a forged chain that names an accepted root', () => {
    it('with a ~3072-bit exponent in one of its keys: UNSUPPORTED_KEY before any verification', () => {
      const chain = hostileChain(
        10,
        (i) => (i === 5 ? rsaSpki(oddNumber(3072), oddNumber(3070)) : rsaSpki(oddNumber(2048), E65537)),
        rootName,
      );
      assert.equal(
        count(() => assertCtError(() => admitChain('x509_entry', chain, policy(), NOW), 'UNSUPPORTED_KEY')),
        0,
      );
    });

    it('with keys inside the limits: one verification, with the root’s key, then BAD_SIGNATURE', () => {
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const chain = hostileChain(
        10,
        () => rsaSpki(oddNumber(2048), E65537),
        rootName,
        (tbs) => sign('sha256', tbs, stranger),
      );
      assert.equal(
        count(() => assertCtError(() => admitChain('x509_entry', chain, policy(), NOW), 'BAD_SIGNATURE')),
        1,
      );
      assert.deepEqual(verified, [['CN=Hostile 9', parseCertificate(d.root.der).subjectText]]);
    });
  });

  describe('an honest chain', () => {
    it('is verified from the root down, once per link, and a remembered CA link is not verified again', () => {
      const p = policy({ certificates: new CertificateCache() });
      assert.equal(
        count(() => admitChain('x509_entry', [d.leaf.der, d.intermediate.der], p, NOW)),
        2,
      );
      const [leaf, inter, root] = [d.leaf, d.intermediate, d.root].map((c) => parseCertificate(c.der).subjectText);
      assert.deepEqual(verified, [
        [inter, root],
        [leaf, inter],
      ]);
      assert.equal(
        count(() => admitChain('precert_entry', [d.signedPrecert.der, d.precertSigner.der, d.intermediate.der], p, NOW)),
        2,
        'psc ← intermediate and precert ← psc; intermediate ← root is remembered',
      );
    });
  });

  describe('an accepted root as the end-entity certificate (RFC 6962 §4.1, RFC 5280 §6.1)', () => {
    it('is refused with ROOT_AS_END_ENTITY, alone or followed by more certificates', () => {
      assertCtError(() => admitChain('x509_entry', [d.root.der], policy(), NOW), 'ROOT_AS_END_ENTITY');
      assertCtError(() => admitChain('x509_entry', [d.root.der, d.root.der], policy(), NOW), 'ROOT_AS_END_ENTITY');
      assertCtError(() => admitChain('precert_entry', [d.root.der], policy(), NOW), 'NOT_A_PRECERT');
    });

    it('still accepts a CA certificate under an accepted root as the end entity', () => {
      assert.equal(admitChain('x509_entry', [d.intermediate.der], policy(), NOW).chain.length, 2);
    });
  });
});
