/**
 * The one error model of Grapevine (see ARCHITECTURE.md, "Errors").
 *
 * Every domain declares its own subclass with a closed union of codes, e.g.
 * `ProofError<'INCLUSION_MISMATCH' | …>`. Callers branch on `instanceof` and
 * `code`, never on message text. Each personality maps codes to HTTP statuses
 * in exactly one place; the CLI maps them to exit codes in one place.
 */
export abstract class GrapevineError<C extends string = string> extends Error {
  /** Short machine-readable code, stable across releases; doubles as a metrics label. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** A JSON body for HTTP error responses: `{ "error": code, "message": … }`. */
  toJSON(): { error: C; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** True when `err` is a GrapevineError of class `cls` with one of `codes` (or any code when none given). */
export function isError<E extends GrapevineError>(
  err: unknown,
  cls: abstract new (...args: never[]) => E,
  ...codes: E['code'][]
): err is E {
  return err instanceof cls && (codes.length === 0 || codes.includes(err.code));
}

export type SetupErrorCode =
  | 'BAD_CONFIG' // an option out of range or options that cannot work together (e.g. an MMD too short for a takeover)
  | 'MISSING_TREE' // the tree does not exist and creating it was not asked for
  | 'WRONG_PERSONALITY' // the tree was created for another personality
  | 'WRONG_KEY'; // the configured key is not the key the tree was created with

/**
 * A server part that cannot be built or started as configured. Raised only
 * at start-up, never while answering a request, so it is in no HTTP status
 * table: the CLI prints its message as one line and exits 1.
 */
export class SetupError extends GrapevineError<SetupErrorCode> {}
