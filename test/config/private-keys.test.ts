/**
 * A private key where a public key or vkey belongs is refused in every config
 * file type, with a problem at its path that names its kind and shows none
 * of it (issue 9 #5: a Go private note key in a vkey field was echoed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigProblemsError, type LoadOptions } from '../../src/config/fields.ts';
import { loadGossipConfigText } from '../../src/config/gossip.ts';
import { loadHubConfigText } from '../../src/config/hub.ts';
import { loadMonitorConfigText } from '../../src/config/monitor.ts';
import { privateKeyKind } from '../../src/config/private-keys.ts';
import { loadWitnessConfigText } from '../../src/config/witness.ts';
import { exportPrivateKeyDer, exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../../src/crypto/index.ts';

// A Go signed-note private key in its real format: PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>.
const goKey = `PRIVATE+KEY+example.com/log+12345678+${Buffer.concat([Buffer.of(1), Buffer.alloc(32, 7)]).toString('base64')}`;
const ec = generatePrivateKey('ecdsa-p256');
const noFiles: LoadOptions = {
  baseDir: '/cfg',
  readFile: () => {
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  },
};
/** The parts of a key long enough to identify it. */
const secretParts = (s: string) =>
  s
    .replace(/-----[A-Z ]+-----/g, '')
    .split(/[\s+]+/)
    .filter((x) => x.length >= 8 && x !== 'example.com/log');

function problems(load: (text: string, opts: LoadOptions) => unknown, text: string): { all: string[]; message: string } {
  try {
    load(text, noFiles);
  } catch (err) {
    assert.ok(err instanceof ConfigProblemsError, String(err));
    return { all: [...err.problems], message: err.message };
  }
  assert.fail('accepted');
}

describe('privateKeyKind', () => {
  const cases: Array<[string, string | Uint8Array, string | undefined]> = [
    ['a Go note private key', goKey, 'a Go note private key (PRIVATE+KEY+…)'],
    ['a PKCS#8 PEM', exportPrivateKeyPem(ec), 'a PEM private key'],
    ['an EC PRIVATE KEY PEM', '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n', 'a PEM private key'],
    ['an OpenSSH private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', 'a PEM private key'],
    ['base64 PKCS#8 DER', exportPrivateKeyDer(ec).toString('base64'), 'a base64 private key'],
    ['PKCS#8 DER bytes', exportPrivateKeyDer(ec), 'a DER private key'],
    ['a public key PEM', exportPublicKeyPem(ec.publicKey), undefined],
    ['base64 SPKI', ec.publicKey.spki.toString('base64'), undefined],
    ['a vkey', 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8', undefined],
  ];
  for (const [desc, input, want] of cases) it(`${desc} → ${want ?? 'none'}`, () => assert.equal(privateKeyKind(input), want));
});

describe('a private key in a public key field, in every file type', () => {
  const der = exportPrivateKeyDer(ec).toString('base64');
  const pem = exportPrivateKeyPem(ec);
  const cases: Array<[string, (text: string, opts: LoadOptions) => unknown, string, string, string]> = [
    [
      'hub source vkey',
      loadHubConfigText,
      `instances: [{ prefix: a, privateKeyFile: k, sources: [{ id: s, kind: CHECKPOINT, origin: o, vkey: "${goKey}" }] }]\n`,
      'instances[0].sources[0].vkey',
      goKey,
    ],
    ['witness log vkey', loadWitnessConfigText, `keys: [w.key]\nlogs: [{ origin: o, vkey: "${goKey}" }]\n`, 'logs[0].vkey', goKey],
    ['witness log vkeys', loadWitnessConfigText, `keys: [w.key]\nlogs: [{ origin: o, vkeys: ["${goKey}"] }]\n`, 'logs[0].vkeys[0]', goKey],
    ['gossipd log vkeys', loadGossipConfigText, `logs: [{ name: x, origin: o, vkeys: ["${goKey}"] }]\n`, 'logs[0].vkeys[0]', goKey],
    ['gossipd log key', loadGossipConfigText, `logs: [{ name: x, key: "${der}" }]\n`, 'logs[0].key', der],
    ['monitor log vkey', loadMonitorConfigText, `logs: [{ name: x, type: checkpoint, vkey: "${goKey}" }]\n`, 'logs[0].vkey', goKey],
    [
      'monitor log publicKey',
      loadMonitorConfigText,
      `logs: [{ name: x, type: rfc6962, publicKey: ${JSON.stringify(pem)} }]\n`,
      'logs[0].publicKey',
      pem,
    ],
  ];
  for (const [desc, load, text, path, secret] of cases) {
    it(`refuses it in a ${desc}, naming ${path} and showing none of it`, () => {
      const { all, message } = problems(load, text);
      const mine = all.filter((p) => p.startsWith(`${path}:`));
      assert.equal(mine.length, 1, all.join('\n'));
      assert.match(mine[0], /: got a (Go note|PEM|base64) private key.*; the value is not shown/);
      const parts = secretParts(secret);
      assert.ok(parts.length > 0);
      for (const part of parts) assert.ok(!message.includes(part), `the message shows ${part}`);
    });
  }
});
