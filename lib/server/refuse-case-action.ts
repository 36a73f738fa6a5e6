import "server-only";
import type { Refusal } from "@/lib/domain/recovery-decisions";
import { recordAudit, type AuditActor, type Tx } from "./audit";
import type { RequestContext } from "./request-context";

/**
 * Records a refused case action in the transaction that read the facts (so the refusal is
 * judged and recorded on the same snapshot) and hands the refusal back for the caller to
 * return after commit. Nothing else is written.
 */
export async function refuseCaseAction(
  tx: Tx,
  input: { actor: AuditActor; attempted: string; refusal: Refusal; caseId?: string; subjectUserId?: string; request?: RequestContext },
): Promise<Refusal> {
  await recordAudit(tx, {
    action: "case.action_refused",
    outcome: "REFUSED",
    reason: input.refusal.code,
    actor: input.actor,
    caseId: input.caseId,
    subjectUserId: input.subjectUserId,
    target: input.caseId ? { type: "case", id: input.caseId } : undefined,
    data: { attempted: input.attempted, detail: input.refusal.message.slice(0, 300) },
    request: input.request,
  });
  return input.refusal;
}
