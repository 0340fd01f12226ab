import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CodecError, type CodecErrorCode, lengthPrefixSize, TlsReader, TlsWriter } from '../../src/codec/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { hex } from './testing.ts';

describe('lengthPrefixSize', () => {
  const cases: [number, number][] = [
    [1, 1],
    [255, 1],
    [256, 2],
    [65535, 2],
    [65536, 3],
    [0xff_ffff, 3],
    [0x100_0000, 4],
    [0xffff_ffff, 4],
  ];
  for (const [ceiling, want] of cases) {
    it(`uses ${want} byte(s) for ceiling ${ceiling} (RFC 8446 §3.4)`, () => assert.equal(lengthPrefixSize(ceiling), want));
  }
  it('rejects a ceiling outside 1..2^32-1 as a programming error', () => {
    assert.throws(() => lengthPrefixSize(0), RangeError);
    assert.throws(() => lengthPrefixSize(2 ** 32), RangeError);
  });
});

describe('TlsWriter / TlsReader integers', () => {
  const cases: { desc: string; write: (w: TlsWriter) => void; want: string; read: (r: TlsReader) => unknown; value: unknown }[] = [
    { desc: 'uint8', write: (w) => w.uint8(0xab), want: 'ab', read: (r) => r.uint8(), value: 0xab },
    { desc: 'uint16', write: (w) => w.uint16(0xabcd), want: 'abcd', read: (r) => r.uint16(), value: 0xabcd },
    { desc: 'uint24', write: (w) => w.uint24(0xabcdef), want: 'abcdef', read: (r) => r.uint24(), value: 0xabcdef },
    { desc: 'uint32', write: (w) => w.uint32(0xfedcba98), want: 'fedcba98', read: (r) => r.uint32(), value: 0xfedcba98 },
    { desc: 'uint64 small', write: (w) => w.uint64(1), want: '0000000000000001', read: (r) => r.uint64(), value: 1 },
    {
      desc: 'uint64 above 2^32 (no 32-bit truncation)',
      write: (w) => w.uint64(2 ** 40 + 5),
      want: '0000010000000005',
      read: (r) => r.uint64(),
      value: 2 ** 40 + 5,
    },
    {
      desc: 'uint64 2^53-1',
      write: (w) => w.uint64(Number.MAX_SAFE_INTEGER),
      want: '001fffffffffffff',
      read: (r) => r.uint64(),
      value: Number.MAX_SAFE_INTEGER,
    },
    {
      desc: 'uint64 as bigint 2^64-1',
      write: (w) => w.uint64Big(2n ** 64n - 1n),
      want: 'ffffffffffffffff',
      read: (r) => r.uint64Big(),
      value: 2n ** 64n - 1n,
    },
  ];
  for (const tc of cases) {
    it(`round-trips ${tc.desc} big-endian`, () => {
      const w = new TlsWriter(1);
      tc.write(w);
      const bytes = w.finish();
      assert.equal(bytes.toString('hex'), tc.want);
      const r = new TlsReader(bytes);
      assert.equal(tc.read(r), tc.value);
      r.finish();
    });
  }

  it('rejects a uint64 above 2^53-1 with CodecError UNSAFE_INTEGER', () => {
    assertThrowsCode(() => new TlsReader(hex('0020000000000000')).uint64(), CodecError, 'UNSAFE_INTEGER');
    assertThrowsCode(() => new TlsReader(hex('ffffffffffffffff')).uint64(), CodecError, 'UNSAFE_INTEGER');
  });

  const badWrites: { desc: string; write: (w: TlsWriter) => void; code: CodecErrorCode }[] = [
    { desc: 'uint8 256', write: (w) => w.uint8(256), code: 'BAD_VALUE' },
    { desc: 'uint16 -1', write: (w) => w.uint16(-1), code: 'BAD_VALUE' },
    { desc: 'uint24 1.5', write: (w) => w.uint24(1.5), code: 'BAD_VALUE' },
    { desc: 'uint32 2^32', write: (w) => w.uint32(2 ** 32), code: 'BAD_VALUE' },
    { desc: 'uint64 -1', write: (w) => w.uint64(-1), code: 'BAD_VALUE' },
    { desc: 'uint64 NaN', write: (w) => w.uint64(Number.NaN), code: 'BAD_VALUE' },
    { desc: 'uint64 2^53', write: (w) => w.uint64(2 ** 53), code: 'UNSAFE_INTEGER' },
    { desc: 'uint64 bigint 2^64', write: (w) => w.uint64Big(2n ** 64n), code: 'BAD_VALUE' },
    { desc: 'uint64 bigint -1', write: (w) => w.uint64Big(-1n), code: 'BAD_VALUE' },
  ];
  for (const tc of badWrites) {
    it(`refuses to write ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => tc.write(new TlsWriter()), CodecError, tc.code));
  }

  it('rejects reading past the end with CodecError TRUNCATED', () => {
    assertThrowsCode(() => new TlsReader(hex('00')).uint16(), CodecError, 'TRUNCATED');
    assertThrowsCode(() => new TlsReader(hex('00000000000000')).uint64(), CodecError, 'TRUNCATED');
    assertThrowsCode(() => new TlsReader(hex('')).uint8(), CodecError, 'TRUNCATED');
  });
});

describe('opaque vectors', () => {
  it('writes a 1-, 2-, 3- and 4-byte length prefix chosen from the ceiling', () => {
    const w = new TlsWriter();
    w.opaque(hex('aa'), 0, 255).opaque(hex('bb'), 0, 256).opaque(hex('cc'), 1, 0xff_ffff).opaque(hex('dd'), 1, 0xffff_ffff);
    assert.equal(w.finish().toString('hex'), '01aa' + '0001bb' + '000001cc' + '00000001dd');
  });

  it('reads back what it wrote, as views of the input', () => {
    const input = hex('0003abcdef0000');
    const r = new TlsReader(input);
    const v = r.opaque(0, 0xffff);
    assert.equal(v.toString('hex'), 'abcdef');
    assert.equal(v.buffer, input.buffer, 'zero-copy view');
    assert.equal(r.opaque(0, 0xffff).length, 0);
    r.finish();
  });

  const badReads: { desc: string; input: string; floor: number; ceiling: number; code: CodecErrorCode }[] = [
    { desc: 'length below the floor', input: '00', floor: 1, ceiling: 255, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'length above the ceiling', input: `21${'00'.repeat(33)}`, floor: 0, ceiling: 32, code: 'LENGTH_OUT_OF_BOUNDS' },
    { desc: 'body shorter than its length', input: '0005aabb', floor: 0, ceiling: 0xffff, code: 'TRUNCATED' },
    { desc: 'length prefix cut short', input: '00', floor: 0, ceiling: 0xffff, code: 'TRUNCATED' },
    { desc: '3-byte prefix cut short', input: '0000', floor: 0, ceiling: 0xff_ffff, code: 'TRUNCATED' },
  ];
  for (const tc of badReads) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => new TlsReader(hex(tc.input)).opaque(tc.floor, tc.ceiling), CodecError, tc.code));
  }

  it('refuses to write a value outside <floor..ceiling> with LENGTH_OUT_OF_BOUNDS', () => {
    assertThrowsCode(() => new TlsWriter().opaque(hex(''), 1, 255), CodecError, 'LENGTH_OUT_OF_BOUNDS');
    assertThrowsCode(() => new TlsWriter().opaque(Buffer.alloc(256), 0, 255), CodecError, 'LENGTH_OUT_OF_BOUNDS');
  });

  it('checks fixed-length values exactly', () => {
    assertThrowsCode(() => new TlsWriter().fixed(Buffer.alloc(31), 32), CodecError, 'LENGTH_OUT_OF_BOUNDS');
    assertThrowsCode(() => new TlsReader(Buffer.alloc(31)).fixed(32), CodecError, 'TRUNCATED');
    assert.equal(new TlsReader(Buffer.alloc(32)).fixed(32).length, 32);
  });

  it('back-patches a nested vector written in place', () => {
    const w = new TlsWriter(2);
    w.vector(0, 0xff_ffff, (v) => {
      v.opaque(hex('0102'), 1, 0xff_ffff);
      v.opaque(hex('03'), 1, 0xff_ffff);
    });
    const bytes = w.finish();
    assert.equal(bytes.toString('hex'), '000009' + '0000020102' + '00000103');
    const r = new TlsReader(bytes);
    const v = r.vector(0, 0xff_ffff);
    r.finish();
    assert.deepEqual([v.opaque(1, 0xff_ffff).toString('hex'), v.opaque(1, 0xff_ffff).toString('hex')], ['0102', '03']);
    assert.equal(v.remaining, 0);
  });

  it('rejects a nested vector whose body is outside its bounds', () => {
    assertThrowsCode(() => new TlsWriter().vector(1, 0xffff, () => {}), CodecError, 'LENGTH_OUT_OF_BOUNDS');
  });
});

describe('TlsReader.finish', () => {
  it('rejects trailing bytes with CodecError TRAILING_DATA', () => {
    const r = new TlsReader(hex('0102'));
    r.uint8();
    assertThrowsCode(() => r.finish(), CodecError, 'TRAILING_DATA');
  });
  it('accepts a fully consumed input', () => {
    const r = new TlsReader(hex('0102'));
    r.uint16();
    r.finish();
    assert.equal(r.offset, 2);
  });
});

describe('TlsWriter growth', () => {
  it('grows past its initial capacity without losing bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const w = new TlsWriter(1);
        for (const c of chunks) w.opaque(c, 0, 0xffff);
        const r = new TlsReader(w.finish());
        for (const c of chunks) assert.deepEqual(new Uint8Array(r.opaque(0, 0xffff)), c);
        r.finish();
      }),
    );
  });

  it('cannot be written after finish()', () => {
    const w = new TlsWriter();
    w.finish();
    assert.throws(() => w.uint8(1));
  });

  it('round-trips any safe uint64', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const r = new TlsReader(new TlsWriter(8).uint64(n).finish());
        assert.equal(r.uint64(), n);
      }),
    );
  });
});
