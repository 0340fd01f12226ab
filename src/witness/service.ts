/**
 * The witness (c2sp.org/tlog-witness): the `processX` functions the HTTP
 * routes call, never seeing a request object (STYLE.md §7).
 *
 * add-checkpoint, in the spec's order (statuses in errors.ts):
 *   1. parse the body and the note (400);
 *   2. the log of the origin line (404; a disabled log counts as unknown);
 *   3. the note's signatures under the log's keys: unknown keys are ignored,
 *      a trusted key's bad signature is 403, no trusted signature is 403;
 *   4. the checkpoint text (400), old ≤ size (400);
 *   5. the log's qpd budget (429), charged only now so that junk cannot
 *      spend a log's budget (as the hub charges a source only after its
 *      signature verified);
 *   6. read the latest cosigned checkpoint of the origin, decide (409, 422;
 *      decide.ts), cosign, and compare-and-swap it in, persisted before the
 *      answer (HeadStore contract: resolved true means persisted). A lost
 *      swap means another request moved the origin: read again and decide
 *      again, so the compare of `old` with the stored size and the write are
 *      one atomic step, as the spec requires (its six-step race cannot
 *      happen: a request decided on a state that has moved never writes).
 *
 * Cosigning: every configured key cosigns (cosignature/v1, all with one
 * timestamp), the first key's line first. During a key rotation clients that
 * trust the old key and clients that trust the new one both verify; a key is
 * retired by removing it. The timestamp is the clock's POSIX seconds, but
 * never below the time of the cosignature stored for the origin (a clock
 * stepping back must not make a later cosignature claim an earlier time) and
 * never 0 (the spec requires a non-zero timestamp).
 *
 * The stored record per origin (HeadStore key `witness/<origin hash>`) is the
 * cosigned checkpoint: the checkpoint text, the log signatures that verified,
 * and the witness's cosignatures; unknown signatures are dropped. It is what
 * the monitoring GET serves, and it is trusted when read back (no signature
 * check, so a log's key rotation does not strand its state): whoever can
 * write the store can make the witness refuse a log, or cosign a fork of it.
 *
 * Concurrency: every method may interleave with every other at each await.
 * Nothing is kept between awaits but the qpd buckets (charged synchronously).
 */
import type { Logger } from 'pino';
import type { HeadStore, StoredHeadRecord } from '../audit/index.ts';
import { type Checkpoint, CheckpointError, parseCheckpoint } from '../checkpoint/index.ts';
import { QuotaError, QuotaManager } from '../log/index.ts';
import {
  type CosignerV1,
  cosignatureV1Time,
  formatNote,
  formatSignatureLine,
  type Note,
  NoteError,
  type NoteSignature,
  parseNote,
  parseVkey,
  type VerifiedNote,
  verifyNote,
} from '../note/index.ts';
import { type Decision, decideAddCheckpoint } from './decide.ts';
import { WitnessConfigError, WitnessError } from './errors.ts';
import { type EvidenceRaiser, refusedCheckpointEvidence } from './incident.ts';
import type { LogList, WitnessLog } from './log-list.ts';
import type { WitnessMetrics } from './metrics.ts';
import { type AddCheckpointRequest, parseAddCheckpointRequest } from './request.ts';

/** Swaps lost in a row before a request gives up with CONTENTION (each loss means another request progressed). */
const MAX_SWAP_ATTEMPTS = 16;
const DAY_SECONDS = 86_400;

export interface WitnessServiceOptions {
  readonly logs: LogList;
  /** The witness's keys; every one cosigns, the first one's line first. At least one. */
  readonly cosigners: readonly CosignerV1[];
  /** One witness per store: keys are `witness/<origin hash>`. */
  readonly store: HeadStore;
  /** Where evidence of a log's misbehaviour goes (src/incidents' IncidentReporter); none: it is only logged. */
  readonly incidents?: EvidenceRaiser;
  /** ms since the epoch. Default Date.now. */
  readonly clock?: () => number;
  readonly metrics?: WitnessMetrics;
  readonly logger?: Logger;
  /**
   * Test-only seams (STYLE.md §14): `beforeSwap` runs after the decision and
   * cosignature and before the compare-and-swap, so a test can force two
   * requests to decide on one state.
   */
  readonly testingOnlyHooks?: { readonly beforeSwap?: (origin: string) => Promise<void> };
}

export interface AddCheckpointResult {
  readonly verdict: Decision['verdict'];
  readonly origin: string;
  readonly size: number;
  /** The cosignature lines, one per witness key. */
  readonly cosignatures: readonly NoteSignature[];
  /** The response body: the cosignature lines, each ending in "\n". */
  readonly body: string;
}

/** The HeadStore key of an origin. */
export function witnessStateKey(log: WitnessLog): string {
  return `witness/${log.originHash}`;
}

/**
 * A log's qpd budget as a token bucket: qpd/86400 tokens per second, holding
 * an hour's share (⌈qpd/24⌉) but at least 4 (a log recovering from a 409
 * needs two requests) and at most the day's qpd.
 */
