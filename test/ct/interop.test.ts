/**
 * Interoperability: an independent RFC 6962 client against a real
 * `grapevine ct serve` process over HTTP.
 *
 * Everything on the client side is written here from the RFC text: the TLS
 * structures (RFC 5246 §4 presentation language; RFC 6962 §3.2, §3.4, §3.5,
 * §4.6), Merkle hashing (§2.1), inclusion and consistency verification (the
 * algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which restate RFC 6962
 * §2.1.1/§2.1.2), and proof generation per §2.1.1/§2.1.2 as a cross-check.
 * It imports nothing from src/: the server is the CLI in a child process,
 * the certificates come from `grapevine ct test-ca`, and signatures are
 * checked with node:crypto alone.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp-dir.ts';
import { loadTestdata } from '../testdata.ts';

const BIN = fileURLToPath(new URL('../../bin/grapevine.js', import.meta.url));
const MMD_MS = 3000;

// ---------- TLS presentation language (RFC 5246 §4) ----------

class Reader {
  #b: Buffer;
  #o = 0;
  constructor(b: Buffer) {
    this.#b = b;
  }
  #take(n: number): Buffer {
    if (this.#o + n > this.#b.length) throw new Error(`truncated: need ${n} bytes at ${this.#o} of ${this.#b.length}`);
    const out = this.#b.subarray(this.#o, this.#o + n);
    this.#o += n;
    return out;
  }
  uint(n: number): number {
    let v = 0;
    for (const byte of this.#take(n)) v = v * 256 + byte;
    if (!Number.isSafeInteger(v)) throw new Error('integer above 2^53');
    return v;
  }
  bytes(n: number): Buffer {
    return this.#take(n);
  }
  /** opaque x<floor..ceiling> with a length prefix of `lenBytes` bytes (RFC 5246 §4.3). */
  vector(lenBytes: number): Buffer {
    return this.#take(this.uint(lenBytes));
  }
  get offset(): number {
    return this.#o;
  }
  get done(): boolean {
    return this.#o === this.#b.length;
  }
  end(): void {
    if (!this.done) throw new Error(`${this.#b.length - this.#o} trailing bytes`);
  }
}

/** RFC 6962 §3.4 MerkleTreeLeaf / TimestampedEntry. */
interface Leaf {
  timestamp: number;
  entryType: number;
  certificate?: Buffer;
  issuerKeyHash?: Buffer;
  tbs?: Buffer;
  /** entry_type through the end of signed_entry, as serialized (shared with the SCT input, §3.2). */
  signedEntryBytes: Buffer;
  extensions: Buffer;
}

function parseLeaf(b: Buffer): Leaf {
  const r = new Reader(b);
  assert.equal(r.uint(1), 0, 'version v1');
  assert.equal(r.uint(1), 0, 'leaf_type timestamped_entry');
  const timestamp = r.uint(8);
  const entryStart = 10;
  const entryType = r.uint(2);
  const leaf: Partial<Leaf> = { timestamp, entryType };
  if (entryType === 0) leaf.certificate = r.vector(3);
  else if (entryType === 1) {
    leaf.issuerKeyHash = r.bytes(32);
    leaf.tbs = r.vector(3);
  } else throw new Error(`unknown entry_type ${entryType}`);
  leaf.signedEntryBytes = b.subarray(entryStart, r.offset);
  leaf.extensions = r.vector(2);
  r.end();
  return leaf as Leaf;
}

/** get-entries extra_data (RFC 6962 §4.6): X509ChainEntry.certificate_chain or PrecertChainEntry. */
function parseExtraData(entryType: number, b: Buffer): { preCertificate?: Buffer; chain: Buffer[] } {
  const r = new Reader(b);
  const pre = entryType === 1 ? r.vector(3) : undefined;
  const list = new Reader(r.vector(3));
  r.end();
  const chain: Buffer[] = [];
  while (!list.done) chain.push(list.vector(3));
  return { preCertificate: pre, chain };
}

