import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { QuotaError, QuotaManager } from '../../src/log/index.ts';

describe('QuotaManager', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('allows a burst, then throws QuotaError EXHAUSTED with the wait until one token returns', () => {
    const c = clock();
    const q = new QuotaManager({ perUser: { write: { rate: 2, burst: 3 } } }, c.now);
    for (let i = 0; i < 3; i++) q.charge('write', 1, ['ip:1']);
    assert.throws(
      () => q.charge('write', 1, ['ip:1']),
      (e) =>
        isError(e, QuotaError, 'EXHAUSTED') && (e as QuotaError).retryAfterMs === 500 && (e as QuotaError).bucket === 'user:ip:1:write',
    );
    c.advance(500);
    q.charge('write', 1, ['ip:1']);
  });

  it('keeps users, trees and kinds apart', () => {
    const c = clock();
    const q = new QuotaManager({ perUser: { write: { rate: 1, burst: 1 } }, perTree: { read: { rate: 1, burst: 1 } } }, c.now);
    q.charge('write', 1, ['a']);
    q.charge('write', 1, ['b']);
    q.charge('read', 1, ['a']);
    q.charge('read', 2, ['a']);
    assert.throws(() => q.charge('read', 1, []), QuotaError);
    assert.throws(() => q.charge('write', 1, ['a']), QuotaError);
  });

  it('takes nothing when any bucket is short (all or nothing)', () => {
    const c = clock();
    const q = new QuotaManager({ global: { write: { rate: 1, burst: 2 } }, perUser: { write: { rate: 1, burst: 1 } } }, c.now);
    q.charge('write', 1, ['a']);
    assert.throws(() => q.charge('write', 1, ['a']), QuotaError); // user bucket short: global untouched
    q.charge('write', 1, ['b']); // global still had its second token
    assert.throws(
      () => q.charge('write', 1, ['c']),
      (e) => (e as QuotaError).bucket === 'global:write',
    );
  });

  it('charges several tokens at once and refills up to the burst only', () => {
    const c = clock();
    const q = new QuotaManager({ global: { read: { rate: 10, burst: 20 } } }, c.now);
    q.charge('read', 1, [], 20);
    c.advance(10_000);
    q.charge('read', 1, [], 20);
    assert.throws(() => q.charge('read', 1, [], 1), QuotaError);
  });

  it('leaves everything unlimited when no spec is given', () => {
    const q = new QuotaManager();
    for (let i = 0; i < 10_000; i++) q.charge('write', 1, ['x']);
  });
});
