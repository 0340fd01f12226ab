/**
 * The one server builder (server.ts) and the site that every `serve` command
 * and test fixture builds from its configuration (site.ts).
 */
export { buildGossipDaemon, type GossipDeps } from './gossip.ts';
export { type Server, type ServerOptions, startServer } from './server.ts';
export { CREATE_TREES_HINT, type Site, type SiteOptions, type SiteSpec, startSite } from './site.ts';
export { publishParts, type WitnessDeps, witnessPart } from './witness.ts';
