/**
 * The configuration reference, generated from the schemas: one markdown
 * table per part (server keys, `grapevine serve`, CT log, hub), every row a
 * key with its type and unit, default, meaning and trust implication, all
 * read from the zod metadata that `doc()` attaches beside each schema.
 *
 * docs/configuration.md holds these tables between markers;
 * test/config/reference.test.ts fails when they differ from what the
 * schemas generate (run `node --import tsx scripts/config-reference.ts
 * --write` to update them), or when a key has no description. A new config
 * file type (witness, gossip service, collector) adds its schema to
 * CONFIG_FILES and a marked block to the document.
 *
 * Pure: schemas in, text out.
 */
import type { z } from 'zod';
import { ctFileSchema } from './ct.ts';
import { gossipFileSchema } from './gossip.ts';
import { hubFileSchema } from './hub.ts';
import { monitorFileSchema } from './monitor.ts';
import { inputJsonSchema } from './problems.ts';
import { siteFileSchema } from './site.ts';
import { witnessFileSchema } from './witness.ts';

interface Js {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly description?: string;
  readonly unit?: string;
  readonly trust?: string;
  readonly defaultText?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly pattern?: string;
  readonly properties?: Record<string, Js>;
  readonly required?: readonly string[];
  readonly items?: Js;
  readonly anyOf?: readonly Js[];
}

/** One documented key. */
export interface ReferenceRow {
  /** Dotted path; list items as `[]`: `instances[].sources[].vkey`. */
  readonly key: string;
  readonly type: string;
  /** "**required**", a default in backticks, a computed default, or "—" (not set). */
  readonly default: string;
  readonly description: string;
  readonly trust?: string;
}

/** What one table documents: the keys of `schema` (a file or section), minus `omit` (documented elsewhere). */
export interface ReferenceTable {
  readonly id: string;
  readonly schema: z.ZodType;
  /** Top-level keys left out (they have their own table). */
  readonly omit?: readonly string[];
  /** Top-level keys shown as one row, without their children (their keys are another table's). */
  readonly shallow?: readonly string[];
  /** File types whose defaults for the same keys may differ: a default is shown per file type when they do. */
  readonly defaultsOf?: ReadonlyArray<readonly [string, z.ZodType]>;
}

const SERVER_KEYS = Object.keys(siteFileSchema.shape).filter((k) => !['ct', 'hub', 'gossip', 'gossipd', 'witness'].includes(k));

/**
 * The tables of docs/configuration.md. Server keys are documented once, from
 * the site schema; a key's per-file-type defaults (listen, database) are
 * given in its description.
 */
export const REFERENCE_TABLES: readonly ReferenceTable[] = [
  {
    id: 'server',
    schema: siteFileSchema,
    omit: ['ct', 'hub', 'gossip', 'gossipd', 'witness'],
    defaultsOf: [
      ['serve', siteFileSchema],
      ['ct serve', ctFileSchema],
      ['hub serve', hubFileSchema],
      ['witness serve', witnessFileSchema],
      ['gossipd', gossipFileSchema],
    ],
  },
  { id: 'site', schema: siteFileSchema, omit: SERVER_KEYS, shallow: ['ct', 'hub', 'gossipd', 'witness'] },
  { id: 'ct', schema: ctFileSchema, omit: SERVER_KEYS },
  { id: 'hub', schema: hubFileSchema, omit: SERVER_KEYS },
  { id: 'witness', schema: witnessFileSchema, omit: SERVER_KEYS },
  { id: 'gossipd', schema: gossipFileSchema, omit: SERVER_KEYS },
  { id: 'monitor', schema: monitorFileSchema },
];

