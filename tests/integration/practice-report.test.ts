/**
 * Practice outcomes in the reports (docs/decisions/032): by red flag and by team, over the period.
 */
import { describe, expect, it } from "vitest";
import { getPracticeReport } from "@/lib/server/practice/practice-report";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";

describe("practice outcomes report", () => {
  it("counts caught and missed flags, and per team runs, safe and pass rates and the certified share", async () => {
    const certified = await createStaff(db, { team: "Report Team" });
    await createStaff(db, { team: "Report Team", certified: false });
    const finished = (days: number, safe: boolean, passed: boolean, missed: string[]) =>
      db.practiceRun.create({
        data: {
          staffId: certified.id,
          team: "Report Team",
          scenarioKey: "k",
          scenarioVersion: 1,
          scenario: {},
          scenarioHash: "0".repeat(64),
          impostor: true,
          policyVersion: 2,
          finishedAt: new Date(Date.now() - days * 24 * 60 * 60 * 1000),
          safe,
          passed,
          caughtFlags: ["PRESSURE"],
          missedFlags: missed,
        },
      });
    await finished(1, true, true, []);
    await finished(2, false, false, ["NEW_CONTACT_REQUEST"]);
    await finished(60, false, false, ["OTHER"]); // outside a 30-day period

    const report = await getPracticeReport(30);
    expect(report.flags).toEqual([
      { flag: "NEW_CONTACT_REQUEST", caught: 0, missed: 1, missRate: 1 },
      { flag: "PRESSURE", caught: 2, missed: 0, missRate: 0 },
    ]);
    expect(report.teams.find((t) => t.team === "Report Team")).toMatchObject({
      finished: 2,
      safeRate: 0.5,
      passRate: 0.5,
      people: 2,
      certified: 1,
      certifiedShare: 0.5,
    });
  });
});
