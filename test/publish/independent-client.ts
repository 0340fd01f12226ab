/**
 * A tiled-log client written from the C2SP texts alone — c2sp.org/signed-note,
 * tlog-checkpoint, tlog-tiles, static-ct-api — and RFC 6962 §2.1, on
 * node:crypto and fetch. It imports NOTHING from src/ (publish.test.ts
 * checks), so it cannot share a mistake with the server it checks.
 *
 * `rebuild` reads a log's checkpoint, verifies its signature, reads every
 * hash tile and every entry bundle (or static-ct-api data tile) of the tree,
 * hashes each entry into its leaf hash, checks it against the level-0 tile,
 * checks every higher tile against the leaves below it, and checks the root
 * of all the leaves against the checkpoint.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 §2.1: MTH over leaf hashes, k the largest power of two smaller than n. */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return sha256();
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return sha256(Buffer.of(1), merkleRoot(leafHashes.slice(0, k)), merkleRoot(leafHashes.slice(k)));
}

/** tlog-tiles: N in 3-digit groups, all but the last prefixed with x; `.p/W` for a partial tile. */
export function tilePath(kind: string, n: number, width: number): string {
  let s = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
  return `tile/${kind}/${s}${width === 256 ? '' : `.p/${width}`}`;
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  readonly text: string;
  readonly sigs: { name: string; keyId: Buffer; sig: Buffer }[];
}

/** signed-note: text, a blank line, then `— name base64(keyID ‖ sig)` lines; tlog-checkpoint: origin, size, root. */
export function parseCheckpoint(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  const text = note.slice(0, split + 1);
  const sigs = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [dash, name, b64] = l.split(' ');
      if (dash !== '\u2014') throw new Error(`not a signature line: ${l}`);
      const raw = Buffer.from(b64, 'base64');
      return { name, keyId: raw.subarray(0, 4), sig: raw.subarray(4) };
    });
  const [origin, size, root] = text.split('\n');
  return { origin, size: Number(size), root: Buffer.from(root, 'base64'), text, sigs };
}

/** signed-note Ed25519 (type 0x01): vkey `name+hex8+base64(0x01 ‖ key)`, key ID SHA-256(name ‖ \n ‖ 0x01 ‖ key)[:4]. */
export function verifyEd25519(cp: Checkpoint, vkey: string): void {
  const [name, , b64] = [vkey.slice(0, vkey.indexOf('+')), null, vkey.slice(vkey.indexOf('+', vkey.indexOf('+') + 1) + 1)];
  const material = Buffer.from(b64, 'base64');
  if (material[0] !== 1) throw new Error('not an Ed25519 vkey');
  const keyId = sha256(Buffer.from(`${name}\n`), material).subarray(0, 4);
  const s = cp.sigs.find((x) => x.name === name && x.keyId.equals(keyId));
  if (!s) throw new Error(`no signature by ${name}`);
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), material.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  if (!verify(null, Buffer.from(cp.text), key, s.sig)) throw new Error('bad Ed25519 note signature');
}

/**
 * static-ct-api RFC 6962 note signature (type 0x05): key ID SHA-256(origin ‖ \n ‖ 0x05 ‖ SHA-256(SPKI))[:4];
 * signature u64 timestamp ‖ DigitallySigned over the RFC 6962 §3.5 TreeHeadSignature (version 0, type 1,
 * timestamp, size, root). The text must be exactly origin, size, root.
 */
export function verifyRfc6962(cp: Checkpoint, spki: Buffer): void {
  if (cp.text.split('\n').length !== 4) throw new Error('an RFC 6962 checkpoint has exactly three lines');
  const keyId = sha256(Buffer.from(`${cp.origin}\n`), Buffer.of(5), sha256(spki)).subarray(0, 4);
  const s = cp.sigs.find((x) => x.name === cp.origin && x.keyId.equals(keyId));
  if (!s) throw new Error('no RFC 6962 signature by the log');
  const ts = s.sig.subarray(0, 8);
  const [hashAlg, sigAlg] = [s.sig[8], s.sig[9]];
  const len = s.sig.readUInt16BE(10);
  if (hashAlg !== 4 || sigAlg !== 3 || s.sig.length !== 12 + len) throw new Error('not an ECDSA/SHA-256 DigitallySigned');
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(cp.size));
  const tbs = Buffer.concat([Buffer.of(0, 1), ts, size, cp.root]);
  if (!verify('sha256', tbs, createPublicKey({ key: spki, format: 'der', type: 'spki' }), s.sig.subarray(12))) {
    throw new Error('bad RFC 6962 tree head signature');
  }
}

