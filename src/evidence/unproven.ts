/**
 * Inside the verifier: a check that fails, so the document does not show
 * what it claims (a signature that does not verify, a proof that does not
 * fold, a key that is not available). verifyEvidence turns it into a verdict
 * and never lets it escape; malformed input is EvidenceError instead.
 */
export class Unproven extends Error {}
