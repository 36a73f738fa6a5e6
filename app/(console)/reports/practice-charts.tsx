/**
 * Practice outcomes as charts (docs/decisions/032): by red flag (how often a planted flag was
 * caught or missed) and by team (runs, safe rate, pass rate, certified share). Drawn on the
 * server like bar-chart.tsx: each chart is a table a screen reader reads row by row, the bars are
 * decoration beside the numbers, and nothing takes focus.
 */
import Link from "next/link";
import { percent } from "@/lib/domain/practice/readiness";
import { ACTIVE_POLICY } from "@/lib/domain/recovery-policy";
import { getPracticeReport } from "@/lib/server/practice/practice-report";
import { Bar } from "./bar-chart";

function Cell({ share, tone }: { share: number | null; tone: "good" | "bad" }) {
  return (
    <td className="py-1 pr-2">
      <div className="flex items-center gap-2">
        {share === null ? null : (
          // On a phone the numbers alone (the chart stays within 390 px without a scroll of its own).
          <Bar share={share} tone={tone} className="hidden h-3 min-w-12 flex-1 sm:block" />
        )}
        <span className="w-10 text-right font-medium text-slate-800 tabular-nums">
          {percent(share)}
        </span>
      </div>
    </td>
  );
}

export async function PracticeCharts({ days }: { days: number }) {
  const report = await getPracticeReport(days);
  return (
    <>
      <figure className="rounded-lg border border-slate-200 bg-white p-4 md:col-span-3">
        <figcaption id="chart-practice-flags" className="text-sm font-semibold">
          Practice calls: red flags caught and missed
        </figcaption>
        {report.flags.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No practice calls finished in this period.</p>
        ) : (
          <table
            aria-labelledby="chart-practice-flags"
            className="mt-3 w-full text-xs"
            data-chart="bars"
          >
            <thead className="text-left text-slate-700">
              <tr>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Red flag
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Caught
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Missed
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Missed share
                </th>
              </tr>
            </thead>
            <tbody>
              {report.flags.map((stat) => (
                <tr key={stat.flag}>
                  <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-700">
                    {ACTIVE_POLICY.redFlags[stat.flag].label}
                  </th>
                  <td className="py-1 pr-2 tabular-nums">{stat.caught}</td>
                  <td className="py-1 pr-2 tabular-nums">{stat.missed}</td>
                  <Cell share={stat.missRate} tone="bad" />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </figure>
      <figure className="rounded-lg border border-slate-200 bg-white p-4 md:col-span-3">
        <figcaption id="chart-practice-teams" className="text-sm font-semibold">
          Practice calls by team
        </figcaption>
        {report.teams.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No teams yet.</p>
        ) : (
          <table
            aria-labelledby="chart-practice-teams"
            className="mt-3 w-full text-xs"
            data-chart="bars"
          >
            <thead className="text-left text-slate-700">
              <tr>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Team
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Runs
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Safe
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Passed
                </th>
                <th scope="col" className="py-1 pr-2 font-medium">
                  Certified now
                </th>
              </tr>
            </thead>
            <tbody>
              {report.teams.map((team) => (
                <tr key={team.team}>
                  <th scope="row" className="py-1 pr-2 text-left font-normal text-slate-700">
                    {team.team}
                  </th>
                  <td className="py-1 pr-2 tabular-nums">{team.finished}</td>
                  <Cell share={team.safeRate} tone="good" />
                  <Cell share={team.passRate} tone="good" />
                  <Cell share={team.certifiedShare} tone="good" />
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </figure>
      {/* Outside the charts: nothing in a chart takes focus. */}
      <p className="text-sm md:col-span-3">
        <Link href="/practice/team" className="text-indigo-700 hover:underline">
          Each person’s readiness: certification, progress and practice
        </Link>
      </p>
    </>
  );
}
