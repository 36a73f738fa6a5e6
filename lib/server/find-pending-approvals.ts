import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { teamScope } from "./cases/unit-of-work";
import { utcTimestamp } from "./sql-time";
import type { CurrentStaff } from "./resume-staff-session";

/** How long a lapsed request stays on the queue page, marked lapsed, after it left the queue. */
export const LAPSED_SHOWN_MINUTES = 60;

/**
 * The requests `viewer` may decide now, as the FROM and WHERE of one SQL statement: their team's
 * PENDING requests that have not expired, which they neither requested nor worked. "Worked" is
 * the list the case unit of work gives decideApproval (lib/domain/approval.ts; loadCase in
 * lib/server/cases/unit-of-work.ts): the case's agent, whoever recorded one of its steps, raised
 * one of its red flags, requested or decided one of its approvals, or did anything else on it
 * that was audited as allowed. Only a supervisor with a team decides anything.
 */
function decidableBy(viewer: CurrentStaff, now: Date): Prisma.Sql | null {
  if (viewer.role !== "SUPERVISOR" || !viewer.team) return null;
  const me = Prisma.sql`${viewer.id}::uuid`;
  return Prisma.sql`
    FROM "Approval" a JOIN "RecoveryCase" c ON c.id = a."caseId"
    WHERE a.status = 'PENDING'
      AND (a."expiresAt" IS NULL OR a."expiresAt" > ${utcTimestamp(now)})
      AND c.team = ${viewer.team}
      AND a."requestedById" <> ${me}
      AND c."agentId" <> ${me}
      AND NOT EXISTS (SELECT 1 FROM "ChecklistRun" r JOIN "ChecklistStep" s ON s."runId" = r.id
                      WHERE r."caseId" = c.id AND s."recordedById" = ${me})
      AND NOT EXISTS (SELECT 1 FROM "RedFlag" f WHERE f."caseId" = c.id AND f."raisedById" = ${me})
      AND NOT EXISTS (SELECT 1 FROM "Approval" o WHERE o."caseId" = c.id
                      AND (o."requestedById" = ${me} OR o."decidedById" = ${me}))
      AND NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."caseId" = c.id
                      AND e."actorType" = 'STAFF' AND e.outcome = 'ALLOWED' AND e."actorId" = ${me})`;
}

/**
 * The badge on "Approvals": how many requests wait for this supervisor's decision (decidableBy),
 * in one statement, since the console's layout renders it on every page. 0 for anyone else.
 */
export async function countWaitingApprovals(
  viewer: CurrentStaff,
  now: Date = new Date(),
): Promise<number> {
  const from = decidableBy(viewer, now);
  if (!from) return 0;
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n ${from}`;
  return row?.n ?? 0;
}

/**
 * The supervisors' queue: their team's pending re-enrolments with everything needed to decide
 * them, and the requests that lapsed unanswered in the last LAPSED_SHOWN_MINUTES (they left the
 * queue; the page shows them lapsed, without Approve or Deny). `decidable` says whether this
 * viewer may decide it (the badge's rule); `lapsed` whether it expired.
 */
export async function findPendingApprovals(viewer: CurrentStaff, now: Date = new Date()) {
  const since = new Date(now.getTime() - LAPSED_SHOWN_MINUTES * 60_000);
  const from = decidableBy(viewer, now);
  const [approvals, decidable] = await Promise.all([
    findApprovals(viewer, since),
    from ? db.$queryRaw<{ id: string }[]>`SELECT a.id ${from}` : Promise.resolve([]),
  ]);
  const mayDecide = new Set(decidable.map((row) => row.id));
  return approvals.map((approval) => ({
    ...approval,
    lapsed: approval.expiresAt !== null && approval.expiresAt <= now,
    decidable: mayDecide.has(approval.id),
  }));
}

async function findApprovals(viewer: CurrentStaff, since: Date) {
  const approvals = await db.approval.findMany({
    where: {
      case: teamScope(viewer),
      OR: [
        { status: "PENDING" },
        // Lapsed lately: marked by the sweep, or by a late click or a new request.
        { status: "EXPIRED", expiresAt: { gt: since } },
      ],
    },
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
                  nickname: true,
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
