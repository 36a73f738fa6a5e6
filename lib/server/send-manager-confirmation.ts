import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { managerConfirmationRequest, maskAddress } from "@/lib/domain/notifications";
import { decideSendStepLink, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit, staffActor } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { enqueueMessage } from "./enqueue-message";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken, newToken } from "./secrets";

export const STEP_LINK_MINUTES = 30;

/**
 * Sends the user's manager of record a one-time link to confirm or deny the recovery. The step
 * completes from their answer, never from the agent. A new link voids the previous one.
 */
export async function sendManagerConfirmation(input: { actor: CurrentStaff; caseId: string; request?: RequestContext }): Promise<{ sentTo: string }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; sentTo: string }> => {
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: "send manager confirmation", refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot work recovery cases." });
    const decision = decideSendStepLink({ policy: ACTIVE_POLICY, facts, kind: "MANAGER_CONFIRMATION" });
    if (!decision.ok) return refuse(decision);
    const manager = kase.user.managerId
      ? await tx.workforceUser.findUnique({
          where: { id: kase.user.managerId },
          select: { name: true, status: true, emails: { where: { verified: true, isPrimary: true }, select: { address: true } } },
        })
      : null;
    const address = manager?.status !== "LEFT" ? manager?.emails[0]?.address : undefined;
    if (!manager || !address) return refuse({ ok: false, code: "CONFLICT", message: "This person has no manager of record with a verified address." });
    const token = newToken();
    await tx.stepLink.updateMany({ where: { caseId: kase.id, kind: "MANAGER_CONFIRMATION", usedAt: null, voidedAt: null }, data: { voidedAt: new Date() } });
    await tx.stepLink.create({
      data: { caseId: kase.id, kind: "MANAGER_CONFIRMATION", tokenHash: hashToken(token), sentTo: address, expiresAt: new Date(Date.now() + STEP_LINK_MINUTES * 60_000) },
    });
    const message = managerConfirmationRequest({
      managerName: manager.name,
      userName: kase.user.name,
      employeeId: kase.user.employeeId,
      link: `${publicUrl}/confirm/${token}`,
      expiresMinutes: STEP_LINK_MINUTES,
    });
    await enqueueMessage(tx, { to: address, message, subjectUserId: kase.userId, caseId: kase.id });
    await recordAudit(tx, {
      action: "step.link_sent",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { step: "MANAGER_CONFIRMATION", sentTo: maskAddress(address) },
      request: input.request,
    });
    return { ok: true, sentTo: maskAddress(address) };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { sentTo: result.sentTo };
}
