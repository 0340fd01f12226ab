/**
 * The explicit list of top-level commands. Each module is loaded only when
 * its command is invoked (lazy.ts); its register function receives the
 * command, already named and described here.
 */
import type { TopCommand } from './lazy.ts';

export const commands: readonly TopCommand[] = [
  { name: 'log', description: 'Create and inspect logs in a data directory', load: async () => (await import('./log.ts')).registerLog },
  {
    name: 'proof',
    description: 'Verify RFC 6962 inclusion and consistency proofs offline',
    load: async () => (await import('./proof.ts')).registerProof,
  },
  {
    name: 'keygen',
    description: 'generate a signing key: write a PKCS#8 PEM private key (mode 0600), print the public key',
    load: async () => (await import('./keygen.ts')).registerKeygen,
  },
  {
    name: 'hub',
    description: 'Gossip Hub: serve hub instances, or query one and verify every signature and proof',
    load: async () => (await import('./hub.ts')).registerHub,
  },
  {
    name: 'ct',
    description: 'RFC 6962 Certificate Transparency log: serve, client commands, test CA',
    load: async () => (await import('./ct.ts')).registerCt,
  },
  {
    name: 'evidence',
    description: 'Check evidence of log misbehaviour offline (docs/evidence.md)',
    load: async () => (await import('./evidence.ts')).registerEvidence,
  },
  {
    name: 'gossipd',
    description: 'Run the gossip service: peer and transport sockets, built-in transports, split-view detection',
    load: async () => (await import('./gossipd.ts')).registerGossipd,
  },
  {
    name: 'gossip',
    description: 'Talk to a running gossip service: send, subscribe, list transports',
    load: async () => (await import('./gossip.ts')).registerGossip,
  },
  {
    name: 'collect',
    description: 'Poll logs and hubs, verify every head, hand heads to hubs, witnesses and gossip services',
    load: async () => (await import('./collect.ts')).registerCollect,
  },
  {
    name: 'audit',
    description: 'Audit hubs and logs: entries, heads, promises; raise incidents with verifiable evidence',
    load: async () => (await import('./audit.ts')).registerAudit,
  },
  {
    name: 'witness',
    description: 'C2SP witness: serve, keygen, feed logs to witnesses, get a cosigned checkpoint',
    load: async () => (await import('./witness.ts')).registerWitness,
  },
  {
    name: 'checkpoint',
    description: 'Check a cosigned checkpoint against a c2sp.org/tlog-policy',
    load: async () => (await import('./checkpoint.ts')).registerCheckpoint,
  },
  {
    name: 'tiles',
    description: 'Rebuild a tiled log (c2sp.org/tlog-tiles) from its tiles and check its checkpoint',
    load: async () => (await import('./tiles.ts')).registerTiles,
  },
  {
    name: 'demo',
    description: 'Run logs, a hub, gossip services, collectors and an auditor on loopback and catch a split view',
    load: async () => (await import('./demo/index.ts')).registerDemo,
  },
  {
    name: 'serve',
    description: 'Run the whole site (the main job): a CT log, a Gossip Hub, a witness, the gossip service and the dashboard',
    load: async () => (await import('./serve.ts')).registerServe,
  },
];
