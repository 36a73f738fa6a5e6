import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GENUINE_PRIVILEGED, GENUINE_STANDARD } from "@/tests/practice-scenarios";
import { BUILT_IN_SCENARIOS } from "./library";
import {
  applyMove,
  initialState,
  practiceFacts,
  practicePasskeyId,
  PracticeMoveSchema,
  replay,
  type MoveResult,
  type PracticeMove,
  type PracticeState,
} from "./simulate";
import { availableActions, stopReason } from "../recovery-decisions";
import { POLICY_V2, RED_FLAG_KINDS } from "../recovery-policy";
import { AGENT_RECORDED_STEPS, LINKED_STEPS } from "../step-kinds";
import type { Scenario } from "./scenario";

const policy = POLICY_V2;
const urgent = BUILT_IN_SCENARIOS.find((s) => s.key === "urgent-admin-new-number")!;

function play(scenario: Scenario, moves: PracticeMove[]) {
  let state: PracticeState = initialState(scenario);
  const results: MoveResult[] = [];
  for (const move of moves) {
    const next = applyMove({ scenario, policy, state, move });
    results.push(next.result);
    state = next.state;
  }
  return { state, results };
}

describe("a practice call, move by move", () => {
  it("starts open with the opening's cues heard, facts as the policy reads them", () => {
    const state = initialState(urgent);
    expect(state.status).toBe("OPEN");
    expect(state.heardCues.map((i) => urgent.cues[i]!.flag)).toEqual([
      "PRESSURE",
      "NEW_CONTACT_REQUEST",
    ]);
    expect(practiceFacts(urgent, state)).toMatchObject({
      riskTier: "PRIVILEGED",
      reason: "LOST_DEVICE",
      leaver: false,
      repeatCall: 1,
      onHold: false,
    });
  });

  it("asking a step reveals what happens and the cue planted at it", () => {
    const { results, state } = play(urgent, [{ type: "ask", step: "CALLBACK" }]);
    expect(results[0]).toEqual({
      ok: true,
      said: [urgent.answers.CALLBACK.happens],
      cues: [{ flag: "REFUSED_CALLBACK", line: urgent.cues[2]!.line }],
    });
    expect(state.asked).toEqual(["CALLBACK"]);
    expect(state.heardCues).toContain(2);
  });

  it.each<{ name: string; scenario: Scenario; moves: PracticeMove[]; last: Partial<MoveResult> }>([
    {
      name: "a pass before verification is refused as on a real case",
      scenario: urgent,
      moves: [{ type: "issue_pass", lifetimeMinutes: 30, multiUse: false }],
      last: { ok: false, code: "VERIFICATION_INCOMPLETE" },
    },
    {
      name: "a step outside the script cannot be linked",
      scenario: urgent,
      moves: [{ type: "send_link", step: "PASSKEY_PROOF" }],
      last: { ok: false, code: "INVALID_INPUT" },
    },
    {
      name: "the manager's denial stops the case: a later record is refused",
      scenario: urgent,
      moves: [
        { type: "send_link", step: "MANAGER_CONFIRMATION" },
        { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      ],
      last: { ok: false, code: "STOPPED" },
    },
    {
      name: "a stop red flag stops the case",
      scenario: urgent,
      moves: [
        { type: "raise_flag", flag: "NEW_CONTACT_REQUEST", note: "" },
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      ],
      last: { ok: false, code: "RED_FLAG" },
    },
    {
      name: "a step is recorded once",
      scenario: GENUINE_STANDARD,
      moves: [
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      ],
      last: { ok: false, code: "SEQUENCE" },
    },
    {
      name: "a pass for a privileged person needs a second person first",
      scenario: GENUINE_PRIVILEGED,
      moves: [
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
        { type: "send_link", step: "MANAGER_CONFIRMATION" },
        { type: "record", step: "ID_DOCUMENT", outcome: "PASSED", note: "" },
        { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
        { type: "issue_pass", lifetimeMinutes: 30, multiUse: false },
      ],
      last: { ok: false, code: "APPROVAL_REQUIRED" },
    },
    {
      name: "a closed case takes no more steps",
      scenario: GENUINE_STANDARD,
      moves: [
        { type: "close", reason: "Caller hung up." },
        { type: "ask", step: "CALLBACK" },
      ],
      last: { ok: false, code: "SEQUENCE" },
    },
  ])("$name", ({ scenario, moves, last }) => {
    const { results } = play(scenario, moves);
    expect(results.at(-1)).toMatchObject(last);
  });

  it("a refusal gives the very message the real decision gives", () => {
    const { results, state } = play(urgent, [
      { type: "raise_flag", flag: "REFUSED_CALLBACK", note: "" },
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
    ]);
    const real = stopReason(policy, practiceFacts(urgent, state));
    expect(results[1]).toEqual({ ok: false, code: real!.code, message: real!.message });
  });

  it("the simulated manager confirms, and a genuine standard caller gets a pass", () => {
    const { results, state } = play(GENUINE_STANDARD, [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "issue_pass", lifetimeMinutes: 60, multiUse: false },
    ]);
    expect(results[1]).toMatchObject({ ok: true });
    expect((results[1] as { said: string[] }).said).toContain(
      GENUINE_STANDARD.answers.MANAGER_CONFIRMATION.happens,
    );
    expect(state.steps).toContainEqual({ kind: "MANAGER_CONFIRMATION", outcome: "PASSED" });
    expect(results[3]).toMatchObject({ ok: true });
    expect(state.status).toBe("FACTOR_ISSUED");
    expect(state.passes).toEqual([{ lifetimeMinutes: 60, oneTime: true }]);
  });

  it("a link nobody answers leaves the step waiting, with what happened shown", () => {
    const { results, state } = play(GENUINE_STANDARD, [
      { type: "send_link", step: "PASSKEY_PROOF" },
    ]);
    expect((results[0] as { said: string[] }).said).toContain(
      GENUINE_STANDARD.answers.PASSKEY_PROOF.happens,
    );
    expect(state.steps).toEqual([{ kind: "PASSKEY_PROOF", outcome: "PENDING" }]);
  });

  it("a privileged re-enrolment waits for a supervisor; a second request is refused", () => {
    const { results, state } = play(GENUINE_PRIVILEGED, [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "record", step: "ID_DOCUMENT", outcome: "PASSED", note: "" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "request_reenrolment", revokePasskeyIds: [practicePasskeyId(0)] },
      { type: "request_reenrolment", revokePasskeyIds: [] },
    ]);
    expect(results[4]).toMatchObject({ ok: true });
    expect((results[4] as { said: string[] }).said[0]).toMatch(/a supervisor now decides/);
    expect(state.status).toBe("PENDING_APPROVAL");
    expect(state.reenrolment).toEqual({
      revokePasskeyIds: [practicePasskeyId(0)],
      approvalReason: "privileged tier",
    });
    expect(results[5]).toMatchObject({ ok: false, code: "SEQUENCE" });
  });

  it("only the person's passkeys can be chosen for replacement", () => {
    const { results } = play(GENUINE_STANDARD, [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "send_link", step: "MANAGER_CONFIRMATION" },
      { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
      { type: "request_reenrolment", revokePasskeyIds: [practicePasskeyId(7)] },
    ]);
    expect(results.at(-1)).toMatchObject({ ok: false, code: "INVALID_INPUT" });
  });
});

