/**
 * The `publish` subsection of a CT log and of a hub instance: serve the log
 * the C2SP way beside its own API (docs/witness.md § Publishing) — a signed
 * `checkpoint`, hash tiles and entries (tlog-tiles; static-ct-api for CT) —
 * and, with a tlog-policy, take each checkpoint to the policy's witnesses and
 * serve it cosigned once the quorum is reached.
 *
 *     publish:
 *       origin: ct.example/2026h1          # the checkpoint origin (static-ct-api: the URL prefix without scheme)
 *       keyFile: hub-note.key              # hubs only: a Go note signer key named as the origin
 *       witnessPolicy: witnesses.policy    # optional: c2sp.org/tlog-policy; its witnesses with a URL get the checkpoints
 *       witnessInterval: 1s
 */
import { z } from 'zod';
import { type Policy, parsePolicy } from '../checkpoint/index.ts';
import { type NoteSigner, noteSignerFromSkey } from '../note/index.ts';
import { doc, fileReader, positiveDuration, type ResolveOptions } from './fields.ts';

const shape = {
  origin: doc(z.string().min(1), {
    description:
      'The checkpoint origin (c2sp.org/tlog-checkpoint): the schema-less URL prefix the log is published at, e.g. ct.example/2026h1. A name for good: changing it makes a new log to every verifier.',
  }),
  witnessPolicy: doc(z.string().min(1).optional(), {
    description:
      "A c2sp.org/tlog-policy file, relative to this file's folder: it must list the log's own key; each checkpoint goes to its witnesses that have a URL, and `checkpoint` serves the latest one their cosignatures make the quorum for (the log's own checkpoint until one does).",
    defaultText: 'none (the checkpoint is served as the log signs it)',
  }),
  witnessInterval: doc(positiveDuration.prefault('1s'), {
    description: 'Time between two rounds of taking the current checkpoint to the witnesses (the same checkpoint again: fresh timestamps).',
    unit: 'duration',
  }),
};

/** `ct.publish`: the CT log signs its checkpoints with its own key (the RFC 6962 note signature). */
export const ctPublishSection = z.strictObject(shape);

/** `hub.instances[].publish`: a hub signs its checkpoints with an Ed25519 note key of its own. */
export const hubPublishSection = z.strictObject({
  ...shape,
  keyFile: doc(z.string().min(1), {
    description:
      "The hub's checkpoint key: a Go note signer key file (PRIVATE+KEY+<origin>+…, as `grapevine witness keygen --name <origin>` writes), named as the origin. Not the hub key, which signs the hub's own TLS structures.",
    trust: 'whoever reads it can sign checkpoints as this hub.',
  }),
});

export interface ResolvedPublish {
  readonly origin: string;
  /** Hubs: the note signer of the checkpoints. */
  readonly signer?: NoteSigner;
  readonly policy?: Policy;
  readonly witnessIntervalMs: number;
}

/** Reads the policy (and for hubs the key) of a publish section. Problems are pushed with `at`; null when there were any. */
export function resolvePublish(
  p: z.output<typeof ctPublishSection> & { keyFile?: string },
  opts: ResolveOptions,
  at: string,
  problems: string[],
): ResolvedPublish | null {
  const before = problems.length;
  const read = fileReader(opts, problems);
  let policy: Policy | undefined;
  if (p.witnessPolicy !== undefined) {
    const b = read(p.witnessPolicy, `${at}witnessPolicy`);
    if (b) {
      try {
        policy = parsePolicy(b.toString('utf8'));
      } catch (err) {
        problems.push(`${at}witnessPolicy: ${(err as Error).message}`);
      }
    }
  }
  let signer: NoteSigner | undefined;
  if (p.keyFile !== undefined) {
    const b = read(p.keyFile, `${at}keyFile`);
    if (b) {
      try {
        signer = noteSignerFromSkey(b.toString('utf8').trim());
        // c2sp.org/tlog-checkpoint: the log's key name SHOULD be the origin; we hold our own logs to it.
        if (signer.name !== p.origin)
          problems.push(`${at}keyFile: the key is named ${JSON.stringify(signer.name)}, want the origin ${JSON.stringify(p.origin)}`);
      } catch (err) {
        problems.push(`${at}keyFile: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > before) return null;
  return Object.freeze({
    origin: p.origin,
    ...(signer ? { signer } : {}),
    ...(policy ? { policy } : {}),
    witnessIntervalMs: p.witnessInterval,
  });
}
