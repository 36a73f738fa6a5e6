/**
 * Which instance of the console runs the periodic jobs (docs/decisions/042-several-instances.md).
 *
 * Several console instances share one PostgreSQL. Exactly one of them at a time, the leader,
 * runs the background worker's periodic jobs and signs checkpoints: the one that holds a
 * session-level advisory lock (LEADER_LOCK) on a connection of its own. PostgreSQL releases the
 * lock when that session ends (the process stops, crashes, or its connection is cut), and every
 * other instance tries to take it every LEADER_RETRY_MS, so one of them takes over. The per-job
 * claims each job already had (advisory locks, SKIP LOCKED, guarded updates) stay, as defence in
 * depth for the moment an old leader has not yet noticed it lost its session.
 */

/** The session-level advisory lock the leader holds (beside the audit chain 608, seal 609, signer 610 and verification queue 611). */
export const LEADER_LOCK = 7_355_612;

/** How often an instance that is not the leader tries the lock, and the leader checks its session. */
export const LEADER_RETRY_MS = 2000;

/**
 * The server-side keepalive the leader's session asks for, so that PostgreSQL ends the session
 * (and releases the lock) when the leader's host vanishes without closing its connection.
 */
export const LEADER_KEEPALIVE = { idleSeconds: 10, intervalSeconds: 5, count: 3 } as const;

/** How long the leader waits for its own health check before it steps down. */
export const LEADER_CHECK_TIMEOUT_MS = 5000;

/** The background worker's periodic jobs, and the claim each keeps besides leadership. */
export const PERIODIC_JOBS = {
  "approval-lapse": "each request lapsed under the case unit of work's row locks",
  "signal-sweep": "each case's effects applied under its row lock",
  "employment-sweep": "each person stopped once under their row lock",
  "certification-sweep": "each reminder and expiry claimed by a guarded update",
  "nudge-campaigns": "pg_try_advisory_xact_lock per campaign",
  outbox: "each message claimed with SKIP LOCKED",
  "checkpoint-signer": "pg_try_advisory_xact_lock per round (SIGNER_LOCK)",
  siem: "claimed per sink",
  webhooks: "claimed per endpoint",
  "shared-signals": "claimed per stream",
} as const satisfies Record<string, string>;

export type PeriodicJob = keyof typeof PERIODIC_JOBS;

/**
 * Whether this instance runs its periodic jobs now. Every periodic job is the leader's: a
 * second instance adds no throughput worth the doubled database work, and "exactly one at a time"
 * is then true of each job, not only of the ones whose claims make it so.
 */
export function runsPeriodicJobs(role: LeaderRole): boolean {
  return role === "leader";
}

export type LeaderRole = "leader" | "standby";

/**
 * The longest time from the leader stopping to another instance running its jobs.
 * - The leader's process stops or crashes: its operating system closes the connection, and
 *   PostgreSQL ends the session at once.
 * - Its host or network vanishes: PostgreSQL notices through the session's keepalive
 *   (idle, then `count` probes `interval` apart) and ends the session.
 * Then a standby takes the lock at its next try (retryMs) and runs the jobs at its next tick.
 */
export function takeoverBoundMs(input: {
  cause: "process stopped" | "host vanished";
  retryMs: number;
  tickMs: number;
  keepalive?: { idleSeconds: number; intervalSeconds: number; count: number };
}): number {
  const keepalive = input.keepalive ?? LEADER_KEEPALIVE;
  const sessionEndMs =
    input.cause === "process stopped"
      ? 0
      : (keepalive.idleSeconds + keepalive.intervalSeconds * keepalive.count) * 1000;
  return sessionEndMs + input.retryMs + input.tickMs;
}

/**
 * The statements that set the leader session's keepalive (integers only, so they are safe to
 * send as text: SET takes no bind parameters).
 */
export function keepaliveStatements(
  keepalive: { idleSeconds: number; intervalSeconds: number; count: number } = LEADER_KEEPALIVE,
): string[] {
  for (const value of Object.values(keepalive))
    if (!Number.isInteger(value) || value < 1) throw new Error(`bad keepalive value ${value}`);
  return [
    `SET tcp_keepalives_idle = ${keepalive.idleSeconds}`,
    `SET tcp_keepalives_interval = ${keepalive.intervalSeconds}`,
    `SET tcp_keepalives_count = ${keepalive.count}`,
  ];
}
