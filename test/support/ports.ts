/** A loopback TCP port for a child process to listen on. */
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (another process may take it before the caller does). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
