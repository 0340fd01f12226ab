/**
 * `grapevine witness keygen | get | feed`: a witness key, a witness's latest
 * cosigned checkpoint, and the feeder that takes logs' checkpoints to
 * witnesses (src/witness/feeder.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { pino } from 'pino';
import { durationMs } from '../config/fields.ts';
import { cosignerFromSkey, formatSkey, isValidKeyName, parseNote, VerifierSet, verifierFromVkey, verifyNote } from '../note/index.ts';
import { feedSourceOf, WitnessClient, WitnessFeeder } from '../witness/index.ts';
import { CliError, EXIT_FAIL } from './errors.ts';
import { writeNewFile } from './file-write.ts';
import { printJsonLine } from './output.ts';
import { loadWitnessConfig } from './witness-serve.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerWitnessKeygen(witness: Command): void {
  witness
    .command('keygen')
    .description('Create a witness key: write a Go note signer key (mode 0600), print its cosignature/v1 vkey')
    .requiredOption('--name <name>', 'the witness name, e.g. witness.example/w1 (the key name of its cosignatures)')
    .requiredOption('--out <file>', 'file to write the private key to (refused if it exists, unless --force)')
    .option('--force', 'replace --out if it already exists', false)
    .action((o: { name: string; out: string; force: boolean }) => {
      if (!isValidKeyName(o.name)) throw new CliError('USAGE', `got name ${JSON.stringify(o.name)}, want non-empty, no spaces, no '+'`);
      // A Go signer key of type 0x01 (note.GenerateKey); its cosigner's vkey is the 0x04 one (tlog-cosignature).
      const skey = formatSkey(o.name, randomBytes(32));
      writeNewFile(o.out, `${skey}\n`, {
        mode: 0o600,
        replace: o.force,
        existsHint: '; refusing to overwrite a key (pass --force to replace it)',
      });
      process.stdout.write(`${cosignerFromSkey(skey).vkey}\n`);
      process.stderr.write(`grapevine: wrote the witness key of ${o.name} to ${o.out} (mode 0600)\n`);
    });
}

export function registerWitnessGet(witness: Command): void {
  witness
    .command('get')
    .description("Print a witness's latest cosigned checkpoint of a log (GET <origin hash>/checkpoint)")
    .requiredOption('--url <url>', "the witness's monitoring prefix")
    .requiredOption('--origin <origin>', 'the log origin')
    .option('--vkey <vkey>', 'verify: a key of the log or of the witness whose signature must verify (repeatable)', collect, [])
    .action(async (o: { url: string; origin: string; vkey: string[] }) => {
      const note = await new WitnessClient({ url: o.url }).latest(o.origin);
      if (note === null) throw new CliError('FAILED', `${o.url}: nothing cosigned for ${JSON.stringify(o.origin)} (404)`);
      if (o.vkey.length > 0) {
        const keys = new VerifierSet(o.vkey.map(verifierFromVkey));
        const v = verifyNote(parseNote(note), keys);
        const missing = [...keys].filter((k) => !v.verified.some((s) => s.name === k.name && s.keyId === k.keyId));
        if (missing.length > 0) throw new CliError('INVALID', `no signature by ${missing.map((k) => k.vkey).join(', ')}`);
      }
      process.stdout.write(note);
    });
}

export function registerWitnessFeed(witness: Command): void {
  witness
    .command('feed')
    .description("Feed logs' checkpoints to witnesses: the logs with a url in a witness config, polled every interval")
    .requiredOption('--config <file>', 'witness config: its logs (url, feeder) are fed')
    .option('--witness <url>', "a witness to feed (repeatable; default: the config's own witness)", collect, [])
    .option('--witness-vkey <vkey>', "check the witnesses' answers against this cosignature/v1 vkey (repeatable)", collect, [])
    .option('--interval <duration>', 'time between rounds, e.g. 60s', '60s')
    .option('--once', 'one round, then exit (1 if any submission failed)', false)
    .action(async (o: { config: string; witness: string[]; witnessVkey: string[]; interval: string; once: boolean }) => {
      const config = loadWitnessConfig(o.config);
      const intervalMs = durationMs(o.interval);
      if (intervalMs === undefined || intervalMs <= 0)
        throw new CliError('USAGE', `--interval: got ${JSON.stringify(o.interval)}, want a duration such as 60s`);
      const urls =
        o.witness.length > 0
          ? o.witness
          : [`http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}${config.prefix}`];
      const vkeys = o.witnessVkey.length > 0 ? o.witnessVkey : o.witness.length > 0 ? [] : config.cosigners.map((c) => c.vkey);
      const sources = [...config.logs].filter((l) => !l.disabled && l.url !== undefined).map((l) => feedSourceOf(l, l.feeder));
      if (sources.length === 0) throw new CliError('USAGE', `${o.config}: no enabled log with a url to feed`);
      const feeder = new WitnessFeeder({
        sources,
        witnesses: urls.map((url) => new WitnessClient({ url, vkeys })),
        logger: pino({ level: config.logLevel }, pino.destination(2)),
      });
      if (o.once) {
        const results = await feeder.runOnce();
        for (const r of results) printJsonLine(r);
        if (results.some((r) => r.outcome === 'failed')) process.exitCode = EXIT_FAIL;
        return;
      }
      feeder.start(intervalMs);
      const stop = () => void feeder.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}
