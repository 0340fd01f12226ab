/**
 * The block `grapevine serve` prints on stderr once it listens, under the
 * banner (banner.ts): where the dashboard is, the data directory, where the
 * keys are, where the logs go, and — for a site laid out as
 * `--init-if-missing` lays it out — three commands to try (the README's
 * walk-through, with this server's URL and paths relative to the current
 * folder). Pure: file existence comes in as a function.
 */
import { join, relative } from 'node:path';

export interface FirstRunInfo {
  /** http://host:port of the server. */
  readonly url: string;
  /** The data directory, absolute. */
  readonly dataDir: string;
  /** The config file, absolute. */
  readonly configFile: string;
  /** The folder the commands are run from (paths are printed relative to it). */
  readonly cwd: string;
  /** The dashboard: its URL, or why it is off. */
  readonly dashboard: { readonly url: string; readonly token: boolean } | { readonly off: string };
  readonly logFormat: 'human' | 'json';
  readonly logFile?: string;
  /** The prefix of a hub that tracks the local CT log as source `source`, when the site has one. */
  readonly hub?: { readonly prefix: string; readonly source: string };
  readonly hasCt: boolean;
  readonly exists: (path: string) => boolean;
}

/** A path as typed from `cwd`: relative when inside it, absolute otherwise. */
function shown(cwd: string, p: string): string {
  const r = relative(cwd, p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

export function firstRunBlock(i: FirstRunInfo): string {
  const p = (path: string) => shown(i.cwd, path);
  const keys = join(i.dataDir, 'keys');
  const lines = [''];
  if ('url' in i.dashboard) {
    lines.push(`  Dashboard  ${i.dashboard.url}${i.dashboard.token ? '   (asks for dashboard.token)' : '   (open it in a browser)'}`);
  } else {
    lines.push(`  Dashboard  off: ${i.dashboard.off}`);
  }
  lines.push(`  Data       ${p(i.dataDir)}   (config ${p(i.configFile)})`);
  if (i.exists(keys)) lines.push(`  Keys       ${p(keys)}   (private *.pem: whoever reads them signs as the log or hub)`);
  const json = i.logFile ? `JSON lines in ${p(i.logFile)}` : 'no log file (--log-file FILE writes JSON lines)';
  lines.push(
    i.logFormat === 'human'
      ? `  Logs       ${json}; here, one line per event (--log-format json for pino JSON on stdout)`
      : `  Logs       pino JSON on stdout${i.logFile ? `; and ${json}` : ''}`,
  );
  const chain = join(i.dataDir, 'ca', 'leaf-chain.pem');
  const ctPub = join(keys, 'ct.pub.pem');
  const hubPub = join(keys, 'hub.pub.pem');
  if (i.hasCt && i.exists(chain) && i.exists(ctPub)) {
    lines.push('', '  Try, from this folder in another terminal:');
    lines.push(`    npx grapevine ct add-chain --url ${i.url} --chain ${p(chain)} --log-key ${p(ctPub)}`);
    lines.push(`    npx grapevine ct sth --url ${i.url} --log-key ${p(ctPub)}`);
    if (i.hub && i.exists(hubPub)) {
      lines.push(`    npx grapevine hub latest --url ${i.url}/${i.hub.prefix} --hub-key ${p(hubPub)} --source ${i.hub.source}`);
    }
  }
  if (i.logFormat === 'human')
    lines.push('', '  Watching: a line for each certificate logged, head gossiped, cosignature and incident. Ctrl-C stops.');
  return `${lines.join('\n')}\n\n`;
}
