/** The connection pool every PostgreSQL store of one process opens the same way. */
import pg from 'pg';

export interface PostgresStorageOptions {
  /** Connections per process. Default 10. */
  readonly poolSize?: number;
  /** How long a call waits to connect (or for a free pooled connection), ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Told about errors of connections no call was using (e.g. the server restarted). Default: ignored. */
  readonly onPoolError?: (err: Error) => void;
}

export function createPool(url: string, opts: PostgresStorageOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // Notice a silently dead server (no RST, e.g. a lost host) in tens of seconds, not the OS's two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'grapevine',
  });
  const report = (err: Error) => opts.onPoolError?.(err);
  pool.on('error', report);
  // A checked-out connection that breaks between queries emits 'error' on the client; without a listener that is fatal.
  pool.on('connect', (client) => client.on('error', report));
  return pool;
}
