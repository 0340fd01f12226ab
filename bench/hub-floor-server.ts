/**
 * The hub bench's harness floor as a server process of its own: the same
 * server builder, app factory, logger and metrics as `grapevine hub serve`
 * (src/server), with one route that does what any add-signed-blob must and
 * nothing else — read the body raw, parse the JSON, decode the base64 blob
 * and signature, verify one ECDSA P-256 signature, sign one, answer JSON
 * with base64 — so the gap between it and the ceiling is Node's HTTP,
 * fastify and JSON/base64, and the gap between the hub and it is the hub's
 * own work. Prints its URL on stdout; stops on SIGTERM.
 *
 *   node --import tsx bench/hub-floor-server.ts SPKI_BASE64
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Part } from '../src/http/index.ts';
import { startServer } from '../src/server/index.ts';

const sourceKey = process.argv[2];
if (!sourceKey) throw new Error('usage: hub-floor-server.ts SPKI_BASE64 (the source key the bodies are signed with)');
const { createPublicKey } = await import('node:crypto');
const source = createPublicKey({ key: Buffer.from(sourceKey, 'base64'), format: 'der', type: 'spki' });
const hub = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function floorRoute(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
  app.post('/floor/gossip/v0/add-signed-blob', async (req, reply) => {
    const o = JSON.parse(String(req.body)) as { source_id: string; blob_data: string; src_signature: string };
    const blob = Buffer.from(o.blob_data, 'base64');
    if (!verify('sha256', blob, source, Buffer.from(o.src_signature, 'base64'))) throw new Error('floor: verify failed');
    // An entry the size of the hub's (source id, blob, signature, timestamp) signed once.
    const entry = Buffer.concat([Buffer.from(o.source_id), blob, Buffer.from(o.src_signature, 'base64'), Buffer.alloc(8)]);
    const sig = sign('sha256', entry, hub.privateKey);
    return reply
      .type('application/json')
      .send(JSON.stringify({ timestamped_entry: entry.toString('base64'), hub_signature: sig.toString('base64') }));
  });
}

const part: Part = {
  name: 'floor',
  readiness: () => [],
  mount: async (app) => floorRoute(app),
  start: async () => {},
  stop: async () => {},
};

const server = await startServer({
  host: '127.0.0.1',
  port: 0,
  parts: [part],
  registry: new Registry(),
  logger: pino({ level: 'warn' }),
  handleSignals: true,
});
process.stdout.write(`${server.url}\n`);
