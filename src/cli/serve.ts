/**
 * `grapevine serve`: the main job. One process, one port, one database: the
 * CT log at /ct/v1/, the Gossip Hub instances at /<prefix>/gossip/v0/, and a
 * gossip loop that submits the CT log's latest STH to the hubs, so the hub
 * keeps a transparent record of every tree head the log showed.
 *
 * Configuration: DATA/grapevine.yaml (or --config FILE; see
 * src/config/site.ts). With --init-if-missing, a missing data directory is
 * set up for a demo: fresh ECDSA P-256 keys for the log and the hub, a test
 * CA root the log accepts, and the config file. Nothing is created without
 * that flag (refuse dangerous states: a missing key is an error, not a
 * reason to mint a new log identity).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { encodeTreeHeadSignature } from '../codec/index.ts';
import { loadSiteConfigText, type ResolvedSiteConfig } from '../config/site.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../crypto/index.ts';
import { createApp, type ReadinessCheck, registerHealth, registerMetrics, sequencerCheck, storageCheck } from '../http/index.ts';
import { LogMetrics } from '../log/index.ts';
import { mountCtLog, type OpenedCtLog, startCtLog, stopCtLog } from '../personalities/ct/index.ts';
import {
  FileServedHeads,
  HubQuotas,
  INTERNAL_CLIENT,
  mountHubs,
  type OpenedHub,
  openHubs,
  startHubs,
  stopHubs,
} from '../personalities/hub/index.ts';
import { openStorage, redact } from '../storage/index.ts';
import { portArg } from './args.ts';
import { banner } from './banner.ts';
import { openConfiguredCtLog } from './ct-serve.ts';
import { CliError } from './errors.ts';
import { checkListen } from './listen-check.ts';
import { listen, loadConfigFile } from './server-runtime.ts';

/** Where a demo site made by --init-if-missing listens. */
const DEMO_HOST = '127.0.0.1';
const DEMO_PORT = 8080;

/** `grapevine serve`'s advice for a missing tree. */
const CREATE_HINT = 'start once with --init-if-missing to create it';

export interface SiteServer {
  readonly url: string;
  readonly ct: OpenedCtLog | null;
  readonly hubs: readonly OpenedHub[];
  /** One gossip round now (also run every gossip interval). Resolves with the number of hubs that took the STH. */
  gossipOnce(): Promise<number>;
  close(): Promise<void>;
}

