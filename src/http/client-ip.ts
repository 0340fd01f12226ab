/**
 * Who is calling, for quotas. The address is fastify's `request.ip`, which
 * honours X-Forwarded-For only when the app was created with `trustProxy`
 * (src/http/app.ts): the original hub always trusted X-Real-Ip and
 * X-Forwarded-For (specs/gossip-hub.md §1.8 `realip.FromRequest`), so any
 * client could pick its own quota bucket.
 *
 * IPv6 clients are bucketed per prefix, /64 by default: one host usually
 * owns a whole /64, and per-address buckets would give it 2^64 quotas. A
 * holder of a /48 still has 65,536 /64 buckets; `setIpv6QuotaPrefix` makes
 * an app bucket coarser (the config's `ipv6QuotaPrefix`,
 * docs/configuration.md "Client addresses, quotas and IPv6").
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClientInfo } from '../log/request-quotas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Prefix length of IPv6 quota buckets for this app's routes (setIpv6QuotaPrefix); unset: 64. */
    ipv6QuotaPrefix?: number;
  }
}

/** IPv6 clients share a quota bucket per prefix of this many bits unless the app says otherwise. */
export const DEFAULT_IPV6_QUOTA_PREFIX = 64;

/**
 * Makes every route of `app` (and of the plugins it registers afterwards)
 * bucket IPv6 clients per prefix of `bits` bits. Call once, before mounting
 * routes; the config allows 16–64.
 */
export function setIpv6QuotaPrefix(app: FastifyInstance, bits: number): void {
  app.decorate('ipv6QuotaPrefix', bits);
}

/** The client address with IPv4-mapped IPv6 (`::ffff:1.2.3.4`) unwrapped. */
export function clientIp(req: Pick<FastifyRequest, 'ip'>): string {
  const ip = req.ip ?? '';
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

/** Expands an IPv6 address to its 8 groups (no zone). */
function ipv6Groups(ip: string): number[] | null {
  const addr = ip.split('%')[0];
  if (!isIPv6(addr)) return null;
  let head = addr;
  let tail = '';
  const dbl = addr.indexOf('::');
  if (dbl >= 0) {
    head = addr.slice(0, dbl);
    tail = addr.slice(dbl + 2);
  }
  const parse = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (isIPv4(part)) {
        const [a, b, c, d] = part.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(part, 16));
    }
    return out;
  };
  const h = parse(head);
  const t = parse(tail);
  const fill = dbl >= 0 ? new Array(8 - h.length - t.length).fill(0) : [];
  const g = [...h, ...fill, ...t];
  return g.length === 8 ? g : null;
}

/**
 * The quota user string for a client address: `ip:1.2.3.4`, or the IPv6
 * prefix of `prefixBits` bits (clamped to 1–128) that holds it,
 * `ip6:2001:db8:0:1::/64`.
 */
export function quotaUserForIp(ip: string, prefixBits = DEFAULT_IPV6_QUOTA_PREFIX): string {
  if (isIPv4(ip)) return `ip:${ip}`;
  const g = ipv6Groups(ip);
  if (!g) return `ip:${ip}`;
  const bits = Math.min(128, Math.max(1, Math.trunc(prefixBits)));
  const groups = g.slice(0, Math.ceil(bits / 16)).map((x, i) => {
    const kept = Math.min(16, bits - 16 * i); // bits of this group inside the prefix
    return (x & ((0xffff << (16 - kept)) & 0xffff)).toString(16);
  });
  return `ip6:${groups.join(':')}${groups.length < 8 ? '::' : ''}/${bits}`;
}

/** clientIp + quotaUserForIp, with the app's IPv6 prefix (setIpv6QuotaPrefix). */
export function quotaUser(req: Pick<FastifyRequest, 'ip'> & { readonly server?: { readonly ipv6QuotaPrefix?: number } }): string {
  return quotaUserForIp(clientIp(req), req.server?.ipv6QuotaPrefix ?? DEFAULT_IPV6_QUOTA_PREFIX);
}

/**
 * The caller as a personality's processX takes it, its quota user worked out
 * only if a quota asks for it (most servers limit nothing per client). A
 * class, so the getter lives on the prototype: an object literal with a
 * getter is slow to make.
 */
class Caller implements ClientInfo {
  readonly #req: Pick<FastifyRequest, 'ip'> & { readonly server?: { readonly ipv6QuotaPrefix?: number } };
  constructor(req: Pick<FastifyRequest, 'ip'> & { readonly server?: { readonly ipv6QuotaPrefix?: number } }) {
    this.#req = req;
  }
  get quotaUser(): string {
    return quotaUser(this.#req);
  }
}

/** Who is asking, for quotas (ClientInfo of src/log/request-quotas.ts). */
export function requestClient(req: Pick<FastifyRequest, 'ip'> & { readonly server?: { readonly ipv6QuotaPrefix?: number } }): ClientInfo {
  return new Caller(req);
}
