import { GrapevineError } from '../errors.ts';

export type ProofErrorCode =
  | 'BAD_INDEX' // leaf index outside [0, size)
  | 'BAD_SIZES' // size1 > size2, size1 == 0, or a size that is not a safe non-negative integer
  | 'BAD_PROOF_SIZE' // the proof has the wrong number of hashes for these sizes
  | 'BAD_HASH_SIZE' // a hash of the wrong length
  | 'INCLUSION_MISMATCH' // the path does not lead to the given root
  | 'CONSISTENCY_MISMATCH'; // the proof does not reconcile the two roots

/** A proof that cannot be generated or does not verify. */
export class ProofError extends GrapevineError<ProofErrorCode> {}
