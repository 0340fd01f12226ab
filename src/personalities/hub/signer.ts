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
import type { PublicKey, Signer } from '../../crypto/index.ts';
import { HubError, parsesAsEntry, parsesAsTreeHead } from '../../hub/index.ts';
import { LOG_ROOT_DOMAIN } from '../../log/index.ts';

function startsWithLogRootDomain(data: Uint8Array): boolean {
  // The first byte decides for almost every input (an entry starts with its id length's high byte, ≤ 0x04).
  return (
    data.length >= LOG_ROOT_DOMAIN.length &&
    data[0] === LOG_ROOT_DOMAIN[0] &&
    LOG_ROOT_DOMAIN.equals(data.subarray(0, LOG_ROOT_DOMAIN.length))
  );
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
