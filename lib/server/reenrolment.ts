import "server-only";
/**
 * Shared pieces of re-enrolment: the snapshot an approval is bound to (read fresh inside the
 * caller's transaction), and the one-time enrolment link.
 */
import { createHash } from "node:crypto";
import {
  canonicalJson,
  reenrolmentSnapshot,
  type ReenrolmentSnapshot,
} from "@/lib/domain/approval";
import { enrolmentLinkMessage, maskAddress } from "@/lib/domain/notifications";
import { publicUrl } from "@/lib/env";
import { recordAudit, type AuditActor, type Tx } from "./audit";
import { enqueueMessage } from "./enqueue-message";
import { newRepudiationUrl } from "./repudiation-link";
import type { RequestContext } from "./request-context";
import { hashToken, newToken } from "./secrets";

/** What an approver judges, read fresh inside the caller's transaction: any change lapses the approval. */
export async function currentSnapshot(
  tx: Tx,
  input: { caseId: string; revokePasskeyIds: string[] },
): Promise<{ snapshot: ReenrolmentSnapshot; hash: string }> {
  const kase = await tx.recoveryCase.findUniqueOrThrow({
    where: { id: input.caseId },
    select: {
      id: true,
      riskTier: true,
      policyVersion: true,
      repeatCall: true,
      user: {
        select: {
          id: true,
          status: true,
          phoneOfRecord: true,
          managerId: true,
          emails: { where: { verified: true }, select: { address: true } },
        },
      },
      checklist: {
        select: { steps: { select: { kind: true, outcome: true, note: true, evidence: true } } },
      },
      redFlags: { select: { kind: true } },
    },
  });
  const snapshot = reenrolmentSnapshot({
    caseId: kase.id,
    userId: kase.user.id,
    riskTier: kase.riskTier,
    employment: kase.user.status,
    phoneOfRecord: kase.user.phoneOfRecord,
    managerId: kase.user.managerId,
    policyVersion: kase.policyVersion,
    repeatCall: kase.repeatCall,
    revokePasskeyIds: input.revokePasskeyIds,
    contact: kase.user.emails.map((e) => e.address),
    checklist: (kase.checklist?.steps ?? []).map((step) => ({
      kind: step.kind,
      outcome: step.outcome,
      note: step.note,
      evidence: step.evidence ?? null,
    })),
    redFlags: kase.redFlags.map((f) => f.kind),
  });
  return { snapshot, hash: createHash("sha256").update(canonicalJson(snapshot)).digest("hex") };
}

/** Queues a one-time enrolment link to the user's primary verified address. */
export async function sendEnrolmentLink(
  tx: Tx,
  input: {
    actor: AuditActor;
    caseId: string;
    userId: string;
    revokePasskeyIds: string[];
    approvalId?: string;
    minutes: number;
    request?: RequestContext;
  },
): Promise<{ sentTo: string }> {
  const user = await tx.workforceUser.findUniqueOrThrow({
    where: { id: input.userId },
    select: {
      name: true,
      emails: {
        where: { verified: true },
        select: { address: true, isPrimary: true },
        orderBy: { isPrimary: "desc" },
      },
    },
  });
  const address = user.emails[0]!.address;
  const token = newToken();
  const minutes = input.minutes;
  const now = new Date();
  await tx.enrolmentLink.updateMany({
    where: { userId: input.userId, usedAt: null, voidedAt: null },
    data: { voidedAt: now, voidReason: "replaced by a new link" },
  });
  await tx.enrolmentLink.create({
    data: {
      userId: input.userId,
      caseId: input.caseId,
      tokenHash: hashToken(token),
      revokePasskeyIds: input.revokePasskeyIds,
      approvalId: input.approvalId ?? null,
      sentTo: address,
      expiresAt: new Date(now.getTime() + minutes * 60_000),
    },
  });
  const reportUrl = await newRepudiationUrl(tx, { caseId: input.caseId, userId: input.userId });
  await enqueueMessage(tx, {
    to: address,
    message: enrolmentLinkMessage({
      name: user.name,
      link: `${publicUrl}/enrol/${token}`,
      expiresMinutes: minutes,
      reportUrl,
    }),
    subjectUserId: input.userId,
    caseId: input.caseId,
  });
  await recordAudit(tx, {
    action: "reenrolment.link_sent",
    outcome: "ALLOWED",
    actor: input.actor,
    caseId: input.caseId,
    subjectUserId: input.userId,
    target: { type: "case", id: input.caseId },
    data: {
      sentTo: maskAddress(address),
      expiresMinutes: minutes,
      revokePasskeys: input.revokePasskeyIds.length,
    },
    request: input.request,
  });
  return { sentTo: maskAddress(address) };
}
