import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { EmploymentBadge, formatDateTime, TierBadge } from "@/components/status-badge";
import { Badge } from "@/components/ui/badge";
import { requirePermission } from "@/lib/auth/session";
import { isOpenCase } from "@/lib/domain/case-state";
import { maskAddress } from "@/lib/domain/notifications";
import { SCORE_WEIGHTS, type Debrief } from "@/lib/domain/practice/debrief";
import { PRETEXT_LABELS, type Scenario } from "@/lib/domain/practice/scenario";
import {
  activePasskeyIds,
  hasVerifiedAddress,
  practiceFacts,
  practicePasskeyId,
  type PracticeMove,
} from "@/lib/domain/practice/simulate";
import { availableActions } from "@/lib/domain/recovery-decisions";
import {
  CASE_REASON_LABELS,
  policyFor,
  scriptFor,
  tapLimitsFor,
  type RecoveryPolicy,
  type RedFlagKind,
} from "@/lib/domain/recovery-policy";
import { isAgentRecorded, isLinked } from "@/lib/domain/step-kinds";
import { getPracticeRun, type PracticeRunView } from "@/lib/server/practice/runs";
import { getRequestContext } from "@/lib/server/request-context";
import { CaseScreen, type ScreenStep } from "../../cases/[caseId]/_components/case-screen";
import {
  practiceCloseCaseAction,
  practiceIssueTapAction,
  practiceRaiseRedFlagAction,
  practiceRecordStepAction,
  practiceRequestReenrolmentAction,
  practiceSendStepLinkAction,
} from "./actions";
import { AskStepForm, FinishPracticeForm } from "./_components/practice-forms";

export const metadata: Metadata = { title: "PRACTICE call" };

const days = (n: number | null) =>
  n === null ? "never" : n === 0 ? "today" : n === 1 ? "yesterday" : `${n} days ago`;

function PracticeBanner({ children }: { children?: React.ReactNode }) {
  return (
    <div
      role="note"
      aria-label="Practice"
      className="rounded-lg border-2 border-amber-500 bg-amber-50 p-3 text-amber-950"
    >
      <p className="text-sm font-bold tracking-wide uppercase">
        Practice call: fictional people, nothing real happens
      </p>
      <p className="text-sm">
        No mail is sent to anyone, no pass or passkey changes, and nothing here reaches the security
        team’s systems. {children}
      </p>
    </div>
  );
}

function Records({ scenario }: { scenario: Scenario }) {
  const person = scenario.person;
  return (
    <section
      aria-labelledby="records"
      className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 md:grid-cols-2"
    >
      <h2 id="records" className="sr-only">
        The person’s records and the call
      </h2>
      <div className="space-y-2 text-sm">
        <h3 className="font-semibold">Records (fictional)</h3>
        <p>
          {person.name} · {person.title}, {person.department} ·{" "}
          <span className="font-mono">{person.employeeId}</span>
        </p>
        <p>
          Phone of record: <span className="font-mono">{person.phoneOfRecord}</span>
        </p>
        <p>
          Manager of record:{" "}
          {person.manager ? `${person.manager.name}, ${person.manager.title}` : "none"}
        </p>
        <ul aria-label="Addresses">
          {person.emails.map((email) => (
            <li key={email.address}>
              {maskAddress(email.address)}{" "}
              <span className="text-xs text-slate-600">
                ({email.kind}, {email.verified ? "verified" : "unverified"})
              </span>
            </li>
          ))}
        </ul>
        <ul aria-label="Passkeys">
          {person.passkeys.length === 0 ? <li>No passkeys.</li> : null}
          {person.passkeys.map((passkey, i) => (
            <li key={i}>
              {passkey.model}{" "}
              <span className="text-xs text-slate-600">
                ({passkey.synced ? "synced" : "device-bound"}, added {days(passkey.addedDaysAgo)},
                last used {days(passkey.lastUsedDaysAgo)})
              </span>
            </li>
          ))}
        </ul>
        <p>
          Recent changes to the record:{" "}
          {person.recentChanges.length === 0
            ? "none"
            : person.recentChanges
                .map((c) => `${c.field.toLowerCase()} changed ${days(c.daysAgo)}`)
                .join("; ")}
        </p>
      </div>
      <div className="space-y-2 text-sm">
        <h3 className="font-semibold">The call</h3>
        <p>
          Caller ID: <span className="font-mono">{scenario.call.callerId}</span>{" "}
          <span className="text-xs text-slate-600">(can be spoofed: never evidence)</span>
        </p>
        <blockquote className="rounded bg-slate-50 p-2 italic">
          “{scenario.call.opening}”
        </blockquote>
        {scenario.call.offeredContact ? (
          <p>
            The caller offers:{" "}
            <span className="font-mono">{scenario.call.offeredContact.value}</span>
          </p>
        ) : null}
      </div>
    </section>
  );
}

