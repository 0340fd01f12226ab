/**
 * Recognises a private key where a public one belongs (a source's `vkey`,
 * `publicKey` or `publicKeyFile`), so the config can refuse it without
 * quoting it: the parsers' own messages would echo the text (issue 9 #5).
 *
 * Recognised: a Go signed-note private key (`PRIVATE+KEY+name+id+key`,
 * golang.org/x/mod/sumdb/note), any PEM block labelled "… PRIVATE KEY"
 * (PKCS#8, SEC 1, PKCS#1, encrypted PKCS#8, OpenSSH), and base64 or DER that
 * parses as a private key.
 */
import { z } from 'zod';
import { parsePrivateKey } from '../crypto/index.ts';

/** What kind of private key `input` is ("a Go note private key", …), or undefined when it is none. */
export function privateKeyKind(input: string | Uint8Array): string | undefined {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  if (/^\s*PRIVATE\+KEY\+/i.test(text)) return 'a Go note private key (PRIVATE+KEY+…)';
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return 'a PEM private key';
  const compact = typeof input === 'string' ? input.replace(/\s+/g, '') : '';
  if (typeof input === 'string' && !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  try {
    parsePrivateKey(input);
    return typeof input === 'string' ? 'a base64 private key' : 'a DER private key';
  } catch {
    return undefined;
  }
}

/** The problem for a private key found at `where`, naming its kind and never its content. */
export function privateKeyProblem(kind: string, want: string): string {
  return `got ${kind}, want ${want}; the value is not shown. Take the private key out of this file (and replace it if the file was shared)`;
}

/**
 * A config string that holds a public key or vkey (`want` names it: "a
 * vkey", "a public key"). A private key there is refused by the schema, so
 * no later parser quotes it, with a problem that names its kind only.
 */
export function publicKeyText(want: string) {
  return z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const kind = privateKeyKind(v);
      if (kind) ctx.addIssue({ code: 'custom', message: privateKeyProblem(kind, want) });
    });
}
