import "server-only";
/**
 * The WebAuthn relying party: exact constants from configuration (docs/security-requirements.md C2), never
 * derived from request headers. The RP ID is the console's host name; the origin its URL's.
 */
import type { Prisma } from "@/generated/prisma/client";
import { publicUrl } from "@/lib/env";
import type { Tx } from "./audit";

const url = new URL(publicUrl);
export const RELYING_PARTY = { name: "Northwind", id: url.hostname, origin: url.origin } as const;

/** Ceremonies must finish within this; the stored challenge expires with it. */
export const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The challenge a browser's response claims to answer, read from its client data, so that the
 * server-side challenge can be looked up and consumed before anything else is trusted.
 */
export function challengeFromClientData(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as {
      challenge?: unknown;
    };
    return typeof data.challenge === "string" ? data.challenge : null;
  } catch {
    return null;
  }
}

/**
 * Consumes the stored challenge a response answers, once: one guarded UPDATE (in `scope`, unused,
 * unexpired) that must touch exactly one row. Returns the challenge, or null if it is not usable.
 */
export async function consumeChallenge(
  tx: Pick<Tx, "webAuthnChallenge">,
  clientDataJSON: string,
  scope: Prisma.WebAuthnChallengeWhereInput,
): Promise<string | null> {
  const challenge = challengeFromClientData(clientDataJSON);
  if (!challenge) return null;
  const consumed = await tx.webAuthnChallenge.updateMany({
    where: { ...scope, challenge, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  return consumed.count === 1 ? challenge : null;
}
