import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkNoteKeyName,
  ed25519NoteVerifierKey,
  ed25519PublicKeyFromBytes,
  generatePrivateKey,
  KeyError,
  NOTE_SIG_TYPE_ED25519,
  noteKeyId,
} from '../../src/crypto/index.ts';
import { assertThrowsCode, b64 } from '../codec/testing.ts';
import { loadTestdata } from '../testdata.ts';

const logs = loadTestdata('checkpoint-logs.json').logs.filter((l: { key_type: string }) => l.key_type === 'ed25519');

describe('ed25519NoteVerifierKey (c2sp.org/signed-note) on the real Ed25519 vkeys of checkpoint-logs.json', () => {
  for (const log of logs) {
    it(`${log.vkey.split('+')[0]}: rebuilds the vkey from its name and raw key`, () => {
      // The name has no '+', but the base64 key may.
      const [name, , ...rest] = log.vkey.split('+');
      const typed = b64(rest.join('+'));
      assert.equal(typed[0], NOTE_SIG_TYPE_ED25519);
      assert.equal(ed25519NoteVerifierKey(name, ed25519PublicKeyFromBytes(typed.subarray(1))), log.vkey);
    });
  }
});

describe('noteKeyId', () => {
  it('is SHA-256(name || 0x0A || type || key)[:4]', () => {
    const key = Buffer.alloc(32, 7);
    const want = createHash('sha256').update(Buffer.concat([Buffer.from('n'), Buffer.of(0x0a, 0x01), key])).digest().subarray(0, 4);
    assert.deepEqual(noteKeyId('n', 1, key), want);
  });
});

describe('checkNoteKeyName', () => {
  for (const bad of ['', 'a b', 'a+b', 'tab\tname', 'nbsp\u00a0name', 'line\nbreak', 'lone\ud800']) {
    it(`rejects ${JSON.stringify(bad)} with KeyError BAD_KEY_NAME`, () => assertThrowsCode(() => checkNoteKeyName(bad), KeyError, 'BAD_KEY_NAME'));
  }
  for (const good of ['sum.golang.org', 'example.com/log', 'ünïcode']) {
    it(`accepts ${JSON.stringify(good)}`, () => checkNoteKeyName(good));
  }
  it('ed25519NoteVerifierKey refuses an invalid name', () =>
    assertThrowsCode(() => ed25519NoteVerifierKey('a b', generatePrivateKey('ed25519').publicKey), KeyError, 'BAD_KEY_NAME'));
});
