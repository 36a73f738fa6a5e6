import "server-only";
import { db } from "@/lib/db";
import { teamScope } from "./cases/unit-of-work";
import type { CurrentStaff } from "./resume-staff-session";

/** The supervisors' queue: their team's pending re-enrolments with everything needed to decide them. */
export async function findPendingApprovals(viewer: CurrentStaff) {
  const approvals = await db.approval.findMany({
    where: { status: "PENDING", case: teamScope(viewer) },
    orderBy: { createdAt: "asc" },
    take: 50,
    select: {
      id: true,
      needReason: true,
      createdAt: true,
      expiresAt: true,
      requestedById: true,
      snapshot: true,
      case: {
        select: {
          id: true,
          agentId: true,
          reason: true,
          channel: true,
          callerClaim: true,
          riskTier: true,
          repeatCall: true,
          createdAt: true,
          agent: { select: { name: true } },
          user: {
            select: {
              id: true,
              name: true,
              employeeId: true,
              title: true,
              department: true,
              passkeys: {
                select: {
                  id: true,
                  modelName: true,
                  backedUp: true,
                  lastUsedAt: true,
                  status: true,
                },
                orderBy: { createdAt: "desc" },
              },
              cases: {
                select: { id: true, reason: true, status: true, createdAt: true },
                orderBy: { createdAt: "desc" },
                take: 5,
              },
            },
          },
          checklist: {
            select: {
              steps: {
                select: { kind: true, outcome: true, note: true, recordedById: true },
                orderBy: { position: "asc" },
              },
            },
          },
          redFlags: { select: { kind: true, note: true, raisedById: true } },
        },
      },
    },
  });
  const requesters = await db.staff.findMany({
    where: { id: { in: approvals.map((a) => a.requestedById) } },
    select: { id: true, name: true },
  });
  return approvals.map(({ snapshot, ...approval }) => ({
    ...approval,
    requestedBy: requesters.find((r) => r.id === approval.requestedById)?.name ?? "unknown",
    revokePasskeyIds: (snapshot as { revokePasskeyIds?: string[] }).revokePasskeyIds ?? [],
    /** Everyone who worked the case: none of them may decide (the server refuses; the page offers no buttons). */
    workedByIds: [
      approval.case.agentId,
      approval.requestedById,
      ...(approval.case.checklist?.steps.map((step) => step.recordedById) ?? []),
      ...approval.case.redFlags.map((flag) => flag.raisedById),
    ].filter((id): id is string => Boolean(id)),
  }));
}

/** A supervisor's own latest decisions, so a decision stays visible after it leaves the queue. */
export async function findRecentDecisions(staffId: string) {
  return db.approval.findMany({
    where: { decidedById: staffId },
    orderBy: { decidedAt: "desc" },
    take: 5,
    select: {
      id: true,
      status: true,
      decidedAt: true,
      reason: true,
      case: { select: { id: true, user: { select: { name: true } } } },
    },
  });
}
