/**
 * A client of a C2SP witness (c2sp.org/tlog-witness), for logs and feeders:
 * `addCheckpoint` submits and checks the answer, `latest` reads the
 * monitoring endpoint. With the witness's cosignature/v1 vkeys given, every
 * answer line from one of those keys must verify over the submitted
 * checkpoint with a non-zero time (tlog-witness §add-checkpoint: the
 * cosignatures MUST carry a non-zero timestamp), and at least one must be
 * there; lines from other keys are passed on unverified (a witness may sign
 * with keys the client does not know yet, during a rotation).
 */
import { originHash } from '../checkpoint/index.ts';
import { GrapevineError } from '../errors.ts';
import {
  NoteError,
  type NoteSignature,
  parseNote,
  parseSignatureLine,
  type VerifiedSignature,
  VerifierSet,
  verifierFromVkey,
  verifyNoteSignature,
} from '../note/index.ts';
import { formatAddCheckpointRequest, parseTlogSize, TLOG_SIZE_CONTENT_TYPE } from './request.ts';

export type WitnessClientErrorCode =
  /** The witness could not be reached, or answered a status the protocol has no meaning for. */
  | 'HTTP'
  /** The witness refused the checkpoint (400, 403, 404, 422, 429): see `status` and `reason`. */
  | 'REFUSED'
  /** A body that is not what the protocol says (a 409 without its size, a line that is not a signature). */
  | 'BAD_RESPONSE'
  /** A cosignature from a configured key that does not verify, has time 0, or none at all. */
  | 'BAD_COSIGNATURE';

export class WitnessClientError extends GrapevineError<WitnessClientErrorCode> {
  /** The HTTP status (0 when unreachable). */
  readonly status: number;
  /** The witness's error code from its JSON body, when it sent one. */
  readonly reason: string | undefined;
  constructor(code: WitnessClientErrorCode, message: string, options?: { cause?: unknown; status?: number; reason?: string }) {
    super(code, message, options);
    this.status = options?.status ?? 0;
    this.reason = options?.reason;
  }
}

export interface WitnessClientOptions {
  /** The witness's submission (and monitoring) prefix, e.g. https://witness.example/w1. */
  readonly url: string;
  /** The witness's cosignature/v1 vkeys; without any, answers are parsed but not verified. */
  readonly vkeys?: readonly string[];
  readonly fetch?: typeof fetch;
  /** Per-request time limit, ms (default 30 s). */
  readonly timeoutMs?: number;
}

export type AddCheckpointAnswer =
  /** Cosigned: the answer's lines, those by configured keys verified. */
  | { readonly kind: 'cosigned'; readonly cosignatures: readonly NoteSignature[]; readonly verified: readonly VerifiedSignature[] }
  /** 409: the witness's latest cosigned size is `size`; retry from it. */
  | { readonly kind: 'stale'; readonly size: number };

export class WitnessClient {
  readonly url: string;
  readonly #keys: VerifierSet | null;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(opts: WitnessClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.#keys = opts.vkeys && opts.vkeys.length > 0 ? new VerifierSet(opts.vkeys.map(verifierFromVkey)) : null;
    this.#fetch = opts.fetch ?? fetch;
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async #call(path: string, init?: RequestInit): Promise<{ status: number; type: string; body: string }> {
    const url = `${this.url}/${path}`;
    try {
      const res = await this.#fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs) });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    } catch (err) {
      throw new WitnessClientError('HTTP', `${url}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * POST add-checkpoint. `checkpoint` is the signed note as the log serves it.
   * Resolves `cosigned` or `stale` (409); throws WitnessClientError otherwise.
   */
  async addCheckpoint(oldSize: number, proof: readonly Uint8Array[], checkpoint: string): Promise<AddCheckpointAnswer> {
    const body = formatAddCheckpointRequest({ oldSize, proof, checkpoint });
    const res = await this.#call('add-checkpoint', { method: 'POST', body: new Uint8Array(body) });
    if (res.status === 409) {
      if (!res.type.startsWith(TLOG_SIZE_CONTENT_TYPE)) {
        throw new WitnessClientError('BAD_RESPONSE', `409 with Content-Type ${JSON.stringify(res.type)}, want ${TLOG_SIZE_CONTENT_TYPE}`, {
          status: 409,
        });
      }
      try {
        return { kind: 'stale', size: parseTlogSize(res.body) };
      } catch (err) {
        throw new WitnessClientError('BAD_RESPONSE', `409 body: ${(err as Error).message}`, { cause: err, status: 409 });
      }
    }
    if (res.status !== 200) {
      const reason = errorCode(res.body);
      const code = [400, 403, 404, 413, 422, 429].includes(res.status) ? 'REFUSED' : 'HTTP';
      throw new WitnessClientError(code, `${this.url}: HTTP ${res.status}${reason ? ` ${reason}` : ''}: ${res.body.slice(0, 200)}`, {
        status: res.status,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
    return this.#cosigned(parseNote(checkpoint).text, res.body);
  }

  #cosigned(text: string, body: string): AddCheckpointAnswer {
    if (!body.endsWith('\n') || body.length < 2) throw new WitnessClientError('BAD_RESPONSE', 'got an answer that is not signature lines');
    let cosignatures: NoteSignature[];
    try {
      cosignatures = body.slice(0, -1).split('\n').map(parseSignatureLine);
    } catch (err) {
      throw new WitnessClientError('BAD_RESPONSE', `answer: ${(err as Error).message}`, { cause: err });
    }
    const verified: VerifiedSignature[] = [];
    if (this.#keys) {
      for (const s of cosignatures) {
        if (!this.#keys.get(s.name, s.keyId)) continue;
        try {
          const v = verifyNoteSignature(text, s, this.#keys);
          if (!v.time) throw new WitnessClientError('BAD_COSIGNATURE', `cosignature of ${s.name} has time 0, want a non-zero timestamp`);
          verified.push(v);
        } catch (err) {
          if (err instanceof NoteError)
            throw new WitnessClientError('BAD_COSIGNATURE', `cosignature of ${s.name}: ${err.message}`, { cause: err });
          throw err;
        }
      }
      if (verified.length === 0)
        throw new WitnessClientError('BAD_COSIGNATURE', `no cosignature from ${[...this.#keys].map((k) => k.vkey).join(', ')}`);
    }
    return { kind: 'cosigned', cosignatures, verified };
  }

  /** GET <origin hash>/checkpoint: the latest cosigned checkpoint, unverified; null on 404 (nothing cosigned). */
  async latest(origin: string): Promise<string | null> {
    const res = await this.#call(`${originHash(origin).toString('hex')}/checkpoint`);
    if (res.status === 404) return null;
    if (res.status !== 200) throw new WitnessClientError('HTTP', `${this.url}: HTTP ${res.status}`, { status: res.status });
    return res.body;
  }
}

function errorCode(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: unknown };
    return typeof j.error === 'string' ? j.error : undefined;
  } catch {
    return undefined;
  }
}
