/**
 * What the dashboard shows of the hub instances (src/http/status.ts): each
 * hub with its served head, MMD promise and readiness, and for each tracked
 * source the head the hub recorded last (get-latest-for-src, §1.7), decoded
 * from the stored entry, so the dashboard can set it beside what other
 * observers hold of the same log.
 */
import { createHash } from 'node:crypto';
import { decodeHubTimestampedEntry } from '../../codec/index.ts';
import { type Health, healthOfMmd, mmdStatus, type PartStatus, type ServiceStatus, type SourceObservation } from '../../http/index.ts';
import { type ParsedBlob, parseBlob } from '../../hub/blob.ts';
import type { TrackedSource } from '../../hub/source.ts';
import { nsToMs } from '../../hub/time.ts';
import type { OpenedHub } from './hub.ts';

/** The source's log id: hex SHA-256 of its key's SPKI (audit/observed-head.ts `logIdOfKey`). */
function sourceLogId(s: TrackedSource): string {
  return createHash('sha256').update(s.publicKey.spki).digest('hex');
}

/** A tree head in a recorded blob, when its kind carries one. */
function headOf(p: ParsedBlob): { size: number; root: string; timestampMs: number | null } | null {
  switch (p.kind) {
    case 'RFC6962STH':
      return { size: p.treeSize, root: p.rootHash.toString('hex'), timestampMs: p.timestamp };
    case 'CHECKPOINT':
    case 'GONOTARY':
      return { size: p.treeSize, root: p.rootHash.toString('hex'), timestampMs: null };
    case 'GOSSIPHUB':
      return { size: p.treeSize, root: p.rootHash.toString('hex'), timestampMs: nsToMs(p.timestamp) };
    default:
      return null;
  }
}

async function latestFor(h: OpenedHub, s: TrackedSource): Promise<SourceObservation | null> {
  const leaf = await h.log.getLatestByLabel(s.id);
  if (!leaf) return null;
  const entry = decodeHubTimestampedEntry(leaf.value);
  const head = headOf(parseBlob(s, Buffer.from(entry.blobData)));
  if (!head) return null;
  return {
    source: { id: sourceLogId(s), name: s.name || s.id },
    observer: { kind: 'hub', name: `hub ${h.hub.prefix}` },
    head,
    observedAtMs: nsToMs(entry.hubTimestamp),
  };
}

export async function hubsStatus(hubs: readonly OpenedHub[], now: number): Promise<PartStatus> {
  const services: ServiceStatus[] = [];
  const observations: SourceObservation[] = [];
  for (const h of hubs) {
    const served = h.hub.servedHead();
    const { watchdog } = h.tree;
    const mmd = mmdStatus({
      mmdMs: h.tree.timing.mmdMs,
      accepting: watchdog.accepting,
      stopped: watchdog.stopped !== null,
      headAgeMs: served ? now - served.timestampMs : null,
    });
    const ready = h.hub.readiness();
    const health: Health = !ready.ready || h.hub.alerting ? 'error' : healthOfMmd(mmd);
    services.push({
      id: `hub:${h.hub.prefix}`,
      kind: 'hub',
      name: `hub ${h.hub.prefix}`,
      health,
      detail: mmd.state === 'kept' ? ready.detail : `${ready.detail}; ${mmd.detail}`,
      path: `/${h.hub.prefix}/gossip/v0/`,
      ...(served ? { head: { size: served.size, root: served.rootHash.toString('hex'), timestampMs: served.timestampMs } } : {}),
      mmd,
      facts: [{ label: 'sources', value: h.hub.sources.map((s) => s.name || s.id).join(', ') || 'none' }],
    });
    for (const s of h.hub.sources) {
      const o = await latestFor(h, s);
      if (o) observations.push(o);
    }
  }
  return { services, observations };
}
