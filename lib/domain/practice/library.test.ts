import { describe, expect, it } from "vitest";
import { evaluateChecklist, type RecordedStep, type StepOutcome } from "../checklist";
import {
  ACTIVE_POLICY,
  CASE_CHANNELS,
  CASE_REASONS,
  POLICY_V2,
  RED_FLAG_KINDS,
  scriptFor,
  type RecoveryPolicy,
} from "../recovery-policy";
import { RISK_TIERS } from "../workforce";
import { BUILT_IN_SCENARIOS } from "./library";
import {
  parseScenario,
  PRETEXTS,
  scenarioHash,
  type AnswerOutcome,
  type Scenario,
} from "./scenario";

/**
 * Built-ins are never edited in place: a change is a new version through the console (a security
 * reviewer's PracticeScenarioVersion) or a new built-in with a new key. Runs and versions record
 * the hash of the scenario they played, so an edit here would silently change what those records
 * point at. A new built-in adds its line; no line is ever changed.
 */
const PINNED: Record<string, string> = {
  "admin-reports-compromise": "6c63c32365530132596427a62e519ccde2b1a1e0831de34c4f4374e82234e5ef",
  "assistant-for-the-cfo": "7c921f707f5849db4c2c539f4a979a078560256bf09d52afdb50c8290a63700d",
  "contractor-who-left": "a58a609b2936740cd3223d084dcdd44acf8d9dbc8f453bda0c01cd1523bcd079",
  "frontline-no-phone": "958e65fa9ae3e86e64132a696ee874b0b9706442ce08abdcc7d2f8e446e599d0",
  "hacked-send-elsewhere": "37671ea3527a813a4dc5cbe5743ed7915a9cb67c7aaa0a121f08fb072bc11868",
  "hotel-wifi-video": "f2cfb14649022b70a0672b4653a645ea7eb959e28d38e94c80eead6259f8992f",
  "manager-mailbox-vouches": "b56a9fb55db1a802e06dd97ffa205de366ce7d3643055a602730ea629cbd8087",
  "new-phone-manager-away": "097e26b00fec7dae73320aeb7e8b14b3c10ee92258b00479740db7a96bd18a32",
  "portal-number-change": "270efa00ea07f8cdd26f5dbc787c1492355e27a6acdd9272c890bcb2fbbf043b",
  "replacement-sim-tomorrow": "b1a7e0395bffa1baf198c5a18bf9a41754835cd5b6b1d81563524698a2da2647",
  "sim-swapped-treasury": "07cd8c5223b7147f676df3326ef07b7aa70f017b7a01c22893ac0e724ea06c06",
  "sponsor-on-leave": "1b35ae70a620df8cf7794ee1158a3687ebd51449afd65486c830b89cb580d80d",
  "stolen-phone-same-number": "3f65a314df1670d37a8b11e5f4175f4598f8a3c54265492ffe48e28bed5d0e69",
  "stressed-executive": "c842ad0de43b0c2ad309d869a5032d0f15e94b67d13c143c52d2fa39931099d2",
  "ticket-number-caller": "2dc82e4a0b259d821297f756a753a68fb1f1649fedc4b75ff599c6c283bf87ab",
  "urgent-admin-new-number": "842ac412683dcb973a5e2c8ea66a76dae916ad2b790e018e54b2dcb986e8ec68",
  "walk-in-lost-badge": "9cee0e5efa5bcde609329afc7b28b484ddc69c983ef674e8340b71cfc8d1aa74",
  "warehouse-new-phone": "e25b979ad90ea99db6198b560a80fa0c2072a42ead694b0b8e1530515a100f5d",
};

const keyed = BUILT_IN_SCENARIOS.map((scenario) => [scenario.key, scenario] as const);
const impostors = BUILT_IN_SCENARIOS.filter((s) => s.truth.caller === "impostor");
const genuine = BUILT_IN_SCENARIOS.filter((s) => s.truth.caller === "genuine");
const count = <T extends string>(values: readonly T[]) =>
  values.reduce(
    (counts, value) => counts.set(value, (counts.get(value) ?? 0) + 1),
    new Map<T, number>(),
  );

/** What an agent would record if they took every step and recorded its true outcome. */
function recordedTruth(scenario: Scenario, policy: RecoveryPolicy): RecordedStep[] {
  const asRecorded: Record<AnswerOutcome, StepOutcome> = {
    PASSED: "PASSED",
    FAILED: "FAILED",
    UNABLE: "UNABLE",
    NO_ANSWER: "PENDING", // a link nobody answers stays pending
  };
  return scriptFor(policy, scenario.person.riskTier, scenario.reason).steps.map((step) => ({
    kind: step.kind,
    outcome: asRecorded[scenario.answers[step.kind].outcome],
  }));
}

