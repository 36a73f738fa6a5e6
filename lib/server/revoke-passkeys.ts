import "server-only";
import { nextStatus } from "@/lib/domain/case-state";
import { passkeysRevokedNotice } from "@/lib/domain/notifications";
import {
  decideRevocation,
  REVOCATION_REASON_LABELS,
  type RevocationReason,
  type RevocationRequest,
} from "@/lib/domain/revocation";
import { recordAudit, type AuditActor, type Tx } from "./audit";
import { runUserWork } from "./cases/unit-of-work";
import {
  NOTHING_VOIDED,
  sessionsEndedByVoiding,
  voidRecovery,
  type Voided,
} from "./cases/void-recovery";
import { enqueueMessages } from "./enqueue-message";
import { utcTimestamp } from "./sql-time";
import { txSql } from "./tx-sql";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Revokes one passkey or all of a user's passkeys, at once, by any agent, supervisor or security
 * reviewer (`passkeys:revoke`, decision 025): never waiting for an approval. In one transaction, under the user's row lock (the lock issuance,
 * redemption-time enrolment and approvals also take, so whatever was in flight is either
 * finished and then undone here, or sees the revocation and is refused):
 * the passkeys are revoked, the user's account sessions end, and with scope ALL every usable
 * pass, enrolment link, step link, pending approval and unused challenge is voided. The user is
 * told at every verified address. A case given moves to REVOKED. Revoke-all that names the
 * passkeys its confirmation showed is refused (audited, nothing changes) if they are not exactly
 * the active ones under the lock; the audit row keeps what was confirmed.
 */
export async function revokePasskeys(input: {
  actor: CurrentStaff;
  userId: string;
  request: RevocationRequest;
  reason: RevocationReason;
  caseId?: string;
  requestContext?: RequestContext;
}): Promise<{ revoked: number }> {
  return runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "passkeys:revoke" },
      attempted: `revoke ${input.request.scope === "ALL" ? "all passkeys" : "a passkey"}`,
      safeAction: "revoke",
      request: input.requestContext,
    },
    async ({ tx, now, actor, refuse, lockCase }) => {
      const user = await readPerson(tx, input.userId);
      const decision = decideRevocation({
        request: input.request,
        activePasskeyIds: user.activePasskeyIds,
      });
      if (!decision.ok) return refuse(decision, input.caseId);
      // A case given is locked after the user (the order every path keeps), and must be this user's.
      const loaded = input.caseId ? await lockCase(input.caseId) : null;
      if (input.caseId && !loaded)
        return refuse({ ok: false, code: "NOT_FOUND", message: "That case is not this person's." });

      const all = input.request.scope === "ALL";
      const reason = `all passkeys revoked (${input.reason.toLowerCase()})`;
      // Recovery codes are a way in too (docs/decisions/037).
      const voided = all
        ? await voidRecovery(tx, { userId: user.id }, { reason, now, codes: true })
        : NOTHING_VOIDED;
      const { revoked, endedSessions } = await revokeAndEndSessions(tx, {
        userId: user.id,
        caseId: input.caseId ?? null,
        passkeyIds: decision.passkeyIds,
        scope: input.request.scope,
        reason: input.reason,
        actorId: input.actor.id,
        now,
      });
      if (loaded) {
        const move = nextStatus(loaded.kase.status, "REVOKE");
        if (move.ok)
          await tx.recoveryCase.update({
            where: { id: loaded.kase.id },
            data: { status: move.status },
          });
      }
      await recordAudit(tx, {
        action: "passkey.revoked",
        outcome: "ALLOWED",
        actor,
        subjectUserId: user.id,
        caseId: input.caseId,
        target: all
          ? { type: "user", id: user.id }
          : { type: "passkey", id: decision.passkeyIds[0]! },
        data: {
          scope: input.request.scope,
          reason: input.reason,
          revokedPasskeys: revoked,
          voidedPasses: voided.passes,
          voidedLinks: voided.enrolmentLinks + voided.stepLinks,
          voidedApprovals: voided.approvals,
          endedSessions: endedSessions + sessionsEndedByVoiding(voided),
          passkeyIds: [...decision.passkeyIds].sort(),
          ...(input.request.scope === "ALL" && input.request.confirmedPasskeyIds
            ? { confirmedPasskeyIds: [...input.request.confirmedPasskeyIds].sort() }
            : {}),
        },
        request: input.requestContext,
      });
      await enqueueMessages(tx, {
        to: user.emails,
        message: passkeysRevokedNotice({
          name: user.name,
          count: revoked,
          all,
          reason: REVOCATION_REASON_LABELS[input.reason],
        }),
        subjectUserId: user.id,
        caseId: input.caseId,
      });
      return { ok: true, value: { revoked } };
    },
  );
}

/**
 * The revoke-all stop for a path that already holds the user's lock in its own unit of work (a
 * leaver from SCIM, docs/decisions/033): every active passkey revoked, a Revocation of scope ALL,
 * everything recovery issued voided, every session ended, `passkey.revoked` audited and the
 * person told, exactly as revokePasskeys does with scope ALL. `actorId` is the staff member or
 * the SCIM token that acted. `endedSessions` counts every session of the person that ended: those
 * voiding ended (a pass's, a code's) and the rest.
 */
