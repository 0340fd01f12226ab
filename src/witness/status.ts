/**
 * What the dashboard shows of a witness (src/http/status.ts): the witness
 * with its keys and logs, and per log the checkpoint it cosigned last, read
 * from its state. Sources are named by origin and keyed by the origin's log
 * id (SHA-256("o:" || origin), audit/observed-head.ts).
 */

import type { HeadStore } from '../audit/index.ts';
import { logIdOfOrigin } from '../audit/index.ts';
import type { PartStatus, SourceObservation } from '../http/index.ts';
import type { WitnessService } from './service.ts';
import { witnessStateKey } from './service.ts';

export async function witnessStatus(service: WitnessService, store: HeadStore, prefix: string): Promise<PartStatus> {
  const observations: SourceObservation[] = [];
  let enabled = 0;
  for (const log of service.logs) {
    if (!log.disabled) enabled++;
    const rec = await store.get(witnessStateKey(log));
    if (!rec) continue;
    observations.push({
      source: { id: logIdOfOrigin(log.origin), name: log.origin },
      observer: { kind: 'witness', name: `witness ${service.name}` },
      head: { size: rec.size, root: Buffer.from(rec.rootHash).toString('hex'), timestampMs: null },
      cosignatures: service.vkeys.length,
    });
  }
  return {
    services: [
      {
        id: `witness:${service.name}`,
        kind: 'witness',
        name: `witness ${service.name}`,
        health: 'ok',
        detail: `cosigns checkpoints of ${enabled} logs; ${observations.length} cosigned so far`,
        path: `${prefix}/add-checkpoint`,
        facts: service.vkeys.map((v, i) => ({ label: i === 0 ? 'vkey' : `vkey ${i + 1}`, value: v })),
      },
    ],
    observations,
  };
}
