/**
 * STH pollination bodies (draft-ietf-trans-gossip; gossip-protocols.md
 * §2.2–§2.3). A request and its response carry the same object:
 *
 *   -05:      { "v1": [ <RFC 6962 get-sth object>, … ] }          (and "v2", CT v2, not read here)
 *   -00…-04:  { "sths": [ { "sth_version", "tree_size", "timestamp",
 *                           "sha256_root_hash", "tree_head_signature", "log_id" }, … ] }
 *
 * The older shape is what Google's 2016 gossip server speaks (c-t-go
 * gossip/types.go `STHPollination`), `log_id` naming the log; a -05 entry
 * names none, so the receiver finds the log by trying the keys it knows.
 * A response is written in the shape of the request.
 *
 * Pure: text in, values out; STH fields are checked by codec/ct-json.ts.
 */
import { CodecError, type SignedTreeHead, sthFromJson, sthToJson } from '../../../codec/index.ts';
import { GrapevineError } from '../../../errors.ts';

export type PollinationShape = 'v1' | 'sths';

export interface PollinationBody {
  readonly shape: PollinationShape;
  /** Each STH as parsed (strict), or the problem with it: one bad entry does not spoil the others. */
  readonly sths: readonly (SignedTreeHead | { readonly error: string })[];
}

/** A body that is not a pollination object (BAD_BODY), or one with more STHs than allowed (TOO_MANY). */
export class PollinationBodyError extends GrapevineError<'BAD_BODY' | 'TOO_MANY'> {}

/** Parses a request or response body. Throws PollinationBodyError when it is not a pollination object at all. */
export function parsePollinationBody(text: string, maxSths: number): PollinationBody {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw new PollinationBodyError('BAD_BODY', `not JSON: ${(err as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new PollinationBodyError('BAD_BODY', 'want a JSON object');
  const body = o as Record<string, unknown>;
  const shape: PollinationShape | null = Array.isArray(body.v1) ? 'v1' : Array.isArray(body.sths) ? 'sths' : null;
  if (shape === null) {
    if ('v2' in body) return { shape: 'v1', sths: [] };
    throw new PollinationBodyError('BAD_BODY', 'want "v1" (draft-ietf-trans-gossip-05) or "sths" (-00 to -04): an array of STHs');
  }
  const list = body[shape] as unknown[];
  if (list.length > maxSths) throw new PollinationBodyError('TOO_MANY', `got ${list.length} STHs, want at most ${maxSths}`);
  return {
    shape,
    sths: list.map((x, i) => {
      try {
        return sthFromJson(x, `${shape}[${i}]`);
      } catch (err) {
        if (err instanceof CodecError) return { error: err.message };
        throw err;
      }
    }),
  };
}

/** A body of `shape` holding `sths`; the old shape carries sth_version 0 and each STH's log_id. */
export function formatPollinationBody(shape: PollinationShape, sths: readonly { sth: SignedTreeHead; logId: Buffer }[]): string {
  if (shape === 'sths') {
    return JSON.stringify({ sths: sths.map(({ sth, logId }) => sthToJson({ ...sth, sthVersion: 0, logId })) });
  }
  // -05: exactly the get-sth object (RFC 6962 §4.3), no log_id.
  return JSON.stringify({
    v1: sths.map(({ sth }) =>
      sthToJson({
        treeSize: sth.treeSize,
        timestamp: sth.timestamp,
        sha256RootHash: sth.sha256RootHash,
        treeHeadSignature: sth.treeHeadSignature,
      }),
    ),
  });
}
