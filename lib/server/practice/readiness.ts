import "server-only";
/**
 * The team's readiness (docs/decisions/032), for /practice/team and the reports: who is
 * certified until when, their progress towards (re)certification, their practice, and the red
 * flags the team misses most. A supervisor sees their own team; a security reviewer every team,
 * or one they filter on. Pure rules in lib/domain/practice (certification.ts, readiness.ts).
 */
import {
  addMonths,
  certificationProgress,
  certificationStatus,
  newestCertification,
} from "@/lib/domain/practice/certification";
import { flagStats, groupBy, practiceSummary } from "@/lib/domain/practice/readiness";
import { deskRules } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";
import { findTeams } from "../cases/transfer-case";
import type { CurrentStaff } from "../resume-staff-session";

/** The teams a viewer may see, given an optional filter: supervisors only ever their own. */
export async function readinessTeams(
  viewer: CurrentStaff,
  filter?: string,
): Promise<{ teams: string[]; choices: string[] }> {
  if (viewer.role === "SECURITY") {
    const all = await findTeams(db);
    return { teams: filter && all.includes(filter) ? [filter] : all, choices: all };
  }
  if (viewer.role === "SUPERVISOR" && viewer.team) return { teams: [viewer.team], choices: [] };
  return { teams: [], choices: [] };
}

export async function getTeamReadiness(viewer: CurrentStaff, filter?: string, now = new Date()) {
  const rules = deskRules().certification;
  const { teams, choices } = await readinessTeams(viewer, filter);
  const since = addMonths(now, -rules.validMonths);
  const people = await db.staff.findMany({
    where: { active: true, role: { in: ["AGENT", "SUPERVISOR"] }, team: { in: teams } },
    select: { id: true, name: true, role: true, team: true },
    orderBy: [{ team: "asc" }, { name: "asc" }],
  });
  const ids = people.map((person) => person.id);
  const [certifications, runs, teamRuns] = await Promise.all([
    db.staffCertification.findMany({
      where: { staffId: { in: ids } },
      select: { staffId: true, certifiedAt: true, expiresAt: true, basis: true },
    }),
    db.practiceRun.findMany({
      where: { staffId: { in: ids }, startedAt: { gt: since } },
      select: {
        id: true,
        staffId: true,
        team: true,
        scenarioKey: true,
        scenarioVersion: true,
        impostor: true,
        startedAt: true,
        finishedAt: true,
        safe: true,
        passed: true,
        caughtFlags: true,
        missedFlags: true,
      },
    }),
    // The team's runs (the team when each started), whoever is in it now.
    db.practiceRun.findMany({
      where: { team: { in: teams }, finishedAt: { gt: since } },
      select: {
        staffId: true,
        team: true,
        finishedAt: true,
        safe: true,
        passed: true,
        caughtFlags: true,
        missedFlags: true,
      },
    }),
  ]);
  const certsBy = groupBy(certifications, (c) => c.staffId);
  const runsBy = groupBy(runs, (r) => r.staffId);
  const rows = people.map((person) => {
    const theirs = runsBy.get(person.id) ?? [];
    const newest = newestCertification(certsBy.get(person.id) ?? [], now);
    const finished = theirs
      .filter((run) => run.finishedAt)
      .map((run) => ({ ...run, finishedAt: run.finishedAt! }));
    return {
      ...person,
      status: certificationStatus(newest, rules, now),
      basis: newest?.basis ?? null,
      progress: certificationProgress({ runs: finished, rules, now, previous: newest }),
      practice: practiceSummary(theirs),
    };
  });
  return {
    teams,
    choices,
    rules,
    rows,
    flags: flagStats(teamRuns),
    teamPractice: practiceSummary(teamRuns),
  };
}
