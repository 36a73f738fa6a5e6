import "server-only";
import { decideApproval as decide } from "@/lib/domain/approval";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { currentSnapshot, sendEnrolmentLink } from "./reenrolment";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * A supervisor approves or denies a pending re-enrolment. Judged with the role read fresh for
 * this request, against the locked approval: never by its requester or anyone who verified the
 * case (and the database refuses requester = decider on its own). Approving recomputes the
 * snapshot: if what was approved changed, the approval is stale and lapses. Otherwise it is used
 * at once, with one guarded UPDATE (of two simultaneous approvals exactly one succeeds), and
 * the enrolment link goes out in the same transaction. Every refusal is audited.
 */
export async function decideReenrolment(input: {
  actor: CurrentStaff;
  approvalId: string;
  decision: "approve" | "deny";
  reason: string;
  request?: RequestContext;
  now?: Date;
}): Promise<{ outcome: "approved" | "denied"; sentTo?: string }> {
  const actor = staffActor(input.actor);
  const now = input.now ?? new Date();
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; outcome: "approved" | "denied"; sentTo?: string }> => {
    const found = await tx.approval.findUnique({ where: { id: input.approvalId }, select: { caseId: true, case: { select: { userId: true } } } });
    if (!found) return { ok: false, code: "NOT_FOUND", message: "That request does not exist." };
    await tx.$queryRaw`SELECT id FROM "WorkforceUser" WHERE id = ${found.case.userId}::uuid FOR UPDATE`;
    await tx.$queryRaw`SELECT id FROM "Approval" WHERE id = ${input.approvalId}::uuid FOR UPDATE`;
    const approval = await tx.approval.findUniqueOrThrow({ where: { id: input.approvalId } });
    const kase = await tx.recoveryCase.findUniqueOrThrow({
      where: { id: approval.caseId },
      select: { id: true, userId: true, status: true, agentId: true, checklist: { select: { steps: { select: { recordedById: true } } } } },
    });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: `${input.decision} re-enrolment`, refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    const verifiedByIds = [kase.agentId, ...(kase.checklist?.steps.map((s) => s.recordedById).filter((id): id is string => id !== null) ?? [])];
    const check = decide({ approver: input.actor, requestedById: approval.requestedById, verifiedByIds, status: approval.status, expiresAt: approval.expiresAt, now });
    if (!check.ok) {
      if (approval.status === "PENDING" && approval.expiresAt && approval.expiresAt <= now) {
        await tx.approval.update({ where: { id: approval.id }, data: { status: "EXPIRED" } });
        const back = nextStatus(kase.status, "EXPIRE_APPROVAL");
        if (back.ok) await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: back.status } });
        await recordAudit(tx, { action: "approval.lapsed", outcome: "REFUSED", reason: "SEQUENCE", actor, caseId: kase.id, subjectUserId: kase.userId, data: { why: "expired", snapshotHash: approval.snapshotHash }, request: input.request });
        return { ok: false, code: check.code, message: check.message };
      }
      return refuse(check);
    }

    if (input.decision === "deny") {
      const denied = await tx.approval.updateMany({
        where: { id: approval.id, status: "PENDING" },
        data: { status: "DENIED", decidedById: input.actor.id, decidedAt: now, reason: input.reason },
      });
      if (denied.count !== 1) return refuse({ ok: false, code: "SEQUENCE", message: "This request was already decided." });
      const move = nextStatus(kase.status, "DENY");
      if (move.ok) await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status, closedAt: now, closeReason: `re-enrolment denied: ${input.reason}` } });
      await recordAudit(tx, { action: "approval.denied", outcome: "ALLOWED", actor, caseId: kase.id, subjectUserId: kase.userId, target: { type: "approval", id: approval.id }, data: { reason: input.reason }, request: input.request });
      return { ok: true, outcome: "denied" };
    }

    const snapshot = approval.snapshot as { revokePasskeyIds: string[] };
    const { hash } = await currentSnapshot(tx, { caseId: kase.id, revokePasskeyIds: snapshot.revokePasskeyIds });
    if (hash !== approval.snapshotHash) {
      await tx.approval.update({ where: { id: approval.id }, data: { status: "VOIDED", reason: "stale: the case or the user changed after the request" } });
      const back = nextStatus(kase.status, "EXPIRE_APPROVAL");
      if (back.ok) await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: back.status } });
      await recordAudit(tx, { action: "approval.lapsed", outcome: "REFUSED", reason: "CONFLICT", actor, caseId: kase.id, subjectUserId: kase.userId, data: { why: "stale", snapshotHash: approval.snapshotHash }, request: input.request });
      return { ok: false, code: "CONFLICT", message: "Approval stale: the case or the user changed after the request. The agent must ask again." };
    }
    const used = await tx.approval.updateMany({
      where: { id: approval.id, status: "PENDING", expiresAt: { gt: now } },
      data: { status: "USED", decidedById: input.actor.id, decidedAt: now, usedAt: now, reason: input.reason },
    });
    if (used.count !== 1) return refuse({ ok: false, code: "SEQUENCE", message: "This request was already decided." });
    const move = nextStatus(kase.status, "APPROVE");
    if (!move.ok) return refuse({ ok: false, code: "SEQUENCE", message: `The case cannot be approved: ${move.reason}.` });
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
    await recordAudit(tx, { action: "approval.approved", outcome: "ALLOWED", actor, caseId: kase.id, subjectUserId: kase.userId, target: { type: "approval", id: approval.id }, data: { snapshotHash: hash, reason: input.reason }, request: input.request });
    const { sentTo } = await sendEnrolmentLink(tx, { actor, caseId: kase.id, userId: kase.userId, revokePasskeyIds: snapshot.revokePasskeyIds, approvalId: approval.id, request: input.request });
    return { ok: true, outcome: "approved", sentTo };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { outcome: result.outcome, sentTo: result.sentTo };
}
