/**
 * The demo shows the rollout (docs/decisions/038): the seed's three waves in order, people at
 * lockout risk in each, the links behind every wave's figures listing as many people, and a
 * campaign with its history (mailed, covered since).
 */
import { describe, expect, it } from "vitest";
import { seedDemo } from "@/prisma/seed";
import { COVERAGE_KEYS } from "@/lib/domain/coverage";
import { DirectorySearchSchema } from "@/lib/domain/workforce";
import { getCoverageReport } from "@/lib/server/rollout/coverage-report";
import { findCampaigns } from "@/lib/server/rollout/nudge-campaigns";
import { searchDirectory } from "@/lib/server/workforce-directory";
import { db } from "@/tests/db";

describe("the rollout demo", () => {
  it("seeds waves, people at lockout risk and a campaign with history", async () => {
    await seedDemo(db, { now: new Date() });
    const report = await getCoverageReport();
    expect(report.waves.map((row) => row.wave?.name ?? null)).toEqual([
      "Wave 1: IT Operations and Finance",
      "Wave 2: high-risk and privileged people",
      "Wave 3: everyone else",
      null,
    ]);
    // Wave 3 takes everyone the others leave: nobody active is in no wave.
    expect(report.waves[3]!.figures.population).toBe(0);
    for (const row of report.waves.slice(0, 3))
      expect(row.figures["lockout-risk"]).toBeGreaterThan(0);
    const active = await db.workforceUser.count({ where: { status: "ACTIVE" } });
    expect(report.total.population).toBe(active);
    for (const row of report.waves.slice(0, 3))
      for (const key of COVERAGE_KEYS) {
        const listed = await searchDirectory(
          db,
          DirectorySearchSchema.parse({ coverage: key, wave: row.wave!.id }),
        );
        expect(listed.total, `${row.wave!.name} ${key}`).toBe(row.figures[key]);
      }

    const [campaign] = await findCampaigns();
    expect(campaign).toMatchObject({
      status: "stopped",
      wave: { name: "Wave 1: IT Operations and Finance" },
    });
    expect(campaign!.mailed).toBe(campaign!.atRiskAtStart);
    expect(campaign!.covered).toBeGreaterThan(0);
    expect(campaign!.covered).toBeLessThan(campaign!.mailed);
    expect(campaign!.effect.length).toBeGreaterThanOrEqual(13);
  });
});
