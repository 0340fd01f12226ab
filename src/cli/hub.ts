/**
 * `grapevine hub …`: run Gossip Hub instances (`serve`) and talk to a hub
 * as a verifying client (`sth`, `sources`, `entries`, `inclusion`,
 * `consistency`, `latest`, `submit-sth`, `submit-checkpoint`).
 */
import type { Command } from 'commander';
import { registerHubClient } from './hub-client.ts';
import { registerHubServe } from './hub-serve.ts';

export { type HubServer, loadHubConfig, type StartHubServerOptions, startHubServer } from './hub-serve.ts';

export function registerHub(program: Command): void {
  const hub = program
    .command('hub')
    .description('Gossip Hub: serve hub instances, or query one and verify every signature and proof')
    .addHelpText(
      'after',
      `
Examples:
  grapevine hub serve --config hub.yaml --init
  grapevine hub sth --url http://127.0.0.1:16962/gamut --hub-key gamut.pub.pem
  grapevine hub submit-sth --url http://127.0.0.1:16962/gamut --hub-key gamut.pub.pem \\
      --source https://ct.googleapis.com/pilot/ --sth sth.json --log-key pilot.pem --wait
`,
    );
  registerHubServe(hub);
  registerHubClient(hub);
}
