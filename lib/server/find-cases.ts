import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { deadlinesOf, type QueueFilters } from "@/lib/domain/case-queue";
import { stopReason, type CaseFacts } from "@/lib/domain/recovery-decisions";
import { policyFor, RED_FLAG_KINDS, type RedFlagKind } from "@/lib/domain/recovery-policy";
import { parseTicketReference } from "@/lib/domain/ticket-reference";
import { isLeaver } from "@/lib/domain/workforce";
import { teamScope } from "./cases/unit-of-work";
import type { CurrentStaff } from "./resume-staff-session";
import { escapeLike } from "@/lib/domain/like-pattern";

const OPEN: Prisma.RecoveryCaseWhereInput = { status: { notIn: ["CLOSED", "REVOKED"] } };

/**
 * A superset of the cases stopReason stops (lib/domain/recovery-decisions.ts): the queue reads
 * these, then keeps exactly the ones the rule stops, so "Stopped" means what the case page says.
 */
function maybeStopped(now: Date): Prisma.RecoveryCaseWhereInput {
  return {
    OR: [
      { redFlags: { some: { kind: { in: [...RED_FLAG_KINDS] } } } },
      { checklist: { steps: { some: { outcome: "FAILED" } } } },
      { user: { holds: { some: { clearedAt: null } } } },
      { user: { status: { in: ["LEFT", "SUSPENDED"] } } },
      // A leaving date that passed makes a leaver whatever the status says (isLeaver).
      { user: { leavingOn: { lt: now } } },
      { user: { cases: { some: { checklist: { steps: { some: { outcome: "FAILED" } } } } } } },
      { user: { cases: { some: { redFlags: { some: { kind: { in: [...RED_FLAG_KINDS] } } } } } } },
    ],
  };
}

function viewWhere(
  filters: QueueFilters,
  viewer: CurrentStaff,
  now: Date,
): Prisma.RecoveryCaseWhereInput {
  const live = { usedAt: null, voidedAt: null, expiresAt: { gt: now } };
  switch (filters.view) {
    case "mine":
      return { ...OPEN, ownerId: viewer.id };
    case "unassigned":
      return { ...OPEN, ownerId: null };
    case "waiting":
      return {
        ...OPEN,
        OR: [
          { stepLinks: { some: live } },
          { accessPasses: { some: live } },
          { enrolmentLinks: { some: live } },
        ],
      };
    case "supervisor":
      return { ...OPEN, approvals: { some: { status: "PENDING", expiresAt: { gt: now } } } };
    case "stopped":
      return { AND: [OPEN, maybeStopped(now)] };
    case "closed":
      return { status: { in: ["CLOSED", "REVOKED"] } };
    case "team":
      return OPEN;
  }
}

function searchWhere(q: string | undefined): Prisma.RecoveryCaseWhereInput {
  if (!q) return {};
  const ticket = parseTicketReference(q);
  // Prisma's contains and startsWith are LIKE patterns: % and _ typed in the search are literal.
  const literal = escapeLike(q);
  return {
    OR: [
      ...(ticket.ok ? [{ ticketRef: ticket.value }] : []),
      { ticketRef: { contains: literal.toUpperCase() } },
      { user: { name: { contains: literal, mode: "insensitive" as const } } },
      { user: { employeeId: { startsWith: literal.toUpperCase() } } },
    ],
  };
}

/** How many cases one queue page shows. */
export const QUEUE_PAGE = 50;

/**
 * The work queue: the viewer's team's cases (every team's for security reviewers), filtered by
 * view, reason, tier and a search (ticket, caller's name or employee ID), open ones oldest first
 * (the caller who waited longest), closed ones newest first. Each row carries its owner, its
 * running clocks and whether the case is stopped, decided by the same rule as the case page.
 */