function qpdQuota(qpd: number, clock: () => number): QuotaManager {
  const burst = Math.min(qpd, Math.max(4, Math.ceil(qpd / 24)));
  return new QuotaManager({ global: { write: { rate: qpd / DAY_SECONDS, burst } } }, clock);
}

export class WitnessService {
  readonly #logs: LogList;
  readonly #cosigners: readonly CosignerV1[];
  readonly #store: HeadStore;
  readonly #incidents: EvidenceRaiser | undefined;
  readonly #clock: () => number;
  readonly #metrics: WitnessMetrics | undefined;
  readonly #logger: Logger | undefined;
  readonly #beforeSwap: ((origin: string) => Promise<void>) | undefined;
  /** origin → its qpd bucket; built once, charged synchronously. */
  readonly #quotas = new Map<string, QuotaManager>();
  /**
   * State key → the time of the witness's cosignature in the record of that revision, so a request need not
   * parse the stored note again. An entry is used only for its exact revision, so a stale one is harmless.
   */
  readonly #times = new Map<string, { readonly revision: number; readonly time: number }>();

  constructor(opts: WitnessServiceOptions) {
    if (opts.cosigners.length === 0) throw new WitnessConfigError('BAD_CONFIG', 'got no witness key, want at least one');
    const seen = new Set<string>();
    for (const c of opts.cosigners) {
      // tlog-cosignature: the signed message does not name the cosigner, so every cosigner needs its own key.
      const key = parseVkey(c.vkey).key.toString('hex');
      if (seen.has(key)) throw new WitnessConfigError('BAD_CONFIG', `witness key ${c.vkey} is listed twice`);
      seen.add(key);
    }
    this.#logs = opts.logs;
    this.#cosigners = opts.cosigners;
    this.#store = opts.store;
    this.#incidents = opts.incidents;
    this.#clock = opts.clock ?? Date.now;
    this.#metrics = opts.metrics;
    this.#logger = opts.logger;
    this.#beforeSwap = opts.testingOnlyHooks?.beforeSwap;
    for (const log of opts.logs) if (log.qpd !== undefined) this.#quotas.set(log.origin, qpdQuota(log.qpd, this.#clock));
  }

  /** The witness's name: its first key's name (incidents' observer). */
  get name(): string {
    return this.#cosigners[0].name;
  }

  /** The logs it witnesses. */
  get logs(): LogList {
    return this.#logs;
  }

  /** The cosignature/v1 vkeys of the witness, the signing order. */
  get vkeys(): readonly string[] {
    return this.#cosigners.map((c) => c.vkey);
  }

  /** POST add-checkpoint: the body as received. Throws WitnessError, QuotaError, StorageError. */
  async processAddCheckpoint(body: Uint8Array): Promise<AddCheckpointResult> {
    try {
      const res = await this.#addCheckpoint(parseAddCheckpointRequest(body));
      this.#metrics?.requests.inc({ result: res.verdict === 'same' ? 'recosigned' : 'cosigned' });
      return res;
    } catch (err) {
      const result = err instanceof WitnessError ? err.code : err instanceof QuotaError ? 'QUOTA' : 'ERROR';
      this.#metrics?.requests.inc({ result });
      throw err;
    }
  }

  /** GET <origin hash>/checkpoint: the latest cosigned checkpoint. Throws WitnessError NOT_COSIGNED. */
  async processGetCheckpoint(originHash: string): Promise<string> {
    const log = this.#logs.byOriginHash(originHash);
    if (!log) throw new WitnessError('NOT_COSIGNED', `no log with origin hash ${originHash.slice(0, 64)}`);
    const rec = await this.#store.get(witnessStateKey(log));
    if (!rec) throw new WitnessError('NOT_COSIGNED', `nothing cosigned yet for ${JSON.stringify(log.origin)}`);
    return Buffer.from(rec.body).toString('utf8');
  }

  async #addCheckpoint(req: AddCheckpointRequest): Promise<AddCheckpointResult> {
    const note = parseNoteOrMalformed(req.checkpoint);
    const origin = note.text.slice(0, note.text.indexOf('\n'));
    const log = this.#logs.byOrigin(origin);
    if (!log || log.disabled)
      throw new WitnessError('UNKNOWN_ORIGIN', `got origin ${JSON.stringify(origin.slice(0, 200))}, want a configured log`);
    const verified = verifyOrForbidden(note, log);
    const cp = parseCheckpointOrMalformed(note.text);
    if (req.oldSize > cp.size) {
      throw new WitnessError('OLD_SIZE_TOO_LARGE', `got old size ${req.oldSize}, want at most the checkpoint size ${cp.size}`);
    }
    this.#quotas.get(origin)?.charge('write', 0);

