/**
 * Domain separation for the hub key (ARCHITECTURE.md, "Hub domain
 * separation"). The original signs SGTs (TLS TimestampedEntry) and tree
 * heads (TLS HubTreeHead) with one key and no type byte (specs/gossip-hub.md
 * §2.5), so a source could shape a blob whose TimestampedEntry also decodes
 * as a HubTreeHead and get the hub to sign a tree head it never had.
 *
 * We keep the original's signed bytes (wire compatibility: its clients verify
 * raw signatures over exactly those bytes) and make the two signed languages
 * disjoint instead, enforced here, at the only place the hub key signs:
 *
 * - `signEntry` refuses bytes that strictly decode as a HubTreeHead
 *   (HubError DOMAIN_COLLISION, answered 400 before anything is stored);
 * - `signTreeHead` refuses bytes that strictly decode as a TimestampedEntry
 *   (cannot happen for tree sizes below 2^48, since source_id<1..2^16-1>
 *   would then start with a zero length; checked anyway);
 * - neither may start with the core's LogRoot domain prefix, which the
 *   same key signs inside the log core (src/log/log-root.ts). Source ids are
 *   at most 1024 bytes, so an entry's first two bytes are never "gr", and a
 *   tree head's first bytes are a size < 2^53; checked anyway.
 *
 * "Parses as" means the full byte string has the other structure's shape,
 * with no trailing bytes (the original's `tls.Unmarshal` callers refuse
 * trailing data). The checks are structural and broader than any decoder:
 * they ignore the size of integers and the UTF-8 of source ids.
 */
import type { PublicKey, Signer } from '../crypto/index.ts';
import { LOG_ROOT_DOMAIN } from '../log/index.ts';
import { HubError } from './errors.ts';

/**
 * True when `data` has the shape of a HubTreeHead (§2.3): u64 ‖ u64 ‖
 * u16 n ‖ n bytes with 1 ≤ n and nothing after. Structural only — any
 * uint64 size counts, as it would for a Go client — so it is at least as
 * broad as every strict decoder, and it never throws (it runs per request).
 */
export function parsesAsTreeHead(data: Uint8Array): boolean {
  if (data.length < 19) return false;
  const n = (data[16] << 8) | data[17];
  return n >= 1 && data.length === 18 + n;
}

/**
 * True when `data` has the shape of a TimestampedEntry (§2.1):
 * u16 a ‖ a bytes (a ≥ 1) ‖ u16 b ‖ b bytes (b ≥ 1) ‖ u16 c ‖ c bytes ‖ u64,
 * nothing after. Structural only (source_id need not be UTF-8), never throws.
 */
export function parsesAsEntry(data: Uint8Array): boolean {
  let at = 0;
  for (const min of [1, 1, 0]) {
    if (data.length < at + 2) return false;
    const n = (data[at] << 8) | data[at + 1];
    if (n < min) return false;
    at += 2 + n;
  }
  return data.length === at + 8;
}

function startsWithLogRootDomain(data: Uint8Array): boolean {
  return data.length >= LOG_ROOT_DOMAIN.length && LOG_ROOT_DOMAIN.equals(data.subarray(0, LOG_ROOT_DOMAIN.length));
}

/** HubError DOMAIN_COLLISION unless `entry` may be signed as an SGT. */
export function checkEntryDomain(entry: Uint8Array): void {
  if (parsesAsTreeHead(entry)) {
    throw new HubError('DOMAIN_COLLISION', 'refusing to sign: this TimestampedEntry would also parse as a HubTreeHead');
  }
  if (startsWithLogRootDomain(entry))
    throw new HubError('DOMAIN_COLLISION', 'refusing to sign: entry starts with the log-root domain prefix');
}

/** HubError DOMAIN_COLLISION unless `head` may be signed as a tree head. */
export function checkTreeHeadDomain(head: Uint8Array): void {
  if (parsesAsEntry(head))
    throw new HubError('DOMAIN_COLLISION', 'refusing to sign: this HubTreeHead would also parse as a TimestampedEntry');
  if (startsWithLogRootDomain(head))
    throw new HubError('DOMAIN_COLLISION', 'refusing to sign: head starts with the log-root domain prefix');
}

/**
 * The hub key, able to sign only SGTs and tree heads, each checked against
 * the other's language. Stateless; safe to call concurrently.
 */
export class HubSigner {
  readonly #signer: Signer;

  constructor(signer: Signer) {
    this.#signer = signer;
  }

  get publicKey(): PublicKey {
    return this.#signer.publicKey;
  }

  /** §2.4: the raw signature over exactly the TimestampedEntry bytes. */
  signEntry(entry: Uint8Array): Buffer {
    checkEntryDomain(entry);
    return this.#signer.sign(entry);
  }

  /** §2.5: the raw signature over exactly the HubTreeHead bytes. */
  signTreeHead(head: Uint8Array): Buffer {
    checkTreeHeadDomain(head);
    return this.#signer.sign(head);
  }
}
