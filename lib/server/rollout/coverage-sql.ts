/**
 * The coverage rules of lib/domain/coverage.ts written as SQL (docs/decisions/038), shared by the
 * coverage report (coverage-report.ts), the directory's coverage filters
 * (lib/server/workforce-directory.ts) and the nudge campaigns (nudge-campaigns.ts), so a figure,
 * the list behind it and the people a campaign mails are the same people. The integration tests
 * check the SQL against the domain's functions on seeded data.
 *
 * NOTE: not marked "server-only", like workforce-directory.ts, which imports it.
 *
 * Times are the database's `now()`, in the report and the directory alike.
 */
import { Prisma } from "@/generated/prisma/client";
import { CALLS_PERIOD_DAYS, STALE_DAYS, type CoverageKey } from "@/lib/domain/coverage";

/**
 * The id of the wave a person (`u`, a "WorkforceUser") belongs to, or NULL: the first live wave,
 * by (startsOn, createdAt, id), whose departments (none: all) and tiers (none: all) include them.
 * The waves are few: this reads them once per person from the wave table's ordered index.
 */
export const WAVE_OF_USER = Prisma.sql`(
  SELECT w.id FROM "RolloutWave" w
  WHERE w."retiredAt" IS NULL
    AND (coalesce(cardinality(w.departments), 0) = 0 OR u.department = ANY (w.departments))
    AND (coalesce(cardinality(w.tiers), 0) = 0 OR u."riskTier" = ANY (w.tiers))
  ORDER BY w."startsOn", w."createdAt", w.id
  LIMIT 1)`;

/** A person's facts as SQL expressions: active passkeys, synced ones, last use, recent calls. */
export type CoverageColumns = {
  passkeys: Prisma.Sql;
  synced: Prisma.Sql;
  lastUsed: Prisma.Sql;
  calls: Prisma.Sql;
};

/** The facts of `u` looked up row by row (the directory): each on an index of its table. */
export const PER_USER: CoverageColumns = {
  passkeys: Prisma.sql`(SELECT count(*) FROM "Passkey" p WHERE p."userId" = u.id AND p.status = 'ACTIVE')`,
  synced: Prisma.sql`(SELECT count(*) FROM "Passkey" p WHERE p."userId" = u.id AND p.status = 'ACTIVE' AND p."backedUp")`,
  lastUsed: Prisma.sql`(SELECT max(coalesce(p."lastUsedAt", p."createdAt")) FROM "Passkey" p WHERE p."userId" = u.id AND p.status = 'ACTIVE')`,
  calls: Prisma.sql`(SELECT count(*) FROM "RecoveryCase" c WHERE c."userId" = u.id AND c."createdAt" >= ${callsSince()})`,
};

/** Cases opened since then count as recent calls. */
export function callsSince(): Prisma.Sql {
  return Prisma.sql`now() - make_interval(days => ${CALLS_PERIOD_DAYS}::int)`;
}

/** No active passkey used (or, never used, created) since then: stale. */
function staleBefore(): Prisma.Sql {
  return Prisma.sql`now() - make_interval(days => ${STALE_DAYS}::int)`;
}

/** Whether `u` counts in a figure (lib/domain/coverage.ts inFigure): active employees only. */
export function coverageCondition(key: CoverageKey, c: CoverageColumns = PER_USER): Prisma.Sql {
  const active = Prisma.sql`u.status = 'ACTIVE'`;
  return Prisma.sql`(${active} AND ${figure(key, c)})`;
}

function figure(key: CoverageKey, c: CoverageColumns): Prisma.Sql {
  switch (key) {
    case "population":
      return Prisma.sql`TRUE`;
    case "enrolled":
      return Prisma.sql`${c.passkeys} >= 1`;
    case "two-or-more":
      return Prisma.sql`${c.passkeys} >= 2`;
    case "synced":
      return Prisma.sql`${c.synced} >= 1`;
    case "device-bound":
      return Prisma.sql`(${c.passkeys} >= 1 AND ${c.synced} = 0)`;
    case "lockout-risk":
      return Prisma.sql`(${c.passkeys} = 0 OR (${c.passkeys} = 1 AND ${c.synced} = 0))`;
    case "stale":
      return Prisma.sql`(${c.passkeys} >= 1 AND ${c.lastUsed} < ${staleBefore()})`;
    case "called":
      return Prisma.sql`${c.calls} > 0`;
  }
}
