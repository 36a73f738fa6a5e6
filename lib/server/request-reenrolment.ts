import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { nextStatus } from "@/lib/domain/case-state";
import { approvalWaitingNotice } from "@/lib/domain/notifications";
import { approvalNeed, decideReenrolmentRequest } from "@/lib/domain/recovery-decisions";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { runCaseWork } from "./cases/unit-of-work";
import { enqueueMessage } from "./enqueue-message";
import { currentSnapshot, sendEnrolmentLink } from "./reenrolment";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

type ReenrolmentRequested =
  { status: "pending_approval"; reason: string } | { status: "link_sent"; sentTo: string };

/**
 * From a verified case, the agent asks to re-enrol the user: which lost passkeys to revoke,
 * and a one-time enrolment link. Where the case's policy needs a second person (its tiers and
 * reasons, any red flag, a repeat call) the request waits, bound to a hash of a snapshot of all
 * the approver judges, and the team's other supervisors are told; otherwise the link goes out at
 * once. Under the unit of work's locks (user → case).
 */
export async function requestReenrolment(input: {
  actor: CurrentStaff;
  caseId: string;
  revokePasskeyIds: string[];
  request?: RequestContext;
}): Promise<ReenrolmentRequested> {
  return runCaseWork<ReenrolmentRequested>(
    {
      caseId: input.caseId,
      actor: { kind: "staff", staff: input.actor, permission: "cases:work" },
      attempted: "request re-enrolment",
      request: input.request,
    },
    async ({ tx, kase, facts: loaded, policy, now, actor, refuse }) => {
      // An approval that expired unanswered lapses here too, so the agent can simply ask again.
      let facts = loaded;
      const expired = await tx.approval.findMany({
        where: { caseId: kase.id, status: "PENDING", expiresAt: { lte: now } },
        select: { id: true, snapshotHash: true },
      });
      for (const approval of expired) {
        await tx.approval.update({ where: { id: approval.id }, data: { status: "EXPIRED" } });
        await recordAudit(tx, {
          action: "approval.lapsed",
          outcome: "REFUSED",
          reason: "SEQUENCE",
          actor,
          caseId: kase.id,
          subjectUserId: kase.userId,
          data: { why: "expired", snapshotHash: approval.snapshotHash },
          request: input.request,
        });
      }
      const back = expired.length > 0 ? nextStatus(facts.status, "EXPIRE_APPROVAL") : null;
      if (back?.ok) {
        await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: back.status } });
        facts = { ...facts, status: back.status };
      }
      const active = await tx.passkey.findMany({
        where: { userId: kase.userId, status: "ACTIVE" },
        select: { id: true },
      });
      const verified = await tx.workforceEmail.count({
        where: { userId: kase.userId, verified: true },
      });
      const decision = decideReenrolmentRequest({
        policy,
        facts,
        revokePasskeyIds: input.revokePasskeyIds,
        activePasskeyIds: active.map((p) => p.id),
        hasVerifiedAddress: verified > 0,
      });
      if (!decision.ok) return refuse(decision);
      const { snapshot, hash } = await currentSnapshot(tx, {
        caseId: kase.id,
        revokePasskeyIds: input.revokePasskeyIds,
      });
      const needReason = approvalNeed(policy, facts);
      await recordAudit(tx, {
        action: "reenrolment.requested",
        outcome: "ALLOWED",
        actor,
        caseId: kase.id,
        subjectUserId: kase.userId,
        target: { type: "case", id: kase.id },
        data: {
          needsApproval: needReason !== null,
          needReason: needReason ?? "",
          revokePasskeys: input.revokePasskeyIds.length,
          snapshotHash: hash,
        },
        request: input.request,
      });
      if (needReason) {
        const move = nextStatus(facts.status, "REQUEST_APPROVAL");
        if (!move.ok)
          return refuse({
            ok: false,
            code: "SEQUENCE",
            message: `A re-enrolment cannot be requested: ${move.reason}.`,
          });
        await tx.approval.create({
          data: {
            caseId: kase.id,
            requestedById: input.actor.id,
            snapshot: snapshot as Prisma.InputJsonValue,
            snapshotHash: hash,
            needReason,
            expiresAt: new Date(now.getTime() + policy.approvalMinutes * 60_000),
          },
        });
        await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
        const supervisors = await tx.staff.findMany({
          where: {
            role: "SUPERVISOR",
            active: true,
            team: kase.team,
            id: { notIn: [input.actor.id, kase.agentId] },
          },
          select: { name: true, email: true },
        });
        for (const supervisor of supervisors) {
          const message = approvalWaitingNotice({
            supervisorName: supervisor.name,
            userName: kase.user.name,
            needReason,
            link: `${publicUrl}/approvals`,
            expiresMinutes: policy.approvalMinutes,
          });
          await enqueueMessage(tx, {
            to: supervisor.email,
            message,
            subjectUserId: kase.userId,
            caseId: kase.id,
          });
        }
        return { ok: true, value: { status: "pending_approval" as const, reason: needReason } };
      }
      const { sentTo } = await sendEnrolmentLink(tx, {
        actor,
        caseId: kase.id,
        userId: kase.userId,
        revokePasskeyIds: input.revokePasskeyIds,
        minutes: policy.enrolmentLinkMinutes,
        request: input.request,
      });
      return { ok: true, value: { status: "link_sent" as const, sentTo } };
    },
  );
}
