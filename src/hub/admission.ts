/**
 * Admission control for add-signed-blob (specs/gossip-hub.md §1.1 steps 1–3,
 * §3.2, §3.3). Pure: parsed request in, admitted blob out, or a HubError
 * whose code fixes the status.
 *
 * Order, as the original: unknown source (404) → source signature (400) →
 * kind structure (400). Quotas and storage come after, in hub.ts.
 */
import { type ParsedBlob, parseBlob } from './blob.ts';
import { HubError } from './errors.ts';
import type { TrackedSource } from './source.ts';

/** A parsed add-signed-blob request (§1.1 `AddSignedBlobRequest`). */
export interface AddSignedBlobRequest {
  readonly sourceId: string;
  readonly blobData: Buffer;
  readonly srcSignature: Buffer;
}

export interface AdmittedBlob {
  readonly source: TrackedSource;
  readonly blob: Buffer;
  readonly signature: Buffer;
  readonly parsed: ParsedBlob;
}

/** §1.1 step 1: the source must be configured, compared byte for byte. HubError UNKNOWN_SOURCE otherwise. */
export function lookupSource(sources: ReadonlyMap<string, TrackedSource>, sourceId: string): TrackedSource {
  const source = sources.get(sourceId);
  if (!source) throw new HubError('UNKNOWN_SOURCE', `unknown source ${JSON.stringify(sourceId.slice(0, 200))}`);
  return source;
}

/** §1.1 step 2 (§3.2): HubError BAD_SIGNATURE unless the source signed the blob. */
export function checkSourceSignature(source: TrackedSource, blob: Buffer, signature: Buffer): void {
  if (!source.verify(blob, signature)) {
    throw new HubError(
      'BAD_SIGNATURE',
      `failed to validate signature of source ${JSON.stringify(source.id)}: ${source.explain(blob, signature)}`,
    );
  }
}

/** §1.1 steps 2–3 on an already looked-up source. */
export function admitBlob(source: TrackedSource, blob: Buffer, signature: Buffer): AdmittedBlob {
  checkSourceSignature(source, blob, signature);
  return { source, blob, signature, parsed: parseBlob(source, blob) };
}

/** §1.1 steps 1–3. */
export function processAddSignedBlobAdmission(sources: ReadonlyMap<string, TrackedSource>, req: AddSignedBlobRequest): AdmittedBlob {
  return admitBlob(lookupSource(sources, req.sourceId), req.blobData, req.srcSignature);
}
