/**
 * One certificate, one entry (issue 9 #3): certificates must be DER, so the bytes outside the signature have
 * one encoding; identity is the certificate an SCT signs (ARCHITECTURE.md, CT log, "Identity").
 */
import assert from 'node:assert/strict';
import { KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { encodeSctSignatureInput } from '../../src/codec/index.ts';
import { verifyDigitallySigned } from '../../src/crypto/index.ts';
import { type AdmissionPolicy, admitChain, CtError, RootStore } from '../../src/personalities/ct/index.ts';
import { parseCertificate, verifyIssuedBy } from '../../src/x509/index.ts';
import type { DemoSet } from '../../src/x509/testca/index.ts';
import { assertRejectsCode } from '../support/assert-code.ts';
import { longFormOuterLength, rewriteEcdsaSignature, tbsOf, withTbs } from '../x509/forge.ts';
import { assertCtError, demoSet, drain, newCtLog, type TestLog } from './fixtures.ts';

const NOW = Date.now();
const IP = { quotaUser: 'ip:192.0.2.1' };

describe('one certificate, one entry (issue 9 #3)', () => {
  let d: DemoSet;
  let policy: AdmissionPolicy;
  before(async () => {
    d = await demoSet();
    policy = { roots: new RootStore([d.root.der]), maxChainLength: 5 };
  });

  describe('BER re-encodings', () => {
    it('refuses a certificate whose outer SEQUENCE length is not in the fewest octets with NOT_DER', () => {
      const ber = longFormOuterLength(d.leaf.der);
      assert.notDeepEqual(ber, d.leaf.der);
      assert.ok(parseCertificate(ber, { checkDer: false }), 'the same certificate, read as BER');
      assertCtError(() => admitChain('x509_entry', [ber, d.intermediate.der], policy, NOW), 'NOT_DER');
      assertCtError(() => admitChain('x509_entry', [d.leaf.der, longFormOuterLength(d.intermediate.der)], policy, NOW), 'NOT_DER');
      assertCtError(() => admitChain('precert_entry', [longFormOuterLength(d.precert.der), d.intermediate.der], policy, NOW), 'NOT_DER');
    });

    it('refuses a certificate whose signed TBSCertificate is BER (BOOLEAN TRUE as 0x01) with NOT_DER', () => {
      const tbs = Buffer.from(tbsOf(d.leaf.der));
      const at = tbs.indexOf(Buffer.from('0603551d130101ff', 'hex'));
      assert.ok(at > 0);
      tbs[at + 7] = 0x01;
      const key = KeyObject.from(d.intermediate.keys.privateKey);
      const ber = withTbs(d.leaf.der, tbs, (t) => sign('sha256', t, key));
      // Validly signed by the intermediate: refused for its encoding alone.
      verifyIssuedBy(parseCertificate(ber, { checkDer: false }), parseCertificate(d.intermediate.der));
      assertCtError(() => admitChain('x509_entry', [ber, d.intermediate.der], policy, NOW), 'NOT_DER');
    });
  });

  describe('an ECDSA signature rewritten as (r, n − s)', () => {
    it('is another valid certificate with its own identity, and the family has two members', () => {
      const twin = rewriteEcdsaSignature(d.leaf.der, 'negate-s');
      const a = admitChain('x509_entry', [d.leaf.der, d.intermediate.der], policy, NOW);
      const b = admitChain('x509_entry', [twin, d.intermediate.der], policy, NOW);
      assert.notDeepEqual(a.identityHash, b.identityHash);
      assert.ok(b.signedEntry.entryType === 'x509_entry' && b.signedEntry.certificate.equals(twin), 'the twin is logged as submitted');
      assert.deepEqual(rewriteEcdsaSignature(twin, 'negate-s'), d.leaf.der, 'n − (n − s) = s: no third signature value');
      // Any other encoding of either value is refused: OpenSSL verifies DER ECDSA-Sig-Values only.
      assertCtError(
        () => admitChain('x509_entry', [rewriteEcdsaSignature(d.leaf.der, 'pad-r'), d.intermediate.der], policy, NOW),
        'BAD_SIGNATURE',
      );
      assertCtError(
        () => admitChain('x509_entry', [rewriteEcdsaSignature(twin, 'pad-r'), d.intermediate.der], policy, NOW),
        'BAD_SIGNATURE',
      );
    });

    it('does not change the identity of a precertificate, whose signature the SCT does not cover', () => {
      const twin = rewriteEcdsaSignature(d.precert.der, 'negate-s');
      const a = admitChain('precert_entry', [d.precert.der, d.intermediate.der], policy, NOW);
      const b = admitChain('precert_entry', [twin, d.intermediate.der], policy, NOW);
      assert.deepEqual(a.identityHash, b.identityHash);
    });
  });

  describe('in the log', () => {
    let t: TestLog;
    before(async () => {
      t = await newCtLog();
    });
    after(() => t.close());

    it('stores the certificate and its (r, n − s) twin as two entries, each SCT over its own bytes, and nothing else', async () => {
      const twin = rewriteEcdsaSignature(d.leaf.der, 'negate-s');
      const attempts = [
        d.leaf.der,
        twin,
        d.leaf.der,
        twin,
        longFormOuterLength(d.leaf.der),
        longFormOuterLength(twin),
        rewriteEcdsaSignature(d.leaf.der, 'pad-r'),
      ];
      const scts = [];
      for (const leaf of attempts) {
        try {
          scts.push({ leaf, sct: await t.ct.processAddChain('x509_entry', [leaf, d.intermediate.der], IP) });
        } catch (err) {
          assert.ok(err instanceof CtError && (err.code === 'NOT_DER' || err.code === 'BAD_SIGNATURE'), String(err));
        }
      }
      assert.equal(scts.length, 4);
      for (const { leaf, sct } of scts) {
        const input = encodeSctSignatureInput({
          timestamp: sct.timestamp,
          signedEntry: { entryType: 'x509_entry', certificate: leaf },
          extensions: Buffer.alloc(0),
        });
        verifyDigitallySigned(t.signer.publicKey, input, sct.signature);
      }
      await drain(t.seq);
      assert.equal((await t.ct.processGetSth(IP)).treeSize, 2);
      await assertRejectsCode(
        t.ct.processAddChain('x509_entry', [longFormOuterLength(d.leaf.der), d.intermediate.der], IP),
        CtError,
        'NOT_DER',
      );
    });
  });
});
