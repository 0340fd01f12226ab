/**
 * Split-view detection in the service: every validated head is compared with
 * the heads of its log the service holds, and a conflict becomes an incident
 * carrying src/evidence evidence (docs/evidence.md):
 *
 * - fork: two valid heads of one log with the same size and different roots
 *   (gossip-protocols.md §5: "cryptographic proof on its own"). Checked
 *   against every head of that size in the pool, and against the latest head
 *   kept in the HeadStore (which survives restarts).
 * - inconsistent: heads of different sizes whose consistency proof, fetched
 *   from the log when its URL is known (RFC 6962 §4.4), fails; the evidence
 *   carries the root the larger tree has at the smaller size, recomputed from
 *   that proof. A proof that does not even lead to the larger signed root
 *   proves nothing (the log may just have served garbage, §10.5.7): it is
 *   raised as a proof-refused suspicion.
 *
 * The HeadStore keeps, per log, the latest head proven consistent (or, for a
 * log with no proof source, the largest head seen, unverified — same-size
 * forks are still caught). Updates are compare-and-swap (audit/head-store.ts),
 * re-read and retried when another writer moved the record.
 *
 * Concurrency: `check` calls for one log are chained (one at a time, in call
 * order); different logs proceed in parallel. A failing proof fetch, store or
 * sink is counted and logged, never thrown to the caller: detection is a side
 * path of gossiping and never stops it.
 */
import { createHash } from 'node:crypto';
import type { HeadStore, StoredHeadRecord } from '../../audit/index.ts';
import { judge } from '../../audit/index.ts';
import { parseGetSth } from '../../codec/index.ts';
import {
  attempt,
  checkpointHead,
  checkpointLog,
  derivationFromConsistencyProof,
  type EvidenceDocument,
  type EvidenceLog,
  forkEvidence,
  type Incident,
  inconsistentEvidence,
  proofRefusedEvidence,
  rfc6962Log,
  type SignedHead,
  sthHead,
} from '../../evidence/index.ts';
import type { IncidentReporter } from '../../incidents/index.ts';
import type { KnownLog, ValidatedGossip } from '../validate/index.ts';

/** Where consistency proofs come from (RFC 6962 §4.4 get-sth-consistency for CT logs). */
export interface ProofSource {
  /** True when proofs of `log` can be fetched at all. */
  canProve(log: KnownLog): boolean;
  /** The proof between sizes first < second as the log serves it; rejects when it cannot be had. */
  consistency(log: KnownLog, first: number, second: number): Promise<Buffer[]>;
}

/**
 * Where incidents go: src/incidents' IncidentReporter (dedup by incident id
 * across restarts, evidence files, sinks), or anything with its `raise`.
 * Resolves once delivered; may be called concurrently. A rejection is
 * counted and logged by the detector.
 */
export type IncidentRaiser = Pick<IncidentReporter, 'raise'>;

/** A head as the detector keeps it: what was gossiped, who gave it, when. */
interface HeldHead {
  readonly kind: 'rfc6962-sth' | 'checkpoint';
  readonly data: Buffer;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly from: string;
  readonly atMs: number;
}

export type DetectorEvent =
  | 'fork'
  | 'inconsistent'
  | 'proof-refused'
  | 'extended'
  | 'same'
  | 'older'
  | 'unverified'
  | 'proof-unavailable'
  | 'store-error'
  | 'sink-error'
  | 'evidence-error';

export interface SplitViewOptions {
  readonly store: HeadStore;
  readonly incidents: IncidentRaiser;
  readonly proofs?: ProofSource;
  /** Who we are, in evidence (`observed.by`, `createdBy`). */
  readonly observer: string;
  readonly clock: () => number;
  /** Heads of one size held in the pool, for fork checks beyond the stored latest. */
  readonly sameSize: (logId: string, size: number) => readonly HeldHead[];
  /** Called once per new incident (the reporter had not seen its id): broadcast, metrics, pool marking. */
  readonly onIncident: (incident: Incident, heads: readonly HeldHead[]) => void;
  /** A held head was proven a prefix of a later one: it may leave the pool under pressure ("resolved", draft §11.3). */
  readonly onResolved?: (log: KnownLog, head: HeldHead) => void;
  /** Called for every decision and failure, for metrics and debug logs. */
  readonly onEvent?: (event: DetectorEvent, log: KnownLog, detail: string) => void;
}

