/**
 * Parsers for option values, shared by the commands. Each throws commander's
 * InvalidArgumentError, which main() reports as a usage error (exit 2) in
 * the shape "got X, want Y".
 */
import { InvalidArgumentError } from 'commander';
import { decodeHashText } from '../codec/encoding.ts';
import { CodecError } from '../codec/errors.ts';

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

/** A SHA-256 hash in hex or base64. */
export function hashArg(v: string): Buffer {
  try {
    return decodeHashText(v);
  } catch (err) {
    if (err instanceof CodecError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}
