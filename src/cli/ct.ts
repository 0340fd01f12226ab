/**
 * `grapevine ct …`: the RFC 6962 CT log — serve it (ct-serve.ts), talk to
 * any RFC 6962 log as a verifying client (ct-client.ts), and mint a test CA
 * for demos (ct-testca.ts).
 */
import type { Command } from 'commander';
import { registerCtClient } from './ct-client.ts';
import { registerCtServe } from './ct-serve.ts';
import { registerCtTestCa } from './ct-testca.ts';

export function registerCt(program: Command): void {
  const ct = program.command('ct').description('RFC 6962 Certificate Transparency log: serve, client commands, test CA');
  registerCtServe(ct);
  registerCtClient(ct);
  registerCtTestCa(ct);
}
