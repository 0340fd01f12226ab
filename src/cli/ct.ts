/**
 * `grapevine ct …`: the RFC 6962 CT log — serve it (ct-serve.ts), talk to
 * any RFC 6962 log as a verifying client (ct-client.ts, ct-submit.ts), and mint a test CA
 * for demos (ct-testca.ts). Only the module of the invoked sub-command is
 * loaded (lazy.ts), so client commands never load the server.
 */
import type { Command } from 'commander';
import { type CommandPart, registerParts } from './lazy.ts';

const parts: readonly CommandPart[] = [
  { names: ['serve'], load: async () => (await import('./ct-serve.ts')).registerCtServe },
  { names: ['sth', 'consistency', 'entries', 'audit', 'roots'], load: async () => (await import('./ct-client.ts')).registerCtClient },
  { names: ['add-chain', 'inclusion'], load: async () => (await import('./ct-submit.ts')).registerCtSubmit },
  { names: ['test-ca'], load: async () => (await import('./ct-testca.ts')).registerCtTestCa },
];

export function registerCt(ct: Command, path: readonly string[]): Promise<void> {
  return registerParts(ct, parts, path);
}
