/**
 * Where a feeder reads a log's latest checkpoint and its consistency proofs
 * (specs/gossip-protocols.md §4.1, transparency-dev/witness feeders):
 *
 *   tlog-tiles   GET <url>/checkpoint, proofs computed from <url>/tile/… (c2sp.org/tlog-tiles)
 *   sumdb        GET <url>/latest, proofs from <url>/tile/8/… (Go checksum database)
 *   rfc6962      GET <url>/ct/v1/get-sth turned into a checkpoint with the RFC 6962 note
 *                signature (c2sp.org/static-ct-api §Checkpoints: no private key needed),
 *                proofs from get-sth-consistency
 *
 * Every checkpoint is verified under the log's keys before it is fed: a
 * feeder never forwards what the log did not sign. Proofs are not checked
 * here: the witness checks them.
 */
import { formatCheckpoint, openCheckpoint } from '../checkpoint/index.ts';
import { type PublicKey, parsePublicKey } from '../crypto/index.ts';
import { CtClient } from '../ct/index.ts';
import { formatNote, parseVkey, rfc6962NoteSignature, SignatureType, type VerifierSet } from '../note/index.ts';
import { TlogTilesClient } from '../tiles/index.ts';
import { WitnessConfigError } from './errors.ts';
import type { WitnessLog } from './log-list.ts';
import type { ProofSource } from './submit.ts';

/** How a log publishes: the feeder kinds. */
export const FEEDER_KINDS = ['tlog-tiles', 'sumdb', 'rfc6962'] as const;
export type FeederKind = (typeof FEEDER_KINDS)[number];

export interface FeedSource {
  readonly origin: string;
  readonly url: string;
  /** The log's latest checkpoint as a signed note, verified under the log's keys. */
  latest(): Promise<{ readonly note: string; readonly size: number }>;
  readonly proofs: ProofSource;
}

export interface SourceOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** A tlog-tiles or sumdb log. */
export function tiledSource(
  log: { readonly origin: string; readonly keys: VerifierSet; readonly url: string },
  layout: 'tlog-tiles' | 'sumdb',
  opts: SourceOptions = {},
): FeedSource {
  const client = new TlogTilesClient({ url: log.url, layout, ...opts });
  return {
    origin: log.origin,
    url: log.url,
    async latest() {
      const bytes = await client.checkpoint();
      const cp = openCheckpoint(bytes, { log: log.keys, origin: log.origin });
      return { note: bytes.toString('utf8'), size: cp.checkpoint.size };
    },
    proofs: (from, to) => client.reader().consistencyProof(from, to),
  };
}

/** An RFC 6962 log whose key is the SPKI of its 0x05 vkey; the checkpoint's origin is the vkey's name. */
export function rfc6962Source(
  log: { readonly origin: string; readonly spki: Uint8Array; readonly url: string },
  opts: SourceOptions = {},
): FeedSource {
  const key: PublicKey = parsePublicKey(log.spki);
  const ct = new CtClient({ url: log.url, logKey: key, ...opts });
  return {
    origin: log.origin,
    url: log.url,
    async latest() {
      const sth = await ct.getSth();
      const text = formatCheckpoint({ origin: log.origin, size: sth.treeSize, rootHash: sth.sha256RootHash, extensions: [] });
      const sig = rfc6962NoteSignature(log.origin, log.spki, sth.timestamp, sth.treeHeadSignature);
      return { note: formatNote({ text, signatures: [sig] }), size: sth.treeSize };
    },
    proofs: (from, to) => ct.getSthConsistency(from, to),
  };
}

/**
 * The feed source of a configured log: its `url`, and a kind given or
 * guessed (an RFC 6962 vkey: rfc6962; else tlog-tiles). Throws
 * WitnessConfigError for a log without a URL, or an rfc6962 log without a
 * 0x05 key.
 */
export function feedSourceOf(log: WitnessLog, kind?: FeederKind, opts: SourceOptions = {}): FeedSource {
  if (log.url === undefined) throw new WitnessConfigError('BAD_CONFIG', `log ${JSON.stringify(log.origin)} has no url to feed from`);
  const ct = [...log.keys].find((k) => k.type === SignatureType.RFC6962);
  const k = kind ?? (ct ? 'rfc6962' : 'tlog-tiles');
  if (k !== 'rfc6962') return tiledSource({ origin: log.origin, keys: log.keys, url: log.url }, k, opts);
  if (!ct) throw new WitnessConfigError('BAD_CONFIG', `log ${JSON.stringify(log.origin)}: an rfc6962 feed needs an RFC 6962 (0x05) vkey`);
  return rfc6962Source({ origin: log.origin, spki: parseVkey(ct.vkey).key, url: log.url }, opts);
}
