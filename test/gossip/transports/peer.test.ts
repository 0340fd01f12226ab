/**
 * The peer transport's mutual authentication and sealed frames, over real
 * TCP on loopback: pinned keys meet; an unknown key, a key the speaker does
 * not hold, garbage and a tampered frame end the connection.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { generatePrivateKey } from '../../../src/crypto/index.ts';
import type { Incoming, TransportContext } from '../../../src/gossip/service/index.ts';
import { FrameError, FrameReader, FrameSealer, PeerTransport, rawEd25519 } from '../../../src/gossip/transports/peer/index.ts';
import { assertThrowsCode } from '../../support/assert-code.ts';
import { freePort } from '../../support/ports.ts';
import { waitUntil } from '../../support/wait.ts';

const ctx = (box: Incoming[]): TransportContext => ({ deliver: (m) => box.push(m) > 0 });
const transports: PeerTransport[] = [];
after(async () => {
  for (const t of transports) await t.stop();
});

async function pair(o: { bKnowsA?: boolean; aKey?: ReturnType<typeof generatePrivateKey> } = {}) {
  const [ka, kb] = [o.aKey ?? generatePrivateKey('ed25519'), generatePrivateKey('ed25519')];
  const [pa, pb] = [await freePort(), await freePort()];
  const a = new PeerTransport({ key: ka.key, listen: { host: '127.0.0.1', port: pa }, peers: [{ name: 'b', key: rawEd25519(kb.key) }] });
  const b = new PeerTransport({
    key: kb.key,
    listen: { host: '127.0.0.1', port: pb },
    peers: o.bKnowsA === false ? [] : [{ name: 'a', key: rawEd25519(ka.key), address: { host: '127.0.0.1', port: pa } }],
    reconnectMs: 20,
  });
  transports.push(a, b);
  const [inA, inB]: Incoming[][] = [[], []];
  await a.start(ctx(inA));
  await b.start(ctx(inB));
  return { a, b, inA, inB, ka, kb, pa };
}

describe('peer transport', () => {
  it('authenticates pinned keys both ways and carries messages both ways', async () => {
    const { a, b, inA, inB } = await pair();
    await waitUntil('session', () => a.connected().length === 1 && b.connected().length === 1, { stuckMs: 30_000 });
    assert.deepEqual(a.connected(), ['b']);
    assert.deepEqual(b.connected(), ['a']);
    const msg = {
      logId: 'ab'.repeat(32),
      gossipData: Buffer.from('{"x":1}'),
      timestamp: 1,
      fromPeer: 'p',
      kind: 'rfc6962-sth' as const,
      head: null,
    };
    await a.send(msg);
    await b.send({ ...msg, gossipData: Buffer.from('{"y":2}') });
    await waitUntil('delivery', () => inA.length === 1 && inB.length === 1, { stuckMs: 30_000 });
    assert.deepEqual(inB[0].gossipData, msg.gossipData);
    assert.equal(inA[0].gossipData.toString(), '{"y":2}');
  });

  it('refuses a daemon whose key is not pinned, and rejects sends with no session', async () => {
    const { a, b } = await pair({ bKnowsA: false });
    // b does not know a, so a never gets a session either (it only listens).
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(b.connected(), []);
    await assert.rejects(
      a.send({ logId: 'ab'.repeat(32), gossipData: Buffer.from('x'), timestamp: 1, fromPeer: 'p', kind: 'sct', head: null }),
    );
  });

  it('ends a connection that claims a pinned key it cannot sign with, and one with an unknown key', async () => {
    const { a, kb, pa } = await pair({ bKnowsA: false });
    const impostor = generateKeyPairSync('ed25519');
    for (const claimed of [rawEd25519(kb.key), rawEd25519(impostor.publicKey)]) {
      const s = connect(pa, '127.0.0.1');
      let data = '';
      let closed = false;
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => (closed = true));
      s.on('error', () => {});
      const hello = {
        v: 1,
        key: claimed.toString('base64'),
        eph: Buffer.alloc(32, 1).toString('base64'),
        nonce: Buffer.alloc(32).toString('base64'),
      };
      s.write(`${JSON.stringify(hello)}\n`);
      // An AUTH signed by the impostor's own key over something: it cannot be b's signature over this transcript.
      s.write(`${JSON.stringify({ sig: sign(null, Buffer.from('anything'), impostor.privateKey).toString('base64') })}\n`);
      await waitUntil('close', () => closed, { stuckMs: 30_000 });
      assert.match(data, /"key"/, 'the listener said its HELLO first');
    }
    assert.deepEqual(a.connected(), []);
  });

  it('ends a connection that sends garbage or an oversized handshake line', async () => {
    const { pa } = await pair();
    for (const payload of ['not json\n', `${'x'.repeat(5000)}`]) {
      const s = connect(pa, '127.0.0.1');
      let closed = false;
      s.on('close', () => (closed = true));
      s.on('error', () => {});
      s.resume(); // read the listener's HELLO, so its hang-up is seen
      s.write(payload);
      await waitUntil('close', () => closed, { stuckMs: 30_000 });
    }
  });

  it('sealed frames open in order only: a flipped bit, a replay or a reorder fails (BAD_FRAME)', () => {
    const key = createHash('sha256').update('k').digest();
    const sealer = new FrameSealer(key);
    const [f1, f2] = [sealer.seal(Buffer.from('one')), sealer.seal(Buffer.from('two'))];
    assert.deepEqual(
      new FrameReader(key, 100).push(Buffer.concat([f1, f2])).map((b) => b.toString()),
      ['one', 'two'],
    );
    const flipped = Buffer.from(f1);
    flipped[6] ^= 1;
    assertThrowsCode(() => new FrameReader(key, 100).push(flipped), FrameError, 'BAD_FRAME');
    assertThrowsCode(() => new FrameReader(key, 100).push(f2), FrameError, 'BAD_FRAME');
    const r = new FrameReader(key, 100);
    r.push(f1);
    assertThrowsCode(() => r.push(f1), FrameError, 'BAD_FRAME');
    const big = new FrameSealer(key).seal(Buffer.alloc(200));
    assertThrowsCode(() => new FrameReader(key, 100).push(big), FrameError, 'BAD_FRAME');
  });
});
