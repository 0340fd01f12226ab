/**
 * Notable events, one line each, for a person watching: a certificate
 * logged, a hub recording a head, a head gossiped, a cosignature, a service's
 * health changing, an incident. They are what changed between two status
 * snapshots (so no part needs to announce anything), plus the incidents as
 * they are raised. `ActivityLog` logs each as a pino line with an `event`
 * field — the terminal's human format prints exactly those (src/cli) — and
 * keeps the latest for the dashboard.
 */
import type { Logger } from 'pino';
import type { Incident } from '../evidence/index.ts';
import type { ServiceStatus } from '../http/index.ts';
import type { SiteSnapshot } from './site-status.ts';

export type ActivityKind = 'logged' | 'recorded' | 'gossiped' | 'cosigned' | 'health' | 'incident';

export interface ActivityEvent {
  readonly atMs: number;
  readonly kind: ActivityKind;
  readonly level: 'info' | 'warn' | 'error';
  readonly text: string;
  /** The incident id, for incidents. */
  readonly incident?: string;
}

export const MAX_EVENTS = 200;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const short = (hex: string) => `${hex.slice(0, 12)}…`;

function grew(s: ServiceStatus, n: number): string {
  const size = s.head?.size ?? 0;
  if (s.kind === 'log') return `${s.name}: ${plural(n, 'certificate', 'certificates')} logged, tree size ${size}`;
  if (s.kind === 'hub') return `${s.name}: ${plural(n, 'entry', 'entries')} recorded, tree size ${size}`;
  return `${s.name}: tree size ${size} (+${n})`;
}

/** What changed from `prev` to `next` (pure; times are the caller's). */
export function activityBetween(prev: SiteSnapshot, next: SiteSnapshot): Omit<ActivityEvent, 'atMs'>[] {
  const out: Omit<ActivityEvent, 'atMs'>[] = [];
  const before = new Map(prev.services.map((s) => [s.id, s]));
  for (const s of next.services) {
    const p = before.get(s.id);
    if (!p) continue;
    if (s.head && p.head && s.head.size > p.head.size) {
      out.push({ kind: s.kind === 'hub' ? 'recorded' : 'logged', level: 'info', text: grew(s, s.head.size - p.head.size) });
    }
    if (s.health !== p.health) {
      out.push({
        kind: 'health',
        level: s.health === 'ok' ? 'info' : s.health,
        text: s.health === 'ok' ? `${s.name}: ok again` : `${s.name}: ${s.health}: ${s.detail}`,
      });
    }
  }
  const key = (o: SiteSnapshot['observations'][number]) => `${o.source.id}\n${o.observer.kind}\n${o.observer.name}`;
  const held = new Map(prev.observations.map((o) => [key(o), o]));
  for (const o of next.observations) {
    if (o.observer.kind === 'log') continue;
    const p = held.get(key(o));
    if (p && p.head.size === o.head.size && p.head.root === o.head.root) continue;
    const at = `${o.source.name} at size ${o.head.size} (root ${short(o.head.root)})`;
    if (o.observer.kind === 'witness') out.push({ kind: 'cosigned', level: 'info', text: `${o.observer.name} cosigned ${at}` });
    else if (o.observer.kind === 'hub') out.push({ kind: 'gossiped', level: 'info', text: `${o.observer.name} recorded ${at}` });
    else out.push({ kind: 'gossiped', level: 'info', text: `${o.observer.name} got ${at}` });
  }
  return out;
}

export function incidentEvent(i: Incident): Omit<ActivityEvent, 'atMs'> {
  return {
    kind: 'incident',
    level: i.class === 'proof' ? 'error' : 'warn',
    text: `INCIDENT ${i.id}: ${i.summary}`,
    incident: i.id,
  };
}

/** The latest events, newest last, each also logged with an `event` field. */
export class ActivityLog {
  readonly #logger?: Logger;
  readonly #events: ActivityEvent[] = [];
  #prev: SiteSnapshot | null = null;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Takes the next snapshot; the first one only sets the baseline. */
  observe(next: SiteSnapshot): void {
    if (this.#prev) for (const e of activityBetween(this.#prev, next)) this.record({ ...e, atMs: next.atMs });
    this.#prev = next;
  }

  record(e: ActivityEvent): void {
    this.#events.push(e);
    if (this.#events.length > MAX_EVENTS) this.#events.shift();
    const fields = { event: e.kind, ...(e.incident !== undefined ? { incident: e.incident } : {}) };
    this.#logger?.[e.level](fields, e.text);
  }

  /** The latest `limit` events, newest first. */
  latest(limit: number): ActivityEvent[] {
    return this.#events.slice(-limit).reverse();
  }
}
