/**
 * A practice call as a pure fold (docs/decisions/030). A practice run is not a recovery case: its
 * state is its moves replayed over the scenario it was started with, and every move is judged by
 * the very decisions a real case uses (lib/domain/recovery-decisions.ts), so practice refuses
 * exactly what the real screens refuse, with the same words. What a real case would send or
 * change (a pass, a link, a manager's request) is only simulated here: the scenario says how the
 * caller, the manager or the user answers.
 */
import { z } from "zod";
import type { RecordedStep } from "../checklist";
import { nextStatus, type CaseStatus } from "../case-state";
import { maskAddress } from "../notifications";
import {
  approvalNeed,
  decideClose,
  decideRaiseRedFlag,
  decideRecordStep,
  decideReenrolmentRequest,
  decideSendStepLink,
  decideTapIssuance,
  type CaseFacts,
  type Refusal,
} from "../recovery-decisions";
import {
  RED_FLAG_KINDS,
  scriptFor,
  type RecoveryPolicy,
  type RedFlagKind,
} from "../recovery-policy";
import {
  AGENT_RECORDED_STEPS,
  isAgentRecorded,
  LINKED_STEPS,
  type LinkedStep,
  type StepKind,
} from "../step-kinds";
import { isLeaver } from "../workforce";
import type { AnswerOutcome, Scenario } from "./scenario";

