/**
 * The page: one HTML shell at `/` and its assets at `/dashboard/…`, all served
 * by Grapevine itself (no CDN). The script and stylesheet are the browser
 * bundle `npm run build` writes to dist/dashboard/ (scripts/build.mjs, from
 * src/dashboard/ui/); they are read once at mount and served from memory
 * with an ETag, gzipped for clients that take it.
 *
 * `/` answers HTML to browsers (Accept: text/html) and "ok" to anything else,
 * which keeps the Gossip Hub's `GET /` health check (specs/gossip-hub.md §1)
 * working on servers that run a hub.
 *
 * Headers: a Content-Security-Policy that allows only this origin's script,
 * style and API (so injected markup could run nothing even if escaping
 * failed), no framing, no referrer, no sniffing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const ASSET_PREFIX = '/dashboard';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** The favicon: three grapes. */
const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path d="M16 3c1 3 4 4 7 3" fill="none" stroke="#3f7d3a" stroke-width="2"/><g fill="#6b3fa0"><circle cx="11" cy="12" r="5"/><circle cx="21" cy="12" r="5"/><circle cx="16" cy="21" r="5"/><circle cx="16" cy="29" r="3"/></g></svg>`;

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Grapevine</title>
<link rel="icon" href="${ASSET_PREFIX}/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${ASSET_PREFIX}/app.css">
<script type="module" src="${ASSET_PREFIX}/app.js"></script>
</head>
<body>
<noscript><p>The dashboard needs JavaScript. Its data is JSON at <a href="/api/v1/overview">/api/v1/overview</a> (docs/dashboard.md).</p></noscript>
<div id="app"></div>
</body>
</html>
`;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly etag: string;
}

function asset(type: string, body: Buffer): Asset {
  return {
    type,
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/**
 * Where the browser bundle is: beside the running code in dist/ (the built
 * CLI), or dist/dashboard/ of the checkout (tests and tsx run src/).
 */
export function findBundleDir(): string | null {
  for (const rel of ['./dashboard/', '../../dist/dashboard/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'app.js'))) return dir;
  }
  return null;
}

/** The assets, by path under ASSET_PREFIX; without a bundle, a script that says how to build one. */
export function loadAssets(dir: string | null): Map<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  const out = new Map<string, Asset>([['/icon.svg', asset('image/svg+xml', Buffer.from(ICON))]]);
  if (dir === null) {
    const msg = 'The dashboard was not built: run `npm run build` (npm ci does it), then reload.';
    out.set('/app.js', asset(js, Buffer.from(`document.getElementById('app').textContent = ${JSON.stringify(msg)};\n`)));
    out.set('/app.css', asset(css, Buffer.from('')));
    return out;
  }
  out.set('/app.js', asset(js, readFileSync(join(dir, 'app.js'))));
  out.set('/app.css', asset(css, existsSync(join(dir, 'app.css')) ? readFileSync(join(dir, 'app.css')) : Buffer.from('')));
  return out;
}

function send(req: FastifyRequest, reply: FastifyReply, a: Asset) {
  reply.headers(SECURITY_HEADERS).header('etag', a.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gz) reply.header('content-encoding', 'gzip');
  return reply.type(a.type).send(gz ? a.gzip : a.body);
}

export function registerPage(app: FastifyInstance, assets: ReadonlyMap<string, Asset>): void {
  const shell = asset('text/html; charset=utf-8', Buffer.from(SHELL));
  app.get('/', async (req, reply) => {
    if (!/\btext\/html\b/.test(String(req.headers.accept ?? ''))) return reply.type('text/plain').send('ok\n');
    return send(req, reply, shell);
  });
  for (const [path, a] of assets) app.get(`${ASSET_PREFIX}${path}`, async (req, reply) => send(req, reply, a));
}
