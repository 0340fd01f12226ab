/**
 * The protocol examples of docs/gossip.md and the draft's own examples
 * (specs/gossip-service-protocol.md, "exactly as published") decode, and
 * re-encode byte for byte; the JSON ones satisfy the published JSON Schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import {
  Command,
  decodeJsonMessage,
  decodeSexpMessage,
  encodeMessage,
  type GossipMessage,
  MessageFramer,
  REFUSAL_CODES,
} from '../../../src/gossip/wire/index.ts';
import { TESTDATA_DIR } from '../../testdata.ts';

const DOC = readFileSync('docs/gossip.md', 'utf8');
const SPEC = readFileSync(join(TESTDATA_DIR, '..', 'specs', 'gossip-service-protocol.md'), 'utf8');
const SCHEMA = JSON.parse(readFileSync('docs/gossip-messages.schema.json', 'utf8'));

/** The bodies of the fenced blocks of `lang` in a markdown text. */
function blocks(md: string, lang: string): string[] {
  return [...md.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map((m) => m[1]);
}

const ajv = new Ajv2020.default({ strict: true, allErrors: true });
const validate = ajv.compile(SCHEMA);

describe('docs/gossip.md examples', () => {
  const sexps = blocks(DOC, 'sexp');
  const jsons = blocks(DOC, 'json');

  it('has the examples this test expects', () => {
    assert.ok(sexps.length >= 7, `got ${sexps.length} sexp blocks`);
    assert.ok(jsons.length >= 2, `got ${jsons.length} json blocks`);
  });

  for (const [i, text] of sexps.entries()) {
    it(`S-expression example ${i + 1} decodes and re-encodes byte for byte`, () => {
      const msg = decodeSexpMessage(text);
      assert.equal(encodeMessage(msg, 'sexp'), text);
      assert.ok(validate(JSON.parse(encodeMessage(msg, 'json'))), ajv.errorsText(validate.errors));
    });
  }

  for (const [i, text] of jsons.entries()) {
    it(`JSON example ${i + 1} decodes, re-encodes byte for byte and satisfies the schema`, () => {
      assert.equal(encodeMessage(decodeJsonMessage(text), 'json'), text);
      assert.ok(validate(JSON.parse(text)), ajv.errorsText(validate.errors));
    });
  }

  it('the first JSON example is the first draft example in the other encoding', () => {
    assert.deepEqual(decodeJsonMessage(jsons[0]), decodeSexpMessage(sexps[0]));
  });

  it('lists every refusal code, as the schema does', () => {
    for (const code of REFUSAL_CODES) assert.ok(DOC.includes(`| \`${code}\` |`), `docs/gossip.md lacks ${code}`);
    assert.deepEqual(SCHEMA.$defs.gossipError.properties.code.enum, [...REFUSAL_CODES]);
  });
});

describe('the draft examples as published (specs/gossip-service-protocol.md)', () => {
  const block = blocks(SPEC, '').find((b) => b.includes('(gossip-msg'));

  it('splits into two messages that re-encode to the published bytes', () => {
    assert.ok(block, 'no example block in the spec');
    const frames = new MessageFramer({ maxMessageBytes: 4096 }).push(Buffer.from(block));
    const msgs = frames.map((f) => {
      assert.ok('text' in f, 'error' in f ? f.error.message : '');
      return decodeSexpMessage(f.text);
    });
    assert.equal(msgs.length, 2);
    assert.equal(msgs.map((m) => encodeMessage(m, 'sexp')).join('\n\n'), block);
    const [out, inc] = msgs as Extract<GossipMessage, { command: 'gossip-msg-0' }>[];
    assert.deepEqual(out.destination, ['gossip-transport-https', 'gossip-transport-tbd']);
    assert.equal(inc.source, 'gossip-transport-https');
    assert.equal(out.gossipData.toString(), 'outgoing gossip data\n');
    assert.equal(inc.timestamp, 1414396811000);
  });
});

describe('the JSON Schema', () => {
  it('refuses what the codec refuses, for the shapes a schema can express', () => {
    const log = 'a'.repeat(64);
    const bad = [
      { command: 'gossip-frob-0' },
      { command: Command.gossipMsg, 'log-id': log },
      { command: Command.gossipMsg, 'log-id': log.toUpperCase(), 'gossip-data': 'aGk=' },
      { command: Command.gossipMsg, 'log-id': log, 'gossip-data': 'aGk' },
      { command: Command.gossipMsg, 'log-id': log, 'gossip-data': 'aGk=', timestamp: '1' },
      { command: Command.gossipMsg, 'log-id': log, 'gossip-data': 'aGk=', extra: 1 },
      { command: Command.authenticateResponse, response: 'maybe' },
      { command: Command.enumerateTransportsRequest, tag: 'a b' },
    ];
    for (const m of bad) assert.equal(validate(m), false, JSON.stringify(m));
  });
});
