import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GossipClient, GossipClientError } from '../../../src/gossip/client.ts';
import { GossipService } from '../../../src/gossip/service/index.ts';
import { GossipSocketError, PeerSocket, TransportSocket } from '../../../src/gossip/sockets/index.ts';
import { EchoTransport } from '../../../src/gossip/transports/echo/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitUntil } from '../../support/wait.ts';
import { fixtureRegistry, hexLogId, signedSthJson, TEST_KEYS } from '../fixtures.ts';
import { counterValue } from '../service/helpers.ts';

const SECRET = Buffer.from('correct horse battery staple');
const M = hexLogId(TEST_KEYS.m);
const root = (s: string) => createHash('sha256').update(s).digest();
const sth = (size: number, r: string) => signedSthJson(TEST_KEYS.m, { size, root: root(r), timestamp: Date.now() - 60_000 }).json;

/** A raw connection: write text, read what comes back. */
class Raw {
  readonly socket: Socket;
  data = '';
  ended = false;
  constructor(path: string) {
    this.socket = connect(path);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => {
      this.data += d;
    });
    this.socket.on('close', () => {
      this.ended = true;
    });
  }
  write(s: string | Buffer): void {
    this.socket.write(s);
  }
  async waitFor(re: RegExp, what = re.source): Promise<string> {
    await waitUntil(what, () => re.test(this.data), { stuckMs: 30_000 });
    return this.data;
  }
}

