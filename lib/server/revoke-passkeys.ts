import "server-only";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import { passkeysRevokedNotice } from "@/lib/domain/notifications";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { decideRevocation, REVOCATION_REASON_LABELS, type RevocationReason, type RevocationRequest } from "@/lib/domain/revocation";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Revokes one passkey or all of a user's passkeys, at once, by any agent or supervisor: never
 * waiting for an approval. In one transaction, under the user's row lock (the lock issuance,
 * redemption-time enrolment and approvals also take, so whatever was in flight is either
 * finished and then undone here, or sees the revocation and is refused):
 * the passkeys are revoked, the user's account sessions end, and with scope ALL every usable
 * pass, enrolment link, step link, pending approval and unused challenge is voided. The user is
 * told at every verified address. A case given moves to REVOKED.
 */
export async function revokePasskeys(input: {
  actor: CurrentStaff;
  userId: string;
  request: RevocationRequest;
  reason: RevocationReason;
  caseId?: string;
  requestContext?: RequestContext;
}): Promise<{ revoked: number }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; revoked: number }> => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "WorkforceUser" WHERE id = ${input.userId}::uuid FOR UPDATE`;
    if (!locked) return { ok: false, code: "NOT_FOUND", message: "That user does not exist." };
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: `revoke ${input.request.scope === "ALL" ? "all passkeys" : "a passkey"}`, refusal, subjectUserId: input.userId, caseId: input.caseId, request: input.requestContext });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot revoke passkeys." });
    const user = await tx.workforceUser.findUniqueOrThrow({
      where: { id: input.userId },
      select: { id: true, name: true, passkeys: { where: { status: "ACTIVE" }, select: { id: true } }, emails: { where: { verified: true }, select: { address: true } } },
    });
    const decision = decideRevocation({ request: input.request, activePasskeyIds: user.passkeys.map((p) => p.id) });
    if (!decision.ok) return refuse(decision);

    const now = new Date();
    const all = input.request.scope === "ALL";
    const revoked = await tx.passkey.updateMany({
      where: { id: { in: decision.passkeyIds }, status: "ACTIVE" },
      data: { status: "REVOKED", revokedAt: now, revokedReason: input.reason, revokedById: input.actor.id },
    });
    await tx.revocation.createMany({
      data: all
        ? [{ userId: user.id, caseId: input.caseId ?? null, scope: "ALL", reason: input.reason, actorId: input.actor.id }]
        : decision.passkeyIds.map((passkeyId) => ({ userId: user.id, caseId: input.caseId ?? null, scope: "ONE" as const, passkeyId, reason: input.reason, actorId: input.actor.id })),
    });
    let voidedPasses = 0;
    let voidedLinks = 0;
    let voidedApprovals = 0;
    if (all) {
      const voidReason = `all passkeys revoked (${input.reason.toLowerCase()})`;
      voidedPasses = (await tx.temporaryAccessPass.updateMany({ where: { userId: user.id, usedAt: null, voidedAt: null }, data: { voidedAt: now, voidReason } })).count;
      voidedLinks = (await tx.enrolmentLink.updateMany({ where: { userId: user.id, usedAt: null, voidedAt: null }, data: { voidedAt: now, voidReason } })).count;
      voidedLinks += (await tx.stepLink.updateMany({ where: { case: { userId: user.id }, usedAt: null, voidedAt: null }, data: { voidedAt: now } })).count;
      voidedApprovals = (await tx.approval.updateMany({ where: { case: { userId: user.id }, status: { in: ["PENDING", "APPROVED"] }, usedAt: null }, data: { status: "VOIDED" } })).count;
      await tx.webAuthnChallenge.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: now } });
    }
    // Last, so that it also catches a session from anything that finished while we waited.
    const sessions = await tx.workforceSession.deleteMany({ where: { userId: user.id } });
    if (input.caseId) {
      const kase = await tx.recoveryCase.findFirst({ where: { id: input.caseId, userId: user.id }, select: { status: true } });
      const move = kase ? nextStatus(kase.status, "REVOKE") : null;
      if (move?.ok) await tx.recoveryCase.update({ where: { id: input.caseId }, data: { status: move.status } });
    }
    await recordAudit(tx, {
      action: "passkey.revoked",
      outcome: "ALLOWED",
      actor,
      subjectUserId: user.id,
      caseId: input.caseId,
      target: all ? { type: "user", id: user.id } : { type: "passkey", id: decision.passkeyIds[0]! },
      data: { scope: input.request.scope, reason: input.reason, revokedPasskeys: revoked.count, voidedPasses, voidedLinks, voidedApprovals, endedSessions: sessions.count },
      request: input.requestContext,
    });
    const notice = passkeysRevokedNotice({ name: user.name, count: revoked.count, all, reason: REVOCATION_REASON_LABELS[input.reason] });
    for (const { address } of user.emails) await enqueueMessage(tx, { to: address, message: notice, subjectUserId: user.id, caseId: input.caseId });
    return { ok: true, revoked: revoked.count };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { revoked: result.revoked };
}
