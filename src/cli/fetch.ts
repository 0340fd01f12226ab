/**
 * The fetch the CLI's clients use: each answer is read whole here, up to a
 * size limit (`--max-body`), so a server that sends an endless or huge body
 * costs the CLI at most that much memory (issue 9 #7). Over the limit, the
 * fetch fails, and the client reports the request as failed.
 */

/** Default answer size limit: above the largest page a hub or CT get-entries returns (1000 entries of ≤ 64 KiB blobs). */
export const DEFAULT_MAX_BODY_BYTES = 128 * 1024 * 1024;

/** A fetch whose answers hold at most `maxBytes` of body, already read (the returned Response is buffered). */
export function cappedFetch(maxBytes: number, inner: typeof fetch = fetch): typeof fetch {
  const tooLarge = () => new Error(`the answer is larger than ${maxBytes} bytes (--max-body)`);
  return async (input, init) => {
    const res = await inner(input, init);
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          throw tooLarge();
        }
        chunks.push(value);
      }
    }
    return new Response(res.status === 204 || res.status === 205 || res.status === 304 ? null : Buffer.concat(chunks), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
