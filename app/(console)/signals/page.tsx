import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime } from "@/components/status-badge";
import { requirePermission } from "@/lib/auth/session";
import { SIGNAL_EFFECT_LABELS, SIGNAL_RULE_LABELS } from "@/lib/domain/fraud-signals";
import { findSignals } from "@/lib/server/signals/find-signals";
import { EffectBadge, StatusBadge } from "./_components/badges";

export const metadata: Metadata = { title: "Signals" };

/**
 * The security queue of fraud signals across calls (docs/decisions/031): open signals first, each
 * with its rules, summary, how many calls and people it names, its effect, and when it was raised
 * and last joined by new evidence.
 */
export default async function SignalsPage() {
  await requirePermission("signals:review", "/signals");
  const signals = await findSignals();
  const open = signals.filter((s) => s.status === "OPEN").length;
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Signals</h1>
        <p className="mt-1 text-sm text-slate-600">
          What looking across help desk calls found: one number for different people, bursts of
          privileged recovery calls, calls just after a record change, agents issuing far more
          passes than their peers, calls at unusual hours, failed checks after details that
          don&apos;t match. One campaign is one signal. Confirm it to keep its effect, or dismiss it
          to lift it.
        </p>
        <p className="mt-2 text-sm font-medium" role="status">
          {open === 0 ? "No open signals." : `${open} open signal${open === 1 ? "" : "s"}.`}
        </p>
      </div>
      {signals.length > 0 ? (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Fraud signals, open first</caption>
            <thead className="bg-slate-50 text-left text-xs font-medium text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Signal
                </th>
                <th scope="col" className="px-3 py-2">
                  Calls
                </th>
                <th scope="col" className="px-3 py-2">
                  People
                </th>
                <th scope="col" className="px-3 py-2">
                  Effect
                </th>
                <th scope="col" className="px-3 py-2">
                  Status
                </th>
                <th scope="col" className="px-3 py-2">
                  Raised
                </th>
                <th scope="col" className="px-3 py-2">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {signals.map((signal) => (
                <tr key={signal.id}>
                  <td className="px-3 py-2">
                    <Link
                      href={`/signals/${signal.id}`}
                      className="font-medium text-indigo-700 hover:underline"
                    >
                      {signal.rules.map((rule) => SIGNAL_RULE_LABELS[rule]).join("; ")}
                    </Link>
                    <p className="text-xs text-slate-600">{signal.summary}</p>
                  </td>
                  <td className="px-3 py-2">{signal.calls}</td>
                  <td className="px-3 py-2">{signal.people}</td>
                  <td className="px-3 py-2">
                    <EffectBadge effect={signal.effect} />
                    <span className="sr-only"> {SIGNAL_EFFECT_LABELS[signal.effect]}</span>
                  </td>
                  <td className="px-3 py-2">
                    <StatusBadge status={signal.status} />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(signal.raisedAt)}</td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    {formatDateTime(signal.updatedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
          Nothing has been found across calls.
        </p>
      )}
      <p className="text-xs text-slate-500">
        The rules&apos; thresholds and effects are the active policy&apos;s; see{" "}
        <Link href="/policy" className="text-indigo-700 hover:underline">
          the policy
        </Link>
        .
      </p>
    </section>
  );
}
