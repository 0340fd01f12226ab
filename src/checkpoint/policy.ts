/**
 * c2sp.org/tlog-policy: which logs and witnesses a client trusts, and how
 * many witnesses must cosign a checkpoint (specs/gossip-protocols.md §3.6).
 * Line based, `#` starts a comment:
 *
 *   log <vkey> [<url>]
 *   witness <name> <vkey> [<url>]
 *   group <name> <k|all|any> <member>...     members: witnesses or groups defined earlier
 *   quorum <name|none>
 *
 * Strict readings, where the summary leaves room: names are unique across
 * witnesses and groups; a group's k is 1..its member count; exactly one
 * quorum line; two vkeys that wrap the same key are duplicates, refused;
 * witness keys are cosignature/v1 (0x04; 0x06 ML-DSA-44 cannot be verified on
 * Node 20 and is refused rather than silently never counted); log keys are
 * 0x01, 0x02 or 0x05. A checkpoint satisfies the policy when one of its
 * signatures verifies under a log key, no trusted key's signature fails
 * (signed-note), and the witnesses whose cosignature verified (timestamp
 * non-zero) make the quorum. Pure.
 */
import { type NoteVerifier, parseVkey, SignatureType, verifierFromVkey } from '../note/index.ts';
import { CheckpointError } from './errors.ts';
import { openCheckpoint, type SignedCheckpoint } from './signed.ts';

export interface PolicyGroup {
  readonly name: string;
  /** How many members must be satisfied. */
  readonly threshold: number;
  readonly members: readonly string[];
}

export interface Policy {
  readonly logs: readonly { readonly key: NoteVerifier; readonly url?: string }[];
  readonly witnesses: ReadonlyMap<string, { readonly key: NoteVerifier; readonly url?: string }>;
  readonly groups: ReadonlyMap<string, PolicyGroup>;
  /** A witness or group name, or null for `quorum none`. */
  readonly quorum: string | null;
}

const LOG_TYPES: ReadonlySet<number> = new Set([SignatureType.Ed25519, SignatureType.ECDSA, SignatureType.RFC6962]);

function bad(line: number, why: string, cause?: unknown): CheckpointError {
  return new CheckpointError('BAD_POLICY', `tlog-policy line ${line}: ${why}`, cause === undefined ? undefined : { cause });
}

/** Parses a policy file. Throws CheckpointError BAD_POLICY naming the line. */
export function parsePolicy(text: string): Policy {
  const logs: { key: NoteVerifier; url?: string }[] = [];
  const witnesses = new Map<string, { key: NoteVerifier; url?: string }>();
  const groups = new Map<string, PolicyGroup>();
  const keys = new Set<string>();
  let quorum: string | null | undefined;
  const key = (n: number, vkey: string, types: ReadonlySet<number>, what: string): NoteVerifier => {
    let v: NoteVerifier;
    try {
      v = verifierFromVkey(vkey);
    } catch (err) {
      throw bad(n, `${what} vkey: ${(err as Error).message}`, err);
    }
    if (!types.has(v.type)) throw bad(n, `${what} vkey ${v.name} has signature type 0x0${v.type.toString(16)}, not a ${what} key type`);
    const raw = `${v.type}:${parseVkey(vkey).key.toString('hex')}`;
    if (keys.has(raw)) throw bad(n, `vkey ${v.name} wraps a key listed before`);
    keys.add(raw);
    return v;
  };
  text.split('\n').forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [word, ...args] = line.split(/\s+/);
    const url = (a: string | undefined) => (a !== undefined ? { url: a } : {});
    switch (word) {
      case 'log':
        if (args.length < 1 || args.length > 2) throw bad(n, 'want log <vkey> [<url>]');
        logs.push({ key: key(n, args[0], LOG_TYPES, 'log'), ...url(args[1]) });
        return;
      case 'witness': {
        if (args.length < 2 || args.length > 3) throw bad(n, 'want witness <name> <vkey> [<url>]');
        const [name, vkey] = args;
        if (witnesses.has(name) || groups.has(name) || name === 'none') throw bad(n, `name ${name} is taken`);
        witnesses.set(name, { key: key(n, vkey, new Set([SignatureType.CosignatureV1]), 'witness'), ...url(args[2]) });
        return;
      }
      case 'group': {
        if (args.length < 3) throw bad(n, 'want group <name> <k|all|any> <member>...');
        const [name, k, ...members] = args;
        if (witnesses.has(name) || groups.has(name) || name === 'none') throw bad(n, `name ${name} is taken`);
        for (const m of members) if (!witnesses.has(m) && !groups.has(m)) throw bad(n, `member ${m} is not defined before`);
        if (new Set(members).size !== members.length) throw bad(n, 'a member is listed twice');
        const threshold = k === 'all' ? members.length : k === 'any' ? 1 : /^[1-9][0-9]*$/.test(k) ? Number(k) : Number.NaN;
        if (!(threshold >= 1 && threshold <= members.length)) throw bad(n, `got threshold ${k}, want all, any or 1..${members.length}`);
        groups.set(name, { name, threshold, members });
        return;
      }
      case 'quorum':
        if (args.length !== 1) throw bad(n, 'want quorum <name|none>');
        if (quorum !== undefined) throw bad(n, 'a second quorum line');
        if (args[0] !== 'none' && !witnesses.has(args[0]) && !groups.has(args[0])) throw bad(n, `quorum ${args[0]} is not defined before`);
        quorum = args[0] === 'none' ? null : args[0];
        return;
      default:
        throw bad(n, `unknown keyword ${JSON.stringify(word)}`);
    }
  });
  if (logs.length === 0) throw new CheckpointError('BAD_POLICY', 'tlog-policy: no log line');
  if (quorum === undefined) throw new CheckpointError('BAD_POLICY', 'tlog-policy: no quorum line');
  return Object.freeze({ logs: Object.freeze(logs), witnesses, groups, quorum });
}

export interface PolicyVerdict {
  readonly checkpoint: SignedCheckpoint;
  /** Names of the witnesses whose cosignature verified. */
  readonly witnesses: readonly string[];
  /** Whether they make the quorum. */
  readonly satisfied: boolean;
}

/** Whether `name` (a witness or group) is satisfied by the witnesses in `have`. */
function satisfied(p: Policy, name: string, have: ReadonlySet<string>): boolean {
  if (p.witnesses.has(name)) return have.has(name);
  const g = p.groups.get(name);
  if (!g) return false;
  return g.members.filter((m) => satisfied(p, m, have)).length >= g.threshold;
}

/**
 * Checks a checkpoint note against a policy. Throws NoteError or
 * CheckpointError when the note is malformed, signed by no log key, or a
 * trusted key's signature fails; otherwise says which witnesses cosigned and
 * whether they make the quorum.
 */
export function checkPolicy(note: string | Uint8Array, p: Policy): PolicyVerdict {
  const names = new Map([...p.witnesses].map(([name, w]) => [`${w.key.name}\n${w.key.keyId}`, name]));
  const cp = openCheckpoint(note, { log: p.logs.map((l) => l.key), witnesses: [...p.witnesses.values()].map((w) => w.key) });
  const have = new Set<string>();
  for (const c of cp.cosignatures) {
    const name = names.get(`${c.name}\n${c.keyId}`);
    // tlog-witness: a cosignature for a checkpoint carries a non-zero timestamp; time 0 is a subtree signature.
    if (name !== undefined && (c.time ?? 0) > 0) have.add(name);
  }
  return Object.freeze({ checkpoint: cp, witnesses: [...have].sort(), satisfied: p.quorum === null || satisfied(p, p.quorum, have) });
}
