/**
 * The decisions a recovery case asks for, as pure functions of the stored facts. The use cases
 * in lib/server load the facts (through the case unit of work), ask here, and refuse with the
 * returned code and message; the case page asks `availableActions`, which is built from the very
 * same functions, so the screen never offers what the server would refuse.
 */
import {
  evaluateChecklist,
  describeMissing,
  type ChecklistEvaluation,
  type RecordedStep,
  type StepOutcome,
} from "./checklist";
import { isOpenCase, nextStatus, type CaseStatus } from "./case-state";
import type { DomainErrorCode } from "./errors";
import {
  CASE_REASON_LABELS,
  scriptFor,
  tapLimitsFor,
  type CaseReason,
  type RecoveryPolicy,
  type RedFlagKind,
  type SignalEffect,
} from "./recovery-policy";
import {
  AGENT_RECORDED_STEPS,
  isAgentRecorded,
  isLinked,
  LINKED_STEPS,
  type AgentRecordedStep,
  type LinkedStep,
  type StepKind,
} from "./step-kinds";
import { RISK_TIER_LABELS, type RiskTier } from "./workforce";

export type Refusal = { ok: false; code: DomainErrorCode; message: string };
export type Allowed = { ok: true } | Refusal;
const refuse = (code: DomainErrorCode, message: string): Refusal => ({ ok: false, code, message });

export type CaseFacts = {
  status: CaseStatus;
  riskTier: RiskTier;
  reason: CaseReason;
  /** The user may not be recovered now: left, past their leaving date, or suspended. */
  leaver: boolean;
  steps: readonly RecordedStep[];
  redFlags: readonly { kind: RedFlagKind }[];
  /** The n-th case for this user inside the policy's repeat-call window. */
  repeatCall: number;
  /** An earlier denial put the user's recovery on hold until a supervisor clears it. */
  onHold: boolean;
  /** A check failed on another of the person's recent or open cases. */
  failedElsewhere?: boolean;
  /**
   * Fraud signals across calls not dismissed, naming this case or another recent or open case of
   * the person (docs/decisions/031): a "stop" stops, an "escalate" needs a second person.
   */
  signals?: readonly { effect: SignalEffect; label: string }[];
  /** A break-glass account (docs/decisions/039): its recovery needs two supervisors and a security reviewer. */
  breakGlass?: boolean;
};

/** Whether a new case may be opened for this user, given the cases already opened in the window. */
export function decideOpenCase(input: {
  policy: RecoveryPolicy;
  leaver: boolean;
  onHold?: boolean;
  casesInWindow: number;
}): { ok: true; repeatCall: number; needsApproval: boolean } | Refusal {
  if (input.leaver)
    return refuse(
      "LEAVER",
      "This person has left or is suspended: they cannot be recovered. Revoke their passkeys instead.",
    );
  if (input.onHold) {
    return refuse(
      "ON_HOLD",
      "Recovery for this person is on hold after a denial. A supervisor must review and clear the hold first.",
    );
  }
  const nth = input.casesInWindow + 1;
  const { approvalFrom, blockFrom, windowHours } = input.policy.repeatCalls;
  if (nth >= blockFrom) {
    return refuse(
      "THROTTLED",
      `This is recovery call ${nth} for this person in ${windowHours} hours: blocked, and security has been alerted.`,
    );
  }
  return { ok: true, repeatCall: nth, needsApproval: nth >= approvalFrom };
}

/**
 * Why nothing more may be issued on this case, or null. A stop red flag, any failed step (a
 * manager who denies, a callback answered by someone who did not ask, an ID that does not match),
 * a hold after a denial, or a user who may not be recovered. Stopping voids what was issued
 * (lib/server/cases/void-recovery.ts); this is the rule every later action checks.
 */
