/** PostgreSQL backend of the log core's storage contract (src/log/storage.ts). */
export { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.ts';
export { SCHEMA_VERSION } from './schema.ts';
