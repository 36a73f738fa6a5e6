import "server-only";
import { db } from "@/lib/db";
import { decideOpenCase, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { onlyPartOfTheLog } from "./find-audit-events";

/**
 * Why no case can be opened for this person now, as the user page shows it (decision 025), or
 * null: the same `decideOpenCase` openCase runs under the person's lock, on the same facts read
 * without it. A repeat-call block counts only once an opening was refused for it within the
 * window (that refusal is what alerts security, so the page never pre-empts it), and says when.
 */
export async function getCaseOpening(
  userId: string,
  now: Date = new Date(),
): Promise<{ refusal: Refusal; refusedAt: Date | null } | null> {
  const policy = ACTIVE_POLICY;
  const since = new Date(now.getTime() - policy.repeatCalls.windowHours * 60 * 60 * 1000);
  const [user, casesInWindow, holds] = await Promise.all([
    db.workforceUser.findUnique({
      where: { id: userId },
      select: { status: true, leavingOn: true },
    }),
    db.recoveryCase.count({ where: { userId, createdAt: { gt: since } } }),
    db.recoveryHold.count({ where: { userId, clearedAt: null } }),
  ]);
  if (!user) return null;
  const decision = decideOpenCase({
    policy,
    leaver: isLeaver(user, now),
    onHold: holds > 0,
    casesInWindow,
  });
  if (decision.ok) return null;
  if (decision.code !== "THROTTLED") return { refusal: decision, refusedAt: null };
  // Only events that are part of the log (decision 017) say an opening was refused.
  const [refused] = await onlyPartOfTheLog(
    await db.auditEvent.findMany({
      where: {
        subjectUserId: userId,
        action: "case.action_refused",
        reason: "THROTTLED",
        createdAt: { gt: since },
      },
      orderBy: { id: "desc" },
      take: 1,
    }),
  );
  return refused ? { refusal: decision, refusedAt: refused.createdAt } : null;
}
