import "server-only";
/**
 * Sealing for outbox bodies, which may carry a one-time secret until delivered: AES-256-GCM
 * with a key derived (HKDF-SHA256) from NEXTAUTH_SECRET, so a database dump alone reveals no
 * pass or link. Bodies are wiped once sent.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

const PREFIX = "sealed:v1:";

let derived: { secret: string; key: Buffer } | null = null;

/** The key, derived once for the secret in use: every queued notice is sealed, and HKDF costs more than the sealing. */
function key(): Buffer {
  const secret = env.NEXTAUTH_SECRET;
  if (derived?.secret !== secret)
    derived = {
      secret,
      key: Buffer.from(hkdfSync("sha256", secret, "recovery-console", "outbox-body", 32)),
    };
  return derived.key;
}

export function seal(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function unseal(sealed: string): string {
  if (!sealed.startsWith(PREFIX)) throw new Error("not a sealed body");
  const raw = Buffer.from(sealed.slice(PREFIX.length), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}
