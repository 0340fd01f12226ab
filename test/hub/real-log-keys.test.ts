/**
 * Real log keys, as users have them (issue 8 §3): a static-ct-api log given
 * its RFC 6962 public key (the `key` of Google's log list) verifies its
 * type-0x05 checkpoints, or is refused at start saying to give its vkey; a
 * wrong key says which key and why; `hub sources from-log-list` turns the
 * log list into sources that load and accept the logs' real heads.
 *
 * Real material only: the production STHs of ct-sths.json (an RFC 6962 note
 * signature is the STH's own signature, since it does not cover the origin,
 * so each real STH is a real checkpoint of its log under any origin), the
 * sum.golang.org checkpoints of signed-notes.json, the omniwitness keys of
 * checkpoint-logs.json, and a log-list fixture built from those keys.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { decodeDigitallySigned } from '../../src/codec/index.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { hubSourcesFromLogList } from '../../src/config/hub-log-list.ts';
import { exportPrivateKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';
import { isError, SetupError } from '../../src/errors.ts';
import { KnownLogError } from '../../src/gossip/validate/index.ts';
import {
  checkEntrySourceSignature,
  HubClient,
  HubError,
  makeSource,
  processAddSignedBlobAdmission,
  type SourceSpec,
  type TrackedSource,
} from '../../src/hub/index.ts';
import { ecdsaKeyId, formatKeyId, formatVkey, parseNote, parseVkey, rfc6962NoteSignature, SignatureType } from '../../src/note/index.ts';
import { grapevine } from '../support/cli.ts';
import { loadTestdata } from '../testdata.ts';
import { ctSths, hubEnv, type StsVector, signedNotes, sthSubmission } from './fixtures.ts';

const checkpointLogs = loadTestdata('checkpoint-logs.json');
const LOG_LIST = new URL('./fixtures/log-list-v3.json', import.meta.url);
const logListText = readFileSync(LOG_LIST, 'utf8');

/** A static-ct-api-style origin for a real CT log: its URL without the scheme and trailing slash. */
const originOf = (v: StsVector) => (v.log.url as string).replace(/^https:\/\//, '').replace(/\/$/, '');

/** A real STH as a checkpoint of its log under `origin`: note text and the type-0x05 signature (without key ID). */
function checkpointOf(v: StsVector, origin: string, extraLines = ''): { text: Buffer; signature: Buffer } {
  const text = Buffer.from(`${origin}\n${v.sth.tree_size}\n${v.sth.sha256_root_hash}\n${extraLines}`);
  const ds = decodeDigitallySigned(Buffer.from(v.sth.tree_head_signature, 'base64'));
  const sig = rfc6962NoteSignature(origin, Buffer.from(v.log.key, 'base64'), v.sth.timestamp, ds);
  return { text, signature: sig.signature };
}

function admit(source: TrackedSource, blob: Buffer, signature: Buffer) {
  return processAddSignedBlobAdmission(new Map([[source.id, source]]), { sourceId: source.id, blobData: blob, srcSignature: signature });
}

function badSignature(fn: () => unknown, ...want: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isError(err, HubError, 'BAD_SIGNATURE'), `want HubError BAD_SIGNATURE, got ${err}`);
    for (const re of want) assert.match((err as Error).message, re);
    return true;
  });
}

function refusedAtStart(fn: () => unknown, ...want: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isError(err, SetupError, 'BAD_CONFIG'), `want SetupError BAD_CONFIG, got ${err}`);
    for (const re of want) assert.match((err as Error).message, re);
    return true;
  });
}

const real = ctSths.real_log_sths as StsVector[];
const pilot = real.find((v) => v.log.description === "Google 'Pilot' log") as StsVector;
const aviatorFinal = (ctSths.real_log_sths as (StsVector & { id: string })[]).find(
  (v) => v.id === 'ctgo-loglist-aviator-final',
) as StsVector;
const argon2017 = real.find((v) => v.log.description === "Google 'Argon2017' log") as StsVector;
const rekor = checkpointLogs.logs.find((l: { origin: string }) => l.origin.startsWith('rekor.sigstore.dev - '));

