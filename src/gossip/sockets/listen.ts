/**
 * Where the service's sockets listen (draft-linus-trans-gossip-00 working
 * copy: "The daemon listens to two separate sockets, one for clients and one
 * for transports"): a Unix domain socket only its owner can open (mode 0600),
 * and optionally a TCP port on a loopback address — never another address,
 * since the peer socket has no authentication of its own.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { connect, isIP, type Server } from 'node:net';
import { GossipSocketError } from './errors.ts';

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Removes a socket file left by a process that is gone; refuses one that still accepts connections or is not a socket. */
async function clearStale(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new GossipSocketError('IN_USE', `${path} exists and is not a socket; refusing to replace it`);
  const alive = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (alive) throw new GossipSocketError('IN_USE', `${path} is in use by a running process`);
  unlinkSync(path);
}

/** Listens on a Unix socket with mode 0600 (created under umask 0177, then chmod'ed). */
export async function listenUnix(server: Server, path: string): Promise<void> {
  await clearStale(path);
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o600);
}

/** Listens on a loopback TCP address; returns the port (useful with port 0). */
export async function listenLoopback(server: Server, host: string, port: number): Promise<number> {
  if (!isLoopback(host)) throw new GossipSocketError('NOT_LOOPBACK', `got TCP host ${host}, want a loopback address (127.0.0.0/8, ::1)`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** Closes a server and every connection it still has. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
