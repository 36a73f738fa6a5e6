import "server-only";
import { DomainError } from "@/lib/domain/errors";
import { runState, type FullRunStatus } from "@/lib/domain/verification-runs";
import { db } from "@/lib/db";
import { staffActor } from "./audit";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";
import { newestFullRun, requestFullVerification } from "./verification-runs";

/**
 * A security reviewer asks for a full verification from the audit page: queued for the
 * verification worker, never run in the request (docs/decisions/020). Refused while one is
 * queued or running (the refusal is audited too).
 */
export async function startFullVerification(input: {
  actor: CurrentStaff;
  request?: RequestContext;
}): Promise<string> {
  const outcome = await requestFullVerification(db, {
    actor: staffActor(input.actor),
    requestedBy: input.actor.id,
    request: input.request,
  });
  if (!outcome.ok) throw new DomainError("CONFLICT", outcome.message);
  return outcome.runId;
}

/** The newest full run's progress, for the page while it waits (numbers only, no events). */
export async function fullRunStatus(now = new Date()): Promise<FullRunStatus> {
  const run = await newestFullRun(db);
  if (!run)
    return {
      state: "none",
      checked: 0,
      total: 0,
      requestedAt: null,
      startedAt: null,
      finishedAt: null,
      unfinished: null,
    };
  return {
    state: runState(run, now),
    checked: run.checked,
    total: run.total,
    requestedAt: run.requestedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    unfinished: unfinishedBecause(run),
  };
}

/** Why a finished run has no result: its worker stopped, or it could not run (else null). */
function unfinishedBecause(run: {
  finishedAt: Date | null;
  ok: boolean | null;
  problems: unknown;
}) {
  if (!run.finishedAt || run.ok !== null) return null;
  const first = Array.isArray(run.problems) ? (run.problems[0] as { problem?: unknown }) : null;
  return typeof first?.problem === "string" ? first.problem.slice(0, 300) : "it did not finish";
}
