import "server-only";
import { decideCorrectStep } from "@/lib/domain/recovery-decisions";
import type { StepKind } from "@/lib/domain/step-kinds";
import { recordAudit } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { runCaseWork } from "./unit-of-work";

/** Holds that a manager's denial on this case created: reopening that step is the supervisor's review of it. */
export const MANAGER_DENIAL_HOLD = "Denied by the manager";

/**
 * A supervisor of the case's team who did not work it reopens a failed or incomplete step: a
 * misclick, or an explicit retry (a manager who denied by mistake, a callback that failed on a bad
 * line). Never silent: the step goes back to "to do", its earlier outcome and the reason are
 * audited, and a hold that a manager's denial on this case created is cleared with it. What the
 * stop voided stays void; the agent continues from the reopened step.
 */
export async function correctStep(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: StepKind;
  note: string;
  request?: RequestContext;
}): Promise<void> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "approvals:decide" },
      attempted: `correct ${input.kind.toLowerCase()}`,
      request: input.request,
    },
    async ({ tx, kase, facts, workedByIds, now, actor, refuse }) => {
      const decision = decideCorrectStep({
        facts,
        kind: input.kind,
        corrector: input.actor,
        workedByIds,
      });
      if (!decision.ok) return refuse(decision);
      const step = kase.checklist!.steps.find((s) => s.kind === input.kind)!;
      const from = step.outcome as "FAILED" | "UNABLE";
      const reopened = await tx.checklistStep.updateMany({
        where: { id: step.id, outcome: from },
        data: {
          outcome: "PENDING",
          note: "",
          evidence: undefined,
          recordedById: null,
          recordedAt: null,
        },
      });
      if (reopened.count !== 1)
        return refuse({ ok: false, code: "SEQUENCE", message: "That step changed meanwhile." });
      const cleared =
        input.kind === "MANAGER_CONFIRMATION"
          ? await tx.recoveryHold.updateMany({
              where: {
                caseId: kase.id,
                clearedAt: null,
                reason: { startsWith: MANAGER_DENIAL_HOLD },
              },
              data: { clearedAt: now, clearedById: input.actor.id, clearNote: input.note },
            })
          : { count: 0 };
      await recordAudit(tx, {
        action: "step.corrected",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: { step: input.kind, from, note: input.note, clearedHolds: cleared.count },
        request: input.request,
      });
      return { ok: true, value: undefined };
    },
  );
}
