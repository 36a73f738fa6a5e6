import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateChecklist } from "./checklist";
import { DEFAULT_POLICY, RED_FLAG_KINDS, STEP_KINDS, type StepKind } from "./recovery-policy";
import {
  approvalNeed,
  availableActions,
  decideClose,
  decideCorrectStep,
  decideOpenCase,
  decideRaiseRedFlag,
  decideRecordStep,
  decideRegistration,
  decideReenrolmentRequest,
  decideSendStepLink,
  decideTapIssuance,
  stopReason,
  tierForCase,
  tierRaiseNeedsSecondPerson,
  type CaseFacts,
} from "./recovery-decisions";
import { RISK_TIERS } from "./workforce";

const policy = DEFAULT_POLICY;
const facts = (overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  status: "OPEN",
  riskTier: "STANDARD",
  reason: "LOST_DEVICE",
  leaver: false,
  steps: [],
  redFlags: [],
  repeatCall: 1,
  onHold: false,
  ...overrides,
});
const verifiedStandard = facts({
  status: "VERIFIED",
  steps: [
    { kind: "CALLBACK", outcome: "PASSED" },
    { kind: "EMPLOYEE_RECORD", outcome: "PASSED" },
    { kind: "MANAGER_CONFIRMATION", outcome: "PASSED" },
  ],
});
const tap = (lifetimeMinutes = 60, multiUse = false) => ({ lifetimeMinutes, multiUse });

describe("decideOpenCase", () => {
  it.each([
    [false, 0, { ok: true, repeatCall: 1, needsApproval: false }],
    [false, 1, { ok: true, repeatCall: 2, needsApproval: true }],
    [false, 2, { ok: true, repeatCall: 3, needsApproval: true }],
    [false, 3, expect.objectContaining({ ok: false, code: "THROTTLED" })],
    [true, 0, expect.objectContaining({ ok: false, code: "LEAVER" })],
  ])("leaver %s, %i earlier cases → %j", (leaver, casesInWindow, expected) => {
    expect(decideOpenCase({ policy, leaver, casesInWindow })).toEqual(expected);
  });
});

describe("decideRecordStep", () => {
  it("moves the case to VERIFIED on the step that completes the checklist", () => {
    const almost = facts({
      steps: [
        { kind: "CALLBACK", outcome: "PASSED" },
        { kind: "MANAGER_CONFIRMATION", outcome: "PASSED" },
      ],
    });
    expect(
      decideRecordStep({
        policy,
        facts: almost,
        kind: "EMPLOYEE_RECORD",
        outcome: "PASSED",
        by: "agent",
      }),
    ).toEqual({
      ok: true,
      status: "VERIFIED",
      complete: true,
      stops: false,
    });
  });

  it("records a failed step and stops the case: it never completes the checklist", () => {
    const almost = facts({
      steps: [
        { kind: "CALLBACK", outcome: "PASSED" },
        { kind: "EMPLOYEE_RECORD", outcome: "PASSED" },
        { kind: "ID_DOCUMENT", outcome: "PASSED" },
      ],
    });
    expect(
      decideRecordStep({
        policy,
        facts: almost,
        kind: "MANAGER_CONFIRMATION",
        outcome: "FAILED",
        by: "responder",
      }),
    ).toEqual({
      ok: true,
      status: "OPEN",
      complete: false,
      stops: true,
    });
  });

  it.each([
    [
      "a step outside the script",
      facts({ riskTier: "CONTRACTOR" }),
      "ID_DOCUMENT",
      "agent",
      "INVALID_INPUT",
    ],
    [
      "an agent completing the manager's step",
      facts(),
      "MANAGER_CONFIRMATION",
      "agent",
      "FORBIDDEN",
    ],
    ["an agent completing the passkey proof", facts(), "PASSKEY_PROOF", "agent", "FORBIDDEN"],
    [
      "a replayed step",
      facts({ steps: [{ kind: "CALLBACK", outcome: "UNABLE" }] }),
      "CALLBACK",
      "agent",
      "SEQUENCE",
    ],
    [
      "any step after a failed one",
      facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "FAILED" }] }),
      "CALLBACK",
      "agent",
      "STOPPED",
    ],
    ["a user on hold", facts({ onHold: true }), "CALLBACK", "agent", "ON_HOLD"],
    ["a suspended user", facts({ leaver: true }), "CALLBACK", "agent", "LEAVER"],
    ["a verified case", verifiedStandard, "ID_DOCUMENT", "agent", "SEQUENCE"],
    [
      "a stopped case",
      facts({ redFlags: [{ kind: "REFUSED_CALLBACK" }] }),
      "CALLBACK",
      "agent",
      "RED_FLAG",
    ],
  ] as const)("refuses %s", (_label, f, kind, by, code) => {
    expect(decideRecordStep({ policy, facts: f, kind, outcome: "PASSED", by })).toMatchObject({
      ok: false,
      code,
    });
  });
});

