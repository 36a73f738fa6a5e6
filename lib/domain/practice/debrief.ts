/**
 * The debrief of a practice run (docs/decisions/030): each decision the player made compared with
 * the safe one, the red flags caught and missed, and a score. Pure: the same scenario and final
 * state always give the same debrief, which is written once to the run when it finishes.
 *
 * Safe: an impostor was given nothing (no pass, no re-enrolment request: that is being taken in,
 * whatever the score); no step was recorded as passed that did not pass (vouching for a check the
 * caller failed is being taken in too, even when a later check stops the case); and a genuine
 * caller was not given a way in where the safe outcome is to stop. Score, out of 100 (SCORE_WEIGHTS):
 *   - outcome 40: the safe outcome reached (nothing issued for "stop"; recovered for "recover");
 *   - steps 30: the share of agent-recorded steps recorded as they really went (all 30 when none
 *     was recorded: stopping early on a red flag is not a fault);
 *   - red flags 30: the share of the planted red-flag kinds the player raised (all 30 when none
 *     was planted), less 15 for each kind raised that the call did not show (never below 0), on
 *     an impostor too: raising every flag blind is guessing, not catching (it never passes).
 * Passed: safe, and the score at least the policy's pass mark (desk.certification.passScore).
 */
import type { StepOutcome } from "../checklist";
import { scriptFor, type RecoveryPolicy, type RedFlagKind } from "../recovery-policy";
import { isAgentRecorded, type StepKind } from "../step-kinds";
import type { PracticeState } from "./simulate";
import type { AnswerOutcome, Pretext, Scenario } from "./scenario";

export const SCORE_WEIGHTS = { outcome: 40, steps: 30, flags: 30, needlessFlag: 15 } as const;

export type YourOutcome =
  /** A pass was issued or a re-enrolment requested (sent, or waiting for a supervisor). */
  | "recovered"
  /** Nothing was issued. */
  | "nothing-issued";

export type StepComparison = {
  step: StepKind;
  title: string;
  /** "agent": recorded by the player; "link": answered by the simulated manager or user. */
  by: "agent" | "link";
  /** What the player recorded (agent steps) or how the link stands (linked steps); null: not taken. */
  yours: StepOutcome | null;
  /** How the step really went (NO_ANSWER counts as UNABLE for a step the agent records). */
  truth: AnswerOutcome;
  /** Agent steps only: recorded as it really went. Null when not recorded or not the player's to record. */
  right: boolean | null;
};

export type Debrief = {
  scenarioKey: string;
  impostor: boolean;
  pretexts: Pretext[];
  truthExplanation: string;
  safeOutcome: "recover" | "stop";
  safeExplanation: string;
  yourOutcome: YourOutcome;
  /** An impostor was given a pass or a re-enrolment, or a check they failed was recorded as passed. */
  takenIn: boolean;
  /** The safe outcome was reached. */
  outcomeRight: boolean;
  safe: boolean;
  /** Why the run was unsafe, in words (empty when safe). */
  unsafeBecause: string[];
  steps: StepComparison[];
  caughtFlags: RedFlagKind[];
  missedFlags: RedFlagKind[];
  /** Kinds raised on a genuine caller that the scenario did not plant. */
  needlessFlags: RedFlagKind[];
  /** The caller's lines that carried each planted flag. */
  cues: { flag: RedFlagKind; line: string; caught: boolean }[];
  score: number;
  scoreParts: { outcome: number; steps: number; flags: number };
  passScore: number;
  passed: boolean;
};

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/** How a step really went, as an agent would record it. */
function truthAsRecorded(outcome: AnswerOutcome): Exclude<StepOutcome, "PENDING"> {
  return outcome === "NO_ANSWER" ? "UNABLE" : outcome;
}

