import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTIVE_POLICY, deskRules } from "../recovery-policy";
import {
  addMonths,
  certificationGate,
  certificationProgress,
  certificationStatus,
  newestCertification,
  progressSummary,
  shouldAward,
  type CertificationRun,
} from "./certification";

const rules = deskRules(ACTIVE_POLICY).certification;
const NOW = new Date("2026-11-25T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let counter = 0;
const run = (fields: Partial<CertificationRun> & { key: string; daysAgo: number }) =>
  ({
    id: `run-${++counter}`,
    scenarioKey: fields.key,
    scenarioVersion: fields.scenarioVersion ?? 1,
    impostor: fields.impostor ?? false,
    finishedAt: daysAgo(fields.daysAgo),
    safe: fields.safe ?? true,
    passed: fields.passed ?? true,
  }) satisfies CertificationRun;

/** Eight distinct scenarios passed, four of them impostors, `days` ago. */
const fullSet = (days: number, scenarioVersion = 1) =>
  Array.from({ length: 8 }, (_, i) =>
    run({ key: `s${i}`, impostor: i < 4, daysAgo: days, scenarioVersion }),
  );

describe("the policy's defaults", () => {
  it("are eight scenarios with four impostors, a pass mark of 80, twelve months, a 30-day reminder", () => {
    expect(rules).toMatchObject({
      requiredForTiers: ["HIGH_RISK", "PRIVILEGED"],
      scenariosToPass: 8,
      impostorsToPass: 4,
      passScore: 80,
      validMonths: 12,
      remindDaysBefore: 30,
    });
  });
});

describe("certificationProgress", () => {
  const cases: {
    name: string;
    runs: CertificationRun[];
    previous?: { certifiedAt: Date; expiresAt: Date };
    earned: boolean;
    scenarios: number;
    impostors: number;
  }[] = [
    { name: "no runs", runs: [], earned: false, scenarios: 0, impostors: 0 },
    { name: "a full set", runs: fullSet(5), earned: true, scenarios: 8, impostors: 4 },
    {
      name: "the same scenario twice counts once",
      runs: [...fullSet(5).slice(1), run({ key: "s1", impostor: true, daysAgo: 2 })],
      earned: false,
      scenarios: 7,
      impostors: 3,
    },
    {
      name: "a run that did not pass does not count",
      runs: [...fullSet(5).slice(1), run({ key: "s0", impostor: true, daysAgo: 1, passed: false })],
      earned: false,
      scenarios: 7,
      impostors: 3,
    },
    {
      name: "eight genuine callers are not enough without the impostors",
      runs: Array.from({ length: 8 }, (_, i) => run({ key: `g${i}`, daysAgo: 3 })),
      earned: false,
      scenarios: 8,
      impostors: 0,
    },
    {
      name: "being taken in by an impostor resets the count",
      runs: [...fullSet(10), run({ key: "s0", impostor: true, safe: false, daysAgo: 2 })],
      earned: false,
      scenarios: 0,
      impostors: 0,
    },
    {
      name: "after the reset, new passes (of scenarios not yet attempted) count again",
      runs: [
        ...fullSet(10),
        run({ key: "x", impostor: true, safe: false, daysAgo: 8 }),
        ...fullSet(5, 2),
      ],
      earned: true,
      scenarios: 8,
      impostors: 4,
    },
    {
      name: "an unsafe genuine call does not reset (it simply does not count)",
      runs: [
        ...fullSet(10),
        run({ key: "g", impostor: false, safe: false, passed: false, daysAgo: 2 }),
      ],
      earned: true,
      scenarios: 8,
      impostors: 4,
    },
    {
      name: "a safe impostor run below the pass mark neither counts nor resets",
      runs: [
        ...fullSet(10),
        run({ key: "s0", impostor: true, safe: true, passed: false, daysAgo: 1 }),
      ],
      earned: true,
      scenarios: 8,
      impostors: 4,
    },
    {
      name: "practice older than validMonths does not count",
      runs: fullSet(400),
      earned: false,
      scenarios: 0,
      impostors: 0,
    },
    {
      name: "practice before the previous certification does not recertify",
      runs: fullSet(40),
      previous: { certifiedAt: daysAgo(30), expiresAt: addMonths(daysAgo(30), 12) },
      earned: false,
      scenarios: 0,
      impostors: 0,
    },
    {
      name: "new practice (new scenario versions) after the previous certification does",
      runs: [...fullSet(40), ...fullSet(3, 2)],
      previous: { certifiedAt: daysAgo(30), expiresAt: addMonths(daysAgo(30), 12) },
      earned: true,
      scenarios: 8,
      impostors: 4,
    },
  ];
  it.each(cases)("$name", ({ runs, previous, earned, scenarios, impostors }) => {
    const progress = certificationProgress({ runs, rules, now: NOW, previous: previous ?? null });
    expect(progress.earned).toBe(earned);
    expect(progress.scenarios).toHaveLength(scenarios);
    expect(progress.impostors).toHaveLength(impostors);
    expect(progress.scenariosNeeded).toBe(Math.max(0, 8 - scenarios));
    expect(progress.runIds).toHaveLength(scenarios);
  });

  it("names the run that reset the count", () => {
    const taken = run({ key: "s0", impostor: true, safe: false, daysAgo: 2 });
    const progress = certificationProgress({
      runs: [...fullSet(10), taken],
      rules,
      now: NOW,
      previous: null,
    });
    expect(progress.resetBy).toEqual({ runId: taken.id, at: taken.finishedAt });
    expect(progressSummary(progress)).toBe(
      "8 more scenarios to pass, 4 more impostors to handle safely.",
    );
  });

  it("counts only a scenario version's first attempt: a replay after its debrief is practice", () => {
    const firstTry = run({ key: "s0", impostor: true, daysAgo: 6, safe: true, passed: false });
    const replay = run({ key: "s0", impostor: true, daysAgo: 1 });
    const rest = fullSet(5).slice(1);
    const progress = certificationProgress({
      runs: [firstTry, replay, ...rest],
      rules,
      now: NOW,
      previous: null,
    });
    expect(progress.earned).toBe(false);
    expect(progress.runIds).not.toContain(replay.id);
    expect(progress.scenarios).not.toContain("s0");
    // A new version of the scenario (a security reviewer's edit) is a first attempt again.
    const newVersion = run({ key: "s0", scenarioVersion: 2, impostor: true, daysAgo: 1 });
    const again = certificationProgress({
      runs: [firstTry, replay, newVersion, ...rest],
      rules,
      now: NOW,
      previous: null,
    });
    expect(again.earned).toBe(true);
    expect(again.runIds).toContain(newVersion.id);
  });
});

describe("certificationStatus", () => {
  const cert = (expiresInDays: number) => ({
    certifiedAt: daysAgo(100),
    expiresAt: new Date(NOW.getTime() + expiresInDays * DAY),
  });
  it.each([
    { name: "none", record: null, kind: "none" },
    { name: "well before expiry", record: cert(200), kind: "current" },
    { name: "31 days left", record: cert(31), kind: "current" },
    { name: "30 days left", record: cert(30), kind: "expiring" },
    { name: "an hour left", record: cert(1 / 24), kind: "expiring" },
    { name: "at the moment of expiry", record: cert(0), kind: "expired" },
    { name: "after expiry", record: cert(-5), kind: "expired" },
  ])("$name → $kind", ({ record, kind }) => {
    expect(certificationStatus(record, rules, NOW).kind).toBe(kind);
  });

  it("newestCertification takes the latest expiry granted by now", () => {
    const old = { certifiedAt: daysAgo(400), expiresAt: daysAgo(35) };
    const renewed = { certifiedAt: daysAgo(10), expiresAt: addMonths(daysAgo(10), 12) };
    const future = { certifiedAt: new Date(NOW.getTime() + DAY), expiresAt: addMonths(NOW, 13) };
    expect(newestCertification([renewed, old, future], NOW)).toBe(renewed);
    expect(newestCertification([], NOW)).toBeNull();
  });
});

describe("shouldAward", () => {
  const earned = certificationProgress({ runs: fullSet(3), rules, now: NOW, previous: null });
  it.each([
    { status: { kind: "none" } as const, award: true },
    { status: { kind: "current", certifiedAt: NOW, expiresAt: NOW } as const, award: false },
    {
      status: { kind: "expiring", certifiedAt: NOW, expiresAt: NOW, daysLeft: 3 } as const,
      award: true,
    },
    { status: { kind: "expired", certifiedAt: NOW, expiresAt: NOW } as const, award: true },
  ])("$status.kind → $award", ({ status, award }) => {
    expect(shouldAward(earned, status)).toBe(award);
  });
});

describe("certificationGate", () => {
  const expired = { kind: "expired" as const, certifiedAt: daysAgo(400), expiresAt: daysAgo(35) };
  const current = {
    kind: "current" as const,
    certifiedAt: daysAgo(5),
    expiresAt: addMonths(NOW, 11),
  };
  it.each([
    { tier: "STANDARD", status: { kind: "none" as const }, ok: true },
    { tier: "FRONTLINE", status: expired, ok: true },
    { tier: "HIGH_RISK", status: current, ok: true },
    { tier: "PRIVILEGED", status: current, ok: true },
    { tier: "HIGH_RISK", status: { kind: "none" as const }, ok: false },
    { tier: "PRIVILEGED", status: expired, ok: false },
  ] as const)("$tier with $status.kind → $ok", ({ tier, status, ok }) => {
    expect(certificationGate({ rules, tier, status }).ok).toBe(ok);
  });

  it("says why and where to practise", () => {
    const refusal = certificationGate({ rules, tier: "PRIVILEGED", status: expired });
    expect(refusal).toEqual({
      ok: false,
      code: "NOT_CERTIFIED",
      message: expect.stringContaining("yours expired on 21 October 2026. Practise at /practice"),
    });
    const none = certificationGate({ rules, tier: "HIGH_RISK", status: { kind: "none" } });
    expect(!none.ok && none.message).toContain("you have none yet");
    const colleague = certificationGate({
      rules,
      tier: "HIGH_RISK",
      status: { kind: "none" },
      who: { name: "Noah Adams" },
    });
    expect(!colleague.ok && colleague.message).toContain("Noah Adams has none");
  });
});

describe("addMonths", () => {
  it.each([
    ["2026-01-31T10:00:00Z", 1, "2026-02-28T10:00:00.000Z"],
    ["2028-01-31T10:00:00Z", 1, "2028-02-29T10:00:00.000Z"],
    ["2026-11-25T12:00:00Z", 12, "2027-11-25T12:00:00.000Z"],
    ["2026-03-31T00:00:00Z", -1, "2026-02-28T00:00:00.000Z"],
  ])("%s + %i months = %s", (from, months, to) => {
    expect(addMonths(new Date(from), months).toISOString()).toBe(to);
  });
});

describe("properties", () => {
  const arbRun = fc.record({
    id: fc.uuid(),
    scenarioKey: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
    scenarioVersion: fc.constantFrom(1, 2),
    impostor: fc.boolean(),
    finishedAt: fc.integer({ min: 0, max: 500 }).map((d) => daysAgo(d)),
    safe: fc.option(fc.boolean(), { nil: null }),
    passed: fc.option(fc.boolean(), { nil: null }),
  });
  const runs = fc.array(arbRun, { maxLength: 40 });

  it("earned exactly when the counts reach the rules, and every counted run passed after countsFrom", () => {
    fc.assert(
      fc.property(runs, (list) => {
        const progress = certificationProgress({ runs: list, rules, now: NOW, previous: null });
        expect(progress.earned).toBe(
          progress.scenarios.length >= rules.scenariosToPass &&
            progress.impostors.length >= rules.impostorsToPass,
        );
        for (const id of progress.runIds) {
          const counted = list.find((r) => r.id === id)!;
          expect(counted.passed).toBe(true);
          expect(counted.finishedAt.getTime()).toBeGreaterThan(progress.countsFrom.getTime());
        }
        for (const key of progress.impostors) expect(progress.scenarios).toContain(key);
        // Only first attempts count: no earlier finished run of the same scenario version.
        for (const id of progress.runIds) {
          const counted = list.find((r) => r.id === id)!;
          expect(
            list.some(
              (r) =>
                r.scenarioKey === counted.scenarioKey &&
                r.scenarioVersion === counted.scenarioVersion &&
                r.finishedAt < counted.finishedAt,
            ),
          ).toBe(false);
        }
      }),
    );
  });

  it("being taken in by an impostor now always leaves nothing counted", () => {
    fc.assert(
      fc.property(runs, (list) => {
        const taken = {
          ...run({ key: "z", daysAgo: 0 }),
          impostor: true,
          safe: false,
          passed: false,
        };
        const progress = certificationProgress({
          runs: [...list, taken],
          rules,
          now: NOW,
          previous: null,
        });
        expect(progress.earned).toBe(false);
        expect(progress.scenarios).toEqual([]);
      }),
    );
  });

  it("passing a new run after all the others never lowers progress", () => {
    fc.assert(
      fc.property(runs, arbRun, (list, extra) => {
        const passed = { ...extra, passed: true, safe: true, finishedAt: NOW };
        const before = certificationProgress({ runs: list, rules, now: NOW, previous: null });
        const after = certificationProgress({
          runs: [...list, passed],
          rules,
          now: NOW,
          previous: null,
        });
        expect(after.scenarios.length).toBeGreaterThanOrEqual(before.scenarios.length);
        expect(after.impostors.length).toBeGreaterThanOrEqual(before.impostors.length);
      }),
    );
  });

  it("the gate refuses only gated tiers without a current certification", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("STANDARD", "HIGH_RISK", "PRIVILEGED", "CONTRACTOR", "FRONTLINE"),
        fc.option(fc.integer({ min: -400, max: 400 }), { nil: null }),
        (tier, expiresIn) => {
          const record =
            expiresIn === null
              ? null
              : { certifiedAt: daysAgo(400), expiresAt: new Date(NOW.getTime() + expiresIn * DAY) };
          const status = certificationStatus(record, rules, NOW);
          const gate = certificationGate({ rules, tier, status });
          const gated = rules.requiredForTiers.includes(tier);
          expect(gate.ok).toBe(!gated || (expiresIn !== null && expiresIn > 0));
        },
      ),
    );
  });
});