function describeMove(move: PracticeMove, policy: RecoveryPolicy): string {
  switch (move.type) {
    case "ask":
      return `Tried a step with the caller (${move.step.toLowerCase().replace(/_/g, " ")})`;
    case "record":
      return `Recorded ${move.step.toLowerCase().replace(/_/g, " ")} as ${move.outcome.toLowerCase()}`;
    case "send_link":
      return `Sent a link (${move.step.toLowerCase().replace(/_/g, " ")})`;
    case "raise_flag":
      return `Raised a red flag: ${policy.redFlags[move.flag].label}`;
    case "issue_pass":
      return `Issued a ${move.lifetimeMinutes}-minute pass`;
    case "request_reenrolment":
      return "Requested a re-enrolment";
    case "close":
      return `Closed: ${move.reason}`;
  }
}

function Transcript({ run, policy }: { run: PracticeRunView; policy: RecoveryPolicy }) {
  return (
    <section aria-labelledby="transcript" className="space-y-3">
      <h2 id="transcript" className="text-lg font-semibold">
        What happened on the call
      </h2>
      {run.moves.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing yet: the caller is waiting.</p>
      ) : (
        <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
          {run.moves.map((m) => (
            <li key={m.seq} className="px-4 py-2 text-sm">
              <span className="font-medium">{describeMove(m.move, policy)}</span>{" "}
              <Badge tone={m.result.ok ? "good" : "bad"}>
                {m.result.ok ? "allowed" : "refused"}
              </Badge>
              <p className="mt-1 text-slate-700">
                {m.result.ok
                  ? [...m.result.said, ...m.result.cues.map((c) => `Caller: ${c.line}`)].join(" ")
                  : m.result.message}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function PracticeCall({ run }: { run: PracticeRunView }) {
  const { scenario, state } = run;
  const policy = policyFor(run.policyVersion);
  const facts = practiceFacts(scenario, state);
  const actions = availableActions({
    policy,
    facts,
    hasVerifiedAddress: hasVerifiedAddress(scenario),
    activePasskeyIds: activePasskeyIds(scenario),
  });
  const script = scriptFor(policy, scenario.person.riskTier, scenario.reason);
  const open = isOpenCase(state.status);
  const stopped = actions.stopped !== null;
  const limits = tapLimitsFor(policy, scenario.person.riskTier);
  const workable = open && state.status === "OPEN";

  const steps: Record<string, ScreenStep> = Object.fromEntries(
    script.steps.map((step) => {
      const current = state.steps.find((s) => s.kind === step.kind);
      const link = isLinked(step.kind) ? state.links[step.kind] : undefined;
      const asked = state.asked.includes(step.kind);
      const heard = scenario.cues.filter(
        (cue, i) => cue.at === step.kind && state.heardCues.includes(i),
      );
      const extra = (
        <>
          {asked || link ? (
            <div className="mt-2 rounded border border-amber-200 bg-amber-50 p-2 text-sm">
              <p>
                <span className="font-medium">
                  {link ? "The simulated answer:" : "What happens:"}
                </span>{" "}
                {scenario.answers[step.kind].happens}
              </p>
              {heard.map((cue, i) => (
                <p key={i}>
                  <span className="font-medium">The caller says:</span> {cue.line}
                </p>
              ))}
            </div>
          ) : null}
          {isAgentRecorded(step.kind) &&
          workable &&
          (current?.outcome ?? "PENDING") === "PENDING" ? (
            <AskStepForm runId={run.id} kind={step.kind} title={step.title} asked={asked} />
          ) : null}
        </>
      );
      return [
        step.kind,
        {
          outcome: current?.outcome ?? "PENDING",
          recorded:
            current && current.outcome !== "PENDING"
              ? `Recorded${state.notes[step.kind] ? `: ${state.notes[step.kind]}` : ""}`
              : null,
          linkStatus: link
            ? ` · request sent (practice: nothing was sent)${current?.outcome === "PENDING" ? ", no answer yet" : ", answered"}`
            : "",
          resend: Boolean(link),
          correctable: false,
          extra,
        } satisfies ScreenStep,
      ];
    }),
  );

  return (
    <CaseScreen
      id={run.id}
      back={{ href: "/practice", label: "Practice" }}
      banner={<PracticeBanner />}
      title={`Practice: ${CASE_REASON_LABELS[scenario.reason]}: ${scenario.person.name}`}
      badges={
        <>
          <Badge tone="warn">PRACTICE</Badge>
          <Badge tone={stopped && open ? "bad" : open ? "info" : "neutral"}>
            {stopped && open ? "stopped" : state.status.replace(/_/g, " ").toLowerCase()}
          </Badge>
          <TierBadge tier={scenario.person.riskTier} />
          <EmploymentBadge status={scenario.person.status} />
        </>
      }
      subtitle={
        <>
          “{scenario.title}” · {scenario.channel.toLowerCase().replace("_", "-")} · started{" "}
          {formatDateTime(run.startedAt)} · policy v{run.policyVersion}, script “{script.key}”
        </>
      }
      claim={scenario.call.claim}
      top={
        <>
          <Records scenario={scenario} />
          {actions.stopped ? (
            <p role="note" className="rounded border border-rose-200 bg-rose-50 p-3 text-sm">
              <span className="font-medium">Stopped:</span> {actions.stopped.message}
            </p>
          ) : null}
          <section
            aria-labelledby="finish"
            className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white p-4"
          >
            <div>
              <h2 id="finish" className="font-semibold">
                End of the call
              </h2>
              <p className="text-sm text-slate-600">
                When you have done what you would do on a real call, finish: the debrief compares
                each decision with the safe one.
              </p>
            </div>
            <FinishPracticeForm runId={run.id} />
          </section>
        </>
      }
      policy={policy}
      actions={actions}
      scriptSteps={script.steps}
      steps={steps}
      work={true}
      open={open}
      phoneOfRecord={scenario.person.phoneOfRecord}
      managerName={scenario.person.manager?.name ?? null}
      activePasskeys={scenario.person.passkeys.length}
      reenrolmentLines={
        state.reenrolment ? (
          <li>
            Requested
            {state.reenrolment.approvalReason
              ? `: a supervisor now decides (${state.reenrolment.approvalReason})`
              : ": link sent"}{" "}
            (practice: nothing was sent)
            {state.reenrolment.revokePasskeyIds.length
              ? ` · replaces ${state.reenrolment.revokePasskeyIds.length}`
              : ""}
          </li>
        ) : null
      }
      passkeys={scenario.person.passkeys.map((p, i) => ({
        id: practicePasskeyId(i),
        label: `${p.model} (${p.synced ? "synced" : "device-bound"}, last used ${days(p.lastUsedDaysAgo)})`,
      }))}
      passLines={state.passes.map((pass, i) => (
        <li key={i}>
          Issued · {pass.lifetimeMinutes} minutes, {pass.oneTime ? "one use" : "multi-use"}{" "}
          (practice: nothing was sent)
        </li>
      ))}
      limits={limits}
      redFlags={state.redFlags}
      outstanding={[]}
      closedText={`Closed${state.closeReason ? `: ${state.closeReason}` : ""}.`}
      bottom={<Transcript run={run} policy={policy} />}
      forms={{
        recordStep: practiceRecordStepAction,
        sendStepLink: practiceSendStepLinkAction,
        raiseRedFlag: practiceRaiseRedFlagAction,
        issueTap: practiceIssueTapAction,
        requestReenrolment: practiceRequestReenrolmentAction,
        closeCase: practiceCloseCaseAction,
      }}
    />
  );
}

const OUTCOME_WORDS = {
  PENDING: "waiting",
  PASSED: "passed",
  FAILED: "failed",
  UNABLE: "could not complete",
  NO_ANSWER: "no answer",
} as const;

function DebriefView({ run, debrief }: { run: PracticeRunView; debrief: Debrief }) {
  const policy = policyFor(run.policyVersion);
  const flagLabel = (kind: RedFlagKind) => policy.redFlags[kind].label;
  return (
    <div className="space-y-8">
      <PracticeBanner>This is the debrief of a finished practice call.</PracticeBanner>
      <div>
        <Link href="/practice" className="text-sm text-indigo-700 hover:underline">
          ← Practice
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">Practice debrief: {run.scenario.title}</h1>
          <Badge tone="warn">PRACTICE</Badge>
          <Badge tone={debrief.impostor ? "bad" : "good"}>
            {debrief.impostor ? "impostor" : "genuine caller"}
          </Badge>
          <Badge tone={debrief.safe ? "good" : "bad"}>{debrief.safe ? "safe" : "unsafe"}</Badge>
          <Badge tone={debrief.passed ? "good" : "warn"}>
            {debrief.passed ? "passed" : "not passed"}
          </Badge>
        </div>
        <p className="mt-1 text-sm text-slate-600">
          Played by {run.mine ? "you" : run.playerName} · {formatDateTime(run.startedAt)} · scenario
          version {run.scenarioVersion} · policy v{run.policyVersion}
        </p>
      </div>

      <section aria-labelledby="score" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="score" className="text-lg font-semibold">
          Score: {debrief.score} of 100
        </h2>
        <p className="text-sm">
          {debrief.passed
            ? `Passed: handled safely, and at least the pass mark of ${debrief.passScore}.`
            : debrief.safe
              ? `Not passed: handled safely, but under the pass mark of ${debrief.passScore}.`
              : "Not passed: the call was not handled safely, whatever the score."}
        </p>
        {debrief.unsafeBecause.length > 0 ? (
          <ul className="mt-2 list-disc pl-5 text-sm text-rose-800">
            {debrief.unsafeBecause.map((why) => (
              <li key={why}>{why}</li>
            ))}
          </ul>
        ) : null}
        <table className="mt-3 text-sm">
          <caption className="sr-only">How the score is made</caption>
          <thead>
            <tr>
              <th scope="col" className="pr-4 text-left">
                Part
              </th>
              <th scope="col" className="pr-4 text-left">
                Yours
              </th>
              <th scope="col" className="text-left">
                Out of
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row" className="pr-4 text-left font-normal">
                The outcome
              </th>
              <td>{debrief.scoreParts.outcome}</td>
              <td>{SCORE_WEIGHTS.outcome}</td>
            </tr>
            <tr>
              <th scope="row" className="pr-4 text-left font-normal">
                Steps recorded as they went
              </th>
              <td>{debrief.scoreParts.steps}</td>
              <td>{SCORE_WEIGHTS.steps}</td>
            </tr>
            <tr>
              <th scope="row" className="pr-4 text-left font-normal">
                Red flags
              </th>
              <td>{debrief.scoreParts.flags}</td>
              <td>{SCORE_WEIGHTS.flags}</td>
            </tr>
          </tbody>
        </table>
      </section>

      <section aria-labelledby="truth" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="truth" className="text-lg font-semibold">
          The truth: {debrief.impostor ? "an impostor" : "the genuine employee"}
        </h2>
        <p className="mt-1 text-sm">{debrief.truthExplanation}</p>
        {debrief.pretexts.length > 0 ? (
          <p className="mt-2 text-sm">
            <span className="font-medium">Pretexts used:</span>{" "}
            {debrief.pretexts.map((p) => PRETEXT_LABELS[p]).join("; ")}
          </p>
        ) : null}
      </section>

      <section
        aria-labelledby="outcome"
        className="rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 id="outcome" className="text-lg font-semibold">
          The outcome
        </h2>
        <p className="mt-1 text-sm">
          <span className="font-medium">Safe:</span>{" "}
          {debrief.safeOutcome === "stop" ? "stop, nothing issued" : "recover the person"}.{" "}
          <span className="font-medium">Yours:</span>{" "}
          {debrief.yourOutcome === "recovered"
            ? "a pass or a re-enrolment was given"
            : "nothing was issued"}
          . {debrief.outcomeRight ? "Right." : "Not the safe outcome."}
        </p>
        <p className="mt-1 text-sm">{debrief.safeExplanation}</p>
      </section>

      <section aria-labelledby="decisions" className="space-y-2">
        <h2 id="decisions" className="text-lg font-semibold">
          Your decisions, step by step
        </h2>
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
          <caption className="sr-only">Each step: what you recorded and how it really went</caption>
          <thead>
            <tr className="text-left">
              <th scope="col" className="p-2">
                Step
              </th>
              <th scope="col" className="p-2">
                You
              </th>
              <th scope="col" className="p-2">
                What really happened
              </th>
              <th scope="col" className="p-2">
                Verdict
              </th>
            </tr>
          </thead>
          <tbody>
            {debrief.steps.map((step) => (
              <tr key={step.step} className="border-t border-slate-100">
                <th scope="row" className="p-2 text-left font-normal">
                  {step.title}
                </th>
                <td className="p-2">
                  {step.yours === null
                    ? step.by === "link"
                      ? "no link sent"
                      : "not recorded"
                    : step.by === "link"
                      ? `link: ${OUTCOME_WORDS[step.yours]}`
                      : OUTCOME_WORDS[step.yours]}
                </td>
                <td className="p-2">{OUTCOME_WORDS[step.truth]}</td>
                <td className="p-2">
                  {step.right === null ? "—" : step.right ? "right" : "wrong"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="debrief-flags" className="space-y-2">
        <h2 id="debrief-flags" className="text-lg font-semibold">
          Red flags
        </h2>
        {debrief.cues.length === 0 ? (
          <p className="text-sm">This call had no planted red flags.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {debrief.cues.map((cue, i) => (
              <li key={i}>
                <Badge tone={cue.caught ? "good" : "bad"}>{cue.caught ? "caught" : "missed"}</Badge>{" "}
                <span className="font-medium">{flagLabel(cue.flag)}:</span> {cue.line}
              </li>
            ))}
          </ul>
        )}
        {debrief.missedFlags.length > 0 ? (
          <p className="text-sm">
            <span className="font-medium">Missed:</span>{" "}
            {debrief.missedFlags.map(flagLabel).join("; ")}.
          </p>
        ) : null}
        {debrief.needlessFlags.length > 0 ? (
          <p className="text-sm">
            <span className="font-medium">Raised without cause:</span>{" "}
            {debrief.needlessFlags.map(flagLabel).join("; ")}.
          </p>
        ) : null}
      </section>
      <Transcript run={run} policy={policy} />
    </div>
  );
}

export default async function PracticeRunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const path = `/practice/${encodeURIComponent(runId)}`;
  const staff = await requirePermission("practice:play", path);
  if (!z.uuid().safeParse(runId).success) notFound();
  const run = await getPracticeRun({ viewer: staff, runId, request: await getRequestContext() });
  if (!run) notFound();
  if (run.finishedAt && run.debrief) return <DebriefView run={run} debrief={run.debrief} />;
  return <PracticeCall run={run} />;
}
