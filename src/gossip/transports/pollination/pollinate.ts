/**
 * The two halves of STH pollination (draft-ietf-trans-gossip-05 §… "STH
 * Pollination"; gossip-protocols.md §2.2–§2.5), transport-agnostic:
 *
 * - taking STHs in: each one is matched to a known log (by its `log_id`, or,
 *   for a -05 entry that names none, by trying the keys of the logs whose
 *   signature algorithm it uses, at most `maxTrials` of them) and handed to
 *   the service, which validates it (§5.1: unknown log or bad signature,
 *   silently discarded; older than 14 days, stale) before pooling it;
 * - giving STHs out: up to `count` fresh STHs chosen at random from the pool
 *   (the mixing rule), at most one per log per hour (the pool's `pollinate`
 *   mark: "clients silently ignore STHs from logs that issue more than 1 STH
 *   per hour").
 *
 * Both sides of the wire use these: the server route (routes.ts) and the
 * client rounds (transport.ts).
 */
import { type SignedTreeHead, sthFromJson, sthToJson } from '../../../codec/index.ts';
import { rfc6962LogId, verifySth } from '../../../crypto/index.ts';
import type { GossipPool, Incoming, PoolEntry } from '../../service/index.ts';
import type { KnownLog, LogRegistry } from '../../validate/index.ts';
import { formatPollinationBody, type PollinationShape } from './body.ts';

/** The log an STH belongs to: the one its log_id names, else the first known key it verifies under. */
export function logOfSth(sth: SignedTreeHead, logs: LogRegistry, maxTrials: number): KnownLog | null {
  if (sth.logId !== undefined) return logs.get(sth.logId.toString('hex')) ?? null;
  let tries = 0;
  for (const log of logs) {
    if (!log.key) continue;
    if (tries++ >= maxTrials) return null;
    try {
      verifySth(sth, log.key);
      return log;
    } catch {
      // not this log's
    }
  }
  return null;
}

/**
 * Incoming messages for the STHs of a body: each with the log id it claims
 * or was found under; STHs of no known log are left out (counted by the
 * caller as unknown-log). The gossip-data is the STH as received.
 */
export function incomingOfSths(
  sths: readonly SignedTreeHead[],
  logs: LogRegistry,
  maxTrials: number,
): { messages: Incoming[]; unknown: number } {
  const messages: Incoming[] = [];
  let unknown = 0;
  for (const sth of sths) {
    const log = logOfSth(sth, logs, maxTrials);
    if (!log) {
      unknown++;
      continue;
    }
    messages.push({
      logId: sth.logId !== undefined ? sth.logId.toString('hex') : log.id,
      gossipData: Buffer.from(JSON.stringify(sthToJson(sth))),
    });
  }
  return { messages, unknown };
}

/** Parsed STH and log id of a pooled head, computed once per entry. */
const parsed = new WeakMap<PoolEntry, { sth: SignedTreeHead; logId: Buffer } | null>();

function sthOfEntry(e: PoolEntry, logs: LogRegistry): { sth: SignedTreeHead; logId: Buffer } | null {
  let p = parsed.get(e);
  if (p === undefined) {
    const log = logs.get(e.logId);
    try {
      p = log?.key ? { sth: sthFromJson(JSON.parse(e.data.toString('utf8'))), logId: rfc6962LogId(log.key) } : null;
    } catch {
      p = null;
    }
    parsed.set(e, p);
  }
  return p;
}

/** Up to `count` fresh pollinatable STHs from the pool, at random. */
export function pollinationSelection(
  pool: GossipPool,
  logs: LogRegistry,
  count: number,
  nowMs: number,
): { sth: SignedTreeHead; logId: Buffer }[] {
  const out: { sth: SignedTreeHead; logId: Buffer }[] = [];
  for (const e of pool.selectPollinatable(count, nowMs)) {
    const p = sthOfEntry(e, logs);
    if (p) out.push(p);
  }
  return out;
}

/** Each pooled head's JSON in both body shapes, made once (a head is handed out many times). */
const fragments = new WeakMap<PoolEntry, { v1: string; sths: string } | null>();

function fragmentsOf(e: PoolEntry, logs: LogRegistry): { v1: string; sths: string } | null {
  let f = fragments.get(e);
  if (f === undefined) {
    const p = sthOfEntry(e, logs);
    f = p ? { v1: formatPollinationBody('v1', [p]).slice(7, -2), sths: formatPollinationBody('sths', [p]).slice(9, -2) } : null;
    fragments.set(e, f);
  }
  return f;
}

/** The response body: a selection from the pool in the request's shape (the same text formatPollinationBody writes). */
export function pollinationResponse(shape: PollinationShape, pool: GossipPool, logs: LogRegistry, count: number, nowMs: number): string {
  const parts: string[] = [];
  for (const e of pool.selectPollinatable(count, nowMs)) {
    const f = fragmentsOf(e, logs);
    if (f) parts.push(f[shape]);
  }
  return `{"${shape}":[${parts.join(',')}]}`;
}
