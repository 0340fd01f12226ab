/**
 * Text of an X.509 Name (RFC 5280 §4.1.2.4) for error messages only: RDNs
 * in encoded order joined by ", ", multi-valued RDNs by "+", like RFC 4514
 * without its escaping (never parsed back). Chains match names on their DER
 * bytes, never on this text.
 *
 * Pure: no I/O, no clock.
 */
import { children, type Element, oidText, readWhole, TAG } from './der.ts';

const LABELS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

function valueText(der: Buffer, v: Element): string {
  const bytes = der.subarray(v.body, v.end);
  switch (v.tag) {
    case TAG.UTF8_STRING:
      return bytes.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return bytes.toString('latin1');
    case TAG.BMP_STRING:
      return Buffer.from(bytes).swap16().toString('utf16le');
    default:
      return `#${der.subarray(v.start, v.end).toString('hex')}`;
  }
}

/** The text of DER Name `der`; "(unreadable name)" when it does not parse, since it only labels a message. */
export function nameText(der: Buffer): string {
  try {
    const rdns = children(der, readWhole(der, 'Name'));
    return rdns
      .map((rdn) =>
        children(der, rdn)
          .map((atv) => {
            const [type, value] = children(der, atv);
            const oid = oidText(der, type);
            return `${LABELS[oid] ?? oid}=${value ? valueText(der, value) : ''}`;
          })
          .join('+'),
      )
      .join(', ');
  } catch {
    return '(unreadable name)';
  }
}
