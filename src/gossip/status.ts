/**
 * What the dashboard shows of a gossip service (src/http/status.ts): its
 * peers, transports and pool, and for each log the heads it holds, one per
 * giver (a peer, a transport), so the Sources view sets what each brought
 * beside the log's own head. Bounded: the largest few heads per log.
 */
import type { PartStatus, SourceObservation } from '../http/index.ts';
import type { GossipService } from './service/index.ts';
import type { BoundAddress } from './sockets/server.ts';

/** Most heads shown per log (the largest sizes, one per giver). */
const MAX_VIEWS_PER_LOG = 8;

const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;

const address = (a: BoundAddress | undefined) =>
  [a?.path, a?.tcpPort !== undefined ? `port ${a.tcpPort}` : undefined].filter(Boolean).join(', ');

export function gossipServiceStatus(name: string, service: GossipService, peerSocket: BoundAddress | undefined): PartStatus {
  const st = service.stats();
  const byLog = new Map<string, Map<string, SourceObservation>>();
  for (const e of service.pool.values()) {
    const views = byLog.get(e.logId) ?? new Map<string, SourceObservation>();
    byLog.set(e.logId, views);
    const held = views.get(e.from);
    if (held && held.head.size >= e.head.size) continue;
    views.set(e.from, {
      source: { id: e.logId, name: service.logs.get(e.logId)?.name ?? e.logId.slice(0, 16) },
      observer: { kind: 'gossip', name: `gossip service ${name} (from ${e.from})` },
      head: { size: e.head.size, root: e.head.rootHash.toString('hex'), timestampMs: e.head.timestampMs },
      observedAtMs: e.receivedAtMs,
    });
  }
  const observations = [...byLog.values()].flatMap((views) =>
    [...views.values()].sort((a, b) => b.head.size - a.head.size).slice(0, MAX_VIEWS_PER_LOG),
  );
  const incidents = service.incidents().length;
  return {
    services: [
      {
        id: `gossip:${name}`,
        kind: 'gossip',
        name: `gossip service ${name}`,
        health: 'ok',
        detail: `${n(st.peers, 'peer', 'peers')}, ${n(st.transports, 'transport', 'transports')}; ${n(st.poolEntries, 'head', 'heads')} held; ${n(incidents, 'split-view incident', 'split-view incidents')}`,
        facts: [
          { label: 'transports', value: service.transportNames().join(', ') || 'none' },
          ...(peerSocket ? [{ label: 'peer socket', value: address(peerSocket) }] : []),
          { label: 'pool', value: `${n(st.poolEntries, 'head', 'heads')}, ${Math.round(st.poolBytes / 1024)} KiB` },
        ],
      },
    ],
    observations,
  };
}