/** RFC 5246 §4.7 DigitallySigned; RFC 6962 §2.1.4: SHA-256 with ECDSA (3) or RSA (1). */
function checkDigitallySigned(key: KeyObject, data: Buffer, ds: Buffer): void {
  const r = new Reader(ds);
  const hash = r.uint(1);
  const sig = r.uint(1);
  const signature = r.vector(2);
  r.end();
  assert.equal(hash, 4, 'hash algorithm sha256');
  assert.equal(sig, key.asymmetricKeyType === 'ec' ? 3 : 1);
  assert.ok(verify('sha256', data, key, signature), 'signature verifies with the log key');
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

// ---------- Merkle trees (RFC 6962 §2.1) ----------

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (leafInput: Buffer) => sha256(Buffer.from([0]), leafInput);
const nodeHash = (l: Buffer, r: Buffer) => sha256(Buffer.from([1]), l, r);
/** The largest power of two smaller than n (n > 1). */
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));

/** MTH(D[n]) over leaf hashes. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha256();
  if (d.length === 1) return d[0];
  const k = split(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}

/** PATH(m, D[n]) (§2.1.1). */
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

/** SUBPROOF(m, D[n], b) (§2.1.2). */
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** RFC 9162 §2.1.3.2. */
function verifyInclusion(index: number, size: number, hash: Buffer, proof: Buffer[], root: Buffer): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, for 0 < first < second. */
function verifyConsistency(first: number, second: number, proof: Buffer[], firstHash: Buffer, secondHash: Buffer): boolean {
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else sr = nodeHash(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

// ---------- X.509 bits needed to predict precert entries (RFC 6962 §3.2) ----------

/** The TBSCertificate of a DER certificate: the first element of its outer SEQUENCE (X.690 §8.1). */
function tbsOf(cert: Buffer): Buffer {
  const header = (at: number): [number, number] => {
    const first = cert[at + 1];
    if (first < 0x80) return [2, first];
    const n = first & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + cert[at + 2 + i];
    return [2 + n, len];
  };
  const [outerHeader] = header(0);
  const [h, len] = header(outerHeader);
  return cert.subarray(outerHeader, outerHeader + h + len);
}

const spkiHash = (pem: Buffer) => sha256(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }) as Buffer);

function pemCerts(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1].replace(/\s+/g, ''), 'base64'),
  );
}

// ---------- The RFC 6962 §4 API over HTTP ----------

interface Sth {
  tree_size: number;
  timestamp: number;
  root: Buffer;
  signature: Buffer;
}

class Client {
  constructor(
    readonly url: string,
    readonly key: KeyObject,
  ) {}
  async get(ep: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/ct/v1/${ep}`);
    const text = await res.text();
    assert.equal(res.status, 200, `${ep}: ${text}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    return JSON.parse(text);
  }
  async post(ep: string, chain: Buffer[]): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}/ct/v1/${ep}`, {
      method: 'POST',
      body: JSON.stringify({ chain: chain.map((c) => c.toString('base64')) }),
    });
    const text = await res.text();
    assert.equal(res.status, 200, `${ep}: ${text}`);
    return JSON.parse(text);
  }
  /** §4.3, verified per §3.5. */
  async sth(): Promise<Sth> {
    const j = await this.get('get-sth');
    const sth = {
      tree_size: j.tree_size as number,
      timestamp: j.timestamp as number,
      root: Buffer.from(j.sha256_root_hash as string, 'base64'),
      signature: Buffer.from(j.tree_head_signature as string, 'base64'),
    };
    assert.equal(sth.root.length, 32);
    // digitally-signed struct { Version v1; SignatureType tree_hash; uint64 timestamp; uint64 tree_size; opaque sha256_root_hash[32]; }
    const tbs = Buffer.concat([Buffer.from([0, 1]), u64(sth.timestamp), u64(sth.tree_size), sth.root]);
    checkDigitallySigned(this.key, tbs, sth.signature);
    return sth;
  }
  /** §4.6: pages until the log has answered every index in [0, size). */
  async entries(size: number): Promise<{ leafInput: Buffer; extraData: Buffer }[]> {
    const out: { leafInput: Buffer; extraData: Buffer }[] = [];
    while (out.length < size) {
      const j = await this.get(`get-entries?start=${out.length}&end=${size - 1}`);
      const page = j.entries as { leaf_input: string; extra_data: string }[];
      assert.ok(page.length > 0, 'get-entries made progress');
      for (const e of page) out.push({ leafInput: Buffer.from(e.leaf_input, 'base64'), extraData: Buffer.from(e.extra_data, 'base64') });
    }
    return out.slice(0, size);
  }
  /** §3.2 SCT check: signature over version, certificate_timestamp, timestamp, entry, extensions. */
  checkSct(sct: Record<string, unknown>, signedEntryBytes: Buffer): number {
    assert.equal(sct.sct_version, 0);
    assert.deepEqual(
      Buffer.from(sct.id as string, 'base64'),
      sha256(this.key.export({ type: 'spki', format: 'der' }) as Buffer),
      'log id = SHA-256(SPKI)',
    );
    const ext = Buffer.from(sct.extensions as string, 'base64');
    const extLen = Buffer.alloc(2);
    extLen.writeUInt16BE(ext.length);
    const input = Buffer.concat([Buffer.from([0, 0]), u64(sct.timestamp as number), signedEntryBytes, extLen, ext]);
    checkDigitallySigned(this.key, input, Buffer.from(sct.signature as string, 'base64'));
    return sct.timestamp as number;
  }
}

const x509Entry = (cert: Buffer) => {
  const len = Buffer.alloc(3);
  len.writeUIntBE(cert.length, 0, 3);
  return Buffer.concat([Buffer.from([0, 0]), len, cert]);
};
const precertEntry = (issuerKeyHash: Buffer, tbs: Buffer) => {
  const len = Buffer.alloc(3);
  len.writeUIntBE(tbs.length, 0, 3);
  return Buffer.concat([Buffer.from([0, 1]), issuerKeyHash, len, tbs]);
};

// ---------- The test ----------

function grapevine(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

async function startServer(config: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'ct', 'serve', '--config', config, '--create-tree'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running to hold this file's process open
      reject(new Error(`server did not start:\n${err}`));
    }, 90_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /CT log +--url (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${err}`)));
  });
  return { child, url, stderr: () => err };
}

