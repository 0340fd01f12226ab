/**
 * Two gossip services (src/gossip) for the demo, peered with each other over
 * the daemon-to-daemon transport: what one's peers hand in, the other's
 * peers receive, and each checks every head it sees against the others.
 * Config text is written the way a user would write it and loaded through
 * src/config/gossip.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadGossipConfigText } from '../../config/gossip.ts';
import { exportPrivateKeyPem, generatePrivateKey, type PublicKey } from '../../crypto/index.ts';
import { type RunningGossipd, startGossipd } from '../gossipd.ts';

/** A free loopback port (the daemon that accepts peer connections must be told one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface DemoLogForGossip {
  readonly name: string;
  readonly key: PublicKey;
  /** Where the service fetches consistency proofs (ends in /), if anywhere. */
  readonly url?: string;
}

export async function startGossipPair(
  dir: string,
  names: [string, string],
  logs: readonly DemoLogForGossip[],
  logger: Logger,
): Promise<RunningGossipd[]> {
  const keys = names.map(() => generatePrivateKey('ed25519'));
  for (const [i, k] of keys.entries()) writeFileSync(join(dir, `${names[i]}.key`), exportPrivateKeyPem(k), { mode: 0o600 });
  const port = await freePort();
  const logLines = logs
    .map((l) => `  - { name: ${l.name}, key: ${l.key.spki.toString('base64')}${l.url ? `, url: "${l.url}"` : ''} }`)
    .join('\n');
  const running: RunningGossipd[] = [];
  try {
    for (const [i, name] of names.entries()) {
      const other = 1 - i;
      const peer = `{ name: ${names[other]}, key: ${keys[other].publicKey.spki.toString('base64')}${i === 1 ? `, address: "127.0.0.1:${port}"` : ''} }`;
      const text = `name: ${name}
listen: 127.0.0.1:0
database: "sqlite:${name}.db"
peerSocket: { path: ${name}.sock }
logs:
${logLines}
incidents:
  evidenceDir: evidence-${name}
  sinks: [{ type: jsonl, path: ${name}-incidents.jsonl }]
transports:
  peer:
    keyFile: ${name}.key
${i === 0 ? `    listen: "127.0.0.1:${port}"\n` : ''}    reconnect: 100ms
    peers: [${peer}]
`;
      writeFileSync(join(dir, `${name}.yaml`), text);
      const cfg = loadGossipConfigText(text, { readFile: (p) => readFileSync(p), baseDir: dir, env: {} });
      running.push(await startGossipd(cfg, { logger: logger.child({ gossip: name }) }));
    }
    return running;
  } catch (err) {
    for (const r of running) await r.close().catch(() => {});
    throw err;
  }
}
