/**
 * Whether this instance should get traffic (GET /readyz, docs/decisions/041): the facts a cheap
 * probe gathered, judged against the thresholds. The answer to the prober is only ready or not;
 * the reasons are for the log and the metrics, never the response (they name the deployment's
 * weak spot to whoever asks).
 */
export type ReadinessFacts = {
  /** A round trip to PostgreSQL succeeded. */
  databaseReachable: boolean;
  /** Migrations of this build not applied (or failed) in the database; null when not known. */
  unappliedMigrations: string[] | null;
  /** Each configured key file, and whether this process can read it. */
  keyFiles: { name: string; readable: boolean }[];
  /** Age of the oldest message still to send, in seconds (0: none waiting); null when not known. */
  outboxLagSeconds: number | null;
  /** Per sink: age of the oldest audit event it has not yet taken, in seconds (0: caught up). */
  sinkLags: { sink: string; lagSeconds: number }[];
};

export type ReadinessThresholds = { outboxLagSeconds: number; sinkLagSeconds: number };

export type Readiness = { ready: true } | { ready: false; reasons: string[] };

export function judgeReadiness(facts: ReadinessFacts, limits: ReadinessThresholds): Readiness {
  const reasons: string[] = [];
  if (!facts.databaseReachable) reasons.push("database unreachable");
  else if (facts.unappliedMigrations === null) reasons.push("migrations unknown");
  else if (facts.unappliedMigrations.length > 0)
    reasons.push(`migrations not applied: ${facts.unappliedMigrations.join(", ")}`);
  for (const key of facts.keyFiles)
    if (!key.readable) reasons.push(`key file unreadable: ${key.name}`);
  if (facts.databaseReachable && facts.outboxLagSeconds === null)
    reasons.push("outbox lag unknown");
  if (facts.outboxLagSeconds !== null && facts.outboxLagSeconds > limits.outboxLagSeconds)
    reasons.push(
      `outbox lag ${Math.round(facts.outboxLagSeconds)}s over ${limits.outboxLagSeconds}s`,
    );
  for (const { sink, lagSeconds } of facts.sinkLags)
    if (lagSeconds > limits.sinkLagSeconds)
      reasons.push(`sink ${sink} lag ${Math.round(lagSeconds)}s over ${limits.sinkLagSeconds}s`);
  return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
}

/**
 * The migrations of this build that the database has not finished: absent from
 * `_prisma_migrations`, or present but unfinished or rolled back.
 */
export function unappliedMigrations(
  expected: readonly string[],
  applied: readonly { name: string; finished: boolean; rolledBack: boolean }[],
): string[] {
  const done = new Set(applied.filter((m) => m.finished && !m.rolledBack).map((m) => m.name));
  return expected.filter((name) => !done.has(name));
}
