/** The `hub` transport: heads to Gossip Hubs (add-signed-blob, SGTs verified) and the hubs' latest heads back in. */
export { blobOfHead, type HubBlob, headOfBlob } from './blob.ts';
export { type HubTarget, HubTransport, type HubTransportOptions, remoteHubTransport } from './transport.ts';
