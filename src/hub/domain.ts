/**
 * The shapes of the two structures the hub key signs (specs/gossip-hub.md
 * §2.1 TimestampedEntry, §2.3 HubTreeHead). The original signs both with one
 * key and no type byte, so a blob shaped to make its TimestampedEntry also
 * decode as a HubTreeHead would turn an SGT into a forged tree head
 * (ARCHITECTURE.md, "Hub domain separation"). The hub's signer refuses either
 * shape in the other's place (src/personalities/hub/signer.ts), and clients
 * refuse a "tree head" that parses as an entry and the reverse (client.ts).
 *
 * "Parses as" means the full byte string has the other structure's shape,
 * with no trailing bytes (the original's `tls.Unmarshal` callers refuse
 * trailing data). The checks are structural and broader than any decoder:
 * they ignore the size of integers and the UTF-8 of source ids.
 */

/**
 * True when `data` has the shape of a HubTreeHead (§2.3): u64 ‖ u64 ‖
 * u16 n ‖ n bytes with 1 ≤ n and nothing after. Structural only — any
 * uint64 size counts, as it would for a Go client — so it is at least as
 * broad as every strict decoder, and it never throws (it runs per request).
 */
export function parsesAsTreeHead(data: Uint8Array): boolean {
  if (data.length < 19) return false;
  const n = (data[16] << 8) | data[17];
  return n >= 1 && data.length === 18 + n;
}

/**
 * True when `data` has the shape of a TimestampedEntry (§2.1):
 * u16 a ‖ a bytes (a ≥ 1) ‖ u16 b ‖ b bytes (b ≥ 1) ‖ u16 c ‖ c bytes ‖ u64,
 * nothing after. Structural only (source_id need not be UTF-8), never throws.
 */
export function parsesAsEntry(data: Uint8Array): boolean {
  let at = 0;
  for (const min of [1, 1, 0]) {
    if (data.length < at + 2) return false;
    const n = (data[at] << 8) | data[at + 1];
    if (n < min) return false;
    at += 2 + n;
  }
  return data.length === at + 8;
}
