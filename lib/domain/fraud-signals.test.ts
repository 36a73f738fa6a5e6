import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advisoryKey,
  failedAfterMismatchFindings,
  hourIn,
  lockOrder,
  maskContact,
  median,
  mergeFindings,
  normaliseContact,
  passOutlierFindings,
  privilegedBurstFindings,
  recentRecordChangeFindings,
  sharedContactFindings,
  signalsOverTime,
  unusualHourFindings,
  type Call,
  type Finding,
  type Sighting,
  type SignalRules,
} from "./fraud-signals";
import { deskRules, POLICY_V2 } from "./recovery-policy";

const RULES: SignalRules = deskRules(POLICY_V2).signals;
const NOW = new Date("2026-11-25T12:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() - n * 60_000);
const days = (n: number) => new Date(NOW.getTime() - n * 24 * 60 * 60_000);
const REGIONS = ["GB", "US"] as const;

describe("normaliseContact", () => {
  it.each([
    ["+44 20 7946 0958", "tel:+442079460958"],
    ["020 7946 0958", "tel:+442079460958"],
    ["0044 20 7946 0958", "tel:+442079460958"],
    ["+44 (0)20 7946 0958", "tel:+442079460958"],
    ["(415) 555-0100", "tel:+14155550100"],
    ["Ada.Okafor+help@Example.COM", "email:ada.okafor@example.com"],
    [" ada@example.com ", "email:ada@example.com"],
  ])("%s → %s", (text, normalized) => {
    expect(normaliseContact(text, REGIONS)?.normalized).toBe(normalized);
  });

  it.each(["", "hello", "12345", "@example.com", "ada@", "ada@example", "+1"])(
    "refuses %j",
    (text) => expect(normaliseContact(text, REGIONS)).toBeNull(),
  );

  it("masks a number to its country code and last three digits, an address to its first letter", () => {
    expect(maskContact("tel:+442079460958")).toBe("+44•••••••958");
    expect(maskContact("email:ada@example.com")).toBe("a•••@example.com");
  });
});

const sight = (normalized: string, userId: string, at: Date, caseId = `${userId}-${+at}`) =>
  ({ normalized, userId, caseId, at }) satisfies Sighting;

describe("shared contact", () => {
  const X = "tel:+442079460958";
  const rules = (minPeople: number): SignalRules => ({
    ...RULES,
    sharedContact: { windowDays: 30, minPeople, effect: "escalate" },
  });

  it.each([
    // people, minPeople, raised
    [1, 2, false],
    [2, 2, true],
    [2, 3, false],
    [3, 3, true],
    [4, 3, true],
  ])("%i people with minPeople %i: raised %s", (people, minPeople, raised) => {
    const sightings = Array.from({ length: people }, (_, i) => sight(X, `u${i}`, minutes(i)));
    const findings = sharedContactFindings(rules(minPeople), {
      now: NOW,
      contacts: [X],
      sightings,
    });
    expect(findings.length).toBe(raised ? 1 : 0);
    if (raised)
      expect(findings[0]).toMatchObject({
        rule: "shared-contact",
        key: `contact:${X}`,
        effect: "escalate",
        facts: { contact: "+44•••••••958", people },
      });
  });

  it("counts only sightings inside the window: at the edge out, just inside in", () => {
    const input = (ageDays: number) => ({
      now: NOW,
      contacts: [X],
      sightings: [sight(X, "a", NOW), sight(X, "b", days(ageDays))],
    });
    expect(sharedContactFindings(RULES, input(30))).toEqual([]);
    expect(sharedContactFindings(RULES, input(29.99))).toHaveLength(1);
    expect(sharedContactFindings(RULES, input(31))).toEqual([]);
  });

  it("looks only at the contacts of the current call", () => {
    const other = "tel:+14155550100";
    const sightings = [sight(other, "a", NOW), sight(other, "b", NOW), sight(X, "a", NOW)];
    expect(sharedContactFindings(RULES, { now: NOW, contacts: [X], sightings })).toEqual([]);
  });

  it("property: one person calling many times is never a shared-contact signal", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 * 24 * 40 }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...["tel:+442079460958", "email:a@example.com"]),
        (ages, contact) => {
          const sightings = ages.map((age, i) => sight(contact, "same", minutes(age), `c${i}`));
          return (
            sharedContactFindings(rules(2), { now: NOW, contacts: [contact], sightings }).length ===
            0
          );
        },
      ),
    );
  });

  it("property: adding calls never removes a finding, nor a case from it", () => {
    const arbSighting = fc.record({
      userId: fc.constantFrom("a", "b", "c", "d"),
      age: fc.integer({ min: 0, max: 60 * 24 * 40 }),
      caseId: fc.uuid(),
    });
    fc.assert(
      fc.property(fc.array(arbSighting), fc.array(arbSighting), (before, added) => {
        const toSightings = (list: typeof before) =>
          list.map((s) => sight(X, s.userId, minutes(s.age), s.caseId));
        const first = sharedContactFindings(RULES, {
          now: NOW,
          contacts: [X],
          sightings: toSightings(before),
        });
        const then = sharedContactFindings(RULES, {
          now: NOW,
          contacts: [X],
          sightings: toSightings([...before, ...added]),
        });
        return first.every((finding) =>
          then.some(
            (later) =>
              later.key === finding.key &&
              finding.caseIds.every((id) => later.caseIds.includes(id)),
          ),
        );
      }),
    );
  });
});

