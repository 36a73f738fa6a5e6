import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { decideRaiseRedFlag, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY, type RedFlagKind } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Raises a red flag on an open case. A "stop" flag ends any recovery on the case; an
 * "escalate" flag means nothing more is issued without a supervisor (issue 4). Outstanding
 * step links of the case are voided either way.
 */
export async function raiseRedFlag(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: RedFlagKind;
  note: string;
  request?: RequestContext;
}): Promise<{ effect: "stop" | "escalate" }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; effect: "stop" | "escalate" }> => {
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: "raise red flag", refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot work recovery cases." });
    const decision = decideRaiseRedFlag({ policy: ACTIVE_POLICY, facts, kind: input.kind });
    if (!decision.ok) return refuse(decision);
    await tx.redFlag.create({ data: { caseId: kase.id, kind: input.kind, note: input.note, raisedById: input.actor.id } });
    await tx.stepLink.updateMany({ where: { caseId: kase.id, usedAt: null, voidedAt: null }, data: { voidedAt: new Date() } });
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { needsApproval: true } });
    await recordAudit(tx, {
      action: "case.red_flag_raised",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { flag: input.kind, effect: decision.effect, note: input.note },
      request: input.request,
    });
    return { ok: true, effect: decision.effect };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { effect: result.effect };
}
