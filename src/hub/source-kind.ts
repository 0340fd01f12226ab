/**
 * What a source's blobs are (§3.1 `Kind`, §3.3). `CHECKPOINT` is ours: a
 * c2sp.org/tlog-checkpoint note text of any log, signed with a signed-note
 * key. `GONOTARY` is the original's name for the Go checksum database's tree
 * note, kept so that its submitters (`notary_submit`) work unchanged.
 * TRILLIANSLR / TRILLIANSMR are not supported (Trillian-internal formats).
 */
export const SOURCE_KINDS = ['UNKNOWN', 'RFC6962STH', 'CHECKPOINT', 'GONOTARY', 'GOSSIPHUB'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
