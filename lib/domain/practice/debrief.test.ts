import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GENUINE_PRIVILEGED, GENUINE_STANDARD } from "@/tests/practice-scenarios";
import { naivePlay, perfectPlay } from "@/tests/practice-play";
import { debrief, SCORE_WEIGHTS } from "./debrief";
import { BUILT_IN_SCENARIOS } from "./library";
import { practicePasskeyId, replay, type PracticeMove } from "./simulate";
import { ANSWER_OUTCOMES, type Scenario } from "./scenario";
import { deskRules, POLICY_V2, RED_FLAG_KINDS } from "../recovery-policy";
import { AGENT_RECORDED_STEPS, LINKED_STEPS, STEP_KINDS } from "../step-kinds";

const policy = POLICY_V2;
const passScore = deskRules(policy).certification.passScore;
const urgent = BUILT_IN_SCENARIOS.find((s) => s.key === "urgent-admin-new-number")!;
const judge = (scenario: Scenario, moves: PracticeMove[]) =>
  debrief({ scenario, policy, state: replay(scenario, policy, moves), passScore });

describe("the debrief of concrete runs", () => {
  it.each<{
    name: string;
    scenario: Scenario;
    moves: PracticeMove[];
    expected: {
      safe: boolean;
      passed: boolean;
      score: number;
      caught: string[];
      missed: string[];
      outcomeRight: boolean;
    };
  }>([
    {
      name: "the impostor stopped at once on both opening flags",
      scenario: urgent,
      moves: [
        { type: "raise_flag", flag: "PRESSURE", note: "" },
        { type: "raise_flag", flag: "NEW_CONTACT_REQUEST", note: "" },
        { type: "close", reason: "Stopped." },
      ],
      // outcome 40 + steps 30 (none recorded) + flags 2/3 of 30
      expected: {
        safe: true,
        passed: true,
        score: 90,
        caught: ["PRESSURE", "NEW_CONTACT_REQUEST"],
        missed: ["REFUSED_CALLBACK"],
        outcomeRight: true,
      },
    },
    {
      name: "the impostor whose callback the agent recorded as passed (taken in)",
      scenario: urgent,
      moves: [
        { type: "ask", step: "CALLBACK" },
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
        { type: "record", step: "EMPLOYEE_RECORD", outcome: "PASSED", note: "" },
        { type: "send_link", step: "MANAGER_CONFIRMATION" },
      ],
      // outcome 40 (nothing issued) + steps 1/2 of 30 + flags 0
      expected: {
        safe: false,
        passed: false,
        score: 55,
        caught: [],
        missed: ["PRESSURE", "NEW_CONTACT_REQUEST", "REFUSED_CALLBACK"],
        outcomeRight: true,
      },
    },
    {
      name: "the genuine standard caller recovered with a pass",
      scenario: GENUINE_STANDARD,
      moves: perfectPlay(GENUINE_STANDARD, policy),
      expected: {
        safe: true,
        passed: true,
        score: 100,
        caught: [],
        missed: [],
        outcomeRight: true,
      },
    },
    {
      name: "the genuine caller left without help",
      scenario: GENUINE_STANDARD,
      moves: [
        { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
        { type: "close", reason: "Gave up." },
      ],
      expected: {
        safe: true,
        passed: false,
        score: 60,
        caught: [],
        missed: [],
        outcomeRight: false,
      },
    },
    {
      name: "the genuine caller flagged without cause",
      scenario: GENUINE_STANDARD,
      moves: [
        { type: "raise_flag", flag: "OTHER", note: "" },
        ...perfectPlay(GENUINE_STANDARD, policy),
      ],
      // a flag makes approval needed: the re-enrolment request still recovers; flags 30 - 15
      expected: { safe: true, passed: true, score: 85, caught: [], missed: [], outcomeRight: true },
    },
    {
      name: "the genuine privileged caller: re-enrolment waits for a supervisor",
      scenario: GENUINE_PRIVILEGED,
      moves: perfectPlay(GENUINE_PRIVILEGED, policy),
      expected: {
        safe: true,
        passed: true,
        score: 100,
        caught: ["PRESSURE"],
        missed: [],
        outcomeRight: true,
      },
    },
  ])("$name", ({ scenario, moves, expected }) => {
    const result = judge(scenario, moves);
    expect({
      safe: result.safe,
      passed: result.passed,
      score: result.score,
      caught: result.caughtFlags,
      missed: result.missedFlags,
      outcomeRight: result.outcomeRight,
    }).toEqual(expected);
  });

  it("compares each recorded step with how it really went", () => {
    const result = judge(urgent, [
      { type: "record", step: "CALLBACK", outcome: "PASSED", note: "" },
      { type: "record", step: "ID_DOCUMENT", outcome: "UNABLE", note: "" },
    ]);
    expect(result.steps.find((s) => s.step === "CALLBACK")).toMatchObject({
      yours: "PASSED",
      truth: "FAILED",
      right: false,
    });
    expect(result.steps.find((s) => s.step === "ID_DOCUMENT")).toMatchObject({
      yours: "UNABLE",
      right: true,
    });
    expect(result.takenIn).toBe(true);
    expect(result.unsafeBecause.join(" ")).toMatch(/Call back on the phone of record/);
  });

  it("an agent-recorded step nobody answers counts as “could not complete”", () => {
    const scenario: Scenario = {
      ...GENUINE_STANDARD,
      answers: {
        ...GENUINE_STANDARD.answers,
        ID_DOCUMENT: { happens: "Nobody joins the video call.", outcome: "NO_ANSWER" },
      },
    };
    const result = judge(scenario, [
      { type: "record", step: "ID_DOCUMENT", outcome: "UNABLE", note: "" },
    ]);
    expect(result.steps.find((s) => s.step === "ID_DOCUMENT")?.right).toBe(true);
  });

  it("issuing a pass to an impostor is taken in, whatever else was right", () => {
    const impostor: Scenario = {
      ...GENUINE_STANDARD,
      truth: { caller: "impostor", pretexts: ["new-number"], explanation: "An attacker." },
      safe: { outcome: "stop", explanation: "Stop." },
    };
    const result = judge(impostor, perfectPlay(GENUINE_STANDARD, policy));
    expect(result).toMatchObject({ takenIn: true, safe: false, passed: false });
    expect(result.unsafeBecause).toContain("You issued a pass to an impostor.");
  });

  it.each(BUILT_IN_SCENARIOS.map((scenario) => [scenario.key, scenario] as const))(
    "raising every red flag blind, asking nothing, never passes %s (guessing is not catching)",
    (_key, scenario) => {
      const blanket: PracticeMove[] = RED_FLAG_KINDS.map((flag) => ({
        type: "raise_flag",
        flag,
        note: "",
      }));
      const result = judge(scenario, blanket);
      expect(result.passed).toBe(false);
      expect(result.needlessFlags.length).toBeGreaterThan(0);
    },
  );
});

/** A scenario varied from a base: how each step goes, which cues, genuine or impostor. */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    base: fc.constantFrom(...BUILT_IN_SCENARIOS, GENUINE_STANDARD, GENUINE_PRIVILEGED),
    outcomes: fc.tuple(...STEP_KINDS.map(() => fc.constantFrom(...ANSWER_OUTCOMES))),
    impostor: fc.boolean(),
    cueFlags: fc.uniqueArray(fc.constantFrom(...RED_FLAG_KINDS), { maxLength: 4 }),
  })
  .map(({ base, outcomes, impostor, cueFlags }) => ({
    ...base,
    answers: Object.fromEntries(
      STEP_KINDS.map((kind, i) => [kind, { happens: "It goes so.", outcome: outcomes[i]! }]),
    ) as Scenario["answers"],
    cues: cueFlags.map((flag) => ({ flag, at: "opening" as const, line: "A line." })),
    truth: impostor
      ? {
          caller: "impostor" as const,
          pretexts: ["new-number" as const],
          explanation: "An attacker.",
        }
      : { caller: "genuine" as const, pretexts: [], explanation: "The employee." },
    safe: { outcome: impostor ? ("stop" as const) : base.safe.outcome, explanation: "So." },
  }));

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
    lifetimeMinutes: fc.constantFrom(10, 30, 60, 480),
    multiUse: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("request_reenrolment" as const),
    revokePasskeyIds: fc.array(fc.constantFrom(practicePasskeyId(0), practicePasskeyId(1)), {
      maxLength: 2,
    }),
  }),
  fc.record({ type: fc.constant("close" as const), reason: fc.constant("Done.") }),
);