export function stopReason(policy: RecoveryPolicy, facts: CaseFacts): Refusal | null {
  if (facts.leaver)
    return refuse(
      "LEAVER",
      "This person has left or is suspended: they cannot be recovered. Only revocation is possible.",
    );
  const flag = facts.redFlags.find((f) => policy.redFlags[f.kind]?.effect === "stop");
  if (flag)
    return refuse(
      "RED_FLAG",
      `The case was stopped by a red flag (${policy.redFlags[flag.kind].label}).`,
    );
  const stopping = facts.signals?.find((signal) => signal.effect === "stop");
  if (stopping)
    return refuse(
      "STOPPED",
      `A fraud signal stopped recovery for this person (${stopping.label}). A security reviewer reads it first.`,
    );
  const failed = facts.steps.find((step) => step.outcome === "FAILED");
  if (failed) {
    const title =
      scriptFor(policy, facts.riskTier, facts.reason).steps.find((s) => s.kind === failed.kind)
        ?.title ?? failed.kind;
    return refuse(
      "STOPPED",
      `“${title}” failed, so the case is stopped. If that was a mistake, a supervisor can allow a retry.`,
    );
  }
  if (facts.failedElsewhere)
    return refuse(
      "STOPPED",
      "A check failed on another recent case of this person, so recovery is stopped. A supervisor reviews that case first.",
    );
  if (facts.onHold)
    return refuse(
      "ON_HOLD",
      "Recovery for this person is on hold after a denial. A supervisor must review and clear it.",
    );
  return null;
}

/**
 * Why this recovery needs a second person before any path ends in a new passkey, or null. The
 * policy names the tiers and reasons; any red flag and any repeat call always do.
 */
export function approvalNeed(policy: RecoveryPolicy, facts: CaseFacts): string | null {
  if (facts.breakGlass)
    return "a break-glass account: two supervisors and a security reviewer approve";
  // Named first: it is what the supervisor most needs to know.
  const signal = facts.signals?.find((s) => s.effect === "escalate" || s.effect === "stop");
  if (signal) return `a fraud signal: ${signal.label.toLowerCase()}`.slice(0, 100);
  if (policy.approval.tiers.includes(facts.riskTier))
    return `${RISK_TIER_LABELS[facts.riskTier].toLowerCase()} tier`;
  if (policy.approval.reasons.includes(facts.reason))
    return `${CASE_REASON_LABELS[facts.reason].toLowerCase()}`;
  if (facts.redFlags.length > 0) return "a red flag was raised";
  if (facts.repeatCall >= policy.repeatCalls.approvalFrom)
    return `repeat call (call ${facts.repeatCall} in ${policy.repeatCalls.windowHours} hours)`;
  return null;
}

/** An agent records the outcome of a step they performed (callback, ID on video, record details), or a responder answers a link. */
export function decideRecordStep(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  kind: StepKind;
  outcome: Exclude<StepOutcome, "PENDING">;
  by: "agent" | "responder";
}): { ok: true; status: CaseStatus; complete: boolean; stops: boolean } | Refusal {
  const { policy, facts, kind } = input;
  const script = scriptFor(policy, facts.riskTier, facts.reason);
  const current = facts.steps.find((step) => step.kind === kind);
  // A denial by the person asked (the manager says no) counts whenever it comes while the case is
  // open, even after the case was verified by other steps or is waiting for approval: it is
  // evidence against the caller, and it stops whatever the case issued meanwhile.
  if (
    input.by === "responder" &&
    input.outcome === "FAILED" &&
    isOpenCase(facts.status) &&
    script.steps.some((step) => step.kind === kind) &&
    (!current || current.outcome === "PENDING")
  ) {
    return { ok: true, status: facts.status, complete: false, stops: true };
  }
  const move = nextStatus(facts.status, "RECORD_STEP");
  if (!move.ok) return refuse("SEQUENCE", `Steps can no longer be recorded: ${move.reason}.`);
  const stop = stopReason(policy, facts);
  if (stop) return stop;
  if (!script.steps.some((step) => step.kind === kind))
    return refuse("INVALID_INPUT", "That step is not part of this case's script.");
  if (input.by === "agent" && !isAgentRecorded(kind)) {
    return refuse(
      "FORBIDDEN",
      "This step completes only from the person who answers it, not from the agent.",
    );
  }
  if (current && current.outcome !== "PENDING")
    return refuse(
      "SEQUENCE",
      "That step was already recorded. Only a supervisor's audited correction can reopen it.",
    );
  const steps = [
    ...facts.steps.filter((step) => step.kind !== kind),
    { kind, outcome: input.outcome },
  ];
  const stops = input.outcome === "FAILED";
  const { complete } = evaluateChecklist(script, steps);
  return {
    ok: true,
    status: complete && !stops ? "VERIFIED" : "OPEN",
    complete: complete && !stops,
    stops,
  };
}

