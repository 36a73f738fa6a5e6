import "server-only";
import { approvalReason, decideReenrolmentRequest } from "@/lib/domain/approval";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { currentSnapshot, sendEnrolmentLink } from "./reenrolment";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * From a verified case, the agent asks to re-enrol the user: which lost passkeys to revoke,
 * and a one-time enrolment link. Where policy needs a supervisor (high-risk or privileged tier,
 * a red flag, a repeat call) the request waits, bound to a hash of a snapshot of what is asked;
 * otherwise the link goes out at once. Under the user's and the case's locks.
 */
export async function requestReenrolment(input: {
  actor: CurrentStaff;
  caseId: string;
  revokePasskeyIds: string[];
  request?: RequestContext;
}): Promise<{ status: "pending_approval"; reason: string } | { status: "link_sent"; sentTo: string }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; value: Awaited<ReturnType<typeof requestReenrolment>> }> => {
    const owner = await tx.recoveryCase.findUnique({ where: { id: input.caseId }, select: { userId: true, needsApproval: true } });
    if (!owner) return { ok: false, code: "NOT_FOUND", message: "That case does not exist." };
    await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${owner.userId}::uuid FOR UPDATE`;
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: "request re-enrolment", refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot request re-enrolments." });
    const active = await tx.passkey.findMany({ where: { userId: kase.userId, status: "ACTIVE" }, select: { id: true } });
    const verified = await tx.workforceEmail.count({ where: { userId: kase.userId, verified: true } });
    const decision = decideReenrolmentRequest({
      policy: ACTIVE_POLICY,
      facts,
      revokePasskeyIds: input.revokePasskeyIds,
      activePasskeyIds: active.map((p) => p.id),
      hasVerifiedAddress: verified > 0,
    });
    if (!decision.ok) return refuse(decision);
    const { snapshot, hash } = await currentSnapshot(tx, { caseId: kase.id, revokePasskeyIds: input.revokePasskeyIds });
    const needReason = approvalReason({ facts, needsApproval: owner.needsApproval });
    await recordAudit(tx, {
      action: "reenrolment.requested",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { needsApproval: needReason !== null, needReason: needReason ?? "", revokePasskeys: input.revokePasskeyIds.length, snapshotHash: hash },
      request: input.request,
    });
    if (needReason) {
      const move = nextStatus(facts.status, "REQUEST_APPROVAL");
      if (!move.ok) return refuse({ ok: false, code: "SEQUENCE", message: `A re-enrolment cannot be requested: ${move.reason}.` });
      await tx.approval.create({
        data: {
          caseId: kase.id,
          requestedById: input.actor.id,
          snapshot,
          snapshotHash: hash,
          needReason,
          expiresAt: new Date(Date.now() + ACTIVE_POLICY.approvalMinutes * 60_000),
        },
      });
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
      return { ok: true, value: { status: "pending_approval", reason: needReason } };
    }
    const { sentTo } = await sendEnrolmentLink(tx, { actor, caseId: kase.id, userId: kase.userId, revokePasskeyIds: input.revokePasskeyIds, request: input.request });
    return { ok: true, value: { status: "link_sent", sentTo } };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return result.value;
}
