import { Badge } from "@/components/ui/badge";
import { SIGNAL_EFFECT_LABELS, SIGNAL_RULE_LABELS } from "@/lib/domain/fraud-signals";
import { findCaseSignals } from "@/lib/server/signals/find-signals";
import { RecordContactForm } from "./contact-form";

/**
 * Fraud signals across calls that name this case (docs/decisions/031), for the desk: what was
 * found and what it does to the case; the other calls and people stay with the security reviewers.
 * And the form to record a number or address the caller offers during the call.
 */
export async function CaseSignals({ caseId, canRecord }: { caseId: string; canRecord: boolean }) {
  const signals = await findCaseSignals(caseId);
  return (
    <section aria-labelledby="signals" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="signals" className="font-semibold">
        Fraud signals
      </h2>
      <ul className="mt-2 space-y-2 text-sm">
        {signals.length === 0 ? (
          <li className="text-slate-600">None across calls.</li>
        ) : (
          signals.map((signal) => (
            <li key={signal.id}>
              <Badge
                tone={
                  signal.effect === "stop" ? "bad" : signal.effect === "alert" ? "info" : "warn"
                }
              >
                {SIGNAL_EFFECT_LABELS[signal.effect]}
              </Badge>{" "}
              <span className="font-medium">
                {signal.rules.map((rule) => SIGNAL_RULE_LABELS[rule]).join("; ")}
              </span>
              <p className="text-xs text-slate-600">
                {signal.summary}
                {signal.status === "REVIEWED" ? " Confirmed by security." : ""}
              </p>
            </li>
          ))
        )}
      </ul>
      {canRecord ? (
        <div className="mt-3">
          <RecordContactForm caseId={caseId} />
        </div>
      ) : null}
    </section>
  );
}
