import "server-only";
import { decideRaiseRedFlag } from "@/lib/domain/recovery-decisions";
import type { RedFlagKind } from "@/lib/domain/recovery-policy";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { applySignalEffectsAfterCommit } from "./signals/apply-signal-effects";
import { evaluateSignals } from "./signals/evaluate-signals";
import { stopRecovery } from "./cases/void-recovery";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Raises a red flag on an open case. A "stop" flag ends any recovery on the case; an "escalate"
 * flag means nothing more leads to a new passkey without a second person. Either way, what the
 * case had issued so far (judged without the flag) is voided, and the user told if they held it.
 */
export async function raiseRedFlag(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: RedFlagKind;
  note: string;
  request?: RequestContext;
}): Promise<{ effect: "stop" | "escalate" }> {
  let otherCases: string[] = [];
  const raised = await runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "raise red flag",
      safeAction: "raise a red flag",
      request: input.request,
    },
    async ({ tx, kase, facts, policy, now, actor, refuse }) => {
      const decision = decideRaiseRedFlag({ policy, facts, kind: input.kind });
      if (!decision.ok) return refuse(decision);
      await tx.redFlag.create({
        data: { caseId: kase.id, kind: input.kind, note: input.note, raisedById: input.actor.id },
      });
      // A flag counts for every recent or open case of the person (the unit of work's facts), so
      // what any of them issued is voided too.
      const voided = await stopRecovery(
        tx,
        { userId: kase.userId },
        {
          reason: `red flag: ${policy.redFlags[input.kind].label}`,
          now,
          userId: kase.userId,
          caseId: kase.id,
        },
      );
      // Only for the queue's "needs a supervisor" badge: decisions read the flags themselves.
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { needsApproval: true } });
      await recordAudit(tx, {
        action: "case.red_flag_raised",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { flag: input.kind, effect: decision.effect, note: input.note, voided },
        request: input.request,
      });
      // Details that don't match, on a case where a check failed (docs/decisions/031).
      if (input.kind === "DETAILS_MISMATCH")
        ({ otherCases } = await evaluateSignals(tx, {
          caseId: kase.id,
          trigger: { kind: "check" },
          now,
          actor,
          request: input.request,
        }));
      return { ok: true, value: { effect: decision.effect } };
    },
  );
  await applySignalEffectsAfterCommit(otherCases);
  return raised;
}