describe("decideRaiseRedFlag", () => {
  it("gives the policy's effect", () => {
    expect(decideRaiseRedFlag({ policy, facts: facts(), kind: "NEW_CONTACT_REQUEST" })).toEqual({
      ok: true,
      effect: "stop",
    });
    expect(decideRaiseRedFlag({ policy, facts: facts(), kind: "PRESSURE" })).toEqual({
      ok: true,
      effect: "escalate",
    });
    expect(
      decideRaiseRedFlag({ policy, facts: facts({ status: "CLOSED" }), kind: "PRESSURE" }),
    ).toMatchObject({ ok: false, code: "SEQUENCE" });
  });
});

describe("decideTapIssuance", () => {
  it("issues a one-time pass with the policy's attempt limit", () => {
    expect(
      decideTapIssuance({
        policy,
        facts: verifiedStandard,
        request: tap(),
        hasVerifiedAddress: true,
      }),
    ).toEqual({
      ok: true,
      status: "FACTOR_ISSUED",
      lifetimeMinutes: 60,
      oneTime: true,
      maxFailedAttempts: 10,
    });
  });

  it("names what is missing when verification is incomplete, whatever the case status says", () => {
    const forged = facts({ status: "VERIFIED", steps: [{ kind: "CALLBACK", outcome: "PASSED" }] });
    const result = decideTapIssuance({
      policy,
      facts: forged,
      request: tap(),
      hasVerifiedAddress: true,
    });
    expect(result).toEqual({
      ok: false,
      code: "VERIFICATION_INCOMPLETE",
      message:
        "Verification is not complete. Still needed: Employee record details; one of “Sign in with a remaining passkey”, “Manager confirms”, “Photo ID on video”.",
    });
  });

  it.each([
    ["a leaver", { ...verifiedStandard, leaver: true }, tap(), true, "LEAVER"],
    ["an open case", { ...verifiedStandard, status: "OPEN" as const }, tap(), true, "SEQUENCE"],
    ["a closed case", { ...verifiedStandard, status: "CLOSED" as const }, tap(), true, "SEQUENCE"],
    [
      "a stop flag",
      { ...verifiedStandard, redFlags: [{ kind: "DETAILS_MISMATCH" as const }] },
      tap(),
      true,
      "RED_FLAG",
    ],
    [
      "an escalation flag (a second person must approve)",
      { ...verifiedStandard, redFlags: [{ kind: "PRESSURE" as const }] },
      tap(),
      true,
      "APPROVAL_REQUIRED",
    ],
    ["a repeat call", { ...verifiedStandard, repeatCall: 2 }, tap(), true, "APPROVAL_REQUIRED"],
    [
      "a failed step",
      {
        ...verifiedStandard,
        steps: [
          ...verifiedStandard.steps,
          { kind: "ID_DOCUMENT" as const, outcome: "FAILED" as const },
        ],
      },
      tap(),
      true,
      "STOPPED",
    ],
    ["a user on hold", { ...verifiedStandard, onHold: true }, tap(), true, "ON_HOLD"],
    ["a lifetime over the bound", verifiedStandard, tap(481), true, "INVALID_INPUT"],
    ["a lifetime under the bound", verifiedStandard, tap(5), true, "INVALID_INPUT"],
    ["a fractional lifetime", verifiedStandard, tap(30.5), true, "INVALID_INPUT"],
    ["no verified address", verifiedStandard, tap(), false, "CONFLICT"],
  ])("refuses %s", (_label, f, request, hasVerifiedAddress, code) => {
    expect(decideTapIssuance({ policy, facts: f, request, hasVerifiedAddress })).toMatchObject({
      ok: false,
      code,
    });
  });

  it("never issues a pass to a tier that needs a second person, whatever the parameters", () => {
    for (const riskTier of ["HIGH_RISK", "PRIVILEGED"] as const) {
      const steps = (
        ["CALLBACK", "MANAGER_CONFIRMATION", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const
      ).map((kind) => ({ kind, outcome: "PASSED" as const }));
      for (const request of [tap(10), tap(60), tap(60, true)]) {
        expect(
          decideTapIssuance({
            policy,
            facts: { ...verifiedStandard, riskTier, steps },
            request,
            hasVerifiedAddress: true,
          }),
        ).toMatchObject({
          ok: false,
          code: "APPROVAL_REQUIRED",
        });
      }
    }
  });

  it("gives contractors one-use passes only", () => {
    const contractor = { ...verifiedStandard, riskTier: "CONTRACTOR" as const };
    expect(
      decideTapIssuance({
        policy,
        facts: contractor,
        request: tap(60, true),
        hasVerifiedAddress: true,
      }),
    ).toMatchObject({ ok: false, code: "INVALID_INPUT" });
    expect(
      decideTapIssuance({ policy, facts: contractor, request: tap(60), hasVerifiedAddress: true }),
    ).toMatchObject({ ok: true, oneTime: true });
  });
});

describe("a case driven by any sequence of events", () => {
  type Event =
    | {
        type: "step";
        kind: StepKind;
        outcome: "PASSED" | "FAILED" | "UNABLE";
        by: "agent" | "responder";
      }
    | { type: "flag"; kind: (typeof RED_FLAG_KINDS)[number] }
    | { type: "issue"; lifetimeMinutes: number; multiUse: boolean };
  // Weighted towards calls that go well, so that issuance is actually reached and checked.
  const event: fc.Arbitrary<Event> = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        type: fc.constant("step" as const),
        kind: fc.constantFrom(...STEP_KINDS),
        outcome: fc.oneof(
          { weight: 5, arbitrary: fc.constant("PASSED" as const) },
          fc.constantFrom("FAILED" as const, "UNABLE" as const),
        ),
        by: fc.constantFrom("agent" as const, "responder" as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant("flag" as const),
        kind: fc.constantFrom(...RED_FLAG_KINDS),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant("issue" as const),
        lifetimeMinutes: fc.integer({ min: 0, max: 600 }),
        multiUse: fc.boolean(),
      }),
    },
  );

  it("never issues a pass without a complete checklist, a clean record and the tier's limits", () => {
    let issued = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...RISK_TIERS),
        fc.integer({ min: 1, max: 3 }),
        fc.array(event, { maxLength: 25 }),
        (riskTier, repeatCall, events) => {
          let state = facts({ riskTier, repeatCall });
          for (const e of events) {
            if (e.type === "step") {
              const result = decideRecordStep({
                policy,
                facts: state,
                kind: e.kind,
                outcome: e.outcome,
                by: e.by,
              });
              if (result.ok) {
                state = {
                  ...state,
                  status: result.status,
                  steps: [
                    ...state.steps.filter((s) => s.kind !== e.kind),
                    { kind: e.kind, outcome: e.outcome },
                  ],
                };
              }
            } else if (e.type === "flag") {
              if (decideRaiseRedFlag({ policy, facts: state, kind: e.kind }).ok)
                state = { ...state, redFlags: [...state.redFlags, { kind: e.kind }] };
            } else {
              const result = decideTapIssuance({
                policy,
                facts: state,
                request: e,
                hasVerifiedAddress: true,
              });
              if (result.ok) {
                expect(evaluateChecklist(policy.scripts[riskTier], state.steps).complete).toBe(
                  true,
                );
                expect(state.redFlags).toEqual([]);
                expect(state.steps.some((step) => step.outcome === "FAILED")).toBe(false);
                // Four-eyes: nothing a second person must approve ever gets a pass from the agent alone.
                expect(approvalNeed(policy, state)).toBeNull();
                expect(
                  riskTier === "HIGH_RISK" || riskTier === "PRIVILEGED" || repeatCall > 1,
                ).toBe(false);
                expect(result.lifetimeMinutes).toBeLessThanOrEqual(
                  riskTier === "HIGH_RISK" || riskTier === "PRIVILEGED" ? 60 : 480,
                );
                if (riskTier !== "STANDARD") expect(result.oneTime).toBe(true);
                state = { ...state, status: result.status };
                issued++;
              }
            }
          }
        },
      ),
      // Issuance is reached in ~1% of random calls: 3,000 runs make "never reached" practically impossible.
      { numRuns: 3000 },
    );
    // The property is not vacuous: random calls do reach issuance.
    expect(issued).toBeGreaterThan(0);
  });
});