/** Every config file type and the tables that together document all of its keys (with the section prefix they take). */
export const CONFIG_FILES: ReadonlyArray<{
  readonly name: string;
  readonly schema: z.ZodType;
  readonly tables: ReadonlyArray<[string, string]>;
}> = [
  {
    name: 'grapevine serve',
    schema: siteFileSchema,
    tables: [
      ['server', ''],
      ['site', ''],
      ['ct', 'ct.'],
      ['hub', 'hub.'],
      ['gossipd', 'gossipd.'],
      ['witness', 'witness.'],
    ],
  },
  {
    name: 'ct serve',
    schema: ctFileSchema,
    tables: [
      ['server', ''],
      ['ct', ''],
    ],
  },
  {
    name: 'hub serve',
    schema: hubFileSchema,
    tables: [
      ['server', ''],
      ['hub', ''],
    ],
  },
  {
    name: 'witness serve',
    schema: witnessFileSchema,
    tables: [
      ['server', ''],
      ['witness', ''],
    ],
  },
  {
    name: 'gossipd',
    schema: gossipFileSchema,
    tables: [
      ['server', ''],
      ['gossipd', ''],
    ],
  },
  {
    name: 'collect / audit',
    schema: monitorFileSchema,
    tables: [['monitor', '']],
  },
];

const code = (v: unknown) => (v === '' ? '`""`' : `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``);

/** The type column: kind, bounds and unit. */
function typeOf(n: Js): string {
  const unit = n.unit && n.unit !== 'duration' && n.unit !== 'RFC 3339 time' ? ` (${n.unit})` : '';
  if (n.format === 'duration') return 'duration (`500ms`, `10s`, `2m`, `1h`)';
  if (n.format === 'date-time') return 'RFC 3339 time';
  if (n.enum) return `one of ${n.enum.map(code).join(', ')}`;
  if (n.const !== undefined) return code(n.const);
  const t = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
  if (n.anyOf) {
    const kinds = n.anyOf.map((o) => (o.type === 'array' ? 'list of strings' : String(o.type)));
    return [...new Set(kinds)].join(' or ');
  }
  if (t.includes('integer') || t.includes('number')) {
    const word = t.includes('integer') ? 'integer' : 'number';
    const lo = n.minimum !== undefined ? `≥ ${n.minimum}` : n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : '';
    const hi = n.maximum !== undefined && n.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${n.maximum}` : '';
    return `${word}${lo || hi ? ` ${[lo, hi].filter(Boolean).join(', ')}` : ''}${unit}`;
  }
  if (t.includes('boolean')) return 'boolean';
  if (t.includes('array')) {
    const objects = n.items ? objectsOf(n.items) : [];
    const item =
      objects.length > 1
        ? 'sections, each one of several forms'
        : objects.length === 1
          ? 'sections'
          : n.items?.type === 'string'
            ? 'strings'
            : 'values';
    return `list of ${item}${n.minItems ? ` (≥ ${n.minItems})` : ''}`;
  }
  if (t.includes('object')) return 'section';
  if (t.includes('string')) return `string${n.pattern ? ' (pattern)' : ''}${unit}`;
  return 'value';
}

function defaultOf(n: Js, required: boolean): string {
  if (required) return '**required**';
  if (n.defaultText) return n.defaultText;
  if (n.default === undefined) return '—';
  if (typeof n.default === 'object' && n.default !== null && Object.keys(n.default).length === 0) return '—';
  return code(n.default);
}

/** The default of a top-level key, per file type when they differ. */
function defaultAcross(t: ReferenceTable, key: string, own: string): string {
  if (!t.defaultsOf) return own;
  const each = t.defaultsOf.map(([label, schema]) => {
    const root = inputJsonSchema(schema) as Js;
    const n = root.properties?.[key];
    return [label, n ? defaultOf(n, root.required?.includes(key) === true) : '—'] as const;
  });
  return new Set(each.map(([, d]) => d)).size === 1 ? own : each.map(([label, d]) => `${d} (${label})`).join(', ');
}

/** The object schemas a node stands for: itself, or each object among the options of a union. */
function objectsOf(n: Js): Js[] {
  if (n.properties) return [n];
  return [...(n.anyOf ?? []), ...((n as { oneOf?: readonly Js[] }).oneOf ?? [])].flatMap(objectsOf);
}

