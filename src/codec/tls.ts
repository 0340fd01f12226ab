/**
 * The TLS presentation language (RFC 8446 §3; RFC 5246 §4 for TLS 1.2-era
 * structures such as RFC 6962's): big-endian integers, fixed-length opaque
 * values and variable-length vectors `T v<floor..ceiling>`.
 *
 * RFC 8446 §3.4: "The length will be in the form of a number consuming as
 * many bytes as required to hold the vector's specified maximum (ceiling)
 * length." So the prefix width is derived from the ceiling, never chosen by
 * the caller, and a length outside <floor..ceiling> is an error on both read
 * and write (we take the strict reading: the sender MUST NOT produce it and
 * the receiver rejects it).
 *
 * Performance: these run on hot paths (every leaf, every STH). The reader
 * returns zero-copy `subarray` views of its input; the writer fills one
 * preallocated Buffer that grows by doubling, and vectors of unknown length
 * are written in place and back-patched, never assembled from temporary arrays.
 */
import { CodecError } from './errors.ts';

/** 2^53 - 1 as the high/low 32-bit split used by uint64 (RFC 8446 §3.3 is big-endian). */
const MAX_SAFE_HIGH = 0x1f_ffff;
const TWO_32 = 0x1_0000_0000;

/** Bytes of the length prefix of a vector with this ceiling (RFC 8446 §3.4): 1, 2, 3 or 4. */
export function lengthPrefixSize(ceiling: number): 1 | 2 | 3 | 4 {
  if (!Number.isSafeInteger(ceiling) || ceiling < 1 || ceiling > 0xffff_ffff) {
    // A schema constant, not input: a programming error.
    throw new RangeError(`vector ceiling ${ceiling} is not in 1..2^32-1`);
  }
  if (ceiling <= 0xff) return 1;
  if (ceiling <= 0xffff) return 2;
  if (ceiling <= 0xff_ffff) return 3;
  return 4;
}

function checkBounds(floor: number, ceiling: number): void {
  if (!Number.isSafeInteger(floor) || floor < 0 || floor > ceiling) {
    throw new RangeError(`vector floor ${floor} is not in 0..${ceiling}`);
  }
}

function checkLength(what: string, len: number, floor: number, ceiling: number): void {
  if (len < floor || len > ceiling) {
    throw new CodecError('LENGTH_OUT_OF_BOUNDS', `${what}: got length ${len}, want ${floor}..${ceiling}`);
  }
}

/**
 * Reads TLS-encoded values from a byte string, front to back. Every read
 * checks that enough bytes remain (CodecError TRUNCATED); call `finish()` at
 * the end of a top-level structure to reject trailing bytes (TRAILING_DATA).
 * Returned opaque values are views into the input, not copies.
 */
export class TlsReader {
  readonly #buf: Buffer;
  #pos = 0;
  readonly #what: string;

  /** @param what names the structure in error messages, e.g. "MerkleTreeLeaf". */
  constructor(data: Uint8Array, what = 'TLS structure') {
    this.#buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.#what = what;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number, field: string): number {
    const at = this.#pos;
    if (this.#buf.length - at < n) {
      throw new CodecError('TRUNCATED', `${this.#what}: ${field} at offset ${at}: got ${this.#buf.length - at} bytes, want ${n}`);
    }
    this.#pos = at + n;
    return at;
  }

  uint8(field = 'uint8'): number {
    return this.#buf[this.#need(1, field)];
  }

  uint16(field = 'uint16'): number {
    return this.#buf.readUInt16BE(this.#need(2, field));
  }

  uint24(field = 'uint24'): number {
    return this.#buf.readUIntBE(this.#need(3, field), 3);
  }

  uint32(field = 'uint32'): number {
    return this.#buf.readUInt32BE(this.#need(4, field));
  }

  /** A uint64 as a JS number; CodecError UNSAFE_INTEGER above 2^53-1 (Grapevine keeps sizes and ms timestamps as numbers). */
  uint64(field = 'uint64'): number {
    const at = this.#need(8, field);
    const hi = this.#buf.readUInt32BE(at);
    if (hi > MAX_SAFE_HIGH) {
      throw new CodecError(
        'UNSAFE_INTEGER',
        `${this.#what}: ${field} = ${this.#buf.readBigUInt64BE(at)} exceeds 2^53-1 (Number.MAX_SAFE_INTEGER)`,
      );
    }
    return hi * TWO_32 + this.#buf.readUInt32BE(at + 4);
  }

  /** A uint64 as a bigint, for values that legitimately exceed 2^53 (e.g. nanosecond timestamps). */
  uint64Big(field = 'uint64'): bigint {
    return this.#buf.readBigUInt64BE(this.#need(8, field));
  }

  /** `opaque field[n]`: exactly n bytes, no prefix (RFC 8446 §3.2). */
  fixed(n: number, field = 'opaque'): Buffer {
    const at = this.#need(n, field);
    return this.#buf.subarray(at, at + n);
  }

  /** `opaque field<floor..ceiling>`: a length prefix sized from the ceiling, then that many bytes. */
  opaque(floor: number, ceiling: number, field = 'opaque'): Buffer {
    const len = this.#length(floor, ceiling, field);
    const at = this.#need(len, field);
    return this.#buf.subarray(at, at + len);
  }

  /**
   * A vector of structures `T field<floor..ceiling>` (ceiling in bytes): returns a
   * reader over exactly its body. The caller reads elements until `remaining`
   * is 0; the sub-reader's `finish()` catches an element that overruns.
   */
  vector(floor: number, ceiling: number, field = 'vector'): TlsReader {
    return new TlsReader(this.opaque(floor, ceiling, field), `${this.#what}.${field}`);
  }