    const key = witnessStateKey(log);
    for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
      const rec = await this.#store.get(key);
      let decision: Decision;
      try {
        decision = decideAddCheckpoint(req.oldSize, req.proof, cp, rec);
      } catch (err) {
        // A refusal says something about the log only when the sizes or roots differ: a non-empty proof
        // between equal checkpoints is a submitter's mistake about a consistent pair.
        if (
          err instanceof WitnessError &&
          (err.code === 'ROOT_MISMATCH' || err.code === 'BAD_PROOF') &&
          !(rec?.size === cp.size && rec.rootHash.length === cp.rootHash.length && Buffer.compare(rec.rootHash, cp.rootHash) === 0)
        ) {
          await this.#raise(err, log, verified, cp, req, rec);
        }
        throw err;
      }
      const time = Math.max(1, Math.floor(this.#clock() / 1000), this.#storedTime(key, rec));
      const cosignatures = this.#cosigners.map((c) => c.cosign(note.text, time));
      const stored = formatNote({ text: note.text, signatures: [...verified.verified, ...cosignatures] });
      await this.#beforeSwap?.(origin);
      if (
        await this.#store.compareAndSwap(key, rec?.revision ?? 0, {
          size: cp.size,
          rootHash: cp.rootHash,
          body: Buffer.from(stored, 'utf8'),
        })
      ) {
        this.#times.set(key, { revision: (rec?.revision ?? 0) + 1, time });
        return Object.freeze({
          verdict: decision.verdict,
          origin,
          size: cp.size,
          cosignatures: Object.freeze(cosignatures),
          body: cosignatures.map(formatSignatureLine).join(''),
        });
      }
      this.#metrics?.casConflicts.inc();
    }
    throw new WitnessError('CONTENTION', `state of ${JSON.stringify(origin)} moved ${MAX_SWAP_ATTEMPTS} times during one request; retry`);
  }

  /** The newest time among the witness's own cosignatures in a stored record (0 when none of its current keys signed it). */
  #storedTime(key: string, rec: StoredHeadRecord | null): number {
    if (!rec) return 0;
    const cached = this.#times.get(key);
    if (cached?.revision === rec.revision) return cached.time;
    let t = 0;
    for (const s of parseNote(rec.body).signatures) {
      if (this.#cosigners.some((c) => c.name === s.name && c.keyId === s.keyId)) t = Math.max(t, cosignatureV1Time(s.signature) ?? 0);
    }
    this.#times.set(key, { revision: rec.revision, time: t });
    return t;
  }

  /**
   * Raises a log-signed checkpoint that failed consistency as evidence (incident.ts). The refusal stands
   * whatever happens here: evidence that does not build, or a reporter that fails, is logged.
   */
  async #raise(
    err: WitnessError,
    log: WitnessLog,
    verified: VerifiedNote,
    cp: Checkpoint,
    req: AddCheckpointRequest,
    rec: StoredHeadRecord | null,
  ): Promise<void> {
    const code = err.code as 'ROOT_MISMATCH' | 'BAD_PROOF';
    this.#logger?.error({ origin: log.origin, code, detail: err.message }, 'checkpoint signed by its log refused for inconsistency');
    try {
      const doc = refusedCheckpointEvidence({
        code,
        origin: log.origin,
        vkey: verified.verified[0].verifier.vkey,
        ...(log.url !== undefined ? { url: log.url } : {}),
        witness: this.name,
        accepted: rec ? { note: Buffer.from(rec.body).toString('utf8'), time: this.#storedTime(witnessStateKey(log), rec) } : null,
        submitted: req.checkpoint.toString('utf8'),
        oldSize: req.oldSize,
        size: cp.size,
        rootHash: cp.rootHash,
        proof: req.proof,
        detail: err.message,
        atMs: this.#clock(),
      });
      this.#metrics?.incidents.inc({ category: doc.kind });
      await this.#incidents?.raise(doc);
    } catch (raiseErr) {
      this.#logger?.error(
        { err: raiseErr, origin: log.origin, submitted: req.checkpoint.toString('utf8') },
        'could not raise the evidence',
      );
    }
  }
}

function parseNoteOrMalformed(bytes: Buffer): Note {
  try {
    return parseNote(bytes);
  } catch (err) {
    if (err instanceof NoteError) throw new WitnessError('MALFORMED', `checkpoint: ${err.message}`, { cause: err });
    throw err;
  }
}

function verifyOrForbidden(note: Note, log: WitnessLog): VerifiedNote {
  try {
    return verifyNote(note, log.keys);
  } catch (err) {
    if (err instanceof NoteError && err.code === 'BAD_SIGNATURE') throw new WitnessError('BAD_SIGNATURE', err.message, { cause: err });
    if (err instanceof NoteError && err.code === 'NO_VERIFIED_SIGNATURE') throw new WitnessError('UNTRUSTED', err.message, { cause: err });
    throw err;
  }
}

function parseCheckpointOrMalformed(text: string): Checkpoint {
  try {
    return parseCheckpoint(text);
  } catch (err) {
    if (err instanceof CheckpointError) throw new WitnessError('MALFORMED', `checkpoint: ${err.message}`, { cause: err });
    throw err;
  }
}
