/**
 * Google's CT log list, version 3 (https://www.gstatic.com/ct/log_list/v3/
 * log_list.json, schema log_list_schema.json), as users download it:
 *
 *     { "version": "…", "log_list_timestamp": "…",
 *       "operators": [ { "name": "…", "email": [ … ],
 *         "logs":       [ { "description", "log_id", "key", "url", "mmd", "state", … } ],
 *         "tiled_logs": [ { "description", "log_id", "key", "submission_url", "monitoring_url", "mmd", "state", … } ] } ] }
 *
 * `key` is base64 DER SPKI, `log_id` base64 SHA-256 of it (checked here: a
 * list whose id and key disagree is refused), `mmd` seconds, `state` an
 * object with one member named for the state. Fields this reader does not use
 * are ignored, as the list grows new ones.
 *
 * Tiled logs (c2sp.org/static-ct-api) sign checkpoints with RFC 6962 note
 * signatures under the origin "the submission prefix without the scheme and
 * trailing slash", so they get that origin, and their `monitoring_url`'s
 * checkpoint as `tiles` (consistency proofs from their hash tiles); RFC 6962
 * logs get their `url` for consistency proofs.
 *
 * Pure: takes the file's text.
 */
import { decodeBase64 } from '../../codec/index.ts';
import { KnownLogError } from './errors.ts';
import type { KnownLogSpec } from './known-logs.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The static-ct-api origin of a tiled log: its submission prefix without scheme and trailing slash. */
export function originOfSubmissionUrl(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

/** Reads a v3 log list into log specs. Throws KnownLogError BAD_LOG_LIST naming the first problem. */
export function parseCtLogListV3(text: string): KnownLogSpec[] {
  const fail = (why: string, cause?: unknown) =>
    new KnownLogError('BAD_LOG_LIST', `CT log list v3: ${why}`, cause === undefined ? undefined : { cause });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw fail(`not JSON: ${(err as Error).message}`, err);
  }
  if (!isObject(doc) || !Array.isArray(doc.operators)) throw fail('want an object with an "operators" array');
  const out: KnownLogSpec[] = [];
  doc.operators.forEach((op, i) => {
    if (!isObject(op)) throw fail(`operators[${i}] is not an object`);
    for (const [field, tiled] of [
      ['logs', false],
      ['tiled_logs', true],
    ] as const) {
      const logs = op[field] ?? [];
      if (!Array.isArray(logs)) throw fail(`operators[${i}].${field} is not an array`);
      logs.forEach((log, j) => {
        const where = `operators[${i}].${field}[${j}]`;
        if (!isObject(log)) throw fail(`${where} is not an object`);
        const str = (name: string): string => {
          const v = log[name];
          if (typeof v !== 'string' || v.length === 0) throw fail(`${where}.${name}: want a non-empty string`);
          return v;
        };
        const key = str('key');
        let logId: Buffer;
        try {
          logId = decodeBase64(str('log_id'));
          decodeBase64(key);
        } catch (err) {
          throw fail(`${where}: log_id and key must be base64`, err);
        }
        if (logId.length !== 32) throw fail(`${where}.log_id: got ${logId.length} bytes, want 32`);
        const mmd = log.mmd;
        if (mmd !== undefined && (typeof mmd !== 'number' || !Number.isSafeInteger(mmd) || mmd < 0)) {
          throw fail(`${where}.mmd: want whole seconds`);
        }
        const state = isObject(log.state) ? Object.keys(log.state)[0] : undefined;
        const name = typeof log.description === 'string' && log.description !== '' ? log.description : str('log_id');
        out.push({
          name,
          key,
          claimedLogId: logId.toString('hex'),
          ...(tiled ? { origin: originOfSubmissionUrl(str('submission_url')) } : { url: str('url') }),
          ...(tiled && typeof log.monitoring_url === 'string' && /^https?:\/\//.test(log.monitoring_url)
            ? { tiles: `${log.monitoring_url.replace(/\/+$/, '')}/checkpoint` }
            : {}),
          ...(mmd !== undefined ? { mmdMs: (mmd as number) * 1000 } : {}),
          ...(state !== undefined ? { state } : {}),
        });
      });
    }
  });
  return out;
}
