/** Small pieces every view uses: health badges, heads, hashes, loading and error states. */
import type { ComponentChildren } from 'preact';
import { ago, count, shortHex } from './format.ts';
import type { ServiceStatus } from './types.ts';

const HEALTH_TEXT = { ok: 'ok', warn: 'degraded', error: 'failing' } as const;

/** Health as a word beside a shape, never colour alone. */
export function HealthBadge({ health }: { health: ServiceStatus['health'] }) {
  return (
    <span class={`badge health-${health}`}>
      <span class="dot" aria-hidden="true" />
      {HEALTH_TEXT[health]}
    </span>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'error' | 'info' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge tone-${tone}`}>{children}</span>;
}

/** A hash shown short, whole in its title and for screen readers on focus. */
export function Hash({ hex }: { hex: string }) {
  return (
    <code class="hash" title={hex}>
      {shortHex(hex)}
    </code>
  );
}

export function Head({ head, now }: { head: NonNullable<ServiceStatus['head']>; now: number }) {
  return (
    <dl class="head">
      <div>
        <dt>size</dt>
        <dd class="size">{count(head.size)}</dd>
      </div>
      <div>
        <dt>root</dt>
        <dd>
          <Hash hex={head.root} />
        </dd>
      </div>
      <div>
        <dt>signed</dt>
        <dd>{head.timestampMs === null ? 'no timestamp' : ago(head.timestampMs, now)}</dd>
      </div>
    </dl>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Problem({ error }: { error: string }) {
  return (
    <p class="problem" role="alert">
      Could not update: {error}
    </p>
  );
}
