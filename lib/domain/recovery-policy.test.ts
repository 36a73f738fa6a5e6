import { describe, expect, it } from "vitest";
import { evaluateChecklist } from "./checklist";
import {
  CASE_REASONS,
  DEFAULT_POLICY,
  RecoveryPolicySchema,
  scriptFor,
  STEP_ASSURANCE,
  tapLimitsFor,
} from "./recovery-policy";
import { RISK_TIERS } from "./workforce";

/** A policy as a reviewer might edit it: loosely typed on purpose, the schema is the judge. */
type Draft = {
  tap: Record<string, unknown>;
  enrolmentLinkMinutes: number;
  approvalMinutes: number;
  repeatCalls: Record<string, number>;
  scripts: Record<string, { steps: { kind: string }[] }>;
};
const withChanges = (change: (p: Draft) => void) => {
  const copy = structuredClone(DEFAULT_POLICY) as unknown as Draft;
  change(copy);
  return RecoveryPolicySchema.safeParse(copy);
};

describe("default recovery policy", () => {
  it("has docs/product.md's defaults", () => {
    expect(DEFAULT_POLICY.tap).toMatchObject({
      defaultLifetimeMinutes: 60,
      maxFailedAttempts: 10,
      multiUseTiers: ["STANDARD"],
    });
    expect(DEFAULT_POLICY.enrolmentLinkMinutes).toBe(10);
    expect(DEFAULT_POLICY.approvalMinutes).toBe(30);
    expect(DEFAULT_POLICY.repeatCalls).toEqual({ windowHours: 24, approvalFrom: 2, blockFrom: 4 });
  });

  for (const tier of RISK_TIERS) {
    it(`${tier}: passing every step completes the checklist; knowledge alone never does`, () => {
      for (const reason of CASE_REASONS) {
        const script = scriptFor(DEFAULT_POLICY, tier, reason);
        expect(
          evaluateChecklist(
            script,
            script.steps.map((s) => ({ kind: s.kind, outcome: "PASSED" })),
          ).complete,
        ).toBe(true);
        const weakOnly = script.steps
          .filter((s) => STEP_ASSURANCE[s.kind] === "knowledge")
          .map((s) => ({ kind: s.kind, outcome: "PASSED" as const }));
        expect(evaluateChecklist(script, weakOnly).complete).toBe(false);
      }
    });
  }

  it("requires manager confirmation and photo ID for high-risk and privileged users", () => {
    for (const tier of ["HIGH_RISK", "PRIVILEGED"] as const) {
      const required = DEFAULT_POLICY.scripts[tier].steps
        .filter((s) => s.requirement === "required")
        .map((s) => s.kind);
      expect(required).toEqual(
        expect.arrayContaining(["CALLBACK", "MANAGER_CONFIRMATION", "ID_DOCUMENT"]),
      );
    }
  });
});

describe("tapLimitsFor", () => {
  it.each([
    [
      "STANDARD",
      {
        minMinutes: 10,
        maxMinutes: 480,
        defaultMinutes: 60,
        multiUseAllowed: true,
        maxFailedAttempts: 10,
      },
    ],
    [
      "HIGH_RISK",
      {
        minMinutes: 10,
        maxMinutes: 60,
        defaultMinutes: 60,
        multiUseAllowed: false,
        maxFailedAttempts: 10,
      },
    ],
    [
      "PRIVILEGED",
      {
        minMinutes: 10,
        maxMinutes: 60,
        defaultMinutes: 60,
        multiUseAllowed: false,
        maxFailedAttempts: 10,
      },
    ],
    [
      "CONTRACTOR",
      {
        minMinutes: 10,
        maxMinutes: 480,
        defaultMinutes: 60,
        multiUseAllowed: false,
        maxFailedAttempts: 10,
      },
    ],
    [
      "FRONTLINE",
      {
        minMinutes: 10,
        maxMinutes: 480,
        defaultMinutes: 60,
        multiUseAllowed: false,
        maxFailedAttempts: 10,
      },
    ],
  ] as const)("%s", (tier, limits) => {
    expect(tapLimitsFor(DEFAULT_POLICY, tier)).toEqual(limits);
  });
});

describe("RecoveryPolicySchema refuses a policy outside docs/product.md's bounds", () => {
  it.each([
    ["TAP lifetime over 8 hours", (p) => (p.tap.maxLifetimeMinutes = 481)],
    ["TAP lifetime under 10 minutes", (p) => (p.tap.minLifetimeMinutes = 5)],
    ["high-tier TAP over 1 hour", (p) => (p.tap.maxLifetimeMinutesHighTier = 90)],
    ["more than 100 failed attempts", (p) => (p.tap.maxFailedAttempts = 101)],
    ["multi-use for a high-risk tier", (p) => (p.tap.multiUseTiers = ["STANDARD", "HIGH_RISK"])],
    ["enrolment link over 60 minutes", (p) => (p.enrolmentLinkMinutes = 61)],
    ["approval under 5 minutes", (p) => (p.approvalMinutes = 4)],
    [
      "blocking before approval",
      (p) => (p.repeatCalls = { windowHours: 24, approvalFrom: 3, blockFrom: 3 }),
    ],
    [
      "a script without an out-of-band step",
      (p) =>
        (p.scripts.STANDARD!.steps = p.scripts.STANDARD!.steps.filter(
          (s) => s.kind !== "CALLBACK",
        )),
    ],
    ["a step twice", (p) => p.scripts.CONTRACTOR!.steps.push(p.scripts.CONTRACTOR!.steps[0]!)],
    ["an unknown field", (p) => (p.tap.skipVerification = true)],
  ] as [string, (p: Draft) => void][])("%s", (_label, change) => {
    expect(withChanges(change).success).toBe(false);
  });
});
