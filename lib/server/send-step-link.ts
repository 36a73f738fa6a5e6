import "server-only";
import {
  managerConfirmationRequest,
  maskAddress,
  passkeyProofRequest,
  type Message,
} from "@/lib/domain/notifications";
import { decideSendStepLink } from "@/lib/domain/recovery-decisions";
import { linkCompletion, type LinkedStep } from "@/lib/domain/step-kinds";
import { isLeaver } from "@/lib/domain/workforce";
import { publicUrl } from "@/lib/env";
import { recordAudit, type Tx } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { hashToken, newToken } from "./secrets";

type Recipient = { address: string; message: (link: string) => Message } | { refusal: string };

/** Who a step's link goes to, always an address of record. */
async function recipientFor(
  tx: Tx,
  kind: LinkedStep,
  user: { id: string; name: string; employeeId: string; managerId: string | null },
  expiresMinutes: number,
): Promise<Recipient> {
  if (kind === "MANAGER_CONFIRMATION") {
    const manager = user.managerId
      ? await tx.workforceUser.findUnique({
          where: { id: user.managerId },
          select: {
            name: true,
            status: true,
            leavingOn: true,
            emails: { where: { verified: true, isPrimary: true }, select: { address: true } },
          },
        })
      : null;
    const address =
      manager && !isLeaver(manager, new Date()) ? manager.emails[0]?.address : undefined;
    if (!manager || !address)
      return { refusal: "This person has no manager of record with a verified address." };
    return {
      address,
      message: (link) =>
        managerConfirmationRequest({
          managerName: manager.name,
          userName: user.name,
          employeeId: user.employeeId,
          link,
          expiresMinutes,
        }),
    };
  }
  const active = await tx.passkey.count({ where: { userId: user.id, status: "ACTIVE" } });
  if (active === 0) return { refusal: "This person has no active passkey left to prove with." };
  const email = await tx.workforceEmail.findFirst({
    where: { userId: user.id, verified: true, isPrimary: true },
    select: { address: true },
  });
  if (!email) return { refusal: "This person has no verified address." };
  return {
    address: email.address,
    message: (link) => passkeyProofRequest({ name: user.name, link, expiresMinutes }),
  };
}

/**
 * Sends a one-time link that lets someone other than the agent complete a step: the manager
 * of record confirms or denies, or the user signs in with a passkey they still have. The step
 * completes from their answer, never from the agent. A new link voids the previous one.
 */
export async function sendStepLink(input: {
  actor: CurrentStaff;
  caseId: string;
  kind: LinkedStep;
  request?: RequestContext;
}): Promise<{ sentTo: string }> {
  return runCaseWork(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: `send ${input.kind.toLowerCase()} link`,
      request: input.request,
    },
    async ({ tx, kase, facts, policy, now, actor, refuse }) => {
      const decision = decideSendStepLink({ policy, facts, kind: input.kind });
      if (!decision.ok) return refuse(decision);
      const minutes = policy.lifetimes.stepLinkMinutes;
      const recipient = await recipientFor(tx, input.kind, kase.user, minutes);
      if ("refusal" in recipient)
        return refuse({ ok: false, code: "CONFLICT", message: recipient.refusal });
      const token = newToken();
      await tx.stepLink.updateMany({
        where: { caseId: kase.id, kind: input.kind, usedAt: null, voidedAt: null },
        data: { voidedAt: now, voidReason: "replaced by a new link" },
      });
      await tx.stepLink.create({
        data: {
          caseId: kase.id,
          kind: input.kind,
          tokenHash: hashToken(token),
          sentTo: recipient.address,
          expiresAt: new Date(now.getTime() + minutes * 60_000),
        },
      });
      const { path } = linkCompletion(input.kind);
      await enqueueMessage(tx, {
        to: recipient.address,
        message: recipient.message(`${publicUrl}/${path}/${token}`),
        subjectUserId: kase.userId,
        caseId: kase.id,
      });
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
      return { ok: true, value: { sentTo: maskAddress(recipient.address) } };
    },
  );
}