export function debrief(input: {
  scenario: Scenario;
  policy: RecoveryPolicy;
  state: PracticeState;
  passScore: number;
}): Debrief {
  const { scenario, policy, state } = input;
  const impostor = scenario.truth.caller === "impostor";
  const script = scriptFor(policy, scenario.person.riskTier, scenario.reason);
  const recovered = state.passes.length > 0 || state.reenrolment !== null;
  const yourOutcome: YourOutcome = recovered ? "recovered" : "nothing-issued";

  const steps: StepComparison[] = script.steps.map((step) => {
    const recorded = state.steps.find((s) => s.kind === step.kind)?.outcome ?? null;
    const truth = scenario.answers[step.kind].outcome;
    const agent = isAgentRecorded(step.kind);
    return {
      step: step.kind,
      title: step.title,
      by: agent ? "agent" : "link",
      yours: recorded,
      truth,
      right: agent && recorded !== null ? recorded === truthAsRecorded(truth) : null,
    };
  });
  const recordedSteps = steps.filter((s) => s.right !== null);
  const wronglyPassed = recordedSteps.filter((s) => s.yours === "PASSED" && !s.right);

  const planted = unique(scenario.cues.map((cue) => cue.flag));
  const raised = unique(state.redFlags.map((flag) => flag.kind));
  const caughtFlags = planted.filter((flag) => raised.includes(flag));
  const missedFlags = planted.filter((flag) => !raised.includes(flag));
  // A flag the call did not show is needless, whoever was calling: blanket flags are a guess.
  const needlessFlags = raised.filter((flag) => !planted.includes(flag));

  const unsafeBecause: string[] = [];
  if (impostor && state.passes.length > 0) unsafeBecause.push("You issued a pass to an impostor.");
  if (impostor && state.reenrolment)
    unsafeBecause.push("You requested a re-enrolment for an impostor.");
  if (!impostor && recovered && scenario.safe.outcome === "stop")
    unsafeBecause.push("You gave a way in where the safe outcome was to stop.");
  if (wronglyPassed.length > 0)
    unsafeBecause.push(
      `You recorded ${wronglyPassed.map((s) => `“${s.title}”`).join(", ")} as passed although it did not pass: a false record is what an attacker needs.`,
    );
  const safe = unsafeBecause.length === 0;
  // Taken in: an impostor got something, or the player vouched for a check the impostor failed.
  const takenIn = impostor && !safe;

  const outcomeRight = scenario.safe.outcome === "recover" ? recovered : !recovered;
  const outcomeScore = outcomeRight ? SCORE_WEIGHTS.outcome : 0;
  const stepsScore =
    recordedSteps.length === 0
      ? SCORE_WEIGHTS.steps
      : Math.round(
          (SCORE_WEIGHTS.steps * recordedSteps.filter((s) => s.right).length) /
            recordedSteps.length,
        );
  const flagsScore = Math.max(
    0,
    (planted.length === 0
      ? SCORE_WEIGHTS.flags
      : Math.round((SCORE_WEIGHTS.flags * caughtFlags.length) / planted.length)) -
      SCORE_WEIGHTS.needlessFlag * needlessFlags.length,
  );
  const score = Math.min(100, Math.max(0, outcomeScore + stepsScore + flagsScore));

  return {
    scenarioKey: scenario.key,
    impostor,
    pretexts: [...scenario.truth.pretexts],
    truthExplanation: scenario.truth.explanation,
    safeOutcome: scenario.safe.outcome,
    safeExplanation: scenario.safe.explanation,
    yourOutcome,
    takenIn,
    outcomeRight,
    safe,
    unsafeBecause,
    steps,
    caughtFlags,
    missedFlags,
    needlessFlags,
    cues: scenario.cues.map((cue) => ({
      flag: cue.flag,
      line: cue.line,
      caught: raised.includes(cue.flag),
    })),
    score,
    scoreParts: { outcome: outcomeScore, steps: stepsScore, flags: flagsScore },
    passScore: input.passScore,
    passed: safe && score >= input.passScore,
  };
}
