import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flagStats, groupBy, percent, practiceSummary, type OutcomeRun } from "./readiness";

const at = new Date("2026-11-20T10:00:00Z");
const run = (fields: Partial<OutcomeRun> = {}): OutcomeRun => ({
  staffId: "a",
  team: "North",
  finishedAt: at,
  safe: true,
  passed: true,
  caughtFlags: [],
  missedFlags: [],
  ...fields,
});

describe("flagStats", () => {
  it("counts caught and missed per kind, most missed first, unfinished runs and unknown kinds left out", () => {
    const stats = flagStats([
      run({ caughtFlags: ["PRESSURE"], missedFlags: ["NEW_CONTACT_REQUEST"] }),
      run({ missedFlags: ["NEW_CONTACT_REQUEST", "PRESSURE", "NOT_A_FLAG"] }),
      run({ caughtFlags: ["REFUSED_CALLBACK"] }),
      run({ finishedAt: null, missedFlags: ["REFUSED_CALLBACK"] }),
    ]);
    expect(stats).toEqual([
      { flag: "NEW_CONTACT_REQUEST", caught: 0, missed: 2, missRate: 1 },
      { flag: "PRESSURE", caught: 1, missed: 1, missRate: 0.5 },
      { flag: "REFUSED_CALLBACK", caught: 1, missed: 0, missRate: 0 },
    ]);
  });

  it("rates stay between 0 and 1 and counts add up (property)", () => {
    const flag = fc.constantFrom("PRESSURE", "REFUSED_CALLBACK", "DETAILS_MISMATCH", "OTHER");
    fc.assert(
      fc.property(
        fc.array(fc.record({ caught: fc.array(flag), missed: fc.array(flag) }), { maxLength: 30 }),
        (runs) => {
          const stats = flagStats(
            runs.map((r) => run({ caughtFlags: r.caught, missedFlags: r.missed })),
          );
          for (const stat of stats) {
            expect(stat.missRate).toBeGreaterThanOrEqual(0);
            expect(stat.missRate).toBeLessThanOrEqual(1);
          }
          const missed = stats.reduce((sum, s) => sum + s.missed, 0);
          expect(missed).toBe(runs.reduce((sum, r) => sum + r.missed.length, 0));
          for (let i = 1; i < stats.length; i++)
            expect(stats[i - 1]!.missed).toBeGreaterThanOrEqual(stats[i]!.missed);
        },
      ),
    );
  });
});

describe("practiceSummary", () => {
  it("rates over finished runs only, and the last finish", () => {
    const later = new Date("2026-11-22T10:00:00Z");
    expect(
      practiceSummary([
        run(),
        run({ safe: false, passed: false, finishedAt: later }),
        run({ passed: false }),
        run({ finishedAt: null, safe: null, passed: null }),
      ]),
    ).toEqual({
      runs: 4,
      finished: 3,
      safe: 2,
      passed: 1,
      safeRate: 2 / 3,
      passRate: 1 / 3,
      lastPractice: later,
    });
    expect(practiceSummary([])).toMatchObject({
      safeRate: null,
      passRate: null,
      lastPractice: null,
    });
  });

  it("groupBy and percent", () => {
    expect([...groupBy([1, 2, 3, 4], (n) => n % 2).entries()]).toEqual([
      [1, [1, 3]],
      [0, [2, 4]],
    ]);
    expect(percent(2 / 3)).toBe("67 %");
    expect(percent(null)).toBe("—");
  });
});
