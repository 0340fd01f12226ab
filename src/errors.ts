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
