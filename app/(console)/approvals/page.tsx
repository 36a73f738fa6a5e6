import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { findPendingApprovals, findRecentDecisions } from "@/lib/server/find-pending-approvals";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../_components/step-up";
import { DecideForm } from "./_components/decide-form";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const staff = await requirePermission("approvals:decide", "/approvals");
  const [approvals, decisions, stepUp] = await Promise.all([
    findPendingApprovals(staff),
    findRecentDecisions(staff.id),
    getCurrentStaffSession().then((session) => getStepUpView(staff.id, session)),
  ]);
  const now = new Date();
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="mt-1 text-sm text-slate-600">
          Re-enrolments waiting for a second person. You cannot decide one you requested or
          verified. Each approval is bound to what you see here: if it changes, it lapses.
        </p>
      </div>
      {approvals.length > 0 ? <StepUpPanel {...stepUp} what="approve or deny" /> : null}
      {approvals.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-white p-4 text-sm text-slate-600">
          Nothing is waiting.
        </p>
      ) : null}
      {decisions.length > 0 ? (
        <section
          aria-labelledby="decided"
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="decided" className="text-sm font-semibold">
            Your latest decisions
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {decisions.map((decision) => (
              <li key={decision.id}>
                <Link
                  href={`/cases/${decision.case.id}`}
                  className="text-indigo-700 hover:underline"
                >
                  {decision.case.user.name}
                </Link>
                :{" "}
                {decision.status === "USED"
                  ? "approved, enrolment link sent"
                  : decision.status.toLowerCase()}{" "}
                {decision.decidedAt ? formatDateTime(decision.decidedAt) : ""}
                {decision.reason ? (
                  <span className="text-xs text-slate-500"> · {decision.reason}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {approvals.map((approval) => {
        const kase = approval.case;
        const own = approval.requestedById === staff.id;
        const worked = approval.workedByIds.includes(staff.id);
        const expired = approval.expiresAt !== null && approval.expiresAt <= now;
        return (
          <article
            key={approval.id}
            aria-label={`Re-enrolment for ${kase.user.name}`}
            className="space-y-4 rounded-lg border border-slate-200 bg-white p-5"
          >
            <header className="flex flex-wrap items-center gap-3">
              <h2 className="text-lg font-semibold">
                <Link href={`/cases/${kase.id}`} className="text-indigo-700 hover:underline">
                  {kase.user.name}
                </Link>
              </h2>
              <TierBadge tier={kase.riskTier} />
              <Badge tone="warn">{approval.needReason}</Badge>
              {expired ? <Badge tone="bad">expired</Badge> : null}
              <span className="text-xs text-slate-500">
                {kase.user.title}, {kase.user.department} · {kase.user.employeeId} ·{" "}
                {CASE_REASON_LABELS[kase.reason]} by {kase.channel.toLowerCase()} · requested by{" "}
                {approval.requestedBy} {formatDateTime(approval.createdAt)}
                {approval.expiresAt ? `, lapses ${formatDateTime(approval.expiresAt)}` : ""}
              </span>
            </header>
            {kase.callerClaim ? (
              <p className="text-sm">
                <span className="font-medium">Caller said:</span> {kase.callerClaim}
              </p>
            ) : null}
            <div className="grid gap-4 md:grid-cols-3">
              <div>
                <h3 className="text-sm font-semibold">Verification</h3>
                <ul className="mt-1 space-y-1 text-sm">
                  {kase.checklist?.steps.map((step) => (
                    <li key={step.kind}>
                      <Badge
                        tone={
                          step.outcome === "PASSED"
                            ? "good"
                            : step.outcome === "PENDING"
                              ? "neutral"
                              : "bad"
                        }
                      >
                        {step.outcome.toLowerCase()}
                      </Badge>{" "}
                      {step.kind.toLowerCase().replace(/_/g, " ")}
                      {step.note ? (
                        <span className="text-xs text-slate-500"> · {step.note}</span>
                      ) : null}
                    </li>
                  ))}
                </ul>
                <h3 className="mt-3 text-sm font-semibold">Red flags</h3>
                <p className="text-sm">
                  {kase.redFlags.length === 0
                    ? "None"
                    : kase.redFlags
                        .map(
                          (f) =>
                            `${f.kind.toLowerCase().replace(/_/g, " ")}${f.note ? ` (${f.note})` : ""}`,
                        )
                        .join("; ")}
                </p>
              </div>
              <div>
                <h3 className="text-sm font-semibold">Passkeys</h3>
                <ul className="mt-1 space-y-1 text-sm">
                  {kase.user.passkeys.map((p) => (
                    <li key={p.id}>
                      {p.modelName ?? "Unknown authenticator"} ·{" "}
                      {p.backedUp ? "synced" : "device-bound"} · last used{" "}
                      {p.lastUsedAt ? formatDateTime(p.lastUsedAt) : "never"}
                      {p.status === "REVOKED" ? (
                        " · revoked"
                      ) : approval.revokePasskeyIds.includes(p.id) ? (
                        <strong className="text-rose-700"> · to revoke</strong>
                      ) : (
                        ""
                      )}
                    </li>
                  ))}
                </ul>
                <h3 className="mt-3 text-sm font-semibold">Recent cases</h3>
                <ul className="mt-1 space-y-1 text-xs text-slate-600">
                  {kase.user.cases.map((c) => (
                    <li key={c.id}>
                      {formatDateTime(c.createdAt)} · {CASE_REASON_LABELS[c.reason]} ·{" "}
                      {c.status.toLowerCase().replace(/_/g, " ")}
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                {expired ? (
                  <p className="text-sm text-slate-600">
                    This request expired unanswered. The agent can ask again from the case if the
                    caller still needs it.
                  </p>
                ) : own ? (
                  <p className="text-sm text-slate-600">
                    You requested this: another supervisor must decide it.
                  </p>
                ) : worked ? (
                  <p className="text-sm text-slate-600">
                    You worked this case: another supervisor must decide it.
                  </p>
                ) : (
                  <DecideForm approvalId={approval.id} userName={kase.user.name} />
                )}
              </div>
            </div>
          </article>
        );
      })}
    </section>
  );
}