describe("the built-in practice library", () => {
  it("holds at least 17 scenarios with unique keys", () => {
    expect(BUILT_IN_SCENARIOS.length).toBeGreaterThanOrEqual(17);
    const keys = BUILT_IN_SCENARIOS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(keyed)("%s is valid against the active policy and policy version 2", (_, scenario) => {
    for (const policy of [ACTIVE_POLICY, POLICY_V2]) {
      const parsed = parseScenario(scenario, policy);
      expect(parsed.ok ? [] : parsed.problems).toEqual([]);
      // Parsing changes nothing: what is stored is what was written.
      if (parsed.ok) expect(scenarioHash(parsed.scenario)).toBe(scenarioHash(scenario));
    }
  });

  it.each(keyed)("%s is pinned: built-ins are never edited in place", (key, scenario) => {
    expect(scenarioHash(scenario)).toBe(PINNED[key]);
  });

  it("pins exactly the built-ins (a removed built-in is noticed too)", () => {
    expect(Object.keys(PINNED).sort()).toEqual(BUILT_IN_SCENARIOS.map((s) => s.key).sort());
  });

  it("covers every risk tier and every call reason at least twice", () => {
    const tiers = count(BUILT_IN_SCENARIOS.map((s) => s.person.riskTier));
    for (const tier of RISK_TIERS) expect(tiers.get(tier) ?? 0, tier).toBeGreaterThanOrEqual(2);
    const reasons = count(BUILT_IN_SCENARIOS.map((s) => s.reason));
    for (const reason of CASE_REASONS)
      expect(reasons.get(reason) ?? 0, reason).toBeGreaterThanOrEqual(2);
  });

  it("is at least half impostors (10 or more) and has at least 6 genuine callers", () => {
    expect(impostors.length * 2).toBeGreaterThanOrEqual(BUILT_IN_SCENARIOS.length);
    expect(impostors.length).toBeGreaterThanOrEqual(10);
    expect(genuine.length).toBeGreaterThanOrEqual(6);
  });

  it("uses every pretext at least once", () => {
    const used = new Set(impostors.flatMap((s) => s.truth.pretexts));
    expect(PRETEXTS.filter((pretext) => !used.has(pretext))).toEqual([]);
  });

  it("plants every red flag kind in at least two scenarios", () => {
    const planted = count(
      BUILT_IN_SCENARIOS.flatMap((s) => [...new Set(s.cues.map((c) => c.flag))]),
    );
    for (const flag of RED_FLAG_KINDS)
      expect(planted.get(flag) ?? 0, flag).toBeGreaterThanOrEqual(2);
  });

  it("takes calls on every channel, not only the phone", () => {
    const channels = new Set(BUILT_IN_SCENARIOS.map((s) => s.channel));
    expect(CASE_CHANNELS.filter((channel) => !channels.has(channel))).toEqual([]);
  });

  it.each(impostors.map((s) => [s.key, s] as const))(
    "%s (impostor) can be caught within the script and is never recovered",
    (_, scenario) => {
      const script = scriptFor(ACTIVE_POLICY, scenario.person.riskTier, scenario.reason);
      const failingStep = script.steps.some(
        (step) => scenario.answers[step.kind].outcome !== "PASSED",
      );
      expect(failingStep || scenario.cues.length > 0).toBe(true);
      expect(scenario.safe.outcome).toBe("stop");
    },
  );

  const recovered = genuine.filter((s) => s.safe.outcome === "recover");
  it.each(recovered.map((s) => [s.key, s] as const))(
    "%s (genuine, to be recovered) can be completed under the script with no stop flag",
    (_, scenario) => {
      for (const policy of [ACTIVE_POLICY, POLICY_V2]) {
        const script = scriptFor(policy, scenario.person.riskTier, scenario.reason);
        expect(evaluateChecklist(script, recordedTruth(scenario, policy))).toEqual({
          complete: true,
          missing: [],
        });
        expect(scenario.cues.filter((cue) => policy.redFlags[cue.flag].effect === "stop")).toEqual(
          [],
        );
      }
      expect(scenario.person.status).toBe("ACTIVE");
    },
  );

  describe("the hard cases the desk must practise", () => {
    const passed = (s: Scenario, kind: keyof Scenario["answers"]) =>
      s.answers[kind].outcome === "PASSED";

    it("a SIM-swapped impostor passes the callback and fails the manager or photo ID", () => {
      const found = impostors.filter(
        (s) =>
          s.truth.pretexts.includes("sim-swap") &&
          passed(s, "CALLBACK") &&
          (s.answers.MANAGER_CONFIRMATION.outcome === "FAILED" ||
            s.answers.ID_DOCUMENT.outcome === "FAILED"),
      );
      expect(found.map((s) => s.key)).not.toEqual([]);
    });

    it("a compromised manager mailbox confirms, and the callback or photo ID catches it", () => {
      const found = impostors.filter(
        (s) =>
          s.truth.pretexts.includes("compromised-mailbox") &&
          passed(s, "MANAGER_CONFIRMATION") &&
          (!passed(s, "CALLBACK") || !passed(s, "ID_DOCUMENT")),
      );
      expect(found.map((s) => s.key)).not.toEqual([]);
    });

    it("a genuine caller under pressure is recovered, with the pressure flag planted", () => {
      const found = recovered.filter((s) => s.cues.some((cue) => cue.flag === "PRESSURE"));
      expect(found.map((s) => s.key)).not.toEqual([]);
    });

    it("a genuine caller who cannot take the callback is stopped for now", () => {
      const found = genuine.filter(
        (s) =>
          s.safe.outcome === "stop" &&
          s.person.status === "ACTIVE" &&
          s.answers.CALLBACK.outcome === "UNABLE" &&
          s.cues.some((cue) => cue.flag === "REFUSED_CALLBACK"),
      );
      expect(found.map((s) => s.key)).not.toEqual([]);
    });

    it("a genuine frontline worker without a phone is recovered on the shift lead's word", () => {
      const found = recovered.filter(
        (s) =>
          s.person.riskTier === "FRONTLINE" &&
          !passed(s, "CALLBACK") &&
          passed(s, "MANAGER_CONFIRMATION"),
      );
      expect(found.map((s) => s.key)).not.toEqual([]);
    });

    it("a leaver calls, and the safe outcome is to stop", () => {
      const leavers = BUILT_IN_SCENARIOS.filter((s) => s.person.status === "LEFT");
      expect(leavers.map((s) => s.key)).not.toEqual([]);
      for (const s of leavers) expect(s.safe.outcome).toBe("stop");
    });
  });
});

describe("scenario checks the library relies on", () => {
  const leaver = BUILT_IN_SCENARIOS.find((s) => s.person.status === "LEFT")!;

  it.each(["LEFT", "SUSPENDED"] as const)(
    "refuses a scenario that teaches recovering a person whose status is %s",
    (status) => {
      const teachesRecovery = {
        ...leaver,
        person: { ...leaver.person, status },
        answers: {
          ...leaver.answers,
          MANAGER_CONFIRMATION: { ...leaver.answers.MANAGER_CONFIRMATION, outcome: "PASSED" },
        },
        cues: [],
        safe: { ...leaver.safe, outcome: "recover" },
      };
      const parsed = parseScenario(teachesRecovery, ACTIVE_POLICY);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? [] : parsed.problems.map((p) => p.path)).toEqual(["safe.outcome"]);
    },
  );

  it("refuses a genuine caller to be recovered who passes the required steps but none of a one-of group", () => {
    const managerAway = BUILT_IN_SCENARIOS.find((s) => s.key === "new-phone-manager-away")!;
    const noSecondFactor = {
      ...managerAway,
      answers: {
        ...managerAway.answers,
        ID_DOCUMENT: { ...managerAway.answers.ID_DOCUMENT, outcome: "UNABLE" },
      },
    };
    const parsed = parseScenario(noSecondFactor, ACTIVE_POLICY);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      {
        path: "answers",
        message:
          "A genuine caller to be recovered must complete the script: one of “Sign in with a remaining passkey”, “Manager confirms”, “Photo ID on video” must pass.",
      },
    ]);
    // The same call is fine when the safe outcome is to stop for now.
    expect(
      parseScenario(
        { ...noSecondFactor, safe: { ...noSecondFactor.safe, outcome: "stop" } },
        ACTIVE_POLICY,
      ).ok,
    ).toBe(true);
  });

  it("accepts the same scenario for an active person", () => {
    const active = {
      ...leaver,
      person: { ...leaver.person, status: "ACTIVE" },
      answers: {
        ...leaver.answers,
        MANAGER_CONFIRMATION: { ...leaver.answers.MANAGER_CONFIRMATION, outcome: "PASSED" },
      },
      cues: [],
      safe: { ...leaver.safe, outcome: "recover" },
    };
    expect(parseScenario(active, ACTIVE_POLICY).ok).toBe(true);
  });
});
