/**
 * Certificate extensions (RFC 5280 §4.1, §4.2): the Extension element, and
 * the values of the four a CT log reads — basicConstraints, extKeyUsage,
 * authority and subject key identifiers.
 *
 * Extension values are parsed leniently (no DER canonicality checks): they
 * are inside the signed TBSCertificate, so their encoding is the CA's and
 * cannot be varied by a submitter, and a log records what CAs issued.
 *
 * Pure: no I/O, no clock.
 */
import { booleanValue, children, contents, context, type Element, encoding, oidText, readWhole, smallUint, TAG } from './der.ts';
import { X509Error } from './errors.ts';
import { OID_AUTHORITY_KEY_ID, OID_BASIC_CONSTRAINTS, OID_EXT_KEY_USAGE, OID_SUBJECT_KEY_ID } from './oids.ts';

export interface CertExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING contents (the DER of the extension's own type). */
  readonly value: Buffer;
  /** The whole Extension element as encoded (RFC 5280 §4.1), for the precertificate TBS rewrite. */
  readonly der: Buffer;
}

/** Reads an extension value of its own DER type; any failure is BAD_EXTENSION naming it. */
function parseExtValue<T>(e: CertExtension, what: string, read: (v: Buffer, top: Element) => T): T {
  try {
    return read(e.value, readWhole(e.value, what, false));
  } catch (err) {
    throw new X509Error('BAD_EXTENSION', `${what} extension does not parse: ${(err as Error).message}`, { cause: err });
  }
}

function requireTag(e: Element | undefined, tag: number, what: string): Element {
  if (!e || e.tag !== tag)
    throw new X509Error('MALFORMED', `${what}: got ${e ? `tag 0x${e.tag.toString(16)}` : 'nothing'}, want 0x${tag.toString(16)}`);
  return e;
}

/** RFC 5280 §4.2.1.9: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
function basicConstraints(v: Buffer, top: Element) {
  requireTag(top, TAG.SEQUENCE, 'BasicConstraints');
  const items = children(v, top, false);
  let i = 0;
  let ca = false;
  if (items[i]?.tag === TAG.BOOLEAN) ca = booleanValue(v, items[i++]);
  const pathLen = items[i]?.tag === TAG.INTEGER ? smallUint(v, items[i++], 'pathLenConstraint') : null;
  if (i !== items.length) throw new X509Error('MALFORMED', `BasicConstraints: ${items.length - i} unexpected elements`);
  return { ca, pathLen };
}

/** RFC 5280 §4.2.1.12: ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId. */
function extKeyUsage(v: Buffer, top: Element): string[] {
  requireTag(top, TAG.SEQUENCE, 'ExtKeyUsageSyntax');
  return children(v, top, false).map((p) => oidText(v, requireTag(p, TAG.OID, 'KeyPurposeId')));
}

/** RFC 5280 §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, [1] …, [2] … }. */
function authorityKeyId(v: Buffer, top: Element): Buffer | null {
  requireTag(top, TAG.SEQUENCE, 'AuthorityKeyIdentifier');
  let last = -1;
  let keyId: Buffer | null = null;
  for (const item of children(v, top, false)) {
    const n = item.tag & 0x1f;
    if ((item.tag & 0xc0) !== 0x80 || n > 2 || n <= last) {
      throw new X509Error('MALFORMED', `AuthorityKeyIdentifier: unexpected tag 0x${item.tag.toString(16)}`);
    }
    last = n;
    if (n === 0) {
      if (item.tag !== context(0, false)) throw new X509Error('MALFORMED', 'AuthorityKeyIdentifier keyIdentifier is constructed');
      keyId = contents(v, item);
    }
  }
  return keyId;
}

/** RFC 5280 §4.2.1.2: SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING). */
function subjectKeyId(v: Buffer, top: Element): Buffer {
  return contents(v, requireTag(top, TAG.OCTET_STRING, 'SubjectKeyIdentifier'));
}

