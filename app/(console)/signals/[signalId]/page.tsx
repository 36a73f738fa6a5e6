import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { formatDateTime, TierBadge } from "@/components/status-badge";
import { requirePermission } from "@/lib/auth/session";
import { SIGNAL_RULE_LABELS } from "@/lib/domain/fraud-signals";
import { getSignal } from "@/lib/server/signals/find-signals";
import { EffectBadge, StatusBadge } from "../_components/badges";
import { ReviewSignalForm } from "../_components/review-form";

export const metadata: Metadata = { title: "Signal" };

/** Keys in the facts, in words. */
function factLabel(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * One fraud signal's evidence (docs/decisions/031): each finding with its facts (numbers masked)
 * and links to the cases it names, and the review: confirm (its effect stays) or dismiss (it
 * lifts), with a note. Security reviewers only.
 */
export default async function SignalPage({ params }: { params: Promise<{ signalId: string }> }) {
  const { signalId } = await params;
  await requirePermission("signals:review", `/signals/${signalId}`);
  if (!z.uuid().safeParse(signalId).success) notFound();
  const signal = await getSignal(signalId);
  if (!signal) notFound();
  const caseById = new Map(signal.cases.map((row) => [row.caseId, row]));
  return (
    <section className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/signals" className="text-indigo-700 hover:underline">
            ← Signals
          </Link>
        </p>
        <h1 className="mt-1 text-2xl font-semibold">
          {signal.rules.map((rule) => SIGNAL_RULE_LABELS[rule]).join("; ")}
        </h1>
        <p className="mt-1 text-sm text-slate-700">{signal.summary}</p>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <EffectBadge effect={signal.effect} />
          <StatusBadge status={signal.status} />
          <span className="text-slate-600">
            Raised {formatDateTime(signal.raisedAt)} · updated {formatDateTime(signal.updatedAt)} ·{" "}
            {signal.cases.length} call{signal.cases.length === 1 ? "" : "s"}
          </span>
        </div>
      </div>

      <section aria-labelledby="evidence" className="space-y-3">
        <h2 id="evidence" className="text-lg font-semibold">
          Evidence
        </h2>
        {signal.evidence.map((finding) => (
          <article
            key={`${finding.rule}-${finding.key}`}
            className="rounded-lg border border-slate-200 bg-white p-4"
          >
            <h3 className="font-medium">{SIGNAL_RULE_LABELS[finding.rule]}</h3>
            <p className="text-sm text-slate-700">{finding.summary}</p>
            <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
              {Object.entries(finding.facts).map(([key, value]) => (
                <div key={key} className="contents">
                  <dt className="text-slate-600">{factLabel(key)}</dt>
                  <dd>{Array.isArray(value) ? value.join(", ") : String(value)}</dd>
                </div>
              ))}
              <div className="contents">
                <dt className="text-slate-600">Found</dt>
                <dd>{formatDateTime(new Date(finding.at))}</dd>
              </div>
            </dl>
            <h4 className="mt-3 text-xs font-medium text-slate-700">Calls</h4>
            <ul className="mt-1 space-y-1 text-sm">
              {finding.caseIds.map((caseId) => {
                const kase = caseById.get(caseId)?.kase;
                return (
                  <li key={caseId} className="flex flex-wrap items-center gap-2">
                    <Link href={`/cases/${caseId}`} className="text-indigo-700 hover:underline">
                      {kase ? `${kase.user.name}, ${formatDateTime(kase.createdAt)}` : caseId}
                    </Link>
                    {kase ? (
                      <>
                        <TierBadge tier={kase.riskTier} />
                        <span className="text-xs text-slate-600">
                          {kase.team ?? "no team"} ·{" "}
                          {kase.status.toLowerCase().replaceAll("_", " ")}
                        </span>
                      </>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          </article>
        ))}
      </section>

      <section aria-labelledby="review" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="review" className="text-lg font-semibold">
          Review
        </h2>
        {signal.status === "OPEN" ? (
          <ReviewSignalForm signalId={signal.id} />
        ) : (
          <p className="mt-1 text-sm text-slate-700">
            {signal.status === "REVIEWED" ? "Confirmed" : "Dismissed"} by{" "}
            {signal.reviewerName ?? "a reviewer"}
            {signal.reviewedAt ? ` on ${formatDateTime(signal.reviewedAt)}` : ""}
            {signal.reviewNote ? `: ${signal.reviewNote}` : "."}
          </p>
        )}
      </section>
    </section>
  );
}