const STORE_PREFIX = 'gossip/';
const CAS_ATTEMPTS = 5;

function encodeRecordBody(h: HeldHead): Buffer {
  return Buffer.from(JSON.stringify({ kind: h.kind, data: h.data.toString('base64'), from: h.from, atMs: h.atMs }));
}

function decodeRecord(r: StoredHeadRecord): HeldHead {
  const o = JSON.parse(Buffer.from(r.body).toString('utf8'));
  return { kind: o.kind, data: Buffer.from(o.data, 'base64'), size: r.size, rootHash: Buffer.from(r.rootHash), from: o.from, atMs: o.atMs };
}

export class SplitViewDetector {
  readonly #o: SplitViewOptions;
  /** Per log: the tail of its chain of checks. Owned by check(). */
  readonly #chains = new Map<string, Promise<void>>();
  /** Per store key: the last record read or written, decoded, by revision (saves decoding it again). */
  readonly #decoded = new Map<string, { revision: number; head: HeldHead }>();
  #pending = 0;

  constructor(opts: SplitViewOptions) {
    this.#o = opts;
  }

  /** Checks still running (for draining and tests). */
  get pending(): number {
    return this.#pending;
  }

  /** Judges a validated head (kinds rfc6962-sth and checkpoint); resolves when decided. Never rejects. */
  check(v: ValidatedGossip, from: string, atMs: number): Promise<void> {
    if (!v.head || (v.kind !== 'rfc6962-sth' && v.kind !== 'checkpoint')) return Promise.resolve();
    const head: HeldHead = { kind: v.kind, data: v.data, size: v.head.size, rootHash: v.head.rootHash, from, atMs };
    const tail = this.#chains.get(v.log.id) ?? Promise.resolve();
    this.#pending++;
    const run = tail.then(() => this.#check(v.log, head)).finally(() => this.#pending--);
    const next = run.catch(() => {});
    this.#chains.set(v.log.id, next);
    void next.then(() => {
      if (this.#chains.get(v.log.id) === next) this.#chains.delete(v.log.id);
    });
    return next;
  }

  async #check(log: KnownLog, head: HeldHead): Promise<void> {
    for (const other of this.#o.sameSize(log.id, head.size)) {
      if (!other.rootHash.equals(head.rootHash)) {
        await this.#raise(log, [other, head], (l, heads) =>
          forkEvidence({ log: l, by: this.#o.observer, atMs: this.#o.clock(), heads: heads as [SignedHead, SignedHead] }),
        );
        return;
      }
    }
    const key = `${STORE_PREFIX}${log.id}`;
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      let stored: StoredHeadRecord | null;
      try {
        stored = await this.#o.store.get(key);
      } catch (err) {
        this.#event('store-error', log, (err as Error).message);
        return;
      }
      const next = await this.#decide(log, stored ? this.#decode(key, stored) : null, head);
      if (next === null) return;
      try {
        const revision = stored?.revision ?? 0;
        if (await this.#o.store.compareAndSwap(key, revision, { size: head.size, rootHash: head.rootHash, body: encodeRecordBody(head) })) {
          this.#decoded.set(key, { revision: revision + 1, head });
          return;
        }
      } catch (err) {
        this.#event('store-error', log, (err as Error).message);
        return;
      }
    }
    this.#event('store-error', log, `the stored head kept moving over ${CAS_ATTEMPTS} attempts`);
  }

  #decode(key: string, r: StoredHeadRecord): HeldHead {
    const known = this.#decoded.get(key);
    if (known && known.revision === r.revision) return known.head;
    const head = decodeRecord(r);
    this.#decoded.set(key, { revision: r.revision, head });
    return head;
  }

