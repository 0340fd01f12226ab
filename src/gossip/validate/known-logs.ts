/**
 * The logs the service knows, looked up by the `log-id` of a message.
 *
 * draft-linus-trans-gossip-00 §6: `log-id` is "SHA-256 of the log's public
 * key"; §5.1: a message "with an unknown log id … MUST be silently
 * discarded". So every known log has a key, and its canonical id is
 * SHA-256 of that key's DER SubjectPublicKeyInfo — for a CT log exactly the
 * RFC 6962 §3.2 LogID. A checkpoint log is identified by its origin
 * (c2sp.org/tlog-checkpoint; gossip-protocols.md §7 "key each log by its
 * origin"): its canonical id is the transparency-dev origin id
 * SHA-256("o:" || origin) that witnesses and distributors use. Aliases, all
 * resolving to the same log: SHA-256 of the SPKI form of every further key
 * (Ed25519 raw vkey keys wrapped per RFC 8410; ECDSA 0x02 and RFC 6962 0x05
 * vkeys carry the SPKI itself) and the origin id of a CT log with an origin.
 * One key may sign several logs (Rekor's shards share one): a key id shared
 * by two logs names neither, and the registry drops it.
 *
 * A CT log whose checkpoint origin is known (static-ct-api logs, or one
 * configured with `origin`) also verifies RFC 6962 note signatures (0x05), so
 * its get-sth STHs and its checkpoints are heads of one log, compared with
 * each other.
 *
 * Pure: keys arrive as text or bytes; nothing here reads files.
 */
import { logIdOfKey, logIdOfOrigin } from '../../audit/index.ts';
import { type PublicKey, parsePublicKey } from '../../crypto/index.ts';
import {
  ed25519PublicKey,
  type NoteVerifier,
  parseVkey,
  rfc6962Verifier,
  SignatureType,
  VerifierSet,
  verifierFromVkey,
} from '../../note/index.ts';
import { KnownLogError } from './errors.ts';

/** How a log is described in config (or by a log list). */
export interface KnownLogSpec {
  /** For people and metrics labels: the log list's `description`, or a config name. */
  readonly name: string;
  /** The log's signing key (PEM, DER or base64 DER SPKI): the key of its STHs, SCTs and RFC 6962 note signatures. */
  readonly key?: string | Uint8Array | PublicKey;
  /** Signed-note verifier keys of the log (c2sp.org/signed-note), any supported type. */
  readonly vkeys?: readonly string[];
  /** The checkpoint origin line (c2sp.org/tlog-checkpoint). Required with `vkeys`; with `key`, enables 0x05 notes. */
  readonly origin?: string;
  /** RFC 6962 API base URL (ends in /), where consistency proofs can be fetched. */
  readonly url?: string;
  /** A tiled log's checkpoint URL (tlog-tiles `<prefix>/checkpoint`, sumdb `<prefix>/latest`): proofs from its hash tiles. */
  readonly tiles?: string;
  /** Maximum merge delay, ms. */
  readonly mmdMs?: number;
  /** The log list's state (usable, readonly, retired, …), for display. */
  readonly state?: string;
  /** A log id the source claims (the log list's base64 `log_id`, as hex): checked against the key. */
  readonly claimedLogId?: string;
}

export interface KnownLog {
  /**
   * Canonical log id: hex SHA-256 of the RFC 6962 key's SPKI, or for a log
   * with note keys only, SHA-256("o:" || origin). Heads are kept and compared
   * under this id.
   */
  readonly id: string;
  /** Every id that resolves to this log (the canonical one first). */
  readonly ids: readonly string[];
  readonly name: string;
  /** Key of RFC 6962 STHs and SCTs (absent for a log with Ed25519 or ECDSA note keys only). */
  readonly key: PublicKey | null;
  readonly origin: string | null;
  /** Verifiers of the log's checkpoint signatures (empty when the log has no checkpoint form). */
  readonly noteVerifiers: VerifierSet;
  readonly url: string | null;
  readonly tiles: string | null;
  readonly mmdMs: number | null;
  readonly state: string | null;
}

function spkiOfVkeyKey(type: number, material: Buffer): Buffer {
  if (type === SignatureType.Ed25519) return ed25519PublicKey(material).spki;
  return material; // 0x02 ECDSA and 0x05 RFC 6962 vkeys carry DER SPKI
}