/** The leaf hashes of a tlog-tiles entry bundle: uint16 length-prefixed entries, SHA-256(0x00 ‖ entry). */
export function bundleLeafHashes(bundle: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bundle.length; ) {
    const n = bundle.readUInt16BE(at);
    out.push(sha256(Buffer.of(0), bundle.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  return out;
}

/**
 * The leaf hashes of a static-ct-api data tile: TileLeaf { TimestampedEntry; [pre_certificate]; Fingerprint
 * certificate_chain<0..2^16-1> }, each leaf hash SHA-256(0x00 ‖ MerkleTreeLeaf) with MerkleTreeLeaf =
 * version 0 ‖ leaf_type 0 ‖ TimestampedEntry (RFC 6962 §3.4).
 */
export function dataTileLeafHashes(tile: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  const u24 = (o: number) => tile.readUIntBE(o, 3);
  while (at < tile.length) {
    const start = at;
    at += 8; // timestamp
    const type = tile.readUInt16BE(at);
    at += 2;
    if (type === 0) at += 3 + u24(at);
    else if (type === 1) at += 32 + 3 + u24(at + 32);
    else throw new Error(`entry type ${type}`);
    at += 2 + tile.readUInt16BE(at); // extensions
    const te = tile.subarray(start, at);
    if (type === 1) at += 3 + u24(at); // pre_certificate
    at += 2 + tile.readUInt16BE(at); // chain fingerprints
    out.push(sha256(Buffer.of(0, 0, 0), te));
  }
  return out;
}

export interface Rebuilt {
  readonly checkpoint: Checkpoint;
  readonly leafHashes: Buffer[];
  readonly requests: { path: string; cacheControl: string | null }[];
}

/** Reads and checks the whole log at `prefix`; throws on the first disagreement. */
export async function rebuild(
  prefix: string,
  o: { entries: 'entries' | 'data'; verifyCheckpoint: (cp: Checkpoint) => void },
): Promise<Rebuilt> {
  const requests: Rebuilt['requests'] = [];
  const get = async (path: string) => {
    const res = await fetch(`${prefix}/${path}`);
    requests.push({ path, cacheControl: res.headers.get('cache-control') });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const cp = parseCheckpoint((await get('checkpoint')).toString('utf8'));
  o.verifyCheckpoint(cp);
  const leafHashes: Buffer[] = [];
  for (let n = 0; n * 256 < cp.size; n++) {
    const width = Math.min(256, cp.size - n * 256);
    const tile = await get(tilePath('0', n, width));
    if (tile.length !== width * 32) throw new Error(`tile 0/${n}: ${tile.length} bytes`);
    const bundle = await get(tilePath(o.entries, n, width));
    const hashes = o.entries === 'entries' ? bundleLeafHashes(bundle) : dataTileLeafHashes(bundle);
    if (hashes.length !== width) throw new Error(`bundle ${n}: ${hashes.length} entries, want ${width}`);
    hashes.forEach((h, i) => {
      if (!h.equals(tile.subarray(i * 32, (i + 1) * 32)))
        throw new Error(`leaf ${n * 256 + i}: the entry does not hash to the tile's hash`);
    });
    leafHashes.push(...hashes);
  }
  // Every higher tile holds the MTH of 256^L consecutive leaves.
  for (let level = 1; 256 ** level <= cp.size; level++) {
    const span = 256 ** level;
    const row = Math.floor(cp.size / span);
    for (let n = 0; n * 256 < row; n++) {
      const width = Math.min(256, row - n * 256);
      const tile = await get(tilePath(String(level), n, width));
      for (let i = 0; i < width; i++) {
        const first = (n * 256 + i) * span;
        if (!merkleRoot(leafHashes.slice(first, first + span)).equals(tile.subarray(i * 32, (i + 1) * 32))) {
          throw new Error(`tile ${level}/${n}: hash ${i} is not the MTH of leaves ${first}…`);
        }
      }
    }
  }
  if (!merkleRoot(leafHashes).equals(cp.root)) throw new Error('the leaves do not give the checkpoint root');
  return { checkpoint: cp, leafHashes, requests };
}
