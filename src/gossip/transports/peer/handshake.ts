/**
 * The daemon-to-daemon handshake of the `peer` transport: mutual
 * authentication with Ed25519 keys pinned in each side's config, and session
 * keys for the frames that follow.
 *
 *   each side → other:  HELLO { v: 1, key: Ed25519 public key, eph: X25519 public key, nonce: 32 random bytes }
 *   transcript       =  SHA-256("grapevine gossip peer v1" ‖ len ‖ HELLO(dialer) ‖ len ‖ HELLO(listener))
 *   each side → other:  AUTH { sig: Ed25519(own key, "grapevine gossip peer v1 auth\n" ‖ role ‖ "\n" ‖ transcript) }
 *   session keys     =  HKDF-SHA256(X25519(eph, eph'), salt = transcript, info = "dialer→listener" | "listener→dialer"), 32 bytes each
 *
 * The HELLO key must be one of the configured peers' keys (else the
 * connection closes); the AUTH signature must verify under it over the
 * transcript of *this* connection with the signer's role, so a signature
 * cannot be replayed into another connection or reflected back. The
 * ephemeral X25519 keys make every session's keys fresh; frames are then
 * sealed with ChaCha20-Poly1305 (frames.ts), so nothing can be injected or
 * changed on the path after the handshake.
 *
 * Pure: no I/O (randomness and keys come in).
 */
import { createHash, createPublicKey, diffieHellman, hkdfSync, type KeyObject, sign, verify } from 'node:crypto';
import { GrapevineError } from '../../../errors.ts';

export type PeerHandshakeErrorCode = 'BAD_HELLO' | 'UNKNOWN_PEER' | 'BAD_AUTH';
export class PeerHandshakeError extends GrapevineError<PeerHandshakeErrorCode> {}

export const PROTOCOL = 'grapevine gossip peer v1';
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Longest handshake line, bytes. */
export const MAX_HANDSHAKE_LINE = 1024;

export type Role = 'dialer' | 'listener';

export interface Hello {
  readonly key: Buffer;
  readonly eph: Buffer;
  readonly nonce: Buffer;
}

/** The raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function rawEd25519(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length);
}

function ed25519FromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawX25519(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' }).subarray(X25519_SPKI_PREFIX.length);
}

export function formatHello(h: Hello): string {
  return JSON.stringify({ v: 1, key: h.key.toString('base64'), eph: h.eph.toString('base64'), nonce: h.nonce.toString('base64') });
}

/** Parses a HELLO line strictly. Throws PeerHandshakeError BAD_HELLO. */
export function parseHello(line: string): Hello {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line);
  } catch {
    throw new PeerHandshakeError('BAD_HELLO', 'HELLO is not JSON');
  }
  const field = (name: string) => {
    const v = o?.[name];
    const b = typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (b.length !== 32 || b.toString('base64') !== v) throw new PeerHandshakeError('BAD_HELLO', `HELLO ${name}: want base64 of 32 bytes`);
    return b;
  };
  if (o?.v !== 1) throw new PeerHandshakeError('BAD_HELLO', `HELLO version ${String(o?.v)}, want 1`);
  return { key: field('key'), eph: field('eph'), nonce: field('nonce') };
}

/** The transcript both sides sign: the two HELLO lines as sent, the dialer's first. */
export function transcript(dialerHello: string, listenerHello: string): Buffer {
  const h = createHash('sha256').update(PROTOCOL);
  for (const line of [dialerHello, listenerHello]) {
    const b = Buffer.from(line, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return h.digest();
}

function authMessage(role: Role, t: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${PROTOCOL} auth\n${role}\n`), t]);
}

/** Our AUTH line for `role`. */
export function formatAuth(ownKey: KeyObject, role: Role, t: Buffer): string {
  return JSON.stringify({ sig: sign(null, authMessage(role, t), ownKey).toString('base64') });
}

/** Checks the other side's AUTH line: signed by `peerKey` (raw 32 bytes) as `role` over this transcript. Throws BAD_AUTH. */
export function checkAuth(line: string, peerKey: Buffer, role: Role, t: Buffer): void {
  let sig: Buffer;
  try {
    const o = JSON.parse(line);
    sig = Buffer.from(String(o?.sig ?? ''), 'base64');
  } catch {
    throw new PeerHandshakeError('BAD_AUTH', 'AUTH is not JSON');
  }
  if (sig.length !== 64 || !verify(null, authMessage(role, t), ed25519FromRaw(peerKey), sig)) {
    throw new PeerHandshakeError('BAD_AUTH', `the ${role}'s AUTH signature does not verify under its pinned key`);
  }
}

export interface SessionKeys {
  /** Seals what this side sends. */
  readonly send: Buffer;
  /** Opens what this side receives. */
  readonly receive: Buffer;
}

/** Session keys from the two ephemeral keys, for `role`'s direction. */
export function sessionKeys(ownEph: KeyObject, peerEph: Buffer, t: Buffer, role: Role): SessionKeys {
  const peer = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peerEph]), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey: ownEph, publicKey: peer });
  const d2l = Buffer.from(hkdfSync('sha256', shared, t, 'dialer->listener', 32));
  const l2d = Buffer.from(hkdfSync('sha256', shared, t, 'listener->dialer', 32));
  return role === 'dialer' ? { send: d2l, receive: l2d } : { send: l2d, receive: d2l };
}
