import "server-only";
import { approvalLapsed, decideApproval as decide } from "@/lib/domain/approval";
import { decideBreakGlassVote, quorumMissing, type ApprovalVote } from "@/lib/domain/break-glass";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { lapseApproval } from "./cases/lapse-approval";
import { runCaseWork } from "./cases/unit-of-work";
import { stopRecovery } from "./cases/void-recovery";
import { currentSnapshot, sendEnrolmentLink } from "./reenrolment";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * A supervisor of the case's team approves or denies a pending re-enrolment, under the unit of
 * work's locks (user → case → approval). Never by its requester or anyone who worked the case
 * (and the database refuses requester = decider on its own). Approving recomputes the snapshot:
 * if anything the approver judged changed, the approval is stale and lapses; an expired one
 * lapses too. Otherwise it is used at once, with one guarded UPDATE, and the enrolment link goes
 * out in the same transaction. Denying closes the case, voids every recovery of the user in
 * flight and puts their recovery on hold until a supervisor clears it.
 */
export async function decideReenrolment(input: {
  actor: CurrentStaff;
  approvalId: string;
  decision: "approve" | "deny";
  reason: string;
  request?: RequestContext;
  now?: Date;
}): Promise<{ outcome: "approved" | "denied" | "recorded"; sentTo?: string; missing?: string[] }> {
  const found = await db.approval.findUnique({
    where: { id: input.approvalId },
    select: { caseId: true },
  });
  if (!found) {
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "case.action_refused",
        outcome: "REFUSED",
        reason: "NOT_FOUND",
        actor: staffActor(input.actor),
        data: { attempted: `${input.decision} re-enrolment`, detail: "no such request" },
        request: input.request,
      }),
    );
    throw new DomainError("NOT_FOUND", "That request does not exist.");
  }
  // A security reviewer's part in a break-glass recovery (decision 039) is a review: their own
  // permission, and no certification gate (they work no case). Everything else is a supervisor's.
  const reviewer = input.actor.role === "SECURITY" && input.decision === "approve";
  return runCaseWork<{
    outcome: "approved" | "denied" | "recorded";
    sentTo?: string;
    missing?: string[];
  }>(
    {
      caseId: found.caseId,
      actor: {
        kind: "staff",
        staff: input.actor,
        permission: reviewer ? "breakglass:manage" : "approvals:decide",
      },
      attempted: `${input.decision} re-enrolment`,
      // Approving leads to a new passkey: the approver needs a current certification for the
      // tier, like anyone working it (decision 032). Denying only stops.
      safeAction: reviewer
        ? "break-glass review"
        : input.decision === "deny"
          ? "deny as second person"
          : undefined,
      rows: [{ table: "Approval", id: input.approvalId }],
      request: input.request,
      now: input.now,
    },
    async (unit) => {
      const { tx, kase, policy, now, actor, refuse } = unit;
      const { workedByIds } = unit;
      const approval = await tx.approval.findUniqueOrThrow({ where: { id: input.approvalId } });
      // A break-glass account's recovery: two distinct supervisors and a security reviewer, none
      // of whom worked the case. Votes are counted under the approval's lock (the unit of work's
      // order), so two approvers at once are counted one after the other, and the same person
      // twice is refused here and by the table's key (decision 039).
      let quorum: { completes: boolean; missing: string[] } | null = null;
      // Votes already cast mean the request was made under the quorum: it keeps it, even if the
      // mark was cleared meanwhile (clearing also voids a waiting request, decision 039).
      const quorumRequest =
        unit.facts.breakGlass ||
        (await tx.approvalDecision.count({ where: { approvalId: approval.id } })) > 0;
      if (quorumRequest && input.decision === "approve") {
        const votes = (
          await tx.approvalDecision.findMany({
            where: { approvalId: approval.id },
            select: { deciderId: true, role: true },
          })
        ).map((v) => ({ deciderId: v.deciderId, role: v.role }) as ApprovalVote);
        const lapsed =
          approval.status === "EXPIRED" ||
          (approval.status === "PENDING" && approvalLapsed(approval.expiresAt, now));
        if (lapsed && approval.status === "PENDING") {
          await lapseApproval(unit, approval.id);
          return { ok: false, code: "SEQUENCE", message: "This request lapsed unanswered." };
        }
        if (approval.status !== "PENDING")
          return refuse({
            ok: false,
            code: "SEQUENCE",
            message: lapsed
              ? "This request lapsed unanswered."
              : "This request was already decided.",
          });
        const voterIds = new Set(votes.map((v) => v.deciderId));
        const vote = decideBreakGlassVote({
          approver: input.actor,
          requestedById: approval.requestedById,
          // Earlier approvers acted on the case too: they are counted as votes, not as workers.
          workedByIds: workedByIds.filter((id) => !voterIds.has(id)),
          votes,
        });
        if (!vote.ok) return refuse(vote);
        await tx.approvalDecision.create({
          data: {
            approvalId: approval.id,
            deciderId: input.actor.id,
            role: input.actor.role,
            reason: input.reason,
          },
        });
        const missing = quorumMissing([
          ...votes,
          { deciderId: input.actor.id, role: input.actor.role },
        ]);
        await recordAudit(tx, {
          action: "approval.vote_recorded",
          outcome: "ALLOWED",
          actor,
          caseId: kase.id,
          subjectUserId: kase.userId,
          target: { type: "approval", id: approval.id },
          data: { role: input.actor.role, missing, reason: input.reason },
          request: input.request,
        });
        if (!vote.completes) return { ok: true, value: { outcome: "recorded" as const, missing } };
        quorum = { completes: true, missing };
      }
      const check = quorum
        ? ({ ok: true } as const)
        : decide({
            approver: input.actor,
            requestedById: approval.requestedById,
            verifiedByIds: workedByIds,
            status: approval.status,
            expiresAt: approval.expiresAt,
            now,
          });
      if (!check.ok) {
        // Expired while it waited (before the sweep reached it): it lapses now, and the lapse is
        // the audited refusal; the supervisor is told when it lapsed (lapsedMessage).
        if (approval.status === "PENDING" && approvalLapsed(approval.expiresAt, now)) {
          await lapseApproval(unit, approval.id);
          return check;
        }
        return refuse(check);
      }

      if (input.decision === "deny") {
        const denied = await tx.approval.updateMany({
          where: { id: approval.id, status: "PENDING" },
          data: {
            status: "DENIED",
            decidedById: input.actor.id,
            decidedAt: now,
            reason: input.reason,
          },
        });
        if (denied.count !== 1)
          return refuse({
            ok: false,
            code: "SEQUENCE",
            message: "This request was already decided.",
          });
        const voided = await stopRecovery(
          tx,
          { userId: kase.userId },
          {
            reason: "re-enrolment denied by a supervisor",
            now,
            userId: kase.userId,
            caseId: kase.id,
          },
        );
        const move = nextStatus(kase.status, "DENY");
        if (move.ok)
          await tx.recoveryCase.update({
            where: { id: kase.id },
            data: {
              status: move.status,
              closedAt: now,
              closeReason: `re-enrolment denied: ${input.reason}`,
            },
          });
        await tx.recoveryHold.create({
          data: {
            userId: kase.userId,
            caseId: kase.id,
            reason: `Re-enrolment denied by ${input.actor.name}: ${input.reason}`.slice(0, 300),
          },
        });
        await recordAudit(tx, {
          action: "approval.denied",
          outcome: "ALLOWED",
          actor,
          caseId: kase.id,
          subjectUserId: kase.userId,
          target: { type: "approval", id: approval.id },
          data: { reason: input.reason, voided },
          request: input.request,
        });
        return { ok: true, value: { outcome: "denied" as const } };
      }

      const snapshot = approval.snapshot as { revokePasskeyIds: string[] };
      const { hash } = await currentSnapshot(tx, {
        caseId: kase.id,
        revokePasskeyIds: snapshot.revokePasskeyIds,
      });
      if (hash !== approval.snapshotHash) {
        await tx.approval.update({
          where: { id: approval.id },
          data: {
            status: "VOIDED",
            reason: "stale: the case or the user changed after the request",
          },
        });
        const back = nextStatus(kase.status, "EXPIRE_APPROVAL");
        if (back.ok)
          await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: back.status } });
        await recordAudit(tx, {
          action: "approval.lapsed",
          outcome: "REFUSED",
          reason: "CONFLICT",
          actor,
          caseId: kase.id,
          subjectUserId: kase.userId,
          data: { why: "stale", snapshotHash: approval.snapshotHash },
          request: input.request,
        });
        return {
          ok: false,
          code: "CONFLICT",
          message:
            "Approval stale: the case or the user changed after the request. The agent must ask again.",
        } satisfies Refusal;
      }
      const used = await tx.approval.updateMany({
        where: { id: approval.id, status: "PENDING", expiresAt: { gt: now } },
        data: {
          status: "USED",
          decidedById: input.actor.id,
          decidedAt: now,
          usedAt: now,
          reason: input.reason,
        },
      });
      if (used.count !== 1)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: "This request was already decided.",
        });
      const move = nextStatus(kase.status, "APPROVE");
      if (!move.ok)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: `The case cannot be approved: ${move.reason}.`,
        });
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
      await recordAudit(tx, {
        action: "approval.approved",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "approval", id: approval.id },
        data: { snapshotHash: hash, reason: input.reason },
        request: input.request,
      });
      const { sentTo } = await sendEnrolmentLink(tx, {
        actor,
        caseId: kase.id,
        userId: kase.userId,
        revokePasskeyIds: snapshot.revokePasskeyIds,
        approvalId: approval.id,
        minutes: policy.enrolmentLinkMinutes,
        request: input.request,
      });
      return { ok: true, value: { outcome: "approved" as const, sentTo } };
    },
  );
}
