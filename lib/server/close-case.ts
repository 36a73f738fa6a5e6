import "server-only";
import { nextStatus } from "@/lib/domain/case-state";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/** Closes a case. Its outstanding passes and step links are voided in the same transaction. */
export async function closeCase(input: { actor: CurrentStaff; caseId: string; closeReason: string; request?: RequestContext }): Promise<void> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true }> => {
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: "close", refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot work recovery cases." });
    const move = nextStatus(facts.status, "CLOSE");
    if (!move.ok) return refuse({ ok: false, code: "SEQUENCE", message: `The case cannot be closed: ${move.reason}.` });
    const now = new Date();
    const passes = await tx.temporaryAccessPass.updateMany({ where: { caseId: kase.id, usedAt: null, voidedAt: null }, data: { voidedAt: now, voidReason: "case closed" } });
    const links = await tx.stepLink.updateMany({ where: { caseId: kase.id, usedAt: null, voidedAt: null }, data: { voidedAt: now } });
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status, closedAt: now, closeReason: input.closeReason } });
    await recordAudit(tx, {
      action: "case.closed",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { closeReason: input.closeReason, voidedPasses: passes.count, voidedLinks: links.count },
      request: input.request,
    });
    return { ok: true };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
}
