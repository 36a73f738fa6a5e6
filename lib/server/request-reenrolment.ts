import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { decideApproval } from "@/lib/domain/approval";
import { nextStatus } from "@/lib/domain/case-state";
import { approvalWaitingNotice } from "@/lib/domain/notifications";
import { approvalNeed, decideReenrolmentRequest } from "@/lib/domain/recovery-decisions";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "./audit";
import { lapseApproval } from "./cases/lapse-approval";
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
 * the approver judges, and each active supervisor of the case's team who may decide it (not the
 * requester, nobody who worked the case: decideApproval's rule) is mailed what is asked, why and
 * until when; the audit event names them. Otherwise the link goes out at once. Under the unit
 * of work's locks (user → case).
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
    async (unit) => {
      const { tx, kase, facts: loaded, policy, now, actor, workedByIds, refuse } = unit;
      // An approval that expired unanswered lapses here too, so the agent can simply ask again.
      let facts = loaded;
      const expired = await tx.approval.findMany({
        where: { caseId: kase.id, status: "PENDING", expiresAt: { lte: now } },
        select: { id: true },
      });
      for (const approval of expired) {
        const lapse = await lapseApproval(unit, approval.id);
        if (lapse.lapsed) facts = { ...facts, status: lapse.status };
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
      const move = needReason ? nextStatus(facts.status, "REQUEST_APPROVAL") : null;
      if (move && !move.ok)
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message: `A re-enrolment cannot be requested: ${move.reason}.`,
        });
      const expiresAt = new Date(now.getTime() + policy.approvalMinutes * 60_000);
      // Told: the team's active supervisors who may decide it, by the rule deciding applies.
      const supervisors =
        needReason && kase.team
          ? (
              await tx.staff.findMany({
                where: { role: "SUPERVISOR", active: true, team: kase.team },
                select: { id: true, name: true, email: true, role: true },
                orderBy: { name: "asc" },
              })
            ).filter(
              (supervisor) =>
                decideApproval({
                  approver: supervisor,
                  requestedById: input.actor.id,
                  verifiedByIds: workedByIds,
                  status: "PENDING",
                  expiresAt,
                  now,
                }).ok,
            )
          : [];
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
          ...(needReason ? { supervisorsTold: supervisors.map((s) => s.id).slice(0, 100) } : {}),
        },
        request: input.request,
      });
      if (needReason && move?.ok) {
        await tx.approval.create({
          data: {
            caseId: kase.id,
            requestedById: input.actor.id,
            snapshot: snapshot as Prisma.InputJsonValue,
            snapshotHash: hash,
            needReason,
            expiresAt,
          },
        });
        await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: move.status } });
        for (const supervisor of supervisors) {
          const message = approvalWaitingNotice({
            supervisorName: supervisor.name,
            userName: kase.user.name,
            employeeId: kase.user.employeeId,
            requestedBy: input.actor.name,
            needReason,
            revokePasskeys: input.revokePasskeyIds.length,
            expiresAt,
            expiresMinutes: policy.approvalMinutes,
            link: `${publicUrl}/approvals`,
          });
          await enqueueMessage(tx, {
            to: supervisor.email,
            message,
            subjectUserId: kase.userId,
            caseId: kase.id,
          });
        }
        // A break-glass account's recovery also needs a security reviewer (decision 039): they
        // are told too, and give their part on the person's page.
        if (facts.breakGlass) {
          const reviewers = await tx.staff.findMany({
            where: { role: "SECURITY", active: true },
            select: { name: true, email: true },
          });
          for (const reviewer of reviewers)
            await enqueueMessage(tx, {
              to: reviewer.email,
              message: approvalWaitingNotice({
                supervisorName: reviewer.name,
                userName: kase.user.name,
                employeeId: kase.user.employeeId,
                requestedBy: input.actor.name,
                needReason,
                revokePasskeys: input.revokePasskeyIds.length,
                expiresAt,
                expiresMinutes: policy.approvalMinutes,
                link: `${publicUrl}/users/${kase.userId}`,
              }),
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
