import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { encodeSct, encodeSctList, encodeSctSignatureInput, type SignedEntry } from '../../../src/codec/index.ts';
import { generatePrivateKey, type PrivateKey, signDigitallySigned, signerFromPrivateKey } from '../../../src/crypto/index.ts';
import { forkEvidence, formatEvidence, rfc6962Log, sthHead } from '../../../src/evidence/index.ts';
import {
  type DiscardReason,
  FRESHNESS_WINDOW_MS,
  LogRegistry,
  parseCtLogListV3,
  type ValidationContext,
  validateGossipData,
} from '../../../src/gossip/validate/index.ts';
import { formatNote, rfc6962NoteSignature } from '../../../src/note/index.ts';
import { type DemoSet, mintDemoSet } from '../../../src/x509/testca/index.ts';
import { b64 } from '../../codec/testing.ts';
import { loadTestdata } from '../../testdata.ts';
import { CT_STHS, fixtureRegistry, hexLogId, LOG_LIST_TEXT, signedSthJson, sthCaseJson, TEST_KEYS } from '../fixtures.ts';

const HOUR = 3_600_000;
const ctx = (nowMs: number, logs = fixtureRegistry()): ValidationContext => ({
  logs,
  nowMs,
  maxAgeMs: FRESHNESS_WINDOW_MS,
  maxFutureMs: 10 * 60_000,
});
const hexOf = (b64id: string) => b64(b64id).toString('hex');

function expectDiscard(v: ReturnType<typeof validateGossipData>, reason: DiscardReason): void {
  assert.equal(v.ok, false, 'want a discard, got ok');
  if (!v.ok) assert.equal(v.reason, reason, v.detail);
}

describe('validateGossipData: RFC 6962 STHs', () => {
  for (const c of CT_STHS.real_log_sths) {
    it(`accepts the real STH ${c.id} at its own time, with its head`, () => {
      const v = validateGossipData(hexOf(c.log.log_id), sthCaseJson(c), ctx(c.sth.timestamp + HOUR));
      assert.ok(v.ok, v.ok ? '' : v.detail);
      assert.equal(v.value.kind, 'rfc6962-sth');
      assert.equal(v.value.head?.size, c.sth.tree_size);
      assert.deepEqual(v.value.head?.rootHash, b64(c.sth.sha256_root_hash));
      assert.equal(v.value.head?.timestampMs, c.sth.timestamp);
    });
  }

  it('accepts the original draft sth-pollination STHs (with sth_version and log_id)', () => {
    for (const sth of CT_STHS.sth_pollination_request.body.sths) {
      const v = validateGossipData(hexOf(sth.log_id), Buffer.from(JSON.stringify(sth)), ctx(sth.timestamp + HOUR));
      assert.ok(v.ok, v.ok ? '' : v.detail);
    }
  });

  const negatives: Record<string, DiscardReason> = {
    'ctgo-logclient-trailingjunk': 'malformed',
    'ctgo-gossip-aviator-badsig': 'malformed',
    'derived-aviator-final-size+1': 'bad-signature',
    'derived-aviator-final-timestamp+1': 'bad-signature',
    'derived-aviator-final-root-bitflip': 'bad-signature',
  };
  it('discards the unknown-log case under its claimed log id (unknown-log), and with that log_id inside under the real log (wrong-log)', () => {
    const c = CT_STHS.negative_sths.find((x: { id: string }) => x.id === 'ctgo-gossip-unknownlog');
    expectDiscard(validateGossipData(hexOf(c.pollination_log_id), sthCaseJson(c), ctx(c.sth.timestamp)), 'unknown-log');
    const withId = Buffer.from(JSON.stringify({ ...c.sth, sth_version: 0, log_id: c.pollination_log_id }));
    expectDiscard(validateGossipData(hexOf(c.log.log_id), withId, ctx(c.sth.timestamp)), 'wrong-log');
  });

  for (const c of CT_STHS.negative_sths.filter((x: { id: string }) => x.id !== 'ctgo-gossip-unknownlog')) {
    it(`discards ${c.id} as ${negatives[c.id]}`, () => {
      expectDiscard(validateGossipData(hexOf(c.log.log_id), Buffer.from(JSON.stringify(c.sth)), ctx(c.sth.timestamp)), negatives[c.id]);
    });
  }

  it('discards an STH under a log id no one knows (unknown-log)', () => {
    const c = CT_STHS.real_log_sths[0];
    expectDiscard(validateGossipData('00'.repeat(32), sthCaseJson(c), ctx(c.sth.timestamp)), 'unknown-log');
  });

  it("discards a real STH sent under another known log's id (bad-signature)", () => {
    const [a, b] = CT_STHS.real_log_sths;
    expectDiscard(validateGossipData(hexOf(b.log.log_id), sthCaseJson(a), ctx(a.sth.timestamp)), 'bad-signature');
  });

  it('discards an STH 14 days old (stale) and one from the future, and keeps one 14 days minus 1 ms old', () => {
    const c = CT_STHS.real_log_sths[0];
    const id = hexOf(c.log.log_id);
    expectDiscard(validateGossipData(id, sthCaseJson(c), ctx(c.sth.timestamp + FRESHNESS_WINDOW_MS + 1)), 'stale');
    assert.ok(validateGossipData(id, sthCaseJson(c), ctx(c.sth.timestamp + FRESHNESS_WINDOW_MS)).ok);
    expectDiscard(validateGossipData(id, sthCaseJson(c), ctx(c.sth.timestamp - 11 * 60_000)), 'future');
  });

  it('discards JSON of no known kind (unknown-kind) and broken JSON (malformed)', () => {
    const id = hexLogId(TEST_KEYS.m);
    expectDiscard(validateGossipData(id, Buffer.from('{"hello":1}'), ctx(0)), 'unknown-kind');
    expectDiscard(validateGossipData(id, Buffer.from('{"tree_head_signature":'), ctx(0)), 'malformed');
    expectDiscard(validateGossipData(id, Buffer.from('{"tree_head_signature":"AAAA"}'), ctx(0)), 'malformed');
  });
});