/** RFC 5280 §4.1: Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function readExtension(der: Buffer, e: Element, strict: boolean): CertExtension {
  const [id, second, third, ...rest] = children(der, requireTag(e, TAG.SEQUENCE, 'Extension'), strict);
  const hasCritical = second?.tag === TAG.BOOLEAN;
  const value = hasCritical ? third : second;
  if (!id || id.tag !== TAG.OID || !value || value.tag !== TAG.OCTET_STRING || rest.length > 0 || (!hasCritical && third)) {
    throw new X509Error('MALFORMED', 'Extension is not SEQUENCE { extnID, critical, extnValue } (RFC 5280 §4.1)');
  }
  const critical = hasCritical && booleanValue(der, second);
  if (strict && hasCritical && !critical) {
    throw new X509Error('NOT_DER', 'Extension encodes critical FALSE, its DEFAULT; DER omits default values (X.690 §11.5)');
  }
  return new DerExtension(der, oidText(der, id), critical, value, e);
}

/** A CertExtension whose byte views are made on first use (most extensions of a leaf are never looked at). */
class DerExtension implements CertExtension {
  readonly #cert: Buffer;
  readonly #value: Element;
  readonly #element: Element;
  #valueBytes: Buffer | null = null;
  #derBytes: Buffer | null = null;

  constructor(
    cert: Buffer,
    readonly oid: string,
    readonly critical: boolean,
    value: Element,
    element: Element,
  ) {
    this.#cert = cert;
    this.#value = value;
    this.#element = element;
  }

  get value(): Buffer {
    this.#valueBytes ??= contents(this.#cert, this.#value);
    return this.#valueBytes;
  }

  get der(): Buffer {
    this.#derBytes ??= encoding(this.#cert, this.#element);
    return this.#derBytes;
  }
}

/** What a CT log reads from the known extensions; null where an extension is absent. */
export interface KnownExtensions {
  /** RFC 5280 §4.2.1.9. */
  readonly basicConstraints: { readonly ca: boolean; readonly pathLen: number | null } | null;
  /** RFC 5280 §4.2.1.12 purposes. */
  readonly extKeyUsage: readonly string[] | null;
  /** keyIdentifier of the AKI (RFC 5280 §4.2.1.1) and the SKI (§4.2.1.2). */
  readonly authorityKeyId: Buffer | null;
  readonly subjectKeyId: Buffer | null;
}

/** Refuses a repeated extension, then reads the known ones (X509Error BAD_EXTENSION when one does not parse). */
export function knownExtensions(extensions: readonly CertExtension[]): KnownExtensions {
  let bc: CertExtension | undefined;
  let eku: CertExtension | undefined;
  let aki: CertExtension | undefined;
  let ski: CertExtension | undefined;
  for (let k = 0; k < extensions.length; k++) {
    const e = extensions[k];
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    for (let j = 0; j < k; j++) {
      if (extensions[j].oid === e.oid) throw new X509Error('BAD_EXTENSION', `extension ${e.oid} appears twice (RFC 5280 §4.2)`);
    }
    if (e.oid === OID_BASIC_CONSTRAINTS) bc = e;
    else if (e.oid === OID_EXT_KEY_USAGE) eku = e;
    else if (e.oid === OID_AUTHORITY_KEY_ID) aki = e;
    else if (e.oid === OID_SUBJECT_KEY_ID) ski = e;
  }
  return {
    basicConstraints: bc ? parseExtValue(bc, 'basicConstraints', basicConstraints) : null,
    extKeyUsage: eku ? parseExtValue(eku, 'extKeyUsage', extKeyUsage) : null,
    authorityKeyId: aki ? parseExtValue(aki, 'authorityKeyIdentifier', authorityKeyId) : null,
    subjectKeyId: ski ? parseExtValue(ski, 'subjectKeyIdentifier', subjectKeyId) : null,
  };
}