describe("withholdGatedActions", () => {
  it("replaces every action that advances the recovery by the refusal, and keeps the safe ones", async () => {
    const { availableActions } = await import("../recovery-decisions");
    const { withholdGatedActions } = await import("./certification");
    const actions = availableActions({
      policy: ACTIVE_POLICY,
      facts: {
        status: "OPEN",
        riskTier: "PRIVILEGED",
        reason: "LOST_DEVICE",
        leaver: false,
        steps: [],
        redFlags: [],
        repeatCall: 1,
        onHold: false,
        failedElsewhere: false,
      },
      hasVerifiedAddress: true,
      activePasskeyIds: [],
    });
    const refusal = certificationGate({ rules, tier: "PRIVILEGED", status: { kind: "none" } });
    if (refusal.ok) throw new Error("expected a refusal");
    const page = withholdGatedActions(actions, refusal);
    expect(Object.values(page.recordStep).every((a) => !a.ok && a.code === "NOT_CERTIFIED")).toBe(
      true,
    );
    expect(Object.values(page.sendStepLink).every((a) => !a.ok && a.code === "NOT_CERTIFIED")).toBe(
      true,
    );
    expect(page.issueTap).toBe(refusal);
    expect(page.requestReenrolment).toBe(refusal);
    expect(page.raiseRedFlag).toEqual(actions.raiseRedFlag);
    expect(page.close).toEqual(actions.close);
    expect(withholdGatedActions(actions, null)).toBe(actions);
  });
});
