/**
 * Reading an evidence document: size bound, strict UTF-8 and JSON, the
 * version check (before the schema, so a newer document says so instead of
 * listing schema problems), then the schema (schema.ts). Every failure is
 * one EvidenceError with a one-line message naming the first problem.
 *
 * Pure: bytes or text in, a typed document out.
 */
import type { z } from 'zod';
import { EvidenceError } from './errors.ts';
import { EVIDENCE_FORMAT, EVIDENCE_VERSION, type EvidenceDocument, evidenceSchema } from './schema.ts';

/** Largest evidence document read, bytes (a million leaf hashes and change). */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top)';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** The first schema issue as "path: message", plus how many more there are. */
function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  // A discriminated union reports the discriminator; say which values were possible.
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return `${where(first.path)}: ${first.message}${more}`;
}

/**
 * Parses `input` (file bytes, text, or an already-parsed JSON value) as an
 * evidence document. Throws EvidenceError TOO_LARGE, MALFORMED or
 * UNSUPPORTED_VERSION. Signatures and proofs are not checked here
 * (verifyEvidence does that).
 */
export function parseEvidence(input: Uint8Array | string | unknown): EvidenceDocument {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
    if (size > MAX_EVIDENCE_BYTES) throw new EvidenceError('TOO_LARGE', `evidence: got ${size} bytes, want at most ${MAX_EVIDENCE_BYTES}`);
    let text: string;
    try {
      text = typeof input === 'string' ? input : utf8.decode(input);
    } catch (err) {
      throw new EvidenceError('MALFORMED', 'evidence: not UTF-8 text', { cause: err });
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new EvidenceError('MALFORMED', `evidence: not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EvidenceError('MALFORMED', `evidence: got ${Array.isArray(value) ? 'an array' : typeof value}, want a JSON object`);
  }
  const o = value as Record<string, unknown>;
  if (o.format !== EVIDENCE_FORMAT) {
    throw new EvidenceError('MALFORMED', `evidence: got format ${JSON.stringify(o.format)?.slice(0, 60)}, want "${EVIDENCE_FORMAT}"`);
  }
  if (o.version !== EVIDENCE_VERSION) {
    if (typeof o.version === 'number' && Number.isInteger(o.version) && o.version > EVIDENCE_VERSION) {
      throw new EvidenceError('UNSUPPORTED_VERSION', `evidence: got version ${o.version}, this verifier knows version ${EVIDENCE_VERSION}`);
    }
    throw new EvidenceError('MALFORMED', `evidence: got version ${JSON.stringify(o.version)?.slice(0, 60)}, want ${EVIDENCE_VERSION}`);
  }
  const r = evidenceSchema.safeParse(value);
  if (!r.success) throw new EvidenceError('MALFORMED', `evidence: ${describeIssues(r.error)}`, { cause: r.error });
  return r.data;
}

/** The document as written to a file: two-space indented JSON with a final newline. */
export function formatEvidence(doc: EvidenceDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
