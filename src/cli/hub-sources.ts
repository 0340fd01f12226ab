/**
 * `grapevine hub sources from-log-list FILE`: Google's CT log list v3 (as
 * downloaded from https://www.gstatic.com/ct/log_list/v3/log_list.json)
 * turned into hub sources, printed as YAML to paste under an instance's
 * `sources:` (config/hub-log-list.ts says how each log becomes a source).
 * What was left out is named on stderr too.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_LOG_LIST_STATES, hubSourcesFromLogList, LOG_LIST_STATES } from '../config/hub-log-list.ts';
import { KnownLogError } from '../gossip/validate/index.ts';
import { CliError } from './errors.ts';

interface Opts {
  readonly states: string;
}

export function registerHubSourcesFromLogList(sources: Command): void {
  sources
    .command('from-log-list <file>')
    .description("Print hub sources (YAML) for the CT logs of Google's log list v3: RFC 6962 logs and static-ct-api (tiled) logs")
    .option('--states <list>', `comma-separated log states to keep, of ${LOG_LIST_STATES.join(', ')}`, DEFAULT_LOG_LIST_STATES.join(','))
    .addHelpText(
      'after',
      `
Example:
  curl -sO https://www.gstatic.com/ct/log_list/v3/log_list.json
  grapevine hub sources from-log-list log_list.json > sources.yaml
`,
    )
    .action((file: string, o: Opts) => {
      const states = o.states
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const unknown = states.filter((s) => !LOG_LIST_STATES.includes(s));
      if (states.length === 0 || unknown.length > 0) {
        throw new CliError('USAGE', `--states: got ${JSON.stringify(o.states)}, want some of ${LOG_LIST_STATES.join(', ')}`);
      }
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError('FAILED', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
          cause: err,
        });
      }
      try {
        const r = hubSourcesFromLogList(text, { states });
        process.stdout.write(r.yaml);
        process.stderr.write(`grapevine: ${r.sources.length} sources from ${file}; ${r.skipped.length} logs left out by state\n`);
      } catch (err) {
        if (err instanceof KnownLogError) throw new CliError('INVALID', `${file}: ${err.message}`, { cause: err });
        throw err;
      }
    });
}
