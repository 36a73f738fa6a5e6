import { passkeyLabel } from "@/lib/domain/authenticator-models";
import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { EmploymentBadge, formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { isOpenCase } from "@/lib/domain/case-state";
import { CASE_REASON_LABELS, scriptFor, tapLimitsFor } from "@/lib/domain/recovery-policy";
import { getCaseView } from "@/lib/server/get-case";
import { IssueKeySection } from "../../keys/_components/issue-key-section";
import { can } from "@/lib/domain/roles";
import { CallerGuidance } from "../../_components/caller-guidance";
import { recordAccessDenied } from "@/lib/server/record-access-denied";
import { getRequestContext } from "@/lib/server/request-context";
import { z } from "zod";
import { TransferCaseForm } from "./_components/case-forms";
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
import { CaseScreen, type ScreenStep } from "./_components/case-screen";
import { CaseSignals } from "./_components/case-signals";

export const metadata: Metadata = { title: "Case" };

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

  const steps: Record<string, ScreenStep> = Object.fromEntries(
    script.steps.map((step) => {
      const current = recorded.find((r) => r.kind === step.kind);
      const link = kase.stepLinks.find((l) => l.kind === step.kind);
      return [
        step.kind,
        {
          outcome: current?.outcome ?? "PENDING",
          recorded:
            current && current.outcome !== "PENDING"
              ? `Recorded ${current.recordedAt ? formatDateTime(current.recordedAt) : ""}${current.note ? `: ${current.note}` : ""}`
              : null,
          linkStatus: link
            ? ` · request sent to ${link.sentTo} ${formatDateTime(link.createdAt)}${link.usedAt ? ", answered" : link.voidedAt ? ", voided" : link.expiresAt < now ? ", expired" : ", waiting for the answer"}`
            : "",
          resend: Boolean(link),
          correctable: kase.correctable.has(step.kind),
        } satisfies ScreenStep,
      ];
    }),
  );

  return (
    <CaseScreen
      id={kase.id}
      back={{ href: "/cases", label: "Cases" }}
      // The person too: a suspension, a hold or a red flag on another of their cases stops this one.
      banner={<LiveTopics topics={[`case:${kase.id}`, `user:${kase.user.id}`]} stamp={stamp} />}
      title={
        <>
          {CASE_REASON_LABELS[kase.reason]}:{" "}
          <Link href={`/users/${kase.user.id}`} className="text-indigo-700 hover:underline">
            {kase.user.name}
          </Link>
        </>
      }
      badges={
        <>
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
        </>
      }
      subtitle={
        <>
          {kase.user.title}, {kase.user.department} ·{" "}
          <span className="font-mono">{kase.user.employeeId}</span> · opened{" "}
          {formatDateTime(kase.createdAt)} by{" "}
          {kase.agent?.name ?? "the person, with a recovery code"} · {kase.team ?? "no team"} ·{" "}
          {kase.channel.toLowerCase().replace("_", "-")} · policy v{kase.policyVersion}, script “
          {kase.checklist?.scriptKey}”
        </>
      }
      claim={kase.callerClaim}
      top={
        <>
          {kase.channel === "SELF_SERVICE" ? (
            <p className="rounded-md border border-indigo-200 bg-indigo-50 p-3 text-sm text-indigo-900">
              Self-service: the person used one of their saved recovery codes. No call and no
              checklist: the code was the verification, and the case&apos;s facts (holds, stops, a
              second person) were checked as for a call.
            </p>
          ) : null}
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
              You are reading this case: security reviewers work no case. Revoking a person’s
              passkeys is on their page.
            </p>
          ) : null}
        </>
      }
      policy={policy}
      actions={actions}
      scriptSteps={script.steps}
      steps={steps}
      work={work}
      open={open}
      phoneOfRecord={kase.user.phoneOfRecord}
      managerName={kase.user.manager?.name ?? null}
      activePasskeys={kase.activePasskeys}
      reenrolmentLines={
        <>
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
        </>
      }
      passkeys={kase.user.passkeys.map((p) => ({
        id: p.id,
        label: `${passkeyLabel(p)} (${p.backedUp ? "synced" : "device-bound"}, last used ${p.lastUsedAt ? formatDateTime(p.lastUsedAt) : "never"})`,
      }))}
      beside={
        <>
          <CaseSignals caseId={kase.id} canRecord={Boolean(work) && open} />
          {/* Security keys (decision 039): only on a walk-in case this person may work. */}
          {work &&
          open &&
          !stopped &&
          kase.channel === "WALK_IN" &&
          can(staff.role, "keys:issue") ? (
            <IssueKeySection caseId={kase.id} />
          ) : null}
        </>
      }
      passLines={
        <>
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
        </>
      }
      limits={limits}
      redFlags={kase.redFlags}
      outstanding={kase.outstanding}
      closeExtra={
        kase.teams.length > 0 ? <TransferCaseForm caseId={kase.id} teams={kase.teams} /> : null
      }
      closedText={`Closed ${kase.closedAt ? formatDateTime(kase.closedAt) : ""}${kase.closeReason ? `: ${kase.closeReason}` : ""}.${kase.closeToldUser ? " The outstanding pass or link was voided and the user was told." : ""}`}
      bottom={
        <>
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
        </>
      }
    />
  );
}