/** Builds one log; throws KnownLogError BAD_LOG naming it. */
export function makeKnownLog(spec: KnownLogSpec): KnownLog {
  const bad = (why: string, cause?: unknown) =>
    new KnownLogError('BAD_LOG', `log ${JSON.stringify(spec.name)}: ${why}`, cause === undefined ? undefined : { cause });
  let key: PublicKey | null = null;
  if (spec.key !== undefined) {
    try {
      key = typeof spec.key === 'object' && 'spki' in spec.key ? spec.key : parsePublicKey(spec.key as string | Uint8Array);
    } catch (err) {
      throw bad(`bad key: ${(err as Error).message}`, err);
    }
  }
  const vkeys = spec.vkeys ?? [];
  if (vkeys.length > 0 && spec.origin === undefined) throw bad('vkeys need the checkpoint origin');
  if (!key && vkeys.length === 0) throw bad('give key, vkeys or both: §5.1 validates against the log key');
  if (spec.origin !== undefined && spec.origin.length === 0) throw bad('empty origin');

  const ids: string[] = [];
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
  };
  const verifiers: NoteVerifier[] = [];
  if (key) {
    add(logIdOfKey(key.spki));
    if (spec.origin !== undefined && key.type !== 'ed25519') {
      try {
        verifiers.push(rfc6962Verifier(spec.origin, key.spki));
      } catch (err) {
        throw bad(`origin ${JSON.stringify(spec.origin)} cannot name an RFC 6962 note key: ${(err as Error).message}`, err);
      }
    }
  }
  for (const vkey of vkeys) {
    let v: NoteVerifier;
    let material: Buffer;
    try {
      const parsed = parseVkey(vkey);
      v = verifierFromVkey(vkey);
      material = spkiOfVkeyKey(parsed.type, parsed.key);
    } catch (err) {
      throw bad(`bad vkey: ${(err as Error).message}`, err);
    }
    if (v.type === SignatureType.CosignatureV1 || v.type === SignatureType.LegacyWitness) {
      throw bad(`vkey ${v.name} is a witness cosigner key, not a log key`);
    }
    if (v.type === SignatureType.RFC6962 && key === null) key = parsePublicKey(material);
    add(logIdOfKey(material));
    verifiers.push(v);
  }
  if (spec.origin !== undefined) {
    // A log known by note keys only is its origin; a CT log is its key (RFC 6962 §3.2), the origin an alias.
    if (spec.key === undefined) ids.unshift(logIdOfOrigin(spec.origin));
    else add(logIdOfOrigin(spec.origin));
  }
  if (spec.claimedLogId !== undefined && spec.claimedLogId !== ids[0]) {
    throw bad(`log_id ${spec.claimedLogId} is not SHA-256 of its key (${ids[0]})`);
  }
  let noteVerifiers: VerifierSet;
  try {
    noteVerifiers = new VerifierSet(verifiers);
  } catch (err) {
    throw bad((err as Error).message, err);
  }
  return Object.freeze({
    id: ids[0],
    ids: Object.freeze(ids),
    name: spec.name,
    key,
    origin: spec.origin ?? null,
    noteVerifiers,
    url: spec.url ?? null,
    tiles: spec.tiles ?? null,
    mmdMs: spec.mmdMs ?? null,
    state: spec.state ?? null,
  });
}

/**
 * The known logs by every id. Canonical ids must be unique; an alias that two
 * logs share (one key signing several logs) or that is another log's
 * canonical id resolves to no log. Immutable once built; safe to share.
 */
export class LogRegistry {
  readonly #byId = new Map<string, KnownLog>();
  readonly #logs: KnownLog[] = [];

  /** Throws KnownLogError: BAD_LOG for a spec that does not build, DUPLICATE_LOG when two logs share a canonical id. */
  constructor(specs: Iterable<KnownLogSpec | KnownLog>) {
    const canonical = new Map<string, KnownLog>();
    for (const s of specs) {
      const log = 'ids' in s ? s : makeKnownLog(s);
      const have = canonical.get(log.id);
      if (have) {
        throw new KnownLogError(
          'DUPLICATE_LOG',
          `logs ${JSON.stringify(have.name)} and ${JSON.stringify(log.name)} share log id ${log.id}`,
        );
      }
      canonical.set(log.id, log);
      this.#logs.push(log);
    }
    const aliasOwners = new Map<string, KnownLog[]>();
    for (const log of this.#logs) {
      for (const id of log.ids.slice(1)) aliasOwners.set(id, [...(aliasOwners.get(id) ?? []), log]);
    }
    for (const [id, owners] of aliasOwners) {
      if (owners.length === 1 && !canonical.has(id)) this.#byId.set(id, owners[0]);
    }
    for (const [id, log] of canonical) this.#byId.set(id, log);
    Object.freeze(this);
  }

  /** The log that `logId` (64 lowercase hex digits) names, or undefined. */
  get(logId: string): KnownLog | undefined {
    return this.#byId.get(logId);
  }

  get size(): number {
    return this.#logs.length;
  }

  [Symbol.iterator](): IterableIterator<KnownLog> {
    return this.#logs.values();
  }
}
