/**
 * `${VAR}` substitution in config text, before YAML parsing, so that one file
 * serves N frontends and secrets stay out of it (docs/configuration.md
 * "Environment variables").
 *
 *   ${NAME}              the variable's value; unset → a problem naming NAME
 *   ${NAME:-default}     the value, or `default` when NAME is unset or empty
 *   $${                  a literal "${" (no substitution)
 *
 * NAME is [A-Za-z_][A-Za-z0-9_]*; a default may not contain "}" or a line
 * break. Comments are left alone (a "${" in a comment is neither substituted
 * nor an error): comment spans come from the YAML lexer, so a "#" inside a
 * quoted scalar or a block scalar is not taken for one. A value with a line
 * break is refused, since it would change the structure of the file, not
 * only one value.
 *
 * Pure: the environment comes in as a record; only cli/ reads process.env.
 * Problems never contain a value: a value may be a secret.
 */
import { Lexer } from 'yaml';

/** A variable whose value went into the text (for redacting it from later problems). */
export interface Substitution {
  readonly name: string;
  readonly value: string;
}

export interface SubstitutedText {
  readonly text: string;
  /** Every reference that was replaced from the environment (defaults are not secrets and are not listed). */
  readonly substitutions: readonly Substitution[];
  /** Every problem, "line N: …", in text order; empty when the text is usable. */
  readonly problems: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// `$${` (an escape) or `${…}` up to the first `}` on the same line; an unclosed `${` matches with no `}`.
const REFERENCE = /\$\$\{|\$\{([^}\n]*)(\}?)/g;
// The lexer's zero-width markers (document start, flow error end, scalar): not source text.
const LEXER_CONTROL = new Set(['\x02', '\x18', '\x1f']);

/** [start, end) offsets of every comment in YAML text, as the `yaml` lexer sees them. */
function commentSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let at = 0;
  for (const token of new Lexer().lex(text)) {
    if (LEXER_CONTROL.has(token)) continue;
    if (token.startsWith('#')) spans.push([at, at + token.length]);
    at += token.length;
  }
  return spans;
}

/**
 * Replaces every `${…}` reference outside comments with its value from `env`.
 * Never throws: problems are returned, in text order, so the caller can report
 * them together with the rest.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): SubstitutedText {
  if (!text.includes('${')) return { text, substitutions: [], problems: [] };
  const comments = commentSpans(text);
  const inComment = (i: number) => comments.some(([s, e]) => i >= s && i < e);
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  const substitutions: Substitution[] = [];
  const problems: string[] = [];
  const out = text.replace(REFERENCE, (match: string, body: string | undefined, close: string | undefined, offset: number) => {
    if (inComment(offset)) return match;
    if (match === '$${') return '${';
    const where = `line ${lineOf(offset)}`;
    if (!close) {
      problems.push(`${where}: "\${" without a closing "}" on the same line (write $\${ for a literal \${)`);
      return match;
    }
    const sep = (body as string).indexOf(':-');
    const name = sep < 0 ? (body as string) : (body as string).slice(0, sep);
    const fallback = sep < 0 ? undefined : (body as string).slice(sep + 2);
    if (!NAME.test(name)) {
      problems.push(
        `${where}: got \${${name.length > 40 ? `${name.slice(0, 40)}…` : name}}, want \${NAME} or \${NAME:-default} with NAME of letters, digits and _`,
      );
      return match;
    }
    const value = env[name];
    if (value === undefined || (value === '' && fallback !== undefined)) {
      if (fallback !== undefined) return fallback;
      problems.push(`${where}: environment variable ${name} is not set (give it a value, or a default with \${${name}:-default})`);
      return match;
    }
    if (/[\r\n]/.test(value)) {
      problems.push(`${where}: environment variable ${name} holds a line break; want a single-line value`);
      return match;
    }
    substitutions.push({ name, value });
    return value;
  });
  return { text: out, substitutions, problems };
}

/** Values shorter than this are not taken for secrets when redacting (they would garble every message). */
const MIN_REDACTED_LENGTH = 4;

/**
 * `problem` with every substituted value replaced by its reference, so that a
 * problem that quotes a field never shows a value taken from the environment.
 * Longer values first, so a value containing another is replaced whole.
 */
export function redactSubstitutions(problem: string, substitutions: readonly Substitution[]): string {
  let out = problem;
  const byLength = [...substitutions].filter((s) => s.value.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.value.length - a.value.length);
  for (const s of byLength) out = out.split(s.value).join(`\${${s.name}}`);
  return out;
}
