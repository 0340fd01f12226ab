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
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { splitListen } from '../config/fields.ts';
import { loadSiteConfigText, type ResolvedSiteConfig } from '../config/site.ts';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../crypto/index.ts';
import { DashboardPart } from '../dashboard/index.ts';
import { cosignerFromSkey, formatSkey, noteSignerFromSkey, rfc6962Verifier } from '../note/index.ts';
import { startSite } from '../server/index.ts';
import { listenArg, portArg } from './args.ts';
import { banner } from './banner.ts';
import { CliError } from './errors.ts';
import { firstRunBlock } from './first-run.ts';
import { checkListen } from './listen-check.ts';
import { defaultLogFormat, LOG_FORMATS, type LogFormat, serverLogger } from './log-format.ts';
import { loadConfigFile } from './server-runtime.ts';

/** Where a demo site made by --init-if-missing listens. */
const DEMO_HOST = '127.0.0.1';
const DEMO_PORT = 8080;

/**
 * The demo site's grapevine.yaml: every main setting written out with what it
 * does, its default, and where the rest is documented (docs/configuration.md).
 * test/cli/serve.test.ts checks that it loads and that it names every
 * top-level key of the site schema.
 */
/** What the demo's config names besides fixed paths: where it listens (also its logs' origins), and their vkeys. */
export interface DemoNames {
  /** host:port, IPv6 hosts in brackets. */
  readonly hostPort: string;
  readonly ctOrigin: string;
  readonly hubOrigin: string;
  readonly ctVkey: string;
  readonly hubVkey: string;
}