export async function findCases(options: {
  viewer: CurrentStaff;
  filters?: QueueFilters;
  now?: Date;
}) {
  const now = options.now ?? new Date();
  const filters = options.filters ?? { view: "team" };
  const where: Prisma.RecoveryCaseWhereInput = {
    AND: [
      teamScope(options.viewer),
      viewWhere(filters, options.viewer, now),
      filters.reason ? { reason: filters.reason } : {},
      filters.tier ? { riskTier: filters.tier } : {},
      searchWhere(filters.q),
    ],
  };
  const closed = filters.view === "closed";
  // "Stopped" is decided per case after reading: read more so a page is still a page.
  const take = filters.view === "stopped" ? QUEUE_PAGE * 4 : QUEUE_PAGE;
  const rows = await db.recoveryCase.findMany({
    where,
    orderBy: closed
      ? [{ closedAt: "desc" }, { id: "desc" }]
      : [{ createdAt: "asc" }, { id: "asc" }],
    take,
    select: {
      id: true,
      userId: true,
      status: true,
      reason: true,
      riskTier: true,
      policyVersion: true,
      repeatCall: true,
      needsApproval: true,
      ticketRef: true,
      createdAt: true,
      closedAt: true,
      team: true,
      owner: { select: { id: true, name: true } },
      agent: { select: { name: true } },
      user: { select: { name: true, employeeId: true, status: true, leavingOn: true } },
      checklist: { select: { steps: { select: { kind: true, outcome: true } } } },
      redFlags: { select: { kind: true } },
      accessPasses: { select: { expiresAt: true, usedAt: true, voidedAt: true } },
      enrolmentLinks: { select: { expiresAt: true, usedAt: true, voidedAt: true } },
      stepLinks: { select: { kind: true, expiresAt: true, usedAt: true, voidedAt: true } },
      approvals: { select: { status: true, expiresAt: true } },
    },
  });
  // What the person's other cases say (a hold, a failed check elsewhere) counts for each case.
  const userIds = [...new Set(rows.map((row) => row.userId))];
  const [holds, elsewhere] = await Promise.all([
    db.recoveryHold.findMany({
      where: { userId: { in: userIds }, clearedAt: null },
      select: { userId: true },
      distinct: ["userId"],
    }),
    // The person's other cases with a failed check or a red flag: they count for every case.
    db.recoveryCase.findMany({
      where: {
        userId: { in: userIds },
        OR: [{ checklist: { steps: { some: { outcome: "FAILED" } } } }, { redFlags: { some: {} } }],
      },
      select: {
        id: true,
        userId: true,
        createdAt: true,
        status: true,
        redFlags: { select: { kind: true } },
        checklist: { select: { steps: { where: { outcome: "FAILED" }, select: { id: true } } } },
      },
    }),
  ]);
  const onHold = new Set(holds.map((hold) => hold.userId));
  const cases = rows.map((row) => {
    const policy = policyFor(row.policyVersion);
    const since = now.getTime() - policy.repeatCalls.windowHours * 3600_000;
    // The same rule as loadCase: the person's other recent or open cases.
    const related = elsewhere.filter(
      (other) =>
        other.userId === row.userId &&
        other.id !== row.id &&
        (other.createdAt.getTime() > since || !["CLOSED", "REVOKED"].includes(other.status)),
    );
    const facts: CaseFacts = {
      status: row.status,
      riskTier: row.riskTier,
      reason: row.reason,
      leaver: isLeaver(row.user, now),
      steps: row.checklist?.steps ?? [],
      redFlags: [...row.redFlags, ...related.flatMap((other) => other.redFlags)].map((flag) => ({
        kind: flag.kind as RedFlagKind,
      })),
      repeatCall: row.repeatCall,
      onHold: onHold.has(row.userId),
      failedElsewhere: related.some((other) => (other.checklist?.steps.length ?? 0) > 0),
    };
    const open = !["CLOSED", "REVOKED"].includes(row.status);
    return {
      id: row.id,
      status: row.status,
      reason: row.reason,
      riskTier: row.riskTier,
      needsApproval: row.needsApproval,
      ticketRef: row.ticketRef,
      createdAt: row.createdAt,
      closedAt: row.closedAt,
      team: row.team,
      owner: row.owner,
      agent: row.agent,
      user: { name: row.user.name, employeeId: row.user.employeeId },
      stopped: open ? stopReason(policy, facts) : null,
      deadlines: open ? deadlinesOf(row, now) : [],
      waitingForSupervisor: row.approvals.some(
        (a) => a.status === "PENDING" && a.expiresAt !== null && a.expiresAt > now,
      ),
    };
  });
  const shown = filters.view === "stopped" ? cases.filter((kase) => kase.stopped) : cases;
  return shown.slice(0, QUEUE_PAGE);
}

export type QueueCase = Awaited<ReturnType<typeof findCases>>[number];