describe("decideSendStepLink", () => {
  it.each([
    ["the manager's confirmation", facts(), "MANAGER_CONFIRMATION", { ok: true }],
    [
      "an agent-recorded step",
      facts(),
      "CALLBACK",
      expect.objectContaining({ code: "INVALID_INPUT" }),
    ],
    [
      "a step not in the script",
      facts({ riskTier: "HIGH_RISK" }),
      "PASSKEY_PROOF",
      expect.objectContaining({ code: "INVALID_INPUT" }),
    ],
    [
      "an answered step",
      facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "PASSED" }] }),
      "MANAGER_CONFIRMATION",
      expect.objectContaining({ code: "SEQUENCE" }),
    ],
    [
      "a step the manager denied",
      facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "FAILED" }] }),
      "MANAGER_CONFIRMATION",
      expect.objectContaining({ code: "STOPPED" }),
    ],
    [
      "a stopped case",
      facts({ redFlags: [{ kind: "DETAILS_MISMATCH" }] }),
      "MANAGER_CONFIRMATION",
      expect.objectContaining({ code: "RED_FLAG" }),
    ],
  ] as const)("%s", (_label, f, kind, expected) => {
    expect(decideSendStepLink({ policy, facts: f, kind })).toEqual(expected);
  });
});

