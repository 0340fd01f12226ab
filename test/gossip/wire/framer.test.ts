import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Frame, MessageFramer } from '../../../src/gossip/wire/index.ts';

const S1 = '(gossip-enumerate-transports-request (command gossip-enumerate-transports-request-0) (tag "a)b"))';
const S2 = '(gossip-authenticate-response (command gossip-authenticate-response-0) (response ok))';
const J1 = '{"command":"gossip-enumerate-transports-request-0","tag":"q"}';

const texts = (frames: Frame[]) => frames.map((f) => ('text' in f ? f.text : `!${f.error.code}`));

function feed(framer: MessageFramer, input: string | Buffer, chunk = Number.POSITIVE_INFINITY): Frame[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1');
  const out: Frame[] = [];
  for (let i = 0; i < buf.length; i += chunk) out.push(...framer.push(buf.subarray(i, Math.min(buf.length, i + chunk))));
  return out;
}

describe('MessageFramer', () => {
  it('splits S-expressions at their closing parenthesis, ignoring parentheses in strings, at every chunk split', () => {
    const input = `  ${S1}\n\n${S2}\r\n`;
    for (let cut = 1; cut < input.length; cut++) {
      const f = new MessageFramer({ maxMessageBytes: 1024 });
      const a = f.push(Buffer.from(input.slice(0, cut), 'latin1'));
      const b = f.push(Buffer.from(input.slice(cut), 'latin1'));
      assert.deepEqual(texts([...a, ...b]), [S1, S2], `cut at ${cut}`);
      assert.equal(f.encoding, 'sexp');
    }
  });

  it('splits JSON at line ends, one byte at a time', () => {
    const f = new MessageFramer({ maxMessageBytes: 1024 });
    assert.deepEqual(texts(feed(f, `${J1}\n${J1}\r\n`, 1)), [J1, `${J1}\r`]);
    assert.equal(f.encoding, 'json');
  });

  it('reports a message over the limit once, skips it whole and reads the next', () => {
    const big = `(gossip-msg (gossip-data ${'A'.repeat(5000)}) (x "((("))`;
    for (const chunk of [1, 7, 4096, Number.POSITIVE_INFINITY]) {
      const f = new MessageFramer({ maxMessageBytes: 200 });
      let maxBuffered = 0;
      const out: Frame[] = [];
      const buf = Buffer.from(`${big}\n${S2}\n`);
      for (let i = 0; i < buf.length; i += Math.min(chunk, buf.length)) {
        out.push(...f.push(buf.subarray(i, i + chunk)));
        maxBuffered = Math.max(maxBuffered, f.buffered);
      }
      assert.deepEqual(texts(out), ['!TOO_LARGE', S2], `chunk ${chunk}`);
      assert.ok(maxBuffered <= 201, `buffered ${maxBuffered} bytes`);
    }
  });

  it('reports a JSON line over the limit and reads the next line', () => {
    const f = new MessageFramer({ maxMessageBytes: 100 });
    assert.deepEqual(texts(feed(f, `{"a":"${'x'.repeat(500)}"}\n${J1}\n`, 33)), ['!TOO_LARGE', J1]);
  });

  it('reports stray bytes between messages once and resumes after the next line end', () => {
    const f = new MessageFramer({ maxMessageBytes: 1024 });
    assert.deepEqual(texts(feed(f, `hello world ) junk\n${S2}`)), ['!MALFORMED', S2]);
  });

  it('skips a message in the other encoding as WRONG_ENCODING', () => {
    const f = new MessageFramer({ maxMessageBytes: 1024 });
    assert.deepEqual(texts(feed(f, `${S2}\n${J1}\n${S2}`)), [S2, '!WRONG_ENCODING', S2]);
    const g = new MessageFramer({ maxMessageBytes: 1024, encoding: 'json' });
    assert.deepEqual(texts(feed(g, `${S1}${J1}\n`)), ['!WRONG_ENCODING', J1]);
  });

  it('refuses a JSON line that is not UTF-8', () => {
    const f = new MessageFramer({ maxMessageBytes: 1024 });
    const bad = Buffer.concat([Buffer.from('{"command":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    assert.deepEqual(texts(feed(f, bad)), ['!MALFORMED']);
  });

  it('holds at most the limit however much an unclosed message sends', () => {
    const f = new MessageFramer({ maxMessageBytes: 4096 });
    const chunk = Buffer.alloc(64 * 1024, '(');
    let errors = 0;
    for (let i = 0; i < 160; i++) {
      errors += f.push(chunk).length;
      assert.ok(f.buffered <= 4097);
    }
    assert.equal(errors, 1);
  });
});
