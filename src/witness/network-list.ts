/**
 * The witness-network.org log list (transparency-dev/witness-network,
 * specs/gossip-protocols.md §4.1 "Public witness network" and §4.9):
 *
 *   logs/v0                 the header, first non-comment line
 *   vkey <vkey>             starts an entry
 *   origin <origin>         optional; default: the key name
 *   qpd <n>                 add-checkpoint requests per day, 1 ≤ n < 2^31
 *   contact <text>          optional
 *
 * Blank lines and lines starting with `#` are ignored. Strict reading where
 * the list's rules are stated: the key is Ed25519 ("alg1 only"), every entry
 * has a qpd, and a keyword we do not know is an error (a list we half
 * understand could make us trust what its maintainers did not mean). Pure.
 */
import { parseDecimal } from '../checkpoint/index.ts';
import { parseVkey, SignatureType } from '../note/index.ts';
import { WitnessConfigError } from './errors.ts';
import type { WitnessLogSpec } from './log-list.ts';

export const NETWORK_LIST_HEADER = 'logs/v0';
const MAX_QPD = 2 ** 31 - 1;

/** Parses a list; throws WitnessConfigError naming the line of the first problem. */
export function parseNetworkLogList(text: string, name = 'log list'): WitnessLogSpec[] {
  const out: { vkey: string; origin?: string; qpd?: number; contact?: string; line: number }[] = [];
  let header = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    const at = `${name}:${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    if (!header) {
      if (line !== NETWORK_LIST_HEADER)
        throw new WitnessConfigError('BAD_CONFIG', `${at}: got ${JSON.stringify(line.slice(0, 40))}, want ${NETWORK_LIST_HEADER}`);
      header = true;
      return;
    }
    const sp = line.indexOf(' ');
    const [key, value] = sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1).trim()];
    if (value === '') throw new WitnessConfigError('BAD_CONFIG', `${at}: ${key} has no value`);
    const entry = out.at(-1);
    if (key === 'vkey') {
      let k: ReturnType<typeof parseVkey>;
      try {
        k = parseVkey(value);
      } catch (err) {
        throw new WitnessConfigError('BAD_CONFIG', `${at}: ${(err as Error).message}`, { cause: err });
      }
      if (k.type !== SignatureType.Ed25519)
        throw new WitnessConfigError('BAD_CONFIG', `${at}: got a type 0x0${k.type} vkey, want Ed25519 (0x01)`);
      out.push({ vkey: value, line: i + 1 });
      return;
    }
    if (!entry) throw new WitnessConfigError('BAD_CONFIG', `${at}: ${key} before the first vkey`);
    if (key !== 'origin' && key !== 'qpd' && key !== 'contact')
      throw new WitnessConfigError('BAD_CONFIG', `${at}: unknown keyword ${JSON.stringify(key)}`);
    if (entry[key] !== undefined) throw new WitnessConfigError('BAD_CONFIG', `${at}: second ${key} for one log`);
    if (key === 'qpd') {
      const n = parseDecimal(value, (why) => new WitnessConfigError('BAD_CONFIG', `${at}: qpd: ${why}`));
      if (n < 1 || n > MAX_QPD) throw new WitnessConfigError('BAD_CONFIG', `${at}: got qpd ${n}, want 1..${MAX_QPD}`);
      entry.qpd = n;
    } else {
      entry[key] = value;
    }
  });
  if (!header) throw new WitnessConfigError('BAD_CONFIG', `${name}: empty, want a ${NETWORK_LIST_HEADER} list`);
  return out.map((e) => {
    if (e.qpd === undefined) throw new WitnessConfigError('BAD_CONFIG', `${name}:${e.line}: the log has no qpd`);
    return {
      origin: e.origin ?? parseVkey(e.vkey).name,
      vkeys: [e.vkey],
      qpd: e.qpd,
      ...(e.contact !== undefined ? { contact: e.contact } : {}),
    };
  });
}
