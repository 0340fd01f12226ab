/** Certificates from PEM text (RFC 7468 §5: label "CERTIFICATE"). Pure. */
import { decodePem } from '../crypto/index.ts';
import { X509Error } from './errors.ts';

/** The DER of every CERTIFICATE block, in order; X509Error MALFORMED when there is none or the PEM is broken. */
export function certificatesFromPem(text: string): Buffer[] {
  let blocks: ReturnType<typeof decodePem>;
  try {
    blocks = decodePem(text);
  } catch (err) {
    throw new X509Error('MALFORMED', `not PEM: ${(err as Error).message}`, { cause: err });
  }
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
  if (certs.length === 0) throw new X509Error('MALFORMED', 'got no CERTIFICATE block in the PEM text');
  return certs;
}
