import "server-only";
import { DomainError } from "@/lib/domain/errors";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { db } from "@/lib/db";
import type { RequestContext } from "./request-context";
import { completeLinkedStep, findUsableStepLink, refuseStepLink } from "./step-links";

/** What the manager sees before answering (reading never uses the link up). */
export async function getManagerConfirmation(token: string) {
  const link = await db.$transaction((tx) => findUsableStepLink(tx, token, "MANAGER_CONFIRMATION", { lock: false }));
  if (!link) return null;
  return { userName: link.case.user.name, employeeId: link.case.user.employeeId, reason: link.case.reason, managerName: link.case.user.manager?.name ?? "" };
}

/**
 * The manager confirms or denies, through their one-time link. A denial fails the step. The
 * link is used once; the answer is recorded as the manager's, and may complete the checklist.
 */
export async function answerManagerConfirmation(input: { token: string; answer: "confirm" | "deny"; request?: RequestContext }): Promise<{ complete: boolean }> {
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; complete: boolean }> => {
    const link = await findUsableStepLink(tx, input.token, "MANAGER_CONFIRMATION", { lock: true });
    if (!link) return refuseStepLink(tx, { actor: { type: "ANONYMOUS" }, detail: "manager confirmation link unknown, used, voided or expired", request: input.request });
    const manager = link.case.user.manager;
    return completeLinkedStep(tx, {
      linkId: link.id,
      caseId: link.case.id,
      kind: "MANAGER_CONFIRMATION",
      outcome: input.answer === "confirm" ? "PASSED" : "FAILED",
      actor: manager ? { type: "WORKFORCE_USER", id: manager.id, name: manager.name } : { type: "ANONYMOUS" },
      note: input.answer === "confirm" ? "Confirmed by the manager" : "Denied by the manager",
      evidence: { answeredBy: "manager of record" },
      request: input.request,
    });
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { complete: result.complete };
}
