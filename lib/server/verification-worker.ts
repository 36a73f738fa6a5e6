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
import { REST_SLICE_MS, restAfter } from "@/lib/domain/verification-runs";
import { recordResult, runFullVerification, type FullReport } from "./full-verification";
import {
  claimQueuedRun,
  closeAbandonedRuns,
  queueScheduledRun,
  RunClosedError,
} from "./verification-runs";

export type WorkerConfig = {
  eventKeys: ReadonlyMap<string, KeyObject>;
  log: NoteVerifier;
  dir?: string;
  /** The share of wall time the walk may work (1: unpaced). */
  duty: number;
  /** Hours between scheduled runs; 0 for none. */
  scheduleHours: number;
  /** The database `client` reaches, for the walk's own connection (default DATABASE_URL). */
  databaseUrl?: string;
};

/**
 * A pace hook for runFullVerification: rests after each stretch of work in proportion to it, in
 * slices of at most REST_SLICE_MS with a heartbeat between them, so a long rest (a low duty on a
 * busy machine) never makes the run look abandoned.
 */
export function pacer(duty: number, rest: (ms: number) => Promise<unknown> = sleep) {
  let resumed = performance.now();
  return async (beat: () => Promise<void> = async () => {}) => {
    let ms = restAfter(performance.now() - resumed, duty);
    while (ms > 0) {
      const slice = Math.min(ms, REST_SLICE_MS);
      await rest(slice);
      ms -= slice;
      if (ms > 0) await beat();
    }
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
      databaseUrl: config.databaseUrl,
      onProgress: hooks.onProgress,
      pace: pacer(config.duty),
    });
    return { runId: claimed.id, report };
  } catch (error) {
    // Closed under it (judged abandoned while it was stopped): another run owns the result.
    if (error instanceof RunClosedError) return null;
    // The run ends here, with why, rather than waiting to be judged abandoned; and the log says
    // that a full verification did not conclude (a failing result), so the page cannot go on
    // showing an older clean one as if this one had never been asked for.
    const problem = `the verification could not finish: ${String(error).slice(0, 200)}`;
    await client.auditVerification
      .updateMany({
        where: { id: claimed.id, finishedAt: null },
        data: { finishedAt: new Date(), problems: [{ id: "?", position: null, problem }] },
      })
      .catch(() => {});
    await recordResult(client, {
      ok: false,
      rows: 0,
      size: 0,
      checkpointSize: null,
      problemCount: 1,
      problems: [problem.slice(0, 300)],
    }).catch(() => {});
    throw error;
  }
}