/** Whether a one-time link for a step may be sent now (it completes through decideRecordStep). */
export function decideSendStepLink(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  kind: StepKind;
}): Allowed {
  if (!isLinked(input.kind))
    return refuse("INVALID_INPUT", "That step is recorded by the agent, not through a link.");
  const check = decideRecordStep({ ...input, outcome: "PASSED", by: "responder" });
  return check.ok ? { ok: true } : check;
}

/** Raising a red flag is always possible on an open case; its effect is the policy's. */
export function decideRaiseRedFlag(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  kind: RedFlagKind;
}) {
  const move = nextStatus(input.facts.status, "RAISE_RED_FLAG");
  if (!move.ok) return refuse("SEQUENCE", `A red flag cannot be raised: ${move.reason}.`);
  return { ok: true as const, effect: input.policy.redFlags[input.kind].effect };
}

/** Closing is possible from any state but CLOSED. */
export function decideClose(input: {
  facts: CaseFacts;
}): { ok: true; status: CaseStatus } | Refusal {
  const move = nextStatus(input.facts.status, "CLOSE");
  return move.ok ? move : refuse("SEQUENCE", `The case cannot be closed: ${move.reason}.`);
}

/**
 * A supervisor reopens a failed or incomplete step, for a misclick or an explicit retry. Never the
 * person who recorded it or anyone else who worked the case: a correction is a second opinion.
 */
export function decideCorrectStep(input: {
  facts: CaseFacts;
  kind: StepKind;
  corrector: { id: string; role: "AGENT" | "SUPERVISOR" | "SECURITY" };
  workedByIds: readonly string[];
}): Allowed {
  if (input.corrector.role !== "SUPERVISOR")
    return refuse("FORBIDDEN", "Only a supervisor can correct a recorded step.");
  if (input.workedByIds.includes(input.corrector.id))
    return refuse("FORBIDDEN", "You worked this case: another supervisor must correct its steps.");
  if (
    !isOpenCase(input.facts.status) ||
    (input.facts.status !== "OPEN" && input.facts.status !== "VERIFIED")
  ) {
    return refuse("SEQUENCE", "Steps can be corrected only while the case is being verified.");
  }
  if (input.facts.leaver)
    return refuse("LEAVER", "This person has left or is suspended: they cannot be recovered.");
  const current = input.facts.steps.find((step) => step.kind === input.kind);
  if (!current || (current.outcome !== "FAILED" && current.outcome !== "UNABLE")) {
    return refuse("SEQUENCE", "Only a failed or incomplete step can be reopened.");
  }
  return { ok: true };
}

export type TapRequest = { lifetimeMinutes: number; multiUse: boolean };

