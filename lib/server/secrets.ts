import "server-only";
/**
 * Secrets the console hands out (session tokens now; TAPs and link tokens later): random from
 * node:crypto, and stored only as a SHA-256 hash. A 256-bit random token needs no salt or slow
 * hash (NIST SP 800-63B-4 §3.1.2.2: HMAC/SHA-256 at or above 112 bits).
 */
import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
