/**
 * Whether a server command can listen where it is told to, checked before
 * it opens its database or creates anything: a port in use then costs one
 * line and no state. (The server binds again for real moments later; if it
 * loses that race, main() still reports the error in one line.)
 */
import { createServer } from 'node:net';
import { CliError } from './errors.ts';

/** Resolves when host:port can be bound now (port 0 always can); CliError FAILED naming the address and the reason otherwise. */
export function checkListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(new CliError('FAILED', `cannot listen on ${hostPort(host, port)}: ${listenProblem(err)}`, { cause: err }));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The usual reasons in words, else the system's code and message. */
export function listenProblem(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the address is already in use (EADDRINUSE)';
    case 'EACCES':
      return 'permission denied (EACCES; ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'no such local address (EADDRNOTAVAIL)';
    default:
      return `${err.code ?? 'error'}: ${err.message}`;
  }
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
