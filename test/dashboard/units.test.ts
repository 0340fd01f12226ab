/**
 * The dashboard's pure pieces in tables: who may read it, whether views of a
 * source agree, what counts as a notable event, how samples become plotted
 * points, how API parameters are refused, and the terminal's human lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstRunBlock } from '../../src/cli/first-run.ts';
import { humanLine } from '../../src/cli/log-format.ts';
import { bearerMatches, dashboardAccess, isLoopbackHost } from '../../src/dashboard/access.ts';
import { activityBetween } from '../../src/dashboard/activity.ts';
import { DashboardError } from '../../src/dashboard/errors.ts';
import { durationParam, enumParam, incidentIdParam, intParam, onlyParams } from '../../src/dashboard/params.ts';
import { bucketEnds, plotValues } from '../../src/dashboard/plots.ts';
import { MAX_SERIES, SampleRing } from '../../src/dashboard/samples.ts';
import type { SiteSnapshot } from '../../src/dashboard/site-status.ts';
import { groupSources } from '../../src/dashboard/sources.ts';
import { mmdStatus, type ServiceStatus, type SourceObservation } from '../../src/http/index.ts';

const settings = { enabled: true, token: '', historyMs: 3_600_000, sampleIntervalMs: 2000 };

describe('dashboard access', () => {
  for (const [host, loopback] of [
    ['127.0.0.1', true],
    ['127.9.8.7', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.0.2.1', false],
    ['example.org', false],
    ['128.0.0.1', false],
  ] as const) {
    it(`${host} is ${loopback ? '' : 'not '}loopback`, () => assert.equal(isLoopbackHost(host), loopback));
  }

  it('is open on loopback without a token, needs the token when one is set, and is off beyond loopback without one', () => {
    assert.deepEqual(dashboardAccess(settings, '127.0.0.1'), { mode: 'open' });
    assert.deepEqual(dashboardAccess({ ...settings, token: 't'.repeat(16) }, '127.0.0.1'), { mode: 'token', token: 't'.repeat(16) });
    assert.deepEqual(dashboardAccess({ ...settings, token: 't'.repeat(16) }, '0.0.0.0'), { mode: 'token', token: 't'.repeat(16) });
    const off = dashboardAccess(settings, '0.0.0.0');
    assert.equal(off.mode, 'off');
    assert.match((off as { reason: string }).reason, /dashboard\.token/);
    assert.equal(dashboardAccess({ ...settings, enabled: false }, '127.0.0.1').mode, 'off');
  });

  for (const [desc, header, want] of [
    ['the token', 'Bearer abcdefghijklmnop', true],
    ['the token, scheme in lower case', 'bearer abcdefghijklmnop', true],
    ['another token of the same length', 'Bearer abcdefghijklmnoq', false],
    ['a prefix of the token', 'Bearer abcdefgh', false],
    ['the token with more after it', 'Bearer abcdefghijklmnopq', false],
    ['basic authentication', 'Basic abcdefghijklmnop', false],
    ['nothing', undefined, false],
  ] as const) {
    it(`a bearer header with ${desc} ${want ? 'matches' : 'does not match'}`, () =>
      assert.equal(bearerMatches(header, 'abcdefghijklmnop'), want));
  }
});

const obs = (observer: string, size: number, root: string, kind: SourceObservation['observer']['kind'] = 'hub'): SourceObservation => ({
  source: { id: 'aa'.repeat(32), name: 'log one' },
  observer: { kind, name: observer },
  head: { size, root, timestampMs: 1 },
});

describe('groupSources: do the views of a log agree', () => {
  for (const { desc, views, want } of [
    { desc: 'one view', views: [obs('hub', 5, 'r5')], want: 'single' },
    { desc: 'the same head everywhere', views: [obs('log', 5, 'r5', 'log'), obs('hub', 5, 'r5')], want: 'agree' },
    { desc: 'a hub behind the log', views: [obs('log', 7, 'r7', 'log'), obs('hub', 5, 'r5')], want: 'behind' },
    {
      desc: 'two roots at one size, other views behind',
      views: [obs('log', 7, 'r7', 'log'), obs('hub', 5, 'r5'), obs('gossip', 5, 'x5', 'gossip')],
      want: 'conflict',
    },
  ] as const) {
    it(`${desc}: ${want}`, () => {
      const [row] = groupSources(views);
      assert.equal(row.agreement, want);
      assert.equal(row.views.length, views.length);
      assert.equal(row.size, Math.max(...views.map((v) => v.head.size)));
    });
  }

  it("puts the log's own view first and names the source after it", () => {
    const [row] = groupSources([
      obs('a hub', 5, 'r'),
      { ...obs('itself', 5, 'r', 'log'), source: { id: 'aa'.repeat(32), name: 'CT log ct' } },
    ]);
    assert.equal(row.views[0].observer.kind, 'log');
    assert.equal(row.name, 'CT log ct');
  });

  it('keeps sources apart by log id', () => {
    const other = { ...obs('hub', 1, 'r'), source: { id: 'bb'.repeat(32), name: 'log two' } };
    assert.deepEqual(
      groupSources([obs('hub', 5, 'r'), other]).map((r) => r.name),
      ['log one', 'log two'],
    );
  });
});

const service = (o: Partial<ServiceStatus> & { id: string }): ServiceStatus => ({
  kind: 'log',
  name: o.id,
  health: 'ok',
  detail: '',
  ...o,
});
const snap = (services: ServiceStatus[], observations: SourceObservation[] = []): SiteSnapshot => ({ atMs: 0, services, observations });
const head = (size: number) => ({ size, root: `${size}`.padStart(64, '0'), timestampMs: 0 });

describe('activityBetween: notable events', () => {
  it('says how many certificates a CT log logged and how many entries a hub recorded', () => {
    const before = snap([
      service({ id: 'ct', name: 'CT log ct', head: head(3) }),
      service({ id: 'hub', kind: 'hub', name: 'hub h', head: head(1) }),
    ]);
    const after = snap([
      service({ id: 'ct', name: 'CT log ct', head: head(5) }),
      service({ id: 'hub', kind: 'hub', name: 'hub h', head: head(2) }),
    ]);
    assert.deepEqual(
      activityBetween(before, after).map((e) => [e.kind, e.text]),
      [
        ['logged', 'CT log ct: 2 certificates logged, tree size 5'],
        ['recorded', 'hub h: 1 entry recorded, tree size 2'],
      ],
    );
  });

  it('reports a new head held by a hub, a gossip service or a witness, and nothing for an unchanged one', () => {
    const a = obs('hub h', 5, 'r5');
    const w = { ...obs('witness w', 5, 'r5', 'witness'), cosignatures: 1 };
    const events = activityBetween(
      snap([], [a, w]),
      snap([], [obs('hub h', 6, 'r6'), w, obs('gossip service g (from peer:x)', 6, 'r6', 'gossip')]),
    );
    assert.deepEqual(
      events.map((e) => [e.kind, e.text]),
      [
        ['gossiped', 'hub h recorded log one at size 6 (root r6…)'],
        ['gossiped', 'gossip service g (from peer:x) got log one at size 6 (root r6…)'],
      ],
    );
    const cosigned = activityBetween(snap([], [w]), snap([], [{ ...w, head: { ...w.head, size: 6, root: 'r6' } }]));
    assert.equal(cosigned[0].kind, 'cosigned');
    assert.match(cosigned[0].text, /witness w cosigned log one at size 6/);
  });

  it('reports health going bad and coming back', () => {
    const ok = snap([service({ id: 'ct' })]);
    const bad = snap([service({ id: 'ct', health: 'warn', detail: 'refusing new entries' })]);
    assert.deepEqual(
      activityBetween(ok, bad).map((e) => [e.level, e.text]),
      [['warn', 'ct: warn: refusing new entries']],
    );
    assert.deepEqual(
      activityBetween(bad, ok).map((e) => e.text),
      ['ct: ok again'],
    );
  });
});

describe('mmdStatus', () => {
  for (const [desc, o, want] of [
    ['accepting with a fresh head', { accepting: true, stopped: false, headAgeMs: 9000 }, 'kept'],
    ['an idle tree just past one MMD (it re-signs about once per MMD)', { accepting: true, stopped: false, headAgeMs: 10_500 }, 'kept'],
    ['no new head for more than twice the MMD', { accepting: true, stopped: false, headAgeMs: 20_001 }, 'at-risk'],
    ['refusing for the backlog', { accepting: false, stopped: false, headAgeMs: 0 }, 'at-risk'],
    ['the sequencer stopped', { accepting: false, stopped: true, headAgeMs: 0 }, 'broken'],
  ] as const) {
    it(`${desc}: ${want}`, () => assert.equal(mmdStatus({ mmdMs: 10_000, ...o }).state, want));
  }
});

describe('samples', () => {
  it('bucketEnds: every sample when few, else evenly spaced ends that finish on the last', () => {
    assert.deepEqual(bucketEnds(3, 10), [0, 1, 2]);
    assert.deepEqual(bucketEnds(10, 5), [1, 3, 5, 7, 9]);
    assert.deepEqual(bucketEnds(0, 5), []);
  });

  it('plotValues: a gauge as sampled; a counter as a rate between bucket ends, none after a reset', () => {
    const times = [0, 1000, 2000, 3000, 4000];
    assert.deepEqual(plotValues('gauge', times, [1, 2, Number.NaN, 4, 5], [0, 1, 2, 3, 4]), [1, 2, null, 4, 5]);
    assert.deepEqual(plotValues('rate', times, [0, 10, 30, 5, 15], [0, 1, 2, 3, 4]), [null, 10, 20, null, 10]);
    assert.deepEqual(plotValues('rate', times, [0, 10, 30, 40, 60], [1, 3]), [10, 15]);
  });

  it('SampleRing keeps the newest `capacity` samples, answers a window, and sums label sets beyond MAX_SERIES into "other"', () => {
    const ring = new SampleRing(4, [{ id: 'p', title: 'P', unit: 'entries', kind: 'gauge', from: [] }]);
    for (let t = 1; t <= 6; t++) ring.push(t * 1000, new Map([['p', new Map([['a', t]])]]));
    const all = ring.query(0, 100);
    assert.deepEqual(all.times, [3000, 4000, 5000, 6000]);
    assert.deepEqual(all.plots[0].series, [{ name: 'a', values: [3, 4, 5, 6] }]);
    assert.deepEqual(ring.query(5000, 100).times, [5000, 6000]);
    const many = new SampleRing(2, [{ id: 'p', title: 'P', unit: 'x', kind: 'gauge', from: [] }]);
    many.push(
      1,
      new Map([['p', new Map(Array.from({ length: MAX_SERIES + 4 }, (_, i) => [`s${String(i).padStart(2, '0')}`, 1] as const))]]),
    );
    const names = many.query(0, 10).plots[0].series.map((s) => s.name);
    assert.ok(names.length <= MAX_SERIES + 1);
    assert.equal(names.at(-1), 'other');
    assert.equal(names.length, MAX_SERIES + 1);
    assert.equal(many.query(0, 10).plots[0].series.at(-1)?.values[0], 4, 'the four label sets beyond the first MAX_SERIES, summed');
  });
});

describe('API parameters', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof DashboardError);
      return `${err.code}: ${err.message}`;
    }
    return 'ok';
  };
  for (const [desc, f, want] of [
    ['an unknown parameter', () => onlyParams({ windw: '5m' }, ['window']), /^BAD_PARAMETER: got parameter "windw", want window$/],
    ['a parameter where none is taken', () => onlyParams({ x: '1' }, []), /this endpoint takes none/],
    ['a repeated parameter', () => onlyParams({ window: ['5m', '1h'] }, ['window']), /window: given more than once/],
    ['a limit of 0', () => intParam({ limit: '0' }, 'limit', 1, 100, 10), /limit: got "0", want an integer from 1 to 100/],
    ['a limit that is not a number', () => intParam({ limit: '1e3' }, 'limit', 1, 100, 10), /got "1e3"/],
    ['an unknown class', () => enumParam({ class: 'bad' }, 'class', ['proof', 'suspicion'], undefined), /want one of proof, suspicion/],
    ['a window beyond the history', () => durationParam({ window: '2h' }, 'window', 60_000, 3_600_000, 900_000), /window: got "2h"/],
    ['a window without a unit', () => durationParam({ window: '15' }, 'window', 60_000, 3_600_000, 900_000), /want a duration such as 15m/],
    ['an incident id with markup', () => incidentIdParam('<script>'), /id: got "<script>", want <category>-<16 hex digits>/],
    ['a very long value, quoted short', () => intParam({ limit: 'x'.repeat(5000) }, 'limit', 1, 2, 1), /got "x{40}…"/],
    ['a good window', () => durationParam({ window: '5m' }, 'window', 60_000, 3_600_000, 900_000), /^ok$/],
  ] as const) {
    it(`${desc}: ${String(want)}`, () => assert.match(code(f), want));
  }
});

describe('the terminal: human lines', () => {
  const at = Date.parse('2026-01-02T03:04:05Z');
  it('prints event lines and warnings, and drops plain info', () => {
    const seen = new Set<string>();
    assert.match(
      humanLine({ level: 30, time: at, event: 'logged', msg: 'CT log ct: 1 certificate logged, tree size 1' }, seen) ?? '',
      /^\d\d:\d\d:\d\d {2}CT log ct: 1 certificate logged, tree size 1$/,
    );
    assert.equal(humanLine({ level: 30, time: at, msg: 'became sequencer leader', tree: 'ct' }, seen), null);
    assert.match(
      humanLine({ level: 40, time: at, msg: 'refusing new entries', tree: 'ct' }, seen) ?? '',
      /warning: refusing new entries \(tree=ct\)$/,
    );
    assert.match(
      humanLine({ level: 50, time: at, msg: 'boom', err: { message: 'disk full' } }, seen) ?? '',
      /error: boom \(err=disk full\)$/,
    );
  });

  it('prints an incident once, whether its event line or its log sink line comes first', () => {
    const seen = new Set<string>();
    const first = humanLine(
      {
        level: 50,
        time: at,
        event: 'incident',
        incident: 'fork-0123456789abcdef',
        msg: 'INCIDENT fork-0123456789abcdef (proof): two trees',
      },
      seen,
    );
    assert.match(first ?? '', /INCIDENT fork-0123456789abcdef \(proof\): two trees/);
    assert.equal(
      humanLine({ level: 50, time: at, incident: 'fork-0123456789abcdef', category: 'fork', msg: 'INCIDENT two trees' }, seen),
      null,
    );
  });

  it('escapes terminal controls from outside', () => {
    const line = humanLine({ level: 30, time: at, event: 'gossiped', msg: 'log \u001b[31mred\u001b[0m\nnext \u202e' }, new Set()) ?? '';
    assert.ok(![...line].some((c) => c === '\u001b' || c === '\n' || c === '\u202e'), line);
    assert.match(line, /\\x1b\[31mred/);
  });
});

describe('the first-run block', () => {
  const base = {
    url: 'http://127.0.0.1:8080',
    dataDir: '/home/u/gv/grapevine-data',
    configFile: '/home/u/gv/grapevine-data/grapevine.yaml',
    cwd: '/home/u/gv',
    dashboard: { url: 'http://127.0.0.1:8080/', token: false },
    logFormat: 'human' as const,
    logFile: '/home/u/gv/grapevine-data/grapevine.log',
    hub: { prefix: 'hub', source: 'local-ct' },
    hasCt: true,
    exists: () => true,
  };

  it("names the dashboard, the data, the keys and the logs, and gives the README's three commands with this server's URL", () => {
    const text = firstRunBlock(base);
    assert.match(text, /Dashboard {2}http:\/\/127\.0\.0\.1:8080\/ /);
    assert.match(text, /Data {7}grapevine-data {3}\(config grapevine-data\/grapevine\.yaml\)/);
    assert.match(text, /Keys {7}grapevine-data\/keys/);
    assert.match(text, /JSON lines in grapevine-data\/grapevine\.log/);
    const commands = text.split('\n').filter((l) => l.trim().startsWith('npx grapevine'));
    assert.deepEqual(
      commands.map((l) => l.trim().split(' ').slice(0, 4).join(' ')),
      ['npx grapevine ct add-chain', 'npx grapevine ct sth', 'npx grapevine hub latest'],
    );
    assert.ok(commands.every((l) => l.includes('--url http://127.0.0.1:8080')));
  });

  it('says why the dashboard is off, and gives no commands for a site not laid out as the demo', () => {
    const text = firstRunBlock({ ...base, dashboard: { off: 'dashboard.enabled is false' }, exists: () => false });
    assert.match(text, /Dashboard {2}off: dashboard\.enabled is false/);
    assert.doesNotMatch(text, /npx grapevine/);
  });
});
