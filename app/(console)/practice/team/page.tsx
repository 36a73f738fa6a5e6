import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/session";
import { formatDateTime } from "@/components/status-badge";
import {
  certificationDate,
  progressSummary,
  type CertificationStatus,
} from "@/lib/domain/practice/certification";
import { percent } from "@/lib/domain/practice/readiness";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { ROLE_LABELS } from "@/lib/domain/roles";
import { getTeamReadiness } from "@/lib/server/practice/readiness";
import { ScrollRegion } from "@/components/scroll-region";

export const metadata: Metadata = { title: "Team readiness" };

function certified(status: CertificationStatus): string {
  switch (status.kind) {
    case "none":
      return "Never certified";
    case "current":
      return `Until ${certificationDate(status.expiresAt)}`;
    case "expiring":
      return `Until ${certificationDate(status.expiresAt)} (${status.daysLeft} day${status.daysLeft === 1 ? "" : "s"} left)`;
    case "expired":
      return `Expired on ${certificationDate(status.expiresAt)}`;
  }
}

/**
 * The team's readiness (docs/decisions/032): a supervisor sees their own team, a security
 * reviewer every team or one they choose.
 */
export default async function TeamReadinessPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("practice:readiness", "/practice/team");
  const { team: raw } = await searchParams;
  const filter = typeof raw === "string" && raw.length <= 100 ? raw : undefined;
  const readiness = await getTeamReadiness(viewer, filter);
  const { rules } = readiness;
  const gated = rules.requiredForTiers.map((t) => t.toLowerCase().replace("_", "-")).join(" and ");
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Team readiness</h1>
        {readiness.choices.length > 0 ? (
          <form method="get" className="flex items-end gap-2 text-sm">
            <label htmlFor="team-filter" className="font-medium">
              Team
            </label>
            <select
              id="team-filter"
              name="team"
              defaultValue={filter ?? ""}
              className="rounded-md border border-slate-500 bg-white px-2 py-1.5"
            >
              <option value="">Every team</option>
              {readiness.choices.map((team) => (
                <option key={team} value={team}>
                  {team}
                </option>
              ))}
            </select>
            <button
              type="submit"
              className="rounded-md border border-slate-500 px-3 py-1.5 font-medium hover:bg-slate-50"
            >
              Show
            </button>
          </form>
        ) : null}
      </div>
      <p className="text-sm text-slate-600">
        {readiness.teams.length === 0
          ? "You have no team, so there is nobody to show."
          : `${readiness.teams.join(", ")}. `}
        Working {gated} recoveries needs a current certification: {rules.scenariosToPass} different
        scenarios passed (score {rules.passScore} or more, handled safely), at least{" "}
        {rules.impostorsToPass} of them impostors, since the last impostor who took the player in.
        It lasts {rules.validMonths} months; people are reminded {rules.remindDaysBefore} days
        before it ends.
      </p>
      <section aria-labelledby="people" className="space-y-2">
        <h2 id="people" className="text-lg font-semibold">
          People
        </h2>
        <ScrollRegion label="People" className="rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              Each agent and supervisor: certification, progress and practice
            </caption>
            <thead className="bg-slate-50 text-xs text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Name
                </th>
                <th scope="col" className="px-3 py-2">
                  Certified
                </th>
                <th scope="col" className="px-3 py-2">
                  Towards {`(re)certification`}
                </th>
                <th scope="col" className="px-3 py-2">
                  Last practice
                </th>
                <th scope="col" className="px-3 py-2">
                  Runs
                </th>
                <th scope="col" className="px-3 py-2">
                  Safe
                </th>
              </tr>
            </thead>
            <tbody>
              {readiness.rows.length === 0 ? (
                <tr>
                  <td colSpan={6} className="px-3 py-2 text-slate-600">
                    Nobody yet.
                  </td>
                </tr>
              ) : null}
              {readiness.rows.map((row) => (
                <tr key={row.id} className="border-t border-slate-200">
                  <th scope="row" className="px-3 py-2 text-left font-medium">
                    {row.name}
                    <span className="block text-xs font-normal text-slate-600">
                      {ROLE_LABELS[row.role]}
                      {readiness.teams.length > 1 ? `, ${row.team}` : ""}
                    </span>
                  </th>
                  <td
                    className={`px-3 py-2 ${row.status.kind === "current" ? "" : "text-amber-900"}`}
                  >
                    {certified(row.status)}
                    {row.basis === "demo" ? " (demo)" : ""}
                  </td>
                  <td className="px-3 py-2">
                    {row.progress.scenarios.length} of {rules.scenariosToPass} scenarios,{" "}
                    {row.progress.impostors.length} of {rules.impostorsToPass} impostors.{" "}
                    <span className="text-slate-600">{progressSummary(row.progress)}</span>
                    {row.progress.resetBy ? (
                      <span className="block text-xs text-amber-900">
                        Count restarted on {formatDateTime(row.progress.resetBy.at)}: taken in by an
                        impostor.
                      </span>
                    ) : null}
                  </td>
                  <td className="px-3 py-2">
                    {row.practice.lastPractice
                      ? formatDateTime(row.practice.lastPractice)
                      : "Never"}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{row.practice.runs}</td>
                  <td className="px-3 py-2 tabular-nums">{percent(row.practice.safeRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </section>
      <section aria-labelledby="missed" className="space-y-2">
        <h2 id="missed" className="text-lg font-semibold">
          Red flags missed most
        </h2>
        {readiness.flags.length === 0 ? (
          <p className="text-sm text-slate-600">
            No finished practice calls in the last {rules.validMonths} months.
          </p>
        ) : (
          <ScrollRegion
            label="Red flags missed most"
            className="rounded-lg border border-slate-200 bg-white"
          >
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                Red flags planted in practice calls, most missed first
              </caption>
              <thead className="bg-slate-50 text-xs text-slate-700">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Red flag
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Missed
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Caught
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Missed share
                  </th>
                </tr>
              </thead>
              <tbody>
                {readiness.flags.map((stat) => (
                  <tr key={stat.flag} className="border-t border-slate-200">
                    <th scope="row" className="px-3 py-2 text-left font-normal">
                      {ACTIVE_POLICY.redFlags[stat.flag].label}
                    </th>
                    <td className="px-3 py-2 tabular-nums">{stat.missed}</td>
                    <td className="px-3 py-2 tabular-nums">{stat.caught}</td>
                    <td className="px-3 py-2 tabular-nums">{percent(stat.missRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </section>
      <p className="text-sm">
        <Link href="/reports" className="text-indigo-700 hover:underline">
          Practice outcomes by red flag and by team are in the reports.
        </Link>
      </p>
    </div>
  );
}
