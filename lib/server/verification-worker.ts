/**
 * The verification worker's work (docs/decisions/020): a process of its own (scripts/audit-worker.ts,
 * started beside the web server by `npm start`), never the web server. Each round closes runs
 * whose worker stopped, queues the scheduled run when it is due, then claims one queued run and
 * verifies the whole log, paced: after each batch it rests so that the walk takes only `duty`
 * of the wall time, leaving the rest of a small machine to the console.
 *
 * NOTE: not marked "server-only": the worker (plain Node) runs it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KeyObject } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
import type { NoteVerifier } from "@/lib/domain/tlog/note";
import { restAfter } from "@/lib/domain/verification-runs";
import { runFullVerification, type FullReport } from "./full-verification";
import { claimQueuedRun, closeAbandonedRuns, queueScheduledRun } from "./verification-runs";

export type WorkerConfig = {
  eventKeys: ReadonlyMap<string, KeyObject>;
  log: NoteVerifier;
  dir?: string;
  /** The share of wall time the walk may work (1: unpaced). */
  duty: number;
  /** Hours between scheduled runs; 0 for none. */
  scheduleHours: number;
};

/** A pace hook for runFullVerification: rests after each stretch of work in proportion to it. */
export function pacer(duty: number, rest: (ms: number) => Promise<unknown> = sleep) {
  let resumed = performance.now();
  return async () => {
    const ms = restAfter(performance.now() - resumed, duty);
    if (ms > 0) await rest(ms);
    resumed = performance.now();
  };
}

/** One round: returns the run it verified (and the report), or null when nothing was queued. */
export async function workOnce(
  client: PrismaClient,
  config: WorkerConfig,
  hooks: { onProgress?: (rows: number, total: number) => void } = {},
): Promise<{ runId: string; report: FullReport } | null> {
  await closeAbandonedRuns(client);
  if (config.scheduleHours > 0) await queueScheduledRun(client, config.scheduleHours);
  const claimed = await claimQueuedRun(client);
  if (!claimed) return null;
  try {
    const report = await runFullVerification(client, {
      eventKeys: config.eventKeys,
      log: config.log,
      dir: config.dir,
      runId: claimed.id,
      onProgress: hooks.onProgress,
      pace: pacer(config.duty),
    });
    return { runId: claimed.id, report };
  } catch (error) {
    // The run ends here, with why, rather than waiting to be judged abandoned.
    await client.auditVerification
      .update({
        where: { id: claimed.id },
        data: {
          finishedAt: new Date(),
          problems: [
            {
              id: "?",
              position: null,
              problem: `the verification could not run: ${String(error).slice(0, 200)}`,
            },
          ],
        },
      })
      .catch(() => {});
    throw error;
  }
}
