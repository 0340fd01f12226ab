/**
 * Real servers on loopback for `grapevine demo` and the monitor's attack
 * tests: a CT log and a Gossip Hub (the personalities, on their own SQLite
 * files or in-memory storage), and a proxy that decides per request which
 * upstream answers — how a log shows different trees to different clients
 * while signing both with its one key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { PublicKey, Signer } from '../../crypto/index.ts';
import { createApp } from '../../http/index.ts';
import type { TrackedSource } from '../../hub/index.ts';
import type { LogStorage } from '../../log/index.ts';
import { mountCtLog, type OpenedCtLog, openCtLog, startCtLog as startCtPersonality, stopCtLog } from '../../personalities/ct/index.ts';
import { mountHubs, type OpenedHub, openHubs, startHubs, stopHubs } from '../../personalities/hub/index.ts';
import { openStorage } from '../../storage/index.ts';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export interface LoopbackCt {
  /** Base URL (before /ct/v1). */
  readonly url: string;
  readonly signer: Signer;
  readonly publicKey: PublicKey;
  readonly opened: OpenedCtLog;
  readonly storage: LogStorage;
  close(): Promise<void>;
}

export async function startCtLog(o: {
  readonly signer: Signer;
  readonly roots: readonly Uint8Array[];
  readonly mmdMs?: number;
  /** Default sqlite::memory:. */
  readonly database?: string;
  readonly sequencerIntervalMs?: number;
}): Promise<LoopbackCt> {
  const storage = await openStorage(o.database ?? 'sqlite::memory:');
  const opened = await openCtLog(
    { tree: 'ct', signer: o.signer, roots: o.roots, ...(o.mmdMs !== undefined ? { mmdMs: o.mmdMs } : {}) },
    { storage, init: true, registry: new Registry(), sequencer: true, sequencerIntervalMs: o.sequencerIntervalMs ?? 50 },
  );
  const app = createApp();
  await mountCtLog(app, opened);
  await startCtPersonality(opened);
  const url = await listen(app);
  return {
    url,
    signer: o.signer,
    publicKey: o.signer.publicKey,
    opened,
    storage,
    close: async () => {
      await app.close();
      await stopCtLog(opened);
      await storage.close();
    },
  };
}

export interface LoopbackHub {
  /** Base URL including the prefix. */
  readonly url: string;
  readonly signer: Signer;
  readonly hubs: OpenedHub[];
  readonly storage: LogStorage;
  close(): Promise<void>;
}

export async function startHub(o: {
  readonly signer: Signer;
  readonly sources: readonly TrackedSource[];
  readonly mmdMs?: number;
  readonly prefix?: string;
  readonly database?: string;
  readonly sequencerIntervalMs?: number;
}): Promise<LoopbackHub> {
  const storage = await openStorage(o.database ?? 'sqlite::memory:');
  const prefix = o.prefix ?? 'hub';
  const hubs = await openHubs([{ prefix, signer: o.signer, sources: o.sources, ...(o.mmdMs !== undefined ? { mmdMs: o.mmdMs } : {}) }], {
    storage,
    registry: new Registry(),
    init: true,
    sequencers: true,
    sequencerIntervalMs: o.sequencerIntervalMs ?? 50,
  });
  await startHubs(hubs);
  const app = createApp();
  await mountHubs(app, hubs);
  const url = `${await listen(app)}/${prefix}`;
  return {
    url,
    signer: o.signer,
    hubs,
    storage,
    close: async () => {
      await app.close();
      await stopHubs(hubs);
      await storage.close();
    },
  };
}

/** What the proxy does with one request: forward it to an upstream base URL, or answer it itself. */
export type ProxyDecision = { readonly upstream: string } | { readonly answer: (res: ServerResponse, body: Buffer) => void };

export interface LoopbackProxy {
  readonly url: string;
  /** Requests answered, by path prefix of the proxy URL. */
  close(): Promise<void>;
}

/**
 * An HTTP proxy whose `route` picks, for each request (method, path, the
 * proxy-side path prefix the client used, and the body), who answers. The
 * path after the first segment of the proxy URL is kept: a client of
 * `${url}/a` talking to `/a/ct/v1/get-sth` reaches `${upstream}/ct/v1/get-sth`.
 */
export async function startProxy(route: (req: IncomingMessage, view: string, body: Buffer) => ProxyDecision): Promise<LoopbackProxy> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const [, view, ...rest] = (req.url ?? '/').split('/');
      const decision = route(req, view, body);
      if ('answer' in decision) {
        decision.answer(res, body);
        return;
      }
      const target = `${decision.upstream.replace(/\/+$/, '')}/${rest.join('/')}`;
      fetch(target, {
        method: req.method,
        headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      })
        .then(async (up) => {
          const b = Buffer.from(await up.arrayBuffer());
          res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/octet-stream' });
          res.end(b);
        })
        .catch((err: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${err.message}`);
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
