import "server-only";
import { db } from "@/lib/db";
import { onlyPartOfTheLog } from "./find-audit-events";

const RECENT_EVENTS = 20;

/**
 * One workforce user as the user page shows them: HR record, manager, addresses, every
 * passkey (newest first) and the latest audit events about them. null when there is none.
 */
export async function getWorkforceUser(userId: string) {
  const user = await db.workforceUser.findUnique({
    where: { id: userId },
    select: {
      id: true,
      employeeId: true,
      name: true,
      department: true,
      title: true,
      phoneOfRecord: true,
      riskTier: true,
      status: true,
      leavingOn: true,
      manager: { select: { id: true, name: true, title: true } },
      emails: {
        select: { address: true, kind: true, verified: true, isPrimary: true },
        orderBy: [{ isPrimary: "desc" }, { address: "asc" }],
      },
      passkeys: {
        select: {
          id: true,
          modelName: true,
          nickname: true,
          aaguid: true,
          backedUp: true,
          transports: true,
          createdAt: true,
          lastUsedAt: true,
          status: true,
          revokedAt: true,
          revokedReason: true,
        },
        orderBy: [{ status: "asc" }, { createdAt: "desc" }],
      },
    },
  });
  if (!user) return null;
  const now = new Date();
  // What could still let this person in, or still lead to a new passkey: shown to whoever handles a leaver.
  const [sessions, openCases, passes, links, holds, stepLinks, approvals, recentCases] =
    await Promise.all([
      db.workforceSession.count({ where: { userId, expiresAt: { gt: now } } }),
      db.recoveryCase.findMany({
        where: { userId, status: { notIn: ["CLOSED", "REVOKED"] } },
        select: {
          id: true,
          status: true,
          team: true,
          reason: true,
          createdAt: true,
          ticketRef: true,
          owner: { select: { name: true } },
        },
        orderBy: { createdAt: "desc" },
      }),
      db.temporaryAccessPass.count({
        where: { userId, usedAt: null, voidedAt: null, expiresAt: { gt: now } },
      }),
      db.enrolmentLink.count({
        where: { userId, usedAt: null, voidedAt: null, expiresAt: { gt: now } },
      }),
      db.recoveryHold.findMany({
        where: { userId, clearedAt: null },
        select: {
          id: true,
          reason: true,
          createdAt: true,
          case: { select: { id: true, team: true } },
        },
      }),
      // What else revoke-all stops (its confirmation names them): open requests to a manager or to
      // the person, and re-enrolments waiting for a supervisor.
      db.stepLink.count({
        where: { case: { userId }, usedAt: null, voidedAt: null, expiresAt: { gt: now } },
      }),
      db.approval.count({ where: { case: { userId }, status: "PENDING" } }),
      // The person's latest closed cases, for the agent who picks up their next call.
      db.recoveryCase.findMany({
        where: { userId, status: { in: ["CLOSED", "REVOKED"] } },
        select: {
          id: true,
          status: true,
          team: true,
          reason: true,
          createdAt: true,
          closedAt: true,
          closeReason: true,
          ticketRef: true,
        },
        orderBy: { createdAt: "desc" },
        take: 5,
      }),
    ]);
  // Only events that are part of the log (decision 017): a planted row is not the user's history.
  const events = (
    await onlyPartOfTheLog(
      await db.auditEvent.findMany({
        where: { subjectUserId: userId },
        orderBy: { id: "desc" },
        take: RECENT_EVENTS,
      }),
    )
  ).map(({ id, createdAt, action, outcome, reason, actorName, actorRole, data }) => ({
    id,
    createdAt,
    action,
    outcome,
    reason,
    actorName,
    actorRole,
    data,
  }));
  return {
    ...user,
    stillActive: { sessions, openCases, passes, links, stepLinks, approvals },
    recentCases,
    holds,
    recentEvents: events.map(({ data, ...event }) => ({
      ...event,
      id: event.id.toString(),
      // A refusal's detail says why (never a secret: payloads are schema-checked on the way in).
      detail:
        event.outcome === "REFUSED" && typeof (data as { detail?: unknown })?.detail === "string"
          ? (data as { detail: string }).detail
          : event.action === "scim.user_changed"
            ? scimChangeDetail(data)
            : null,
    })),
  };
}

export type WorkforceUserPage = NonNullable<Awaited<ReturnType<typeof getWorkforceUser>>>;

/** A change from the identity provider (decision 033), on the user page: which fields, what lapsed. */
function scimChangeDetail(data: unknown): string | null {
  const { fields, lapsedApprovals } = (data ?? {}) as {
    fields?: unknown;
    lapsedApprovals?: unknown;
  };
  if (!Array.isArray(fields)) return null;
  const lapsed =
    typeof lapsedApprovals === "number" && lapsedApprovals > 0
      ? `; ${lapsedApprovals} pending approval${lapsedApprovals === 1 ? "" : "s"} lapsed`
      : "";
  return `${fields.join(", ")}${lapsed}`;
}
