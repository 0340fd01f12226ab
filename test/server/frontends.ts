/**
 * Several `grapevine serve` frontends on one database, as an operator runs
 * them (the built CLI, one config file, `--listen` per process): a site with
 * a CT log (the test CA's root accepted) and one hub instance whose source is
 * an RFC 6962 log whose key the test holds, both at one MMD. Each frontend's
 * pino log (stdout) is read for the sequencer's lease changes, so a test can
 * tell which process leads which tree from the system's own account.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generatePrivateKey,
  type PublicKey,
  type Signer,
  signerFromPrivateKey,
} from '../../src/crypto/index.ts';
import { certificatePem, mintRoot, type TestCert } from '../../src/x509/testca/index.ts';
import { BIN } from '../support/cli.ts';
import { tempDir } from '../support/temp-dir.ts';

/** The hub source the test signs blobs for. */
export const SOURCE_ID = 'load';

export interface Site {
  readonly dir: string;
  readonly config: string;
  readonly ctKey: PublicKey;
  readonly hubKey: PublicKey;
  /** Signs the RFC 6962 STHs submitted to the hub as source SOURCE_ID. */
  readonly source: Signer;
  /** The CT log's only accepted root; leaves it issues are admitted. */
  readonly root: TestCert;
}

/** A site folder: keys, the test CA's root, and a config at `mmdMs` whose database is `database` (relative: the folder). */
export async function writeSite(database: string, mmdMs: number): Promise<Site> {
  const dir = tempDir('gv-frontends-');
  mkdirSync(join(dir, 'keys'));
  const keys = { ct: generatePrivateKey('ecdsa-p256'), hub: generatePrivateKey('ecdsa-p256'), src: generatePrivateKey('ecdsa-p256') };
  for (const [name, key] of Object.entries(keys)) {
    writeFileSync(join(dir, 'keys', `${name}.pem`), exportPrivateKeyPem(key), { mode: 0o600 });
    writeFileSync(join(dir, 'keys', `${name}.pub.pem`), exportPublicKeyPem(key.publicKey));
  }
  const now = Date.now();
  const root = await mintRoot({ notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 3650 * 86_400_000) });
  writeFileSync(join(dir, 'keys', 'root.pem'), certificatePem(root));
  const config = join(dir, 'grapevine.yaml');
  writeFileSync(
    config,
    [
      'listen: 127.0.0.1:0',
      `database: ${JSON.stringify(database)}`,
      'logLevel: info',
      'ct:',
      '  tree: ct',
      '  keyFile: keys/ct.pem',
      '  roots: [keys/root.pem]',
      `  mmd: ${mmdMs}ms`,
      'hub:',
      '  instances:',
      '    - prefix: hub',
      '      privateKeyFile: keys/hub.pem',
      `      mmd: ${mmdMs}ms`,
      '      sources:',
      `        - { id: ${SOURCE_ID}, kind: RFC6962STH, publicKeyFile: keys/src.pub.pem }`,
      'gossip:',
      '  interval: 0s',
      '',
    ].join('\n'),
  );
  return { dir, config, ctKey: keys.ct.publicKey, hubKey: keys.hub.publicKey, source: signerFromPrivateKey(keys.src), root };
}

/** One `grapevine serve` process. */
export class Frontend {
  readonly name: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the URL the frontend serves at; rejects if it exits first. */
  readonly ready: Promise<string>;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Trees whose sequencer lease this process holds now, by its own log. */
  readonly leads = new Set<string>();
  /** Every time it became leader of a tree: [tree, pino time (ms)]. */
  readonly becameLeader: [string, number][] = [];
  #out = '';
  #url: string | null = null;

  constructor(name: string, site: Site, args: string[], env: Record<string, string> = {}) {
    this.name = name;
    this.child = spawn(process.execPath, [BIN, 'serve', '--config', site.config, '--listen', '127.0.0.1:0', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise((resolve, reject) => {
      const onLine = (line: string) => {
        this.#out += `${line}\n`;
        this.#lease(line);
        const m = /serving at (http:\/\/127\.0\.0\.1:[1-9][0-9]*)/.exec(line);
        if (m && !this.#url) {
          this.#url = m[1];
          resolve(m[1]);
        }
      };
      createInterface({ input: this.child.stdout }).on('line', onLine);
      createInterface({ input: this.child.stderr }).on('line', onLine);
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`frontend ${name} exited with ${code ?? signal} before serving:\n${this.#out}`)),
      );
    });
    this.ready.catch(() => {}); // a caller that never awaits it must not crash the run
  }

  /** The URL; only after `ready`. */
  get url(): string {
    if (!this.#url) throw new Error(`frontend ${this.name} is not serving`);
    return this.#url;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything it wrote so far. */
  output(): string {
    return this.#out;
  }

  #lease(line: string): void {
    if (!line.startsWith('{')) return;
    let rec: { msg?: string; tree?: string; time?: number };
    try {
      rec = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof rec.tree !== 'string') return;
    if (rec.msg === 'became sequencer leader') {
      this.leads.add(rec.tree);
      this.becameLeader.push([rec.tree, rec.time ?? 0]);
    } else if (rec.msg === 'lost sequencer lease') {
      this.leads.delete(rec.tree);
    }
  }

  /** SIGTERM, then the exit; SIGKILL if it is stuck (a bound for a hung process, not a timing assertion). */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const stuck = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      const r = await this.exited;
      clearTimeout(stuck);
      return r;
    }
    return this.exited;
  }

  /** For `finally`: kills it if still running. */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

/** For `finally`: kills what still runs, waits for every exit, and removes the site folder. */
export async function tearDown(site: Site, fronts: readonly Frontend[]): Promise<void> {
  for (const f of fronts) f.kill();
  await Promise.all(fronts.map((f) => f.exited));
  rmSync(site.dir, { recursive: true, force: true });
}
