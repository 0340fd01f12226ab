/**
 * The CLI against a hostile server on loopback (issue 9 #7), run in this
 * process (so the CLI is spawned without blocking it): nothing a
 * server sends reaches the terminal as a control sequence (stderr lines and
 * stdout JSON escape them), and an endless or oversized answer is refused at
 * --max-body instead of filling memory.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSourceKeysResponse } from '../../src/hub/wire.ts';
import { grapevineAsync as grapevine } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

/** ESC sequences (clear screen, red), a bare CR, an 8-bit CSI, a right-to-left override and a line separator. */
const EVIL = '\u001b[2J\u001b[31mEVIL\rback\u009b31m\u202eright-to-left\u2028next';
/** Characters that must never reach the terminal raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/;

describe('the CLI against a hostile server', () => {
  const dir = tempDir('gv-hostile-');
  const hubKey = join(dir, 'hub.pub.pem');
  let server: Server;
  let url = '';
  let endlessClosed: Promise<void> = Promise.resolve();
  let sawEndlessClose: () => void = () => {};

  before(async () => {
    writeFileSync(hubKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const sourceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    endlessClosed = new Promise((r) => {
      sawEndlessClose = r;
    });
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/evil/ct/v1/get-sth') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`oops ${EVIL}`);
      } else if (path === '/evil/gossip/v0/get-source-keys') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(formatSourceKeysResponse([{ id: `log ${EVIL}`, pubKey: sourceKey, kind: 'RFC6962STH' }]));
      } else if (path === '/endless/ct/v1/get-sth') {
        // Chunked, never ending: only the client hanging up stops it.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => sawEndlessClose());
        pump();
      } else if (path === '/declared/ct/v1/get-sth') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
        res.write('{');
        res.on('close', () => {});
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('prints a server error body as one line with its control characters escaped', async () => {
    const r = await grapevine(['ct', 'sth', '--url', `${url}/evil`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${JSON.stringify(r.stderr)}`);
    assert.doesNotMatch(r.stderr, RAW_CONTROL);
    assert.match(r.stderr, /\\x1b\[2J\\x1b\[31mEVIL back\\x9b31m\\u\{202e\}right-to-left\\u\{2028\}next/);
  });

  it('prints server strings in JSON with every terminal control escaped, and the JSON still parses to them', async () => {
    const r = await grapevine(['hub', 'sources', '--url', `${url}/evil`, '--hub-key', hubKey]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout.replace(/\n/g, ''), RAW_CONTROL);
    assert.equal(JSON.parse(r.stdout)[0].id, `log ${EVIL}`);
  });

  it('refuses an endless answer at --max-body (exit 1, one line) and hangs up', async () => {
    const r = await grapevine(['ct', 'sth', '--url', `${url}/endless`, '--max-body', '1000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^grapevine: HTTP: .*larger than 1000000 bytes \(--max-body\)\n$/);
    await endlessClosed;
  });

  it('refuses an answer whose declared length is over --max-body before reading it', async () => {
    const r = await grapevine(['ct', 'sth', '--url', `${url}/declared`, '--max-body', '1000000']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /larger than 1000000 bytes/);
  });
});