/** Whether a pass may be issued on this case at all (before its parameters are looked at). */
export function canIssueTap(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  hasVerifiedAddress: boolean;
}): Allowed {
  const { policy, facts } = input;
  if (facts.leaver)
    return refuse("LEAVER", "This person has left or is suspended: they cannot be recovered.");
  const evaluation = evaluateChecklist(
    scriptFor(policy, facts.riskTier, facts.reason),
    facts.steps,
  );
  const stop = stopReason(policy, facts);
  if (stop) return stop;
  if (!evaluation.complete) {
    return refuse(
      "VERIFICATION_INCOMPLETE",
      `Verification is not complete. Still needed: ${evaluation.missing.map(describeMissing).join("; ")}.`,
    );
  }
  const move = nextStatus(facts.status, "ISSUE_TAP");
  if (!move.ok) return refuse("SEQUENCE", `A pass cannot be issued: ${move.reason}.`);
  const need = approvalNeed(policy, facts);
  if (need) {
    return refuse(
      "APPROVAL_REQUIRED",
      `A second person must approve this recovery (${need}), so no pass can be issued. Request a re-enrolment: the link goes out once another supervisor approves.`,
    );
  }
  if (!input.hasVerifiedAddress)
    return refuse("CONFLICT", "This person has no verified address to send the pass to.");
  return { ok: true };
}

/** Whether a temporary access pass may be issued now, and with which parameters. */
export function decideTapIssuance(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  request: TapRequest;
  hasVerifiedAddress: boolean;
}):
  | {
      ok: true;
      status: CaseStatus;
      lifetimeMinutes: number;
      oneTime: boolean;
      maxFailedAttempts: number;
    }
  | Refusal {
  const { policy, facts, request } = input;
  const gate = canIssueTap(input);
  if (!gate.ok) return gate;
  const limits = tapLimitsFor(policy, facts.riskTier);
  if (
    !Number.isInteger(request.lifetimeMinutes) ||
    request.lifetimeMinutes < limits.minMinutes ||
    request.lifetimeMinutes > limits.maxMinutes
  ) {
    return refuse(
      "INVALID_INPUT",
      `For this tier a pass lasts between ${limits.minMinutes} and ${limits.maxMinutes} minutes.`,
    );
  }
  if (request.multiUse && !limits.multiUseAllowed)
    return refuse("INVALID_INPUT", "Only standard-tier users may get a multi-use pass.");
  const move = nextStatus(facts.status, "ISSUE_TAP");
  if (!move.ok) return refuse("SEQUENCE", `A pass cannot be issued: ${move.reason}.`);
  return {
    ok: true,
    status: move.status,
    lifetimeMinutes: request.lifetimeMinutes,
    oneTime: !request.multiUse,
    maxFailedAttempts: limits.maxFailedAttempts,
  };
}

/** Whether a re-enrolment may be requested now (at once, or for a supervisor to approve). */
export function decideReenrolmentRequest(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  revokePasskeyIds: readonly string[];
  activePasskeyIds: readonly string[];
  hasVerifiedAddress: boolean;
}): Allowed {
  const { facts } = input;
  const stop = stopReason(input.policy, facts);
  if (stop) return stop;
  if (facts.status !== "VERIFIED") {
    return refuse(
      "SEQUENCE",
      "A re-enrolment can be requested once verification is complete, and only once per case.",
    );
  }
  const unknown = input.revokePasskeyIds.filter((id) => !input.activePasskeyIds.includes(id));
  if (unknown.length > 0)
    return refuse(
      "INVALID_INPUT",
      "Only this person's active passkeys can be chosen for revocation.",
    );
  if (!input.hasVerifiedAddress)
    return refuse("CONFLICT", "This person has no verified address to send the link to.");
  return { ok: true };
}

/**
 * A new passkey is about to be written through a pass or an enrolment link of this case: the
 * last re-check, under the user's and the case's locks. `approved` says the grant carries a
 * supervisor's approval of this case (an enrolment link sent by an approval).
 */