describe("stopReason", () => {
  it.each([
    ["a clean case", facts(), null],
    [
      "an escalation flag (needs approval, does not stop)",
      facts({ redFlags: [{ kind: "PRESSURE" }] }),
      null,
    ],
    [
      "an unable step (alternatives may still pass)",
      facts({ steps: [{ kind: "ID_DOCUMENT", outcome: "UNABLE" }] }),
      null,
    ],
    ["a stop flag", facts({ redFlags: [{ kind: "REFUSED_CALLBACK" }] }), "RED_FLAG"],
    ["a failed step", facts({ steps: [{ kind: "CALLBACK", outcome: "FAILED" }] }), "STOPPED"],
    ["a hold", facts({ onHold: true }), "ON_HOLD"],
    ["a leaver", facts({ leaver: true }), "LEAVER"],
  ] as const)("%s → %s", (_label, f, code) => {
    expect(stopReason(policy, f)?.code ?? null).toBe(code);
  });

  it("names the failed step as the agent sees it", () => {
    expect(
      stopReason(policy, facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "FAILED" }] }))
        ?.message,
    ).toContain("“Manager confirms” failed");
  });
});

describe("fraud signals across calls in the facts (docs/decisions/031)", () => {
  const signal = (effect: "alert" | "escalate" | "stop") => ({
    effect,
    label: "One number or address for different people",
  });

  it.each([
    ["no signals", undefined, null, null],
    ["an alert", [signal("alert")], null, null],
    [
      "an escalation",
      [signal("escalate")],
      null,
      "a fraud signal: one number or address for different people",
    ],
    [
      "a stop",
      [signal("stop")],
      "STOPPED",
      "a fraud signal: one number or address for different people",
    ],
  ] as const)("%s: stops %s, needs %s", (_label, signals, stop, need) => {
    const state = { ...verifiedStandard, signals };
    expect(stopReason(policy, state)?.code ?? null).toBe(stop);
    expect(approvalNeed(policy, state)).toBe(need);
  });

  it("an escalation refuses a pass on a verified standard case; a stop refuses every path", () => {
    const escalated = { ...verifiedStandard, signals: [signal("escalate")] };
    expect(
      decideTapIssuance({ policy, facts: escalated, request: tap(), hasVerifiedAddress: true }).ok,
    ).toBe(false);
    const stopped = { ...verifiedStandard, signals: [signal("stop")] };
    const actions = availableActions({
      policy,
      facts: stopped,
      hasVerifiedAddress: true,
      activePasskeyIds: [],
    });
    expect(actions.stopped?.code).toBe("STOPPED");
    expect(
      decideTapIssuance({ policy, facts: stopped, request: tap(), hasVerifiedAddress: true }).ok,
    ).toBe(false);
  });

  it("names the signal first, before the tier, for the supervisor", () => {
    expect(
      approvalNeed(policy, facts({ riskTier: "PRIVILEGED", signals: [signal("escalate")] })),
    ).toMatch(/^a fraud signal/);
  });
});