/** A name for one form of a union: its discriminator's value, or its only key. */
function formName(o: Js): string {
  const props = Object.entries(o.properties ?? {});
  const tag = props.find(([, v]) => v.const !== undefined);
  return tag ? String(tag[1].const) : props.length === 1 ? props[0][0] : 'other';
}

/** The rows of one table, depth first, in schema order. */
export function referenceRows(t: ReferenceTable): ReferenceRow[] {
  const root = inputJsonSchema(t.schema) as Js;
  type Row = { -readonly [K in keyof ReferenceRow]: ReferenceRow[K] } & { consts?: unknown[]; defaults?: Array<[string, string]> };
  const rows = new Map<string, Row>();
  // `form`: the node is one option of a union of several, named so; its required keys and defaults are that form's.
  const walk = (node: Js, path: string, top: boolean, form: string | null) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (top && t.omit?.includes(key)) continue;
      const k = path ? `${path}.${key}` : key;
      const required = node.required?.includes(key) === true;
      const own = required && form !== null ? '**required** in its form' : defaultOf(child, required);
      const seen = rows.get(k);
      if (seen) {
        // The same key in several forms: one row, a discriminator's values listed together, defaults per form.
        const next: Row = { ...seen };
        if (child.const !== undefined && seen.consts) {
          next.consts = [...seen.consts, child.const];
          next.type = `one of ${next.consts.map(code).join(', ')}`;
        }
        if (form !== null && seen.defaults && !seen.defaults.some(([, d]) => d === own)) {
          next.defaults = [...seen.defaults, [form, own]];
          next.default = next.defaults.map(([f, d]) => `${d} (${f})`).join(', ');
        }
        rows.set(k, next);
      } else {
        rows.set(k, {
          key: k,
          type: typeOf(child),
          default: top ? defaultAcross(t, key, own) : own,
          description: child.description ?? '',
          ...(child.trust ? { trust: child.trust } : {}),
          ...(child.const !== undefined ? { consts: [child.const] } : {}),
          ...(form !== null ? { defaults: [[form, own]] } : {}),
        });
      }
      if (top && t.shallow?.includes(key)) continue;
      const objects = objectsOf(child);
      for (const o of objects) walk(o, k, false, objects.length > 1 ? formName(o) : null);
      const items = child.items ? objectsOf(child.items) : [];
      for (const o of items) walk(o, `${k}[]`, false, items.length > 1 ? formName(o) : null);
    }
  };
  walk(root, '', true, null);
  return [...rows.values()].map(({ consts: _c, defaults: _d, ...r }) => r);
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One table as markdown. */
export function referenceMarkdown(t: ReferenceTable): string {
  const lines = ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |'];
  for (const r of referenceRows(t)) {
    const meaning = r.trust ? `${r.description} *Trust:* ${r.trust}` : r.description;
    lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${cell(meaning)} |`);
  }
  return lines.join('\n');
}

/** Every key path a schema accepts, in the rows' notation (`instances[].sources[].id`). */
export function schemaKeys(schema: z.ZodType): string[] {
  return referenceRows({ id: '', schema }).map((r) => r.key);
}

/** Marker lines around a generated table in docs/configuration.md. */
export const marker = (id: string) => ({
  begin: `<!-- BEGIN GENERATED: ${id} (src/config/reference.ts; do not edit by hand) -->`,
  end: `<!-- END GENERATED: ${id} -->`,
});

/** `doc` with every marked table replaced by what the schemas generate now. Unknown or missing markers are left as they are. */
export function regenerate(docText: string): string {
  let out = docText;
  for (const t of REFERENCE_TABLES) {
    const { begin, end } = marker(t.id);
    const a = out.indexOf(begin);
    const b = out.indexOf(end);
    if (a < 0 || b < a) continue;
    out = `${out.slice(0, a + begin.length)}\n${referenceMarkdown(t)}\n${out.slice(b)}`;
  }
  return out;
}
