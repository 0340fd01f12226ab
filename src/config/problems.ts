/**
 * How config files fail: every problem at once (STYLE.md §9), each one line
 * "path: problem", in one error class per file type with code INVALID.
 *
 * Unknown keys are reported at their own path (`ct.mdd: unknown key; did you
 * mean mmd?`), with the nearest known key of that object when one is close,
 * found by walking the schema's JSON Schema (zod's public `toJSONSchema`).
 */
import { z } from 'zod';
import { GrapevineError } from '../errors.ts';
import { redactSubstitutions, type Substitution } from './env.ts';

/** A config file that failed validation: every problem found, not just the first. */
export abstract class ConfigProblemsError extends GrapevineError<'INVALID'> {
  /** Every problem found, as "path: problem". */
  readonly problems: readonly string[];
  /** `what` names the file type in the message, e.g. "hub config". */
  constructor(what: string, problems: readonly string[], options?: { cause?: unknown }) {
    super('INVALID', `invalid ${what}:\n  ${problems.join('\n  ')}`, options);
    this.problems = problems;
  }
}

/** The constructor of a config file's error class (CtConfigError, HubConfigError, SiteConfigError). */
export type ConfigErrorClass = new (problems: readonly string[], options?: { cause?: unknown }) => ConfigProblemsError;

/** A problem path as written: `instances[0].sources[1].id`; the root is "(top)". */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0
    ? '(top)'
    : path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
}

interface JsonNode {
  readonly properties?: Record<string, JsonNode>;
  readonly items?: JsonNode;
  readonly anyOf?: readonly JsonNode[];
  readonly oneOf?: readonly JsonNode[];
}

const jsonSchemas = new WeakMap<z.ZodType, JsonNode>();

/** The JSON Schema of a config schema (input side: what the file may say), computed once per schema. */
export function inputJsonSchema(schema: z.ZodType): JsonNode & Record<string, unknown> {
  let js = jsonSchemas.get(schema);
  if (!js) {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonNode;
    jsonSchemas.set(schema, js);
  }
  return js as JsonNode & Record<string, unknown>;
}

/** The keys an object at `path` may have, or [] when the path leads to no object. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: JsonNode[] = [inputJsonSchema(schema)];
  const expand = (ns: JsonNode[]): JsonNode[] => ns.flatMap((n) => [n, ...expand([...(n.anyOf ?? []), ...(n.oneOf ?? [])])]);
  for (const seg of path) {
    nodes = expand(nodes).flatMap((n) => {
      const next = typeof seg === 'number' ? n.items : n.properties?.[String(seg)];
      return next ? [next] : [];
    });
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The known key nearest to `key` when it is close enough to be a typo (case-insensitive, ≤ 2 edits, < half the key). */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= 2 && bestD < Math.max(key.length, 2) / 2 + 1 ? best : undefined;
}

/** "unknown key; did you mean mmd?" or "unknown key (want one of: a, b, c)". */
function unknownKeyProblem(key: string, known: readonly string[]): string {
  const near = nearestKey(key, known);
  if (near) return `unknown key; did you mean ${near}?`;
  return known.length > 0 && known.length <= 16 ? `unknown key (want one of: ${known.join(', ')})` : 'unknown key';
}

/**
 * Every schema issue as "path: message". Unknown keys become one problem
 * each, at their own path, with a hint from the schema's known keys.
 */
export function schemaProblems(error: z.ZodError, schema?: z.ZodType): string[] {
  const out: string[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      const known = schema ? knownKeys(schema, i.path) : [];
      for (const k of i.keys) out.push(`${formatPath([...i.path, k])}: ${unknownKeyProblem(k, known)}`);
    } else {
      out.push(`${formatPath(i.path)}: ${i.message}`);
    }
  }
  return out;
}

/**
 * Runs `fn`; if it throws a ConfigProblemsError, throws one of the same class
 * whose problems no longer contain any value substituted from the
 * environment (env.ts), so no secret reaches a terminal or a log.
 */
export function withoutSecrets<T>(substitutions: readonly Substitution[], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigProblemsError && substitutions.length > 0) {
      const Err = err.constructor as ConfigErrorClass;
      // No cause: the original's messages hold the values.
      throw new Err(err.problems.map((p) => redactSubstitutions(p, substitutions)));
    }
    throw err;
  }
}