export function decideRegistration(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  approved: boolean;
}): Allowed {
  const { policy, facts } = input;
  if (!isOpenCase(facts.status))
    return refuse(
      "SEQUENCE",
      `The case is ${facts.status.toLowerCase()}: nothing it issued can be used any more.`,
    );
  // One recovery, one new passkey: a case that already set one up (through its pass or its link)
  // lets nothing else it issued set up another.
  if (facts.status === "REENROLLED")
    return refuse("SEQUENCE", "This recovery already set up a new passkey.");
  const stop = stopReason(policy, facts);
  if (stop) return stop;
  if (!evaluateChecklist(scriptFor(policy, facts.riskTier, facts.reason), facts.steps).complete) {
    return refuse("VERIFICATION_INCOMPLETE", "The case's verification is not complete.");
  }
  const need = approvalNeed(policy, facts);
  if (need && !input.approved)
    return refuse("APPROVAL_REQUIRED", `This recovery needs a supervisor's approval (${need}).`);
  return { ok: true };
}

export type AvailableActions = {
  checklist: ChecklistEvaluation;
  /** Why the case is stopped, if it is: shown once at the top, and the reason for most refusals below. */
  stopped: Refusal | null;
  approvalNeed: string | null;
  recordStep: Record<AgentRecordedStep, Allowed>;
  sendStepLink: Record<LinkedStep, Allowed>;
  issueTap: Allowed;
  requestReenrolment: Allowed;
  raiseRedFlag: Allowed;
  close: Allowed;
};

/**
 * What the agent may do next on this case, each with the server's reason when not: the page
 * renders exactly this, and the use cases enforce the same functions under their locks.
 */
export function availableActions(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  hasVerifiedAddress: boolean;
  activePasskeyIds: readonly string[];
}): AvailableActions {
  const { policy, facts } = input;
  const allowed = (result: { ok: true } | Refusal): Allowed => (result.ok ? { ok: true } : result);
  return {
    checklist: evaluateChecklist(scriptFor(policy, facts.riskTier, facts.reason), facts.steps),
    stopped: stopReason(policy, facts),
    approvalNeed: approvalNeed(policy, facts),
    recordStep: Object.fromEntries(
      AGENT_RECORDED_STEPS.map((kind) => [
        kind,
        allowed(decideRecordStep({ policy, facts, kind, outcome: "PASSED", by: "agent" })),
      ]),
    ) as Record<AgentRecordedStep, Allowed>,
    sendStepLink: Object.fromEntries(
      LINKED_STEPS.map((kind) => [kind, decideSendStepLink({ policy, facts, kind })]),
    ) as Record<LinkedStep, Allowed>,
    issueTap: canIssueTap({ policy, facts, hasVerifiedAddress: input.hasVerifiedAddress }),
    requestReenrolment: decideReenrolmentRequest({
      policy,
      facts,
      revokePasskeyIds: [],
      activePasskeyIds: input.activePasskeyIds,
      hasVerifiedAddress: input.hasVerifiedAddress,
    }),
    raiseRedFlag: allowed(decideRaiseRedFlag({ policy, facts, kind: "OTHER" })),
    close: allowed(decideClose({ facts })),
  };
}

/**
 * The tier a case is judged under when the person's tier changed after it opened (an identity
 * provider moved them): the tier they have now, unless that would drop a second person the tier
 * the case opened under needed. A raise mid-case is never a way round four-eyes, and a lowering
 * does not loosen a case that already needed a supervisor.
 */
export function tierForCase(policy: RecoveryPolicy, opened: RiskTier, now: RiskTier): RiskTier {
  const needsSecond = (tier: RiskTier) => policy.approval.tiers.includes(tier);
  return needsSecond(opened) && !needsSecond(now) ? opened : now;
}

/** Whether a change of tier makes a second person necessary where none was (passes issued without one must go). */
export function tierRaiseNeedsSecondPerson(
  policy: RecoveryPolicy,
  before: RiskTier,
  after: RiskTier,
): boolean {
  return !policy.approval.tiers.includes(before) && policy.approval.tiers.includes(after);
}
