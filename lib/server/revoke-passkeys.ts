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
  voidRecovery,
  voidRecoveryCodes,
  type Voided,
} from "./cases/void-recovery";
import { enqueueMessage } from "./enqueue-message";
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
      const user = await tx.workforceUser.findUniqueOrThrow({
        where: { id: input.userId },
        select: {
          id: true,
          name: true,
          passkeys: { where: { status: "ACTIVE" }, select: { id: true } },
          emails: { where: { verified: true }, select: { address: true } },
        },
      });
      const decision = decideRevocation({
        request: input.request,
        activePasskeyIds: user.passkeys.map((p) => p.id),
      });
      if (!decision.ok) return refuse(decision, input.caseId);
      // A case given is locked after the user (the order every path keeps), and must be this user's.
      const loaded = input.caseId ? await lockCase(input.caseId) : null;
      if (input.caseId && !loaded)
        return refuse({ ok: false, code: "NOT_FOUND", message: "That case is not this person's." });

      const all = input.request.scope === "ALL";
      const revoked = await tx.passkey.updateMany({
        where: { id: { in: decision.passkeyIds }, status: "ACTIVE" },
        data: {
          status: "REVOKED",
          revokedAt: now,
          revokedReason: input.reason,
          revokedById: input.actor.id,
        },
      });
      await tx.revocation.createMany({
        data: all
          ? [
              {
                userId: user.id,
                caseId: input.caseId ?? null,
                scope: "ALL",
                reason: input.reason,
                actorId: input.actor.id,
              },
            ]
          : decision.passkeyIds.map((passkeyId) => ({
              userId: user.id,
              caseId: input.caseId ?? null,
              scope: "ONE" as const,
              passkeyId,
              reason: input.reason,
              actorId: input.actor.id,
            })),
      });
      let voided = NOTHING_VOIDED;
      if (all) {
        voided = await voidRecovery(
          tx,
          { userId: user.id },
          { reason: `all passkeys revoked (${input.reason.toLowerCase()})`, now },
        );
        // Recovery codes are a way in too (docs/decisions/037).
        await voidRecoveryCodes(tx, {
          userId: user.id,
          reason: `all passkeys revoked (${input.reason.toLowerCase()})`,
          now,
        });
      }
      // Last, so that it also catches a session from anything that finished while we waited.
      const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
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
          revokedPasskeys: revoked.count,
          voidedPasses: voided.passes,
          voidedLinks: voided.enrolmentLinks + voided.stepLinks,
          voidedApprovals: voided.approvals,
          endedSessions: sessions.count,
          passkeyIds: [...decision.passkeyIds].sort(),
          ...(input.request.scope === "ALL" && input.request.confirmedPasskeyIds
            ? { confirmedPasskeyIds: [...input.request.confirmedPasskeyIds].sort() }
            : {}),
        },
        request: input.requestContext,
      });
      const notice = passkeysRevokedNotice({
        name: user.name,
        count: revoked.count,
        all,
        reason: REVOCATION_REASON_LABELS[input.reason],
      });
      for (const { address } of user.emails)
        await enqueueMessage(tx, {
          to: address,
          message: notice,
          subjectUserId: user.id,
          caseId: input.caseId,
        });
      return { ok: true, value: { revoked: revoked.count } };
    },
  );
}

/**
 * The revoke-all stop for a path that already holds the user's lock in its own unit of work (a
 * leaver from SCIM, docs/decisions/033): every active passkey revoked, a Revocation of scope ALL,
 * everything recovery issued voided, every session ended, `passkey.revoked` audited and the
 * person told, exactly as revokePasskeys does with scope ALL. `actorId` is the staff member or
 * the SCIM token that acted.
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
  const user = await tx.workforceUser.findUniqueOrThrow({
    where: { id: input.userId },
    select: {
      id: true,
      name: true,
      emails: { where: { verified: true }, select: { address: true } },
    },
  });
  // Named, so that the Shared Signals transmitter describes each revoked passkey (decision 034).
  const active = await tx.passkey.findMany({
    where: { userId: user.id, status: "ACTIVE" },
    select: { id: true },
  });
  const revoked = await tx.passkey.updateMany({
    where: { id: { in: active.map((passkey) => passkey.id) } },
    data: {
      status: "REVOKED",
      revokedAt: now,
      revokedReason: input.reason,
      revokedById: input.actorId,
    },
  });
  await tx.revocation.create({
    data: { userId: user.id, scope: "ALL", reason: input.reason, actorId: input.actorId },
  });
  const voided = await voidRecovery(
    tx,
    { userId: user.id },
    { reason: `all passkeys revoked (${input.reason.toLowerCase()})`, now },
  );
  // Recovery codes are a way in too (docs/decisions/037).
  await voidRecoveryCodes(tx, {
    userId: user.id,
    reason: `all passkeys revoked (${input.reason.toLowerCase()})`,
    now,
  });
  const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
  await recordAudit(tx, {
    action: "passkey.revoked",
    outcome: "ALLOWED",
    actor: input.actor,
    subjectUserId: user.id,
    target: { type: "user", id: user.id },
    data: {
      scope: "ALL",
      reason: input.reason,
      revokedPasskeys: revoked.count,
      voidedPasses: voided.passes,
      voidedLinks: voided.enrolmentLinks + voided.stepLinks,
      voidedApprovals: voided.approvals,
      endedSessions: sessions.count,
      passkeyIds: active.map((passkey) => passkey.id).slice(0, 100),
    },
    request: input.request,
  });
  if (revoked.count > 0) {
    const notice = passkeysRevokedNotice({
      name: user.name,
      count: revoked.count,
      all: true,
      reason: REVOCATION_REASON_LABELS[input.reason],
    });
    for (const { address } of user.emails)
      await enqueueMessage(tx, { to: address, message: notice, subjectUserId: user.id });
  }
  return { revoked: revoked.count, voided, endedSessions: sessions.count };
}
