/**
 * The logs a witness cosigns for: origin, the log's verifier keys, and the
 * per-log operator settings (URL, `qpd` budget, disabled flag). Pure: no I/O.
 *
 * Log keys are note verifiers of the log's own signature types
 * (c2sp.org/signed-note §Signature types): Ed25519 (0x01), ECDSA (0x02,
 * Rekor) and the RFC 6962 tree head signature (0x05, c2sp.org/static-ct-api
 * §Checkpoints) for CT logs. Cosignature keys (0x04) and the obsolete 0x03
 * are refused: they are witnesses' keys, not a log's. A 0x05 key verifies
 * only notes whose origin equals its key name (the origin line is not signed),
 * so its name must be the log's origin.
 */
import { originHash } from '../checkpoint/index.ts';
import { type NoteVerifier, SignatureType, VerifierSet, verifierFromVkey } from '../note/index.ts';
import { WitnessConfigError } from './errors.ts';

/** The signature types a log may sign its checkpoints with. */
const LOG_KEY_TYPES: ReadonlySet<number> = new Set([SignatureType.Ed25519, SignatureType.ECDSA, SignatureType.RFC6962]);

export interface WitnessLog {
  /** The checkpoint origin line, exactly. */
  readonly origin: string;
  /** Lowercase hex SHA-256(origin): the monitoring path component (c2sp.org/tlog-witness §Monitoring). */
  readonly originHash: string;
  /** The log's keys: a checkpoint must carry a verifying signature from one of them. */
  readonly keys: VerifierSet;
  /** Where the log publishes checkpoints (the feeder polls it). Informational for the witness. */
  readonly url?: string;
  /** add-checkpoint requests per day (witness-network.org); undefined: unlimited. */
  readonly qpd?: number;
  /** A disabled log is treated as unknown (404); its last cosigned checkpoint stays readable. */
  readonly disabled: boolean;
  readonly contact?: string;
  /** How a feeder reads the log at `url` (sources.ts); undefined: from its key type. */
  readonly feeder?: 'tlog-tiles' | 'sumdb' | 'rfc6962';
}

export interface WitnessLogSpec {
  readonly origin: string;
  /** One or more vkeys (several during a key rotation). */
  readonly vkeys: readonly string[];
  readonly url?: string;
  readonly qpd?: number;
  readonly disabled?: boolean;
  readonly contact?: string;
  readonly feeder?: 'tlog-tiles' | 'sumdb' | 'rfc6962';
}

/** Builds a log from its spec. Throws WitnessConfigError (or NoteError BAD_KEY / UNSUPPORTED_ALGORITHM for a bad vkey). */
export function witnessLog(spec: WitnessLogSpec): WitnessLog {
  const where = `log ${JSON.stringify(spec.origin)}`;
  if (spec.origin === '' || spec.origin.includes('\n'))
    throw new WitnessConfigError('BAD_CONFIG', `${where}: want a non-empty one-line origin`);
  if (spec.vkeys.length === 0) throw new WitnessConfigError('BAD_CONFIG', `${where}: got no vkey, want at least one`);
  const keys: NoteVerifier[] = spec.vkeys.map((vkey) => {
    const v = verifierFromVkey(vkey);
    if (!LOG_KEY_TYPES.has(v.type)) {
      throw new WitnessConfigError(
        'BAD_CONFIG',
        `${where}: vkey ${v.name} has signature type 0x0${v.type}, want a log key (0x01 Ed25519, 0x02 ECDSA, 0x05 RFC 6962)`,
      );
    }
    if (v.type === SignatureType.RFC6962 && v.name !== spec.origin) {
      throw new WitnessConfigError(
        'BAD_CONFIG',
        `${where}: RFC 6962 vkey named ${JSON.stringify(v.name)}, want the origin (it verifies only that origin)`,
      );
    }
    return v;
  });
  if (spec.qpd !== undefined && !(Number.isSafeInteger(spec.qpd) && spec.qpd >= 1)) {
    throw new WitnessConfigError('BAD_CONFIG', `${where}: got qpd ${spec.qpd}, want a positive integer`);
  }
  return Object.freeze({
    origin: spec.origin,
    originHash: originHash(spec.origin).toString('hex'),
    keys: new VerifierSet(keys),
    ...(spec.url !== undefined ? { url: spec.url } : {}),
    ...(spec.qpd !== undefined ? { qpd: spec.qpd } : {}),
    disabled: spec.disabled ?? false,
    ...(spec.contact !== undefined ? { contact: spec.contact } : {}),
    ...(spec.feeder !== undefined ? { feeder: spec.feeder } : {}),
  });
}

/** The witness's logs by origin and by origin hash. Immutable. */
export class LogList {
  readonly #byOrigin = new Map<string, WitnessLog>();
  readonly #byHash = new Map<string, WitnessLog>();

  /** Throws WitnessConfigError for two logs with one origin. */
  constructor(logs: Iterable<WitnessLog>) {
    for (const log of logs) {
      if (this.#byOrigin.has(log.origin)) throw new WitnessConfigError('BAD_CONFIG', `log ${JSON.stringify(log.origin)} is listed twice`);
      this.#byOrigin.set(log.origin, log);
      this.#byHash.set(log.originHash, log);
    }
    Object.freeze(this);
  }

  get size(): number {
    return this.#byOrigin.size;
  }

  /** The log of `origin`, disabled or not. */
  byOrigin(origin: string): WitnessLog | undefined {
    return this.#byOrigin.get(origin);
  }

  /** The log whose lowercase hex SHA-256(origin) is `hash`. */
  byOriginHash(hash: string): WitnessLog | undefined {
    return this.#byHash.get(hash);
  }

  [Symbol.iterator](): IterableIterator<WitnessLog> {
    return this.#byOrigin.values();
  }
}

/**
 * Merges log specs by origin, in order (log lists first, then the operator's
 * own entries): vkeys accumulate (a list never removes a key), and url, qpd,
 * disabled and contact of a later entry override an earlier one's, so an
 * operator's `disabled: true` survives every re-fetch of a list.
 */
export function mergeLogSpecs(specs: Iterable<WitnessLogSpec>): WitnessLogSpec[] {
  const byOrigin = new Map<string, WitnessLogSpec>();
  for (const s of specs) {
    const have = byOrigin.get(s.origin);
    if (!have) {
      byOrigin.set(s.origin, { ...s, vkeys: [...new Set(s.vkeys)] });
      continue;
    }
    byOrigin.set(s.origin, {
      ...have,
      ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)),
      vkeys: [...new Set([...have.vkeys, ...s.vkeys])],
    });
  }
  return [...byOrigin.values()];
}