  /** Decides `head` against the stored latest; returns the head to store, or null to keep the record. */
  async #decide(log: KnownLog, latest: HeldHead | null, head: HeldHead): Promise<HeldHead | null> {
    if (latest === null) return head;
    const first = judge(latest, head);
    if (first.verdict === 'same') {
      this.#event('same', log, `size ${head.size}`);
      return null;
    }
    if (first.verdict === 'fork') {
      await this.#raise(log, [latest, head], (l, heads) =>
        forkEvidence({ log: l, by: this.#o.observer, atMs: this.#o.clock(), heads: heads as [SignedHead, SignedHead] }),
      );
      return null;
    }
    if (first.verdict !== 'needs-proof') {
      this.#event('inconsistent', log, `${first.verdict}: a size-0 head with a wrong root`);
      return null;
    }
    const [older, newer] = latest.size < head.size ? [latest, head] : [head, latest];
    const proofs = this.#o.proofs;
    if (!proofs?.canProve(log)) {
      // Without a proof source only same-size forks can be caught; keep the largest head seen.
      this.#event('unverified', log, `${latest.size} → ${head.size} without a proof source`);
      return head.size > latest.size ? head : null;
    }
    let proof: Buffer[];
    const askedAt = this.#o.clock();
    try {
      proof = await proofs.consistency(log, older.size, newer.size);
    } catch (err) {
      this.#event('proof-unavailable', log, `${older.size} → ${newer.size}: ${(err as Error).message}`);
      return null;
    }
    const verdict = judge(older, newer, proof);
    if (verdict.verdict === 'extends') {
      this.#event(head === newer ? 'extended' : 'older', log, `${older.size} → ${newer.size}`);
      this.#o.onResolved?.(log, older);
      return head === newer ? head : null;
    }
    const derivation = derivationFromConsistencyProof(older.size, newer.size, proof, newer.rootHash);
    if (derivation !== null) {
      await this.#raise(log, [older, newer], (l, heads) =>
        inconsistentEvidence({
          log: l,
          by: this.#o.observer,
          atMs: this.#o.clock(),
          older: heads[0],
          newer: heads[1],
          consistency: derivation,
        }),
      );
    } else {
      const request = `${log.url ?? log.name} get-sth-consistency?first=${older.size}&second=${newer.size}`;
      await this.#raise(log, [older, newer], (l, heads) =>
        proofRefusedEvidence({
          log: l,
          by: this.#o.observer,
          atMs: this.#o.clock(),
          older: heads[0],
          newer: heads[1],
          attempts: [attempt(request, askedAt, `a ${proof.length}-hash proof that does not lead to the signed root`, this.#o.observer)],
        }),
      );
    }
    return null;
  }

  async #raise(
    log: KnownLog,
    held: readonly HeldHead[],
    build: (log: EvidenceLog, heads: SignedHead[]) => EvidenceDocument,
  ): Promise<void> {
    let doc: EvidenceDocument;
    try {
      const heads = held.map((h) => this.#signedHead(h));
      doc = build(evidenceLogOf(log), heads);
    } catch (err) {
      this.#event('evidence-error', log, (err as Error).message);
      return;
    }
    this.#event(doc.kind as DetectorEvent, log, doc.summary);
    try {
      const raised = await this.#o.incidents.raise(doc);
      if (raised.fresh) this.#o.onIncident(raised.incident, held);
    } catch (err) {
      this.#event('sink-error', log, (err as Error).message);
    }
  }

  #signedHead(h: HeldHead): SignedHead {
    const seen = { by: this.#o.observer, from: h.from, atMs: h.atMs };
    return h.kind === 'checkpoint' ? checkpointHead(h.data, seen) : sthHead(parseGetSth(h.data), seen);
  }

  #event(event: DetectorEvent, log: KnownLog, detail: string): void {
    this.#o.onEvent?.(event, log, detail);
  }
}

/** The evidence log record of a known log (key inline, so the document stands alone). */
export function evidenceLogOf(log: KnownLog): EvidenceLog {
  const labels = { name: log.name, ...(log.url !== null ? { url: log.url } : {}), ...(log.mmdMs !== null ? { mmdMs: log.mmdMs } : {}) };
  if (log.key && log.key.type !== 'ed25519') {
    return rfc6962Log({ ...labels, spki: log.key.spki, logId: log.id, ...(log.origin !== null ? { origin: log.origin } : {}) });
  }
  const first = [...log.noteVerifiers][0];
  return checkpointLog({ ...labels, origin: log.origin as string, vkey: first.vkey, logId: log.id });
}

/** Identity of a message: hex SHA-256 of its log id and gossip-data. */
export function messageKey(logId: string, data: Uint8Array): string {
  return createHash('sha256').update(logId, 'latin1').update('\n').update(data).digest('hex');
}

export type { HeldHead };
