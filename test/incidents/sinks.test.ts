import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { incidentSinkSchema, incidentsSection, resolveIncidents } from '../../src/config/incidents.ts';
import { type EvidenceDocument, forkEvidence, makeIncident, parseEvidence, verifyEvidence } from '../../src/evidence/index.ts';
import {
  buildIncidentReporter,
  CommandIncidentSink,
  EvidenceDir,
  type IncidentLogger,
  IncidentMetrics,
  IncidentReporter,
  type IncidentSink,
  JsonLinesIncidentSink,
  LogIncidentSink,
  WebhookIncidentSink,
} from '../../src/incidents/index.ts';
import { ctWorld, leaves, T0 } from '../evidence/fixtures.ts';
import { tempDir } from '../support/temp-dir.ts';

const ct = ctWorld();
const honest = leaves(10);
const forked = leaves(10, 'forked');
const fork = (size: number, by = 'auditor'): EvidenceDocument =>
  forkEvidence({ log: ct.log, by, atMs: T0, heads: [ct.head(honest, size, T0), ct.head(forked, size, T0 + 1)] });

class MemoryLogger implements IncidentLogger {
  readonly lines: { level: string; obj: object; msg: string }[] = [];
  error(obj: object, msg: string) {
    this.lines.push({ level: 'error', obj, msg });
  }
  warn(obj: object, msg: string) {
    this.lines.push({ level: 'warn', obj, msg });
  }
  info(obj: object, msg: string) {
    this.lines.push({ level: 'info', obj, msg });
  }
}

class MemorySink implements IncidentSink {
  readonly name = 'memory';
  readonly got: string[] = [];
  async report(i: { id: string }) {
    this.got.push(i.id);
  }
  async close() {}
}

const dir = tempDir('grapevine-incidents-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('IncidentReporter', () => {
  it('delivers an incident once per id, to every sink, and counts it by category and class', async () => {
    const registry = new Registry();
    const metrics = new IncidentMetrics(registry);
    const a = new MemorySink();
    const failing: IncidentSink = { name: 'broken', report: async () => Promise.reject(new Error('boom')), close: async () => {} };
    const log = new MemoryLogger();
    const r = new IncidentReporter({ observer: 'auditor-1', sinks: [failing, a], metrics, log, now: () => T0 + 5 });
    const first = await r.raise(fork(8));
    const again = await r.raise(fork(8, 'someone else'));
    assert.equal(first.fresh, true);
    assert.equal(again.fresh, false);
    assert.equal(again.incident.id, first.incident.id);
    assert.deepEqual(a.got, [first.incident.id]);
    const text = await registry.metrics();
    assert.match(text, /grapevine_incidents_total\{category="fork",class="proof"\} 1/);
    assert.match(text, /grapevine_incidents_total\{category="unresponsive",class="suspicion"\} 0/);
    assert.match(text, /grapevine_incident_sink_failures_total\{sink="broken",reason="error"\} 1/);
    assert.ok(log.lines.some((l) => l.msg === 'incident sink failed'));
  });

  it('writes the evidence file and, after a restart, does not raise the same incident again', async () => {
    const evidenceDir = new EvidenceDir(join(dir, 'evidence'));
    const a = new MemorySink();
    const r1 = new IncidentReporter({ observer: 'x', sinks: [a], evidenceDir });
    const raised = await r1.raise(fork(7));
    assert.equal(raised.evidencePath, join(dir, 'evidence', `${raised.incident.id}.json`));
    const onDisk = readFileSync(raised.evidencePath as string);
    assert.equal(verifyEvidence(onDisk).proves, true);
    const r2 = new IncidentReporter({ observer: 'x', sinks: [a], evidenceDir });
    assert.equal((await r2.raise(fork(7))).fresh, false);
    assert.equal((await r2.raise(fork(6))).fresh, true);
    assert.equal(a.got.length, 2);
  });
});

