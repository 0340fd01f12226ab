/**
 * `grapevine hub …`: run Gossip Hub instances (`serve`) and talk to a hub
 * as a verifying client (`sth`, `sources`, `entries`, `inclusion`,
 * `consistency`, `latest`, `submit-sth`, `submit-checkpoint`). Only the
 * module of the invoked sub-command is loaded (lazy.ts).
 */
import type { Command } from 'commander';
import { type CommandPart, registerParts } from './lazy.ts';

const parts: readonly CommandPart[] = [
  { names: ['serve'], load: async () => (await import('./hub-serve.ts')).registerHubServe },
  {
    names: ['sth', 'sources', 'entries', 'inclusion', 'consistency', 'latest', 'submit-sth', 'submit-checkpoint'],
    load: async () => (await import('./hub-client.ts')).registerHubClient,
  },
];

export function registerHub(hub: Command, path: readonly string[]): Promise<void> {
  hub.addHelpText(
    'after',
    `
Examples:
  grapevine hub serve --config hub.yaml --create-trees
  grapevine hub sources from-log-list log_list.json > sources.yaml   # Google's CT log list v3 → hub sources
  grapevine hub sth --url http://127.0.0.1:16962/gamut --hub-key gamut.pub.pem
  grapevine hub submit-sth --url http://127.0.0.1:16962/gamut --hub-key gamut.pub.pem \\
      --source https://ct.googleapis.com/pilot/ --sth sth.json --log-key pilot.pem --wait
`,
  );
  return registerParts(hub, parts, path);
}