const moveArb: fc.Arbitrary<PracticeMove> = fc.oneof(
  fc.record({ type: fc.constant("ask" as const), step: fc.constantFrom(...AGENT_RECORDED_STEPS) }),
  fc.record({
    type: fc.constant("record" as const),
    step: fc.constantFrom(...AGENT_RECORDED_STEPS),
    outcome: fc.constantFrom("PASSED" as const, "FAILED" as const, "UNABLE" as const),
    note: fc.constant(""),
  }),
  fc.record({ type: fc.constant("send_link" as const), step: fc.constantFrom(...LINKED_STEPS) }),
  fc.record({
    type: fc.constant("raise_flag" as const),
    flag: fc.constantFrom(...RED_FLAG_KINDS),
    note: fc.constant(""),
  }),
  fc.record({
    type: fc.constant("issue_pass" as const),
    lifetimeMinutes: fc.integer({ min: 0, max: 600 }),
    multiUse: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("request_reenrolment" as const),
    revokePasskeyIds: fc.array(fc.integer({ min: 0, max: 3 }).map(practicePasskeyId), {
      maxLength: 2,
    }),
  }),
  fc.record({ type: fc.constant("close" as const), reason: fc.constant("Done.") }),
);
const scenarios = [...BUILT_IN_SCENARIOS, GENUINE_STANDARD, GENUINE_PRIVILEGED];

describe("practice follows the real decisions (properties)", () => {
  it("a move is allowed only where the case page offers it (exactly, for steps, links, flags and closing), and a refusal changes nothing", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...scenarios),
        fc.array(moveArb, { maxLength: 14 }),
        (scenario, moves) => {
          let state = initialState(scenario);
          for (const move of moves) {
            expect(PracticeMoveSchema.parse(move)).toEqual(move);
            const offered = availableActions({
              policy,
              facts: practiceFacts(scenario, state),
              hasVerifiedAddress: scenario.person.emails.some((e) => e.verified),
              activePasskeyIds: scenario.person.passkeys.map((_, i) => practicePasskeyId(i)),
            });
            const next = applyMove({ scenario, policy, state, move });
            if (move.type === "close") expect(next.result.ok).toBe(offered.close.ok);
            if (move.type === "record")
              expect(next.result.ok).toBe(offered.recordStep[move.step].ok);
            if (move.type === "request_reenrolment" && next.result.ok)
              expect(offered.requestReenrolment.ok).toBe(true);
            if (move.type === "raise_flag") expect(next.result.ok).toBe(offered.raiseRedFlag.ok);
            if (move.type === "send_link")
              expect(next.result.ok).toBe(offered.sendStepLink[move.step].ok);
            if (move.type === "issue_pass" && next.result.ok)
              expect(offered.issueTap.ok).toBe(true);
            if (!next.result.ok) expect(next.state).toBe(state);
            state = next.state;
          }
          expect(replay(scenario, policy, moves)).toEqual(state);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("nothing is ever issued once the case is stopped", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...scenarios),
        fc.array(moveArb, { maxLength: 14 }),
        (scenario, moves) => {
          let state = initialState(scenario);
          for (const move of moves) {
            const stopped = stopReason(policy, practiceFacts(scenario, state)) !== null;
            const next = applyMove({ scenario, policy, state, move });
            if (stopped && (move.type === "issue_pass" || move.type === "request_reenrolment"))
              expect(next.result.ok).toBe(false);
            state = next.state;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