describe('LogIncidentSink', () => {
  it('logs a proof at error and a suspicion at warn, with the id and category as fields', async () => {
    const log = new MemoryLogger();
    const i = makeIncident(fork(5), 'a', T0);
    await new LogIncidentSink(log).report(i, { evidencePath: '/e/x.json' });
    assert.equal(log.lines[0].level, 'error');
    assert.deepEqual(log.lines[0].obj, { incident: i.id, category: 'fork', class: 'proof', log: 'test-ct', evidence: '/e/x.json' });
    assert.match(log.lines[0].msg, /^INCIDENT PROOF of fork/);
  });
});

describe('JsonLinesIncidentSink', () => {
  it('appends one record per id, across restarts, and starts a fresh line after a torn one', async () => {
    const path = join(dir, 'incidents.jsonl');
    const s1 = new JsonLinesIncidentSink(path);
    const i5 = makeIncident(fork(5), 'a', T0);
    await Promise.all([s1.report(i5, {}), s1.report(i5, {})]);
    await s1.close();
    appendFileSync(path, '{"v":1,"id":"torn');
    const s2 = new JsonLinesIncidentSink(path);
    await s2.report(i5, {});
    await s2.report(makeIncident(fork(4), 'a', T0), {});
    await s2.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 4); // record, torn, record, ''
    const records = [lines[0], lines[2]].map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((r) => r.id),
      [i5.id, makeIncident(fork(4), 'a', T0).id],
    );
    assert.equal(records[0].v, 1);
    assert.equal(verifyEvidence(parseEvidence(records[0].evidence)).proves, true);
  });
});

