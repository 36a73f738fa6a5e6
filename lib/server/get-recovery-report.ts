import "server-only";
import { db } from "@/lib/db";
import {
  countBy,
  median,
  minutesToRevocation,
  repeatCallers,
  REVOKED_BEFORE_CASE_MINUTES,
  type ReportPeriod,
} from "@/lib/domain/reports";

/** Everything the reports page shows, for the last `days` days (aggregation in lib/domain/reports.ts). */
export async function getRecoveryReport(days: ReportPeriod, now: Date = new Date()) {
  const since = new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  const [cases, passes, pendingApprovals, decided, flags, refusals] = await Promise.all([
    db.recoveryCase.findMany({
      where: { createdAt: { gte: since } },
      select: {
        reason: true,
        riskTier: true,
        status: true,
        userId: true,
        agentId: true,
        createdAt: true,
        user: { select: { name: true } },
      },
    }),
    db.temporaryAccessPass.findMany({
      where: { usedAt: null, voidedAt: null, expiresAt: { gt: now } },
      select: { createdAt: true },
    }),
    db.approval.count({ where: { status: "PENDING" } }),
    db.approval.findMany({
      where: { decidedAt: { gte: since } },
      select: { createdAt: true, decidedAt: true },
    }),
    db.redFlag.findMany({ where: { createdAt: { gte: since } }, select: { raisedById: true } }),
    db.auditEvent.groupBy({
      by: ["actorName"],
      where: { createdAt: { gte: since }, outcome: "REFUSED", actorType: "STAFF" },
      _count: true,
    }),
  ]);
  const stolen = cases.filter((c) => c.reason === "STOLEN_DEVICE");
  // From the window before the period's first case on: a case opened just after `since` may
  // follow a revocation made just before it (revoke first, then open the case).
  const revocations = stolen.length
    ? await db.revocation.findMany({
        where: {
          userId: { in: stolen.map((c) => c.userId) },
          createdAt: { gte: new Date(since.getTime() - REVOKED_BEFORE_CASE_MINUTES * 60_000) },
        },
        select: { userId: true, actorId: true, createdAt: true },
      })
    : [];
  const staff = await db.staff.findMany({
    where: { id: { in: [...new Set(flags.map((f) => f.raisedById))] } },
    select: { id: true, name: true },
  });
  const toRevocation = minutesToRevocation(
    // Self-service cases (recovery codes, no agent) are never for a stolen device.
    stolen.flatMap((c) =>
      c.agentId ? [{ userId: c.userId, agentId: c.agentId, openedAt: c.createdAt }] : [],
    ),
    revocations.map((r) => ({ userId: r.userId, actorId: r.actorId, at: r.createdAt })),
  );
  return {
    days,
    cases: cases.length,
    byReason: countBy(cases, (c) => c.reason),
    byTier: countBy(cases, (c) => c.riskTier),
    byStatus: countBy(cases, (c) => c.status),
    stolenCases: stolen.length,
    medianMinutesToRevocation: median(toRevocation),
    revokedStolenCases: toRevocation.length,
    outstandingPasses: passes.length,
    oldestPassMinutes: passes.length
      ? Math.max(...passes.map((p) => (now.getTime() - p.createdAt.getTime()) / 60_000))
      : null,
    pendingApprovals,
    medianApprovalMinutes: median(
      decided
        .filter((d) => d.decidedAt)
        .map((d) => (d.decidedAt!.getTime() - d.createdAt.getTime()) / 60_000),
    ),
    redFlagsByAgent: countBy(
      flags,
      (f) => staff.find((s) => s.id === f.raisedById)?.name ?? "unknown",
    ),
    refusalsByActor: refusals
      .map((r) => ({ key: r.actorName, count: r._count }))
      .sort((a, b) => b.count - a.count),
    repeatCallers: repeatCallers(cases.map((c) => ({ userId: c.userId, userName: c.user.name }))),
  };
}
