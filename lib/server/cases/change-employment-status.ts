import "server-only";
import { isOpenCase } from "@/lib/domain/case-state";
import { isLeaver, type EmploymentStatus } from "@/lib/domain/workforce";
import { recordAudit, type AuditActor } from "../audit";
import type { RequestContext } from "../request-context";
import { runUserWork } from "./unit-of-work";
import { NOTHING_VOIDED, sessionsEndedByVoiding, voidRecovery } from "./void-recovery";

/**
 * HR changes a person's employment status (today from the directory feed and tests; later from
 * SCIM). Leaving or suspension takes effect at once, under the user's lock: every session ends,
 * everything recovery issued is voided, open cases close. Passkeys stay on record (a suspension
 * can be lifted; a reviewer revokes them explicitly) but sign-in refuses them while the status
 * holds.
 */
export async function changeEmploymentStatus(input: {
  actor: AuditActor;
  userId: string;
  status: EmploymentStatus;
  leavingOn?: Date | null;
  /** Refuse unless the status, read under the lock, is one of these (a reviewer lifts only a suspension). */
  onlyFrom?: readonly EmploymentStatus[];
  request?: RequestContext;
}): Promise<{ endedSessions: number; closedCases: number }> {
  return runUserWork(
    {
      userId: input.userId,
      actor: { kind: "public", audit: input.actor },
      attempted: "change employment status",
      safeAction: "employment status",
      request: input.request,
    },
    async ({ tx, now, actor, refuse }) => {
      const before = await tx.workforceUser.findUniqueOrThrow({
        where: { id: input.userId },
        select: { status: true, leavingOn: true },
      });
      if (input.onlyFrom && !input.onlyFrom.includes(before.status))
        return refuse({
          ok: false,
          code: "SEQUENCE",
          message:
            before.status === input.status
              ? `This person is already ${input.status.toLowerCase()}.`
              : `This person is ${before.status.toLowerCase()}: only HR changes that.`,
        });
      const leavingOn = input.leavingOn === undefined ? before.leavingOn : input.leavingOn;
      await tx.workforceUser.update({
        where: { id: input.userId },
        data: { status: input.status, leavingOn },
      });
      let voided = NOTHING_VOIDED;
      let endedSessions = 0;
      let closedCases = 0;
      if (isLeaver({ status: input.status, leavingOn }, now)) {
        const reason =
          input.status === "SUSPENDED" ? "the person was suspended" : "the person left";
        voided = await voidRecovery(tx, { userId: input.userId }, { reason, now, codes: true });
        endedSessions = (await tx.workforceSession.deleteMany({ where: { userId: input.userId } }))
          .count;
        const open = await tx.recoveryCase.findMany({
          where: { userId: input.userId },
          select: { id: true, status: true },
        });
        const toClose = open.filter((kase) => isOpenCase(kase.status)).map((kase) => kase.id);
        closedCases = (
          await tx.recoveryCase.updateMany({
            where: { id: { in: toClose } },
            data: { status: "CLOSED", closedAt: now, closeReason: reason },
          })
        ).count;
      }
      await recordAudit(tx, {
        action: "workforce.status_changed",
        outcome: "ALLOWED",
        actor,
        subjectUserId: input.userId,
        target: { type: "user", id: input.userId },
        data: {
          from: before.status,
          to: input.status,
          endedSessions: endedSessions + sessionsEndedByVoiding(voided),
          voided,
          closedCases,
        },
        request: input.request,
      });
      return {
        ok: true,
        value: {
          endedSessions: endedSessions + sessionsEndedByVoiding(voided),
          closedCases,
        },
      };
    },
  );
}
