/**
 * What a server part tells the operator's dashboard (src/dashboard) about
 * itself: the services it runs (a CT log, a hub instance, a witness, a gossip
 * service) with their health, latest signed head and MMD promise, and the
 * heads it has seen of the sources it tracks. Plain data, so a part builds it
 * from its own state and the dashboard never learns a part's classes: a new
 * part plugs in by implementing `Part.status()` (src/http/part.ts).
 *
 * Every string may come from outside (a source's name, a log's description,
 * an error message): the dashboard escapes them all.
 */
import type { Incident } from '../evidence/index.ts';

/** ok: doing its job; warn: degraded (refusing submissions, a stale head); error: not doing it. */
export type Health = 'ok' | 'warn' | 'error';

export type ServiceKind = 'log' | 'hub' | 'witness' | 'gossip' | 'monitor' | 'other';

/** A signed tree head, as the dashboard shows it. */
export interface HeadSummary {
  readonly size: number;
  /** The root hash, lowercase hex. */
  readonly root: string;
  /** The signer's timestamp, ms since the epoch; null for a head that carries none (a checkpoint). */
  readonly timestampMs: number | null;
}

/** Whether a log or hub keeps its maximum merge delay promise (RFC 6962 §3: "incorporate … within the MMD"). */
export interface MmdStatus {
  readonly mmdMs: number;
  /** kept: accepting, and the latest head is younger than the MMD; at-risk: refusing new entries (backlog), or no new head for twice the MMD; broken: the sequencer stopped. */
  readonly state: 'kept' | 'at-risk' | 'broken';
  readonly detail: string;
}

/** One service of a part: a row of the dashboard's overview. */
export interface ServiceStatus {
  /** Unique on the server, e.g. "ct:ct", "hub:hub". */
  readonly id: string;
  readonly kind: ServiceKind;
  readonly name: string;
  readonly health: Health;
  /** One line: what it is doing, or why it is not. */
  readonly detail: string;
  /** Its API on this server, a path ("/ct/v1/"). */
  readonly path?: string;
  readonly head?: HeadSummary;
  readonly mmd?: MmdStatus;
  /** A few more labelled values (targets, transports, keys). */
  readonly facts?: readonly { readonly label: string; readonly value: string; readonly atMs?: number }[];
}

/** A head of a tracked source as one observer holds it. */
export interface SourceObservation {
  /** The source: `id` is its log id (lowercase hex SHA-256 of its key, audit/observed-head.ts), so views of one log meet. */
  readonly source: { readonly id: string; readonly name: string };
  /** Who holds this view: the log itself, a hub, a gossip service, a witness. */
  readonly observer: { readonly kind: ServiceKind; readonly name: string };
  readonly head: HeadSummary;
  /** When the observer got it, ms since the epoch, when known. */
  readonly observedAtMs?: number;
  /** Cosignatures on this head, when the observer holds any (a witness). */
  readonly cosignatures?: number;
}

export interface PartStatus {
  readonly services: readonly ServiceStatus[];
  readonly observations?: readonly SourceObservation[];
}

/** Where a part's incidents can be followed: an IncidentReporter (src/incidents) fits. */
export interface IncidentFeed {
  /** Calls `f` with every fresh incident; returns the unsubscribe function. */
  onRaised(f: (i: Incident) => void): () => void;
  /** The directory of its evidence files `<id>.json`, when it writes them: the incidents of earlier runs. */
  readonly evidenceDir?: string;
}

/** The MMD promise of a tree from its watchdog's state and the age of its latest head. */
export function mmdStatus(o: { mmdMs: number; accepting: boolean; stopped: boolean; headAgeMs: number | null }): MmdStatus {
  if (o.stopped) return { mmdMs: o.mmdMs, state: 'broken', detail: 'the sequencer stopped on a fatal error' };
  if (!o.accepting) return { mmdMs: o.mmdMs, state: 'at-risk', detail: 'refusing new entries: the merge backlog is older than MMD/2' };
  // An idle tree re-signs its head about once per MMD (src/log/timing.ts), so an age up to the MMD plus a
  // sequencer run is normal; twice the MMD is not.
  if (o.headAgeMs !== null && o.headAgeMs > 2 * o.mmdMs) {
    return { mmdMs: o.mmdMs, state: 'at-risk', detail: `no new head for ${Math.round(o.headAgeMs / 1000)} s, more than twice the MMD` };
  }
  return { mmdMs: o.mmdMs, state: 'kept', detail: 'accepting; a fresh head within every MMD' };
}

/** Health from an MMD state. */
export function healthOfMmd(m: MmdStatus): Health {
  return m.state === 'kept' ? 'ok' : m.state === 'at-risk' ? 'warn' : 'error';
}
