import Link from "next/link";
import { formatDate } from "@/components/status-badge";
import { ScrollRegion } from "@/components/scroll-region";
import {
  COVERAGE_KEYS,
  COVERAGE_LABELS,
  CALLS_PERIOD_DAYS,
  type CoverageKey,
} from "@/lib/domain/coverage";
import { RISK_TIER_LABELS, type RiskTier } from "@/lib/domain/workforce";
import { getCoverageReport, type CoverageRow } from "@/lib/server/rollout/coverage-report";
import { findCampaigns } from "@/lib/server/rollout/nudge-campaigns";

type Filter = { wave?: string; department?: string; tier?: string };

/** The directory, filtered to the people behind one figure (the same SQL counts both). */
function peopleHref(key: CoverageKey, filter: Filter): string {
  const params = new URLSearchParams({ coverage: key });
  if (filter.wave) params.set("wave", filter.wave);
  if (filter.department) params.set("department", filter.department);
  if (filter.tier) params.set("tier", filter.tier);
  return `/users?${params}`;
}

function FiguresTable({
  title,
  rows,
}: {
  title: string;
  rows: { label: string; filter: Filter; figures: CoverageRow }[];
}) {
  return (
    <ScrollRegion label={title}>
      <table className="text-sm">
        <caption className="text-left text-xs font-semibold text-slate-700">{title}</caption>
        <thead>
          <tr className="text-left text-xs text-slate-600">
            <th scope="col" className="pr-4 font-medium">
              Group
            </th>
            {COVERAGE_KEYS.map((key) => (
              <th key={key} scope="col" className="pr-4 text-right font-medium">
                {COVERAGE_LABELS[key]}
              </th>
            ))}
            <th scope="col" className="text-right font-medium">
              Recovery calls per 100
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row" className="pr-4 text-left font-normal whitespace-nowrap">
                {row.label}
              </th>
              {COVERAGE_KEYS.map((key) => (
                <td key={key} className="pr-4 text-right tabular-nums">
                  <Link
                    href={peopleHref(key, row.filter)}
                    aria-label={`${COVERAGE_LABELS[key]}, ${row.label}: ${row.figures[key]}`}
                    className={`hover:underline ${key === "lockout-risk" && row.figures[key] > 0 ? "font-semibold text-rose-700" : "text-indigo-700"}`}
                  >
                    {row.figures[key]}
                  </Link>
                </td>
              ))}
              <td className="text-right tabular-nums">
                <Link
                  href={peopleHref("called", row.filter)}
                  aria-label={`Recovery calls per 100, ${row.label}: ${row.figures.callsPer100 ?? "none"}`}
                  className="text-indigo-700 hover:underline"
                >
                  {row.figures.callsPer100 ?? "—"}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/**
 * Passkey coverage (issue 15, part C; docs/decisions/038): each figure by wave, department and
 * tier, active employees only; every number links to the directory filtered to its people.
 * Then the nudge campaigns' effect.
 */
export async function Coverage({ manage }: { manage: boolean }) {
  const [report, campaigns] = await Promise.all([getCoverageReport(), findCampaigns()]);
  const tier = (value: string) => RISK_TIER_LABELS[value as RiskTier] ?? value;
  return (
    <section
      aria-labelledby="coverage"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h2 id="coverage" className="text-sm font-semibold">
          Passkey coverage
        </h2>
        {manage ? (
          <Link href="/settings/rollout" className="text-xs text-indigo-700 hover:underline">
            Waves and campaigns
          </Link>
        ) : null}
      </div>
      <p className="text-xs text-slate-600">
        Active employees only. At lockout risk: no passkey, or one device-bound passkey. Recovery
        calls: cases opened in the last {CALLS_PERIOD_DAYS} days. Each number lists its people.
      </p>
      <FiguresTable
        title="By wave"
        rows={[
          { label: "Everyone", filter: {}, figures: report.total },
          ...report.waves.map((row) => ({
            label: row.wave
              ? `${row.wave.name} (from ${formatDate(row.wave.startsOn)})`
              : "In no wave",
            filter: { wave: row.wave?.id ?? "none" },
            figures: row.figures,
          })),
        ]}
      />
      <FiguresTable
        title="By department"
        rows={report.departments.map((row) => ({
          label: row.department,
          filter: { department: row.department },
          figures: row.figures,
        }))}
      />
      <FiguresTable
        title="By risk tier"
        rows={report.tiers.map((row) => ({
          label: tier(row.tier),
          filter: { tier: row.tier },
          figures: row.figures,
        }))}
      />
      <div>
        <h3 className="text-xs font-semibold text-slate-700">Nudge campaigns</h3>
        {campaigns.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">None yet.</p>
        ) : (
          <ScrollRegion label="Nudge campaigns" className="mt-1">
            <table className="text-sm">
              <thead>
                <tr className="text-left text-xs text-slate-600">
                  <th scope="col" className="pr-4 font-medium">
                    Campaign
                  </th>
                  <th scope="col" className="pr-4 font-medium">
                    Status
                  </th>
                  <th scope="col" className="pr-4 text-right font-medium">
                    At risk at start
                  </th>
                  <th scope="col" className="pr-4 text-right font-medium">
                    Mailed
                  </th>
                  <th scope="col" className="pr-4 text-right font-medium">
                    Covered since
                  </th>
                  <th scope="col" className="font-medium">
                    Covered so far, by day
                  </th>
                </tr>
              </thead>
              <tbody>
                {campaigns.map((c) => (
                  <tr key={c.id}>
                    <th scope="row" className="pr-4 text-left font-normal whitespace-nowrap">
                      {c.wave ? c.wave.name : tier(c.tier ?? "")} · {formatDate(c.startedAt)}
                    </th>
                    <td className="pr-4">{c.status}</td>
                    <td className="pr-4 text-right tabular-nums">{c.atRiskAtStart}</td>
                    <td className="pr-4 text-right tabular-nums">{c.mailed}</td>
                    <td className="pr-4 text-right tabular-nums">{c.covered}</td>
                    <td className="text-xs">
                      {c.effect
                        .slice(-14)
                        .map((row) => `${row.day.slice(5)}: ${row.coveredSoFar}`)
                        .join(" · ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </div>
    </section>
  );
}