export function demoConfigText(n: DemoNames): string {
  return `# grapevine.yaml — written by \`grapevine serve --init-if-missing\`: a demo site on this machine.
# Edit freely and restart. Relative paths are taken from this file's folder. Every key, with its
# default and trust notes: docs/configuration.md. Durations: 500ms, 10s, 2m, 1h.

# Where the server answers: the CT log, the hub, /metrics, /healthz, /readyz and the dashboard.
# 127.0.0.1 keeps it on this machine; 0.0.0.0:${DEMO_PORT} is every interface (then see dashboard.token).
listen: ${n.hostPort}

# The database: sqlite:FILE here, or postgres://user@host:5432/db for several frontends on one database
# (GRAPEVINE_DATABASE_URL replaces it; keep a password there, not here).
database: sqlite:grapevine.db
# postgres:
#   poolSize: 10           # connections per process, with a postgres:// database

# Least severe log level: fatal, error, warn, info, debug, trace, silent. (--log-format picks human or JSON.)
logLevel: info

# Behind a reverse proxy that sets X-Forwarded-For: true, or the proxies' addresses. Quotas charge the address.
# trustProxy: false
# ipv6QuotaPrefix: 64      # IPv6 clients share a quota bucket per prefix of this many bits

# Against slow and idle clients (these are the defaults).
# http:
#   requestTimeout: 30s
#   headersTimeout: 10s
#   idleTimeout: 60s
#   keepAliveTimeout: 5s
#   maxConnections: 4096

# The web dashboard at / (docs/dashboard.md): open without login on a loopback address; beyond it, only
# with a token, taken from the environment rather than written here.
dashboard:
  enabled: true
  # token: \${GRAPEVINE_DASHBOARD_TOKEN}
  history: 1h              # how far back the plots reach (kept in memory)
  sampleInterval: 2s       # how often the plots and the terminal's event lines are updated

# The CT log (RFC 6962): its API is http://${n.hostPort}/ct/v1/.
ct:
  tree: ct                 # its tree in the database
  keyFile: keys/ct.pem     # the log's signing key: whoever holds it can sign as the log
  roots: [ca/root.pem]     # accepted roots: a TEST CA; ca/leaf-chain.pem and friends are chains to submit
  mmd: 10s                 # maximum merge delay: every SCT's entry is in a signed tree head within it
  publish:                 # also /checkpoint, /tile/…, /issuer/… (static-ct-api; docs/witness.md)
    origin: ${n.ctOrigin}        # the checkpoint origin: this log's URL prefix without scheme
    witnessPolicy: witnesses.policy  # take each checkpoint to these witnesses, serve it cosigned once they quorum
    witnessInterval: 5s
  # rejectExpired: false   # refuse certificates already expired
  # quota:                 # token buckets per client, per issuer, globally (429 when empty)
  #   perClient: { write: { rate: 10, burst: 100 } }

# Gossip Hub instances: each a transparent log of other logs' signed tree heads, at /PREFIX/gossip/v0/.
hub:
  instances:
    - prefix: hub
      privateKeyFile: keys/hub.pem     # the hub's signing key
      mmd: 10s                         # every SGT's entry is in a served tree head within it
      auditLog: hub-audit.jsonl        # every tree head served, fsynced: the hub's self-audit survives restarts
      publish:                         # also /hub/checkpoint and /hub/tile/… (tlog-tiles)
        origin: ${n.hubOrigin}
        keyFile: keys/hub-checkpoint.key   # its checkpoint key (Ed25519, named as the origin), not the hub key
        witnessPolicy: witnesses.policy
        witnessInterval: 5s
      sources:                         # the signers whose heads this hub accepts
        - id: local-ct
          name: this process's CT log
          kind: RFC6962STH
          publicKeyFile: keys/ct.pub.pem

# A C2SP witness at /witness (docs/witness.md): it cosigns a log's checkpoint once it has checked that it
# extends the last one it cosigned. Here it witnesses this site's own CT log and hub.
witness:
  prefix: /witness
  keys: [keys/witness.key] # its key (grapevine witness keygen): whoever holds it can cosign as this witness
  logs:
    - origin: ${n.ctOrigin}
      vkey: ${n.ctVkey}
    - origin: ${n.hubOrigin}
      vkey: ${n.hubVkey}

# The gossip loop: the CT log's latest signed tree head goes into the hubs that track it, and into the
# gossip service below.
gossip:
  interval: 5s             # how often the head is read (a head is sent again only when it changed, or after an hour)
  source: local-ct         # the hub source id it is submitted as

# The gossip service (docs/gossip.md): checks every head it is handed against the others it holds, and
# raises a split-view incident, with evidence, when a log shows two different trees. The CT log above is a
# known log without listing it here.
gossipd:
  peerSocket:
    path: gossip.sock      # local peers: grapevine gossip subscribe --socket <this folder>/gossip.sock
  transports:
    echo: {}
    https: {}              # every route of this server is a TransGossip pool
    pollination: {}        # POST /.well-known/ct-gossip/v1/sth-pollination
`;
}

/**
 * Sets up a demo data directory: keys, a test CA root, a witness policy and grapevine.yaml listening at `at`
 * (also the origin of its published logs). Refuses to touch an existing config.
 */
