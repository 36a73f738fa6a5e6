import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmploymentBadge, formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { isOpenCase } from "@/lib/domain/case-state";
import { describeMissing, evaluateChecklist } from "@/lib/domain/checklist";
import { ACTIVE_POLICY, CASE_REASON_LABELS, RED_FLAG_KINDS, scriptFor, tapLimitsFor } from "@/lib/domain/recovery-policy";
import { isLeaver } from "@/lib/domain/workforce";
import { getCase } from "@/lib/server/get-case";
import { z } from "zod";
import { CloseCaseForm, IssueTapForm, RecordStepForm, ReenrolmentForm, RedFlagForm, StepLinkForm } from "./_components/case-forms";

export const metadata: Metadata = { title: "Case" };

const OUTCOME = {
  PENDING: { label: "To do", tone: "neutral" },
  PASSED: { label: "Passed", tone: "good" },
  FAILED: { label: "Failed", tone: "bad" },
  UNABLE: { label: "Could not complete", tone: "warn" },
} as const;

export default async function CasePage({ params }: { params: Promise<{ caseId: string }> }) {
  const { caseId } = await params;
  await requirePermission("cases:work", `/cases/${encodeURIComponent(caseId)}`);
  if (!z.uuid().safeParse(caseId).success) notFound();
  const kase = await getCase(caseId);
  if (!kase) notFound();

  const policy = ACTIVE_POLICY;
  const script = scriptFor(policy, kase.riskTier, kase.reason);
  const recorded = kase.checklist?.steps ?? [];
  const evaluation = evaluateChecklist(script, recorded);
  const open = isOpenCase(kase.status);
  const stopped = kase.redFlags.some((flag) => policy.redFlags[flag.kind as keyof typeof policy.redFlags]?.effect === "stop");
  const leaver = isLeaver(kase.user, new Date());
  const limits = tapLimitsFor(policy, kase.riskTier);
  const canIssue = open && evaluation.complete && kase.redFlags.length === 0 && !leaver && (kase.status === "VERIFIED" || kase.status === "FACTOR_ISSUED");

  return (
    <div className="space-y-8">
      <div>
        <Link href="/cases" className="text-sm text-indigo-700 hover:underline">← Cases</Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">
            {CASE_REASON_LABELS[kase.reason]}: <Link href={`/users/${kase.user.id}`} className="text-indigo-700 hover:underline">{kase.user.name}</Link>
          </h1>
          <Badge tone={open ? "info" : "neutral"}>{kase.status.replace(/_/g, " ").toLowerCase()}</Badge>
          <TierBadge tier={kase.riskTier} />
          <EmploymentBadge status={kase.user.status} leavingOn={kase.user.leavingOn} />
          {kase.repeatCall > 1 ? <Badge tone="warn">Call {kase.repeatCall} in 24 h</Badge> : null}
          {kase.needsApproval ? <Badge tone="warn">Needs a supervisor for re-enrolment</Badge> : null}
        </div>
        <p className="mt-1 text-sm text-slate-600">
          {kase.user.title}, {kase.user.department} · <span className="font-mono">{kase.user.employeeId}</span> · opened {formatDateTime(kase.createdAt)} by {kase.agent.name} ·
          {" "}{kase.channel.toLowerCase().replace("_", "-")} · policy v{kase.policyVersion}, script “{kase.checklist?.scriptKey}”
        </p>
        {kase.callerClaim ? <p className="mt-2 text-sm"><span className="font-medium">Caller says:</span> {kase.callerClaim}</p> : null}
      </div>

      {stopped ? (
        <p role="status" className="rounded-md border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900">
          A red flag stopped this case. Nothing can be issued; close it, and revoke if you suspect an attack.
        </p>
      ) : null}

      <section aria-labelledby="script" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="script" className="text-lg font-semibold">Verification script</h2>
          <p className={`text-sm ${evaluation.complete ? "text-emerald-800" : "text-slate-600"}`} aria-live="polite">
            {evaluation.complete ? "Verification complete." : `Still needed: ${evaluation.missing.map(describeMissing).join("; ")}.`}
          </p>
        </div>
        <ol className="space-y-3">
          {script.steps.map((step, index) => {
            const current = recorded.find((r) => r.kind === step.kind);
            const outcome = OUTCOME[current?.outcome ?? "PENDING"];
            const link = kase.stepLinks.find((l) => l.kind === step.kind);
            const pending = !current || current.outcome === "PENDING";
            const workable = open && !stopped && pending && kase.status === "OPEN";
            return (
              <li key={step.kind} className="rounded-lg border border-slate-200 bg-white p-4">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <h3 className="font-medium">
                    {index + 1}. {step.title}{" "}
                    <span className="text-xs font-normal text-slate-500">
                      {step.requirement === "required" ? "required" : "one of the alternatives"}
                    </span>
                  </h3>
                  <Badge tone={outcome.tone}>{outcome.label}</Badge>
                </div>
                <p className="mt-2 rounded bg-slate-50 p-2 text-sm"><span className="font-medium">Say:</span> “{step.say}”</p>
                <p className="mt-1 text-xs text-slate-600"><span className="font-medium">Counts as evidence:</span> {step.evidence}</p>
                {step.kind === "CALLBACK" ? (
                  <p className="mt-2 text-sm">Number of record: <span className="font-mono font-medium">{kase.user.phoneOfRecord}</span></p>
                ) : null}
                {current && current.outcome !== "PENDING" ? (
                  <p className="mt-2 text-xs text-slate-600">
                    Recorded {current.recordedAt ? formatDateTime(current.recordedAt) : ""}{current.note ? `: ${current.note}` : ""}
                  </p>
                ) : null}
                {workable && (step.kind === "CALLBACK" || step.kind === "ID_DOCUMENT" || step.kind === "EMPLOYEE_RECORD") ? (
                  <RecordStepForm caseId={kase.id} kind={step.kind} title={step.title} />
                ) : null}
                {step.kind === "MANAGER_CONFIRMATION" || step.kind === "PASSKEY_PROOF" ? (
                  <>
                    <p className="mt-2 text-sm">
                      {step.kind === "MANAGER_CONFIRMATION" ? `Manager of record: ${kase.user.manager?.name ?? "none"}` : `Active passkeys: ${kase.activePasskeys}`}
                      {link ? ` · request sent to ${link.sentTo} ${formatDateTime(link.createdAt)}${link.usedAt ? ", answered" : link.voidedAt ? ", voided" : link.expiresAt < new Date() ? ", expired" : ", waiting for the answer"}` : ""}
                    </p>
                    {workable ? <StepLinkForm caseId={kase.id} kind={step.kind} resend={Boolean(link)} /> : null}
                  </>
                ) : null}
              </li>
            );
          })}
        </ol>
      </section>

      <section aria-labelledby="reenrolment" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="reenrolment" className="font-semibold">Re-enrolment</h2>
        <p className="mt-1 text-xs text-slate-600">
          A one-time link to set up a new passkey, sent to the user’s verified address. High-risk and privileged users, red flags and repeat calls need
          another supervisor’s approval first.
        </p>
        <ul className="mt-2 space-y-1 text-xs text-slate-600">
          {kase.approvals.map((approval) => (
            <li key={approval.id}>
              Approval {approval.status.toLowerCase()} ({approval.needReason}){approval.reason ? `: ${approval.reason}` : ""} · requested {formatDateTime(approval.createdAt)}
            </li>
          ))}
          {kase.enrolmentLinks.map((link) => (
            <li key={link.id}>
              Link sent to {link.sentTo} {formatDateTime(link.createdAt)} ·{" "}
              {link.usedAt ? "used: new passkey set up" : link.voidedAt ? "void" : link.expiresAt < new Date() ? "expired" : `valid until ${formatDateTime(link.expiresAt)}`}
              {link.revokePasskeyIds.length ? ` · replaces ${link.revokePasskeyIds.length}` : ""}
            </li>
          ))}
        </ul>
        {kase.status === "VERIFIED" && !stopped && !leaver ? (
          <div className="mt-3">
            <ReenrolmentForm
              caseId={kase.id}
              passkeys={kase.user.passkeys.map((p) => ({
                id: p.id,
                label: `${p.modelName ?? "Unknown authenticator"} (${p.backedUp ? "synced" : "device-bound"}, last used ${p.lastUsedAt ? formatDateTime(p.lastUsedAt) : "never"})`,
              }))}
            />
          </div>
        ) : null}
      </section>

      <div className="grid gap-6 md:grid-cols-3">
        <section aria-labelledby="tap" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="tap" className="font-semibold">Temporary access pass</h2>
          <p className="mt-1 text-xs text-slate-600">Sent to the user’s verified address. You never see it.</p>
          <ul className="mt-2 space-y-1 text-xs text-slate-600">
            {kase.accessPasses.map((pass) => (
              <li key={pass.id}>
                Issued {formatDateTime(pass.createdAt)} ·{" "}
                {pass.usedAt ? "used" : pass.voidedAt ? `void (${pass.voidReason})` : pass.expiresAt < new Date() ? "expired" : `valid until ${formatDateTime(pass.expiresAt)}`}
                {pass.failedAttempts > 0 ? ` · ${pass.failedAttempts}/${pass.maxFailures} failed attempts` : ""}
              </li>
            ))}
          </ul>
          <div className="mt-3">
            {canIssue ? (
              <IssueTapForm caseId={kase.id} min={limits.minMinutes} max={limits.maxMinutes} defaultMinutes={limits.defaultMinutes} multiUseAllowed={limits.multiUseAllowed} />
            ) : (
              <p className="text-sm text-slate-600">
                {leaver ? "A leaver cannot be given a pass." : !evaluation.complete ? "Available once verification is complete." : kase.redFlags.length ? "Blocked by a red flag." : !open ? "The case is closed." : "Not available in this state."}
              </p>
            )}
          </div>
        </section>

        <section aria-labelledby="flags" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="flags" className="font-semibold">Red flags</h2>
          <ul className="mt-2 space-y-1 text-sm">
            {kase.redFlags.length === 0 ? <li className="text-slate-600">None raised.</li> : null}
            {kase.redFlags.map((flag, i) => (
              <li key={i}>
                <Badge tone="bad">{policy.redFlags[flag.kind as keyof typeof policy.redFlags]?.label ?? flag.kind}</Badge>{" "}
                <span className="text-xs text-slate-600">{flag.note}</span>
              </li>
            ))}
          </ul>
          {open ? (
            <div className="mt-3">
              <RedFlagForm caseId={kase.id} flags={RED_FLAG_KINDS.map((kind) => ({ kind, label: policy.redFlags[kind].label, effect: policy.redFlags[kind].effect }))} />
            </div>
          ) : null}
        </section>

        <section aria-labelledby="close" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="close" className="font-semibold">Close</h2>
          {open ? (
            <div className="mt-2"><CloseCaseForm caseId={kase.id} /></div>
          ) : (
            <p className="mt-2 text-sm text-slate-600">Closed {kase.closedAt ? formatDateTime(kase.closedAt) : ""}{kase.closeReason ? `: ${kase.closeReason}` : ""}.</p>
          )}
        </section>
      </div>

      <section aria-labelledby="timeline" className="space-y-3">
        <h2 id="timeline" className="text-lg font-semibold">Timeline</h2>
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {kase.events.map((event) => (
            <li key={event.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm">
              <span>
                <span className="font-mono text-xs">{event.action}</span>{" "}
                <Badge tone={event.outcome === "ALLOWED" ? "good" : "bad"}>{event.outcome === "ALLOWED" ? "allowed" : `refused${event.reason ? `: ${event.reason}` : ""}`}</Badge>
                {event.outcome === "REFUSED" && typeof (event.data as { detail?: unknown })?.detail === "string" ? (
                  <span className="ml-2 text-xs text-slate-600">{(event.data as { detail: string }).detail}</span>
                ) : null}
              </span>
              <span className="text-xs text-slate-500">{event.actorName} · {formatDateTime(event.createdAt)}</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
