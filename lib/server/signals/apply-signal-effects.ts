import "server-only";
import { isDomainError } from "@/lib/domain/errors";
import { db } from "@/lib/db";
import type { AuditActor } from "../audit";
import { runCaseWork } from "../cases/unit-of-work";
import { applySignalToCase } from "./evaluate-signals";
import { log } from "../log";

/** Who applies a signal to other people's cases, in the audit trail. */
export const SIGNAL_SWEEP_ACTOR = {
  type: "SYSTEM",
  name: "fraud signal sweep",
} as const satisfies AuditActor;

const BATCH = 50;

/**
 * Applies the escalations and stops of fraud signals to the cases that have not had them applied:
 * other people's cases named by a signal raised in someone else's transaction (called just after
 * that commit, with their ids), and, periodically from the background worker, any row a crash
 * between that commit and this left behind. Each case in its own unit of work (user → case locks)
 * with the console as the actor; `applySignalToCase` claims the row with a guarded UPDATE, so two
 * instances sweeping at once apply it once. The gate itself never waits for this: the case's facts
 * read the signal from the moment it committed.
 */
export async function applySignalEffects(
  options: { caseIds?: readonly string[]; now?: Date; limit?: number } = {},
): Promise<{ applied: number; failed: { caseId: string; error: unknown }[] }> {
  if (options.caseIds && options.caseIds.length === 0) return { applied: 0, failed: [] };
  const due = await db.fraudSignalCase.findMany({
    where: {
      appliedAt: null,
      effect: { in: ["escalate", "stop"] },
      signal: { status: { not: "DISMISSED" } },
      ...(options.caseIds ? { caseId: { in: [...options.caseIds] } } : {}),
    },
    orderBy: { createdAt: "asc" },
    take: options.limit ?? BATCH,
    select: { signalId: true, caseId: true },
  });
  let applied = 0;
  const failed: { caseId: string; error: unknown }[] = [];
  for (const row of due) {
    try {
      const done = await runCaseWork<boolean>(
        {
          caseId: row.caseId,
          actor: { kind: "system", audit: SIGNAL_SWEEP_ACTOR },
          attempted: "apply a fraud signal",
          now: options.now,
        },
        async ({ tx, kase, now, actor }) => ({
          ok: true,
          value: await applySignalToCase(tx, {
            signalId: row.signalId,
            caseId: kase.id,
            userId: kase.userId,
            now,
            actor,
          }),
        }),
      );
      if (done) applied++;
    } catch (error) {
      if (!isDomainError(error)) failed.push({ caseId: row.caseId, error });
    }
  }
  return { applied, failed };
}

/**
 * After a decision's commit: applies its signal to the other people's cases it named. A failure
 * is logged and left to the periodic sweep; the decision itself has succeeded.
 */
export async function applySignalEffectsAfterCommit(caseIds: readonly string[]): Promise<void> {
  if (caseIds.length === 0) return;
  try {
    const { failed } = await applySignalEffects({ caseIds });
    for (const { caseId, error } of failed)
      log().error({ err: error }, `fraud signal: case ${caseId} left to the sweep`);
  } catch (error) {
    log().error({ err: error }, "fraud signal: effects left to the sweep");
  }
}
