import "server-only";
/**
 * The shared half of steps completed through a one-time link (manager confirmation, passkey
 * proof): finding a usable link, and recording the responder's answer on the locked case.
 */
import type { Prisma } from "@/generated/prisma/client";
import { decideRecordStep, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { recordAudit, type AuditActor, type Tx } from "./audit";
import { loadCaseFacts } from "./case-facts";
import type { RequestContext } from "./request-context";
import { hashToken } from "./secrets";

export const INVALID_LINK = "This link is not valid any more. It may have been used, replaced or expired.";

/** The link behind a token, if it is for `kind`, unused, not voided and unexpired. */
export async function findUsableStepLink(tx: Tx, token: string, kind: "MANAGER_CONFIRMATION" | "PASSKEY_PROOF", options: { lock: boolean }) {
  const tokenHash = hashToken(token);
  if (options.lock) await tx.$queryRaw`SELECT id FROM "StepLink" WHERE "tokenHash" = ${tokenHash} FOR UPDATE`;
  const link = await tx.stepLink.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      kind: true,
      usedAt: true,
      voidedAt: true,
      expiresAt: true,
      case: {
        select: {
          id: true,
          reason: true,
          userId: true,
          user: { select: { id: true, name: true, employeeId: true, webauthnUserId: true, manager: { select: { id: true, name: true } } } },
        },
      },
    },
  });
  if (!link || link.kind !== kind || link.usedAt || link.voidedAt || link.expiresAt <= new Date()) return null;
  return link;
}

export async function refuseStepLink(tx: Tx, input: { actor: AuditActor; detail: string; code?: Refusal["code"]; caseId?: string; subjectUserId?: string; request?: RequestContext }) {
  await recordAudit(tx, {
    action: "step.link_refused",
    outcome: "REFUSED",
    reason: input.code ?? "SEQUENCE",
    actor: input.actor,
    caseId: input.caseId,
    subjectUserId: input.subjectUserId,
    data: { detail: input.detail.slice(0, 300) },
    request: input.request,
  });
  return { ok: false as const, code: input.code ?? ("SEQUENCE" as const), message: INVALID_LINK };
}

/** Records the responder's answer: the link is used, the step set, the case maybe VERIFIED. */
export async function completeLinkedStep(
  tx: Tx,
  input: {
    linkId: string;
    caseId: string;
    kind: "MANAGER_CONFIRMATION" | "PASSKEY_PROOF";
    outcome: "PASSED" | "FAILED";
    actor: AuditActor;
    note: string;
    evidence: Prisma.InputJsonValue;
    request?: RequestContext;
  },
): Promise<Refusal | { ok: true; complete: boolean }> {
  const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
  const decision = decideRecordStep({ policy: ACTIVE_POLICY, facts, kind: input.kind, outcome: input.outcome, by: "responder" });
  if (!decision.ok) {
    return refuseStepLink(tx, { actor: input.actor, detail: decision.message, code: decision.code, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
  }
  const now = new Date();
  await tx.stepLink.update({ where: { id: input.linkId }, data: { usedAt: now } });
  const step = kase.checklist!.steps.find((s) => s.kind === input.kind)!;
  await tx.checklistStep.update({ where: { id: step.id }, data: { outcome: input.outcome, recordedAt: now, note: input.note, evidence: input.evidence } });
  if (decision.status !== facts.status) {
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: decision.status } });
    await tx.checklistRun.update({ where: { id: kase.checklist!.id }, data: { completedAt: now } });
  }
  await recordAudit(tx, {
    action: "step.answered",
    outcome: "ALLOWED",
    actor: input.actor,
    caseId: kase.id,
    subjectUserId: kase.userId,
    target: { type: "case", id: kase.id },
    data: { step: input.kind, outcome: input.outcome, complete: decision.complete },
    request: input.request,
  });
  return { ok: true, complete: decision.complete };
}
