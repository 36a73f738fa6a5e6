import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { EmploymentBadge, formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { isOpenCase } from "@/lib/domain/case-state";
import { describeMissing } from "@/lib/domain/checklist";
import type { Allowed } from "@/lib/domain/recovery-decisions";
import {
  CASE_REASON_LABELS,
  RED_FLAG_KINDS,
  scriptFor,
  tapLimitsFor,
} from "@/lib/domain/recovery-policy";
import { isAgentRecorded, isLinked, linkCompletion } from "@/lib/domain/step-kinds";
import { getCaseView } from "@/lib/server/get-case";
import { CallerGuidance } from "../../_components/caller-guidance";
import { recordAccessDenied } from "@/lib/server/record-access-denied";
import { getRequestContext } from "@/lib/server/request-context";
import { z } from "zod";
import {
  CloseCaseForm,
  CorrectStepForm,
  IssueTapForm,
  RecordStepForm,
  ReenrolmentForm,
  RedFlagForm,
  StepLinkForm,
  TransferCaseForm,
} from "./_components/case-forms";
import {
  AssignToMeForm,
  HandToColleagueForm,
  NoteForm,
  TicketForm,
} from "./_components/desk-forms";
import { DEADLINE_LABELS, deadlinesOf } from "@/lib/domain/case-queue";
import { TimeLeft } from "@/components/time-left";
import { liveStamp } from "@/lib/server/live-stream";
import { LiveTopics } from "../../_components/live";
import { auditActionLabel, refusalLabel } from "@/lib/domain/audit-labels";
import { ApprovalLines } from "./_components/approval-lines";

export const metadata: Metadata = { title: "Case" };

const OUTCOME = {
  PENDING: { label: "To do", tone: "neutral" },
  PASSED: { label: "Passed", tone: "good" },
  FAILED: { label: "Failed", tone: "bad" },
  UNABLE: { label: "Could not complete", tone: "warn" },
} as const;

/** Why an action is not offered, in the server's own words. */
function Unavailable({ allowed, stopped }: { allowed: Allowed; stopped: boolean }) {
  if (allowed.ok) return null;
  // A stopped case says why once, at the top; repeating it under every action is noise.
  if (
    stopped &&
    (allowed.code === "RED_FLAG" ||
      allowed.code === "STOPPED" ||
      allowed.code === "ON_HOLD" ||
      allowed.code === "LEAVER")
  ) {
    return <p className="text-sm text-slate-600">Not available: the case is stopped.</p>;
  }
  return <p className="text-sm text-slate-600">{allowed.message}</p>;
}

export default async function CasePage({ params }: { params: Promise<{ caseId: string }> }) {
  const { caseId } = await params;
  const path = `/cases/${encodeURIComponent(caseId)}`;
  const staff = await requirePermission("cases:read", path);
  if (!z.uuid().safeParse(caseId).success) notFound();
  const kase = await getCaseView(caseId, staff);
  if (!kase) notFound();
  if (kase === "forbidden") {
    await recordAccessDenied({
      staff,
      permission: "cases:read",
      path,
      request: await getRequestContext(),
    });
    forbidden();
  }

  const { policy, actions } = kase;
  const script = scriptFor(policy, kase.riskTier, kase.reason);
  const recorded = kase.checklist?.steps ?? [];
  const open = isOpenCase(kase.status);
  const stopped = actions.stopped !== null;
  const work = kase.canWork;
  const limits = tapLimitsFor(policy, kase.riskTier);
  const now = new Date();
  const deadlines = deadlinesOf(kase, now);
  const stamp = await liveStamp();

  return (
    <div className="space-y-8">
      {/* The person too: a suspension, a hold or a red flag on another of their cases stops this one. */}
      <LiveTopics topics={[`case:${kase.id}`, `user:${kase.user.id}`]} stamp={stamp} />
      <div>
        <Link href="/cases" className="text-sm text-indigo-700 hover:underline">
          ← Cases
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">
            {CASE_REASON_LABELS[kase.reason]}:{" "}
            <Link href={`/users/${kase.user.id}`} className="text-indigo-700 hover:underline">
              {kase.user.name}
            </Link>
          </h1>
          <Badge tone={stopped && open ? "bad" : open ? "info" : "neutral"}>
            {stopped && open ? "stopped" : kase.status.replace(/_/g, " ").toLowerCase()}
          </Badge>
          <TierBadge tier={kase.riskTier} />
          <EmploymentBadge status={kase.user.status} leavingOn={kase.user.leavingOn} />
          {kase.repeatCall > 1 ? (
            <Badge tone="warn">
              Call {kase.repeatCall} in {policy.repeatCalls.windowHours} h
            </Badge>
          ) : null}
          {actions.approvalNeed ? (
            <Badge tone="warn">Needs a second person: {actions.approvalNeed}</Badge>
          ) : null}
        </div>
        <p className="mt-1 text-sm text-slate-600">
          {kase.user.title}, {kase.user.department} ·{" "}
          <span className="font-mono">{kase.user.employeeId}</span> · opened{" "}
          {formatDateTime(kase.createdAt)} by {kase.agent.name} · {kase.team ?? "no team"} ·{" "}
          {kase.channel.toLowerCase().replace("_", "-")} · policy v{kase.policyVersion}, script “
          {kase.checklist?.scriptKey}”
        </p>
        {kase.callerClaim ? (
          <p className="mt-2 text-sm">
            <span className="font-medium">Caller says:</span> {kase.callerClaim}
          </p>
        ) : null}
      </div>

      <section
        aria-labelledby="desk"
        className="flex flex-wrap items-start gap-x-8 gap-y-4 rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="desk" className="sr-only">
          Owner, ticket and clocks
        </h2>
        <div className="space-y-2">
          <p className="text-sm">
            <span className="font-medium">Owner:</span>{" "}
            {kase.owner
              ? kase.owner.id === staff.id
                ? `you (${kase.owner.name})`
                : kase.owner.name
              : `nobody yet${kase.team ? ` (waiting in ${kase.team}’s queue)` : ""}`}
          </p>
          {work && open && !kase.notCertified && kase.owner?.id !== staff.id ? (
            <AssignToMeForm caseId={kase.id} me={staff.id} />
          ) : null}
        </div>
        <div className="space-y-2">
          {work ? (
            <TicketForm caseId={kase.id} current={kase.ticketRef} />
          ) : (
            <p className="text-sm">
              <span className="font-medium">Ticket:</span> {kase.ticketRef ?? "none"}
            </p>
          )}
        </div>
        {open ? (
          <div className="text-sm">
            <p className="font-medium">Time left</p>
            {deadlines.length === 0 ? (
              <p className="text-slate-600">No clock running.</p>
            ) : (
              <ul>
                {deadlines.map((deadline) => {
                  return (
                    <li
                      key={`${deadline.kind}-${deadline.at.toISOString()}`}
                      className="text-slate-700"
                    >
                      {DEADLINE_LABELS[deadline.kind]}:{" "}
                      <TimeLeft at={deadline.at.toISOString()} serverNow={now.toISOString()} />{" "}
                      (until {formatDateTime(deadline.at)})
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        ) : null}
        {work && open && kase.colleagues.length > 0 ? (
          <details className="min-w-64 text-sm">
            <summary className="cursor-pointer font-medium text-indigo-700">
              Hand to a colleague
            </summary>
            <div className="mt-2">
              <HandToColleagueForm caseId={kase.id} colleagues={kase.colleagues} />
            </div>
          </details>
        ) : null}
      </section>

      <CallerGuidance guidance={kase.guidance} userId={kase.user.id} />
      {kase.notCertified ? (
        <p role="note" data-testid="not-certified" className="text-sm text-amber-900">
          {kase.notCertified.message}
        </p>
      ) : null}
      {!work ? (
        <p role="note" className="text-sm text-slate-600">
          You are reading this case: security reviewers work no case. Revoking a person’s passkeys
          is on their page.
        </p>
      ) : null}

      <section aria-labelledby="script" className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="script" className="text-lg font-semibold">
            Verification script
          </h2>
          <p
            className={`text-sm ${actions.checklist.complete ? "text-emerald-800" : "text-slate-600"}`}
            aria-live="polite"
          >
            {actions.checklist.complete
              ? "Verification complete."
              : `Still needed: ${actions.checklist.missing.map(describeMissing).join("; ")}.`}
          </p>
        </div>
        <ol className="space-y-3">
          {script.steps.map((step, index) => {
            const current = recorded.find((r) => r.kind === step.kind);
            const outcome = OUTCOME[current?.outcome ?? "PENDING"];
            const link = kase.stepLinks.find((l) => l.kind === step.kind);
            const recordable = isAgentRecorded(step.kind) ? actions.recordStep[step.kind] : null;
            const sendable = isLinked(step.kind) ? actions.sendStepLink[step.kind] : null;
            return (
              <li
                key={step.kind}
                id={`step-${step.kind.toLowerCase()}`}
                className="rounded-lg border border-slate-200 bg-white p-4"
              >
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <h3 className="font-medium">
                    {index + 1}. {step.title}{" "}
                    <span className="text-xs font-normal text-slate-500">
                      {step.requirement === "required" ? "required" : "one of the alternatives"}
                    </span>
                  </h3>
                  <Badge tone={outcome.tone}>{outcome.label}</Badge>
                </div>
                <p className="mt-2 rounded bg-slate-50 p-2 text-sm">
                  <span className="font-medium">Say:</span> “{step.say}”
                </p>
                <p className="mt-1 text-xs text-slate-600">
                  <span className="font-medium">Counts as evidence:</span> {step.evidence}
                </p>
                {step.kind === "CALLBACK" ? (
                  <p className="mt-2 text-sm">
                    Number of record:{" "}
                    <span className="font-mono font-medium">{kase.user.phoneOfRecord}</span>
                  </p>
                ) : null}
                {current && current.outcome !== "PENDING" ? (
                  <p className="mt-2 text-xs text-slate-600">
                    Recorded {current.recordedAt ? formatDateTime(current.recordedAt) : ""}
                    {current.note ? `: ${current.note}` : ""}
                  </p>
                ) : null}
                {work && recordable?.ok && current?.outcome === "PENDING" ? (
                  <RecordStepForm caseId={kase.id} kind={step.kind} title={step.title} />
                ) : null}
                {isLinked(step.kind) ? (
                  <>
                    <p className="mt-2 text-sm">
                      {linkCompletion(step.kind).recipient === "manager"
                        ? `Manager of record: ${kase.user.manager?.name ?? "none"}`
                        : `Active passkeys: ${kase.activePasskeys}`}
                      {link
                        ? ` · request sent to ${link.sentTo} ${formatDateTime(link.createdAt)}${link.usedAt ? ", answered" : link.voidedAt ? ", voided" : link.expiresAt < now ? ", expired" : ", waiting for the answer"}`
                        : ""}
                    </p>
                    {work && sendable?.ok && current?.outcome === "PENDING" ? (
                      <StepLinkForm
                        caseId={kase.id}
                        kind={step.kind}
                        recipient={linkCompletion(step.kind).recipient}
                        resend={Boolean(link)}
                      />
                    ) : null}
                  </>
                ) : null}
                {kase.correctable.has(step.kind) ? (
                  <CorrectStepForm caseId={kase.id} kind={step.kind} title={step.title} />
                ) : null}
              </li>
            );
          })}
        </ol>
      </section>

      <section
        aria-labelledby="reenrolment"
        className="rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="reenrolment" className="font-semibold">
          Re-enrolment
        </h2>
        <p className="mt-1 text-xs text-slate-600">
          A one-time link to set up a new passkey, sent to the user’s verified address.
          {actions.approvalNeed
            ? ` This recovery needs another supervisor’s approval first (${actions.approvalNeed}).`
            : ""}
        </p>
        <ul className="mt-2 space-y-1 text-xs text-slate-600">
          <ApprovalLines
            approvals={kase.approvals}
            now={now}
            askAgain={work && actions.requestReenrolment.ok}
          />
          {kase.enrolmentLinks.map((link) => (
            <li key={link.id}>
              Link sent to {link.sentTo} {formatDateTime(link.createdAt)} ·{" "}
              {link.usedAt
                ? "used: new passkey set up"
                : link.voidedAt
                  ? "void"
                  : link.expiresAt < now
                    ? "expired"
                    : `valid until ${formatDateTime(link.expiresAt)}`}
              {link.revokePasskeyIds.length ? ` · replaces ${link.revokePasskeyIds.length}` : ""}
            </li>
          ))}
        </ul>
        <div className="mt-3">
          {work && actions.requestReenrolment.ok ? (
            <ReenrolmentForm
              caseId={kase.id}
              passkeys={kase.user.passkeys.map((p) => ({
                id: p.id,
                label: `${p.modelName ?? "Unknown authenticator"} (${p.backedUp ? "synced" : "device-bound"}, last used ${p.lastUsedAt ? formatDateTime(p.lastUsedAt) : "never"})`,
              }))}
            />
          ) : (
            <Unavailable allowed={actions.requestReenrolment} stopped={stopped} />
          )}
        </div>
      </section>

      <div className="grid gap-6 md:grid-cols-3">
        <section aria-labelledby="tap" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="tap" className="font-semibold">
            Temporary access pass
          </h2>
          <p className="mt-1 text-xs text-slate-600">
            Sent to the user’s verified address. You never see it. It sets up one passkey.
          </p>
          <ul className="mt-2 space-y-1 text-xs text-slate-600">
            {kase.accessPasses.map((pass) => (
              <li key={pass.id}>
                Issued {formatDateTime(pass.createdAt)} ·{" "}
                {pass.usedAt
                  ? "used"
                  : pass.voidedAt
                    ? `void (${pass.voidReason})`
                    : pass.expiresAt < now
                      ? "expired"
                      : `valid until ${formatDateTime(pass.expiresAt)}`}
                {pass.failedAttempts > 0
                  ? ` · ${pass.failedAttempts}/${pass.maxFailures} wrong tries`
                  : ""}
                {pass.restingUntil ? (
                  <strong className="block font-medium text-amber-800">
                    Wrong passes were tried: the next try waits until{" "}
                    {formatDateTime(pass.restingUntil)}. The user was told; if they are on the line
                    and did not mistype, treat it as a red flag.
                  </strong>
                ) : null}
              </li>
            ))}
          </ul>
          <div className="mt-3">
            {work && actions.issueTap.ok ? (
              <IssueTapForm
                caseId={kase.id}
                min={limits.minMinutes}
                max={limits.maxMinutes}
                defaultMinutes={limits.defaultMinutes}
                multiUseAllowed={limits.multiUseAllowed}
              />
            ) : (
              <Unavailable allowed={actions.issueTap} stopped={stopped} />
            )}
          </div>
        </section>

        <section
          aria-labelledby="flags"
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="flags" className="font-semibold">
            Red flags
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {kase.redFlags.length === 0 ? <li className="text-slate-600">None raised.</li> : null}
            {kase.redFlags.map((flag, i) => (
              <li key={i}>
                <Badge tone="bad">
                  {policy.redFlags[flag.kind as keyof typeof policy.redFlags]?.label ?? flag.kind}
                </Badge>{" "}
                <span className="text-xs text-slate-600">{flag.note}</span>
              </li>
            ))}
          </ul>
          {work && actions.raiseRedFlag.ok ? (
            <div className="mt-3">
              <RedFlagForm
                caseId={kase.id}
                flags={RED_FLAG_KINDS.map((kind) => ({
                  kind,
                  label: policy.redFlags[kind].label,
                  effect: policy.redFlags[kind].effect,
                }))}
              />
            </div>
          ) : null}
        </section>

        <section
          aria-labelledby="close"
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="close" className="font-semibold">
            Close
          </h2>
          {work && actions.close.ok ? (
            <div className="mt-2 space-y-4">
              <CloseCaseForm caseId={kase.id} outstanding={kase.outstanding} />
              {open && kase.teams.length > 0 ? (
                <TransferCaseForm caseId={kase.id} teams={kase.teams} />
              ) : null}
            </div>
          ) : (
            <p className="mt-2 text-sm text-slate-600">
              {open
                ? "Open."
                : `Closed ${kase.closedAt ? formatDateTime(kase.closedAt) : ""}${kase.closeReason ? `: ${kase.closeReason}` : ""}.${kase.closeToldUser ? " The outstanding pass or link was voided and the user was told." : ""}`}
            </p>
          )}
        </section>
      </div>

      <section aria-labelledby="notes" className="space-y-3">
        <h2 id="notes" className="text-lg font-semibold">
          Call notes
        </h2>
        {kase.notes.length === 0 ? (
          <p className="text-sm text-slate-600">No notes yet.</p>
        ) : (
          <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {kase.notes.map((note) => (
              <li key={note.id} className="px-4 py-2 text-sm">
                <p className="break-words whitespace-pre-wrap">{note.body}</p>
                <p className="mt-1 text-xs text-slate-500">
                  {note.author.name} · {formatDateTime(note.createdAt)}
                </p>
              </li>
            ))}
          </ol>
        )}
        {work ? <NoteForm caseId={kase.id} /> : null}
      </section>

      <section aria-labelledby="timeline" className="space-y-3">
        <h2 id="timeline" className="text-lg font-semibold">
          Timeline
        </h2>
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {kase.events.map((event) => (
            <li
              key={event.id}
              className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm"
            >
              <span>
                <span className="font-medium">{auditActionLabel(event.action)}</span>{" "}
                <Badge tone={event.outcome === "ALLOWED" ? "good" : "bad"}>
                  {event.outcome === "ALLOWED" ? "allowed" : refusalLabel(event.reason)}
                </Badge>
                {event.outcome === "REFUSED" &&
                typeof (event.data as { detail?: unknown })?.detail === "string" ? (
                  <span className="ml-2 text-xs text-slate-600">
                    {(event.data as { detail: string }).detail}
                  </span>
                ) : null}
              </span>
              <span className="text-xs text-slate-500">
                {event.actorName} · {formatDateTime(event.createdAt)}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
