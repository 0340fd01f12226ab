/**
 * Fetching one head from a source and verifying it under the configured
 * key (the monitor's I/O edge for heads): an RFC 6962 get-sth, a checkpoint
 * URL (tlog-tiles `<prefix>/checkpoint`, sumdb `/latest`), or a Gossip Hub's
 * get-latest-for-src for the log's source id. Every head is verified with
 * src/evidence's rules (checkSignedHead), in the signed form it keeps for
 * evidence. Bodies are bounded and requests timed (fetch.ts).
 */
import { parseCheckpoint } from '../checkpoint/index.ts';
import { decodeTreeHeadSignature, parseGetSth } from '../codec/index.ts';
import { CtClient } from '../ct/index.ts';
import { GrapevineError } from '../errors.ts';
import {
  checkpointHead,
  checkSignedHead,
  EvidenceError,
  hubEntryHead,
  type Observed,
  type SignedHead,
  sthHead,
} from '../evidence/index.ts';
import { HubClient } from '../hub/index.ts';
import { msToNs } from '../hub/time.ts';
import { TlogTilesClient } from '../tiles/index.ts';
import { MonitorError } from './errors.ts';
import type { MonitoredHub, MonitoredLog } from './logs.ts';
import type { Seen } from './seen.ts';

export interface ObserveContext {
  /** Who observes (goes into evidence). */
  readonly by: string;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

/** Any failure of a request or of a body as MonitorError (codes of errors.ts). */
export function asMonitorError(err: unknown, what: string): MonitorError {
  if (err instanceof MonitorError) return err;
  if (err instanceof EvidenceError)
    return new MonitorError(err.code === 'BAD_SIGNATURE' ? 'BAD_SIGNATURE' : 'BAD_RESPONSE', `${what}: ${err.message}`, { cause: err });
  if (err instanceof GrapevineError) {
    // CtClientError / HubClientError: HTTP, BAD_RESPONSE, BAD_SIGNATURE, BAD_PROOF, MISMATCH.
    const inner = (err as { cause?: unknown }).cause;
    if (inner instanceof MonitorError) return inner;
    const code =
      err.code === 'HTTP' ? 'HTTP' : err.code === 'BAD_SIGNATURE' || err.code === 'BAD_HUB_SIGNATURE' ? 'BAD_SIGNATURE' : 'BAD_RESPONSE';
    return new MonitorError(code, `${what}: ${err.message}`, { cause: err });
  }
  return new MonitorError('HTTP', `${what}: ${(err as Error).message}`, { cause: err });
}

function seenOf(head: SignedHead, log: MonitoredLog, latest: boolean, what: string): Seen {
  try {
    const o = checkSignedHead(head, log.evidence, what);
    return { size: o.size, root: o.root, timeNs: o.timeNs, head, latest, observedAtMs: Date.parse(head.observed.at) };
  } catch (err) {
    throw asMonitorError(err, what);
  }
}

export function ctClient(log: MonitoredLog, ctx: ObserveContext): CtClient {
  if (log.spec.url === undefined) throw new MonitorError('CONFIG', `log ${log.name} has no url`);
  return new CtClient({ url: log.spec.url, logKey: null, fetch: ctx.fetch, timeoutMs: 3_600_000 });
}

/**
 * The tiles of a checkpoint log whose url is a tiled log's checkpoint
 * (c2sp.org/tlog-tiles `<prefix>/checkpoint`, or Go sumdb's `<prefix>/latest`
 * with tile/8/… paths); null for any other url (no proofs to be had).
 */
export function tilesClient(log: MonitoredLog, ctx: ObserveContext): TlogTilesClient | null {
  if (log.spec.type !== 'checkpoint' || log.spec.url === undefined) return null;
  return TlogTilesClient.forCheckpointUrl(log.spec.url, { fetch: ctx.fetch, timeoutMs: 3_600_000 });
}

export function hubClient(hub: MonitoredHub, ctx: ObserveContext): HubClient {
  return new HubClient({ url: hub.spec.url, hubKey: hub.spec.publicKey, fetch: ctx.fetch, timeoutMs: 3_600_000 });
}

/** The log's own latest head. */
export async function pollLog(log: MonitoredLog, ctx: ObserveContext): Promise<Seen> {
  const url = log.spec.url;
  if (url === undefined) throw new MonitorError('CONFIG', `log ${log.name} has no url`);
  const target = log.spec.type === 'rfc6962' ? `${url.replace(/\/+$/, '').replace(/\/ct\/v1$/, '')}/ct/v1/get-sth` : url;
  let body: Buffer;
  try {
    const res = await ctx.fetch(target);
    body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new MonitorError('HTTP', `${target}: HTTP ${res.status}`);
  } catch (err) {
    throw asMonitorError(err, target);
  }
  const seen: Observed = { by: ctx.by, from: target, atMs: ctx.now() };
  let head: SignedHead;
  try {
    head = log.spec.type === 'rfc6962' ? sthHead(parseGetSth(body), seen) : checkpointHead(body, seen);
  } catch (err) {
    throw asMonitorError(err, target);
  }
  return seenOf(head, log, true, target);
}

/** The latest head of `log` that `hub` holds under `sourceId` (null: none yet). */
export async function pollHubLatest(hub: MonitoredHub, sourceId: string, log: MonitoredLog, ctx: ObserveContext): Promise<Seen | null> {
  const what = `${hub.spec.url} get-latest-for-src ${sourceId}`;
  let value: Buffer;
  try {
    const e = await hubClient(hub, ctx).getLatestForSource(sourceId);
    if (e === null) return null;
    value = e.value;
  } catch (err) {
    throw asMonitorError(err, what);
  }
  return seenOf(
    hubEntryHead(value, { by: ctx.by, from: hub.spec.url, atMs: ctx.now() }, { url: hub.spec.url, id: hub.id }),
    log,
    false,
    what,
  );
}

/**
 * A head of `log` from a hub entry whose source signature the caller has
 * already verified with this log's key (hub-tree.ts checkEntry): decoded
 * only, not verified twice (one ECDSA verify per entry is the auditor's
 * budget). Null when the blob is not a head of the log's kind.
 */
export function seenFromCheckedEntry(
  value: Buffer,
  blob: Buffer,
  index: number,
  hub: MonitoredHub,
  log: MonitoredLog,
  ctx: ObserveContext,
): Seen | null {
  const atMs = ctx.now();
  const head = hubEntryHead(value, { by: ctx.by, from: hub.spec.url, atMs }, { url: hub.spec.url, id: hub.id, index });
  try {
    if (log.spec.type === 'rfc6962') {
      const th = decodeTreeHeadSignature(blob);
      return {
        size: th.treeSize,
        root: th.sha256RootHash,
        timeNs: msToNs(th.timestamp),
        head,
        latest: false,
        observedAtMs: atMs,
      };
    }
    const cp = parseCheckpoint(blob.toString('utf8'), log.spec.origin === undefined ? {} : { origin: log.spec.origin });
    return { size: cp.size, root: cp.rootHash, timeNs: null, head, latest: false, observedAtMs: atMs };
  } catch {
    return null;
  }
}

/** A head of `log` read from a hub entry (the auditor's get-entries), verified. Throws MonitorError. */
export function seenFromHubEntry(value: Buffer, index: number, hub: MonitoredHub, log: MonitoredLog, ctx: ObserveContext): Seen {
  const head = hubEntryHead(value, { by: ctx.by, from: hub.spec.url, atMs: ctx.now() }, { url: hub.spec.url, id: hub.id, index });
  return seenOf(head, log, false, `${hub.name} entry ${index}`);
}