describe('WebhookIncidentSink', () => {
  let server: Server;
  let url: string;
  const bodies: string[] = [];
  let answers: number[] = [];
  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(b);
        const status = answers.shift() ?? 200;
        if (status === 0) return; // never answer
        res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('retries 503 and 429 with backoff until a 2xx, and POSTs the record with its evidence', async () => {
    bodies.length = 0;
    answers = [503, 429, 200];
    const registry = new Registry();
    const sink = new WebhookIncidentSink({
      url,
      backoffMs: 5,
      random: () => 0.5,
      failures: new IncidentMetrics(registry),
      headers: { authorization: 'Bearer t' },
    });
    const i = makeIncident(fork(9), 'a', T0);
    await sink.report(i, {});
    await sink.idle();
    assert.equal(bodies.length, 3);
    const rec = JSON.parse(bodies[2]);
    assert.equal(rec.id, i.id);
    assert.equal(verifyEvidence(parseEvidence(rec.evidence)).proves, true);
    assert.doesNotMatch(await registry.metrics(), /grapevine_incident_sink_failures_total\{/);
    await sink.close();
  });

  it('gives up at once on a 4xx, and after maxAttempts on 5xx, counting each', async () => {
    bodies.length = 0;
    answers = [400, 500, 500];
    const registry = new Registry();
    const log = new MemoryLogger();
    const sink = new WebhookIncidentSink({
      url,
      backoffMs: 1,
      maxAttempts: 2,
      random: () => 0,
      failures: new IncidentMetrics(registry),
      log,
    });
    await sink.report(makeIncident(fork(3), 'a', T0), {});
    await sink.report(makeIncident(fork(2), 'a', T0), {});
    await sink.idle();
    assert.equal(bodies.length, 3);
    assert.match(await registry.metrics(), /grapevine_incident_sink_failures_total\{sink="webhook",reason="error"\} 2/);
    assert.deepEqual(
      log.lines.map((l) => (l.obj as { outcome: string }).outcome),
      ['HTTP 400', 'HTTP 500'],
    );
  });

  it('drops incidents beyond its queue, and close() gives up on a receiver that never answers', async () => {
    answers = [0, 0, 0, 0];
    const registry = new Registry();
    const sink = new WebhookIncidentSink({
      url,
      queueSize: 1,
      timeoutMs: 60_000,
      closeTimeoutMs: 50,
      failures: new IncidentMetrics(registry),
    });
    for (const n of [9, 8, 7]) await sink.report(makeIncident(fork(n), 'a', T0), {});
    await sink.close();
    const text = await registry.metrics();
    // One in flight, one queued, one dropped at once; close drops the two left.
    assert.match(text, /grapevine_incident_sink_failures_total\{sink="webhook",reason="dropped"\} 3/);
  });
});

describe('CommandIncidentSink', () => {
  const script = join(dir, 'hook.mjs');
  writeFileSync(
    script,
    [
      "import { writeFileSync } from 'node:fs';",
      "let s = '';",
      "process.stdin.on('data', (c) => (s += c)).on('end', () => {",
      '  const e = process.env;',
      '  const got = { stdin: JSON.parse(s), id: e.GRAPEVINE_INCIDENT_ID, cls: e.GRAPEVINE_INCIDENT_CLASS, ev: e.GRAPEVINE_INCIDENT_EVIDENCE };',
      '  writeFileSync(process.argv[2], JSON.stringify(got));',
      '  process.exit(Number(process.argv[3] || 0));',
      '});',
    ].join('\n'),
  );

  it('runs the command with the record on stdin and the incident in its environment', async () => {
    const out = join(dir, 'cmd-out.json');
    const sink = new CommandIncidentSink({ argv: [process.execPath, script, out] });
    const i = makeIncident(fork(6), 'a', T0);
    await sink.report(i, { evidencePath: '/ev/x.json' });
    await sink.close();
    const got = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(got.id, i.id);
    assert.equal(got.cls, 'proof');
    assert.equal(got.ev, '/ev/x.json');
    assert.equal(got.stdin.id, i.id);
  });

  it('counts a command that fails, cannot start, or runs too long', async () => {
    const registry = new Registry();
    const failures = new IncidentMetrics(registry);
    const i = makeIncident(fork(6), 'a', T0);
    for (const sink of [
      new CommandIncidentSink({ argv: [process.execPath, script, join(dir, 'o2.json'), '3'], failures }),
      new CommandIncidentSink({ argv: [join(dir, 'no-such-program')], failures }),
      new CommandIncidentSink({ argv: [process.execPath, '-e', 'setInterval(()=>{},1000)'], timeoutMs: 50, failures }),
    ]) {
      await sink.report(i, {});
      await sink.close();
    }
    const text = await registry.metrics();
    assert.match(text, /sink="command",reason="error"\} 2/);
    assert.match(text, /sink="command",reason="timeout"\} 1/);
  });
});

describe('config: incidents section', () => {
  it('validates sinks and resolves paths and durations', () => {
    const s = incidentsSection.parse({
      evidenceDir: 'ev',
      sinks: [
        { type: 'log' },
        { type: 'jsonl', path: 'i.jsonl' },
        { type: 'webhook', url: 'https://a.example/h', timeout: '2s' },
        { type: 'command', argv: ['/bin/true'] },
      ],
    });
    const spec = resolveIncidents(s, '/etc/grapevine');
    assert.equal(spec.evidenceDir, '/etc/grapevine/ev');
    assert.deepEqual(spec.sinks[1], { type: 'jsonl', path: '/etc/grapevine/i.jsonl' });
    assert.equal((spec.sinks[2] as { timeoutMs: number }).timeoutMs, 2000);
    const reporter = buildIncidentReporter(spec, { observer: 'o', log: new MemoryLogger() });
    assert.ok(reporter instanceof IncidentReporter);
  });

  it('refuses an unknown sink type, a webhook without a URL and an empty argv', () => {
    for (const bad of [{ type: 'email' }, { type: 'webhook' }, { type: 'webhook', url: 'ftp://x' }, { type: 'command', argv: [] }]) {
      assert.equal(incidentSinkSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.deepEqual(incidentsSection.parse({}).sinks, [{ type: 'log' }]);
  });
});
