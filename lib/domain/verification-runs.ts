/**
 * Full verifications of the audit log as runs (docs/decisions/020-verification-off-the-request-path.md):
 * queued from the reviewer page or by the schedule, run by the verification worker outside the
 * web process, paced so it never starves the console. Pure rules; the worker and the page share
 * them.
 */

/** A run that has not reported progress for this long was abandoned (its worker stopped). */
export const ABANDONED_AFTER_MS = 2 * 60_000;
/**
 * A heartbeat further than this in the future is no sign of life either: heartbeats are written
 * with the database's clock, so only a planted row (or a broken clock) has one.
 */
export const FUTURE_SLACK_MS = 60_000;
/** A paced worker rests in slices no longer than this, beating between them. */
export const REST_SLICE_MS = 20_000;

/** The default share of wall time a paced verification spends working (the rest it rests). */
export const DEFAULT_VERIFY_DUTY = 0.5;
export const MIN_VERIFY_DUTY = 0.05;

/** The default hours between scheduled full verifications (0 turns the schedule off). */
export const DEFAULT_FULL_VERIFY_HOURS = 24;

export type RunRow = {
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  ok: boolean | null;
};

export type RunState = "queued" | "running" | "abandoned" | "finished";

/** The newest full run as the audit page follows it (GET /audit/verification). */
export type FullRunStatus = {
  state: "none" | RunState;
  checked: number;
  total: number;
  requestedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why the newest run ended without a result (its worker stopped, or it could not run). */
  unfinished: string | null;
};

export function runState(run: RunRow, now: Date): RunState {
  if (run.finishedAt) return "finished";
  if (!run.startedAt) return "queued";
  const silentFor = now.getTime() - (run.heartbeatAt ?? run.startedAt).getTime();
  return silentFor > ABANDONED_AFTER_MS || silentFor < -FUTURE_SLACK_MS ? "abandoned" : "running";
}

/** A run that blocks another request: one waiting for the worker, or one under way. */
export function blocksAnother(run: RunRow, now: Date): boolean {
  const state = runState(run, now);
  return state === "queued" || state === "running";
}

/**
 * How long to rest after `workMs` of work, so that work takes `duty` of the wall time
 * (duty 1: never rest; duty 0.25: rest three times as long as it worked).
 */
export function restAfter(workMs: number, duty: number): number {
  if (!(duty > 0) || duty >= 1 || workMs <= 0) return 0;
  return (workMs * (1 - duty)) / duty;
}

/** AUDIT_VERIFY_DUTY as a number in [MIN_VERIFY_DUTY, 1], or the default when unset. */
export function parseDuty(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_VERIFY_DUTY;
  const duty = Number(value);
  if (!Number.isFinite(duty) || duty < MIN_VERIFY_DUTY || duty > 1)
    throw new Error(
      `AUDIT_VERIFY_DUTY must be a number from ${MIN_VERIFY_DUTY} to 1 (the share of time a full verification works), not "${value}"`,
    );
  return duty;
}

/** AUDIT_FULL_VERIFY_HOURS: hours between scheduled runs, 0 for none. */
export function parseScheduleHours(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_FULL_VERIFY_HOURS;
  const hours = Number(value);
  if (!Number.isFinite(hours) || hours < 0 || hours > 24 * 366)
    throw new Error(
      `AUDIT_FULL_VERIFY_HOURS must be a number of hours from 0 (no schedule) to 8784, not "${value}"`,
    );
  return hours;
}

/**
 * Whether the schedule asks for a run: `since` is when the newest run was asked for or, when
 * there has never been one, when the log began (a fresh install is not verified at its first
 * start, but a day later); null (an empty log) never asks.
 */
export function scheduledRunDue(since: Date | null, hours: number, now: Date) {
  if (hours === 0 || !since) return false;
  return now.getTime() - since.getTime() >= hours * 3600_000;
}

/** Progress as the page shows it: a share in [0, 1], the rate and the time left, if known. */
export function progressOf(
  run: { checked: number; total: number; startedAt: Date | null },
  now: Date,
): { share: number; perSecond: number | null; secondsLeft: number | null } {
  const share = run.total > 0 ? Math.min(1, run.checked / run.total) : 0;
  if (!run.startedAt || run.checked === 0) return { share, perSecond: null, secondsLeft: null };
  const seconds = Math.max(0.001, (now.getTime() - run.startedAt.getTime()) / 1000);
  const perSecond = run.checked / seconds;
  const left = Math.max(0, run.total - run.checked);
  return { share, perSecond, secondsLeft: perSecond > 0 ? left / perSecond : null };
}
