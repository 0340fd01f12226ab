/**
 * Real servers on loopback for `grapevine demo` and the monitor's attack
 * tests: a CT log and a Gossip Hub (the personalities, on their own SQLite
 * files or in-memory storage), and a proxy that decides per request which
 * upstream answers — how a log shows different trees to different clients
 * while signing both with its one key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { PublicKey, Signer } from '../../crypto/index.ts';
import type { TrackedSource } from '../../hub/index.ts';
import type { LogStorage } from '../../log/index.ts';
import { type CtLogPart, openCtLog } from '../../personalities/ct/index.ts';
import { type OpenedHub, openHubs } from '../../personalities/hub/index.ts';
import { startServer } from '../../server/index.ts';
import { openStorage } from '../../storage/index.ts';

export interface LoopbackCt {
  /** Base URL (before /ct/v1). */
  readonly url: string;
  readonly signer: Signer;
  readonly publicKey: PublicKey;
  readonly opened: CtLogPart;
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
  const registry = new Registry();
  const opened = await openCtLog(
    { tree: 'ct', signer: o.signer, roots: o.roots, mmdMs: o.mmdMs },
    { storage, createMissing: true, registry, timing: { intervalMs: o.sequencerIntervalMs ?? 50 } },
  );
  const server = await startServer({ host: '127.0.0.1', port: 0, parts: [opened], registry, storage, ownStorage: true });
  return { url: server.url, signer: o.signer, publicKey: o.signer.publicKey, opened, storage, close: () => server.close() };
}

export interface LoopbackHub {
  /** Base URL including the prefix. */
  readonly url: string;
  readonly signer: Signer;
  readonly hubs: readonly OpenedHub[];
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
  const registry = new Registry();
  const part = await openHubs([{ prefix, signer: o.signer, sources: o.sources, mmdMs: o.mmdMs }], {
    storage,
    registry,
    createMissing: true,
    timing: { intervalMs: o.sequencerIntervalMs ?? 50 },
  });
  const server = await startServer({ host: '127.0.0.1', port: 0, parts: [part], registry, storage, ownStorage: true });
  return { url: `${server.url}/${prefix}`, signer: o.signer, hubs: part.hubs, storage, close: () => server.close() };
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
