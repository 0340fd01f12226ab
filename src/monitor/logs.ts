/**
 * The logs and hubs an observer knows, with the keys it trusts for them
 * (from its config: never from the servers being checked, which would make
 * every check circular). Each carries its evidence descriptor (src/evidence),
 * so everything it observes can go into evidence unchanged.
 *
 * Pure.
 */
import { logIdOfKey, logIdOfOrigin } from '../audit/index.ts';
import type { PublicKey } from '../crypto/index.ts';
import { checkpointLog, type EvidenceLog, hubLog, rfc6962Log } from '../evidence/index.ts';
import { makeSource, type TrackedSource } from '../hub/index.ts';
import { parseVkey } from '../note/index.ts';
import { MonitorError } from './errors.ts';

export interface LogSpec {
  readonly name: string;
  /** rfc6962: a CT log (get-sth, proofs); checkpoint: a log serving a signed checkpoint at `url`. */
  readonly type: 'rfc6962' | 'checkpoint';
  /** rfc6962: the base URL (before /ct/v1/); checkpoint: the checkpoint URL (tlog-tiles `<prefix>/checkpoint`, sumdb `/latest`). */
  readonly url?: string;
  /** rfc6962: the log key. */
  readonly publicKey?: PublicKey;
  /** checkpoint: the log's vkey. */
  readonly vkey?: string;
  /** checkpoint: the origin line (default: the vkey's name); rfc6962: the static-ct-api origin, when its heads also come as checkpoints. */
  readonly origin?: string;
  /** The maximum merge delay it promises, ms (needed to judge its SCTs). */
  readonly mmdMs?: number;
}

export interface HubSpec {
  readonly name: string;
  /** Base URL including the prefix, e.g. http://127.0.0.1:8080/hub. */
  readonly url: string;
  readonly publicKey: PublicKey;
  readonly mmdMs?: number;
  /** The hub's source ids and the log each one is (by name), with the hub's source kind for that log. */
  readonly sources: readonly { readonly id: string; readonly log: string }[];
}

export interface MonitoredLog {
  readonly name: string;
  /** Hex log id (evidence `log.id`). */
  readonly id: string;
  readonly spec: LogSpec;
  readonly evidence: EvidenceLog;
  /** How the log's heads are checked when they come from a hub entry (admission rules of src/hub). */
  readonly hubSource: (sourceId: string) => TrackedSource;
}

export interface MonitoredHub {
  readonly name: string;
  readonly id: string;
  readonly spec: HubSpec;
  readonly evidence: EvidenceLog;
  /** Source id → the log it is. */
  readonly sources: ReadonlyMap<string, MonitoredLog>;
}

export function monitoredLog(spec: LogSpec): MonitoredLog {
  if (spec.type === 'rfc6962') {
    if (!spec.publicKey) throw new MonitorError('CONFIG', `log ${spec.name}: an rfc6962 log needs its public key`);
    const key = spec.publicKey;
    const id = logIdOfKey(key.spki);
    return {
      name: spec.name,
      id,
      spec,
      evidence: rfc6962Log({
        spki: key.spki,
        logId: id,
        name: spec.name,
        ...(spec.url !== undefined ? { url: spec.url } : {}),
        ...(spec.origin !== undefined ? { origin: spec.origin } : {}),
        ...(spec.mmdMs !== undefined ? { mmdMs: spec.mmdMs } : {}),
      }),
      hubSource: (sourceId) => makeSource({ id: sourceId, name: spec.name, kind: 'RFC6962STH', publicKey: key }),
    };
  }
  if (!spec.vkey) throw new MonitorError('CONFIG', `log ${spec.name}: a checkpoint log needs its vkey`);
  const vkey = spec.vkey;
  const origin = spec.origin ?? parseVkey(vkey).name;
  const id = logIdOfOrigin(origin);
  return {
    name: spec.name,
    id,
    spec: { ...spec, origin },
    evidence: checkpointLog({
      origin,
      vkey,
      logId: id,
      name: spec.name,
      ...(spec.url !== undefined ? { url: spec.url } : {}),
      ...(spec.mmdMs !== undefined ? { mmdMs: spec.mmdMs } : {}),
    }),
    hubSource: (sourceId) => makeSource({ id: sourceId, name: spec.name, kind: 'CHECKPOINT', vkey, origin }),
  };
}

export function monitoredHub(spec: HubSpec, logs: ReadonlyMap<string, MonitoredLog>): MonitoredHub {
  const id = logIdOfKey(spec.publicKey.spki);
  const sources = new Map<string, MonitoredLog>();
  for (const s of spec.sources) {
    const log = logs.get(s.log);
    if (!log)
      throw new MonitorError(
        'CONFIG',
        `hub ${spec.name}: source ${JSON.stringify(s.id)} names log ${JSON.stringify(s.log)}, which is not configured`,
      );
    sources.set(s.id, log);
  }
  return {
    name: spec.name,
    id,
    spec,
    evidence: hubLog({
      spki: spec.publicKey.spki,
      logId: id,
      name: spec.name,
      url: spec.url,
      ...(spec.mmdMs !== undefined ? { mmdMs: spec.mmdMs } : {}),
    }),
    sources,
  };
}