export async function startSite(
  config: ResolvedSiteConfig,
  opts: { init?: boolean; logger?: Logger; port?: number; handleSignals?: boolean } = {},
): Promise<SiteServer> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  const registry = new Registry();
  const logMetrics = new LogMetrics(registry);
  const storage = await openStorage(config.database, { writerThread: true });
  const shared = { storage, registry, logMetrics, logger };
  let ct: OpenedCtLog | null = null;
  let hubs: OpenedHub[] = [];
  try {
    if (config.ct) {
      ct = await openConfiguredCtLog(config.ct, { ...shared, createTree: opts.init === true, createHint: CREATE_HINT });
      await startCtLog(ct);
    }
    if (config.hub) {
      const h = config.hub;
      hubs = await openHubs(
        h.instances.map((i) => ({
          prefix: i.prefix,
          signer: i.signer,
          sources: i.sources,
          mmdMs: i.mmdMs,
          ...(i.tree !== undefined ? { tree: i.tree } : {}),
          ...(i.auditLog !== undefined ? { servedHeads: new FileServedHeads(i.auditLog) } : {}),
        })),
        {
          storage,
          registry,
          logMetrics,
          logger,
          quotas: new HubQuotas(h.quota),
          init: opts.init === true,
          createHint: CREATE_HINT,
          sequencerIntervalMs: h.sequencerIntervalMs,
          sequencerBatchSize: h.sequencerBatchSize,
          maxGetEntries: h.maxGetEntries,
        },
      );
      await startHubs(hubs);
    }
  } catch (err) {
    await stopHubs(hubs).catch(() => {});
    if (ct) await stopCtLog(ct).catch(() => {});
    await storage.close().catch(() => {});
    throw err;
  }

  const app = createApp({ logger, http: config.http });
  const checks: ReadinessCheck[] = [storageCheck(storage)];
  if (ct?.sequencer) checks.push(sequencerCheck(ct.sequencer, 'sequencer:ct'));
  for (const h of hubs) if (h.sequencer) checks.push(sequencerCheck(h.sequencer, `sequencer:${h.hub.prefix}`));
  registerHealth(app, { checks });
  registerMetrics(app, { registry });
  if (ct) await mountCtLog(app, ct);
  await mountHubs(app, hubs);
  // The gossip loop's timer, set once listening; its closer runs first.
  let timer: NodeJS.Timeout | null = null;
  const { url, close } = await listen(app, {
    host: config.host,
    port: opts.port ?? config.port,
    closers: [
      {
        name: 'gossip',
        close: () => {
          if (timer) clearTimeout(timer);
          timer = null;
        },
      },
      { name: 'hubs', close: () => stopHubs(hubs) },
      { name: 'ct', close: () => (ct ? stopCtLog(ct) : undefined) },
      { name: 'storage', close: () => storage.close() },
    ],
    logger,
    handleSignals: opts.handleSignals === true,
  });

  // The gossip loop: the log's STH, as any observer would see it, into each hub that tracks it.
  const gossipTotal = new Counter({
    name: 'grapevine_gossip_submissions_total',
    help: 'Local CT STHs submitted to local hubs, by result',
    labelNames: ['hub', 'result'],
    registers: [registry],
  });
  const targets = hubs.filter((h) =>
    config.hub?.instances.find((i) => i.prefix === h.hub.prefix)?.sources.some((s) => s.id === config.gossip.source),
  );
  const gossipOnce = async (): Promise<number> => {
    if (!ct || targets.length === 0) return 0;
    const sth = await ct.ct.getSth('internal:gossip');
    const blobData = encodeTreeHeadSignature(sth);
    let ok = 0;
    for (const h of targets) {
      try {
        await h.hub.processAddSignedBlob(
          { sourceId: config.gossip.source, blobData, srcSignature: sth.treeHeadSignature.signature },
          INTERNAL_CLIENT,
        );
        gossipTotal.inc({ hub: h.hub.prefix, result: 'ok' });
        ok++;
      } catch (err) {
        gossipTotal.inc({ hub: h.hub.prefix, result: 'error' });
        logger.warn({ err, hub: h.hub.prefix }, 'gossip: the hub refused the CT log STH');
      }
    }
    return ok;
  };
  if (config.gossip.intervalMs > 0 && ct && targets.length > 0) {
    const tick = () => {
      gossipOnce()
        .catch((err) => logger.warn({ err }, 'gossip round failed'))
        .finally(() => {
          if (timer) timer = setTimeout(tick, config.gossip.intervalMs);
        });
    };
    timer = setTimeout(tick, 0);
  }

  logger.info(
    {
      url,
      database: redact(config.database),
      ct: ct ? `${url}${ct.prefix}/ct/v1/` : null,
      hubs: hubs.map((h) => `${url}/${h.hub.prefix}/gossip/v0/`),
    },
    'grapevine serving',
  );
  return { url, ct, hubs, gossipOnce, close };
}

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
`,
    0o644,
  );
  return config;
}

export function loadSiteConfig(path: string): ResolvedSiteConfig {
  return loadConfigFile(path, loadSiteConfigText, { missingHint: 'pass --init-if-missing to create a demo site', countProblems: false });
}

export function registerServe(serve: Command): void {
  serve
    .option('--data <dir>', 'data directory: grapevine.yaml, keys, database', './grapevine-data')
    .option('--config <file>', 'site config (default DATA/grapevine.yaml)')
    .option('--init-if-missing', 'create a demo data directory (keys, test CA, config) and missing trees', false)
    .option('--port <n>', 'listen on this port instead of the configured one (0: any free port)', portArg)
    .action(async (o: { data: string; config?: string; initIfMissing: boolean; port?: number }) => {
      const dir = resolve(o.data);
      let file = o.config ? resolve(o.config) : join(dir, 'grapevine.yaml');
      // Nothing (data directory, trees) is created before the address is known to be free.
      if (!existsSync(file) && !o.config && o.initIfMissing) {
        await checkListen(DEMO_HOST, o.port ?? DEMO_PORT);
        file = await initDataDir(dir);
        process.stderr.write(`grapevine: initialized a demo site in ${dir}\n`);
      }
      const config = loadSiteConfig(file);
      await checkListen(config.host, o.port ?? config.port);
      const site = await startSite(config, {
        init: o.initIfMissing,
        handleSignals: true,
        ...(o.port !== undefined ? { port: o.port } : {}),
      });
      process.stderr.write(
        banner(site.url, [
          ...(site.ct && config.ct
            ? [{ kind: 'CT log' as const, url: `${site.url}${site.ct.prefix}`, key: config.ct.log.signer.publicKey }]
            : []),
          ...site.hubs.map((h) => ({
            kind: 'hub' as const,
            url: `${site.url}/${h.hub.prefix}`,
            key: config.hub?.instances.find((i) => i.prefix === h.hub.prefix)?.signer.publicKey,
          })),
        ]),
      );
    });
}