/** Runs: random moves, sometimes after the naive play (so that things do get issued). */
const runArb = fc
  .record({
    scenario: scenarioArb,
    naive: fc.boolean(),
    moves: fc.array(moveArb, { maxLength: 12 }),
  })
  .map(({ scenario, naive, moves }) => ({
    scenario,
    moves: [...(naive ? naivePlay(scenario, policy) : []), ...moves],
  }));

describe("the debrief's properties", () => {
  it("the score is always a whole number within 0..100, and its parts add up", () => {
    fc.assert(
      fc.property(runArb, ({ scenario, moves }) => {
        const result = judge(scenario, moves);
        expect(Number.isInteger(result.score)).toBe(true);
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(100);
        const { outcome, steps, flags } = result.scoreParts;
        expect(outcome + steps + flags).toBe(result.score);
        expect(outcome).toBeLessThanOrEqual(SCORE_WEIGHTS.outcome);
      }),
      { numRuns: 400 },
    );
  });

  it("issuing anything to an impostor is never safe, and never passes", () => {
    fc.assert(
      fc.property(runArb, ({ scenario, moves }) => {
        const state = replay(scenario, policy, moves);
        const result = debrief({ scenario, policy, state, passScore });
        if (scenario.truth.caller === "impostor" && (state.passes.length > 0 || state.reenrolment))
          expect(result).toMatchObject({ safe: false, passed: false, takenIn: true });
      }),
      { numRuns: 400 },
    );
  });

  it("passed means safe and at least the pass mark", () => {
    fc.assert(
      fc.property(runArb, ({ scenario, moves }) => {
        const result = judge(scenario, moves);
        expect(result.passed).toBe(result.safe && result.score >= passScore);
      }),
      { numRuns: 300 },
    );
  });

  it("caught and missed flags split the planted kinds", () => {
    fc.assert(
      fc.property(runArb, ({ scenario, moves }) => {
        const result = judge(scenario, moves);
        const planted = [...new Set(scenario.cues.map((c) => c.flag))];
        expect([...result.caughtFlags, ...result.missedFlags].sort()).toEqual(planted.sort());
      }),
      { numRuns: 300 },
    );
  });

  it("raising more of the planted flags never lowers the score", () => {
    fc.assert(
      fc.property(runArb, fc.nat(), ({ scenario, moves }, pick) => {
        fc.pre(scenario.cues.length > 0);
        const flag = scenario.cues[pick % scenario.cues.length]!.flag;
        const before = judge(scenario, moves).score;
        const after = judge(scenario, [...moves, { type: "raise_flag", flag, note: "" }]).score;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it("a perfect play of every built-in scenario is safe, scores 100 and passes", () => {
    for (const scenario of [...BUILT_IN_SCENARIOS, GENUINE_STANDARD, GENUINE_PRIVILEGED]) {
      const result = judge(scenario, perfectPlay(scenario, policy));
      expect({
        key: scenario.key,
        safe: result.safe,
        passed: result.passed,
        score: result.score,
      }).toEqual({
        key: scenario.key,
        safe: true,
        passed: true,
        score: 100,
      });
    }
  });
});
