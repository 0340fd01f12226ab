/**
 * `grapevine gossip send|subscribe|transports`: a peer of a running gossip
 * service, over its peer socket (docs/gossip.md), for scripts and people.
 *
 *   grapevine gossip transports --socket gossip.sock
 *   grapevine gossip send --socket gossip.sock --log-id HEX --data sth.json --to all
 *   grapevine gossip subscribe --socket gossip.sock --count 10
 *
 * `send` exits 0 when the service took the message (it may still discard
 * it silently, as draft §5.1 requires of invalid gossip) and 1 with the
 * refusal otherwise. `subscribe` prints each incoming message as one JSON
 * line, the wire's JSON encoding.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GossipClient, GossipClientError } from '../gossip/client.ts';
import { encodeMessage, LOG_ID } from '../gossip/wire/index.ts';
import { CliError } from './errors.ts';

interface Where {
  socket?: string;
  tcp?: string;
}

function where(cmd: Command): Command {
  return cmd.option('--socket <path>', 'the peer socket (Unix)').option('--tcp <host:port>', 'the peer socket on loopback TCP');
}

async function connectTo(o: Where): Promise<GossipClient> {
  if ((o.socket === undefined) === (o.tcp === undefined)) throw new CliError('USAGE', 'give --socket PATH or --tcp HOST:PORT');
  try {
    if (o.socket !== undefined) return await GossipClient.connect({ path: o.socket });
    const i = (o.tcp as string).lastIndexOf(':');
    return await GossipClient.connect({ host: (o.tcp as string).slice(0, i), port: Number((o.tcp as string).slice(i + 1)) });
  } catch (err) {
    if (err instanceof GossipClientError) throw new CliError('FAILED', err.message, { cause: err });
    throw err;
  }
}

function readData(file: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw new CliError('USAGE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

export function registerGossip(gossip: Command): void {
  where(gossip.command('transports').description('List the transports registered with the service')).action(async (o: Where) => {
    const c = await connectTo(o);
    try {
      for (const t of await c.transports()) process.stdout.write(`${t}\n`);
    } finally {
      c.close();
    }
  });

  where(gossip.command('send').description('Send one gossip-msg-0 (gossip-data from a file, or - for stdin)'))
    .requiredOption('--log-id <hex>', 'SHA-256 of the log key, 64 lowercase hex digits')
    .requiredOption('--data <file>', 'the gossip-data bytes: get-sth JSON, a checkpoint note, sct_feedback JSON, evidence')
    .option('--to <names>', 'comma-separated transport names, or all', 'all')
    .option('--tag <tag>', 'a tag to find the message by')
    .action(async (o: Where & { logId: string; data: string; to: string; tag?: string }) => {
      if (!LOG_ID.test(o.logId)) throw new CliError('USAGE', `--log-id: got ${JSON.stringify(o.logId)}, want 64 lowercase hex digits`);
      const gossipData = readData(o.data);
      const c = await connectTo(o);
      try {
        await c.gossip({ logId: o.logId, gossipData, destination: o.to.split(',').filter(Boolean), ...(o.tag ? { tag: o.tag } : {}) });
      } catch (err) {
        if (err instanceof GossipClientError) throw new CliError('FAILED', `refused: ${err.message}`, { cause: err });
        throw err;
      } finally {
        c.close();
      }
    });

  where(gossip.command('subscribe').description('Print incoming gossip as JSON lines'))
    .option('--count <n>', 'stop after this many messages', (v) => Number(v))
    .action(async (o: Where & { count?: number }) => {
      const c = await connectTo(o);
      // Saying something fixes the connection's encoding to JSON.
      await c.transports();
      let n = 0;
      for await (const m of c.incoming()) {
        process.stdout.write(`${encodeMessage(m, 'json')}\n`);
        if (o.count !== undefined && ++n >= o.count) break;
      }
      c.close();
    });
}
