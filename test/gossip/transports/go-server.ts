/**
 * Google's 2016 gossip server (certificate-transparency go/gossip/main), as
 * Debian's golang-github-google-certificate-transparency-dev ships it, built
 * once by .ci/run into the path GRAPEVINE_GO_GOSSIP_SERVER names. Tests that
 * need it skip, saying so, when the variable is unset.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicKey } from '../../../src/crypto/index.ts';
import { exportPublicKeyPem } from '../../../src/crypto/index.ts';
import { freePort } from '../../support/ports.ts';

export const GO_SERVER = process.env.GRAPEVINE_GO_GOSSIP_SERVER;
export const GO_SKIP =
  GO_SERVER && existsSync(GO_SERVER)
    ? false
    : 'SKIPPED: Google’s Go gossip server is not built (set GRAPEVINE_GO_GOSSIP_SERVER; .ci/run builds it from golang-github-google-certificate-transparency-dev)';

export interface GoGossipServer {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the Go server trusting `keys`, its database in `dir`; resolves once it answers a pollination. */
export async function startGoServer(dir: string, keys: readonly PublicKey[]): Promise<GoGossipServer> {
  const pem = join(dir, 'log-keys.pem');
  writeFileSync(pem, keys.map(exportPublicKeyPem).join(''));
  const port = await freePort();
  const child = spawn(
    GO_SERVER as string,
    [`--database=${join(dir, 'gossip.sq3')}`, `--listen=127.0.0.1:${port}`, `--log_public_keys=${pem}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(stuck);
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Go gossip server exited: ${out}`);
    try {
      const r = await fetch(`${url}/.well-known/ct/v1/sth-pollination`, { method: 'POST', body: '{"sths":[]}' });
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`the Go gossip server did not answer: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, output: () => out, stop };
}
