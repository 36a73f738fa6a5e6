import "server-only";
/**
 * Practice outcomes for the reports (docs/decisions/032): by red flag (caught vs missed) and by
 * team (runs, safe rate, pass rate, and the share of the team's agents and supervisors certified
 * now). Pure aggregation in lib/domain/practice/readiness.ts.
 */
import {
  certificationStatus,
  isCertified,
  newestCertification,
} from "@/lib/domain/practice/certification";
import { flagStats, groupBy, practiceSummary } from "@/lib/domain/practice/readiness";
import { deskRules } from "@/lib/domain/recovery-policy";
import { db } from "@/lib/db";

export async function getPracticeReport(days: number, now = new Date()) {
  const since = new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  const rules = deskRules().certification;
  const [runs, people] = await Promise.all([
    db.practiceRun.findMany({
      where: { finishedAt: { gt: since, lte: now } },
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
    db.staff.findMany({
      where: { active: true, role: { in: ["AGENT", "SUPERVISOR"] }, team: { not: null } },
      select: {
        team: true,
        certifications: { select: { certifiedAt: true, expiresAt: true } },
      },
    }),
  ]);
  const runsByTeam = groupBy(runs, (run) => run.team ?? "No team");
  const peopleByTeam = groupBy(people, (person) => person.team!);
  const teams = [...new Set([...runsByTeam.keys(), ...peopleByTeam.keys()])].sort();
  return {
    flags: flagStats(runs),
    teams: teams.map((team) => {
      const members = peopleByTeam.get(team) ?? [];
      const certified = members.filter((member) =>
        isCertified(
          certificationStatus(newestCertification(member.certifications, now), rules, now),
        ),
      ).length;
      return {
        team,
        ...practiceSummary(runsByTeam.get(team) ?? []),
        people: members.length,
        certified,
        certifiedShare: members.length ? certified / members.length : null,
      };
    }),
  };
}
