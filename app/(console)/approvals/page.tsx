import { passkeyLabel } from "@/lib/domain/authenticator-models";
import type { Metadata } from "next";
import Link from "next/link";
import { formatDateTime, TierBadge } from "@/components/status-badge";
import { TimeLeft } from "@/components/time-left";
import { Badge } from "@/components/ui/badge";
import { getCurrentStaffSession, requirePermission } from "@/lib/auth/session";
import { CASE_REASON_LABELS } from "@/lib/domain/recovery-policy";
import { findPendingApprovals, findRecentDecisions } from "@/lib/server/find-pending-approvals";
import { getStepUpView } from "@/lib/server/staff-step-up";
import { StepUpPanel } from "../_components/step-up";
import { DecideForm } from "./_components/decide-form";
import { certificationRefusalFor } from "@/lib/server/practice/certification";
import type { RiskTier } from "@/lib/domain/workforce";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const staff = await requirePermission("approvals:decide", "/approvals");
  const now = new Date();
  const [approvals, decisions, stepUp] = await Promise.all([
    findPendingApprovals(staff, now),
    findRecentDecisions(staff.id),
    getCurrentStaffSession().then((session) => getStepUpView(staff.id, session)),
  ]);
  const waiting = approvals.filter((approval) => !approval.lapsed);
  // Approving needs a current certification for the case's tier (decision 032); denying does not.
  const tiers = [...new Set(waiting.map((approval) => approval.case.riskTier))];
  const refusals = await Promise.all(tiers.map((tier) => certificationRefusalFor(staff.id, tier)));
  const cannotApprove = new Map<RiskTier, string>(
    tiers.flatMap((tier, i) => (refusals[i] ? [[tier, refusals[i].message] as const] : [])),
  );
  const lapsed = approvals.filter((approval) => approval.lapsed);
  // One keyed list for both groups: a request that lapses while its form is open moves to the
  // lapsed group with its form (and the answer to a late click) still on screen.
  const cards = [
    ...waiting.map((approval) =>
      approvalCard(approval, staff.id, now, cannotApprove.get(approval.case.riskTier)),
    ),
    lapsed.length > 0 ? (
      <div key="lapsed-heading" className="pt-2">
        <h2 className="text-lg font-semibold">Lapsed unanswered</h2>
        <p className="text-sm text-slate-600">
          Nobody decided these in time. They left the queue and cannot be approved or denied; the
          agent who asked is told by mail and can ask again from the case.
        </p>
      </div>
    ) : null,
    ...lapsed.map((approval) => approvalCard(approval, staff.id, now)),
  ];
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="mt-1 text-sm text-slate-600">
          Re-enrolments waiting for a second person. You cannot decide one you requested or
          verified. Each approval is bound to what you see here: if it changes, it lapses. So does a
          request nobody decides before its time is up.
        </p>
      </div>
      {waiting.length > 0 ? <StepUpPanel {...stepUp} what="approve or deny" /> : null}
      {waiting.length === 0 ? (
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
      <div className="space-y-6">{cards}</div>
    </section>
  );
}

type Approval = Awaited<ReturnType<typeof findPendingApprovals>>[number];

/**
 * One request with the evidence to decide it. Called as a function (not a component) so the key
 * is the article's own, and the decide form keeps its place whether the request waits or has
 * lapsed: a supervisor whose click came too late keeps the form's answer in view.
 */
function approvalCard(approval: Approval, viewerId: string, now: Date, cannotApprove?: string) {
  const kase = approval.case;
  const own = approval.requestedById === viewerId;
  return (
    <article
      key={approval.id}
      aria-label={`Re-enrolment for ${kase.user.name}`}
      className={`space-y-4 rounded-lg border p-5 ${approval.lapsed ? "border-slate-200 bg-slate-50" : "border-slate-200 bg-white"}`}
    >
      <header className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">
          <Link href={`/cases/${kase.id}`} className="text-indigo-700 hover:underline">
            {kase.user.name}
          </Link>
        </h2>
        <TierBadge tier={kase.riskTier} />
        <Badge tone="warn">{approval.needReason}</Badge>
        {approval.lapsed ? (
          <Badge tone="bad">lapsed</Badge>
        ) : approval.expiresAt ? (
          <span className="text-sm">
            <TimeLeft at={approval.expiresAt.toISOString()} serverNow={now.toISOString()} />
          </span>
        ) : null}
        <span className="text-xs text-slate-500">
          {kase.user.title}, {kase.user.department} · {kase.user.employeeId} ·{" "}
          {CASE_REASON_LABELS[kase.reason]} by {kase.channel.toLowerCase()} · requested by{" "}
          {approval.requestedBy} {formatDateTime(approval.createdAt)}
          {approval.expiresAt ? (
            <>
              , {approval.lapsed ? "lapsed" : "lapses"}{" "}
              <time dateTime={approval.expiresAt.toISOString()}>
                {formatDateTime(approval.expiresAt)}
              </time>
            </>
          ) : null}
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
                {step.note ? <span className="text-xs text-slate-500"> · {step.note}</span> : null}
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
                {passkeyLabel(p)} · {p.backedUp ? "synced" : "device-bound"} · last used{" "}
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
          {approval.lapsed ? (
            <DecideForm
              approvalId={approval.id}
              userName={kase.user.name}
              lapsedAt={approval.expiresAt ? formatDateTime(approval.expiresAt) : "its time"}
            />
          ) : own ? (
            <p className="text-sm text-slate-600">
              You requested this: another supervisor must decide it.
            </p>
          ) : !approval.decidable ? (
            <p className="text-sm text-slate-600">
              You worked this case: another supervisor must decide it.
            </p>
          ) : (
            <DecideForm
              approvalId={approval.id}
              userName={kase.user.name}
              lapsedAt={null}
              cannotApprove={cannotApprove}
            />
          )}
        </div>
      </div>
    </article>
  );
}
