/**
 * Hub sources from Google's CT log list v3 (issue 8 §3, "Real log keys, as
 * users have them"): what `grapevine hub sources from-log-list FILE` prints,
 * a YAML list to paste under an instance's `sources:`.
 *
 * - RFC 6962 logs (`logs`): kind RFC6962STH, id the log `url` (with
 *   https:// and the trailing /, as gossip clients send it), publicKey the
 *   list's `key` (base64 DER SPKI).
 * - Tiled logs (`tiled_logs`, c2sp.org/static-ct-api): kind CHECKPOINT, id
 *   the submission URL, origin the submission prefix without the scheme and
 *   trailing slash (static-ct-api §Checkpoints), and the log's RFC 6962 key
 *   as a type-0x05 vkey named after that origin: its checkpoints carry RFC
 *   6962 note signatures.
 * - States: by default the logs a hub should record today — `qualified`,
 *   `usable` and `readonly` (frozen: its final head is still worth
 *   recording) — and not `pending` (not yet trusted), `retired` (no longer
 *   trusted; most are shut down) or `rejected`; `states` picks others. A log
 *   with no state is kept. Every log left out is named in a comment.
 *
 * Each log goes through the gossip registry's checks (makeKnownLog: the key
 * parses, `log_id` is its SHA-256) and the hub's own (makeSource), so what
 * is printed loads. Pure: text in, text out.
 */
import { Document, isMap, isSeq } from 'yaml';
import { parsePublicKey } from '../crypto/index.ts';
import { KnownLogError, makeKnownLog, parseCtLogListV3 } from '../gossip/validate/index.ts';
import { makeSource, type SourceSpec } from '../hub/index.ts';
import { rfc6962Verifier } from '../note/index.ts';

/** The states kept when none are asked for. */
export const DEFAULT_LOG_LIST_STATES: readonly string[] = Object.freeze(['qualified', 'usable', 'readonly']);

/** Every state of the v3 schema (log_list_schema.json). */
export const LOG_LIST_STATES: readonly string[] = Object.freeze(['pending', 'qualified', 'usable', 'readonly', 'retired', 'rejected']);

export interface LogListSourcesOptions {
  /** Log states to keep. Default DEFAULT_LOG_LIST_STATES. */
  readonly states?: readonly string[];
}

export interface LogListSources {
  /** The YAML text: a header comment, then the sources (a list). */
  readonly yaml: string;
  readonly sources: readonly SourceSpec[];
  /** Logs left out, with their state. */
  readonly skipped: readonly { readonly name: string; readonly state: string }[];
}

type Json = Record<string, unknown>;

/**
 * Converts the text of a v3 log list. Throws KnownLogError (BAD_LOG_LIST,
 * BAD_LOG) naming the first log that does not check out, or a list that
 * would give two sources one id.
 */
export function hubSourcesFromLogList(text: string, opts: LogListSourcesOptions = {}): LogListSources {
  const states = opts.states ?? DEFAULT_LOG_LIST_STATES;
  for (const s of states) {
    if (!LOG_LIST_STATES.includes(s)) {
      throw new KnownLogError('BAD_LOG_LIST', `unknown log state ${JSON.stringify(s)}, want some of ${LOG_LIST_STATES.join(', ')}`);
    }
  }
  const logs = parseCtLogListV3(text);
  const doc = JSON.parse(text) as Json;
  const sources: SourceSpec[] = [];
  const notes: string[] = [];
  const skipped: { name: string; state: string }[] = [];
  const ids = new Map<string, string>();
  for (const log of logs) {
    makeKnownLog(log); // the key parses and the list's log_id is its SHA-256
    if (log.state !== undefined && !states.includes(log.state)) {
      skipped.push({ name: log.name, state: log.state });
      continue;
    }
    const key = log.key as string;
    let spec: SourceSpec;
    if (log.origin !== undefined) {
      const vkey = rfc6962Verifier(log.origin, parsePublicKey(key).spki).vkey;
      spec = { id: `https://${log.origin}/`, name: log.name, kind: 'CHECKPOINT', vkey, origin: log.origin };
    } else {
      const url = (log.url as string).endsWith('/') ? (log.url as string) : `${log.url}/`;
      spec = { id: url, name: log.name, kind: 'RFC6962STH', publicKey: key };
    }
    const twin = ids.get(spec.id);
    if (twin !== undefined) {
      throw new KnownLogError(
        'BAD_LOG_LIST',
        `logs ${JSON.stringify(twin)} and ${JSON.stringify(log.name)} would both be source ${spec.id}`,
      );
    }
    ids.set(spec.id, log.name);
    try {
      makeSource(spec);
    } catch (err) {
      throw new KnownLogError('BAD_LOG', `log ${JSON.stringify(log.name)}: ${(err as Error).message}`, { cause: err });
    }
    sources.push(spec);
    notes.push(
      ` ${log.state ?? 'no state in the list'}${log.origin !== undefined ? ', static-ct-api (checkpoints with RFC 6962 note signatures)' : ''}`,
    );
  }

  const yamlDoc = new Document(sources.map((s) => ({ ...s })));
  const header = [
    ` Hub sources from Google's CT log list v3${typeof doc.version === 'string' ? ` version ${doc.version}` : ''}${
      typeof doc.log_list_timestamp === 'string' ? ` of ${doc.log_list_timestamp}` : ''
    }:`,
    ` ${sources.length} logs in state ${states.join(', ')} (grapevine hub sources from-log-list).`,
    " Paste under an instance's sources: in a hub config (docs/configuration.md).",
    ...skipped.map((s) => ` left out: ${s.name} (${s.state})`),
  ];
  yamlDoc.commentBefore = header.join('\n');
  const seq = yamlDoc.contents;
  if (isSeq(seq)) {
    for (const [i, item] of seq.items.entries()) if (isMap(item)) item.commentBefore = notes[i];
  }
  return { yaml: sources.length > 0 ? yamlDoc.toString({ lineWidth: 0 }) : `#${header.join('\n#')}\n[]\n`, sources, skipped };
}
