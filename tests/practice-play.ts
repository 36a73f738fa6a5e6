/**
 * Plays derived from a scenario, for the practice tests: the perfect play (every step tried and
 * recorded as it really goes, every planted red flag raised, the safe outcome reached) and the
 * naive play of an agent taken in (every step recorded as passed, nothing raised, a way in given).
 */
import type { PracticeMove } from "@/lib/domain/practice/simulate";
import type { Scenario } from "@/lib/domain/practice/scenario";
import { scriptFor, tapLimitsFor, type RecoveryPolicy } from "@/lib/domain/recovery-policy";
import { isAgentRecorded } from "@/lib/domain/step-kinds";

export function perfectPlay(scenario: Scenario, policy: RecoveryPolicy): PracticeMove[] {
  const moves: PracticeMove[] = [];
  for (const step of scriptFor(policy, scenario.person.riskTier, scenario.reason).steps) {
    if (isAgentRecorded(step.kind)) {
      const truth = scenario.answers[step.kind].outcome;
      moves.push({ type: "ask", step: step.kind });
      moves.push({
        type: "record",
        step: step.kind,
        outcome: truth === "NO_ANSWER" ? "UNABLE" : truth,
        note: "As it went.",
      });
    } else {
      moves.push({ type: "send_link", step: step.kind });
    }
  }
  for (const flag of new Set(scenario.cues.map((cue) => cue.flag)))
    moves.push({ type: "raise_flag", flag, note: "Heard on the call." });
  if (scenario.safe.outcome === "recover") {
    // A pass when the policy allows one; else (approval needed) the re-enrolment request.
    const limits = tapLimitsFor(policy, scenario.person.riskTier);
    moves.push({ type: "issue_pass", lifetimeMinutes: limits.defaultMinutes, multiUse: false });
    moves.push({ type: "request_reenrolment", revokePasskeyIds: [] });
  } else {
    moves.push({ type: "close", reason: "Stopped: not verified." });
  }
  return moves;
}

/** Every agent step recorded as passed, every link sent, a pass and a re-enrolment tried. */
export function naivePlay(scenario: Scenario, policy: RecoveryPolicy): PracticeMove[] {
  const moves: PracticeMove[] = [];
  for (const step of scriptFor(policy, scenario.person.riskTier, scenario.reason).steps) {
    if (isAgentRecorded(step.kind))
      moves.push({ type: "record", step: step.kind, outcome: "PASSED", note: "" });
    else moves.push({ type: "send_link", step: step.kind });
  }
  const limits = tapLimitsFor(policy, scenario.person.riskTier);
  moves.push({ type: "issue_pass", lifetimeMinutes: limits.defaultMinutes, multiUse: false });
  moves.push({ type: "request_reenrolment", revokePasskeyIds: [] });
  return moves;
}