describe('the peer and transport sockets', () => {
  let dir: string;
  let service: GossipService;
  let peers: PeerSocket;
  let transports: TransportSocket;
  let peerPath: string;
  let transportPath: string;
  const raws: Raw[] = [];
  const clients: GossipClient[] = [];
  const raw = (p: string) => {
    const r = new Raw(p);
    raws.push(r);
    return r;
  };
  const client = async (p: string) => {
    const c = await GossipClient.connect({ path: p }, { transport: p === transportPath });
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = tempDir('gossip-sockets-');
    service = new GossipService({ logs: fixtureRegistry(), store: new MemoryHeadStore() });
    service.registerTransport(new EchoTransport());
    peers = new PeerSocket(service, { limits: { maxMessageBytes: 4096 } });
    transports = new TransportSocket(service, { secret: SECRET, authTimeoutMs: 60_000 });
    peerPath = join(dir, 'peer.sock');
    transportPath = join(dir, 'transport.sock');
    await peers.listen({ path: peerPath });
    await transports.listen({ path: transportPath });
  });

  after(async () => {
    for (const r of raws) r.socket.destroy();
    for (const c of clients) c.close();
    await peers.close();
    await transports.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates both sockets with mode 0600', () => {
    assert.equal(statSync(peerPath).mode & 0o777, 0o600);
    assert.equal(statSync(transportPath).mode & 0o777, 0o600);
  });

  it('refuses to take over a socket a running service listens on, and a path that is not a socket', async () => {
    const other = new PeerSocket(service);
    await assert.rejects(other.listen({ path: peerPath }), (e) => e instanceof GossipSocketError && e.code === 'IN_USE');
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'x');
    await assert.rejects(other.listen({ path: file }), (e) => e instanceof GossipSocketError && e.code === 'IN_USE');
    await assert.rejects(
      other.listen({ tcp: { host: '0.0.0.0', port: 0 } }),
      (e) => e instanceof GossipSocketError && e.code === 'NOT_LOOPBACK',
    );
    await other.close();
  });

  it('answers an S-expression connection in S-expressions, byte for byte in the draft layout', async () => {
    const r = raw(peerPath);
    r.write('(gossip-enumerate-transports-request (command gossip-enumerate-transports-request-0) (tag q1))');
    const text = await r.waitFor(/\(tag q1\)\)\n/);
    assert.equal(
      text,
      '(gossip-enumerate-transports-response\n  (command gossip-enumerate-transports-response-0)\n  (transports (echo))\n  (tag q1))\n',
    );
  });

  it('answers a JSON connection in JSON lines', async () => {
    const r = raw(peerPath);
    r.write('{"command":"gossip-enumerate-transports-request-0","tag":"j1"}\n');
    assert.equal(await r.waitFor(/\n$/), '{"command":"gossip-enumerate-transports-response-0","transports":["echo"],"tag":"j1"}\n');
  });

  it('refuses each kind of bad input on the connection and keeps serving it', async () => {
    const r = raw(peerPath);
    const cases: [string, string][] = [
      ['{"command":"gossip-frob-0","tag":"u1"}\n', '"code":"unknown-command"'],
      [`{"command":"gossip-msg-0","log-id":"${M}","gossip-data":"aGk","tag":"b1"}\n`, '"code":"bad-base64"'],
      ['{"command":"gossip-msg-0","gossip-data":"aGk=","tag":"f1"}\n', '"code":"bad-field"'],
      ['{"command": nope}\n', '"code":"malformed"'],
      [`{"command":"gossip-msg-0","x":"${'A'.repeat(5000)}"}\n`, '"code":"too-large"'],
      ['(gossip-msg (command gossip-msg-0))\n', '"code":"wrong-encoding"'],
      ['{"command":"gossip-authenticate-request-0","shared-secret":"aGk=","tag":"a1"}\n', '"code":"not-allowed"'],
    ];
    for (const [input, want] of cases) {
      const before = r.data.length;
      r.write(input);
      await waitUntil(want, () => r.data.slice(before).includes(want), { stuckMs: 30_000 });
    }
    r.write('{"command":"gossip-enumerate-transports-request-0","tag":"still"}\n');
    await r.waitFor(/"tag":"still"/);
    assert.equal(r.ended, false);
    assert.ok((await counterValue(service.metrics.refusals, { code: 'too-large' })) >= 1);
  });

  it('echoes a valid message back to the client library with its tag, and gossip() rejects a refusal', async () => {
    const c = await client(peerPath);
    const data = sth(12, 'e');
    await c.gossip({ logId: M, gossipData: data, destination: ['echo'], tag: 'mine' });
    const back = await c.next();
    assert.equal(back.tag, 'mine');
    assert.deepEqual(back.gossipData, data);
    await assert.rejects(
      c.gossip({ logId: M, gossipData: data, destination: ['nowhere'] }),
      (e) => e instanceof GossipClientError && e.refusal === 'unknown-transport',
    );
    assert.deepEqual(await c.transports(), ['echo']);
  });

  it('transport socket: refuses anything before authentication, and closes', async () => {
    const r = raw(transportPath);
    r.write('{"command":"gossip-enumerate-transports-request-0","tag":"x"}\n');
    await r.waitFor(/"code":"not-authenticated"/);
    await waitUntil('close', () => r.ended, { stuckMs: 30_000 });
  });

  it('transport socket: a wrong secret gets bad-auth and the connection closes', async () => {
    const c = await client(transportPath);
    await assert.rejects(c.authenticate(Buffer.from('wrong'), 'relay'), (e) => e instanceof GossipClientError && e.code === 'BAD_AUTH');
    await waitUntil('close', () => c.closed, { stuckMs: 30_000 });
    assert.ok((await counterValue(service.metrics.refusals, { code: 'bad-auth' })) >= 1);
  });

  it('transport socket: a request without transport-id is refused', async () => {
    const r = raw(transportPath);
    r.write(`{"command":"gossip-authenticate-request-0","shared-secret":"${SECRET.toString('base64')}"}\n`);
    await r.waitFor(/"code":"missing-transport-id"/);
    await waitUntil('close', () => r.ended, { stuckMs: 30_000 });
  });

  it('registers an authenticated transport, refuses its id twice, and routes both ways (§6.5)', async () => {
    const relay = await client(transportPath);
    await relay.authenticate(SECRET, 'relay');
    const dup = await client(transportPath);
    await assert.rejects(
      dup.authenticate(SECRET, 'relay'),
      (e) => e instanceof GossipClientError && e.refusal === 'duplicate-transport-id',
    );
    const dupEcho = await client(transportPath);
    await assert.rejects(
      dupEcho.authenticate(SECRET, 'echo'),
      (e) => e instanceof GossipClientError && e.refusal === 'duplicate-transport-id',
    );

    const peer = await client(peerPath);
    assert.deepEqual(await peer.transports(), ['echo', 'relay']);
    // Peer → the transport.
    const out = sth(20, 'out');
    await peer.gossip({ logId: M, gossipData: out, destination: ['relay'] });
    const got = await relay.next();
    assert.deepEqual(got.gossipData, out);
    assert.ok(got.timestamp !== undefined);
    // The transport → every peer, with source set.
    const other = await client(peerPath);
    await other.transports();
    const inc = sth(21, 'in');
    relay.send({ command: 'gossip-msg-0', logId: M, gossipData: inc, source: 'spoofed' });
    for (const p of [peer, other]) {
      const m = await p.next();
      assert.equal(m.source, 'relay');
      assert.deepEqual(m.gossipData, inc);
    }
    // When it goes, it is unregistered.
    relay.close();
    await waitUntil('unregister', async () => (await peer.transports()).length === 1, { stuckMs: 30_000 });
  });
});