describe('a static-ct-api log configured with its RFC 6962 public key', () => {
  it('verifies the type-0x05 checkpoints of every real log in ct-sths.json (key as publicKey, origin as the key name)', () => {
    for (const v of real) {
      const origin = originOf(v);
      const source = makeSource({ id: `https://${origin}/`, kind: 'CHECKPOINT', publicKey: v.log.key, origin });
      // The hub publishes the 0x05 vkey it derived (get-source-keys), so clients verify the same way.
      assert.equal(source.vkey, formatVkey({ name: origin, type: SignatureType.RFC6962, key: Buffer.from(v.log.key, 'base64') }));
      const cp = checkpointOf(v, origin);
      const a = admit(source, cp.text, cp.signature);
      assert.ok(a.parsed.kind === 'CHECKPOINT' && a.parsed.treeSize === v.sth.tree_size);
    }
  });

  it('from a hub config file over HTTP: stored, and the entry verifies with the vkey from get-source-keys', async () => {
    const origin = originOf(pilot);
    const hubKey = generatePrivateKey('ecdsa-p256');
    const cfg = loadHubConfigText(
      `instances:
  - prefix: gamut
    privateKeyFile: hub.pem
    sources:
      - { id: "https://${origin}/", kind: CHECKPOINT, publicKey: "${pilot.log.key}", origin: "${origin}" }
`,
      { readFile: () => Buffer.from(exportPrivateKeyPem(hubKey)), baseDir: '/cfg' },
    );
    const env = await hubEnv({ sources: cfg.instances[0].sources, listen: true });
    try {
      const client = new HubClient({ url: env.url, hubKey: env.signer.publicKey });
      const cp = checkpointOf(pilot, origin);
      const sgt = await client.addSignedBlob(`https://${origin}/`, cp.text, cp.signature);
      const keys = await client.getSourceKeys();
      assert.match(keys[0].vkey ?? '', new RegExp(`^${origin.replace(/[./]/g, '\\$&')}\\+[0-9a-f]{8}\\+BT`));
      assert.equal(checkEntrySourceSignature(sgt.entry, keys), true);
    } finally {
      await env.close();
    }
  });

  it('is refused at start when its origin cannot be a key name, saying which vkey to give (the real Rekor key: its 0x02 key ID)', () => {
    const spki = parseVkey(rekor.vkey).key.toString('base64');
    refusedAtStart(
      () => makeSource({ id: 'rekor', kind: 'CHECKPOINT', publicKey: spki, origin: rekor.origin }),
      /vkey/,
      /cannot be a key name/,
      // The suggested Rekor-style vkey carries the key ID the real one has.
      new RegExp(`NAME\\+${rekor.vkey.split('+')[1]}\\+`),
    );
    refusedAtStart(() => makeSource({ id: 'p', kind: 'CHECKPOINT', publicKey: pilot.log.key }), /give origin/);
  });

  it("refuses a CT log list's key given as a vkey, showing the vkey to give", () => {
    const origin = originOf(pilot);
    const want = formatVkey({ name: origin, type: SignatureType.RFC6962, key: Buffer.from(pilot.log.key, 'base64') });
    refusedAtStart(
      () => makeSource({ id: 'p', kind: 'CHECKPOINT', vkey: pilot.log.key, origin }),
      /public key, base64 SPKI/,
      new RegExp(want.replace(/[.+/]/g, '\\$&')),
    );
  });
});

