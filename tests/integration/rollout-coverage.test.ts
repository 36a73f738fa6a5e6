/**
 * Rollout coverage (issue 15, part C; docs/decisions/038) on a scenario with known answers: each
 * figure by wave, department and tier, counted in SQL, equals the answer worked out by hand and
 * the pure rules of lib/domain/coverage.ts; every figure's link (the directory filtered to its
 * people) lists exactly as many people as the figure; waves are audited and overlap by the
 * first-wave rule; a retired wave's people fall to the next wave.
 */
import { describe, expect, it } from "vitest";
import { COVERAGE_KEYS, coverageFigures, waveOf, type CoverageKey } from "@/lib/domain/coverage";
import { WaveInputSchema } from "@/lib/domain/rollout";
import { DirectorySearchSchema, type RiskTier } from "@/lib/domain/workforce";
import { getCoverageReport, type CoverageRow } from "@/lib/server/rollout/coverage-report";
import { changeWave, createWave, findWaves, retireWave } from "@/lib/server/rollout/waves";
import { searchDirectory } from "@/lib/server/workforce-directory";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";
import { person, recoveryCall } from "@/tests/rollout";

const wave = (fields: Record<string, unknown>) =>
  WaveInputSchema.parse({ departments: [], tiers: [], windowEndsOn: "2027-03-01", ...fields });

/** The figures without the rate (compared on their own). */
const counts = (row: CoverageRow) =>
  Object.fromEntries(COVERAGE_KEYS.map((key) => [key, row[key]])) as Record<CoverageKey, number>;

const zero = Object.fromEntries(COVERAGE_KEYS.map((key) => [key, 0])) as Record<
  CoverageKey,
  number
>;

async function listed(filter: {
  coverage: CoverageKey;
  wave?: string;
  department?: string;
  tier?: RiskTier;
}) {
  const page = await searchDirectory(db, DirectorySearchSchema.parse(filter));
  return page.total;
}

