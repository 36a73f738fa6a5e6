import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { managerConfirmationRequest, maskAddress, passkeyProofRequest, type Message } from "@/lib/domain/notifications";
import { decideSendStepLink, type Refusal } from "@/lib/domain/recovery-decisions";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { can } from "@/lib/domain/roles";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/env";
import { recordAudit, staffActor, type Tx } from "./audit";
import { loadCaseFacts } from "./case-facts";
import { enqueueMessage } from "./enqueue-message";
import { refuseCaseAction } from "./refuse-case-action";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken, newToken } from "./secrets";

export const STEP_LINK_MINUTES = 30;

type LinkedStep = "MANAGER_CONFIRMATION" | "PASSKEY_PROOF";
type Recipient = { address: string; message: (link: string) => Message } | { refusal: string };

/** Who a step's link goes to, always an address of record. */
async function recipientFor(tx: Tx, kind: LinkedStep, user: { id: string; name: string; employeeId: string; managerId: string | null }): Promise<Recipient> {
  if (kind === "MANAGER_CONFIRMATION") {
    const manager = user.managerId
      ? await tx.workforceUser.findUnique({
          where: { id: user.managerId },
          select: { name: true, status: true, emails: { where: { verified: true, isPrimary: true }, select: { address: true } } },
        })
      : null;
    const address = manager && manager.status !== "LEFT" ? manager.emails[0]?.address : undefined;
    if (!manager || !address) return { refusal: "This person has no manager of record with a verified address." };
    return {
      address,
      message: (link) => managerConfirmationRequest({ managerName: manager.name, userName: user.name, employeeId: user.employeeId, link, expiresMinutes: STEP_LINK_MINUTES }),
    };
  }
  const active = await tx.passkey.count({ where: { userId: user.id, status: "ACTIVE" } });
  if (active === 0) return { refusal: "This person has no active passkey left to prove with." };
  const email = await tx.workforceEmail.findFirst({ where: { userId: user.id, verified: true, isPrimary: true }, select: { address: true } });
  if (!email) return { refusal: "This person has no verified address." };
  return { address: email.address, message: (link) => passkeyProofRequest({ name: user.name, link, expiresMinutes: STEP_LINK_MINUTES }) };
}

/**
 * Sends a one-time link that lets someone other than the agent complete a step: the manager
 * of record confirms or denies, or the user signs in with a passkey they still have. The step
 * completes from their answer, never from the agent. A new link voids the previous one.
 */
export async function sendStepLink(input: { actor: CurrentStaff; caseId: string; kind: LinkedStep; request?: RequestContext }): Promise<{ sentTo: string }> {
  const actor = staffActor(input.actor);
  const result = await db.$transaction(async (tx): Promise<Refusal | { ok: true; sentTo: string }> => {
    const { kase, facts } = await loadCaseFacts(tx, input.caseId, { lock: true });
    const refuse = (refusal: Refusal) =>
      refuseCaseAction(tx, { actor, attempted: `send ${input.kind.toLowerCase()} link`, refusal, caseId: kase.id, subjectUserId: kase.userId, request: input.request });
    if (!can(input.actor.role, "cases:work")) return refuse({ ok: false, code: "FORBIDDEN", message: "Your role cannot work recovery cases." });
    const decision = decideSendStepLink({ policy: ACTIVE_POLICY, facts, kind: input.kind });
    if (!decision.ok) return refuse(decision);
    const recipient = await recipientFor(tx, input.kind, kase.user);
    if ("refusal" in recipient) return refuse({ ok: false, code: "CONFLICT", message: recipient.refusal });
    const token = newToken();
    await tx.stepLink.updateMany({ where: { caseId: kase.id, kind: input.kind, usedAt: null, voidedAt: null }, data: { voidedAt: new Date() } });
    await tx.stepLink.create({
      data: { caseId: kase.id, kind: input.kind, tokenHash: hashToken(token), sentTo: recipient.address, expiresAt: new Date(Date.now() + STEP_LINK_MINUTES * 60_000) },
    });
    const path = input.kind === "MANAGER_CONFIRMATION" ? "confirm" : "prove";
    await enqueueMessage(tx, { to: recipient.address, message: recipient.message(`${publicUrl}/${path}/${token}`), subjectUserId: kase.userId, caseId: kase.id });
    await recordAudit(tx, {
      action: "step.link_sent",
      outcome: "ALLOWED",
      actor,
      caseId: kase.id,
      subjectUserId: kase.userId,
      target: { type: "case", id: kase.id },
      data: { step: input.kind, sentTo: maskAddress(recipient.address) },
      request: input.request,
    });
    return { ok: true, sentTo: maskAddress(recipient.address) };
  });
  if (!result.ok) throw new DomainError(result.code, result.message);
  return { sentTo: result.sentTo };
}
