/**
 * The progress reporter (src/cli/progress.ts) with a fake stream and clock:
 * a redrawn bar on a terminal, periodic plain lines otherwise, and nothing
 * for work that ends quickly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progress } from '../../src/cli/progress.ts';

function fake(isTTY: boolean) {
  let t = 0;
  const written: string[] = [];
  return {
    stream: { isTTY, columns: 80, write: (s: string) => written.push(s) },
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    written,
  };
}

describe('progress', () => {
  for (const isTTY of [true, false]) {
    it(`shows nothing for work that ends before the first report (${isTTY ? 'terminal' : 'pipe'})`, () => {
      const f = fake(isTTY);
      const p = progress('ct audit', 'entries', 100, { stream: f.stream, now: f.now });
      f.advance(100);
      p.update(100);
      p.finish();
      assert.deepEqual(f.written, []);
    });
  }

  it('on a terminal, redraws one line in place (\\r, erase to the end) and ends it with a newline', () => {
    const f = fake(true);
    const p = progress('ct audit', 'entries', 1000, { stream: f.stream, now: f.now });
    for (let done = 100; done <= 1000; done += 100) {
      f.advance(200);
      p.update(done);
    }
    p.finish();
    assert.ok(f.written.length >= 5);
    for (const w of f.written) assert.match(w, /^\r\[[#.]+\] ct audit: \d+\/1000 entries \(\d+%\), \d+\/s/);
    assert.ok(f.written.slice(0, -1).every((w) => !w.endsWith('\n')));
    assert.match(f.written.at(-1) ?? '', /1000\/1000 entries \(100%\).*\n$/);
    assert.match(f.written[2], /left/, 'the time left while work remains');
  });

  it('off a terminal, writes a plain line per interval and a last one at the end', () => {
    const f = fake(false);
    const p = progress('hub entries', 'entries', 50_000, { stream: f.stream, now: f.now, intervalMs: 5000 });
    for (let done = 1000; done <= 50_000; done += 1000) {
      f.advance(1000);
      p.update(done);
    }
    p.finish();
    assert.equal(f.written.length, 11, f.written.join(''));
    for (const w of f.written) assert.match(w, /^hub entries: \d+\/50000 entries \(\d+%\), \d+\/s.*\n$/);
    assert.equal(f.written[0], 'hub entries: 5000/50000 entries (10%), 1000/s 45s left\n');
    assert.equal(f.written.at(-1), 'hub entries: 50000/50000 entries (100%), 1000/s\n');
  });

  it('takes a total that grows, and finishes once', () => {
    const f = fake(false);
    const p = progress('log sequence', 'leaves', 10, { stream: f.stream, now: f.now, intervalMs: 10 });
    f.advance(20);
    p.update(20, 40);
    p.finish();
    p.finish();
    assert.deepEqual(f.written, [
      'log sequence: 20/40 leaves (50%), 1000/s 1s left\n',
      'log sequence: 20/40 leaves (50%), 1000/s 1s left\n',
    ]);
  });
});
