/**
 * Row ↔ object conversion for the PostgreSQL backend. node-postgres returns
 * BIGINT as a decimal string; every such column goes through `int`, which
 * refuses values a JS number cannot hold exactly (StorageError CORRUPT: we
 * never write them, so one in the database is damage).
 */
import type { StoredHead, StoredLeaf, TreeInfo } from '../../log/index.ts';
import { StorageError } from '../../log/index.ts';
import { splitHashes } from '../hashes.ts';

export type Row = Record<string, unknown>;

export function int(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new StorageError('CORRUPT', `stored integer ${String(v)} is not a safe integer`);
  return n;
}

export const TREE_COLUMNS = 'id, name, personality, public_key, created_at';

export function toTree(r: Row): TreeInfo {
  return {
    id: int(r.id),
    name: r.name as string,
    personality: r.personality as string,
    publicKey: r.public_key as Buffer,
    createdAt: int(r.created_at),
  };
}

/** Columns of `leaves l LEFT JOIN sequenced s`, in the order toLeaf expects. */
export const LEAF_COLUMNS = 'l.identity_hash, l.leaf_hash, l.leaf_value, l.extra_data, l.label, l.label_rank, l.queued_at, s.leaf_index';

export function toLeaf(r: Row): StoredLeaf {
  return {
    identityHash: r.identity_hash as Buffer,
    leafHash: r.leaf_hash as Buffer,
    value: r.leaf_value as Buffer,
    extraData: (r.extra_data as Buffer | null) ?? null,
    label: (r.label as string | null) ?? null,
    labelRank: r.label_rank as Buffer,
    queuedAt: int(r.queued_at),
    index: r.leaf_index === null || r.leaf_index === undefined ? null : int(r.leaf_index),
  };
}

export const HEAD_COLUMNS = 'revision, tree_size, root_hash, ts_ms, compact_range, log_root, signature';

export function toHead(r: Row): StoredHead {
  return {
    revision: int(r.revision),
    size: int(r.tree_size),
    rootHash: r.root_hash as Buffer,
    timestamp: int(r.ts_ms),
    compactRange: splitHashes(r.compact_range as Buffer),
    logRoot: r.log_root as Buffer,
    signature: r.signature as Buffer,
  };
}
