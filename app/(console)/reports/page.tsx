import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/session";
import { REPORT_PERIODS, type ReportPeriod } from "@/lib/domain/reports";
import { getRecoveryReport } from "@/lib/server/get-recovery-report";
import { formatDateTime } from "@/components/status-badge";
import { findRefusalTallies } from "@/lib/server/refusal-tally";
import { ScrollRegion } from "@/components/scroll-region";
import { CountChart } from "./bar-chart";
import { SignalsChart } from "./signals-chart";
import { PracticeCharts } from "./practice-charts";
import { DormantAccess } from "./dormant-access";
import { Coverage } from "./coverage";
import { can } from "@/lib/domain/roles";
import { BreakGlassReport } from "./break-glass";
import { parseDormantDays } from "@/lib/domain/dormant-access";

export const metadata: Metadata = { title: "Reports" };

const minutes = (value: number | null) =>
  value === null ? "—" : value < 120 ? `${Math.round(value)} min` : `${(value / 60).toFixed(1)} h`;

export default async function ReportsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const staff = await requirePermission("reports:read", "/reports");
  const { days: raw, dormant } = await searchParams;
  const days = (REPORT_PERIODS as readonly number[]).includes(Number(raw))
    ? (Number(raw) as ReportPeriod)
    : 30;
  const report = await getRecoveryReport(days);
  const counted = await findRefusalTallies(days);
  const figures = [
    ["Cases", String(report.cases)],
    [
      "Stolen-device calls to revocation (median)",
      `${minutes(report.medianMinutesToRevocation)} (${report.revokedStolenCases} of ${report.stolenCases})`,
    ],
    [
      "Passes outstanding",
      `${report.outstandingPasses}${report.oldestPassMinutes !== null ? `, oldest ${minutes(report.oldestPassMinutes)}` : ""}`,
    ],
    ["Approvals pending", String(report.pendingApprovals)],
    ["Time to an approval decision (median)", minutes(report.medianApprovalMinutes)],
  ];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Reports</h1>
        <nav aria-label="Period" className="flex gap-2 text-sm">
          {REPORT_PERIODS.map((p) => (
            <Link
              key={p}
              href={`/reports?days=${p}${dormant ? `&dormant=${parseDormantDays(dormant)}` : ""}`}
              aria-current={p === days ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 ${p === days ? "bg-indigo-50 font-medium text-indigo-800" : "text-slate-700 hover:bg-slate-100"}`}
            >
              Last {p} days
            </Link>
          ))}
        </nav>
      </div>
      <dl className="grid gap-4 sm:grid-cols-5">
        {figures.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-slate-200 bg-white p-4">
            <dt className="text-xs text-slate-600">{label}</dt>
            <dd className="mt-1 text-lg font-semibold">{value}</dd>
          </div>
        ))}
      </dl>
      <div className="grid gap-4 md:grid-cols-3">
        <CountChart title="Cases by reason" data={report.byReason} />
        <CountChart title="Cases by risk tier" data={report.byTier} />
        <CountChart title="Cases by outcome" data={report.byStatus} />
        <CountChart title="Red flags by agent" data={report.redFlagsByAgent} />
        <CountChart title="Refusals by staff member" data={report.refusalsByActor} />
        <PracticeCharts days={days} />
        <section
          aria-labelledby="repeat"
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="repeat" className="text-sm font-semibold">
            Repeat callers
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {report.repeatCallers.length === 0 ? (
              <li className="text-slate-600">None in this period.</li>
            ) : null}
            {report.repeatCallers.map((u) => (
              <li key={u.userId}>
                <Link href={`/users/${u.userId}`} className="text-indigo-700 hover:underline">
                  {u.userName}
                </Link>
                : {u.calls} calls
              </li>
            ))}
          </ul>
        </section>
      </div>
      <SignalsChart days={days} />
      <DormantAccess days={days} dormantDays={parseDormantDays(dormant)} />
      <Coverage manage={can(staff.role, "rollout:manage")} />
      <BreakGlassReport />
      <section
        aria-labelledby="counted"
        className="rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="counted" className="text-sm font-semibold">
          Refused without a name (counted, not in the audit trail)
        </h2>
        <p className="mt-1 text-xs text-slate-600">
          Unknown emails, links and credentials, and tries over a rate limit: counted per ten
          minutes so a flood cannot grow the trail. A sudden peak is worth a look.
        </p>
        {counted.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">None in this period.</p>
        ) : (
          <ScrollRegion label="Refused without a name" className="mt-2">
            <table className="text-sm">
              <thead>
                <tr className="text-left text-xs text-slate-600">
                  <th className="pr-6 font-medium">What</th>
                  <th className="pr-6 font-medium">Why</th>
                  <th className="pr-6 text-right font-medium">Refused</th>
                  <th className="font-medium">Busiest ten minutes</th>
                </tr>
              </thead>
              <tbody>
                {counted.map((row) => (
                  <tr key={`${row.action} ${row.reason}`}>
                    <td className="pr-6 font-mono text-xs">{row.action}</td>
                    <td className="pr-6 font-mono text-xs">{row.reason}</td>
                    <td className="pr-6 text-right">{row.count}</td>
                    <td>
                      {row.peak} from {formatDateTime(row.peakAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </section>
    </div>
  );
}
