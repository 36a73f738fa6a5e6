import "server-only";
import { db } from "@/lib/db";
import {
  activeLeavers,
  dormantHolders,
  leaveToRevocation,
  leaveToRevocationCounts,
  type AccessHolder,
  type DormantDays,
} from "@/lib/domain/dormant-access";
import type { EmploymentStatus } from "@/lib/domain/workforce";

const OPEN_CASE_STATUSES = [
  "OPEN",
  "VERIFIED",
  "PENDING_APPROVAL",
  "APPROVED",
  "FACTOR_ISSUED",
  "REENROLLED",
] as const;

/**
 * The dormant access report's rows (computations in lib/domain/dormant-access.ts): every person who
 * is a leaver or holds an active passkey, with what they still hold; and, for those whose leaving
 * date has passed, the revocations and status changes that ended their access.
 */
export async function getDormantAccess(dormantDays: DormantDays, now: Date = new Date()) {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const users = await db.workforceUser.findMany({
    where: {
      OR: [
        { status: { in: ["LEFT", "SUSPENDED"] } },
        { leavingOn: { lt: today } },
        { passkeys: { some: { status: "ACTIVE" } } },
      ],
    },
    select: {
      id: true,
      name: true,
      employeeId: true,
      status: true,
      leavingOn: true,
      passkeys: {
        where: { status: "ACTIVE" },
        select: { createdAt: true, lastUsedAt: true },
      },
      sessions: { where: { expiresAt: { gt: now } }, select: { createdAt: true } },
      _count: {
        select: {
          accessPasses: { where: { usedAt: null, voidedAt: null, expiresAt: { gt: now } } },
          enrolmentLinks: { where: { usedAt: null, voidedAt: null, expiresAt: { gt: now } } },
          cases: { where: { status: { in: [...OPEN_CASE_STATUSES] } } },
        },
      },
    },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  const ids = users.map((u) => u.id);
  const lastSessions = ids.length
    ? await db.workforceSession.groupBy({
        by: ["userId"],
        where: { userId: { in: ids } },
        _max: { createdAt: true },
      })
    : [];
  const lastSession = new Map(lastSessions.map((s) => [s.userId, s._max.createdAt]));
  const holders: AccessHolder[] = users.map((u) => ({
    userId: u.id,
    name: u.name,
    employeeId: u.employeeId,
    status: u.status as EmploymentStatus,
    leavingOn: u.leavingOn,
    passkeys: u.passkeys,
    sessions: u.sessions,
    passes: u._count.accessPasses,
    links: u._count.enrolmentLinks,
    openCases: u._count.cases,
    signIns: lastSession.get(u.id) ? [lastSession.get(u.id)!] : [],
  }));

  const left = users.flatMap((u) =>
    u.leavingOn && u.leavingOn.getTime() <= now.getTime()
      ? [{ userId: u.id, name: u.name, employeeId: u.employeeId, leavingOn: u.leavingOn }]
      : [],
  );
  const leftIds = left.map((l) => l.userId);
  const [revocations, statusChanges] = leftIds.length
    ? await Promise.all([
        db.revocation.findMany({
          where: { userId: { in: leftIds } },
          select: { userId: true, createdAt: true },
        }),
        db.auditEvent.findMany({
          where: {
            action: "workforce.status_changed",
            outcome: "ALLOWED",
            subjectUserId: { in: leftIds },
            OR: [
              { data: { path: ["to"], equals: "LEFT" } },
              { data: { path: ["to"], equals: "SUSPENDED" } },
            ],
          },
          select: { subjectUserId: true, createdAt: true },
        }),
      ])
    : [[], []];
  const ended = [
    ...revocations.map((r) => ({ userId: r.userId, at: r.createdAt })),
    ...statusChanges.map((e) => ({ userId: e.subjectUserId!, at: e.createdAt })),
  ];
  const toRevocation = leaveToRevocation(left, ended, now);
  return {
    dormantDays,
    leavers: activeLeavers(holders, now),
    dormant: dormantHolders(holders, dormantDays, now),
    toRevocation,
    toRevocationCounts: leaveToRevocationCounts(toRevocation),
  };
}
