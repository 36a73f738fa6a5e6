import "server-only";
/**
 * GET /metrics's token check: `Authorization: Bearer <token>`, compared in constant time (both
 * sides hashed first, so neither the length nor a prefix of the token leaks through timing).
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function metricsTokenMatches(authorization: string | null, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? "");
  return timingSafeEqual(digest(match?.[1] ?? ""), digest(token)) && match !== null;
}
