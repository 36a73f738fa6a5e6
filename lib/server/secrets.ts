import "server-only";
/**
 * Secrets the console hands out (session tokens, TAPs, link tokens): random from
 * node:crypto, and stored only as a SHA-256 hash. A 256-bit random token needs no salt or slow
 * hash (NIST SP 800-63B-4 §3.1.2.2: HMAC/SHA-256 at or above 112 bits).
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { TAP_ALPHABET, TAP_LENGTH } from "@/lib/domain/tap-code";
import { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_LENGTH } from "@/lib/domain/recovery-codes";

/** 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A temporary access pass: 16 characters of Crockford base32 (80 bits), each drawn without bias. */
export function newTapCode(): string {
  return Array.from(
    { length: TAP_LENGTH },
    () => TAP_ALPHABET[randomInt(TAP_ALPHABET.length)],
  ).join("");
}

/** Compares two hex hashes in constant time (docs/security-requirements.md B6). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A saved recovery code: 24 characters of Crockford base32 (120 bits), each drawn without bias
 * (docs/decisions/037). At or above 112 bits, a plain SHA-256 (`hashToken`) stores it.
 */
export function newRecoveryCode(): string {
  return Array.from(
    { length: RECOVERY_CODE_LENGTH },
    () => RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)],
  ).join("");
}
