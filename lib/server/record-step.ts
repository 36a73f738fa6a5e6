import "server-only";
import { decideRecordStep } from "@/lib/domain/recovery-decisions";
import type { AgentRecordedStep } from "@/lib/domain/step-kinds";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { applySignalEffectsAfterCommit } from "./signals/apply-signal-effects";
import { evaluateSignals } from "./signals/evaluate-signals";
import { stopRecovery } from "./cases/void-recovery";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * An agent records the outcome of a step they performed (callback to the phone of record,
 * photo ID on video, employee-record details). Outcomes are final except through a supervisor's
 * audited correction. The step that completes the checklist moves the case to VERIFIED; a failed
 * step stops the case: what it issued is voided and the event is recorded as a refusal.
 */
export async function recordStep(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: AgentRecordedStep;
  outcome: "PASSED" | "FAILED" | "UNABLE";
  note: string;
  request?: RequestContext;
}): Promise<{ complete: boolean; stopped: boolean }> {
  let otherCases: string[] = [];
  const recorded = await runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: `record ${input.kind.toLowerCase()}`,
      request: input.request,
    },
    async ({ tx, kase, facts, policy, now, actor, refuse }) => {
      const decision = decideRecordStep({
        policy,
        facts,
        kind: input.kind,
        outcome: input.outcome,
        by: "agent",
      });
      if (!decision.ok) return refuse(decision);
      const step = kase.checklist!.steps.find((s) => s.kind === input.kind)!;
      const updated = await tx.checklistStep.updateMany({
        where: { id: step.id, outcome: "PENDING" },
        data: {
          outcome: input.outcome,
          note: input.note,
          recordedById: input.actor.id,
          recordedAt: now,
          ...(input.kind === "CALLBACK" ? { evidence: { calledNumber: "phone of record" } } : {}),
        },
      });
      if (updated.count !== 1)
        return refuse({ ok: false, code: "SEQUENCE", message: "That step was already recorded." });
      if (decision.status !== facts.status) {
        await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
        await tx.checklistRun.update({
          where: { id: kase.checklist!.id },
          data: { completedAt: now },
        });
      }
      const voided = decision.stops
        ? await stopRecovery(
            tx,
            { caseId: kase.id },
            {
              reason: `step failed: ${input.kind.toLowerCase()}`,
              now,
              userId: kase.userId,
              caseId: kase.id,
            },
          )
        : undefined;
      await recordAudit(tx, {
        action: "step.recorded",
        outcome: decision.stops ? "REFUSED" : "ALLOWED",
        reason: decision.stops ? "STOPPED" : undefined,
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: {
          step: input.kind,
          outcome: input.outcome,
          complete: decision.complete,
          note: input.note,
          voided,
        },
        request: input.request,
      });
      // A failed check after details that don't match (docs/decisions/031).
      if (decision.stops)
        ({ otherCases } = await evaluateSignals(tx, {
          caseId: kase.id,
          trigger: { kind: "check" },
          now,
          actor,
          request: input.request,
        }));
      return { ok: true, value: { complete: decision.complete, stopped: decision.stops } };
    },
  );
  await applySignalEffectsAfterCommit(otherCases);
  return recorded;
}
