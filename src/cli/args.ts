/**
 * Parsers for option values, shared by the commands. Each throws commander's
 * InvalidArgumentError, which main() reports as a usage error (exit 2) in
 * the shape "got X, want Y".
 */
import { InvalidArgumentError } from 'commander';
import { decodeHashText } from '../codec/encoding.ts';
import { CodecError } from '../codec/errors.ts';
import { listenProblem } from '../config/fields.ts';

/** A non-negative safe integer (indices, sizes, counts, milliseconds). */
export function intArg(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new InvalidArgumentError(`got ${JSON.stringify(v)}, want a non-negative integer`);
  return Number(v);
}

/** A TCP port, 0–65535 (0: any free port). */
export function portArg(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError(`got ${JSON.stringify(v)}, want a port number 0–65535`);
  return Number(v);
}

/** A listen address, HOST:PORT (IPv6 in brackets; all interfaces: 0.0.0.0 or [::]). */
export function listenArg(v: string): string {
  const bad = listenProblem(v, '--listen');
  if (bad) throw new InvalidArgumentError(bad.replace(/^--listen: /, ''));
  return v;
}

/** A SHA-256 hash in hex or base64. */
export function hashArg(v: string): Buffer {
  try {
    return decodeHashText(v);
  } catch (err) {
    if (err instanceof CodecError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration with a unit ("500ms", "10s", "2m", "24h"), as ms. */
export function durationArg(v: string): number {
  const m = /^([0-9]{1,9})(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`got ${JSON.stringify(v)}, want a duration such as 500ms, 10s, 24h`);
  return Number(m[1]) * (UNIT_MS[m[2]] as number);
}
