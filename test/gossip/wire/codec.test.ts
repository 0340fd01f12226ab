import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Command,
  decodeJsonMessage,
  decodeMessage,
  decodeSexpMessage,
  type Encoding,
  encodeMessage,
  type GossipMessage,
  REFUSAL_CODES,
  refusalFor,
  WireError,
  type WireErrorCode,
} from '../../../src/gossip/wire/index.ts';
import { assertThrowsCode } from '../../support/assert-code.ts';

const LOG = '467a28a27c206a26cdf7b36cc93e8c598e93592ef49ad3a8dc523a35e1f4bc0c';
const ENCODINGS: Encoding[] = ['sexp', 'json'];

const samples: GossipMessage[] = [
  { command: Command.authenticateRequest, sharedSecret: Buffer.from('s3cret'), transportId: 'relay-1', tag: 'a1' },
  { command: Command.authenticateRequest, sharedSecret: Buffer.from('s3cret') },
  { command: Command.authenticateResponse, response: 'bad-auth' },
  { command: Command.enumerateTransportsRequest, tag: 'x.y/z' },
  { command: Command.enumerateTransportsResponse, transports: [] },
  { command: Command.enumerateTransportsResponse, transports: ['echo', 'gossip-transport-https'] },
  { command: Command.gossipMsg, destination: ['all'], logId: LOG, gossipData: Buffer.from([0, 1, 2, 255]) },
  { command: Command.gossipMsg, source: '', timestamp: 0, logId: LOG, gossipData: Buffer.from('x') },
  { command: Command.gossipMsg, source: 'echo', timestamp: 2 ** 53 - 1, logId: LOG, gossipData: Buffer.alloc(300, 7), tag: 't' },
  { command: Command.error, code: 'bad-field', message: 'a "quoted" \\ message', tag: 'q' },
];

describe('encodeMessage / decodeMessage', () => {
  for (const enc of ENCODINGS) {
    for (const msg of samples) {
      it(`round-trips ${msg.command}${msg.tag ? ' with a tag' : ''} in ${enc}`, () => {
        assert.deepEqual(decodeMessage(encodeMessage(msg, enc), enc), msg);
      });
    }
  }

  it('writes JSON fields in the draft order, tag last', () => {
    const text = encodeMessage(samples[8], 'json');
    assert.deepEqual(Object.keys(JSON.parse(text)), ['command', 'source', 'timestamp', 'log-id', 'gossip-data', 'tag']);
  });

  it('property: random gossip-msg-0 round-trip in both encodings to the same message', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/);
    const msg = fc.record(
      {
        command: fc.constant(Command.gossipMsg),
        destination: fc.uniqueArray(fc.oneof(name, fc.constant('all')), { maxLength: 5 }),
        source: fc.oneof(name, fc.constant('')),
        timestamp: fc.maxSafeNat(),
        logId: fc.stringMatching(/^[0-9a-f]{64}$/),
        gossipData: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((a) => Buffer.from(a)),
        tag: fc.stringMatching(/^[A-Za-z0-9\-./_*+=]{1,64}$/),
      },
      { requiredKeys: ['command', 'logId', 'gossipData'] },
    );
    fc.assert(
      fc.property(msg, (generated) => {
        const m = { ...generated };
        const viaSexp = decodeSexpMessage(encodeMessage(m as GossipMessage, 'sexp'));
        const viaJson = decodeJsonMessage(encodeMessage(m as GossipMessage, 'json'));
        assert.deepEqual(viaSexp, m);
        assert.deepEqual(viaJson, viaSexp);
      }),
    );
  });
});

