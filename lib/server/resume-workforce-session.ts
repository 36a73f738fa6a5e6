import "server-only";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { db } from "@/lib/db";
import { hashToken } from "./secrets";

/**
 * The workforce user behind an account-page session, with their passkeys, or null when expired
 * (past its absolute lifetime, or idle longer than the policy allows), or when the person has
 * left or is suspended (their sessions end with the status change; this holds even if the
 * status was changed outside the console). Using a live session marks it seen, at most once a
 * minute, so reads do not write on every request.
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
      lastSeenAt: true,
      verifiedAt: true,
      user: {
        select: {
          id: true,
          name: true,
          status: true,
          leavingOn: true,
          riskTier: true,
          passkeys: {
            select: {
              id: true,
              modelName: true,
              backedUp: true,
              createdAt: true,
              lastUsedAt: true,
              status: true,
              nickname: true,
              revokedAt: true,
              revokedReason: true,
            },
            orderBy: { createdAt: "desc" },
          },
        },
      },
    },
  });
  if (!session || session.expiresAt <= now) return null;
  const idleMs = ACTIVE_POLICY.lifetimes.workforceIdleMinutes * 60_000;
  if (now.getTime() - session.lastSeenAt.getTime() > idleMs || isLeaver(session.user, now)) {
    await db.workforceSession.deleteMany({ where: { id: session.id } });
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= 60_000) {
    await db.workforceSession.updateMany({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  return session;
}
