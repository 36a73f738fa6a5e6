import "server-only";
import { recordAudit } from "../audit";
import type { RequestContext } from "../request-context";
import type { CurrentStaff } from "../resume-staff-session";
import { runUserWork } from "./unit-of-work";

/**
 * A supervisor clears the hold a denial put on a person's recovery, after reviewing it: a second
 * look by someone of the denied case's team who did not work that case. Audited per hold.
 */
export async function clearHold(input: {
  actor: CurrentStaff;
  userId: string;
  note: string;
  request?: RequestContext;
}): Promise<{ cleared: number }> {
  return runUserWork(
    {
      userId: input.userId,
      actor: { kind: "staff", staff: input.actor, permission: "approvals:decide" },
      attempted: "clear hold",
      safeAction: "clear a hold",
      request: input.request,
    },
    async ({ tx, now, actor, refuse, lockCase }) => {
      const holds = await tx.recoveryHold.findMany({
        where: { userId: input.userId, clearedAt: null },
        select: { id: true, caseId: true, reason: true },
      });
      if (holds.length === 0)
        return refuse({ ok: false, code: "SEQUENCE", message: "There is no hold to clear." });
      for (const hold of holds) {
        const loaded = hold.caseId ? await lockCase(hold.caseId) : null;
        if (loaded && loaded.kase.team !== input.actor.team) {
          return refuse(
            {
              ok: false,
              code: "FORBIDDEN",
              message: `This hold came from a case of ${loaded.kase.team ?? "no team"}: a supervisor of that team clears it.`,
            },
            hold.caseId ?? undefined,
          );
        }
        if (loaded && loaded.workedByIds.includes(input.actor.id)) {
          return refuse(
            {
              ok: false,
              code: "FORBIDDEN",
              message:
                "You worked the case that was denied: another supervisor must clear the hold.",
            },
            hold.caseId ?? undefined,
          );
        }
      }
      for (const hold of holds) {
        await tx.recoveryHold.update({
          where: { id: hold.id },
          data: { clearedAt: now, clearedById: input.actor.id, clearNote: input.note },
        });
        await recordAudit(tx, {
          action: "case.hold_cleared",
          outcome: "ALLOWED",
          actor,
          caseId: hold.caseId ?? undefined,
          subjectUserId: input.userId,
          target: { type: "user", id: input.userId },
          data: { holdReason: hold.reason.slice(0, 300), note: input.note },
          request: input.request,
        });
      }
      return { ok: true, value: { cleared: holds.length } };
    },
  );
}