describe("rollout coverage", () => {
  it("counts each figure by wave, department and tier, and each link lists the same people", async () => {
    const security = await actor("SECURITY");
    // A: Finance, high-risk, no passkey: at risk. B: Finance, one device-bound: at risk.
    const a = await person({ department: "Finance", riskTier: "HIGH_RISK", name: "Ada A" });
    await person({ department: "Finance", name: "Ben B" }, [{ synced: false }]);
    // C: Finance, a synced and a device-bound one: covered, two or more.
    await person({ department: "Finance", name: "Cy C" }, [{ synced: true }, { synced: false }]);
    // D: Sales, one synced passkey unused for 200 days: stale.
    await person({ department: "Sales", name: "Di D" }, [{ synced: true, usedDaysAgo: 200 }]);
    // E: Sales, two device-bound ones, and a call to the desk last week.
    const e = await person({ department: "Sales", name: "Ed E" }, [
      { synced: false },
      { synced: false, usedDaysAgo: null },
    ]);
    await recoveryCall(e.id, 7);
    // An old call (beyond the period) does not count.
    await recoveryCall(e.id, 200);
    // F: Sales, high-risk, left: counted nowhere.
    const f = await person({ department: "Sales", riskTier: "HIGH_RISK", status: "LEFT" });
    await recoveryCall(f.id, 3);
    // G: Legal, privileged, a revoked device-bound one and an active synced one.
    await person({ department: "Legal", riskTier: "PRIVILEGED", name: "Gil G" }, [
      { synced: false, status: "REVOKED" },
      { synced: true },
    ]);

    // W1: Finance from December; W2: high-risk and privileged people, from mid-November (first).
    const { waveId: w1 } = await createWave({
      actor: security,
      wave: wave({ name: "Finance", departments: ["Finance"], startsOn: "2026-12-01" }),
    });
    const { waveId: w2 } = await createWave({
      actor: security,
      wave: wave({
        name: "High-risk first",
        tiers: ["HIGH_RISK", "PRIVILEGED"],
        startsOn: "2026-11-15",
      }),
    });
    const audited = await db.auditEvent.findMany({
      where: { action: "wave.created" },
      select: { targetId: true, data: true },
    });
    expect(audited.map((row) => row.targetId).sort()).toEqual([w1, w2].sort());

    const report = await getCoverageReport();
    expect(counts(report.total)).toEqual({
      population: 6,
      enrolled: 5,
      "two-or-more": 2,
      synced: 3,
      "device-bound": 2,
      "lockout-risk": 2,
      stale: 1,
      called: 1,
    });
    expect(report.total.calls).toBe(1);
    expect(report.total.callsPer100).toBe(16.7);
    // Waves in membership order (W2 starts first), then the people no wave takes.
    expect(report.waves.map((row) => row.wave?.id ?? null)).toEqual([w2, w1, null]);
    const [inW2, inW1, inNone] = report.waves.map((row) => counts(row.figures));
    // A (Finance, high-risk) is W2's: the first wave by start date that matches.
    expect(inW2).toEqual({ ...zero, population: 2, enrolled: 1, synced: 1, "lockout-risk": 1 });
    expect(inW1).toEqual({
      ...zero,
      population: 2,
      enrolled: 2,
      "two-or-more": 1,
      synced: 1,
      "device-bound": 1,
      "lockout-risk": 1,
    });
    expect(inNone).toEqual({
      ...zero,
      population: 2,
      enrolled: 2,
      "two-or-more": 1,
      synced: 1,
      "device-bound": 1,
      stale: 1,
      called: 1,
    });
    expect(report.waves[2]!.figures.callsPer100).toBe(50);
    expect(report.departments.map((row) => [row.department, row.figures.population])).toEqual([
      ["Finance", 3],
      ["Legal", 1],
      ["Sales", 2],
    ]);
    expect(
      counts(report.tiers.find((row) => row.tier === "HIGH_RISK")!.figures)["lockout-risk"],
    ).toBe(1);

    // The pure rules give the same answers from the same people, group by group.
    const people = await db.workforceUser.findMany({
      select: {
        id: true,
        status: true,
        department: true,
        riskTier: true,
        passkeys: {
          where: { status: "ACTIVE" },
          select: { backedUp: true, lastUsedAt: true, createdAt: true },
        },
        cases: { select: { createdAt: true } },
      },
    });
    const waves = await findWaves();
    const now = new Date();
    const facts = people.map((p) => ({
      status: p.status,
      passkeys: p.passkeys,
      recentCases: p.cases.filter((c) => c.createdAt.getTime() > now.getTime() - 90 * 86_400_000)
        .length,
      wave: waveOf({ department: p.department, riskTier: p.riskTier }, waves)?.id ?? null,
      department: p.department,
      tier: p.riskTier,
    }));
    expect(report.total).toEqual(coverageFigures(facts, now));
    for (const row of report.waves)
      expect(row.figures).toEqual(
        coverageFigures(
          facts.filter((p) => p.wave === (row.wave?.id ?? null)),
          now,
        ),
      );
    for (const row of report.departments)
      expect(row.figures).toEqual(
        coverageFigures(
          facts.filter((p) => p.department === row.department),
          now,
        ),
      );

    // Every figure's link lists as many people as the figure says.
    for (const key of COVERAGE_KEYS) {
      expect(await listed({ coverage: key }), key).toBe(report.total[key]);
      for (const row of report.waves)
        expect(await listed({ coverage: key, wave: row.wave?.id ?? "none" }), key).toBe(
          row.figures[key],
        );
      for (const row of report.departments)
        expect(await listed({ coverage: key, department: row.department }), key).toBe(
          row.figures[key],
        );
      for (const row of report.tiers)
        expect(await listed({ coverage: key, tier: row.tier as RiskTier }), key).toBe(
          row.figures[key],
        );
    }
    // And the people at risk in W2 are A, by name.
    const atRisk = await searchDirectory(
      db,
      DirectorySearchSchema.parse({ coverage: "lockout-risk", wave: w2 }),
    );
    expect(atRisk.users.map((u) => u.id)).toEqual([a.id]);

    // Retiring W2 hands its people to the next wave that matches: A to W1, G to none.
    await retireWave({ actor: security, waveId: w2 });
    const after = await getCoverageReport();
    expect(after.waves.map((row) => row.wave?.id ?? null)).toEqual([w1, null]);
    expect(after.waves[0]!.figures.population).toBe(3);
    expect(after.waves[1]!.figures.population).toBe(3);
    expect(await listed({ coverage: "lockout-risk", wave: w1 })).toBe(2);
  });

  it("refuses to change or retire a retired wave, audited, and changes nothing", async () => {
    const security = await actor("SECURITY");
    const { waveId } = await createWave({
      actor: security,
      wave: wave({ name: "Old", startsOn: "2026-12-01" }),
    });
    await changeWave({
      actor: security,
      waveId,
      wave: wave({ name: "Renamed", departments: ["Legal"], startsOn: "2026-12-02" }),
    });
    const changed = await db.rolloutWave.findUniqueOrThrow({ where: { id: waveId } });
    expect(changed.name).toBe("Renamed");
    expect(changed.departments).toEqual(["Legal"]);
    await retireWave({ actor: security, waveId });
    await expect(retireWave({ actor: security, waveId })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      changeWave({
        actor: security,
        waveId,
        wave: wave({ name: "Again", startsOn: "2026-12-03" }),
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await db.rolloutWave.findUniqueOrThrow({ where: { id: waveId } })).name).toBe(
      "Renamed",
    );
    expect(
      await db.auditEvent.count({
        where: { action: "wave.refused", targetId: waveId, outcome: "REFUSED" },
      }),
    ).toBe(2);
  });

  it("lets only security reviewers define waves, and audits the denial", async () => {
    const supervisor = await actor("SUPERVISOR");
    await expect(
      createWave({ actor: supervisor, wave: wave({ name: "Mine", startsOn: "2026-12-01" }) }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.rolloutWave.count({ where: { name: "Mine" } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { action: "access.denied", actorId: supervisor.id } }),
    ).toBe(1);
  });
});