/**
 * Polls get-sth until the tree has `want` entries. The MMD promise (RFC 6962 §3) is checked as a monitor sees it,
 * independently of how slowly this machine runs the test: no poll sent after `mergeBy` (the latest SCT timestamp +
 * MMD, the log's own clock, which is this machine's) may still get a smaller tree. The wall-clock limit is only a
 * bound for a stuck log.
 */
async function awaitMerged(c: Client, want: number, mergeBy: number): Promise<Sth> {
  const limit = Math.max(Date.now(), mergeBy) + 60_000;
  for (;;) {
    const sentAt = Date.now();
    const sth = await c.sth();
    if (sth.tree_size >= want) return sth;
    assert.ok(sentAt <= mergeBy, `a get-sth sent ${sentAt - mergeBy} ms after the MMD deadline has ${sth.tree_size} entries, want ${want}`);
    assert.ok(Date.now() < limit, `still ${sth.tree_size} entries, want ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('interop: an RFC-only client against `grapevine ct serve`', () => {
  const dir = tempDir('grapevine-ct-interop-');
  const cas = ['a', 'b', 'c'].map((n) => join(dir, n));
  const real = loadTestdata('ct-get-responses.json');
  const realEntries: { leaf_input: string; extra_data: string }[] = [
    ...real.real_get_entries_response.body.entries,
    ...real.real_get_entries_items.entries,
  ];
  let server: Awaited<ReturnType<typeof startServer>>;
  let c: Client;
  const sths: Sth[] = [];
  const scts: { timestamp: number; signedEntry: Buffer }[] = [];

  before(async () => {
    for (const ca of cas) grapevine(['ct', 'test-ca', '--out', ca, ...(ca === cas[0] ? ['--log-config'] : [])]);
    // The real 2013–2015 chains of the test vectors end at their roots: accept those too.
    const realRoots: string[] = [];
    realEntries.forEach((e, i) => {
      const leaf = parseLeaf(Buffer.from(e.leaf_input, 'base64'));
      const { chain } = parseExtraData(leaf.entryType, Buffer.from(e.extra_data, 'base64'));
      const file = join(dir, `real-root-${i}.pem`);
      writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${chain[chain.length - 1].toString('base64')}\n-----END CERTIFICATE-----\n`);
      realRoots.push(file);
    });
    writeFileSync(
      join(dir, 'ct.yaml'),
      [
        'listen: 127.0.0.1:0',
        `database: sqlite:${join(dir, 'ct.db')}`,
        'tree: interop',
        `keyFile: ${join(cas[0], 'log-key.pem')}`,
        `roots: [${[...cas.map((ca) => join(ca, 'root.pem')), ...realRoots].join(', ')}]`,
        `mmd: ${MMD_MS}ms`,
        'sequencer: { interval: 50ms }',
        'limits: { maxGetEntries: 4 }',
        'logLevel: warn',
      ].join('\n'),
    );
    server = await startServer(join(dir, 'ct.yaml'));
    c = new Client(server.url, createPublicKey(readFileSync(join(cas[0], 'log-key.pub.pem'))));
  });

  after(async () => {
    if (server?.child.exitCode === null) {
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a signed empty tree first (MTH of no leaves = SHA-256 of the empty string)', async () => {
    const sth = await c.sth();
    assert.equal(sth.tree_size, 0);
    assert.deepEqual(sth.root, sha256());
    sths.push(sth);
  });

  it('lists the configured roots with get-roots (§4.7)', async () => {
    const certs = ((await c.get('get-roots')).certificates as string[]).map((s) => Buffer.from(s, 'base64'));
    assert.deepEqual(certs[0], pemCerts(readFileSync(join(cas[0], 'root.pem'), 'utf8'))[0]);
  });

  for (const [i] of ['a', 'b', 'c'].entries()) {
    it(`batch ${i + 1}: SCTs for a certificate, a precertificate and a signing-certificate precertificate verify; the next STH is consistent`, async () => {
      const ca = cas[i];
      const read = (f: string) => pemCerts(readFileSync(join(ca, f), 'utf8'));
      const inter = readFileSync(join(ca, 'intermediate.pem'));
      const [leaf] = read('leaf-chain.pem');
      scts.push({
        timestamp: c.checkSct(await c.post('add-chain', read('leaf-chain.pem')), x509Entry(leaf)),
        signedEntry: x509Entry(leaf),
      });
      // Precertificates: the log must sign the final certificate's TBS and the final issuer's key hash (§3.2).
      for (const [chain, fin] of [
        ['precert-chain.pem', 'precert-final.pem'],
        ['signed-precert-chain.pem', 'signed-precert-final.pem'],
      ]) {
        const entry = precertEntry(spkiHash(inter), tbsOf(read(fin)[0]));
        scts.push({ timestamp: c.checkSct(await c.post('add-pre-chain', read(chain)), entry), signedEntry: entry });
      }
      // A resubmission keeps its timestamp (one leaf per certificate).
      assert.equal((await c.post('add-chain', read('leaf-chain.pem'))).timestamp, scts[scts.length - 3].timestamp);
      const prev = sths[sths.length - 1];
      const sth = await awaitMerged(c, prev.tree_size + 3, Math.max(...scts.map((s) => s.timestamp)) + MMD_MS);
      assert.equal(sth.tree_size, prev.tree_size + 3, 'merged within the MMD');
      assert.ok(sth.timestamp >= Math.max(...scts.map((s) => s.timestamp)), '§3.5: the STH is at least as recent as its SCTs');
      if (prev.tree_size > 0) {
        const proof = ((await c.get(`get-sth-consistency?first=${prev.tree_size}&second=${sth.tree_size}`)).consistency as string[]).map(
          (s) => Buffer.from(s, 'base64'),
        );
        assert.ok(verifyConsistency(prev.tree_size, sth.tree_size, proof, prev.root, sth.root), 'consistency proof verifies');
      }
      sths.push(sth);
    });
  }

  it('logs real 2013–2015 chains exactly as the original logs did (same leaf apart from the timestamp, same extra_data)', async () => {
    for (const e of realEntries) {
      const leafInput = Buffer.from(e.leaf_input, 'base64');
      const extra = Buffer.from(e.extra_data, 'base64');
      const leaf = parseLeaf(leafInput);
      const x = parseExtraData(leaf.entryType, extra);
      const submitted = [leaf.entryType === 1 ? (x.preCertificate as Buffer) : (leaf.certificate as Buffer), ...x.chain.slice(0, -1)];
      const sct = await c.post(leaf.entryType === 1 ? 'add-pre-chain' : 'add-chain', submitted);
      scts.push({ timestamp: c.checkSct(sct, leaf.signedEntryBytes), signedEntry: leaf.signedEntryBytes });
    }
  });

  it('downloads every entry with get-entries, recomputes the root of the latest STH, and checks every consistency proof', async () => {
    const want = sths[sths.length - 1].tree_size + realEntries.length;
    const sth = await awaitMerged(c, want, Math.max(...scts.map((s) => s.timestamp)) + MMD_MS);
    assert.equal(sth.tree_size, want);
    sths.push(sth);
    const entries = await c.entries(sth.tree_size);
    const hashes = entries.map((e) => leafHash(e.leafInput));
    assert.deepEqual(mth(hashes), sth.root, 'recomputed root = STH root');
    for (const e of entries) {
      const leaf = parseLeaf(e.leafInput);
      const x = parseExtraData(leaf.entryType, e.extraData);
      assert.ok(x.chain.length >= 1, 'extra_data carries the chain up to the root');
    }
    // The real chains: everything after the timestamp is the original leaf, and extra_data is the original chain.
    for (const r of realEntries) {
      const original = Buffer.from(r.leaf_input, 'base64');
      const ours = entries.find((e) => e.leafInput.subarray(10).equals(original.subarray(10)));
      assert.ok(ours, 'the real entry is in the log');
      assert.deepEqual(ours.extraData, Buffer.from(r.extra_data, 'base64'));
    }
    // Every pair of STHs seen: the served proof verifies and equals §2.1.2 PROOF(m, D[n]) over the downloaded leaves.
    for (const a of sths.filter((s) => s.tree_size > 0)) {
      for (const b of sths.filter((s) => s.tree_size > a.tree_size)) {
        const proof = ((await c.get(`get-sth-consistency?first=${a.tree_size}&second=${b.tree_size}`)).consistency as string[]).map((s) =>
          Buffer.from(s, 'base64'),
        );
        assert.ok(verifyConsistency(a.tree_size, b.tree_size, proof, a.root, b.root));
        assert.deepEqual(proof, subproof(a.tree_size, hashes.slice(0, b.tree_size), true));
        assert.deepEqual(mth(hashes.slice(0, a.tree_size)), a.root);
      }
    }
  });

  it('proves every SCT included in the latest STH (get-proof-by-hash, get-entry-and-proof)', async () => {
    const sth = sths[sths.length - 1];
    const hashes = (await c.entries(sth.tree_size)).map((e) => leafHash(e.leafInput));
    for (const s of scts) {
      const ext = Buffer.alloc(2);
      const h = leafHash(Buffer.concat([Buffer.from([0, 0]), u64(s.timestamp), s.signedEntry, ext]));
      const j = await c.get(`get-proof-by-hash?hash=${encodeURIComponent(h.toString('base64'))}&tree_size=${sth.tree_size}`);
      const proof = (j.audit_path as string[]).map((x) => Buffer.from(x, 'base64'));
      assert.ok(verifyInclusion(j.leaf_index as number, sth.tree_size, h, proof, sth.root));
      assert.deepEqual(proof, path(j.leaf_index as number, hashes));
      const ep = await c.get(`get-entry-and-proof?leaf_index=${j.leaf_index}&tree_size=${sth.tree_size}`);
      assert.deepEqual(leafHash(Buffer.from(ep.leaf_input as string, 'base64')), h);
    }
  });

  it('answers 400 to malformed requests and 404 to unknown hashes', async () => {
    const status = async (ep: string) => (await fetch(`${server.url}/ct/v1/${ep}`)).status;
    assert.equal(await status('get-entries?start=5&end=1'), 400);
    assert.equal(await status('get-sth-consistency?first=2&second=1'), 400);
    assert.equal(await status(`get-proof-by-hash?hash=${encodeURIComponent(Buffer.alloc(32).toString('base64'))}&tree_size=1`), 404);
    const bad = await fetch(`${server.url}/ct/v1/add-chain`, { method: 'POST', body: '{"chain":[]}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: string }).error, 'EMPTY_CHAIN');
  });
});