describe('a wrong key says which key and why (BAD_SIGNATURE)', () => {
  const origin = originOf(pilot);
  const pilotSource = makeSource({ id: 'pilot', kind: 'CHECKPOINT', publicKey: pilot.log.key, origin });
  const cp = checkpointOf(pilot, origin);

  it("another log's key under this log's name: the TreeHeadSignature does not verify under that key", () => {
    const wrong = makeSource({ id: 'pilot', kind: 'CHECKPOINT', publicKey: aviatorFinal.log.key, origin });
    badSignature(
      () => admit(wrong, cp.text, cp.signature),
      new RegExp(`key ${origin.replace(/[./]/g, '\\$&')}\\+[0-9a-f]{8} \\(RFC 6962 note signature, type 0x05\\)`),
      /size 3721782/,
      /does not verify under this key/,
    );
  });

  it('a checkpoint whose origin is not the key name', () => {
    const other = checkpointOf(pilot, 'ct.googleapis.com/other');
    badSignature(() => admit(pilotSource, other.text, other.signature), /origin "ct.googleapis.com\/other" is not the key's name/);
  });

  it('a 0x05 checkpoint with an extension line', () => {
    const ext = checkpointOf(pilot, origin, 'extension\n');
    badSignature(() => admit(pilotSource, ext.text, ext.signature), /exactly its origin, size and root lines/);
  });

  it('a bare DER signature sent for a 0x05 source: names the type 0x02 vkey to use if that is what the log signs', () => {
    const der = sthSubmission(pilot).signature;
    const spki = Buffer.from(pilot.log.key, 'base64');
    badSignature(() => admit(pilotSource, cp.text, der), /bare DER ECDSA/, new RegExp(`\\+${formatKeyId(ecdsaKeyId(spki))}\\+Aj`));
  });

  it('a type 0x02 vkey for a log whose checkpoints carry 0x05 signatures', () => {
    const ecdsa = formatVkey({ name: origin, type: SignatureType.ECDSA, key: Buffer.from(pilot.log.key, 'base64') });
    const src = makeSource({ id: 'pilot', kind: 'CHECKPOINT', vkey: ecdsa, origin });
    badSignature(() => admit(src, cp.text, cp.signature), /ECDSA note signature, type 0x02/, /shape of an RFC 6962 note signature/);
  });

  it('an RFC6962STH source sent the whole DigitallySigned, and one with the wrong log key', () => {
    const s = sthSubmission(pilot);
    const src = makeSource({ id: 'pilot', kind: 'RFC6962STH', publicKey: pilot.log.key });
    badSignature(() => admit(src, s.blob, Buffer.from(pilot.sth.tree_head_signature, 'base64')), /whole TLS DigitallySigned/);
    const wrong = makeSource({ id: 'pilot', kind: 'RFC6962STH', publicKey: argon2017.log.key });
    badSignature(() => admit(wrong, s.blob, s.signature), /ecdsa-p256 key \(SPKI SHA-256 \+tTJfMSe4vishcXqXOoJ0CINu/, /size 3721782/);
  });

  it("a real sum.golang.org checkpoint under another log's real Ed25519 vkey names that key", () => {
    const c = signedNotes.cases.find((x: { id: string }) => x.id === 'sumdb-6476701');
    const note = parseNote(c.note);
    const sig = note.signatures.find((s) => s.name === 'sum.golang.org');
    const armory = checkpointLogs.logs.find((l: { vkey: string }) => l.vkey.startsWith('armory-drive-log+'));
    const src = makeSource({ id: 'sumdb', kind: 'CHECKPOINT', vkey: armory.vkey, origin: 'go.sum database tree' });
    badSignature(
      () => admit(src, Buffer.from(note.text), sig?.signature as Buffer),
      /key armory-drive-log\+16541b8f \(Ed25519 note signature, type 0x01\)/,
      /does not verify/,
    );
  });

  it('the mistyped sum.golang.org vkey (testdata Finding 1) is refused at start, naming it', () => {
    refusedAtStart(
      () =>
        makeSource({
          id: 'sumdb',
          kind: 'CHECKPOINT',
          vkey: 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ly4htXJ2p89ewJR',
          origin: 'go.sum database tree',
        }),
      /sum\.golang\.org\+033de0ae/,
    );
  });
});

describe('hub sources from-log-list', () => {
  const hubKey = generatePrivateKey('ecdsa-p256');
  const configOf = (sourcesYaml: string) =>
    loadHubConfigText(
      `instances:\n  - prefix: gamut\n    privateKeyFile: hub.pem\n    sources:\n${sourcesYaml
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}\n`,
      { readFile: () => Buffer.from(exportPrivateKeyPem(hubKey)), baseDir: '/cfg' },
    );

  it('keeps usable, qualified, readonly and stateless logs, names the others, and prints YAML that loads as hub sources', () => {
    const r = hubSourcesFromLogList(logListText);
    assert.deepEqual(
      r.sources.map((s) => [s.id, s.kind]),
      [
        ['https://ct.googleapis.com/pilot/', 'RFC6962STH'],
        ['https://ct.googleapis.com/aviator/', 'RFC6962STH'],
        ['https://pilot.tiled.grapevine.test/2026h1/', 'CHECKPOINT'],
        ['https://m.ct.grapevine.test/', 'RFC6962STH'],
      ],
    );
    assert.deepEqual(
      r.skipped.map((s) => s.state),
      ['retired', 'rejected', 'pending'],
    );
    for (const s of r.skipped) assert.ok(r.yaml.includes(`# left out: ${s.name} (${s.state})`));
    const tiled = r.sources[2] as SourceSpec;
    assert.equal(tiled.origin, 'pilot.tiled.grapevine.test/2026h1');
    assert.deepEqual(parseYaml(r.yaml), r.sources);
    assert.equal(configOf(r.yaml).instances[0].sources.length, 4);
  });

  it("a hub built from its output accepts the logs' real heads, and knows no log left out", async () => {
    const cfg = configOf(hubSourcesFromLogList(logListText).yaml);
    const env = await hubEnv({ sources: cfg.instances[0].sources, sequencers: false });
    try {
      const post = (sourceId: string, blob: Buffer, signature: Buffer) =>
        env.app.inject({
          method: 'POST',
          url: '/gamut/gossip/v0/add-signed-blob',
          payload: JSON.stringify({ source_id: sourceId, blob_data: blob.toString('base64'), src_signature: signature.toString('base64') }),
        });
      for (const v of [pilot, aviatorFinal]) {
        const s = sthSubmission(v);
        assert.equal((await post(s.sourceId, s.blob, s.signature)).statusCode, 200, v.log.description);
      }
      const cp = checkpointOf(pilot, 'pilot.tiled.grapevine.test/2026h1');
      const r = await post('https://pilot.tiled.grapevine.test/2026h1/', cp.text, cp.signature);
      assert.equal(r.statusCode, 200, r.body);
      const retired = sthSubmission(argon2017);
      assert.equal((await post(retired.sourceId, retired.blob, retired.signature)).json().error, 'UNKNOWN_SOURCE');
    } finally {
      await env.close();
    }
    const withRetired = hubSourcesFromLogList(logListText, { states: ['usable', 'retired'] });
    assert.deepEqual(
      withRetired.sources.map((s) => s.name),
      ["Google 'Pilot' log", "Google 'Argon2017' log", 'TEST KEY m, no state'],
    );
  });

  it('refuses a list whose log_id is not the SHA-256 of its key', () => {
    const broken = logListText.replace('"log_id": "pLkJkLQYWBSHuxOizGdwCjw1mAT5G9+443fNDsgN3BA="', `"log_id": "${'A'.repeat(43)}="`);
    assert.notEqual(broken, logListText);
    assert.throws(
      () => hubSourcesFromLogList(broken),
      (err: unknown) => isError(err, KnownLogError),
    );
  });

  it('the binary prints the same YAML, a one-line summary on stderr, and usage errors as one line, exit 2', () => {
    const path = LOG_LIST.pathname;
    const r = grapevine(['hub', 'sources', 'from-log-list', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, hubSourcesFromLogList(logListText).yaml);
    assert.match(r.stderr, /^grapevine: 4 sources from .*; 3 logs left out by state\n$/);
    const bad = grapevine(['hub', 'sources', 'from-log-list', path, '--states', 'usable,live']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const missing = grapevine(['hub', 'sources', 'from-log-list', `${path}.missing`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ENOENT/);
    // `hub sources` itself still needs --url.
    assert.equal(grapevine(['hub', 'sources']).code, 2);
  });
});
