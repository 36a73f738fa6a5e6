import "server-only";
import { nextStatus, type CaseStatus } from "@/lib/domain/case-state";
import { approvalLapsedNotice } from "@/lib/domain/notifications";
import { publicUrl } from "@/lib/env";
import { recordAudit } from "../audit";
import { enqueueMessage } from "../enqueue-message";
import type { CaseUnit } from "./unit-of-work";

/**
 * A re-enrolment request that nobody decided before it expired lapses: the approval is marked
 * EXPIRED (one guarded UPDATE: only a PENDING approval past its expiry), the case goes back to
 * VERIFIED so the agent may ask again (EXPIRE_APPROVAL), the agent who asked is mailed unless
 * they are the one acting, and `approval.lapsed` is audited, all in the caller's unit of work
 * (the user → case → approval locks are held). The same for every path that meets a lapsed
 * request: the periodic sweep (lapse-expired-approvals.ts), a supervisor's late click
 * (decide-approval.ts) and the agent asking again (request-reenrolment.ts).
 *
 * Returns whether this call lapsed it (false: it was decided, voided or lapsed meanwhile, or it
 * has not expired), and the case's status afterwards.
 */
export async function lapseApproval(
  unit: Pick<CaseUnit, "tx" | "kase" | "actor" | "now" | "request">,
  approvalId: string,
): Promise<{ lapsed: boolean; status: CaseStatus }> {
  const { tx, kase, actor, now } = unit;
  const approval = await tx.approval.findUnique({
    where: { id: approvalId },
    select: { caseId: true, expiresAt: true, snapshotHash: true, requestedById: true },
  });
  const marked =
    approval && approval.caseId === kase.id
      ? await tx.approval.updateMany({
          where: { id: approvalId, status: "PENDING", expiresAt: { lte: now } },
          data: { status: "EXPIRED" },
        })
      : { count: 0 };
  const current = await tx.recoveryCase.findUniqueOrThrow({
    where: { id: kase.id },
    select: { status: true },
  });
  if (!approval || marked.count !== 1) return { lapsed: false, status: current.status };

  const back = nextStatus(current.status, "EXPIRE_APPROVAL");
  if (back.ok)
    await tx.recoveryCase.update({ where: { id: kase.id }, data: { status: back.status } });

  const actingId = actor.type === "STAFF" ? actor.id : null;
  const requester =
    approval.requestedById === actingId
      ? null
      : await tx.staff.findUnique({
          where: { id: approval.requestedById },
          select: { name: true, email: true, active: true },
        });
  const tell = requester?.active === true;
  if (requester && tell)
    await enqueueMessage(tx, {
      to: requester.email,
      message: approvalLapsedNotice({
        agentName: requester.name,
        userName: kase.user.name,
        employeeId: kase.user.employeeId,
        lapsedAt: approval.expiresAt ?? now,
        link: `${publicUrl}/cases/${kase.id}`,
      }),
      subjectUserId: kase.userId,
      caseId: kase.id,
    });

  await recordAudit(tx, {
    action: "approval.lapsed",
    outcome: "REFUSED",
    reason: "SEQUENCE",
    actor,
    caseId: kase.id,
    subjectUserId: kase.userId,
    target: { type: "approval", id: approvalId },
    data: { why: "expired", snapshotHash: approval.snapshotHash, requesterTold: tell },
    request: unit.request,
  });
  return { lapsed: true, status: back.ok ? back.status : current.status };
}
