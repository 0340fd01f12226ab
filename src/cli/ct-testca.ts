/**
 * `grapevine ct test-ca --out DIR`: mints a demo chain set with the test CA
 * (src/x509/testca) and writes PEM files, for tests and demos only:
 *
 *   root.pem, intermediate.pem, precert-signer.pem (+ *-key.pem)
 *   leaf-chain.pem             leaf + intermediate            → ct add-chain
 *   precert-chain.pem          precert + intermediate         → ct add-chain --pre
 *   signed-precert-chain.pem   precert + signer + intermediate → ct add-chain --pre
 *   precert-final.pem, signed-precert-final.pem: the certificates those precertificates announce
 *
 * With --log-config it also writes log-key.pem (ECDSA P-256) and ct.yaml, a
 * config accepting root.pem and listening at --listen, so that
 *   grapevine ct serve --config DIR/ct.yaml --create-trees
 * runs a demo log. Existing files are never replaced without --force.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { exportPrivateKeyPem, exportPublicKeyPem, generatePrivateKey } from '../crypto/index.ts';
import { certificatePem, type DemoSet, mintDemoSet, privateKeyPem, type TestKeyType } from '../x509/testca/index.ts';
import { listenArg } from './args.ts';
import { CliError } from './errors.ts';
import { writeNewFile } from './file-write.ts';

const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const;

interface TestCaOpts {
  out: string;
  keyType: TestKeyType;
  logConfig: boolean;
  listen: string;
  force: boolean;
}

/** The PEM files of a demo chain set, by file name. */
export async function demoFiles(d: DemoSet): Promise<Record<string, string>> {
  const pem = certificatePem;
  return {
    'root.pem': pem(d.root),
    'root-key.pem': await privateKeyPem(d.root),
    'intermediate.pem': pem(d.intermediate),
    'intermediate-key.pem': await privateKeyPem(d.intermediate),
    'leaf.pem': pem(d.leaf),
    'leaf-key.pem': await privateKeyPem(d.leaf),
    'leaf-chain.pem': pem(d.leaf) + pem(d.intermediate),
    'precert.pem': pem(d.precert),
    'precert-chain.pem': pem(d.precert) + pem(d.intermediate),
    'precert-final.pem': pem(d.precertFinal),
    'precert-signer.pem': pem(d.precertSigner),
    'precert-signer-key.pem': await privateKeyPem(d.precertSigner),
    'signed-precert-chain.pem': pem(d.signedPrecert) + pem(d.precertSigner) + pem(d.intermediate),
    'signed-precert-final.pem': pem(d.signedPrecertFinal),
  };
}

/**
 * A `ct serve` config for the demo log. Its notAfter window runs from the
 * start of this year for two years, so it admits every certificate the test
 * CA mints today (notAfter = now + 90 days) and reads like a real shard.
 */
export function demoConfig(dir: string, listen: string, now = Date.now()): string {
  const year = new Date(now).getUTCFullYear();
  return [
    '# Demo CT log accepting the test CA root (docs/configuration.md). Start with:',
    `#   grapevine ct serve --config ${join(dir, 'ct.yaml')} --create-trees`,
    `listen: ${listen}`,
    'database: sqlite:ct.db          # next to this file',
    'tree: ct-demo',
    'keyFile: log-key.pem',
    'roots: [root.pem]',
    'mmd: 10s',
    `notAfter: { start: ${year}-01-01T00:00:00Z, limit: ${year + 2}-01-01T00:00:00Z }`,
    'quota:',
    '  perClient: { read: { rate: 100, burst: 2000 }, write: { rate: 10, burst: 50 } }',
    '  perIssuer: { write: { rate: 100, burst: 500 } }',
    '',
  ].join('\n');
}

export function registerCtTestCa(ct: Command): void {
  ct.command('test-ca')
    .description('Mint a TEST certificate authority and a demo chain set (leaf, precertificates, signing certificate) as PEM files')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .addOption(new Option('--key-type <type>', 'key type of every minted certificate').choices(KEY_TYPES).default('ecdsa-p256'))
    .option('--log-config', 'also write log-key.pem and ct.yaml for `grapevine ct serve`', false)
    .option('--listen <host:port>', 'the listen address written into ct.yaml (with --log-config)', listenArg, '127.0.0.1:6962')
    .option('--force', 'replace files that already exist', false)
    .action(async (o: TestCaOpts) => {
      const dir = resolve(o.out);
      const written = await demoFiles(await mintDemoSet(o.keyType));
      if (o.logConfig) {
        const key = generatePrivateKey('ecdsa-p256');
        written['log-key.pem'] = exportPrivateKeyPem(key);
        written['log-key.pub.pem'] = exportPublicKeyPem(key.publicKey);
        written['ct.yaml'] = demoConfig(dir, o.listen);
      }
      const clash = Object.keys(written).filter((f) => existsSync(join(dir, f)));
      if (clash.length > 0 && !o.force) throw new CliError('FAILED', `${dir} already has ${clash.join(', ')}; use --force to replace`);
      mkdirSync(dir, { recursive: true });
      // Private keys 0600 even when --force replaces a 0644 file; never written through a symlink (file-write.ts).
      for (const [name, text] of Object.entries(written)) {
        writeNewFile(join(dir, name), text, {
          mode: name.endsWith('key.pem') ? 0o600 : 0o644,
          replace: o.force,
          existsHint: ' (use --force to replace)',
        });
      }
      process.stdout.write(`${JSON.stringify({ dir, files: Object.keys(written).sort() }, null, 2)}\n`);
    });
}