describe("decideRegistration (the last re-check before a new passkey is written)", () => {
  const approvedHigh = {
    ...verifiedStandard,
    riskTier: "HIGH_RISK" as const,
    status: "APPROVED" as const,
    steps: (["CALLBACK", "MANAGER_CONFIRMATION", "ID_DOCUMENT", "EMPLOYEE_RECORD"] as const).map(
      (kind) => ({ kind, outcome: "PASSED" as const }),
    ),
  };
  it.each([
    [
      "a pass on a verified standard case",
      { ...verifiedStandard, status: "FACTOR_ISSUED" as const },
      false,
      null,
    ],
    ["an approved link on a high-risk case", approvedHigh, true, null],
    ["a high-risk case without an approval", approvedHigh, false, "APPROVAL_REQUIRED"],
    [
      "a repeat call without an approval",
      { ...verifiedStandard, repeatCall: 2 },
      false,
      "APPROVAL_REQUIRED",
    ],
    ["a closed case", { ...verifiedStandard, status: "CLOSED" as const }, true, "SEQUENCE"],
    ["a revoked case", { ...verifiedStandard, status: "REVOKED" as const }, true, "SEQUENCE"],
    [
      "a stop flag raised after issuing",
      { ...verifiedStandard, redFlags: [{ kind: "NEW_CONTACT_REQUEST" as const }] },
      true,
      "RED_FLAG",
    ],
    [
      "a failed step",
      {
        ...verifiedStandard,
        steps: [
          ...verifiedStandard.steps,
          { kind: "ID_DOCUMENT" as const, outcome: "FAILED" as const },
        ],
      },
      true,
      "STOPPED",
    ],
    ["a leaver", { ...verifiedStandard, leaver: true }, true, "LEAVER"],
    [
      "an incomplete checklist",
      { ...verifiedStandard, steps: [] },
      true,
      "VERIFICATION_INCOMPLETE",
    ],
  ] as const)("%s → %s", (_label, f, approved, code) => {
    const result = decideRegistration({ policy, facts: f, approved });
    expect(result.ok ? null : result.code).toBe(code);
  });
});

describe("decideCorrectStep", () => {
  const failed = facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "FAILED" }] });
  const supervisor = { id: "s2", role: "SUPERVISOR" as const };
  it.each([
    ["another supervisor reopens a failed step", failed, supervisor, ["a1"], null],
    ["an agent", failed, { id: "a1", role: "AGENT" as const }, ["a1"], "FORBIDDEN"],
    ["a supervisor who worked the case", failed, supervisor, ["a1", "s2"], "FORBIDDEN"],
    [
      "a passed step",
      facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "PASSED" }] }),
      supervisor,
      ["a1"],
      "SEQUENCE",
    ],
    ["a closed case", { ...failed, status: "CLOSED" as const }, supervisor, ["a1"], "SEQUENCE"],
  ] as const)("%s → %s", (_label, f, corrector, workedByIds, code) => {
    const result = decideCorrectStep({
      facts: f,
      kind: "MANAGER_CONFIRMATION",
      corrector,
      workedByIds,
    });
    expect(result.ok ? null : result.code).toBe(code);
  });
});