describe('validateGossipData: checkpoints', () => {
  const notes = loadTestdata('signed-notes.json').cases as { id: string; vkeys: string[]; note: string; expect: string }[];
  const sumdb = notes.find((c) => c.id === 'sumdb-6476701');
  const wrongKey = notes.find((c) => c.id === 'sumdb-wrong-brief-key');
  const origin = 'go.sum database tree';

  it('accepts a real sum.golang.org checkpoint with the real key', () => {
    assert.ok(sumdb);
    const logs = new LogRegistry([{ name: 'sumdb', origin, vkeys: sumdb.vkeys }]);
    const log = [...logs][0];
    const v = validateGossipData(log.id, Buffer.from(sumdb.note), ctx(Date.now(), logs));
    assert.ok(v.ok, v.ok ? '' : v.detail);
    assert.equal(v.value.kind, 'checkpoint');
    assert.equal(v.value.head?.size, 6476701);
    assert.equal(v.value.head?.timestampMs, null);
  });

  it('discards a real checkpoint signed by no key of the log (bad-signature)', () => {
    assert.ok(sumdb && wrongKey);
    const peter = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    const logs = new LogRegistry([{ name: 'sumdb', origin, vkeys: [peter] }]);
    expectDiscard(validateGossipData([...logs][0].id, Buffer.from(sumdb.note), ctx(0, logs)), 'bad-signature');
  });

  it('discards a checkpoint of another origin signed by the log key (wrong-log)', () => {
    assert.ok(sumdb);
    const logs = new LogRegistry([{ name: 'x', origin: 'another origin', vkeys: sumdb.vkeys }]);
    expectDiscard(validateGossipData([...logs][0].id, Buffer.from(sumdb.note), ctx(0, logs)), 'wrong-log');
  });

  it('accepts a CT STH as an RFC 6962 note (0x05) of a tiled log, as the same head, and ages it by its timestamp', () => {
    const logs = new LogRegistry(parseCtLogListV3(LOG_LIST_TEXT));
    const origin = 'm.ct.grapevine.test/2026h1';
    const now = Date.UTC(2026, 1, 1);
    const { sth } = signedSthJson(TEST_KEYS.m, { size: 8, root: createHash('sha256').update('r').digest(), timestamp: now - HOUR });
    const text = `${origin}\n8\n${sth.sha256RootHash.toString('base64')}\n`;
    const note = formatNote({
      text,
      signatures: [rfc6962NoteSignature(origin, TEST_KEYS.m.publicKey.spki, sth.timestamp, sth.treeHeadSignature)],
    });
    const v = validateGossipData(hexLogId(TEST_KEYS.m), Buffer.from(note), ctx(now, logs));
    assert.ok(v.ok, v.ok ? '' : v.detail);
    assert.equal(v.value.log.id, hexLogId(TEST_KEYS.m));
    assert.equal(v.value.head?.timestampMs, sth.timestamp);
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.m), Buffer.from(note), ctx(now + FRESHNESS_WINDOW_MS, logs)), 'stale');
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.m), Buffer.from(note.replace('\n8\n', '\n9\n')), ctx(now, logs)), 'bad-signature');
  });

  it('discards a note that does not parse (malformed)', () => {
    assert.ok(sumdb);
    const logs = new LogRegistry([{ name: 'sumdb', origin, vkeys: sumdb.vkeys }]);
    expectDiscard(validateGossipData([...logs][0].id, Buffer.from('not a note'), ctx(0, logs)), 'malformed');
  });
});

