import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routePrefix } from '../../src/http/prefix.ts';

describe('routePrefix', () => {
  const cases: { desc: string; in: string | undefined; want: string }[] = [
    { desc: 'nothing configured', in: undefined, want: '' },
    { desc: 'empty', in: '', want: '' },
    { desc: 'only slashes', in: '//', want: '' },
    { desc: 'a bare segment', in: 'hub', want: '/hub' },
    { desc: 'a leading slash', in: '/hub', want: '/hub' },
    { desc: 'slashes on both sides', in: '//a/b//', want: '/a/b' },
    { desc: 'inner slashes kept', in: 'a//b', want: '/a//b' },
  ];
  for (const c of cases) {
    it(`${c.desc}: ${JSON.stringify(c.in)} → ${JSON.stringify(c.want)}`, () => assert.equal(routePrefix(c.in), c.want));
  }
});
