/**
 * `grapevine hub serve --config FILE [--create-trees]`: a site (src/server)
 * with only hub instances — storage from the database URL, one tree +
 * sequencer + watchdog + HubService per instance, one fastify app with
 * /healthz, /readyz, /metrics and every hub under its prefix.
 */
import { type Command, Option } from 'commander';
import { loadHubConfigText, type ResolvedHubConfig } from '../config/hub.ts';
import { CREATE_TREES_HINT, type Site, type SiteOptions, startSite } from '../server/index.ts';
import { listenArg } from './args.ts';
import { banner } from './banner.ts';
import { checkListen } from './listen-check.ts';
import { loadConfigFile, serverOf } from './server-runtime.ts';

/** Starts a hub server from a resolved config. */
export function startHubServer(config: ResolvedHubConfig, opts: SiteOptions = {}): Promise<Site> {
  return startSite({ ...serverOf(config), ct: null, hub: config }, { createHint: CREATE_TREES_HINT, ...opts });
}

/** Reads and resolves a config file; relative paths are taken from the file's directory, `listen` replaces the file's. */
export function loadHubConfig(path: string, listen?: string): ResolvedHubConfig {
  return loadConfigFile(path, loadHubConfigText, listen !== undefined ? { listen } : {});
}

export function registerHubServe(hub: Command): void {
  hub
    .command('serve')
    .description('Run the Gossip Hub instances of a YAML config file')
    .requiredOption('--config <file>', 'hub config (YAML; every key: docs/configuration.md)')
    .option('--create-trees', 'create the trees of instances that do not exist yet (never done without this flag)', false)
    .addOption(new Option('--init', 'the old spelling of --create-trees').hideHelp())
    .option('--listen <host:port>', "listen at this address instead of the config file's listen: (N frontends, one file)", listenArg)
    .action(async (o: { config: string; createTrees: boolean; init?: boolean; listen?: string }) => {
      const config = loadHubConfig(o.config, o.listen);
      await checkListen(config.host, config.port);
      const server = await startHubServer(config, { createTrees: o.createTrees || o.init === true, handleSignals: true });
      process.stderr.write(
        banner(
          server.url,
          (server.hubs?.hubs ?? []).map((h) => ({
            kind: 'hub' as const,
            url: `${server.url}/${h.hub.prefix}`,
            key: config.instances.find((i) => i.prefix === h.hub.prefix)?.signer.publicKey,
          })),
        ),
      );
      // The server keeps the process alive; SIGTERM/SIGINT, or a fatal sequencer error, shut it down.
    });
}
