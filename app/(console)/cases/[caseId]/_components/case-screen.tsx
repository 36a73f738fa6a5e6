import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { StepOutcome } from "@/lib/domain/checklist";
import { describeMissing } from "@/lib/domain/checklist";
import type { Allowed, AvailableActions } from "@/lib/domain/recovery-decisions";
import {
  RED_FLAG_KINDS,
  type RecoveryPolicy,
  type ScriptStep,
  type TapLimits,
} from "@/lib/domain/recovery-policy";
import { isAgentRecorded, isLinked, linkCompletion } from "@/lib/domain/step-kinds";
import {
  CloseCaseForm,
  CorrectStepForm,
  IssueTapForm,
  RecordStepForm,
  ReenrolmentForm,
  RedFlagForm,
  StepLinkForm,
  type CaseFormAction,
} from "./case-forms";

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

/** One step of the script as the screen shows it. */
export type ScreenStep = {
  outcome: StepOutcome;
  /** "Recorded … : note", once recorded. */
  recorded: string | null;
  /** Linked steps: what was sent and how it stands (" · request sent to …"). */
  linkStatus: string;
  /** A link was sent before: the form offers a new one. */
  resend: boolean;
  /** This viewer may reopen the step (real cases: a supervisor who did not work it). */
  correctable: boolean;
  /** Shown above the record form (practice: "Ask the caller", and what happened). */
  extra?: React.ReactNode;
};

export type CaseScreenForms = {
  recordStep?: CaseFormAction;
  sendStepLink?: CaseFormAction;
  raiseRedFlag?: CaseFormAction;
  issueTap?: CaseFormAction;
  requestReenrolment?: CaseFormAction;
  closeCase?: CaseFormAction;
};

/**
 * The body of a case: its header, the verification script, re-enrolment, the pass, red flags and
 * closing. Rendered by the real case page (/cases/[caseId]) and by a practice run
 * (/practice/[runId], docs/decisions/030) from the same decisions (`actions`), so practice looks
 * and refuses exactly as a real case does. `id` goes in every form's hidden caseId field; `forms`
 * binds the forms to other actions (practice), else they post to the real case's actions.
 */
export function CaseScreen(props: {
  id: string;
  back: { href: string; label: string };
  /** Above the title: the practice banner. */
  banner?: React.ReactNode;
  title: React.ReactNode;
  badges: React.ReactNode;
  subtitle: React.ReactNode;
  claim: string | null;
  /** Between the header and the script: the desk, the guidance; in practice the records and the call. */
  top?: React.ReactNode;
  policy: RecoveryPolicy;
  actions: AvailableActions;
  scriptSteps: readonly ScriptStep[];
  steps: Record<string, ScreenStep>;
  work: boolean;
  open: boolean;
  phoneOfRecord: string;
  managerName: string | null;
  activePasskeys: number;
  /** Lines about approvals and enrolment links already sent. */
  reenrolmentLines: React.ReactNode;
  passkeys: { id: string; label: string }[];
  passLines: React.ReactNode;
  limits: TapLimits;
  redFlags: readonly { kind: string; note: string }[];
  outstanding: string[];
  /** Between the red flags and closing (the real case: the fraud signals that name it). */
  beside?: React.ReactNode;
  /** Under the close form while open (the real case: hand over to another team). */
  closeExtra?: React.ReactNode;
  /** When closed or not workable: what the close section says. */
  closedText: string;
  bottom?: React.ReactNode;
  forms?: CaseScreenForms;
}) {
  const { policy, actions, work, open, forms = {} } = props;
  const stopped = actions.stopped !== null;
  return (
    <div className="space-y-8">
      {props.banner}
      <div>
        <Link href={props.back.href} className="text-sm text-indigo-700 hover:underline">
          ← {props.back.label}
        </Link>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{props.title}</h1>
          {props.badges}
          {actions.approvalNeed ? (
            <Badge tone="warn">Needs a second person: {actions.approvalNeed}</Badge>
          ) : null}
        </div>
        <p className="mt-1 text-sm text-slate-600">{props.subtitle}</p>
        {props.claim ? (
          <p className="mt-2 text-sm">
            <span className="font-medium">Caller says:</span> {props.claim}
          </p>
        ) : null}
      </div>

      {props.top}

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
          {props.scriptSteps.map((step, index) => {
            const screen = props.steps[step.kind];
            const current = screen?.outcome ?? "PENDING";
            const outcome = OUTCOME[current];
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
                    <span className="font-mono font-medium">{props.phoneOfRecord}</span>
                  </p>
                ) : null}
                {screen?.recorded ? (
                  <p className="mt-2 text-xs text-slate-600">{screen.recorded}</p>
                ) : null}
                {screen?.extra}
                {work && recordable?.ok && current === "PENDING" ? (
                  <RecordStepForm
                    caseId={props.id}
                    kind={step.kind}
                    title={step.title}
                    action={forms.recordStep}
                  />
                ) : null}
                {isLinked(step.kind) ? (
                  <>
                    <p className="mt-2 text-sm">
                      {linkCompletion(step.kind).recipient === "manager"
                        ? `Manager of record: ${props.managerName ?? "none"}`
                        : `Active passkeys: ${props.activePasskeys}`}
                      {screen?.linkStatus ?? ""}
                    </p>
                    {work && sendable?.ok && current === "PENDING" ? (
                      <StepLinkForm
                        caseId={props.id}
                        kind={step.kind}
                        recipient={linkCompletion(step.kind).recipient}
                        resend={screen?.resend ?? false}
                        action={forms.sendStepLink}
                      />
                    ) : null}
                  </>
                ) : null}
                {screen?.correctable ? (
                  <CorrectStepForm caseId={props.id} kind={step.kind} title={step.title} />
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
        <ul className="mt-2 space-y-1 text-xs text-slate-600">{props.reenrolmentLines}</ul>
        <div className="mt-3">
          {work && actions.requestReenrolment.ok ? (
            <ReenrolmentForm
              caseId={props.id}
              passkeys={props.passkeys}
              action={forms.requestReenrolment}
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
          <ul className="mt-2 space-y-1 text-xs text-slate-600">{props.passLines}</ul>
          <div className="mt-3">
            {work && actions.issueTap.ok ? (
              <IssueTapForm
                caseId={props.id}
                min={props.limits.minMinutes}
                max={props.limits.maxMinutes}
                defaultMinutes={props.limits.defaultMinutes}
                multiUseAllowed={props.limits.multiUseAllowed}
                action={forms.issueTap}
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
            {props.redFlags.length === 0 ? <li className="text-slate-600">None raised.</li> : null}
            {props.redFlags.map((flag, i) => (
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
                caseId={props.id}
                flags={RED_FLAG_KINDS.map((kind) => ({
                  kind,
                  label: policy.redFlags[kind].label,
                  effect: policy.redFlags[kind].effect,
                }))}
                action={forms.raiseRedFlag}
              />
            </div>
          ) : null}
        </section>

        {props.beside}

        <section
          aria-labelledby="close"
          className="rounded-lg border border-slate-200 bg-white p-4"
        >
          <h2 id="close" className="font-semibold">
            Close
          </h2>
          {work && actions.close.ok ? (
            <div className="mt-2 space-y-4">
              <CloseCaseForm
                caseId={props.id}
                outstanding={props.outstanding}
                action={forms.closeCase}
              />
              {open ? props.closeExtra : null}
            </div>
          ) : (
            <p className="mt-2 text-sm text-slate-600">{open ? "Open." : props.closedText}</p>
          )}
        </section>
      </div>

      {props.bottom}
    </div>
  );
}