const call = (caseId: string, ageMinutes: number, riskTier: Call["riskTier"] = "PRIVILEGED") =>
  ({
    caseId,
    userId: `user-${caseId}`,
    riskTier,
    team: "Desk",
    at: minutes(ageMinutes),
  }) satisfies Call;

describe("privileged burst (3 calls within 60 minutes by default)", () => {
  it.each([
    [[10], false],
    [[10, 20], true],
    [[10, 59.9], true],
    [[10, 60], false],
    [[10, 61], false],
  ])("earlier calls %j minutes ago, plus this one: raised %s", (ages, raised) => {
    const calls = ages.map((age, i) => call(`c${i}`, age));
    const findings = privilegedBurstFindings(RULES, { now: NOW, current: call("now", 0), calls });
    expect(findings.length).toBe(raised ? 1 : 0);
    if (raised)
      expect(findings[0]!.caseIds).toEqual([...calls.map((c) => c.caseId).reverse(), "now"]);
  });

  it("counts only the policy's tiers, and is not raised by a standard-tier call", () => {
    const standard = [call("a", 5, "STANDARD"), call("b", 6, "STANDARD")];
    expect(
      privilegedBurstFindings(RULES, { now: NOW, current: call("now", 0), calls: standard }),
    ).toEqual([]);
    const privileged = [call("a", 5), call("b", 6)];
    expect(
      privilegedBurstFindings(RULES, {
        now: NOW,
        current: call("now", 0, "STANDARD"),
        calls: privileged,
      }),
    ).toEqual([]);
  });

  it("property: adding calls never removes the finding", () => {
    const arbCall = fc.record({
      age: fc.integer({ min: 0, max: 120 }),
      tier: fc.constantFrom("STANDARD", "HIGH_RISK", "PRIVILEGED") as fc.Arbitrary<
        Call["riskTier"]
      >,
    });
    fc.assert(
      fc.property(fc.array(arbCall), fc.array(arbCall), (before, added) => {
        const calls = (list: typeof before, offset: number) =>
          list.map((c, i) => call(`c${i + offset}`, c.age, c.tier));
        const first = privilegedBurstFindings(RULES, {
          now: NOW,
          current: call("now", 0),
          calls: calls(before, 0),
        });
        const then = privilegedBurstFindings(RULES, {
          now: NOW,
          current: call("now", 0),
          calls: [...calls(before, 0), ...calls(added, 1000)],
        });
        return first.length <= then.length;
      }),
    );
  });
});

describe("recent record change (7 days by default)", () => {
  it.each([
    [0, true],
    [6.9, true],
    [7, false],
    [8, false],
  ])("a change %f days before the call: raised %s", (age, raised) => {
    const findings = recentRecordChangeFindings(RULES, {
      now: NOW,
      caseId: "c",
      userId: "u",
      changes: [{ field: "PHONE", changedAt: days(age) }],
    });
    expect(findings.length).toBe(raised ? 1 : 0);
  });

  it("names every field changed in the window, the latest change's age, and no future change", () => {
    const [finding] = recentRecordChangeFindings(RULES, {
      now: NOW,
      caseId: "c",
      userId: "u",
      changes: [
        { field: "PHONE", changedAt: days(3) },
        { field: "MANAGER", changedAt: days(2) },
        { field: "EMAIL", changedAt: days(-1) },
      ],
    });
    expect(finding).toMatchObject({
      key: "record:u",
      caseIds: ["c"],
      facts: { fields: ["MANAGER", "PHONE"], daysSinceChange: 2 },
      effect: "escalate",
    });
  });
});

