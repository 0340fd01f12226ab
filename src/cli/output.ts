/** How CLI commands print results: JSON on stdout, so output pipes into jq. */

/** One pretty-printed JSON document. */
export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** One compact JSON line (streams such as entries and leaves). */
export function printJsonLine(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}
