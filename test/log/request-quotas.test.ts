/**
 * RequestQuotas (src/log/request-quotas.ts): the one quota model of the CT
 * log and the hub — a read token per request and per entry of a page, a
 * write token per submission, a submitter token per new entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isError } from '../../src/errors.ts';
import { QuotaError, RequestQuotas } from '../../src/log/index.ts';

const exhausted = (e: unknown) => isError(e, QuotaError, 'EXHAUSTED');

describe('RequestQuotas', () => {
  it('charges reads per client, a page per entry, and clips pages to the smallest read burst', () => {
    const q = new RequestQuotas({ perClient: { read: { rate: 0.001, burst: 10 } }, global: { read: { rate: 0.001, burst: 50 } } }, () => 0);
    assert.equal(q.maxPage, 10);
    q.chargeRead('ip:a', 7);
    q.chargeRead('ip:a', 3);
    assert.throws(() => q.chargeRead('ip:a'), exhausted);
    q.chargeRead('ip:b', 10);
    assert.throws(() => q.chargeRead('ip:c', 31), exhausted, 'the global bucket holds 50');
    q.chargeRead(null, 1000); // the process itself is never charged
  });

  it('charges submissions per client and new entries per submitter, each in its own buckets', () => {
    let now = 0;
    const q = new RequestQuotas({ perClient: { write: { rate: 1, burst: 2 } }, perSubmitter: { write: { rate: 1, burst: 1 } } }, () => now);
    assert.ok(q.limitsSubmitters);
    q.chargeWrite('ip:a');
    q.chargeWrite('ip:a');
    assert.throws(() => q.chargeWrite('ip:a'), exhausted);
    q.chargeSubmitters(['ca:1', 'ca:2']);
    assert.throws(() => q.chargeSubmitters(['ca:3', 'ca:2']), exhausted);
    q.chargeSubmitters(['ca:3']); // all or none: the failed charge took nothing from ca:3
    now += 1000;
    q.chargeWrite('ip:a');
    q.chargeSubmitters(['ca:2']);
  });

  it('limits nothing without limits, and pages only by the personality', () => {
    const q = new RequestQuotas({}, () => 0);
    assert.equal(q.limitsSubmitters, false);
    assert.equal(q.maxPage, Number.POSITIVE_INFINITY);
    for (let i = 0; i < 100; i++) {
      q.chargeRead('ip:a', 1000);
      q.chargeWrite('ip:a');
      q.chargeSubmitters(['src:x']);
    }
  });
});
