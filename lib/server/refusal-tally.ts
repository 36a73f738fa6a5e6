import "server-only";
/**
 * Refusals of anonymous requests that name nothing we hold (an unknown link, an unknown email,
 * an unknown credential) and every rate-limited try are counted per window, not written one
 * audit row each (decision 002): a flood costs one upsert per window and kind, and cannot grow
 * the audit trail without bound. Refusals that concern someone (a wrong pass for a real user's
 * pass, a dead link of a real case) are still audited with the decision.
 */
import { db } from "@/lib/db";
import { countRefusalMetric } from "./metrics";

/** The tally's window: ten minutes. */
export const TALLY_WINDOW_MS = 10 * 60_000;

export function tallyWindow(now: Date): Date {
  return new Date(Math.floor(now.getTime() / TALLY_WINDOW_MS) * TALLY_WINDOW_MS);
}

export async function countRefusal(action: string, reason: string, now = new Date()) {
  countRefusalMetric(reason);
  await db.$executeRaw`
    INSERT INTO "RefusalTally" ("windowStart", action, reason, count, "lastAt")
    VALUES (${tallyWindow(now)}, ${action}, ${reason}, 1, ${now})
    ON CONFLICT ("windowStart", action, reason)
    DO UPDATE SET count = "RefusalTally".count + 1, "lastAt" = EXCLUDED."lastAt"`;
}

/**
 * The counted refusals of the last `days`, per action and reason, with the busiest window, for
 * reviewers (the reports page). Most first.
 */
export async function findRefusalTallies(days: number) {
  const since = tallyWindow(new Date(Date.now() - days * 86_400_000));
  return db.$queryRaw<
    { action: string; reason: string; count: number; peak: number; peakAt: Date }[]
  >`
    SELECT action, reason, sum(count)::int AS count, max(count)::int AS peak,
      (array_agg("windowStart" ORDER BY count DESC, "windowStart" DESC))[1] AS "peakAt"
    FROM "RefusalTally" WHERE "windowStart" >= ${since}
    GROUP BY action, reason ORDER BY count DESC LIMIT 100`;
}
