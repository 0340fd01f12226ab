/**
 * `grapevine serve`: the main job. One process, one port, one database: the
 * CT log at /ct/v1/, the Gossip Hub instances at /<prefix>/gossip/v0/, and a
 * gossip loop that submits the CT log's STH to the hubs whenever it changes,
 * so the hub keeps a transparent record of every tree the log showed. The
 * site is built by src/server (startSite), like `ct serve` and `hub serve`.
 *
 * Configuration: DATA/grapevine.yaml (or --config FILE; see
 * src/config/site.ts). Two flags create things, each one kind:
 * - `--init-if-missing`: when DATA has no config, set up a new demo site —
 *   fresh ECDSA P-256 keys for the log and the hub, a test CA root the log
 *   accepts, the config file — and its trees (they belong to the new keys).
 * - `--create-trees`: create the configured trees that do not exist yet (as
 *   in `ct serve` and `hub serve`).
 * Nothing is created without them (refuse dangerous states: a missing key or
 * tree is an error, not a reason to mint a new log identity).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { splitListen } from '../config/fields.ts';
import { loadSiteConfigText, type ResolvedSiteConfig } from '../config/site.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../crypto/index.ts';
import { startSite } from '../server/index.ts';
import { listenArg, portArg } from './args.ts';
import { banner } from './banner.ts';
import { CliError } from './errors.ts';
import { checkListen } from './listen-check.ts';
import { loadConfigFile } from './server-runtime.ts';

/** Where a demo site made by --init-if-missing listens. */
const DEMO_HOST = '127.0.0.1';
const DEMO_PORT = 8080;

/** Sets up a demo data directory: keys, a test CA root and grapevine.yaml. Refuses to touch an existing config. */
export async function initDataDir(dir: string): Promise<string> {
  const config = join(dir, 'grapevine.yaml');
  if (existsSync(config)) return config;
  for (const sub of ['keys', 'ca']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  const writeNew = (path: string, text: string, mode = 0o600) => {
    if (existsSync(path)) throw new CliError('FAILED', `refusing to overwrite ${path} while initializing ${dir}`);
    writeFileSync(path, text, { mode, flag: 'wx' });
  };
  const ctKey = generatePrivateKey('ecdsa-p256');
  const hubKey = generatePrivateKey('ecdsa-p256');
  writeNew(join(dir, 'keys', 'ct.pem'), exportPrivateKeyPem(ctKey));
  writeNew(join(dir, 'keys', 'ct.pub.pem'), exportPublicKeyPem(ctKey.publicKey), 0o644);
  writeNew(join(dir, 'keys', 'hub.pem'), exportPrivateKeyPem(hubKey));
  writeNew(join(dir, 'keys', 'hub.pub.pem'), exportPublicKeyPem(hubKey.publicKey), 0o644);
  // A test CA whose root the demo log accepts, with ready-made chains to submit. Loaded here only:
  // the test CA's X.509 library is large, and a start on an existing site never needs it.
  const [{ mintDemoSet }, { demoFiles }] = await Promise.all([import('../x509/testca/index.ts'), import('./ct-testca.ts')]);
  for (const [name, text] of Object.entries(await demoFiles(await mintDemoSet()))) {
    writeNew(join(dir, 'ca', name), text, name.endsWith('-key.pem') ? 0o600 : 0o644);
  }
  writeNew(
    config,
    `# Written by \`grapevine serve --init-if-missing\`: a demo site. Edit freely;
# relative paths are taken from this file's directory. See src/config/site.ts.
listen: ${DEMO_HOST}:${DEMO_PORT}
database: sqlite:grapevine.db
ct:
  tree: ct
  keyFile: keys/ct.pem
  roots: [ca/root.pem]      # a TEST root; ca/leaf-chain.pem etc. are chains to submit
  mmd: 10s
hub:
  instances:
    - prefix: hub
      privateKeyFile: keys/hub.pem
      mmd: 10s
      auditLog: hub-audit.jsonl   # every tree head served, fsynced: the audit survives restarts
      sources:
        - id: local-ct
          name: this process's CT log
          kind: RFC6962STH
          publicKeyFile: keys/ct.pub.pem
gossip:
  interval: 5s
  source: local-ct
gossipd:                      # the gossip service (docs/gossip.md); the CT log above is a known log
  peerSocket:
    path: gossip.sock         # grapevine gossip subscribe --socket <this directory>/gossip.sock
  transports:
    echo: {}
    https: {}                 # every route of this server is a TransGossip pool
    pollination: {}           # POST /.well-known/ct-gossip/v1/sth-pollination
`,
    0o644,
  );
  return config;
}

/** Reads and resolves a site config; relative paths are taken from the file's directory, `listen` replaces the file's. */
export function loadSiteConfig(path: string, listen?: string): ResolvedSiteConfig {
  return loadConfigFile(path, loadSiteConfigText, {
    missingHint: 'pass --init-if-missing to create a demo site',
    countProblems: false,
    ...(listen !== undefined ? { listen } : {}),
  });
}

export function registerServe(serve: Command): void {
  serve
    .option('--data <dir>', 'data directory: grapevine.yaml, keys, database', './grapevine-data')
    .option('--config <file>', 'site config (default DATA/grapevine.yaml)')
    .option('--init-if-missing', 'when DATA has no config: create a demo site there (keys, test CA, config) and its trees', false)
    .option('--create-trees', 'create the configured trees that do not exist yet (never done without this flag)', false)
    .option('--port <n>', 'listen on this port instead of the configured one (0: any free port)', portArg)
    .option('--listen <host:port>', "listen at this address instead of the config file's listen: (N frontends, one file)", listenArg)
    .action(async (o: { data: string; config?: string; initIfMissing: boolean; createTrees: boolean; port?: number; listen?: string }) => {
      const dir = resolve(o.data);
      let file = o.config ? resolve(o.config) : join(dir, 'grapevine.yaml');
      let initialized = false;
      // Nothing (data directory, trees) is created before the address is known to be free.
      if (!existsSync(file) && !o.config && o.initIfMissing) {
        const at = o.listen !== undefined ? splitListen(o.listen) : { host: DEMO_HOST, port: DEMO_PORT };
        await checkListen(at.host, o.port ?? at.port);
        file = await initDataDir(dir);
        initialized = true;
        process.stderr.write(`grapevine: initialized a demo site in ${dir}\n`);
      }
      const config = loadSiteConfig(file, o.listen);
      await checkListen(config.host, o.port ?? config.port);
      const site = await startSite(config, {
        createTrees: o.createTrees || initialized,
        handleSignals: true,
        ...(o.port !== undefined ? { port: o.port } : {}),
      });
      const peers = site.gossipd?.addresses?.peer;
      if (peers?.path) process.stderr.write(`grapevine: gossip service — peers ${peers.path}\n`);
      process.stderr.write(
        banner(site.url, [
          ...(site.ct && config.ct
            ? [{ kind: 'CT log' as const, url: `${site.url}${site.ct.prefix}`, key: config.ct.log.signer.publicKey }]
            : []),
          ...(site.hubs?.hubs ?? []).map((h) => ({
            kind: 'hub' as const,
            url: `${site.url}/${h.hub.prefix}`,
            key: config.hub?.instances.find((i) => i.prefix === h.hub.prefix)?.signer.publicKey,
          })),
        ]),
      );
    });
}
