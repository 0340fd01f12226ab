/**
 * Portable evidence of transparency-log misbehaviour (issue 13): a
 * versioned, self-contained JSON document (schema.ts; docs/evidence.md,
 * docs/evidence.schema.json), a verifier that re-checks every signature and
 * proof in it from the document alone (verify.ts), builders for observers
 * (build.ts), and incidents with stable categories and ids (incident.ts).
 * Sinks that deliver incidents live in src/incidents. Pure: no I/O, no clock.
 */
export {
  attempt,
  brokenPromiseEvidence,
  checkpointHead,
  checkpointLog,
  derivationFromConsistencyProof,
  derivationFromInclusion,
  derivationFromLeaves,
  emptyRootEvidence,
  forkEvidence,
  headFromObserved,
  hubEntryHead,
  hubLog,
  hubSthHead,
  inconsistentEvidence,
  type Observed,
  observation,
  promiseUnconfirmedEvidence,
  proofRefusedEvidence,
  regressionEvidence,
  rfc6962Log,
  rollbackEvidence,
  sctPromise,
  sgtPromise,
  sthHead,
  unresponsiveEvidence,
} from './build.ts';
export { checkSignedHead, checkSignedPromise, type OpenedHead, type OpenedPromise } from './check.ts';
export { EvidenceError, type EvidenceErrorCode } from './errors.ts';
export { INCIDENT_CATEGORIES, type Incident, type IncidentCategory, incidentId, makeIncident } from './incident.ts';
export { checkEvidenceKey, type EvidenceKey } from './keys.ts';
export { formatEvidence, MAX_EVIDENCE_BYTES, parseEvidence } from './parse.ts';
export { compactRangeFromInclusion, foldLeafHashes, prefixRootFromInclusion, rootsFromConsistencyProof } from './recompute.ts';
export {
  type Absence,
  type Attempt,
  type Derivation,
  EVIDENCE_FORMAT,
  EVIDENCE_KINDS,
  EVIDENCE_VERSION,
  type EvidenceClass,
  type EvidenceDocument,
  type EvidenceKind,
  type EvidenceLog,
  evidenceJsonSchema,
  MAX_LEAF_HASHES,
  type Observation,
  promiseSchema,
  type SignedHead,
  type SignedPromise,
} from './schema.ts';
export { type Verdict, type VerifyOptions, verifyEvidence } from './verify.ts';
