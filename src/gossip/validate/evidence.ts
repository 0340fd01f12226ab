/**
 * Evidence as gossip-data: a src/evidence document (docs/evidence.md), so an
 * incident travels like any other gossip and every receiver can check it
 * alone. Valid when it names the message's log, every signature in it
 * verifies under *our* key for that log (never the document's inline key:
 * anyone can sign a fork with a key of their own), and it shows what its
 * kind claims — proof kinds must prove, suspicion kinds must have their
 * signed parts check. Evidence does not go stale.
 *
 * Pure: no I/O.
 */
import { EvidenceError, type EvidenceKey, verifyEvidence } from '../../evidence/index.ts';
import type { KnownLog } from './known-logs.ts';
import type { Validation } from './validation.ts';

/** The keys of `log` as src/evidence takes them. */
export function evidenceKeysOf(log: KnownLog): EvidenceKey[] {
  const keys: EvidenceKey[] = [];
  if (log.key) keys.push({ spki: log.key.spki });
  for (const v of log.noteVerifiers) keys.push({ vkey: v.vkey });
  return keys;
}

/** Validates an evidence document gossiped under `log`. */
export function validateEvidence(log: KnownLog, data: Buffer): Validation {
  let verdict: ReturnType<typeof verifyEvidence>;
  try {
    verdict = verifyEvidence(data, { keys: evidenceKeysOf(log) });
  } catch (err) {
    if (err instanceof EvidenceError) return { ok: false, reason: 'malformed', detail: err.message };
    throw err;
  }
  if (!log.ids.includes(verdict.log)) return { ok: false, reason: 'wrong-log', detail: `evidence about log ${verdict.log}` };
  if (verdict.keySource !== 'supplied')
    return { ok: false, reason: 'bad-signature', detail: `evidence not signed by the log's key: ${verdict.line}` };
  if (verdict.class === 'proof' ? !verdict.proves : verdict.line.startsWith('NOT PROVEN')) {
    return { ok: false, reason: 'bad-signature', detail: verdict.line };
  }
  return { ok: true, value: { kind: 'evidence', log, data, head: null, sth: null } };
}