export async function initDataDir(dir: string, at: { host: string; port: number } = { host: DEMO_HOST, port: DEMO_PORT }): Promise<string> {
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
  // The demo publishes its logs the C2SP way and witnesses them itself (docs/witness.md): a witness key, the
  // hub's checkpoint key (named as its origin), and the policy the logs take their checkpoints to.
  const hostPort = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
  const ctOrigin = hostPort;
  const hubOrigin = `${ctOrigin}/hub`;
  const witnessSkey = formatSkey('grapevine-demo/witness', randomBytes(32));
  const hubNoteSkey = formatSkey(hubOrigin, randomBytes(32));
  writeNew(join(dir, 'keys', 'witness.key'), `${witnessSkey}\n`);
  writeNew(join(dir, 'keys', 'hub-checkpoint.key'), `${hubNoteSkey}\n`);
  const ctVkey = rfc6962Verifier(ctOrigin, ctKey.publicKey.spki).vkey;
  const hubVkey = noteSignerFromSkey(hubNoteSkey).vkey;
  writeNew(
    join(dir, 'witnesses.policy'),
    `# Which witnesses count for this site's logs (c2sp.org/tlog-policy): its own witness at /witness.
log ${ctVkey}
log ${hubVkey}
witness demo ${cosignerFromSkey(witnessSkey).vkey} http://${ctOrigin}/witness
quorum demo
`,
    0o644,
  );
  // A test CA whose root the demo log accepts, with ready-made chains to submit. Loaded here only:
  // the test CA's X.509 library is large, and a start on an existing site never needs it.
  const [{ mintDemoSet }, { demoFiles }] = await Promise.all([import('../x509/testca/index.ts'), import('./ct-testca.ts')]);
  for (const [name, text] of Object.entries(await demoFiles(await mintDemoSet()))) {
    writeNew(join(dir, 'ca', name), text, name.endsWith('-key.pem') ? 0o600 : 0o644);
  }
  writeNew(config, demoConfigText({ hostPort, ctOrigin, hubOrigin, ctVkey, hubVkey }), 0o644);
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
    .option(
      '--log-format <format>',
      'human: one line per notable event on stderr; json: pino JSON lines on stdout (default: human on a terminal)',
      logFormatArg,
    )
    .option('--log-file <file>', 'also append pino JSON lines to FILE (everything, whatever --log-format)')
    .action(async (o: ServeOptions) => {
      const dir = resolve(o.data);
      let file = o.config ? resolve(o.config) : join(dir, 'grapevine.yaml');
      let initialized = false;
      // Nothing (data directory, trees) is created before the address is known to be free.
      if (!existsSync(file) && !o.config && o.initIfMissing) {
        const at = o.listen !== undefined ? splitListen(o.listen) : { host: DEMO_HOST, port: DEMO_PORT };
        await checkListen(at.host, o.port ?? at.port);
        file = await initDataDir(dir, at);
        initialized = true;
        process.stderr.write(`grapevine: initialized a demo site in ${dir}\n`);
      }
      const config = loadSiteConfig(file, o.listen);
      await checkListen(config.host, o.port ?? config.port);
      const logFormat = o.logFormat ?? defaultLogFormat();
      const logFile = o.logFile !== undefined ? resolve(o.logFile) : undefined;
      const site = await startSite(config, {
        createTrees: o.createTrees || initialized,
        handleSignals: true,
        logger: serverLogger({ level: config.logLevel, format: logFormat, ...(logFile ? { file: logFile } : {}) }),
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
      const dashboard = site.parts.find((p): p is DashboardPart => p instanceof DashboardPart);
      const access = dashboard?.access ?? { mode: 'off' as const, reason: 'not configured' };
      const gossiped = site.gossip ? site.hubs?.hubs.find((h) => h.hub.sources.some((s) => s.id === config.gossip.source)) : undefined;
      process.stderr.write(
        firstRunBlock({
          url: site.url,
          dataDir: dirname(file),
          configFile: file,
          cwd: process.cwd(),
          dashboard: access.mode === 'off' ? { off: access.reason } : { url: `${site.url}/`, token: access.mode === 'token' },
          logFormat,
          ...(logFile ? { logFile } : {}),
          ...(gossiped ? { hub: { prefix: gossiped.hub.prefix, source: config.gossip.source } } : {}),
          hasCt: site.ct !== null,
          exists: existsSync,
        }),
      );
    });
}

interface ServeOptions {
  readonly data: string;
  readonly config?: string;
  readonly initIfMissing: boolean;
  readonly createTrees: boolean;
  readonly port?: number;
  readonly listen?: string;
  readonly logFormat?: LogFormat;
  readonly logFile?: string;
}

function logFormatArg(v: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`got ${JSON.stringify(v)}, want human or json`);
  return v as LogFormat;
}
