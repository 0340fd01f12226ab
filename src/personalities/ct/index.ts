/**
 * The RFC 6962 Certificate Transparency log personality (the CTFE role) on
 * the log core: admission of certificate chains, SCTs and STHs, and the §4
 * HTTP API. The wire formats and the verifying client are in src/ct.
 */
export { type AdmissionPolicy, type AdmittedEntry, admitChain, type NotAfterWindow, type SubmissionKind } from './admission.ts';
export { type CtEntry, CtLog, type CtLogOptions, DEFAULT_MMD_MS } from './ct-log.ts';
export { CT_ERROR_STATUS, CtError, type CtErrorCode } from './errors.ts';
export { CtMetrics } from './metrics.ts';
export { chainBody, consistencyParams, entriesParams, entryAndProofParams, intParam, proofByHashParams, type Query } from './params.ts';
export { CT_PERSONALITY, CtLogPart, type CtLogSpec, type CtQuotaSpec, type OpenCtOptions, openCtLog } from './part.ts';
export { publishCtLog } from './published.ts';
export { CertificateCache, RootStore } from './roots.ts';
export { type CtRoutesOptions, ctRoutes } from './routes.ts';
