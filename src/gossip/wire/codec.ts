/**
 * Messages ⇄ text, in the draft's S-expressions (§6) and in JSON lines with
 * the same field names (docs/gossip.md). One field table drives both
 * directions and both encodings, so they cannot drift apart.
 *
 * S-expression form: `(<head> (command <command>) (<field> <value>)…)`, the
 * head being the command without its `-0` version suffix, as in the draft's
 * `(gossip-msg (command gossip-msg-0) …)`. Fields may come in any order after
 * the head; each appears at most once; unknown fields are refused.
 *
 * Pure: no I/O.
 */
import { decodeBase64, encodeBase64 } from '../../codec/index.ts';
import { WireError, type WireErrorCode } from './errors.ts';
import { type JsonFieldValue, parseJsonLine } from './json-line.ts';
import {
  ALL_TRANSPORTS,
  COMMANDS,
  Command,
  type CommandName,
  type Encoding,
  type GossipError,
  type GossipMessage,
  LOG_ID,
  REFUSAL_CODES,
  type RefusalCode,
  TAG,
  TRANSPORT_NAME,
} from './model.ts';
import { formatMessageSexp, parseSexp, type Sexp } from './sexp.ts';

type FieldType = 'base64' | 'name' | 'source' | 'destinations' | 'names' | 'uint' | 'log-id' | 'response' | 'code' | 'text';

interface FieldSpec {
  /** Name on the wire. */
  readonly wire: string;
  /** Property of the typed message. */
  readonly key: string;
  readonly type: FieldType;
  readonly required?: boolean;
}

/** Per command, its fields in the order the draft's examples print them (tag last, for every command). */
const FIELDS: Record<CommandName, readonly FieldSpec[]> = {
  [Command.authenticateRequest]: [
    { wire: 'shared-secret', key: 'sharedSecret', type: 'base64', required: true },
    { wire: 'transport-id', key: 'transportId', type: 'name' },
  ],
  [Command.authenticateResponse]: [{ wire: 'response', key: 'response', type: 'response', required: true }],
  [Command.enumerateTransportsRequest]: [],
  [Command.enumerateTransportsResponse]: [{ wire: 'transports', key: 'transports', type: 'names', required: true }],
  [Command.gossipMsg]: [
    { wire: 'destination', key: 'destination', type: 'destinations' },
    { wire: 'source', key: 'source', type: 'source' },
    { wire: 'timestamp', key: 'timestamp', type: 'uint' },
    { wire: 'log-id', key: 'logId', type: 'log-id', required: true },
    { wire: 'gossip-data', key: 'gossipData', type: 'base64', required: true },
  ],
  [Command.error]: [
    { wire: 'code', key: 'code', type: 'code', required: true },
    { wire: 'message', key: 'message', type: 'text', required: true },
  ],
};
const TAG_FIELD: FieldSpec = { wire: 'tag', key: 'tag', type: 'text' };

/** A field value as read, before its type is checked: an atom, a list of atoms, or (JSON only) an integer. */
type Raw = { readonly atom: string } | { readonly list: readonly string[] } | { readonly int: number };

const PRINTABLE = /^[\x20-\x7e]*$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

function describe(r: Raw): string {
  return 'atom' in r ? 'a string' : 'list' in r ? 'a list' : 'an integer';
}

