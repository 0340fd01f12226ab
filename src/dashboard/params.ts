/**
 * The API's query parameters, checked strictly (docs/dashboard.md): an
 * unknown or repeated parameter, or a value out of range, is DashboardError
 * BAD_PARAMETER with a "got X, want Y" reason, never a silent default. Pure.
 */
import { DashboardError } from './errors.ts';

/** Longest value quoted back in a reason. */
const QUOTE = 40;
const quote = (v: string) => JSON.stringify(v.length > QUOTE ? `${v.slice(0, QUOTE)}…` : v);

export type Query = Readonly<Record<string, unknown>>;

/** Refuses parameters other than `allowed`, and repeated ones. */
export function onlyParams(q: Query, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(q)) {
    if (!allowed.includes(k)) {
      const want = allowed.length > 0 ? `want ${allowed.join(', ')}` : 'this endpoint takes none';
      throw new DashboardError('BAD_PARAMETER', `got parameter ${quote(k)}, ${want}`);
    }
    if (typeof v !== 'string') throw new DashboardError('BAD_PARAMETER', `${k}: given more than once, want it once`);
  }
}

/** An integer parameter in [min, max], or `def` when absent. */
export function intParam(q: Query, name: string, min: number, max: number, def: number): number {
  const v = q[name];
  if (v === undefined) return def;
  const s = String(v);
  if (!/^[0-9]{1,9}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw new DashboardError('BAD_PARAMETER', `${name}: got ${quote(s)}, want an integer from ${min} to ${max}`);
  }
  return Number(s);
}

/** One of `values`, or `def` when absent. */
export function enumParam<T extends string>(q: Query, name: string, values: readonly T[], def: T | undefined): T | undefined {
  const v = q[name];
  if (v === undefined) return def;
  if (!values.includes(v as T))
    throw new DashboardError('BAD_PARAMETER', `${name}: got ${quote(String(v))}, want one of ${values.join(', ')}`);
  return v as T;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** A duration ("90s", "15m", "1h") from `minMs` to `maxMs`, or `defMs` when absent. */
export function durationParam(q: Query, name: string, minMs: number, maxMs: number, defMs: number): number {
  const v = q[name];
  if (v === undefined) return defMs;
  const m = /^([0-9]{1,6})(s|m|h)$/.exec(String(v));
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]] : Number.NaN;
  if (!(ms >= minMs && ms <= maxMs)) {
    throw new DashboardError(
      'BAD_PARAMETER',
      `${name}: got ${quote(String(v))}, want a duration such as 15m from ${minMs / 1000} s to ${maxMs / 1000} s`,
    );
  }
  return ms;
}

/** An incident id: `<category>-<16 hex>` (src/evidence/incident.ts). */
export function incidentIdParam(id: string): string {
  if (!/^[a-z-]{1,40}-[0-9a-f]{16}$/.test(id))
    throw new DashboardError('BAD_PARAMETER', `id: got ${quote(id)}, want <category>-<16 hex digits>`);
  return id;
}
