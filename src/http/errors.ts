/**
 * The one place where errors become HTTP answers (STYLE.md §5): a table of
 * GrapevineError classes and codes → status, and a fastify error handler
 * that answers `{ "error": code, "message": … }`.
 *
 * Built-in rules cover the shared domains (codec, log core, quota, storage,
 * proofs, keys, notes, checkpoints); each personality adds its own class with
 * `mapper.add(HubError, HUB_ERROR_STATUS)` when it is mounted.
 *
 * - QuotaError → 429 with `Retry-After` (whole seconds, at least 1).
 * - StorageError UNAVAILABLE → 503 with `Retry-After: 1`; other storage codes → 500.
 * - 5xx answers never carry internal messages: the body says "internal error"
 *   (or the code's category) and the error is logged at `error` level.
 * - fastify's own errors (body too large 413, unsupported media type 415,
 *   bad JSON 400, …) keep their status and message; the code is the
 *   status's name (client-errors.ts: BODY_TOO_LARGE, …).
 */
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CheckpointError } from '../checkpoint/index.ts';
import { CodecError } from '../codec/index.ts';
import { KeyError, SignatureError } from '../crypto/index.ts';
import { GrapevineError } from '../errors.ts';
import { LogError, QuotaError, StorageError } from '../log/index.ts';
import { ProofError } from '../merkle/index.ts';
import { NoteError } from '../note/index.ts';
import { statusCodeName } from './client-errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: constructors of any GrapevineError subclass
type ErrorClass = abstract new (...args: any[]) => GrapevineError;

/** code → status for one error class; `'*'` is the fallback for codes not listed (default 500). */
export type StatusTable = Readonly<Record<string, number>>;

export interface ErrorAnswer {
  readonly status: number;
  readonly body: { readonly error: string; readonly message: string };
  readonly headers: Readonly<Record<string, string>>;
}

export class ErrorMapper {
  readonly #rules: { cls: ErrorClass; table: StatusTable }[] = [];

  /** Adds (or replaces) the table of one class. Subclasses must be added after their parents to win. */
  add(cls: ErrorClass, table: StatusTable): this {
    const i = this.#rules.findIndex((r) => r.cls === cls);
    if (i >= 0) this.#rules.splice(i, 1);
    this.#rules.unshift({ cls, table });
    return this;
  }

  /** The status for an error (500 for anything unknown). */
  statusOf(err: unknown): number {
    if (err instanceof GrapevineError) {
      for (const { cls, table } of this.#rules) {
        if (err instanceof cls) return table[err.code] ?? table['*'] ?? 500;
      }
      return 500;
    }
    const s = (err as FastifyError | undefined)?.statusCode;
    return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
  }

  /** Status, JSON body and headers for an error. */
  answer(err: unknown): ErrorAnswer {
    const status = this.statusOf(err);
    const headers: Record<string, string> = {};
    if (err instanceof QuotaError) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
    else if (status === 503) headers['retry-after'] = '1';
    let body: { error: string; message: string };
    if (err instanceof GrapevineError) {
      body = status >= 500 && status !== 503 ? { error: err.code, message: 'internal error' } : err.toJSON();
    } else if (status < 500) {
      // fastify's own (413, 415, bad JSON …): our code for the status, fastify's message.
      body = { error: statusCodeName(status), message: (err as FastifyError).message };
    } else {
      body = { error: 'INTERNAL', message: 'internal error' };
    }
    return { status, body, headers };
  }
}

/** A mapper holding the rules for the shared error domains. */
export function defaultErrorMapper(): ErrorMapper {
  return (
    new ErrorMapper()
      .add(CodecError, { '*': 400 })
      .add(LogError, { BAD_REQUEST: 400, LEAF_NOT_FOUND: 404, NO_SUCH_TREE: 404, '*': 500 })
      .add(QuotaError, { '*': 429 })
      .add(StorageError, { UNAVAILABLE: 503, '*': 500 })
      // Proofs the server computes must verify; a failure is ours, not the client's.
      .add(ProofError, { '*': 500 })
      .add(KeyError, { '*': 400 })
      .add(SignatureError, { '*': 400 })
      .add(NoteError, { '*': 400 })
      .add(CheckpointError, { '*': 400 })
  );
}

/**
 * The fastify error handler over a mapper. Failures (5xx but 503) are logged
 * at `error` with the stack and the request id. Expected refusals carry no
 * stack: 503 (merge backlog, storage unavailable: the server protects its
 * promises) at `warn`, 429 (a quota) at `info`. Other 4xx at `debug` (they
 * are the client's business).
 */
export function errorHandler(mapper: ErrorMapper) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): void => {
    const a = mapper.answer(err);
    logAnswer(req.log, a, err);
    void reply.code(a.status).headers(a.headers).type('application/json; charset=utf-8').send(JSON.stringify(a.body));
  };
}

/** Logs an error answer at the level its status calls for (see errorHandler). */
export function logAnswer(log: FastifyBaseLogger, a: ErrorAnswer, err: unknown): void {
  const refusal = { code: a.body.error, message: a.body.message };
  if (a.status === 503) log.warn({ refusal, status: 503 }, 'request refused');
  else if (a.status === 429) log.info({ refusal, status: 429 }, 'request refused');
  else if (a.status >= 500) log.error({ err }, 'request failed');
  else log.debug({ err: refusal }, 'request rejected');
}
