// Worker entry of ThreadedSqliteStorage: a worker thread does not inherit
// the TypeScript loader the main thread registered, so register it here.
import { register } from 'tsx/esm/api';

register();
await import('./writer-worker.ts');