describe("availableActions", () => {
  const input = (f: CaseFacts) => ({
    policy,
    facts: f,
    hasVerifiedAddress: true,
    activePasskeyIds: ["p1"],
  });

  it("offers exactly what the deciding functions allow, for any facts", () => {
    const step = fc.record({
      kind: fc.constantFrom(...STEP_KINDS),
      outcome: fc.constantFrom(
        "PENDING" as const,
        "PASSED" as const,
        "FAILED" as const,
        "UNABLE" as const,
      ),
    });
    fc.assert(
      fc.property(
        fc.record({
          status: fc.constantFrom(
            "OPEN" as const,
            "VERIFIED" as const,
            "PENDING_APPROVAL" as const,
            "FACTOR_ISSUED" as const,
            "CLOSED" as const,
            "REVOKED" as const,
          ),
          riskTier: fc.constantFrom(...RISK_TIERS),
          leaver: fc.boolean(),
          onHold: fc.boolean(),
          repeatCall: fc.integer({ min: 1, max: 3 }),
          steps: fc.uniqueArray(step, { selector: (s) => s.kind, maxLength: 5 }),
          redFlags: fc.array(fc.record({ kind: fc.constantFrom(...RED_FLAG_KINDS) }), {
            maxLength: 2,
          }),
        }),
        (partial) => {
          const f = facts(partial);
          const actions = availableActions(input(f));
          expect(actions.issueTap.ok).toBe(
            decideTapIssuance({ policy, facts: f, request: tap(30), hasVerifiedAddress: true }).ok,
          );
          expect(actions.requestReenrolment.ok).toBe(
            decideReenrolmentRequest({
              policy,
              facts: f,
              revokePasskeyIds: [],
              activePasskeyIds: ["p1"],
              hasVerifiedAddress: true,
            }).ok,
          );
          expect(actions.close.ok).toBe(decideClose({ facts: f }).ok);
          expect(actions.sendStepLink.MANAGER_CONFIRMATION.ok).toBe(
            decideSendStepLink({ policy, facts: f, kind: "MANAGER_CONFIRMATION" }).ok,
          );
          expect(actions.recordStep.CALLBACK.ok).toBe(
            decideRecordStep({ policy, facts: f, kind: "CALLBACK", outcome: "PASSED", by: "agent" })
              .ok,
          );
          // A stopped case offers nothing that moves recovery forward.
          if (actions.stopped) {
            expect(
              actions.issueTap.ok ||
                actions.requestReenrolment.ok ||
                actions.recordStep.CALLBACK.ok,
            ).toBe(false);
          }
        },
      ),
    );
  });

  it("says why a manager's denial stopped the case, and still offers closing", () => {
    const actions = availableActions(
      input(facts({ steps: [{ kind: "MANAGER_CONFIRMATION", outcome: "FAILED" }] })),
    );
    expect(actions.stopped).toMatchObject({ code: "STOPPED" });
    expect(actions.issueTap).toMatchObject({ ok: false, code: "STOPPED" });
    expect(actions.close).toEqual({ ok: true });
  });
});

describe("a denial by the person asked always counts while the case is open", () => {
  it.each(["OPEN", "VERIFIED", "PENDING_APPROVAL", "APPROVED", "FACTOR_ISSUED"] as const)(
    "a manager's deny on a %s case stops it",
    (status) => {
      const result = decideRecordStep({
        policy,
        facts: facts({ status, steps: [{ kind: "CALLBACK", outcome: "PASSED" }] }),
        kind: "MANAGER_CONFIRMATION",
        outcome: "FAILED",
        by: "responder",
      });
      expect(result).toEqual({ ok: true, status, complete: false, stops: true });
    },
  );

  it("but not on a closed case, nor a confirmation after verification (that is simply late)", () => {
    expect(
      decideRecordStep({
        policy,
        facts: facts({ status: "CLOSED" }),
        kind: "MANAGER_CONFIRMATION",
        outcome: "FAILED",
        by: "responder",
      }),
    ).toMatchObject({ ok: false, code: "SEQUENCE" });
    expect(
      decideRecordStep({
        policy,
        facts: verifiedStandard,
        kind: "PASSKEY_PROOF",
        outcome: "PASSED",
        by: "responder",
      }),
    ).toMatchObject({ ok: false, code: "SEQUENCE" });
  });
});

describe("one recovery, one passkey", () => {
  it("refuses a second registration on a case that already set one up", () => {
    expect(
      decideRegistration({
        policy,
        facts: { ...verifiedStandard, status: "REENROLLED" },
        approved: true,
      }),
    ).toMatchObject({
      ok: false,
      code: "SEQUENCE",
    });
  });
});

describe("tierForCase", () => {
  const policy = DEFAULT_POLICY;
  it("judges a case under the person's tier now, unless that drops a second person", () => {
    expect(tierForCase(policy, "STANDARD", "PRIVILEGED")).toBe("PRIVILEGED");
    expect(tierForCase(policy, "STANDARD", "CONTRACTOR")).toBe("CONTRACTOR");
    expect(tierForCase(policy, "PRIVILEGED", "STANDARD")).toBe("PRIVILEGED");
    expect(tierForCase(policy, "HIGH_RISK", "PRIVILEGED")).toBe("PRIVILEGED");
  });

  it("says when a raise makes a second person necessary", () => {
    expect(tierRaiseNeedsSecondPerson(policy, "STANDARD", "HIGH_RISK")).toBe(true);
    expect(tierRaiseNeedsSecondPerson(policy, "HIGH_RISK", "PRIVILEGED")).toBe(false);
    expect(tierRaiseNeedsSecondPerson(policy, "PRIVILEGED", "STANDARD")).toBe(false);
  });
});
