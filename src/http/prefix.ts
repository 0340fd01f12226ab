/**
 * The one normalizer of a configured URL prefix (CT log, hub instances):
 * leading and trailing slashes trimmed, then one leading "/" put back, so
 * fastify's `register(plugin, { prefix })` and `${prefix}/path` both work.
 *
 *     routePrefix(undefined) === ''       routePrefix('/') === ''
 *     routePrefix('hub/')    === '/hub'   routePrefix('//a/b//') === '/a/b'
 */
export function routePrefix(prefix: string | undefined): string {
  const t = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return t === '' ? '' : `/${t}`;
}
