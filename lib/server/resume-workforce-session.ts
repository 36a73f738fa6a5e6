import "server-only";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { hashToken } from "./secrets";

/**
 * The workforce user behind an account-page session, with their passkeys, or null when expired,
 * or when the person has left or is suspended (their sessions end with the status change; this
 * holds even if the status was changed outside the console).
 */
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
          status: true,
          leavingOn: true,
          passkeys: {
            select: {
              id: true,
              modelName: true,
              backedUp: true,
              createdAt: true,
              lastUsedAt: true,
              status: true,
            },
            orderBy: { createdAt: "desc" },
          },
        },
      },
    },
  });
  if (!session || session.expiresAt <= now) return null;
  if (isLeaver(session.user, now)) {
    await db.workforceSession.deleteMany({ where: { id: session.id } });
    return null;
  }
  return session;
}