export async function revokeAllWithinUnit(
  tx: Tx,
  input: {
    userId: string;
    now: Date;
    actor: AuditActor;
    actorId: string;
    reason: RevocationReason;
    request?: RequestContext;
  },
): Promise<{ revoked: number; voided: Voided; endedSessions: number }> {
  const { now } = input;
  const user = await readPerson(tx, input.userId);
  const voided = await voidRecovery(
    tx,
    { userId: user.id },
    // Recovery codes are a way in too (docs/decisions/037).
    { reason: `all passkeys revoked (${input.reason.toLowerCase()})`, now, codes: true },
  );
  // Named, so that the Shared Signals transmitter describes each revoked passkey (decision 034).
  const { revoked, endedSessions: endedHere } = await revokeAndEndSessions(tx, {
    userId: user.id,
    caseId: null,
    passkeyIds: user.activePasskeyIds,
    scope: "ALL",
    reason: input.reason,
    actorId: input.actorId,
    now,
  });
  const endedSessions = endedHere + sessionsEndedByVoiding(voided);
  await recordAudit(tx, {
    action: "passkey.revoked",
    outcome: "ALLOWED",
    actor: input.actor,
    subjectUserId: user.id,
    target: { type: "user", id: user.id },
    data: {
      scope: "ALL",
      reason: input.reason,
      revokedPasskeys: revoked,
      voidedPasses: voided.passes,
      voidedLinks: voided.enrolmentLinks + voided.stepLinks,
      voidedApprovals: voided.approvals,
      endedSessions,
      passkeyIds: user.activePasskeyIds.slice(0, 100),
    },
    request: input.request,
  });
  if (revoked > 0)
    await enqueueMessages(tx, {
      to: user.emails,
      message: passkeysRevokedNotice({
        name: user.name,
        count: revoked,
        all: true,
        reason: REVOCATION_REASON_LABELS[input.reason],
      }),
      subjectUserId: user.id,
    });
  return { revoked, voided, endedSessions };
}

/**
 * What a revocation reads of the person, under their lock, in one statement: the name, the
 * active passkeys (oldest first) and the verified addresses to tell.
 */
async function readPerson(tx: Tx, userId: string) {
  const [person] = await txSql(tx).query<{
    id: string;
    name: string;
    activePasskeyIds: string[];
    emails: string[];
  }>`/* prepared */
    SELECT u.id::text AS id, u.name,
      ARRAY(SELECT p.id::text FROM "Passkey" p WHERE p."userId" = u.id AND p.status = 'ACTIVE'
        ORDER BY p."createdAt", p.id) AS "activePasskeyIds",
      ARRAY(SELECT e.address FROM "WorkforceEmail" e WHERE e."userId" = u.id AND e.verified
        ORDER BY e."isPrimary" DESC, e.address) AS emails
    FROM "WorkforceUser" u WHERE u.id = ${userId}::uuid`;
  if (!person) throw new Error(`no workforce user ${userId} under the lock`);
  return person;
}

/**
 * The revocation's writes in one statement (docs/decisions/044): the passkeys still active among
 * `passkeyIds` revoked, the Revocation rows (one of scope ALL, or one per passkey), and every
 * session of the person ended. Run after voidRecovery, so the sessions it ended (a pass's, a
 * code's) are counted there, not here. The passkeys are found by their person first: with the
 * ids alone, PostgreSQL costed its kept (generic) plan for an array of ten and planned the
 * statement again at every call, 110 to 250 µs of its CPU each time; by person, the kept plan
 * wins (and a passkey of anyone else is never touched, whatever ids are given).
 */
async function revokeAndEndSessions(
  tx: Tx,
  input: {
    userId: string;
    caseId: string | null;
    passkeyIds: readonly string[];
    scope: "ALL" | "ONE";
    reason: RevocationReason;
    actorId: string;
    now: Date;
  },
): Promise<{ revoked: number; endedSessions: number }> {
  const now = utcTimestamp(input.now);
  // One Revocation of scope ALL (no passkey named), or one per passkey.
  const named: (string | null)[] = input.scope === "ALL" ? [null] : [...input.passkeyIds];
  const [counts] = await txSql(tx).query<{ revoked: bigint; sessions: bigint }>`/* prepared */
    WITH revoked AS (
      UPDATE "Passkey" SET status = 'REVOKED', "revokedAt" = ${now},
        "revokedReason" = ${input.reason}::"RevocationReason", "revokedById" = ${input.actorId}::uuid
      WHERE "userId" = ${input.userId}::uuid AND status = 'ACTIVE'
        AND id = ANY(${[...input.passkeyIds]}::uuid[])
      RETURNING id
    ), revocations AS (
      INSERT INTO "Revocation" ("userId", "caseId", scope, "passkeyId", reason, "actorId", "createdAt")
      SELECT ${input.userId}::uuid, ${input.caseId}::uuid, ${input.scope}::"RevocationScope",
        named.id, ${input.reason}::"RevocationReason", ${input.actorId}::uuid, ${now}
      FROM unnest(${named}::uuid[]) AS named(id)
      RETURNING id
    ), sessions AS (
      -- Last in the transaction's work, under the lock: it also ends a session from anything
      -- that finished while this waited for the lock.
      DELETE FROM "WorkforceSession" WHERE "userId" = ${input.userId}::uuid RETURNING id
    )
    SELECT (SELECT count(*) FROM revoked) AS revoked, (SELECT count(*) FROM sessions) AS sessions`;
  return { revoked: Number(counts!.revoked), endedSessions: Number(counts!.sessions) };
}
