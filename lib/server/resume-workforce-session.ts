import "server-only";
import { db } from "@/lib/db";
import { hashToken } from "./secrets";

/** The workforce user behind an account-page session, with their passkeys, or null when expired. */
export async function resumeWorkforceSession(token: string, now: Date = new Date()) {
  if (token.length < 32 || token.length > 128) return null;
  const session = await db.workforceSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      method: true,
      tapId: true,
      expiresAt: true,
      user: {
        select: {
          id: true,
          name: true,
          passkeys: { select: { id: true, modelName: true, backedUp: true, createdAt: true, lastUsedAt: true, status: true }, orderBy: { createdAt: "desc" } },
        },
      },
    },
  });
  if (!session || session.expiresAt <= now) return null;
  return session;
}
