/**
 * RFC 6962 §3.5 signed tree heads: "The log signs the tree head with
 * TreeHeadSignature … digitally-signed struct { version, signature_type =
 * tree_hash, timestamp, tree_size, sha256_root_hash }".
 */
import { encodeTreeHeadSignature, type TreeHead } from '../codec/ct.ts';
import type { SignedTreeHead } from '../codec/ct-json.ts';
import { signDigitallySigned, verifyDigitallySigned } from './digitally-signed.ts';
import { SignatureError } from './errors.ts';
import { logIdOf } from './logid.ts';
import type { PublicKey, Signer } from './types.ts';

/**
 * Checks an STH (as parsed by parseGetSth / sthFromJson) against its log's
 * key. When the STH carries a `log_id` (gossiped STHs do), it must be the
 * key's RFC 6962 log ID (SignatureError LOG_ID_MISMATCH): a valid signature
 * presented under another log's name is still a lie about which log said it.
 * Then the DigitallySigned must use the key's algorithm pair
 * (ALGORITHM_MISMATCH) and verify over the 50-byte TreeHeadSignature
 * (BAD_SIGNATURE). Returns nothing: no exception means valid.
 */
export function verifySth(sth: SignedTreeHead, key: PublicKey): void {
  if (sth.logId !== undefined && !sth.logId.equals(logIdOf(key))) {
    throw new SignatureError(
      'LOG_ID_MISMATCH',
      `STH names log_id ${sth.logId.toString('base64')}, want ${logIdOf(key).toString('base64')} (SHA-256 of the key)`,
    );
  }
  verifyDigitallySigned(key, encodeTreeHeadSignature(sth), sth.treeHeadSignature);
}

/** Signs a tree head as an RFC 6962 log does; the result formats with formatGetSth. */
export function signSth(signer: Signer, th: TreeHead): SignedTreeHead {
  const treeHeadSignature = signDigitallySigned(signer, encodeTreeHeadSignature(th));
  return { timestamp: th.timestamp, treeSize: th.treeSize, sha256RootHash: th.sha256RootHash, treeHeadSignature };
}
