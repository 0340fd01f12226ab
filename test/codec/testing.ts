/** Test-only helpers for codec, crypto and keygen tests. */
export const hex = (s: string): Buffer => Buffer.from(s, 'hex');
/** Lenient base64 for reading fixtures (strictness is what the code under test checks). */
export const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
