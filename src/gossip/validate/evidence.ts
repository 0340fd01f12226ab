/**
 * Split-view evidence as gossip-data, so that an incident travels like any
 * other gossip and every receiver can check it alone:
 *
 *     { "grapevine_evidence": "split-view/v0",
 *       "log_id": "<hex>", "verdict": "fork" | "inconsistent",
 *       "heads": ["<base64 gossip-data>", "<base64 gossip-data>"],
 *       "consistency": ["<base64 32-byte hash>", …] }
 *
 * Valid when both heads validate as signed heads of the log (at any age:
 * evidence does not go stale) and judge() (src/audit) gives the claimed
 * verdict: "fork" for two heads of one size with different roots — proof on
 * its own; "inconsistent" for a consistency proof between them, as the log
 * served it, that fails (gossip-protocols.md §5: weaker, the log may have
 * served a bad proof, but the heads are signed and the proof is the log's).
 *
 * Provisional: the evidence format of src/evidence (issue 13) replaces this
 * once it lands.
 *
 * Pure: no I/O.
 */
import { judge } from '../../audit/index.ts';
import { decodeBase64, encodeBase64 } from '../../codec/index.ts';
import { type ValidatedGossip, type Validation, type ValidationContext, validateGossipData } from './gossip-data.ts';
import type { KnownLog } from './known-logs.ts';

export const SPLIT_VIEW_V0 = 'split-view/v0';

export type SplitVerdict = 'fork' | 'inconsistent';

export interface SplitViewEvidence {
  readonly logId: string;
  readonly verdict: SplitVerdict;
  /** The two signed heads, as gossiped (each a gossip-data of kind rfc6962-sth or checkpoint). */
  readonly heads: readonly [Buffer, Buffer];
  /** The consistency proof between them (smaller → larger), as the log served it; empty for a fork. */
  readonly consistency: readonly Buffer[];
}

/** The gossip-data of an evidence record. */
export function encodeSplitViewEvidence(e: SplitViewEvidence): Buffer {
  return Buffer.from(
    JSON.stringify({
      grapevine_evidence: SPLIT_VIEW_V0,
      log_id: e.logId,
      verdict: e.verdict,
      heads: e.heads.map((h) => encodeBase64(h)),
      consistency: e.consistency.map((h) => encodeBase64(h)),
    }),
  );
}

/** A validator for evidence records, for validateGossipData's `evidence` parameter. */
export function evidenceValidator(ctx: ValidationContext): (log: KnownLog, json: Record<string, unknown>, data: Buffer) => Validation {
  // Evidence does not age: its heads are checked at any timestamp.
  const timeless: ValidationContext = { ...ctx, maxAgeMs: Number.POSITIVE_INFINITY, maxFutureMs: Number.POSITIVE_INFINITY };
  return (log, json, data) => {
    const bad = (detail: string): Validation => ({ ok: false, reason: 'malformed', detail: `evidence: ${detail}` });
    if (json.grapevine_evidence !== SPLIT_VIEW_V0)
      return { ok: false, reason: 'unknown-kind', detail: `evidence of kind ${String(json.grapevine_evidence)}` };
    if (typeof json.log_id !== 'string' || !log.ids.includes(json.log_id))
      return { ok: false, reason: 'wrong-log', detail: 'evidence log_id is not the message log' };
    const verdict = json.verdict;
    if (verdict !== 'fork' && verdict !== 'inconsistent') return bad('verdict must be fork or inconsistent');
    const { heads, consistency } = json;
    if (!Array.isArray(heads) || heads.length !== 2 || !heads.every((h) => typeof h === 'string')) return bad('want two heads');
    if (!Array.isArray(consistency) || consistency.length > 64 || !consistency.every((h) => typeof h === 'string')) {
      return bad('want at most 64 consistency hashes');
    }
    let proof: Buffer[];
    const validated: ValidatedGossip[] = [];
    try {
      proof = consistency.map((h) => decodeBase64(h as string));
      for (const h of heads as string[]) {
        const v = validateGossipData(log.id, decodeBase64(h), timeless);
        if (!v.ok) return { ok: false, reason: v.reason, detail: `evidence head: ${v.detail}` };
        if (v.value.head === null) return bad('a head is not a signed tree head');
        validated.push(v.value);
      }
    } catch {
      return bad('heads and consistency must be base64');
    }
    if (proof.some((h) => h.length !== 32)) return bad('consistency hashes are 32 bytes');
    const [a, b] = validated.map((v) => v.head as NonNullable<ValidatedGossip['head']>);
    const [small, large] = a.size <= b.size ? [a, b] : [b, a];
    const got = judge(small, large, a.size === b.size ? undefined : proof);
    if (got.verdict !== verdict) return bad(`the heads judge as ${got.verdict}, not ${verdict}`);
    return { ok: true, value: { kind: 'evidence', log, data, head: null, sth: null } };
  };
}
