import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { decideRecordStep, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY, type StepKind } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * An agent records the outcome of a step they performed (callback to the phone of record,
 * photo ID on video, employee-record details). Outcomes are final; the step that completes
 * the checklist moves the case to VERIFIED. Judged on the locked case row.
 */
export async function recordStep(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: StepKind;
  outcome: "PASSED" | "FAILED" | "UNABLE";
  note: string;
  request?: RequestContext;
}): Promise<{ complete: boolean }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; complete: boolean }> => {
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: `record ${input.kind.toLowerCase()}`, refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot work recovery cases." });
    const decision = decideRecordStep({ policy: ACTIVE_POLICY, facts, kind: input.kind, outcome: input.outcome, by: "agent" });
    if (!decision.ok) return refuse(decision);
    const step = kase.checklist!.steps.find((s) => s.kind === input.kind)!;
    const now = new Date();
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
    if (updated.count !== 1) return refuse({ ok: false, code: "SEQUENCE", message: "That step was already recorded; outcomes are final." });
    if (decision.status !== facts.status) {
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
      await tx.checklistRun.update({ where: { id: kase.checklist!.id }, data: { completedAt: now } });
    }
    await recordAudit(tx, {
      action: "step.recorded",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { step: input.kind, outcome: input.outcome, complete: decision.complete, note: input.note },
      request: input.request,
    });
    return { ok: true, complete: decision.complete };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { complete: result.complete };
}
