/**
 * The page's client of /api/v1/: JSON with the bearer token when one was
 * given (kept for this tab only, in sessionStorage), and `usePoll`, the
 * live update — each view polls its endpoint (docs/dashboard.md § Live
 * updates), pausing while the tab is hidden.
 */
import { useEffect, useState } from 'preact/hooks';

const TOKEN_KEY = 'grapevine.dashboard.token';

let token: string | null = sessionStorage.getItem(TOKEN_KEY);
const authListeners = new Set<(needed: boolean) => void>();

/** The API said 401: the page asks for the token. */
function tokenNeeded(): void {
  for (const l of authListeners) l(true);
}

export function setToken(t: string): void {
  token = t;
  sessionStorage.setItem(TOKEN_KEY, t);
  for (const l of authListeners) l(false);
}

export function onAuth(l: (needed: boolean) => void): () => void {
  authListeners.add(l);
  return () => authListeners.delete(l);
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function request(path: string): Promise<Response> {
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (res.status === 401) tokenNeeded();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {}
    throw new ApiError(res.status, message);
  }
  return res;
}

/**
 * Unicode controls that reorder or hide text (bidi overrides and isolates, marks, C0 and C1 controls but
 * tab and newline): shown as a visible marker, so a name from outside cannot make text read differently
 * from what it is (the API itself answers the strings unchanged).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this makes visible
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function visible<T>(v: T): T {
  if (typeof v === 'string') return v.replace(HIDDEN, (c) => `⟦U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟧`) as T;
  if (Array.isArray(v)) return v.map(visible) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visible(x)])) as T;
  return v;
}

export async function getJson<T>(path: string): Promise<T> {
  return visible((await (await request(path)).json()) as T);
}

/** Saves what `path` answers as a file named `filename` (fetched with the token, so it works in either access mode). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface Polled<T> {
  readonly data: T | null;
  readonly error: string | null;
  /** When the last answer arrived, ms (the browser's clock). */
  readonly at: number | null;
}

/** Fetches `path` now and every `everyMs` while the tab is visible; a new path starts over. */
export function usePoll<T>(path: string, everyMs: number): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, at: null });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: null, error: null, at: null });
    const tick = async () => {
      if (document.visibilityState === 'visible') {
        try {
          const data = await getJson<T>(path);
          if (!stopped) setState({ data, error: null, at: Date.now() });
        } catch (err) {
          if (!stopped) setState((s) => ({ ...s, error: (err as Error).message }));
        }
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') {
        clearTimeout(timer);
        void tick();
      }
    };
    void tick();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [path, everyMs]);
  return state;
}
