import "server-only";
import { isDomainError } from "@/lib/domain/errors";
import { db } from "@/lib/db";
import type { AuditActor } from "./audit";
import { lapseApproval } from "./cases/lapse-approval";
import { runCaseWork } from "./cases/unit-of-work";

/** Who lapses requests nobody decided, in the audit trail. */
export const APPROVAL_SWEEP_ACTOR = {
  type: "SYSTEM",
  name: "approval sweep",
} as const satisfies AuditActor;

/** Requests lapsed per pass at most; a larger backlog takes the next passes. */
const BATCH = 50;

/**
 * The periodic sweep (run by the background worker, lib/server/outbox-worker.ts): every
 * re-enrolment request still PENDING past its expiry lapses, each in its own case unit of work
 * with the console as the actor (docs/decisions/024). The candidates are read without a lock;
 * each is then claimed under the unit's locks, user → case → approval, the order every other
 * path takes (a `SKIP LOCKED` claim of the approval row, as the outbox claims a message, would
 * take the approval before its user and could deadlock with a supervisor deciding). Under the
 * locks `lapseApproval` re-reads it and lapses it only if it is still PENDING and expired, with
 * one guarded UPDATE: a second instance sweeping at the same moment, or a supervisor who decided
 * it first, leaves it nothing to do, so nothing is audited or mailed twice.
 */
export async function lapseExpiredApprovals(
  options: { now?: Date; limit?: number } = {},
): Promise<{ lapsed: number; failed: { approvalId: string; error: unknown }[] }> {
  const now = options.now ?? new Date();
  const due = await db.approval.findMany({
    where: { status: "PENDING", expiresAt: { lte: now } },
    orderBy: { expiresAt: "asc" },
    take: options.limit ?? BATCH,
    select: { id: true, caseId: true },
  });
  let lapsed = 0;
  const failed: { approvalId: string; error: unknown }[] = [];
  for (const approval of due) {
    try {
      const done = await runCaseWork<boolean>(
        {
          caseId: approval.caseId,
          actor: { kind: "system", audit: APPROVAL_SWEEP_ACTOR },
          attempted: "lapse an expired approval",
          rows: [{ table: "Approval", id: approval.id }],
          now,
        },
        async (unit) => ({ ok: true, value: (await lapseApproval(unit, approval.id)).lapsed }),
      );
      if (done) lapsed++;
    } catch (error) {
      // One request that cannot be lapsed (its case gone: a refusal) does not hold up the others.
      if (!isDomainError(error)) failed.push({ approvalId: approval.id, error });
    }
  }
  return { lapsed, failed };
}
