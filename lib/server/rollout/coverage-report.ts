import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { callsPer100, COVERAGE_KEYS, type CoverageKey } from "@/lib/domain/coverage";
import type { RiskTier } from "@/lib/domain/workforce";
import { callsSince, coverageCondition, WAVE_OF_USER, type CoverageColumns } from "./coverage-sql";
import { findWaves } from "./waves";

export type CoverageRow = Record<CoverageKey, number> & {
  calls: number;
  callsPer100: number | null;
};

type Cell = { wave: string | null; department: string; tier: RiskTier } & Record<
  CoverageKey | "calls",
  number
>;

/** The grouped facts' columns, as coverage-sql.ts reads them. */
const GROUPED: CoverageColumns = {
  passkeys: Prisma.sql`coalesce(pk.n, 0)`,
  synced: Prisma.sql`coalesce(pk.synced, 0)`,
  lastUsed: Prisma.sql`pk.last`,
  calls: Prisma.sql`coalesce(calls.n, 0)`,
};

/**
 * The coverage report (docs/decisions/038): every figure of lib/domain/coverage.ts counted in the
 * database, grouped by (wave, department, tier), in one query: active passkeys and recent cases
 * are aggregated once per table (hash joins, no per-person lookups) and counted per (department,
 * tier); a wave takes people by department and tier only, so each such cell's wave is read once
 * from the few waves (the same rule the directory applies row by row). What comes back is at most waves × departments × tiers rows, which
 * are added up here by wave, by department and by tier.
 */
export async function getCoverageReport() {
  const figures = COVERAGE_KEYS.map(
    (key) =>
      Prisma.sql`count(*) FILTER (WHERE ${coverageCondition(key, GROUPED)})::int AS ${Prisma.raw(`"${key}"`)}`,
  );
  const [cells, waves] = await Promise.all([
    db.$queryRaw<Cell[]>`
      WITH pk AS (
        SELECT p."userId", count(*) AS n, count(*) FILTER (WHERE p."backedUp") AS synced,
          max(coalesce(p."lastUsedAt", p."createdAt")) AS last
        FROM "Passkey" p WHERE p.status = 'ACTIVE' GROUP BY p."userId"),
      calls AS (
        SELECT c."userId", count(*) AS n FROM "RecoveryCase" c
        WHERE c."createdAt" >= ${callsSince()} GROUP BY c."userId"),
      cells AS (
        SELECT u.department, u."riskTier", ${Prisma.join(figures, ", ")},
          coalesce(sum(${GROUPED.calls}), 0)::int AS calls
        FROM "WorkforceUser" u
          LEFT JOIN pk ON pk."userId" = u.id
          LEFT JOIN calls ON calls."userId" = u.id
        WHERE u.status = 'ACTIVE'
        GROUP BY 1, 2)
      -- A person's wave depends on their department and tier only: read once per cell.
      SELECT ${WAVE_OF_USER}::text AS wave, u.department, u."riskTier"::text AS tier,
        ${Prisma.join(
          COVERAGE_KEYS.map((key) => Prisma.raw(`u."${key}"`)),
          ", ",
        )}, u.calls
      FROM cells u`,
    findWaves(),
  ]);
  const sum = (rows: Cell[]): CoverageRow => {
    const total = Object.fromEntries(
      COVERAGE_KEYS.map((key) => [key, rows.reduce((n, row) => n + row[key], 0)]),
    ) as Record<CoverageKey, number>;
    const calls = rows.reduce((n, row) => n + row.calls, 0);
    return { ...total, calls, callsPer100: callsPer100(calls, total.population) };
  };
  const by = <K extends string | null>(key: (cell: Cell) => K) => {
    const groups = new Map<K, Cell[]>();
    for (const cell of cells) groups.set(key(cell), [...(groups.get(key(cell)) ?? []), cell]);
    return groups;
  };
  const byWave = by((c) => c.wave);
  const byDepartment = by((c) => c.department);
  const byTier = by((c) => c.tier);
  return {
    total: sum(cells),
    waves: [
      ...waves
        .filter((wave) => wave.retiredAt === null)
        .map((wave) => ({ wave, figures: sum(byWave.get(wave.id) ?? []) })),
      { wave: null, figures: sum(byWave.get(null) ?? []) },
    ],
    departments: [...byDepartment]
      .map(([department, rows]) => ({ department, figures: sum(rows) }))
      .sort((a, b) => a.department.localeCompare(b.department)),
    tiers: [...byTier]
      .map(([tier, rows]) => ({ tier, figures: sum(rows) }))
      .sort((a, b) => a.tier.localeCompare(b.tier)),
    retiredWaves: waves.filter((wave) => wave.retiredAt !== null),
  };
}

export type CoverageReport = Awaited<ReturnType<typeof getCoverageReport>>;
