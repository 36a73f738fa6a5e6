/**
 * The signature header every webhook the console sends carries (the SIEM sinks, decision 019, and
 * the ITSM endpoints, decision 035): `sha256=<hex>` of HMAC-SHA256 over `timestamp.body`, one per
 * key that signs, comma-separated, newest first. Two keys sign while a rotated one is retired, so
 * a receiver on either key accepts the request: it accepts if any signature is its key's.
 */
export function signatureHeader(signatures: readonly string[]): string {
  return signatures.join(", ");
}

/** How many keys may sign at once: the new one and the one it replaces. */
export const MAX_SIGNING_KEYS = 2;

/** The shortest HMAC key a sink may use. */
export const MIN_HMAC_KEY_LENGTH = 32;

/**
 * The HMAC keys in a key file (or variable): one per line, the new key first and, while a rotation
 * is under way, the key it replaces on the second line. Blank lines and surrounding spaces are
 * ignored. A problem names what is wrong, never a key.
 */
export function hmacKeysFromText(
  text: string,
): { ok: true; keys: string[] } | { ok: false; problem: string } {
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (keys.length === 0) return { ok: false, problem: "is empty" };
  if (keys.length > MAX_SIGNING_KEYS)
    return {
      ok: false,
      problem: `holds ${keys.length} keys: one, or two while rotating (the new one first)`,
    };
  if (keys.some((key) => key.length < MIN_HMAC_KEY_LENGTH))
    return { ok: false, problem: `has a key shorter than ${MIN_HMAC_KEY_LENGTH} characters` };
  return { ok: true, keys };
}
