/**
 * The split-view detector with the log's own proofs (src/gossip/proofs.ts,
 * LogProofSource): a tiled checkpoint log (c2sp.org/tlog-tiles, its `tiles`
 * checkpoint URL) served as static files over loopback HTTP. Heads of
 * different sizes are checked with a consistency proof folded from the
 * log's hash tiles: a fork at different sizes is caught with evidence that
 * proves it, an honest log that grows raises nothing. A tiled CT log of
 * Google's log list gets its `tiles` from the list's monitoring_url.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { verifyEvidence } from '../../../src/evidence/index.ts';
import { LogProofSource } from '../../../src/gossip/proofs.ts';
import { GossipService } from '../../../src/gossip/service/index.ts';
import { evidenceKeysOf, LogRegistry, parseCtLogListV3 } from '../../../src/gossip/validate/index.ts';
import { Command, type GossipMessage, type GossipMsg } from '../../../src/gossip/wire/index.ts';
import { MemoryHeadStore } from '../../../src/storage/memory/head-store.ts';
import { type StaticLog, serveStaticLog } from '../../tiles/static-log.ts';
import { TestLog } from '../../witness/fixtures.ts';
import { LOG_LIST_TEXT } from '../fixtures.ts';
import { InboxPeer, RecordingTransport } from './helpers.ts';

const servers: StaticLog[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function detector(log: TestLog, tiles: string) {
  const logs = new LogRegistry([{ name: 'tiled', vkeys: [log.vkey], origin: log.origin, tiles: `${tiles}/checkpoint` }]);
  const s = new GossipService({ logs, store: new MemoryHeadStore(), proofs: new LogProofSource() });
  const [x, y] = [new RecordingTransport('x'), new RecordingTransport('y')];
  s.registerTransport(x);
  s.registerTransport(y);
  const peer = new InboxPeer('watcher');
  s.attachPeer(peer);
  const [{ id }] = [...logs];
  const give = (t: RecordingTransport, size: number, from: TestLog = log) =>
    t.deliver({ logId: id, gossipData: Buffer.from(from.checkpoint(size)) });
  return { s, x, y, peer, give, id };
}

const gossipOf = (m: GossipMessage[]) => m.filter((x): x is GossipMsg => x.command === Command.gossipMsg);

describe('split-view detection with proofs from a tiled log', () => {
  it('catches a fork at different sizes with a proof from the log’s tiles, and tells peers with evidence that proves it', async () => {
    const honest = new TestLog('tiles.example/gossip', 5);
    const forked = honest.fork(3, 4); // size 7, agreeing with the honest log up to 3 leaves only
    const served = await serveStaticLog(forked, 7);
    servers.push(served);
    const d = await detector(honest, served.url);
    d.give(d.x, 5);
    d.give(d.y, 7, forked);
    await d.s.settled();
    assert.deepEqual(
      d.s.incidents().map((i) => i.category),
      ['inconsistent'],
    );
    assert.ok(served.requests > 0, 'the proof came from the tiles');
    const ev = gossipOf(d.peer.inbox).find((m) => m.source === '');
    assert.ok(ev, 'no evidence message reached the peer');
    const log = d.s.logs.get(d.id);
    assert.ok(log);
    const verdict = verifyEvidence(ev.gossipData, { keys: evidenceKeysOf(log) });
    assert.equal(verdict.proves, true, verdict.line);
  });

  it('raises nothing for an honest tiled log seen at two sizes', async () => {
    const log = new TestLog('tiles.example/honest-gossip', 300);
    const served = await serveStaticLog(log, 300);
    servers.push(served);
    const d = await detector(log, served.url);
    d.give(d.x, 5);
    d.give(d.y, 300);
    await d.s.settled();
    assert.deepEqual(d.s.incidents(), []);
    assert.ok(served.requests > 0, 'the step was proven from the tiles');
  });

  it('gives a tiled CT log of Google’s list v3 its monitoring_url’s checkpoint as tiles', () => {
    const tiled = parseCtLogListV3(LOG_LIST_TEXT).filter((l) => l.tiles !== undefined);
    assert.deepEqual(
      tiled.map((l) => l.tiles),
      ['https://m-mon.ct.grapevine.test/2026h1/checkpoint'],
    );
    const registry = new LogRegistry(parseCtLogListV3(LOG_LIST_TEXT));
    const proofs = new LogProofSource();
    assert.ok([...registry].some((l) => l.tiles !== null && proofs.canProve(l)));
  });
});
