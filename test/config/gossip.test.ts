/**
 * The gossipd config file: the example of docs/examples loads, defaults and
 * paths resolve, and every problem is reported at once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GossipConfigError, loadGossipConfigText } from '../../src/config/gossip.ts';
import { isError } from '../../src/errors.ts';
import { LOG_LIST_TEXT } from '../gossip/fixtures.ts';
import { readerOf } from '../support/file-reader.ts';

const EXAMPLE = readFileSync(new URL('../../docs/examples/gossip.yaml', import.meta.url), 'utf8');
const files: Record<string, Buffer> = {
  '/cfg/transport.secret': Buffer.from('a secret of twenty-four\n'),
  '/cfg/log_list.json': Buffer.from(LOG_LIST_TEXT),
};
const readFile = readerOf(files);
const load = (text: string) => loadGossipConfigText(text, { readFile, baseDir: '/cfg', env: {} });

function problems(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    if (isError(err, GossipConfigError)) return [...err.problems];
    throw err;
  }
  assert.fail('the config loaded');
}

describe('gossipd config', () => {
  it('loads docs/examples/gossip.yaml: sockets, secret, logs from the list and the file, incidents, echo', () => {
    const c = load(EXAMPLE);
    assert.equal(c.peerSocket.path, '/cfg/gossip.sock');
    assert.equal(c.transportSocket.path, '/cfg/gossip-transports.sock');
    assert.equal(c.transportSocket.secret?.toString(), 'a secret of twenty-four');
    assert.equal(c.logs.size, 7);
    assert.equal(c.limits.maxAgeMs, 14 * 24 * 3_600_000);
    assert.equal(c.incidents?.evidenceDir, '/cfg/evidence');
    assert.ok(c.transports.echo);
    assert.equal(c.port, 7480);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits));
  });

  it('reports every problem at once', () => {
    const p = problems(`
peerSocket: {}
transportSocket: { path: t.sock }
logs:
  - name: both
    key: AAAA
    keyFile: k.pem
  - name: none
limits: { poolBytes: 10 }
transports: { frob: {} }
`);
    const want = ['peerSocket', 'transportSocket.secretFile', 'logs[0]', 'logs[1]', 'limits.poolBytes', 'transports'];
    for (const w of want)
      assert.ok(
        p.some((x) => x.startsWith(w)),
        `no problem at ${w}: ${p.join(' | ')}`,
      );
  });

  it('refuses a TCP peer socket that is not loopback', () => {
    assert.ok(problems('peerSocket: { tcp: "0.0.0.0:7481" }\nlogs: [{ name: x, key: AAAA }]').some((x) => x.startsWith('peerSocket.tcp')));
  });

  it('refuses a short secret, a missing log list and a bad key, after reading what it can', () => {
    files['/cfg/short.secret'] = Buffer.from('short\n');
    const p = problems(`
peerSocket: { path: p.sock }
transportSocket: { path: t.sock, secretFile: short.secret }
logLists: [missing.json]
logs: [{ name: bad, key: AAAA }]
`);
    assert.ok(
      p.some((x) => x.startsWith('transportSocket.secretFile') && x.includes('16 bytes')),
      p.join(' | '),
    );
    assert.ok(
      p.some((x) => x.startsWith('logLists[0]') && x.includes('ENOENT')),
      p.join(' | '),
    );
    assert.ok(
      p.some((x) => x.startsWith('logs:') && x.includes('bad key')),
      p.join(' | '),
    );
  });
});

describe('gossipd config: the peer transport', () => {
  it('reads our Ed25519 key and the pinned peers’ keys, and refuses other key types', async () => {
    const { generatePrivateKey, exportPrivateKeyPem, exportPublicKeyPem } = await import('../../src/crypto/index.ts');
    const ours = generatePrivateKey('ed25519');
    const theirs = generatePrivateKey('ed25519');
    files['/cfg/peer.key'] = Buffer.from(exportPrivateKeyPem(ours));
    files['/cfg/b.pub.pem'] = Buffer.from(exportPublicKeyPem(theirs.publicKey));
    files['/cfg/ecdsa.key'] = Buffer.from(exportPrivateKeyPem(generatePrivateKey('ecdsa-p256')));
    const base = 'peerSocket: { path: p.sock }\nlogs: [{ name: m, key: AAAA }]\n';
    const c = load(
      `peerSocket: { path: p.sock }\nlogLists: [log_list.json]\ntransports:\n  peer:\n    listen: 0.0.0.0:7482\n    keyFile: peer.key\n    peers:\n      - { name: b, keyFile: b.pub.pem, address: "b.example:7482" }\n      - { name: c, key: ${theirs.publicKey.spki.toString('base64')} }\n`,
    );
    assert.equal(c.peer?.listen?.port, 7482);
    assert.equal(c.peer?.peers.length, 2);
    assert.deepEqual(c.peer?.peers[0].address, { host: 'b.example', port: 7482 });
    const p = problems(`${base}transports:\n  peer:\n    keyFile: ecdsa.key\n    peers: [{ name: b }]\n`);
    assert.ok(
      p.some((x) => x.startsWith('transports.peer.keyFile') && x.includes('Ed25519')),
      p.join(' | '),
    );
    assert.ok(
      p.some((x) => x.startsWith('transports.peer.peers[0]')),
      p.join(' | '),
    );
  });
});
