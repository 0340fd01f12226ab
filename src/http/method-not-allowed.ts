/**
 * 405 for the methods a route does not take, answered as every other error
 * (`{ "error": "METHOD_NOT_ALLOWED", "message": … }`) with an Allow header
 * (RFC 9110 §15.5.6: a 405 MUST carry Allow), for both personalities.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';

/**
 * Registers, on `url`, each of `among` that is not in `allowed` (HEAD goes with GET) to answer 405.
 * `among` is the set the personality answers for (the hub leaves OPTIONS to its CORS handling).
 */
export function methodNotAllowed(app: FastifyInstance, url: string, allowed: readonly HTTPMethods[], among: readonly HTTPMethods[]): void {
  const others = among.filter((m) => !allowed.includes(m) && !(m === 'HEAD' && allowed.includes('GET')));
  const allow = allowed.join(', ');
  app.route({
    method: others,
    url,
    handler: async (req, reply) =>
      reply
        .code(405)
        .header('allow', allow)
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here; use ${allow}` })),
  });
}