describe('decodeMessage refusals', () => {
  const cases: { desc: string; sexp?: string; json?: string; want: WireErrorCode; tag?: string }[] = [
    {
      desc: 'an unknown command',
      sexp: '(gossip-frob (command gossip-frob-0) (tag t1))',
      json: '{"command":"gossip-frob-0","tag":"t1"}',
      want: 'UNKNOWN_COMMAND',
      tag: 't1',
    },
    { desc: 'no command', sexp: '(gossip-msg (log-id x))', json: '{"log-id":"x"}', want: 'BAD_FIELD' },
    {
      desc: 'a missing required field',
      sexp: `(gossip-msg (command gossip-msg-0) (log-id ${LOG}) (tag z))`,
      json: `{"command":"gossip-msg-0","log-id":"${LOG}","tag":"z"}`,
      want: 'BAD_FIELD',
      tag: 'z',
    },
    {
      desc: 'an unknown field',
      sexp: '(gossip-enumerate-transports-request (command gossip-enumerate-transports-request-0) (x y))',
      json: '{"command":"gossip-enumerate-transports-request-0","x":"y"}',
      want: 'BAD_FIELD',
    },
    {
      desc: 'a repeated field',
      sexp: '(gossip-authenticate-response (command gossip-authenticate-response-0) (response ok) (response ok))',
      json: '{"command":"gossip-authenticate-response-0","response":"ok","response":"ok"}',
      want: 'BAD_FIELD',
    },
    {
      desc: 'unpadded base64',
      sexp: `(gossip-msg (command gossip-msg-0) (log-id ${LOG}) (gossip-data aGk) (tag b))`,
      json: `{"command":"gossip-msg-0","log-id":"${LOG}","gossip-data":"aGk","tag":"b"}`,
      want: 'BAD_BASE64',
      tag: 'b',
    },
    {
      desc: 'base64 with non-zero trailing bits',
      sexp: `(gossip-msg (command gossip-msg-0) (log-id ${LOG}) (gossip-data aGl=))`,
      json: `{"command":"gossip-msg-0","log-id":"${LOG}","gossip-data":"aGl="}`,
      want: 'BAD_BASE64',
    },
    {
      desc: 'empty gossip-data',
      sexp: `(gossip-msg (command gossip-msg-0) (log-id ${LOG}) (gossip-data ""))`,
      json: `{"command":"gossip-msg-0","log-id":"${LOG}","gossip-data":""}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'an uppercase log-id',
      sexp: `(gossip-msg (command gossip-msg-0) (log-id ${LOG.toUpperCase()}) (gossip-data aGk=))`,
      json: `{"command":"gossip-msg-0","log-id":"${LOG.toUpperCase()}","gossip-data":"aGk="}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'a short log-id',
      sexp: '(gossip-msg (command gossip-msg-0) (log-id abcd) (gossip-data aGk=))',
      json: '{"command":"gossip-msg-0","log-id":"abcd","gossip-data":"aGk="}',
      want: 'BAD_FIELD',
    },
    {
      desc: 'a timestamp with a leading zero',
      sexp: `(gossip-msg (command gossip-msg-0) (timestamp 01) (log-id ${LOG}) (gossip-data aGk=))`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'a timestamp past 2^53-1',
      sexp: `(gossip-msg (command gossip-msg-0) (timestamp 9007199254740992) (log-id ${LOG}) (gossip-data aGk=))`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'a timestamp as a JSON string',
      json: `{"command":"gossip-msg-0","timestamp":"1","log-id":"${LOG}","gossip-data":"aGk="}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'a destination that is not a list',
      sexp: `(gossip-msg (command gossip-msg-0) (destination all) (log-id ${LOG}) (gossip-data aGk=))`,
      json: `{"command":"gossip-msg-0","destination":"all","log-id":"${LOG}","gossip-data":"aGk="}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'a destination naming a transport twice',
      json: `{"command":"gossip-msg-0","destination":["a","a"],"log-id":"${LOG}","gossip-data":"aGk="}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'an uppercase transport name',
      json: `{"command":"gossip-msg-0","destination":["HTTPS"],"log-id":"${LOG}","gossip-data":"aGk="}`,
      want: 'BAD_FIELD',
    },
    {
      desc: 'an unknown authenticate response',
      sexp: '(gossip-authenticate-response (command gossip-authenticate-response-0) (response maybe))',
      want: 'BAD_FIELD',
    },
    { desc: 'an unknown refusal code', json: '{"command":"gossip-error-0","code":"oops","message":"m"}', want: 'BAD_FIELD' },
    { desc: 'a tag with a space', json: '{"command":"gossip-enumerate-transports-request-0","tag":"a b"}', want: 'BAD_FIELD' },
    {
      desc: 'a head that does not match the command',
      sexp: '(gossip-msg (command gossip-enumerate-transports-request-0))',
      want: 'BAD_FIELD',
    },
    { desc: 'a message without a head', sexp: '((command gossip-msg-0))', want: 'MALFORMED' },
    { desc: 'a field that is not a pair', sexp: '(gossip-msg (command gossip-msg-0 extra))', want: 'MALFORMED' },
    { desc: 'a field with a nested list', sexp: '(gossip-msg (command gossip-msg-0) (destination ((a))))', want: 'MALFORMED' },
    { desc: 'a JSON fraction', json: '{"command":"gossip-msg-0","timestamp":1.5}', want: 'MALFORMED' },
    { desc: 'a JSON negative number', json: '{"command":"gossip-msg-0","timestamp":-1}', want: 'MALFORMED' },
    { desc: 'a nested JSON object', json: '{"command":{"a":1}}', want: 'MALFORMED' },
    { desc: 'a JSON lone surrogate', json: '{"command":"\\ud800"}', want: 'MALFORMED' },
    { desc: 'JSON bytes after the object', json: '{"command":"gossip-msg-0"} x', want: 'MALFORMED' },
    { desc: 'a JSON array at the top', json: '["gossip-msg-0"]', want: 'MALFORMED' },
    { desc: 'JSON true', json: '{"command":true}', want: 'MALFORMED' },
  ];
  for (const tc of cases) {
    for (const enc of ENCODINGS) {
      const text = enc === 'sexp' ? tc.sexp : tc.json;
      if (text === undefined) continue;
      it(`refuses ${tc.desc} (${enc}) as ${tc.want}${tc.tag ? ', keeping the tag' : ''}`, () => {
        assertThrowsCode(() => decodeMessage(text, enc), WireError, tc.want);
        try {
          decodeMessage(text, enc);
        } catch (err) {
          const r = refusalFor(err as WireError);
          assert.equal(r.tag, tc.tag);
          assert.ok((REFUSAL_CODES as readonly string[]).includes(r.code));
          // The refusal itself always encodes and decodes.
          for (const e of ENCODINGS) assert.deepEqual(decodeMessage(encodeMessage(r, e), e), r);
        }
      });
    }
  }
});
