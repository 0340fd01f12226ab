/**
 * Answers to requests Node's HTTP parser refused before fastify saw them
 * (headers too large, a malformed request, a request that took too long),
 * in the same `{ "error": CODE, "message": … }` shape as every other error,
 * then the connection closes (the parser cannot go on). Replaces fastify's
 * default, whose bodies have other keys.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** The error codes of answers not raised by Grapevine itself, by HTTP status. */
export const HTTP_STATUS_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
  503: 'UNAVAILABLE',
});

export function statusCodeName(status: number): string {
  return HTTP_STATUS_CODES[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
}

const REASONS: Readonly<Record<string, readonly [number, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive within the time limit'],
  HPE_HEADER_OVERFLOW: [431, 'the request headers are larger than the server accepts'],
};

/** fastify's `clientErrorHandler`. */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = REASONS[err.code ?? ''] ?? [400, 'malformed HTTP request'];
  const body = JSON.stringify({ error: statusCodeName(status), message });
  this.log.debug({ code: err.code, status }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
