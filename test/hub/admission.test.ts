/**
 * Pure admission (specs/gossip-hub.md §1.1 steps 1–3, §3.2, §3.3) over the
 * shared vectors: every STH in ct-sths.json and every note in
 * signed-notes.json reaches its expected verdict, with the right HubError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeHubTreeHead, encodeTreeHeadSignature } from '../../src/codec/index.ts';
import { ed25519PublicKeyFromBytes } from '../../src/crypto/index.ts';
import { isError, SetupError } from '../../src/errors.ts';
import {
  admitBlob,
  HubError,
  type HubErrorCode,
  isLater,
  lookupSource,
  makeSource,
  orderKey,
  parseBlob,
  processAddSignedBlobAdmission,
  type TrackedSource,
} from '../../src/hub/index.ts';
import { NoteError, parseNote, parseVkey, SignatureType } from '../../src/note/index.ts';
import { newSigner } from '../support/keys.ts';
import { allSthVectors, ctSths, signedNotes, sourceIdOf, sthSources, sthSubmission } from './fixtures.ts';

function throwsHub(fn: () => unknown, code: HubErrorCode): void {
  assert.throws(fn, (e: unknown) => isError(e, HubError, code), `want HubError ${code}`);
}

const sources = new Map(sthSources().map((s) => [s.id, s]));

describe('processAddSignedBlobAdmission with the ct-sths.json STHs', () => {
  for (const v of allSthVectors) {
    const sub = sthSubmission(v);
    if (v.expect === 'valid') {
      it(`accepts ${v.id} (${v.log.description}) with its real key`, () => {
        const a = processAddSignedBlobAdmission(sources, { sourceId: sub.sourceId, blobData: sub.blob, srcSignature: sub.signature });
        assert.equal(a.parsed.kind, 'RFC6962STH');
        assert.ok(a.parsed.kind === 'RFC6962STH' && a.parsed.treeSize === v.sth.tree_size && a.parsed.timestamp === v.sth.timestamp);
      });
    } else if (v.id === 'ctgo-gossip-unknownlog') {
      it(`rejects ${v.id}: a valid signature offered under an unknown source id is HubError UNKNOWN_SOURCE (404)`, () => {
        // The hub names sources by id, not log_id: the gossiper's claim "this is log BLAHBLAH…" arrives as the id.
        throwsHub(
          () =>
            processAddSignedBlobAdmission(sources, {
              sourceId: (v as unknown as { pollination_log_id: string }).pollination_log_id,
              blobData: sub.blob,
              srcSignature: sub.signature,
            }),
          'UNKNOWN_SOURCE',
        );
        // Under the log that really signed it, the same bytes are a genuine Aviator STH.
        assert.doesNotThrow(() =>
          processAddSignedBlobAdmission(sources, { sourceId: sub.sourceId, blobData: sub.blob, srcSignature: sub.signature }),
        );
      });
    } else {
      it(`rejects ${v.id} with HubError BAD_SIGNATURE (400): ${v.id.startsWith('derived') ? 'mutated tree head' : 'bad signature bytes'}`, () => {
        throwsHub(
          () => processAddSignedBlobAdmission(sources, { sourceId: sub.sourceId, blobData: sub.blob, srcSignature: sub.signature }),
          'BAD_SIGNATURE',
        );
      });
    }
  }

  it('checks the source before the signature: an unknown source is UNKNOWN_SOURCE even with garbage', () => {
    throwsHub(() => lookupSource(sources, 'https://nope.example/'), 'UNKNOWN_SOURCE');
    throwsHub(
      () => processAddSignedBlobAdmission(sources, { sourceId: 'x', blobData: Buffer.from('a'), srcSignature: Buffer.alloc(0) }),
      'UNKNOWN_SOURCE',
    );
  });

  it('checks the signature before the structure: a badly signed 49-byte blob is BAD_SIGNATURE, not BAD_STRUCTURE', () => {
    const v = ctSths.real_log_sths[0];
    throwsHub(() => admitBlob(sources.get(sourceIdOf(v)) as TrackedSource, Buffer.alloc(49), Buffer.alloc(70)), 'BAD_SIGNATURE');
  });
});

describe('parseBlob', () => {
  const signer = newSigner();
  const sth = makeSource({ id: 'ct', kind: 'RFC6962STH', publicKey: signer.publicKey });
  const hub = makeSource({ id: 'hub', kind: 'GOSSIPHUB', publicKey: signer.publicKey });
  const th = encodeTreeHeadSignature({ timestamp: 5, treeSize: 7, sha256RootHash: Buffer.alloc(32, 1) });
  const cases: { desc: string; source: TrackedSource; blob: Buffer; wantErr?: HubErrorCode }[] = [
    { desc: 'RFC6962STH: 50-byte TreeHeadSignature', source: sth, blob: th },
    { desc: 'RFC6962STH: 51 bytes (trailing byte)', source: sth, blob: Buffer.concat([th, Buffer.alloc(1)]), wantErr: 'BAD_STRUCTURE' },
    { desc: 'RFC6962STH: 49 bytes', source: sth, blob: th.subarray(1), wantErr: 'BAD_STRUCTURE' },
    {
      desc: 'RFC6962STH: version 1 (strict reading)',
      source: sth,
      blob: Buffer.concat([Buffer.from([1]), th.subarray(1)]),
      wantErr: 'BAD_STRUCTURE',
    },
    {
      desc: 'RFC6962STH: signature_type certificate_timestamp',
      source: sth,
      blob: Buffer.concat([Buffer.from([0, 0]), th.subarray(2)]),
      wantErr: 'BAD_STRUCTURE',
    },
    { desc: 'GOSSIPHUB: HubTreeHead', source: hub, blob: encodeHubTreeHead({ treeSize: 3, timestamp: 9n, rootHash: Buffer.alloc(32) }) },
    {
      desc: 'GOSSIPHUB: 31-byte root',
      source: hub,
      blob: encodeHubTreeHead({ treeSize: 3, timestamp: 9n, rootHash: Buffer.alloc(31) }),
      wantErr: 'BAD_STRUCTURE',
    },
    {
      desc: 'GOSSIPHUB: trailing byte',
      source: hub,
      blob: Buffer.concat([encodeHubTreeHead({ treeSize: 3, timestamp: 9n, rootHash: Buffer.alloc(32) }), Buffer.alloc(1)]),
      wantErr: 'BAD_STRUCTURE',
    },
  ];
  for (const tc of cases) {
    it(tc.wantErr ? `rejects ${tc.desc} with HubError ${tc.wantErr}` : `accepts ${tc.desc}`, () => {
      if (tc.wantErr) throwsHub(() => parseBlob(tc.source, tc.blob), tc.wantErr);
      else assert.equal(parseBlob(tc.source, tc.blob).kind, tc.source.kind);
    });
  }

  const ed = newSigner('ed25519');
  const notary = makeSource({ id: 'sum.golang.org', kind: 'GONOTARY', publicKey: ed.publicKey });
  const cp = makeSource({ id: 'cp', kind: 'CHECKPOINT', publicKey: ed.publicKey, origin: 'example.org/log' });
  const root = Buffer.alloc(32, 7).toString('base64');
  const noteCases: { desc: string; source: TrackedSource; text: string; wantErr?: HubErrorCode }[] = [
    { desc: 'GONOTARY: three lines', source: notary, text: `go.sum database tree\n5\n${root}\n` },
    { desc: 'GONOTARY: an extension line', source: notary, text: `go.sum database tree\n5\n${root}\nx\n`, wantErr: 'BAD_STRUCTURE' },
    { desc: 'GONOTARY: another origin', source: notary, text: `other\n5\n${root}\n`, wantErr: 'BAD_STRUCTURE' },
    { desc: 'CHECKPOINT: pinned origin with an extension', source: cp, text: `example.org/log\n5\n${root}\next\n` },
    { desc: 'CHECKPOINT: wrong origin', source: cp, text: `example.org/other\n5\n${root}\n`, wantErr: 'BAD_STRUCTURE' },
    { desc: 'CHECKPOINT: no final newline', source: cp, text: `example.org/log\n5\n${root}`, wantErr: 'BAD_STRUCTURE' },
    { desc: 'CHECKPOINT: a control character', source: cp, text: `example.org/log\n5\n${root}\n\u0001\n`, wantErr: 'BAD_STRUCTURE' },
    { desc: 'CHECKPOINT: size with a leading zero', source: cp, text: `example.org/log\n05\n${root}\n`, wantErr: 'BAD_STRUCTURE' },
    {
      desc: 'CHECKPOINT: the whole signed note as blob',
      source: cp,
      text: `example.org/log\n5\n${root}\n\n— x abc=\n`,
      wantErr: 'BAD_STRUCTURE',
    },
  ];
  for (const tc of noteCases) {
    it(tc.wantErr ? `rejects ${tc.desc} with HubError ${tc.wantErr}` : `accepts ${tc.desc}`, () => {
      if (tc.wantErr) throwsHub(() => parseBlob(tc.source, Buffer.from(tc.text)), tc.wantErr);
      else assert.equal(parseBlob(tc.source, Buffer.from(tc.text)).kind, tc.source.kind);
    });
  }
  it('rejects invalid UTF-8 in a note blob with HubError BAD_STRUCTURE', () => {
    throwsHub(() => parseBlob(cp, Buffer.from([0xff, 0x0a])), 'BAD_STRUCTURE');
  });
});

describe('orderKey / isLater (§1.7 entryIsLater)', () => {
  const root = Buffer.alloc(32);
  it('orders tree heads by size, then by their own timestamp', () => {
    const a = orderKey({ kind: 'RFC6962STH', treeSize: 10, timestamp: 5, rootHash: root }, 1n);
    const b = orderKey({ kind: 'RFC6962STH', treeSize: 10, timestamp: 6, rootHash: root }, 0n);
    const c = orderKey({ kind: 'RFC6962STH', treeSize: 9, timestamp: 99, rootHash: root }, 9n);
    assert.ok(isLater(b, a) && !isLater(a, b) && isLater(a, c) && !isLater(a, a));
  });
  it('orders checkpoints by size alone and UNKNOWN blobs by hub timestamp', () => {
    const cp = (n: number) => orderKey({ kind: 'CHECKPOINT', origin: 'o', treeSize: n, rootHash: root }, 0n);
    assert.ok(isLater(cp(2), cp(1)) && !isLater(cp(2), cp(2)));
    assert.ok(isLater(orderKey({ kind: 'UNKNOWN' }, 5n), orderKey({ kind: 'UNKNOWN' }, 4n)));
  });
});

describe('makeSource', () => {
  const ec = newSigner();
  const ed = newSigner('ed25519');
  const cases: { desc: string; spec: Parameters<typeof makeSource>[0] }[] = [
    { desc: 'an empty id', spec: { id: '', kind: 'UNKNOWN', publicKey: ec.publicKey } },
    { desc: 'an id over 1024 bytes', spec: { id: 'x'.repeat(1025), kind: 'UNKNOWN', publicKey: ec.publicKey } },
    { desc: 'both a key and a vkey', spec: { id: 'a', kind: 'CHECKPOINT', publicKey: ec.publicKey, vkey: signedNotes.cases[0].vkeys[0] } },
    { desc: 'neither a key nor a vkey', spec: { id: 'a', kind: 'UNKNOWN' } },
    {
      desc: 'hash NONE with an ECDSA key (the original panicked)',
      spec: { id: 'a', kind: 'UNKNOWN', publicKey: ec.publicKey, hash: 'NONE' },
    },
    { desc: 'an Ed25519 key for RFC6962STH', spec: { id: 'a', kind: 'RFC6962STH', publicKey: ed.publicKey } },
    { desc: 'an ECDSA key for GONOTARY', spec: { id: 'a', kind: 'GONOTARY', publicKey: ec.publicKey } },
    { desc: 'a vkey for an RFC6962STH source', spec: { id: 'a', kind: 'RFC6962STH', vkey: signedNotes.cases[0].vkeys[0] } },
    { desc: 'an origin for a non-CHECKPOINT source', spec: { id: 'a', kind: 'UNKNOWN', publicKey: ec.publicKey, origin: 'o' } },
    { desc: 'an unknown kind', spec: { id: 'a', kind: 'TRILLIANSLR' as never, publicKey: ec.publicKey } },
    { desc: 'a malformed key', spec: { id: 'a', kind: 'UNKNOWN', publicKey: 'bm90IGEga2V5' } },
  ];
  for (const tc of cases)
    it(`refuses ${tc.desc} with SetupError BAD_CONFIG`, () =>
      assert.throws(
        () => makeSource(tc.spec),
        (e) => isError(e, SetupError, 'BAD_CONFIG'),
      ));
  it('defaults hash to NONE for Ed25519 and SHA256 otherwise', () => {
    assert.equal(makeSource({ id: 'a', kind: 'UNKNOWN', publicKey: ed.publicKey }).hash, 'NONE');
    assert.equal(makeSource({ id: 'a', kind: 'UNKNOWN', publicKey: ec.publicKey }).hash, 'SHA256');
  });
});

/**
 * signed-notes.json as a hub sees it. Each configured vkey becomes a source
 * (id = vkey name + key ID): CHECKPOINT when the note text is a checkpoint,
 * otherwise an UNKNOWN source with the same Ed25519 key (the hub stores any
 * signed blob). Each signature line is submitted the way `notary_submit`
 * does (§3.3: blob = note text, signature = bytes after the key ID), to the
 * source its (name, key ID) names. The hub verdict is then:
 *   valid     — at least one submission accepted and none refused;
 *   invalid   — a submission refused (BAD_SIGNATURE), no source matches any
 *               signature line (as the hub would say UNKNOWN_SOURCE), or the
 *               vkey itself is refused as configuration (BAD_CONFIG);
 *   malformed — the note does not parse, so there is nothing to submit.
 */