function convert(spec: FieldSpec, raw: Raw, tag: string | undefined, encoding: Encoding): unknown {
  const fail = (want: string, got = describe(raw)) =>
    new WireError('BAD_FIELD', `field ${spec.wire}: got ${got}, want ${want}`, tag === undefined ? undefined : { tag });
  const atomOf = (want: string): string => {
    if (!('atom' in raw)) throw fail(want);
    return raw.atom;
  };
  switch (spec.type) {
    case 'base64': {
      const s = atomOf('base64');
      if (s.length === 0) throw fail('non-empty base64', 'an empty string');
      try {
        return decodeBase64(s);
      } catch (err) {
        throw new WireError('BAD_BASE64', `field ${spec.wire}: not canonical padded base64 (RFC 4648 §4)`, {
          cause: err,
          ...(tag === undefined ? {} : { tag }),
        });
      }
    }
    case 'name':
    case 'source': {
      const s = atomOf('a transport name');
      if (spec.type === 'source' && s === '') return s;
      if (!TRANSPORT_NAME.test(s)) throw fail('a transport name ([a-z0-9][a-z0-9._-]{0,63})', JSON.stringify(s.slice(0, 70)));
      return s;
    }
    case 'names':
    case 'destinations': {
      if (!('list' in raw)) throw fail('a list of transport names');
      for (const s of raw.list) {
        const ok = TRANSPORT_NAME.test(s) || (spec.type === 'destinations' && s === ALL_TRANSPORTS);
        if (!ok) throw fail('a list of transport names', `the item ${JSON.stringify(s.slice(0, 70))}`);
      }
      if (new Set(raw.list).size !== raw.list.length) throw fail('distinct transport names', 'a name twice');
      return Object.freeze([...raw.list]);
    }
    case 'uint': {
      if ('int' in raw) return raw.int;
      // JSON has numbers for integers; a string of digits is a different thing.
      if (encoding === 'json') throw fail('an integer');
      const s = atomOf('a decimal integer');
      if (!DECIMAL.test(s)) throw fail('a decimal integer without leading zeros', JSON.stringify(s.slice(0, 30)));
      const v = Number(s);
      if (!Number.isSafeInteger(v)) throw fail('an integer up to 2^53-1', s);
      return v;
    }
    case 'log-id': {
      const s = atomOf('64 lowercase hex digits');
      if (!LOG_ID.test(s)) throw fail('64 lowercase hex digits (SHA-256 of the log key)', JSON.stringify(s.slice(0, 70)));
      return s;
    }
    case 'response': {
      const s = atomOf('ok or bad-auth');
      if (s !== 'ok' && s !== 'bad-auth') throw fail('ok or bad-auth', JSON.stringify(s.slice(0, 30)));
      return s;
    }
    case 'code': {
      const s = atomOf('a refusal code');
      if (!(REFUSAL_CODES as readonly string[]).includes(s)) throw fail('a refusal code', JSON.stringify(s.slice(0, 30)));
      return s;
    }
    case 'text': {
      const s = atomOf('text');
      if (!PRINTABLE.test(s) || s.length > 1024) throw fail('printable ASCII, at most 1024 characters', 'other text');
      if (spec === TAG_FIELD && !TAG.test(s)) throw fail('a tag of 1..64 token characters', JSON.stringify(s.slice(0, 70)));
      return s;
    }
  }
}

