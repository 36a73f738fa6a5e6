import "server-only";
import { decideClose } from "@/lib/domain/recovery-decisions";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { stopRecovery } from "./cases/void-recovery";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Closes a case. Everything it issued that could still be used (passes and the sessions they
 * opened, enrolment and step links, pending approvals, open ceremonies) is voided in the same
 * transaction, and the user is told if they held a pass or link.
 */
export async function closeCase(input: {
  actor: CurrentStaff;
  caseId: string;
  closeReason: string;
  request?: RequestContext;
}): Promise<{ userTold: boolean }> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "close",
      safeAction: "close",
      request: input.request,
    },
    async ({ tx, kase, facts, now, actor, refuse }) => {
      const move = decideClose({ facts });
      if (!move.ok) return refuse(move);
      const voided = await stopRecovery(
        tx,
        { caseId: kase.id },
        { reason: "case closed", now, userId: kase.userId, caseId: kase.id },
      );
      const userTold = voided.passes + voided.passSessions + voided.enrolmentLinks > 0;
      await tx.recoveryCase.update({
        where: { id: kase.id },
        data: { status: move.status, closedAt: now, closeReason: input.closeReason },
      });
      await recordAudit(tx, {
        action: "case.closed",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: {
          closeReason: input.closeReason,
          voidedPasses: voided.passes,
          voidedLinks: voided.enrolmentLinks + voided.stepLinks,
          voided,
          userTold,
        },
        request: input.request,
      });
      return { ok: true, value: { userTold } };
    },
  );
}