describe('validateGossipData: SCTs with their chain (RFC 6962 §3.2)', () => {
  let demo: DemoSet;
  const now = Date.now();
  before(async () => {
    demo = await mintDemoSet('ecdsa-p256', now);
  });

  /** sct_feedback gossip-data with one SCT by test log m over `entry`, chain as PEM or base64 DER. */
  function feedback(chain: readonly Buffer[], entry: SignedEntry, opts: { pem?: boolean; timestamp?: number } = {}): Buffer {
    const timestamp = opts.timestamp ?? now - 1000;
    const extensions = Buffer.alloc(0);
    const signature = signDigitallySigned(
      signerFromPrivateKey(TEST_KEYS.m),
      encodeSctSignatureInput({ timestamp, signedEntry: entry, extensions }),
    );
    const sct = encodeSct({ logId: Buffer.from(hexLogId(TEST_KEYS.m), 'hex'), timestamp, extensions, signature });
    const toText = (der: Buffer) =>
      opts.pem
        ? `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`
        : der.toString('base64');
    return Buffer.from(JSON.stringify({ x509_chain: chain.map(toText), sct_data_v1: encodeSctList([sct]).toString('base64') }));
  }

  it('accepts an x509_entry SCT over the leaf, chain in PEM and in base64 DER', () => {
    const chain = [demo.leaf.der, demo.intermediate.der];
    for (const pem of [true, false]) {
      const v = validateGossipData(
        hexLogId(TEST_KEYS.m),
        feedback(chain, { entryType: 'x509_entry', certificate: demo.leaf.der }, { pem }),
        ctx(now),
      );
      assert.ok(v.ok, v.ok ? '' : v.detail);
      assert.equal(v.value.kind, 'sct');
    }
  });

  it('accepts a precert_entry SCT over a precertificate (issuer key hash, TBS without poison)', async () => {
    const { parseCertificate, precertTbs } = await import('../../../src/x509/index.ts');
    const entry: SignedEntry = {
      entryType: 'precert_entry',
      issuerKeyHash: createHash('sha256').update(parseCertificate(demo.intermediate.der).spki).digest(),
      tbsCertificate: precertTbs(parseCertificate(demo.precert.der)),
    };
    const v = validateGossipData(hexLogId(TEST_KEYS.m), feedback([demo.precert.der, demo.intermediate.der], entry), ctx(now));
    assert.ok(v.ok, v.ok ? '' : v.detail);
  });

  it('accepts an SCT embedded in the final certificate (RFC 6962 §3.3: the precert entry, TBS without the SCT list)', async () => {
    const x509 = await import('@peculiar/x509');
    const { mintLeaf, mintPrecert } = await import('../../../src/x509/testca/index.ts');
    const { embeddedSctTbs, OID_CT_SCT_LIST, parseCertificate, precertTbs } = await import('../../../src/x509/index.ts');
    const spec = { dnsNames: ['embedded.grapevine.test'], notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) };
    const first = await mintLeaf(demo.intermediate, spec);
    const fixed = { ...spec, keys: first.keys, keyType: first.keyType, serialNumber: first.cert.serialNumber };
    const precert = await mintPrecert(demo.intermediate, fixed);
    const entry: SignedEntry = {
      entryType: 'precert_entry',
      issuerKeyHash: createHash('sha256').update(parseCertificate(demo.intermediate.der).spki).digest(),
      tbsCertificate: precertTbs(parseCertificate(precert.der)),
    };
    const timestamp = now - 500;
    const extensions = Buffer.alloc(0);
    const signature = signDigitallySigned(
      signerFromPrivateKey(TEST_KEYS.m),
      encodeSctSignatureInput({ timestamp, signedEntry: entry, extensions }),
    );
    const list = encodeSctList([encodeSct({ logId: Buffer.from(hexLogId(TEST_KEYS.m), 'hex'), timestamp, extensions, signature })]);
    // extnValue: an OCTET STRING holding the TLS SignedCertificateTimestampList (§3.3).
    const len = list.length < 128 ? [list.length] : list.length < 256 ? [0x81, list.length] : [0x82, list.length >> 8, list.length & 0xff];
    const octets = Buffer.concat([Buffer.from([0x04, ...len]), list]);
    const final = await mintLeaf(demo.intermediate, { ...fixed, extraExtensions: [new x509.Extension(OID_CT_SCT_LIST, false, octets)] });
    assert.deepEqual(
      embeddedSctTbs(parseCertificate(final.der)),
      entry.tbsCertificate,
      'the final TBS without the SCT list is the precert TBS without poison',
    );
    const data = Buffer.from(
      JSON.stringify({
        x509_chain: [final.der, demo.intermediate.der].map((d) => d.toString('base64')),
        sct_data_v1: list.toString('base64'),
      }),
    );
    const v = validateGossipData(hexLogId(TEST_KEYS.m), data, ctx(now));
    assert.ok(v.ok, v.ok ? '' : v.detail);
    // Without its issuer the embedded SCT cannot be checked.
    const alone = Buffer.from(JSON.stringify({ x509_chain: [final.der.toString('base64')], sct_data_v1: list.toString('base64') }));
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.m), alone, ctx(now)), 'bad-signature');
  });

  it('discards an SCT over another certificate (bad-signature), one by no SCT of the log (wrong-log), and broken chains (malformed)', () => {
    const id = hexLogId(TEST_KEYS.m);
    const other = feedback([demo.leaf.der], { entryType: 'x509_entry', certificate: demo.intermediate.der });
    expectDiscard(validateGossipData(id, other, ctx(now)), 'bad-signature');
    const good = feedback([demo.leaf.der], { entryType: 'x509_entry', certificate: demo.leaf.der });
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.b), good, ctx(now)), 'wrong-log');
    const j = JSON.parse(good.toString());
    expectDiscard(validateGossipData(id, Buffer.from(JSON.stringify({ ...j, x509_chain: [] })), ctx(now)), 'malformed');
    expectDiscard(validateGossipData(id, Buffer.from(JSON.stringify({ ...j, x509_chain: ['AAAA'] })), ctx(now)), 'malformed');
    expectDiscard(validateGossipData(id, Buffer.from(JSON.stringify({ ...j, sct_data_v1: 'AA==' })), ctx(now)), 'malformed');
    expectDiscard(
      validateGossipData(id, Buffer.from(JSON.stringify({ ...j, x509_chain: [demo.precert.der.toString('base64')] })), ctx(now)),
      'malformed',
    );
  });
});

