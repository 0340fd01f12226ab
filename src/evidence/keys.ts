/**
 * Which key the signatures of an evidence document verify under.
 *
 * A document may carry its log's key inline. That proves only that *the
 * holder of that key* misbehaved: anyone can make a key and sign a fork with
 * it. Whether the key is the real log's is knowledge from outside the file
 * (a log list, the operator's config), so the verifier takes keys as well
 * (`grapevine evidence verify --key`), and says in its verdict which it
 * used. When keys are supplied and none is the document's log, the inline
 * key is not trusted in their place.
 *
 * Pure: keys arrive as bytes or text.
 */
import { createHash } from 'node:crypto';
import { decodeBase64 } from '../codec/index.ts';
import { type PublicKey, parsePublicKey } from '../crypto/index.ts';
import { type NoteVerifier, parseVkey, rfc6962Verifier, verifierFromVkey } from '../note/index.ts';
import { EvidenceError } from './errors.ts';
import type { EvidenceLog } from './schema.ts';
import { Unproven } from './unproven.ts';

/** A key given to the verifier: a DER SPKI (CT logs, hubs) or a signed-note vkey (checkpoint logs). */
export type EvidenceKey = { readonly spki: Uint8Array } | { readonly vkey: string };

/** The key a document's signatures are checked with. */
export interface LogKey {
  /** 'supplied': one of the verifier's keys; 'inline': the document's own. */
  readonly source: 'inline' | 'supplied';
  /** The SPKI key of an rfc6962 or hub log. */
  readonly publicKey: PublicKey | null;
  /** Note verifiers: the vkey of a checkpoint log, or the RFC 6962 note verifier (type 0x05) of a CT log with an origin. */
  readonly noteVerifiers: readonly NoteVerifier[];
  /** What to show: hex SHA-256 of the SPKI, or the vkey. */
  readonly fingerprint: string;
}

const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function spkiKey(spki: Uint8Array, what: string): PublicKey {
  try {
    return parsePublicKey(spki);
  } catch (err) {
    throw new EvidenceError('MALFORMED', `${what}: the SPKI does not parse: ${(err as Error).message}`, { cause: err });
  }
}

/** Checks a supplied key once, before any document is read: EvidenceError BAD_KEY when it does not parse. */
export function checkEvidenceKey(k: EvidenceKey): void {
  try {
    if ('spki' in k) parsePublicKey(k.spki);
    else verifierFromVkey(k.vkey);
  } catch (err) {
    throw new EvidenceError('BAD_KEY', `key: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The key of `log`: a supplied one when it is the log's (same log id for
 * SPKI keys; name equal to the origin for vkeys), else the inline one when
 * no keys were supplied. Throws Unproven when there is none to use,
 * EvidenceError MALFORMED when the inline key does not parse.
 */
export function resolveLogKey(log: EvidenceLog, supplied: readonly EvidenceKey[]): LogKey {
  if (log.type === 'checkpoint') {
    if (log.origin === undefined) throw new EvidenceError('MALFORMED', 'evidence: log.origin is required for a checkpoint log');
    const mine = supplied.filter((k): k is { vkey: string } => 'vkey' in k && parseVkey(k.vkey).name === log.origin);
    if (mine.length > 0) {
      return { source: 'supplied', publicKey: null, noteVerifiers: mine.map((k) => verifierFromVkey(k.vkey)), fingerprint: mine[0].vkey };
    }
    refuseInlineWhenSupplied(log, supplied);
    if (log.key === undefined || !('vkey' in log.key)) throw missing(log, 'a vkey');
    let v: NoteVerifier;
    try {
      v = verifierFromVkey(log.key.vkey);
    } catch (err) {
      throw new EvidenceError('MALFORMED', `evidence: log.key.vkey: ${(err as Error).message}`, { cause: err });
    }
    return { source: 'inline', publicKey: null, noteVerifiers: [v], fingerprint: log.key.vkey };
  }
  let key: PublicKey | undefined;
  let source: LogKey['source'] = 'supplied';
  for (const k of supplied) {
    if (!('spki' in k)) continue;
    const pk = parsePublicKey(k.spki);
    if (sha256hex(pk.spki) === log.id) key = pk;
  }
  if (key === undefined) {
    refuseInlineWhenSupplied(log, supplied);
    if (log.key === undefined || !('spki' in log.key)) throw missing(log, 'an SPKI');
    key = spkiKey(decodeBase64(log.key.spki), 'evidence: log.key.spki');
    source = 'inline';
    if (sha256hex(key.spki) !== log.id) {
      throw new Unproven(`log.id ${log.id.slice(0, 16)}… is not SHA-256 of the inline key (${sha256hex(key.spki).slice(0, 16)}…)`);
    }
  }
  const noteVerifiers: NoteVerifier[] = [];
  // A CT log's heads may come as static-ct-api checkpoints: the RFC 6962 note signature (0x05) of the same key.
  if (log.type === 'rfc6962' && log.origin !== undefined && key.type !== 'ed25519')
    noteVerifiers.push(rfc6962Verifier(log.origin, key.spki));
  return { source, publicKey: key, noteVerifiers, fingerprint: sha256hex(key.spki) };
}

function refuseInlineWhenSupplied(log: EvidenceLog, supplied: readonly EvidenceKey[]): void {
  if (supplied.length > 0) {
    throw new Unproven(
      `none of the ${supplied.length} key${supplied.length > 1 ? 's' : ''} given is the key of log ${log.name ?? log.origin ?? log.id.slice(0, 16)}`,
    );
  }
}

function missing(log: EvidenceLog, what: string): Unproven {
  const where = log.keyLocation !== undefined ? ` (the document says: ${log.keyLocation})` : '';
  return new Unproven(`the document carries no key for log ${log.id.slice(0, 16)}…; supply ${what} with --key${where}`);
}
