import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { decideRecordStep, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";
import { recordAudit, type Tx } from "./audit";
import { loadCaseFacts } from "./case-facts";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

const INVALID_LINK = "This link is not valid any more. It may have been used, replaced or expired.";

async function usableLink(tx: Tx, token: string, lock: boolean) {
  const tokenHash = hashToken(token);
  if (lock) await tx.$queryRaw`SELECT id FROM "StepLink" WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
  const link = await tx.stepLink.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      kind: true,
      usedAt: true,
      voidedAt: true,
      expiresAt: true,
      case: { select: { id: true, reason: true, createdAt: true, user: { select: { id: true, name: true, employeeId: true, managerId: true, manager: { select: { id: true, name: true } } } } } },
    },
  });
  if (!link || link.kind !== "MANAGER_CONFIRMATION" || link.usedAt || link.voidedAt || link.expiresAt <= new Date()) return null;
  return link;
}

/** What the manager sees before answering (reading never uses the link up). */
export async function getManagerConfirmation(token: string) {
  const link = await db.$transaction((tx) => usableLink(tx, token, false));
  if (!link) return null;
  return { userName: link.case.user.name, employeeId: link.case.user.employeeId, reason: link.case.reason, managerName: link.case.user.manager?.name ?? "" };
}

/**
 * The manager confirms or denies, through their one-time link. A denial fails the step. The
 * link is used once; the answer is recorded as the manager's, and may complete the checklist.
 */
export async function answerManagerConfirmation(input: { token: string; answer: "confirm" | "deny"; request?: RequestContext }): Promise<{ complete: boolean }> {
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; complete: boolean }> => {
    const link = await usableLink(tx, input.token, true);
    if (!link) {
      await recordAudit(tx, {
        action: "step.link_refused",
        outcome: "REFUSED",
        reason: "SEQUENCE",
        actor: { type: "ANONYMOUS" },
        data: { detail: "manager confirmation link unknown, used, voided or expired" },
        request: input.request,
      });
      return { ok: false, code: "SEQUENCE", message: INVALID_LINK };
    }
    const manager = link.case.user.manager;
    const actor = manager ? { type: "WORKFORCE_USER" as const, id: manager.id, name: manager.name } : { type: "ANONYMOUS" as const };
    const { kase, facts } = await loadCaseFacts(tx, link.case.id, { lock: true });
    const outcome = input.answer === "confirm" ? ("PASSED" as const) : ("FAILED" as const);
    const decision = decideRecordStep({ policy: ACTIVE_POLICY, facts, kind: "MANAGER_CONFIRMATION", outcome, by: "responder" });
    if (!decision.ok) {
      await recordAudit(tx, {
        action: "step.link_refused",
        outcome: "REFUSED",
        reason: decision.code,
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        data: { detail: decision.message.slice(0, 300) },
        request: input.request,
      });
      return { ok: false, code: decision.code, message: INVALID_LINK };
    }
    const now = new Date();
    await tx.stepLink.update({ where: { id: link.id }, data: { usedAt: now } });
    const step = kase.checklist!.steps.find((s) => s.kind === "MANAGER_CONFIRMATION")!;
    await tx.checklistStep.update({
      where: { id: step.id },
      data: { outcome, recordedAt: now, note: input.answer === "confirm" ? "Confirmed by the manager" : "Denied by the manager", evidence: { answeredBy: "manager of record" } },
    });
    if (decision.status !== facts.status) {
      await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
      await tx.checklistRun.update({ where: { id: kase.checklist!.id }, data: { completedAt: now } });
    }
    await recordAudit(tx, {
      action: "step.answered",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { step: "MANAGER_CONFIRMATION", outcome, complete: decision.complete },
      request: input.request,
    });
    return { ok: true, complete: decision.complete };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { complete: result.complete };
}