describe('admission of the signed-notes.json notes', () => {
  for (const c of signedNotes.cases) {
    it(`gives ${c.id} its expected verdict (${c.expect})`, () => {
      const msg = c.note ?? Buffer.from(c.note_base64, 'base64');
      let note: ReturnType<typeof parseNote>;
      try {
        note = parseNote(msg);
      } catch (err) {
        assert.ok(isError(err, NoteError, 'MALFORMED'), 'only a syntax error may stop a submission');
        assert.equal(c.expect, 'malformed');
        return;
      }
      const isCheckpoint = /^[^\n]+\n(0|[1-9][0-9]*)\n[A-Za-z0-9+/]{43}=\n/.test(note.text);
      const srcs = new Map<string, TrackedSource>();
      let configRefused = false;
      for (const vkey of c.vkeys as string[]) {
        try {
          const k = parseVkey(vkey);
          const id = `${k.name}+${k.keyId.toString(16).padStart(8, '0')}`;
          const ed25519 =
            k.type === SignatureType.Ed25519 || k.type === SignatureType.CosignatureV1 || k.type === SignatureType.LegacyWitness;
          srcs.set(
            id,
            isCheckpoint || !ed25519
              ? makeSource({ id, kind: 'CHECKPOINT', vkey })
              : makeSource({ id, kind: 'UNKNOWN', publicKey: ed25519PublicKeyFromBytes(k.key) }),
          );
        } catch (err) {
          assert.ok(isError(err, SetupError, 'BAD_CONFIG') || isError(err, NoteError), `unexpected ${err}`);
          configRefused = true;
        }
      }
      let accepted = 0;
      let refused = 0;
      for (const sig of note.signatures) {
        const id = `${sig.name}+${sig.keyId.toString(16).padStart(8, '0')}`;
        if (!srcs.has(id)) continue; // an unknown key: nobody would submit it here
        try {
          processAddSignedBlobAdmission(srcs, { sourceId: id, blobData: Buffer.from(note.text), srcSignature: sig.signature });
          accepted++;
        } catch (err) {
          assert.ok(isError(err, HubError, 'BAD_SIGNATURE'), `unexpected ${err}`);
          refused++;
        }
      }
      const verdict = accepted > 0 && refused === 0 && !configRefused ? 'valid' : 'invalid';
      assert.equal(verdict, c.expect);
    });
  }

  it('accepts the three real sum.golang.org checkpoints as GONOTARY submissions with the real key', () => {
    const vkey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
    const notary = new Map([['sum.golang.org', makeSource({ id: 'sum.golang.org', kind: 'GONOTARY', vkey })]]);
    const real = signedNotes.cases.filter((c: { id: string; expect: string }) => c.id.startsWith('sumdb-') && c.expect === 'valid');
    assert.equal(real.length, 3);
    for (const c of real) {
      const note = parseNote(c.note);
      const sig = note.signatures.find((s) => s.name === 'sum.golang.org');
      const a = processAddSignedBlobAdmission(notary, {
        sourceId: 'sum.golang.org',
        blobData: Buffer.from(note.text),
        srcSignature: sig?.signature as Buffer,
      });
      assert.ok(a.parsed.kind === 'GONOTARY' && a.parsed.treeSize > 6_000_000);
    }
  });
});
