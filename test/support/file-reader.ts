/** An in-memory stand-in for the config loaders' `readFile` (src/config: only cli/ reads real files). */

/** Reads from `files` by path; a missing path throws an error with code ENOENT, as node:fs does. */
export function readerOf(files: Readonly<Record<string, Buffer>>): (path: string) => Buffer {
  return (path) => {
    const f = files[path];
    if (!f) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return f;
  };
}