describe('validateGossipData: evidence documents (src/evidence)', () => {
  const now = Date.UTC(2026, 1, 1);
  const root = (t: string) => createHash('sha256').update(t).digest();
  const seen = { by: 'test', atMs: now };

  function fork(key: PrivateKey) {
    const a = signedSthJson(key, { size: 10, root: root('a'), timestamp: now - 20 * 86_400_000 }).sth;
    const b = signedSthJson(key, { size: 10, root: root('b'), timestamp: now }).sth;
    const log = rfc6962Log({ spki: key.publicKey.spki, logId: hexLogId(key) });
    return Buffer.from(formatEvidence(forkEvidence({ log, by: 'test', atMs: now, heads: [sthHead(a, seen), sthHead(b, seen)] })));
  }

  it('accepts a fork of a known log, at any age of its heads', () => {
    const v = validateGossipData(hexLogId(TEST_KEYS.m), fork(TEST_KEYS.m), ctx(now + 365 * 86_400_000));
    assert.ok(v.ok, v.ok ? '' : v.detail);
    assert.equal(v.value.kind, 'evidence');
  });

  it("discards evidence about another log (wrong-log) and a fork signed by a key that is not the log's", () => {
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.b), fork(TEST_KEYS.m), ctx(now)), 'wrong-log');
    // A stranger's key makes a "fork" of its own log: under our log's id it names another log.
    const stranger = generatePrivateKey('ecdsa-p256');
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.m), fork(stranger), ctx(now)), 'wrong-log');
    // The same document claiming to be about m, with the stranger's inline key: not signed by m's key.
    const doc = JSON.parse(fork(stranger).toString());
    doc.log.id = hexLogId(TEST_KEYS.m);
    expectDiscard(validateGossipData(hexLogId(TEST_KEYS.m), Buffer.from(JSON.stringify(doc)), ctx(now)), 'bad-signature');
  });

  it('discards a document that does not parse (malformed)', () => {
    expectDiscard(
      validateGossipData(hexLogId(TEST_KEYS.m), Buffer.from('{"format":"grapevine-evidence","version":1}'), ctx(now)),
      'malformed',
    );
  });
});