describe("pass outlier (6 passes and 3× the peers' median by default)", () => {
  const passes = (agentId: string, n: number, age = 1) =>
    Array.from({ length: n }, (_, i) => ({ agentId, caseId: `${agentId}-${i}`, at: days(age) }));

  it.each([
    // mine, peers' counts, raised
    [5, [1, 1], false], // under minPasses
    [6, [2, 2], true], // at minPasses and exactly 3× the median
    [6, [2, 3], false], // 6 < 3 × 2.5
    [7, [2, 3], false],
    [8, [2, 3], true], // 8 ≥ 7.5
    [20, [], false], // no peers to compare with
  ])("mine %i against peers %j: raised %s", (mine, peers, raised) => {
    const all = [...passes("me", mine), ...peers.flatMap((n, i) => passes(`peer${i}`, n))];
    const findings = passOutlierFindings(RULES, { now: NOW, agentId: "me", passes: all });
    expect(findings.length).toBe(raised ? 1 : 0);
    if (raised) expect(findings[0]!.caseIds).toHaveLength(mine);
  });

  it("counts only the window's passes", () => {
    const all = [...passes("me", 6, 8), ...passes("peer", 1)];
    expect(passOutlierFindings(RULES, { now: NOW, agentId: "me", passes: all })).toEqual([]);
  });

  it("median", () => {
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe("unusual hour", () => {
  const london = (iso: string) => new Date(iso);

  it("reads the hour on the desk's clock, summer time included (Intl)", () => {
    expect(hourIn("Europe/London", london("2026-01-15T06:30:00Z"))).toBe(6);
    expect(hourIn("Europe/London", london("2026-07-15T06:30:00Z"))).toBe(7);
    expect(hourIn("America/New_York", london("2026-07-15T03:59:00Z"))).toBe(23);
    expect(hourIn("Asia/Kolkata", london("2026-01-15T18:30:00Z"))).toBe(0);
  });

  it("property: the hour is that of the UTC clock shifted by the zone's offset", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
        (at) => {
          // Asia/Kolkata is UTC+5:30 all year: no daylight saving.
          const shifted = new Date(at.getTime() + 5.5 * 60 * 60_000);
          return (
            hourIn("Asia/Kolkata", at) === shifted.getUTCHours() &&
            hourIn("UTC", at) === at.getUTCHours()
          );
        },
      ),
    );
  });

  const withoutHistory = (iso: string) =>
    unusualHourFindings(RULES, { now: new Date(iso), caseId: "c", team: "Desk", history: [] });

  it.each([
    ["2026-01-15T06:59:00Z", true], // 06:59 in London, winter: before 07:00
    ["2026-01-15T07:00:00Z", false],
    ["2026-01-15T19:59:00Z", false],
    ["2026-01-15T20:00:00Z", true], // closes at 20:00
    ["2026-07-15T06:30:00Z", false], // 07:30 in London, summer
    ["2026-07-15T19:30:00Z", true], // 20:30 in London, summer
  ])("with little history, opening hours decide: %s unusual %s", (iso, raised) => {
    expect(withoutHistory(iso).length).toBe(raised ? 1 : 0);
  });

  it("with enough history, the desk's own pattern decides: an hour at or under the rare share", () => {
    const rules: SignalRules = {
      ...RULES,
      unusualHour: { ...RULES.unusualHour, minHistory: 100, rareShare: 0.01 },
    };
    // A desk that works nights: 99 calls at 03:00 London and 1 at 14:00, over the last days.
    const at = (day: number, hourUtc: number) =>
      new Date(Date.UTC(2026, 0, 20 - (day % 20), hourUtc, 15));
    const history = [...Array.from({ length: 99 }, (_, i) => at(i, 3)), at(0, 14)];
    const check = (iso: string, list = history) =>
      unusualHourFindings(rules, {
        now: new Date(iso),
        caseId: "c",
        team: "Nights",
        history: list,
      });
    // 03:00 is the desk's usual hour, though outside opening hours.
    expect(check("2026-01-21T03:40:00Z")).toEqual([]);
    // 14:00 holds 1 of 100 calls = 1%: at the rare share, unusual.
    expect(check("2026-01-21T14:10:00Z")[0]).toMatchObject({
      key: "hours:Nights",
      facts: { basis: "the desk's calls", callsAtHour: 1, calls: 100 },
    });
    // With 2 of 101 calls at 14:00 (just over 1%), it is not.
    expect(check("2026-01-21T14:10:00Z", [...history, at(1, 14)])).toEqual([]);
    // Just under the history needed: opening hours decide again (14:00 is open).
    expect(check("2026-01-21T03:40:00Z", history.slice(1))).toHaveLength(1);
  });
});

describe("failed after mismatch", () => {
  it.each([
    [[], [{ kind: "CALLBACK", outcome: "FAILED" }], false],
    [["DETAILS_MISMATCH"], [{ kind: "CALLBACK", outcome: "PASSED" }], false],
    [["PRESSURE"], [{ kind: "CALLBACK", outcome: "FAILED" }], false],
    [["DETAILS_MISMATCH"], [{ kind: "ID_DOCUMENT", outcome: "FAILED" }], true],
  ] as const)("flags %j, steps %j: raised %s", (redFlags, steps, raised) => {
    const findings = failedAfterMismatchFindings(RULES, { caseId: "c", redFlags, steps });
    expect(findings.length).toBe(raised ? 1 : 0);
  });
});

describe("one campaign, one signal", () => {
  const finding = (over: Partial<Finding>): Finding => ({
    rule: "shared-contact",
    key: "contact:tel:+1",
    caseIds: ["a", "b"],
    facts: {},
    effect: "escalate",
    summary: "s",
    ...over,
  });

  it("a repeat of a finding replaces it with the union of its cases; a new rule adds to the evidence", () => {
    const first = mergeFindings(null, [finding({})], NOW);
    expect(first).toMatchObject({
      effect: "escalate",
      effectRaised: true,
      rules: ["shared-contact"],
    });
    const second = mergeFindings(
      first,
      [
        finding({ caseIds: ["b", "c"] }),
        finding({ rule: "privileged-burst", key: "burst", caseIds: ["a", "b", "c"] }),
      ],
      NOW,
    );
    expect(second.evidence).toHaveLength(2);
    expect(second.evidence[0]!.caseIds).toEqual(["a", "b", "c"]);
    expect(second.rules).toEqual(["shared-contact", "privileged-burst"]);
    expect(second.effectRaised).toBe(false);
    expect([...second.caseEffects.keys()].sort()).toEqual(["a", "b", "c"]);
  });

  it("the effect only rises; each case takes the strongest effect naming it", () => {
    const first = mergeFindings(null, [finding({ effect: "alert", caseIds: ["a"] })], NOW);
    const second = mergeFindings(
      first,
      [finding({ rule: "unusual-hour", key: "hours", effect: "stop", caseIds: ["b"] })],
      NOW,
    );
    expect(second).toMatchObject({ effect: "stop", effectRaised: true });
    expect(second.caseEffects.get("a")).toBe("alert");
    expect(second.caseEffects.get("b")).toBe("stop");
    const third = mergeFindings(second, [finding({ effect: "alert", caseIds: ["a"] })], NOW);
    expect(third).toMatchObject({ effect: "stop", effectRaised: false });
  });

  it("locks keys in one sorted order, once each", () => {
    const keys = ["contact:tel:+1", "burst:PRIVILEGED", "contact:tel:+1", "record:u"];
    const order = lockOrder(keys);
    expect(order).toEqual([...new Set(keys.map(advisoryKey))].sort((a, b) => a - b));
    expect(order).toHaveLength(3);
    expect(lockOrder([...keys].reverse())).toEqual(order);
  });
});

describe("signals over time", () => {
  const at = (iso: string, rules: string[]) => ({ raisedAt: new Date(iso), rules });

  it("counts per day over a week, every day present, each rule and the total", () => {
    const { unit, buckets } = signalsOverTime(
      [
        at("2026-11-25T09:00:00Z", ["shared-contact", "privileged-burst"]),
        at("2026-11-25T23:59:00Z", ["unusual-hour"]),
        at("2026-11-19T00:00:00Z", ["pass-outlier"]),
        at("2026-11-18T23:59:00Z", ["pass-outlier"]), // before the period
      ],
      { now: NOW, days: 7 },
    );
    expect(unit).toBe("day");
    expect(buckets).toHaveLength(7);
    expect(buckets[0]!.start.toISOString()).toBe("2026-11-19T00:00:00.000Z");
    expect(buckets[0]!.counts["pass-outlier"]).toBe(1);
    const today = buckets.at(-1)!;
    expect(today.total).toBe(1); // 23:59 is after NOW (12:00)
    expect(today.counts["shared-contact"]).toBe(1);
    expect(today.counts["privileged-burst"]).toBe(1);
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(2);
  });

  it("counts per week (from Monday) over 90 days", () => {
    const { unit, buckets } = signalsOverTime([at("2026-11-23T10:00:00Z", ["shared-contact"])], {
      now: NOW,
      days: 90,
    });
    expect(unit).toBe("week");
    expect(buckets.at(-1)!.start.toISOString()).toBe("2026-11-23T00:00:00.000Z");
    expect(buckets.at(-1)!.total).toBe(1);
    expect(buckets.every((b) => b.start.getUTCDay() === 1)).toBe(true);
  });
});
