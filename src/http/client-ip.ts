/**
 * Who is calling, for quotas. The address is fastify's `request.ip`, which
 * honours X-Forwarded-For only when the app was created with `trustProxy`
 * (src/http/app.ts): the original hub always trusted X-Real-Ip and
 * X-Forwarded-For (specs/gossip-hub.md §1.8 `realip.FromRequest`), so any
 * client could pick its own quota bucket.
 *
 * IPv6 clients are bucketed per /64: one host usually owns a whole /64, and
 * per-address buckets would give it 2^64 quotas.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

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

/** The quota user string for a client address: `ip:1.2.3.4`, or `ip6:2001:db8:0:1::/64`. */
export function quotaUserForIp(ip: string): string {
  if (isIPv4(ip)) return `ip:${ip}`;
  const g = ipv6Groups(ip);
  if (!g) return `ip:${ip}`;
  return `ip6:${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

/** clientIp + quotaUserForIp. */
export function quotaUser(req: Pick<FastifyRequest, 'ip'>): string {
  return quotaUserForIp(clientIp(req));
}
