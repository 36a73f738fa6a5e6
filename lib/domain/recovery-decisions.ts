/**
 * The decisions a recovery case asks for, as pure functions of the stored facts. The use cases
 * in lib/server load the facts, ask here, and refuse with the returned code and message.
 */
import { evaluateChecklist, describeMissing, type RecordedStep, type StepOutcome } from "./checklist";
import { nextStatus, type CaseStatus } from "./case-state";
import type { DomainErrorCode } from "./errors";
import { AGENT_RECORDED_STEPS, scriptFor, tapLimitsFor, type CaseReason, type RecoveryPolicy, type RedFlagKind, type StepKind } from "./recovery-policy";
import type { RiskTier } from "./workforce";

export type Refusal = { ok: false; code: DomainErrorCode; message: string };
const refuse = (code: DomainErrorCode, message: string): Refusal => ({ ok: false, code, message });

export type CaseFacts = {
  status: CaseStatus;
  riskTier: RiskTier;
  reason: CaseReason;
  /** The user is a leaver now (status LEFT or leaving date passed). */
  leaver: boolean;
  steps: readonly RecordedStep[];
  redFlags: readonly { kind: RedFlagKind }[];
};

/** Whether a new case may be opened for this user, given the cases already opened in the window. */
export function decideOpenCase(input: {
  policy: RecoveryPolicy;
  leaver: boolean;
  casesInWindow: number;
}): { ok: true; repeatCall: number; needsApproval: boolean } | Refusal {
  if (input.leaver) return refuse("LEAVER", "This person has left: they cannot be recovered. Revoke their passkeys instead.");
  const nth = input.casesInWindow + 1;
  const { approvalFrom, blockFrom, windowHours } = input.policy.repeatCalls;
  if (nth >= blockFrom) {
    return refuse("THROTTLED", `This is recovery call ${nth} for this person in ${windowHours} hours: blocked, and security has been alerted.`);
  }
  return { ok: true, repeatCall: nth, needsApproval: nth >= approvalFrom };
}

function stopFlag(policy: RecoveryPolicy, facts: CaseFacts) {
  return facts.redFlags.find((flag) => policy.redFlags[flag.kind]?.effect === "stop");
}

/** An agent records the outcome of a step they performed (callback, ID on video, record details). */
export function decideRecordStep(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  kind: StepKind;
  outcome: Exclude<StepOutcome, "PENDING">;
  by: "agent" | "responder";
}): { ok: true; status: CaseStatus; complete: boolean } | Refusal {
  const { policy, facts, kind } = input;
  const move = nextStatus(facts.status, "RECORD_STEP");
  if (!move.ok) return refuse("SEQUENCE", `Steps can no longer be recorded: ${move.reason}.`);
  const stop = stopFlag(policy, facts);
  if (stop) return refuse("RED_FLAG", `The case was stopped by a red flag (${policy.redFlags[stop.kind].label}).`);
  const script = scriptFor(policy, facts.riskTier, facts.reason);
  if (!script.steps.some((step) => step.kind === kind)) return refuse("INVALID_INPUT", "That step is not part of this case's script.");
  if (input.by === "agent" && !AGENT_RECORDED_STEPS.includes(kind)) {
    return refuse("FORBIDDEN", "This step completes only from the person who answers it, not from the agent.");
  }
  const current = facts.steps.find((step) => step.kind === kind);
  if (current && current.outcome !== "PENDING") return refuse("SEQUENCE", "That step was already recorded; outcomes are final.");
  const steps = [...facts.steps.filter((step) => step.kind !== kind), { kind, outcome: input.outcome }];
  const { complete } = evaluateChecklist(script, steps);
  return { ok: true, status: complete ? "VERIFIED" : "OPEN", complete };
}

/** Steps completed by someone else through a one-time link. */
export const LINKED_STEPS: readonly StepKind[] = ["MANAGER_CONFIRMATION", "PASSKEY_PROOF"];

/** Whether a one-time link for a step may be sent now (it completes through decideRecordStep). */
export function decideSendStepLink(input: { policy: RecoveryPolicy; facts: CaseFacts; kind: StepKind }): { ok: true } | Refusal {
  if (!LINKED_STEPS.includes(input.kind)) return refuse("INVALID_INPUT", "That step is recorded by the agent, not through a link.");
  const check = decideRecordStep({ ...input, outcome: "PASSED", by: "responder" });
  return check.ok ? { ok: true } : check;
}

/** Raising a red flag is always possible on an open case; its effect is the policy's. */
export function decideRaiseRedFlag(input: { policy: RecoveryPolicy; facts: CaseFacts; kind: RedFlagKind }) {
  const move = nextStatus(input.facts.status, "RAISE_RED_FLAG");
  if (!move.ok) return refuse("SEQUENCE", `A red flag cannot be raised: ${move.reason}.`);
  return { ok: true as const, effect: input.policy.redFlags[input.kind].effect };
}

export type TapRequest = { lifetimeMinutes: number; multiUse: boolean };

/** Whether a temporary access pass may be issued now, and with which parameters. */
export function decideTapIssuance(input: {
  policy: RecoveryPolicy;
  facts: CaseFacts;
  request: TapRequest;
  hasVerifiedAddress: boolean;
}): { ok: true; status: CaseStatus; lifetimeMinutes: number; oneTime: boolean; maxFailedAttempts: number } | Refusal {
  const { policy, facts, request } = input;
  if (facts.leaver) return refuse("LEAVER", "This person has left: they cannot be recovered.");
  const move = nextStatus(facts.status, "ISSUE_TAP");
  const evaluation = evaluateChecklist(scriptFor(policy, facts.riskTier, facts.reason), facts.steps);
  if (!evaluation.complete) {
    return refuse("VERIFICATION_INCOMPLETE", `Verification is not complete. Still needed: ${evaluation.missing.map(describeMissing).join("; ")}.`);
  }
  if (!move.ok) return refuse("SEQUENCE", `A pass cannot be issued: ${move.reason}.`);
  const flag = facts.redFlags[0];
  if (flag) {
    const rule = policy.redFlags[flag.kind];
    return refuse(
      "RED_FLAG",
      rule.effect === "stop"
        ? `The case was stopped by a red flag (${rule.label}).`
        : `A red flag (${rule.label}) needs a supervisor's decision first.`,
    );
  }
  const limits = tapLimitsFor(policy, facts.riskTier);
  if (!Number.isInteger(request.lifetimeMinutes) || request.lifetimeMinutes < limits.minMinutes || request.lifetimeMinutes > limits.maxMinutes) {
    return refuse("INVALID_INPUT", `For this tier a pass lasts between ${limits.minMinutes} and ${limits.maxMinutes} minutes.`);
  }
  if (request.multiUse && !limits.multiUseAllowed) return refuse("INVALID_INPUT", "Only standard-tier users may get a multi-use pass.");
  if (!input.hasVerifiedAddress) return refuse("CONFLICT", "This person has no verified address to send the pass to.");
  return {
    ok: true,
    status: move.status,
    lifetimeMinutes: request.lifetimeMinutes,
    oneTime: !request.multiUse,
    maxFailedAttempts: limits.maxFailedAttempts,
  };
}
