import { formatDate } from "@/components/status-badge";
import { SIGNAL_RULE_LABELS, SIGNAL_RULES, signalsOverTime } from "@/lib/domain/fraud-signals";
import { findSignalsRaised } from "@/lib/server/signals/find-signals";
import { ScrollRegion } from "@/components/scroll-region";
import { Bar } from "./bar-chart";

/**
 * Fraud signals raised over the period (docs/decisions/031), per day or per week, by rule: a bar
 * per day or week for the total, beside its counts by rule. Drawn on the server like the other
 * charts (bar-chart.tsx) and, like them, a table: a screen reader reads each day's counts as a row;
 * the bars are hidden decoration.
 */
export async function SignalsChart({ days }: { days: number }) {
  const now = new Date();
  const { unit, buckets } = signalsOverTime(await findSignalsRaised(days, now), { now, days });
  const largest = Math.max(1, ...buckets.map((b) => b.total));
  const rules = SIGNAL_RULES.filter((rule) => buckets.some((b) => b.counts[rule] > 0));
  const total = buckets.reduce((n, b) => n + b.total, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <figcaption id="chart-signals" className="text-sm font-semibold">
        Fraud signals raised, per {unit}
      </figcaption>
      {total === 0 ? (
        <p className="mt-2 text-sm text-slate-600">None in this period.</p>
      ) : (
        <ScrollRegion label="Fraud signals raised" className="mt-3">
          <table aria-labelledby="chart-signals" className="w-full text-xs" data-chart="signals">
            <thead>
              <tr className="text-left text-slate-600">
                <th scope="col" className="pr-2 font-medium">
                  {unit === "day" ? "Day" : "Week from"}
                </th>
                <th scope="col" className="w-1/3 pr-2 font-medium">
                  Signals
                </th>
                {rules.map((rule) => (
                  <th key={rule} scope="col" className="pr-2 font-medium">
                    {SIGNAL_RULE_LABELS[rule]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr key={bucket.start.toISOString()}>
                  <th scope="row" className="py-1 pr-2 text-left font-normal whitespace-nowrap">
                    {formatDate(bucket.start)}
                  </th>
                  <td className="py-1 pr-2">
                    <div className="flex items-center gap-2">
                      <Bar
                        share={bucket.total / largest}
                        tone="bad"
                        className="h-3 min-w-0 flex-1"
                      />
                      <span className="w-6 text-right font-medium tabular-nums">
                        {bucket.total}
                      </span>
                    </div>
                  </td>
                  {rules.map((rule) => (
                    <td key={rule} className="py-1 pr-2 tabular-nums">
                      {bucket.counts[rule]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </figure>
  );
}