/** Builds the typed message from raw fields (shared by both encodings). */
function build(fields: readonly (readonly [string, Raw])[], encoding: Encoding): GossipMessage {
  const byName = new Map<string, Raw>();
  for (const [name, raw] of fields) {
    if (byName.has(name)) throw new WireError('BAD_FIELD', `field ${name} appears twice`);
    byName.set(name, raw);
  }
  // The tag first, so that every later refusal can echo it.
  const tagRaw = byName.get('tag');
  const tag = tagRaw === undefined ? undefined : (convert(TAG_FIELD, tagRaw, undefined, encoding) as string);
  const withTag = tag === undefined ? undefined : { tag };
  const commandRaw = byName.get('command');
  if (commandRaw === undefined) throw new WireError('BAD_FIELD', 'missing field command', withTag);
  if (!('atom' in commandRaw)) throw new WireError('BAD_FIELD', `field command: got ${describe(commandRaw)}, want a command`, withTag);
  const command = commandRaw.atom;
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new WireError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(command.slice(0, 70))}`, withTag);
  }
  const specs = FIELDS[command as CommandName];
  const msg: Record<string, unknown> = { command };
  for (const spec of specs) {
    const raw = byName.get(spec.wire);
    if (raw === undefined) {
      if (spec.required) throw new WireError('BAD_FIELD', `${command}: missing field ${spec.wire}`, withTag);
      continue;
    }
    msg[spec.key] = convert(spec, raw, tag, encoding);
  }
  for (const name of byName.keys()) {
    if (name !== 'command' && name !== 'tag' && !specs.some((s) => s.wire === name)) {
      throw new WireError('BAD_FIELD', `${command}: unknown field ${JSON.stringify(name.slice(0, 70))}`, withTag);
    }
  }
  if (tag !== undefined) msg.tag = tag;
  return Object.freeze(msg) as unknown as GossipMessage;
}

/** The S-expression head of a command: the command without its version suffix (`gossip-msg` for `gossip-msg-0`). */
export function headOf(command: string): string {
  return command.replace(/-[0-9]+$/, '');
}

/** Decodes one S-expression message. Throws WireError. */
export function decodeSexpMessage(text: string): GossipMessage {
  const list = parseSexp(text);
  const [head, ...rest] = list;
  if (typeof head !== 'string') throw new WireError('MALFORMED', 'a message starts with its name, e.g. (gossip-msg …)');
  const fields = rest.map((f): [string, Raw] => {
    if (typeof f === 'string' || f.length !== 2 || typeof f[0] !== 'string') {
      throw new WireError('MALFORMED', `${head}: every item after the name is a field (name value)`);
    }
    const v: Sexp = f[1];
    if (typeof v === 'string') return [f[0], { atom: v }];
    if (v.some((x) => typeof x !== 'string')) throw new WireError('MALFORMED', `${head}: field ${f[0]} has a nested list`);
    return [f[0], { list: v as readonly string[] }];
  });
  const msg = build(fields, 'sexp');
  if (head !== headOf(msg.command)) {
    throw new WireError(
      'BAD_FIELD',
      `message named ${head} has command ${msg.command}, want (${headOf(msg.command)} …)`,
      msg.tag === undefined ? undefined : { tag: msg.tag },
    );
  }
  return msg;
}

/** Decodes one JSON-lines message (the line without its newline). Throws WireError. */
export function decodeJsonMessage(text: string): GossipMessage {
  const fields = parseJsonLine(text).map(([k, v]: [string, JsonFieldValue]): [string, Raw] => [
    k,
    typeof v === 'string' ? { atom: v } : typeof v === 'number' ? { int: v } : { list: v },
  ]);
  return build(fields, 'json');
}

/** Decodes one message in the given encoding. */
export function decodeMessage(text: string, encoding: Encoding): GossipMessage {
  return encoding === 'sexp' ? decodeSexpMessage(text) : decodeJsonMessage(text);
}

/** The message's fields in wire order with their wire values (strings, numbers, string lists). */
function wireFields(msg: GossipMessage): [string, string | number | readonly string[]][] {
  const out: [string, string | number | readonly string[]][] = [['command', msg.command]];
  const m = msg as unknown as Record<string, unknown>;
  for (const spec of [...FIELDS[msg.command], TAG_FIELD]) {
    const v = m[spec.key];
    if (v === undefined) continue;
    out.push([spec.wire, Buffer.isBuffer(v) ? encodeBase64(v) : (v as string | number | readonly string[])]);
  }
  return out;
}

/**
 * Encodes a message, without a trailing newline: the draft's S-expression
 * layout (sexp.ts `formatMessageSexp`) or one JSON line, fields in the same
 * order. Requires a message that decodes (e.g. printable-ASCII text).
 */
export function encodeMessage(msg: GossipMessage, encoding: Encoding): string {
  const fields = wireFields(msg);
  if (encoding === 'json') return JSON.stringify(Object.fromEntries(fields));
  return formatMessageSexp(
    headOf(msg.command),
    fields.map(([k, v]) => [k, typeof v === 'number' ? String(v) : v] as const),
  );
}

const REFUSAL_OF: Record<WireErrorCode, RefusalCode> = {
  MALFORMED: 'malformed',
  TOO_LARGE: 'too-large',
  UNKNOWN_COMMAND: 'unknown-command',
  BAD_FIELD: 'bad-field',
  BAD_BASE64: 'bad-base64',
  WRONG_ENCODING: 'wrong-encoding',
};

/** A `gossip-error-0`; the text is cut to printable ASCII of at most 1024 characters so that it always encodes. */
export function refusal(code: RefusalCode, message: string, tag?: string): GossipError {
  const text = message.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024);
  return Object.freeze({ command: Command.error, code, message: text, ...(tag === undefined ? {} : { tag }) });
}

/** The refusal for bytes that are not a message, echoing their tag when it could be read. */
export function refusalFor(err: WireError): GossipError {
  return refusal(REFUSAL_OF[err.code], err.message, err.tag);
}
