/**
 * The shape of a temporary access pass as people type it: 16 characters of Crockford base32
 * (80 bits, above NIST SP 800-63B-4's 64), shown in groups of four. Typing is forgiving: case,
 * spaces and dashes are ignored, and O/I/L read as 0/1/1.
 */
export const TAP_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const TAP_LENGTH = 16;

export function formatTapCode(code: string): string {
  return code.match(/.{1,4}/g)?.join("-") ?? code;
}

/** The canonical form of what someone typed, or null if it cannot be a pass. */
export function normalizeTapCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s-]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (cleaned.length !== TAP_LENGTH) return null;
  for (const char of cleaned) if (!TAP_ALPHABET.includes(char)) return null;
  return cleaned;
}
