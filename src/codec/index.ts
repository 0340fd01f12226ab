/**
 * Wire formats: strict text encodings, the TLS presentation language, RFC 6962
 * structures and JSON bodies, and the Gossip Hub's structures. Pure: no I/O.
 */
export {
  CT_V1,
  type DigitallySigned,
  decodeDigitallySigned,
  decodeTreeHeadSignature,
  encodeDigitallySigned,
  encodeTreeHeadSignature,
  HashAlgorithm,
  readDigitallySigned,
  SHA256_SIZE,
  SignatureAlgorithm,
  SignatureType,
  TREE_HEAD_SIGNATURE_SIZE,
  type TreeHead,
  writeDigitallySigned,
} from './ct.ts';
export { formatDnsSth, parseDnsSth } from './ct-dns.ts';
export {
  type EntryAndProof,
  formatAddChainResponse,
  formatGetEntries,
  formatGetEntryAndProof,
  formatGetProofByHash,
  formatGetSth,
  formatGetSthConsistency,
  type LogEntry,
  type ProofByHash,
  parseAddChainResponse,
  parseGetEntries,
  parseGetEntryAndProof,
  parseGetProofByHash,
  parseGetSth,
  parseGetSthConsistency,
  type SignedTreeHead,
  sthFromJson,
  sthToJson,
} from './ct-json.ts';
export {
  CT_EXTENSIONS_MAX,
  type CtTimestampedEntry,
  decodeMerkleTreeLeaf,
  decodePrecertExtraData,
  decodeX509ExtraData,
  encodeMerkleTreeLeaf,
  encodePrecertExtraData,
  encodeX509ExtraData,
  LogEntryType,
  type LogEntryTypeName,
  MERKLE_LEAF_TYPE_TIMESTAMPED_ENTRY,
  type PrecertChainEntry,
  readSignedEntry,
  type SignedEntry,
  writeSignedEntry,
} from './ct-leaf.ts';
export {
  decodeSct,
  decodeSctList,
  encodeSct,
  encodeSctList,
  encodeSctSignatureInput,
  type SignedCertificateTimestamp,
} from './ct-sct.ts';
export { decodeBase64, decodeHashText, decodeHex, encodeBase64, encodeHex } from './encoding.ts';
export { CodecError, type CodecErrorCode } from './errors.ts';
export {
  decodeHubTimestampedEntry,
  decodeHubTreeHead,
  encodeHubLeafIdentity,
  encodeHubTimestampedEntry,
  encodeHubTreeHead,
  type HubTimestampedEntry,
  type HubTreeHead,
} from './hub.ts';
export {
  arrayField,
  asObject,
  bytesArrayField,
  bytesField,
  type JsonObject,
  parseJsonObject,
  stringField,
  uintField,
} from './json.ts';
export { lengthPrefixSize, TlsReader, TlsWriter } from './tls.ts';
