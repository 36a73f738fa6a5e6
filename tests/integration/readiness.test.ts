/**
 * The team's readiness (docs/decisions/032): a supervisor sees only their own team, a security
 * reviewer every team or the one they filter on; certification status, progress, practice and
 * the team's most-missed red flags come from the stored rows.
 */
import { describe, expect, it } from "vitest";
import type { StaffRole } from "@/lib/domain/roles";
import { getTeamReadiness } from "@/lib/server/practice/readiness";
import type { CurrentStaff } from "@/lib/server/resume-staff-session";
import { db } from "@/tests/db";
import { createStaff } from "@/tests/factories";

async function member(
  role: StaffRole,
  team: string | null,
  certified = true,
): Promise<CurrentStaff> {
  const row = await createStaff(db, { role, team, certified });
  return { ...row, role, sessionExpires: new Date(Date.now() + 60_000) };
}

async function run(
  staff: CurrentStaff,
  fields: { safe: boolean; passed: boolean; caught?: string[]; missed?: string[] },
) {
  return db.practiceRun.create({
    data: {
      staffId: staff.id,
      team: staff.team,
      scenarioKey: `s-${Math.random().toString(36).slice(2, 8)}`,
      scenarioVersion: 1,
      scenario: {},
      scenarioHash: "0".repeat(64),
      impostor: true,
      policyVersion: 2,
      finishedAt: new Date(Date.now() - 60_000),
      score: fields.passed ? 90 : 40,
      safe: fields.safe,
      passed: fields.passed,
      caughtFlags: fields.caught ?? [],
      missedFlags: fields.missed ?? [],
    },
  });
}

describe("team readiness", () => {
  it("a supervisor sees their own team only, whatever team they ask for", async () => {
    const east = await member("SUPERVISOR", "Readiness East");
    const eastAgent = await member("AGENT", "Readiness East", false);
    const westAgent = await member("AGENT", "Readiness West");
    await run(eastAgent, {
      safe: true,
      passed: true,
      caught: ["PRESSURE"],
      missed: ["NEW_CONTACT_REQUEST"],
    });
    await run(eastAgent, {
      safe: false,
      passed: false,
      missed: ["NEW_CONTACT_REQUEST", "PRESSURE"],
    });
    await run(westAgent, { safe: false, passed: false, missed: ["OTHER"] });

    const readiness = await getTeamReadiness(east, "Readiness West");
    expect(readiness.teams).toEqual(["Readiness East"]);
    expect(readiness.choices).toEqual([]);
    const names = readiness.rows.map((r) => r.id);
    expect(names).toContain(eastAgent.id);
    expect(names).toContain(east.id);
    expect(names).not.toContain(westAgent.id);
    const agent = readiness.rows.find((r) => r.id === eastAgent.id)!;
    expect(agent.status).toEqual({ kind: "none" });
    expect(agent.practice).toMatchObject({ runs: 2, finished: 2, safeRate: 0.5 });
    // The impostor who took them in restarted the count.
    expect(agent.progress.resetBy).not.toBeNull();
    expect(readiness.rows.find((r) => r.id === east.id)!.status.kind).toBe("current");
    expect(readiness.flags).toEqual([
      { flag: "NEW_CONTACT_REQUEST", caught: 0, missed: 2, missRate: 1 },
      { flag: "PRESSURE", caught: 1, missed: 1, missRate: 0.5 },
    ]);
  });

  it("a security reviewer sees every team, or the one chosen", async () => {
    const reviewer = await member("SECURITY", null);
    const north = await member("AGENT", "Readiness North");
    const south = await member("AGENT", "Readiness South");
    const all = await getTeamReadiness(reviewer);
    expect(all.teams).toEqual(expect.arrayContaining(["Readiness North", "Readiness South"]));
    expect(all.rows.map((r) => r.id)).toEqual(expect.arrayContaining([north.id, south.id]));
    const one = await getTeamReadiness(reviewer, "Readiness South");
    expect(one.teams).toEqual(["Readiness South"]);
    expect(one.rows.map((r) => r.id)).toContain(south.id);
    expect(one.rows.map((r) => r.id)).not.toContain(north.id);
  });

  it("a supervisor without a team sees nobody", async () => {
    const lone = await member("SUPERVISOR", null);
    const readiness = await getTeamReadiness(lone);
    expect(readiness.rows).toEqual([]);
  });
});