  #length(floor: number, ceiling: number, field: string): number {
    checkBounds(floor, ceiling);
    const width = lengthPrefixSize(ceiling);
    const at = this.#need(width, `${field} length`);
    const len = width === 4 ? this.#buf.readUInt32BE(at) : this.#buf.readUIntBE(at, width);
    checkLength(`${this.#what}: ${field}`, len, floor, ceiling);
    return len;
  }

  /** Asserts the whole input was consumed; CodecError TRAILING_DATA otherwise. */
  finish(): void {
    if (this.#pos !== this.#buf.length) {
      throw new CodecError(
        'TRAILING_DATA',
        `${this.#what}: got ${this.#buf.length - this.#pos} bytes after the end of the structure, want 0`,
      );
    }
  }
}

/**
 * Writes TLS-encoded values into one growing buffer. Values are validated as
 * they are written (integer ranges: CodecError BAD_VALUE / UNSAFE_INTEGER;
 * vector lengths: LENGTH_OUT_OF_BOUNDS), so an encoder never emits something
 * the matching reader would reject. Not reusable after `finish()`.
 */
export class TlsWriter {
  #buf: Buffer;
  #pos = 0;
  #done = false;

  /** @param capacity initial size; pass the exact size when it is known to avoid any growth. */
  constructor(capacity = 256) {
    this.#buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  get length(): number {
    return this.#pos;
  }

  #reserve(n: number): number {
    if (this.#done) throw new Error('TlsWriter used after finish()');
    const at = this.#pos;
    const need = at + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const grown = Buffer.allocUnsafe(cap);
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    this.#pos = need;
    return at;
  }

  #checkUint(v: number, max: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new CodecError('BAD_VALUE', `${field}: got ${v}, want an integer in 0..${max}`);
    }
  }

  uint8(v: number, field = 'uint8'): this {
    this.#checkUint(v, 0xff, field);
    this.#buf[this.#reserve(1)] = v;
    return this;
  }

  uint16(v: number, field = 'uint16'): this {
    this.#checkUint(v, 0xffff, field);
    this.#buf.writeUInt16BE(v, this.#reserve(2));
    return this;
  }

  uint24(v: number, field = 'uint24'): this {
    this.#checkUint(v, 0xff_ffff, field);
    this.#buf.writeUIntBE(v, this.#reserve(3), 3);
    return this;
  }

  uint32(v: number, field = 'uint32'): this {
    this.#checkUint(v, 0xffff_ffff, field);
    this.#buf.writeUInt32BE(v, this.#reserve(4));
    return this;
  }

  /** A uint64 from a safe non-negative integer (the range `TlsReader.uint64` accepts). */
  uint64(v: number, field = 'uint64'): this {
    if (!Number.isInteger(v) || v < 0) throw new CodecError('BAD_VALUE', `${field}: got ${v}, want an unsigned integer`);
    if (v > Number.MAX_SAFE_INTEGER) throw new CodecError('UNSAFE_INTEGER', `${field}: got ${v}, want at most 2^53-1`);
    const at = this.#reserve(8);
    // Division, not `>>> 32`: 32-bit bitwise operators would truncate (see conventions).
    this.#buf.writeUInt32BE(Math.floor(v / TWO_32), at);
    this.#buf.writeUInt32BE(v % TWO_32, at + 4);
    return this;
  }

  uint64Big(v: bigint, field = 'uint64'): this {
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new CodecError('BAD_VALUE', `${field}: got ${v}, want 0..2^64-1`);
    this.#buf.writeBigUInt64BE(v, this.#reserve(8));
    return this;
  }

  /** `opaque field[n]`: the value must be exactly n bytes. */
  fixed(bytes: Uint8Array, n: number, field = 'opaque'): this {
    if (bytes.length !== n) throw new CodecError('LENGTH_OUT_OF_BOUNDS', `${field}: got ${bytes.length} bytes, want ${n}`);
    this.#buf.set(bytes, this.#reserve(n));
    return this;
  }

  /** `opaque field<floor..ceiling>`. */
  opaque(bytes: Uint8Array, floor: number, ceiling: number, field = 'opaque'): this {
    checkBounds(floor, ceiling);
    checkLength(field, bytes.length, floor, ceiling);
    const width = lengthPrefixSize(ceiling);
    const at = this.#reserve(width + bytes.length);
    if (width === 4) this.#buf.writeUInt32BE(bytes.length, at);
    else this.#buf.writeUIntBE(bytes.length, at, width);
    this.#buf.set(bytes, at + width);
    return this;
  }

  /**
   * A vector whose body `body(w)` writes into this same writer; the length
   * prefix is reserved first and back-patched, so nothing is copied.
   */
  vector(floor: number, ceiling: number, body: (w: this) => void, field = 'vector'): this {
    checkBounds(floor, ceiling);
    const width = lengthPrefixSize(ceiling);
    const at = this.#reserve(width);
    body(this);
    const len = this.#pos - at - width;
    checkLength(field, len, floor, ceiling);
    if (width === 4) this.#buf.writeUInt32BE(len, at);
    else this.#buf.writeUIntBE(len, at, width);
    return this;
  }

  /** The encoding so far, as a view of the writer's buffer; the writer cannot be used afterwards. */
  finish(): Buffer {
    this.#done = true;
    return this.#buf.subarray(0, this.#pos);
  }
}