/** The passkeys of a scenario's person get fixed, fictional IDs (index-based), so forms can name them. */
export function practicePasskeyId(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

const Note = z.string().max(500).default("");

/** Every move a player can make, as stored in PracticeMove.move. */
export const PracticeMoveSchema = z.discriminatedUnion("type", [
  /** Ask the caller to do an agent-recorded step (or try it): reveals what happens. */
  z.strictObject({ type: z.literal("ask"), step: z.enum(AGENT_RECORDED_STEPS) }),
  z.strictObject({
    type: z.literal("record"),
    step: z.enum(AGENT_RECORDED_STEPS),
    outcome: z.enum(["PASSED", "FAILED", "UNABLE"]),
    note: Note,
  }),
  z.strictObject({ type: z.literal("send_link"), step: z.enum(LINKED_STEPS) }),
  z.strictObject({ type: z.literal("raise_flag"), flag: z.enum(RED_FLAG_KINDS), note: Note }),
  z.strictObject({
    type: z.literal("issue_pass"),
    lifetimeMinutes: z.number().int(),
    multiUse: z.boolean(),
  }),
  z.strictObject({
    type: z.literal("request_reenrolment"),
    revokePasskeyIds: z.array(z.string().max(40)).max(20),
  }),
  z.strictObject({ type: z.literal("close"), reason: z.string().max(200) }),
]);
export type PracticeMove = z.infer<typeof PracticeMoveSchema>;

export type Cue = { flag: RedFlagKind; line: string };

export type MoveResult =
  | {
      ok: true;
      /** What the agent sees or hears: the caller's, the manager's or the system's words. */
      said: string[];
      /** Red-flag lines the caller spoke with this move (the scenario's cues). */
      cues: Cue[];
    }
  | { ok: false; code: Refusal["code"]; message: string };

export type PracticeState = {
  status: CaseStatus;
  steps: RecordedStep[];
  notes: Partial<Record<StepKind, string>>;
  redFlags: { kind: RedFlagKind; note: string }[];
  /** Agent-recorded steps the player asked or tried (their `happens` shown). */
  asked: StepKind[];
  /** Linked steps whose link was sent, and how the simulated person answered. */
  links: Partial<Record<LinkedStep, { outcome: AnswerOutcome; happens: string }>>;
  passes: { lifetimeMinutes: number; oneTime: boolean }[];
  reenrolment: { revokePasskeyIds: string[]; approvalReason: string | null } | null;
  closeReason: string | null;
  /** The cues the caller has spoken so far (indexes into scenario.cues). */
  heardCues: number[];
};

export function initialState(scenario: Scenario): PracticeState {
  return {
    status: "OPEN",
    steps: [],
    notes: {},
    redFlags: [],
    asked: [],
    links: {},
    passes: [],
    reenrolment: null,
    closeReason: null,
    heardCues: scenario.cues.flatMap((cue, index) => (cue.at === "opening" ? [index] : [])),
  };
}

/** The facts the real decisions read, for a practice run (repeat call 1, never on hold). */
export function practiceFacts(scenario: Scenario, state: PracticeState): CaseFacts {
  return {
    status: state.status,
    riskTier: scenario.person.riskTier,
    reason: scenario.reason,
    leaver: isLeaver({ status: scenario.person.status, leavingOn: null }, new Date(0)),
    steps: state.steps,
    redFlags: state.redFlags.map((flag) => ({ kind: flag.kind })),
    repeatCall: 1,
    onHold: false,
  };
}

export function hasVerifiedAddress(scenario: Scenario): boolean {
  return scenario.person.emails.some((email) => email.verified);
}

export function activePasskeyIds(scenario: Scenario): string[] {
  return scenario.person.passkeys.map((_, index) => practicePasskeyId(index));
}

function verifiedAddress(scenario: Scenario): string | null {
  const email =
    scenario.person.emails.find((e) => e.verified && e.kind === "work") ??
    scenario.person.emails.find((e) => e.verified);
  return email ? email.address : null;
}

const refused = (refusal: Refusal): MoveResult => ({
  ok: false,
  code: refusal.code,
  message: refusal.message,
});
const allowed = (said: string[], cues: Cue[] = []): MoveResult => ({
  ok: true,
  said,
  cues,
});

function stepTitle(policy: RecoveryPolicy, scenario: Scenario, kind: StepKind): string {
  return (
    scriptFor(policy, scenario.person.riskTier, scenario.reason).steps.find((s) => s.kind === kind)
      ?.title ?? kind
  );
}

/** The cues the caller speaks during a step. */
function cuesAt(scenario: Scenario, step: StepKind): { cueIndexes: number[]; cues: Cue[] } {
  const cueIndexes: number[] = [];
  const cues: Cue[] = [];
  scenario.cues.forEach((cue, index) => {
    if (cue.at !== step) return;
    cueIndexes.push(index);
    cues.push({ flag: cue.flag, line: cue.line });
  });
  return { cueIndexes, cues };
}

function withStep(state: PracticeState, step: RecordedStep): RecordedStep[] {
  return [...state.steps.filter((s) => s.kind !== step.kind), step];
}

/**
 * One move on a practice run: the result the player sees, and the state after it (unchanged when
 * refused). Pure: the same scenario, policy, state and move always give the same answer.
 */
export function applyMove(input: {
  scenario: Scenario;
  policy: RecoveryPolicy;
  state: PracticeState;
  move: PracticeMove;
}): { result: MoveResult; state: PracticeState } {
  const { scenario, policy, state, move } = input;
  const facts = practiceFacts(scenario, state);
  const same = (result: MoveResult) => ({ result, state });
  switch (move.type) {
    case "ask": {
      const script = scriptFor(policy, scenario.person.riskTier, scenario.reason);
      if (!script.steps.some((step) => step.kind === move.step))
        return same(
          refused({
            ok: false,
            code: "INVALID_INPUT",
            message: "That step is not part of this case's script.",
          }),
        );
      const open = nextStatus(state.status, "RECORD_STEP");
      if (!open.ok)
        return same(
          refused({
            ok: false,
            code: "SEQUENCE",
            message: `Steps can no longer be taken: ${open.reason}.`,
          }),
        );
      const { cueIndexes, cues } = cuesAt(scenario, move.step);
      return {
        result: allowed([scenario.answers[move.step].happens], cues),
        state: {
          ...state,
          asked: state.asked.includes(move.step) ? state.asked : [...state.asked, move.step],
          heardCues: [...new Set([...state.heardCues, ...cueIndexes])],
        },
      };
    }
    case "record": {
      const decision = decideRecordStep({
        policy,
        facts,
        kind: move.step,
        outcome: move.outcome,
        by: "agent",
      });
      if (!decision.ok) return same(refused(decision));
      const title = stepTitle(policy, scenario, move.step);
      const said = [
        decision.stops
          ? `“${title}” failed: the case is stopped.`
          : decision.complete
            ? `“${title}” recorded. Verification is complete.`
            : `“${title}” recorded.`,
      ];
      return {
        result: allowed(said),
        state: {
          ...state,
          status: decision.status,
          steps: withStep(state, { kind: move.step, outcome: move.outcome }),
          notes: { ...state.notes, [move.step]: move.note },
        },
      };
    }
    case "send_link": {
      const decision = decideSendStepLink({ policy, facts, kind: move.step });
      if (!decision.ok) return same(refused(decision));
      const answer = scenario.answers[move.step];
      const sent = `A one-time link was sent (${move.step === "MANAGER_CONFIRMATION" ? "to the manager of record" : "to the person's address of record"}).`;
      const { cueIndexes, cues } = cuesAt(scenario, move.step);
      const links = { ...state.links, [move.step]: answer };
      const heardCues = [...new Set([...state.heardCues, ...cueIndexes])];
      if (answer.outcome === "PASSED" || answer.outcome === "FAILED") {
        const answered = decideRecordStep({
          policy,
          facts: { ...facts, steps: withStep(state, { kind: move.step, outcome: "PENDING" }) },
          kind: move.step,
          outcome: answer.outcome,
          by: "responder",
        });
        if (!answered.ok) return same(refused(answered));
        return {
          result: allowed([sent, answer.happens], cues),
          state: {
            ...state,
            status: answered.stops ? state.status : answered.status,
            steps: withStep(state, { kind: move.step, outcome: answer.outcome }),
            links,
            heardCues,
          },
        };
      }
      // No answer (or the person cannot): the step waits, as a real link would.
      return {
        result: allowed([sent, answer.happens], cues),
        state: {
          ...state,
          steps: withStep(state, { kind: move.step, outcome: "PENDING" }),
          links,
          heardCues,
        },
      };
    }
    case "raise_flag": {
      const decision = decideRaiseRedFlag({ policy, facts, kind: move.flag });
      if (!decision.ok) return same(refused(decision));
      const rule = policy.redFlags[move.flag];
      return {
        result: allowed([
          `Red flag raised: ${rule.label}. ${rule.effect === "stop" ? "The case is stopped." : "A supervisor must now approve any recovery."} ${rule.guidance}`,
        ]),
        state: { ...state, redFlags: [...state.redFlags, { kind: move.flag, note: move.note }] },
      };
    }
    case "issue_pass": {
      const decision = decideTapIssuance({
        policy,
        facts,
        request: { lifetimeMinutes: move.lifetimeMinutes, multiUse: move.multiUse },
        hasVerifiedAddress: hasVerifiedAddress(scenario),
      });
      if (!decision.ok) return same(refused(decision));
      const to = verifiedAddress(scenario);
      return {
        result: allowed([
          `A ${decision.lifetimeMinutes}-minute pass was issued${to ? ` and sent to ${maskAddress(to)}` : ""}. (Practice: nothing was sent.)`,
        ]),
        state: {
          ...state,
          status: decision.status,
          passes: [
            ...state.passes,
            { lifetimeMinutes: decision.lifetimeMinutes, oneTime: decision.oneTime },
          ],
        },
      };
    }
    case "request_reenrolment": {
      if (state.reenrolment)
        return same(
          refused({
            ok: false,
            code: "SEQUENCE",
            message:
              "A re-enrolment can be requested once verification is complete, and only once per case.",
          }),
        );
      const decision = decideReenrolmentRequest({
        policy,
        facts,
        revokePasskeyIds: move.revokePasskeyIds,
        activePasskeyIds: activePasskeyIds(scenario),
        hasVerifiedAddress: hasVerifiedAddress(scenario),
      });
      if (!decision.ok) return same(refused(decision));
      const need = approvalNeed(policy, facts);
      const reenrolment = { revokePasskeyIds: [...move.revokePasskeyIds], approvalReason: need };
      if (need) {
        const next = nextStatus(state.status, "REQUEST_APPROVAL");
        if (!next.ok)
          return same(
            refused({
              ok: false,
              code: "SEQUENCE",
              message: `A re-enrolment cannot be requested: ${next.reason}.`,
            }),
          );
        return {
          result: allowed([
            `A second person must approve this recovery (${need}): a supervisor now decides. (Practice: no supervisor is asked.)`,
          ]),
          state: { ...state, status: next.status, reenrolment },
        };
      }
      const to = verifiedAddress(scenario);
      return {
        result: allowed([
          `An enrolment link was sent${to ? ` to ${maskAddress(to)}` : ""}. (Practice: nothing was sent.)`,
        ]),
        state: { ...state, reenrolment },
      };
    }
    case "close": {
      const decision = decideClose({ facts });
      if (!decision.ok) return same(refused(decision));
      return {
        result: allowed(["The case is closed."]),
        state: { ...state, status: decision.status, closeReason: move.reason },
      };
    }
  }
}

/** A run's state: its moves folded over the scenario. */
export function replay(
  scenario: Scenario,
  policy: RecoveryPolicy,
  moves: readonly PracticeMove[],
): PracticeState {
  return moves.reduce(
    (state, move) => applyMove({ scenario, policy, state, move }).state,
    initialState(scenario),
  );
}

/** Steps the player may ask or try: the script's agent-recorded steps. */
export function askableSteps(policy: RecoveryPolicy, scenario: Scenario): StepKind[] {
  return scriptFor(policy, scenario.person.riskTier, scenario.reason)
    .steps.map((step) => step.kind)
    .filter(isAgentRecorded);
}
