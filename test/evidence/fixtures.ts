/**
 * Signed material for evidence tests: a CT log, a hub and a checkpoint log
 * with real keys, trees over real leaves (reference RFC 6962 oracle from
 * test/merkle/reference.ts), and signed heads and promises over them. Honest
 * and forked trees are built by signing heads over two different leaf lists
 * with one key, which is exactly what a misbehaving log does.
 */
import { createHash } from 'node:crypto';
import { logIdOfKey, logIdOfOrigin } from '../../src/audit/index.ts';
import {
  encodeHubTimestampedEntry,
  encodeHubTreeHead,
  encodeMerkleTreeLeaf,
  encodeTreeHeadSignature,
  type SignedEntry,
} from '../../src/codec/index.ts';
import { generatePrivateKey, type Signer, signerFromPrivateKey, signSth } from '../../src/crypto/index.ts';
import { signSct } from '../../src/ct/index.ts';
import {
  checkpointHead,
  checkpointLog,
  type EvidenceLog,
  hubEntryHead,
  hubLog,
  hubSthHead,
  type Observed,
  rfc6962Log,
  type SignedHead,
  type SignedPromise,
  sctPromise,
  sgtPromise,
  sthHead,
} from '../../src/evidence/index.ts';
import { hashLeaf } from '../../src/merkle/index.ts';
import {
  ed25519NoteSigner,
  ed25519SignerFromSeed,
  formatNote,
  type NoteSigner,
  rfc6962NoteSignature,
  signNote,
} from '../../src/note/index.ts';
import { refPath, refProof, refRoot } from '../merkle/reference.ts';

export const T0 = 1_750_000_000_000;
export const seen = (by = 'test', atMs = T0, from?: string): Observed => ({ by, atMs, ...(from ? { from } : {}) });

/** Leaf hashes of a tree of `n` leaves named `${tag}-${i}`. */
export function leaves(n: number, tag = 'honest'): Buffer[] {
  return Array.from({ length: n }, (_, i) => hashLeaf(Buffer.from(`${tag}-${i}`)));
}

export const root = (ls: Buffer[], size = ls.length) => refRoot(ls.slice(0, size));
export const consistencyProof = (ls: Buffer[], m: number, n: number) => refProof(m, ls.slice(0, n));
export const inclusionPath = (ls: Buffer[], index: number, n: number) => refPath(index, ls.slice(0, n));

export interface CtWorld {
  readonly signer: Signer;
  readonly log: EvidenceLog;
  readonly logId: Buffer;
  /** A signed get-sth head over the first `size` of `ls`. */
  head(ls: Buffer[], size: number, timestamp: number, by?: string): SignedHead;
  /** The same head as a static-ct-api checkpoint (RFC 6962 note signature, type 0x05). */
  checkpoint(ls: Buffer[], size: number, timestamp: number): SignedHead;
  /** The same head as gosmin submits it to a hub, as read back from the hub's entry. */
  hubEntry(ls: Buffer[], size: number, timestamp: number): SignedHead;
  /** An SCT for a certificate, with its leaf hash. */
  sct(cert: Buffer, timestamp: number): { promise: SignedPromise; leafHash: Buffer };
}

export const CT_ORIGIN = 'ct.example/log1';

export function ctWorld(mmdMs = 10_000): CtWorld {
  const key = generatePrivateKey('ecdsa-p256');
  const signer = signerFromPrivateKey(key);
  const logId = Buffer.from(logIdOfKey(key.publicKey.spki), 'hex');
  const log = rfc6962Log({ spki: key.publicKey.spki, logId: logId.toString('hex'), name: 'test-ct', origin: CT_ORIGIN, mmdMs });
  const th = (ls: Buffer[], size: number, timestamp: number) =>
    signSth(signer, { treeSize: size, timestamp, sha256RootHash: root(ls, size) });
  return {
    signer,
    log,
    logId,
    head: (ls, size, timestamp, by) => sthHead(th(ls, size, timestamp), seen(by)),
    checkpoint(ls, size, timestamp) {
      const sth = th(ls, size, timestamp);
      const text = `${CT_ORIGIN}\n${size}\n${sth.sha256RootHash.toString('base64')}\n`;
      const sig = rfc6962NoteSignature(CT_ORIGIN, key.publicKey.spki, timestamp, sth.treeHeadSignature);
      return checkpointHead(formatNote({ text, signatures: [sig] }), seen());
    },
    hubEntry(ls, size, timestamp) {
      const blob = encodeTreeHeadSignature({ treeSize: size, timestamp, sha256RootHash: root(ls, size) });
      const value = encodeHubTimestampedEntry({
        sourceId: 'https://ct.example/log1/',
        blobData: blob,
        sourceSignature: signer.sign(blob),
        hubTimestamp: BigInt(timestamp) * 1_000_000n,
      });
      return hubEntryHead(value, seen('auditor', timestamp, 'http://hub.example/h1'), { url: 'http://hub.example/h1', index: 0 });
    },
    sct(cert, timestamp) {
      const signedEntry: SignedEntry = { entryType: 'x509_entry', certificate: cert };
      const entry = { timestamp, signedEntry, extensions: Buffer.alloc(0) };
      const sct = signSct(signer, logId, entry);
      return { promise: sctPromise(sct, signedEntry, seen('submitter', timestamp)), leafHash: hashLeaf(encodeMerkleTreeLeaf(entry)) };
    },
  };
}

export interface HubWorld {
  readonly signer: Signer;
  readonly log: EvidenceLog;
  head(ls: Buffer[], size: number, timestampMs: number): SignedHead;
  /** An SGT for a blob, its TimestampedEntry and leaf hash. */
  sgt(blob: string, timestampMs: number): { promise: SignedPromise; value: Buffer; leafHash: Buffer };
}

export function hubWorld(mmdMs = 10_000): HubWorld {
  const key = generatePrivateKey('ecdsa-p256');
  const signer = signerFromPrivateKey(key);
  const log = hubLog({ spki: key.publicKey.spki, logId: logIdOfKey(key.publicKey.spki), name: 'test-hub', mmdMs });
  return {
    signer,
    log,
    head(ls, size, timestampMs) {
      const data = encodeHubTreeHead({ treeSize: size, timestamp: BigInt(timestampMs) * 1_000_000n, rootHash: root(ls, size) });
      return hubSthHead(data, signer.sign(data), seen());
    },
    sgt(blob, timestampMs) {
      const value = encodeHubTimestampedEntry({
        sourceId: 'src',
        blobData: Buffer.from(blob),
        sourceSignature: Buffer.from('sig'),
        hubTimestamp: BigInt(timestampMs) * 1_000_000n,
      });
      return { promise: sgtPromise(value, signer.sign(value), seen('submitter', timestampMs)), value, leafHash: hashLeaf(value) };
    },
  };
}

export interface CheckpointWorld {
  readonly signer: NoteSigner & { readonly vkey: string };
  readonly log: EvidenceLog;
  head(ls: Buffer[], size: number): SignedHead;
}

export function checkpointWorld(origin = 'example.com/cplog'): CheckpointWorld {
  const seed = createHash('sha256').update(origin).digest();
  const signer = ed25519NoteSigner(origin, ed25519SignerFromSeed(seed));
  const log = checkpointLog({ origin, vkey: signer.vkey, logId: logIdOfOrigin(origin), name: origin });
  return {
    signer,
    log,
    head: (ls, size) => checkpointHead(signNote(`${origin}\n${size}\n${root(ls, size).toString('base64')}\n`, signer), seen()),
  };
}
