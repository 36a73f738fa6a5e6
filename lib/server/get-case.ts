import "server-only";
import { db } from "@/lib/db";
import { maskAddress } from "@/lib/domain/notifications";

/** One case as the case page shows it. Secrets (hashes) are never selected. null if none. */
export async function getCase(caseId: string) {
  const kase = await db.recoveryCase.findUnique({
    where: { id: caseId },
    select: {
      id: true,
      status: true,
      reason: true,
      channel: true,
      callerClaim: true,
      riskTier: true,
      policyVersion: true,
      repeatCall: true,
      needsApproval: true,
      createdAt: true,
      closedAt: true,
      closeReason: true,
      agent: { select: { name: true } },
      user: {
        select: {
          id: true,
          name: true,
          employeeId: true,
          title: true,
          department: true,
          phoneOfRecord: true,
          status: true,
          leavingOn: true,
          manager: { select: { name: true } },
          _count: { select: { passkeys: { where: { status: "ACTIVE" } } } },
          passkeys: { where: { status: "ACTIVE" }, select: { id: true, modelName: true, backedUp: true, lastUsedAt: true, createdAt: true }, orderBy: { createdAt: "desc" } },
        },
      },
      checklist: { select: { scriptKey: true, steps: { select: { kind: true, outcome: true, note: true, recordedAt: true }, orderBy: { position: "asc" } } } },
      stepLinks: { select: { kind: true, sentTo: true, expiresAt: true, usedAt: true, voidedAt: true, createdAt: true }, orderBy: { createdAt: "desc" } },
      redFlags: { select: { kind: true, note: true, createdAt: true }, orderBy: { createdAt: "asc" } },
      approvals: { select: { id: true, status: true, needReason: true, reason: true, createdAt: true, expiresAt: true, decidedAt: true }, orderBy: { createdAt: "desc" } },
      enrolmentLinks: { select: { id: true, sentTo: true, createdAt: true, expiresAt: true, usedAt: true, voidedAt: true, revokePasskeyIds: true }, orderBy: { createdAt: "desc" } },
      accessPasses: { select: { id: true, createdAt: true, expiresAt: true, usedAt: true, voidedAt: true, voidReason: true, oneTime: true, failedAttempts: true, maxFailures: true }, orderBy: { createdAt: "desc" } },
    },
  });
  if (!kase) return null;
  const events = await db.auditEvent.findMany({
    where: { caseId },
    orderBy: { id: "asc" },
    select: { id: true, createdAt: true, action: true, outcome: true, reason: true, actorName: true, actorRole: true, data: true },
  });
  return {
    ...kase,
    activePasskeys: kase.user._count.passkeys,
    stepLinks: kase.stepLinks.map((link) => ({ ...link, sentTo: maskAddress(link.sentTo) })),
    enrolmentLinks: kase.enrolmentLinks.map((link) => ({ ...link, sentTo: link.sentTo ? maskAddress(link.sentTo) : "" })),
    events: events.map((event) => ({ ...event, id: event.id.toString() })),
  };
}

export type CasePage = NonNullable<Awaited<ReturnType<typeof getCase>>>;
