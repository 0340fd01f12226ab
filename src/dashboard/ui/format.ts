/** How numbers, times and hashes read on the page. */

/** "4 s", "3 min", "2 h", "5 d" (negative ages, from clock skew, read as "now"). */
export function age(ms: number): string {
  if (ms < 1000) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

export function ago(atMs: number | null | undefined, nowMs: number): string {
  return atMs === null || atMs === undefined ? '—' : `${age(nowMs - atMs)} ago`;
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The first 12 hex digits and an ellipsis; the full value goes in a title. */
export function shortHex(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

/** A time of day in the browser's zone, with the date when not today. */
export function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
