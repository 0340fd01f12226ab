/**
 * `grapevine ct serve --config FILE [--create-trees]`: a site (src/server)
 * with only the CT log — storage from the database URL, the CT tree +
 * sequencer + watchdog + CtLog, one fastify app with /healthz, /readyz,
 * /metrics and the RFC 6962 API at <prefix>/ct/v1/.
 */
import { type Command, Option } from 'commander';
import { loadCtConfigText, type ResolvedCtConfig } from '../config/ct.ts';
import { type Site, type SiteOptions, startSite } from '../server/index.ts';
import { listenArg } from './args.ts';
import { banner } from './banner.ts';
import { checkListen } from './listen-check.ts';
import { loadConfigFile, serverOf } from './server-runtime.ts';

/** How a missing CT tree is created, for the message that says it is missing. */
export const CT_CREATE_HINT = 'start once with --create-trees (or set createTree: true in the config) to create it';

/** Starts a CT log server from a resolved config (`createTree: true` there also creates a missing tree). */
export function startCtServer(config: ResolvedCtConfig, opts: SiteOptions = {}): Promise<Site> {
  return startSite({ ...serverOf(config), ct: config, hub: null }, { createHint: CT_CREATE_HINT, ...opts });
}

/** Reads and resolves a config file; relative paths are taken from the file's directory, `listen` replaces the file's. */
export function loadCtConfig(path: string, listen?: string): ResolvedCtConfig {
  return loadConfigFile(path, loadCtConfigText, listen !== undefined ? { listen } : {});
}

export function registerCtServe(ct: Command): void {
  ct.command('serve')
    .description('Run an RFC 6962 CT log from a YAML config file')
    .requiredOption('--config <file>', 'CT log config (YAML; every key: docs/configuration.md)')
    .option('--create-trees', 'create the tree if it does not exist yet (never done without this flag or createTree: true)', false)
    .addOption(new Option('--create-tree', 'the old spelling of --create-trees').hideHelp())
    .option('--listen <host:port>', "listen at this address instead of the config file's listen: (N frontends, one file)", listenArg)
    .action(async (o: { config: string; createTrees: boolean; createTree?: boolean; listen?: string }) => {
      const config = loadCtConfig(o.config, o.listen);
      await checkListen(config.host, config.port);
      const server = await startCtServer(config, { createTrees: o.createTrees || o.createTree === true, handleSignals: true });
      const part = server.ct;
      if (part) {
        process.stderr.write(
          banner(server.url, [{ kind: 'CT log', url: `${server.url}${part.prefix}`, key: config.log.signer.publicKey }]),
        );
      }
      // The server keeps the process alive; SIGTERM/SIGINT, or a fatal sequencer error, shut it down.
    });
}
