import { describe, expect, it } from "vitest";
import {
  atLockoutRisk,
  callsPer100,
  COVERAGE_KEYS,
  coverageFigures,
  inFigure,
  STALE_DAYS,
  waveOf,
  wavePhase,
  type CoverageFacts,
  type WaveScope,
} from "./coverage";

const now = new Date("2026-11-24T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const recent = new Date(now.getTime() - 3 * DAY);
const old = new Date(now.getTime() - (STALE_DAYS + 1) * DAY);
const synced = { backedUp: true, lastUsedAt: recent, createdAt: old };
const bound = { backedUp: false, lastUsedAt: recent, createdAt: old };
const person = (passkeys: CoverageFacts["passkeys"], extra: Partial<CoverageFacts> = {}) => ({
  status: "ACTIVE",
  passkeys,
  recentCases: 0,
  ...extra,
});
const figuresOf = (p: CoverageFacts) => COVERAGE_KEYS.filter((key) => inFigure(key, p, now));

describe("coverage figures", () => {
  it("counts someone with no passkey as at risk and nothing else", () => {
    expect(figuresOf(person([]))).toEqual(["population", "lockout-risk"]);
  });

  it("counts one device-bound passkey as a lockout risk, one synced passkey as not", () => {
    expect(figuresOf(person([bound]))).toEqual([
      "population",
      "enrolled",
      "device-bound",
      "lockout-risk",
    ]);
    expect(figuresOf(person([synced]))).toEqual(["population", "enrolled", "synced"]);
  });

  it("counts two device-bound passkeys as covered: a second device survives the first's loss", () => {
    expect(figuresOf(person([bound, bound]))).toEqual([
      "population",
      "enrolled",
      "two-or-more",
      "device-bound",
    ]);
    expect(atLockoutRisk([bound, bound])).toBe(false);
  });

  it("is stale when no passkey was used (or, never used, created) within the days", () => {
    const unused = { backedUp: true, lastUsedAt: old, createdAt: old };
    expect(inFigure("stale", person([unused]), now)).toBe(true);
    expect(inFigure("stale", person([unused, synced]), now)).toBe(false);
    const neverUsedNew = { backedUp: true, lastUsedAt: null, createdAt: recent };
    expect(inFigure("stale", person([neverUsedNew]), now)).toBe(false);
    const neverUsedOld = { backedUp: true, lastUsedAt: null, createdAt: old };
    expect(inFigure("stale", person([neverUsedOld]), now)).toBe(true);
    // Nobody without a passkey is stale: they are at risk instead.
    expect(inFigure("stale", person([]), now)).toBe(false);
  });

  it("counts nobody who is not an active employee, in any figure", () => {
    for (const status of ["LEAVING", "LEFT", "SUSPENDED"])
      expect(figuresOf(person([], { status, recentCases: 2 }))).toEqual([]);
  });

  it("adds up a group, with calls per 100 active employees", () => {
    const group = [
      person([]),
      person([bound], { recentCases: 2 }),
      person([synced, bound]),
      person([synced]),
      person([], { status: "LEFT", recentCases: 5 }),
    ];
    expect(coverageFigures(group, now)).toEqual({
      population: 4,
      enrolled: 3,
      "two-or-more": 1,
      synced: 2,
      "device-bound": 1,
      "lockout-risk": 2,
      stale: 0,
      called: 1,
      calls: 2,
      callsPer100: 50,
    });
    expect(callsPer100(1, 3)).toBe(33.3);
    expect(callsPer100(0, 0)).toBeNull();
  });
});

describe("wave membership", () => {
  const wave = (id: string, fields: Partial<WaveScope>): WaveScope => ({
    id,
    departments: [],
    tiers: [],
    startsOn: new Date("2026-12-01T00:00:00Z"),
    createdAt: new Date("2026-11-01T00:00:00Z"),
    retiredAt: null,
    ...fields,
  });
  const finance = wave("a", { departments: ["Finance"] });
  const privileged = wave("b", {
    tiers: ["PRIVILEGED", "HIGH_RISK"],
    startsOn: new Date("2026-11-15T00:00:00Z"),
  });
  const everyone = wave("c", { startsOn: new Date("2027-01-10T00:00:00Z") });

  it("puts a person in the first wave by start date whose scope matches", () => {
    const waves = [finance, privileged, everyone];
    expect(waveOf({ department: "Finance", riskTier: "HIGH_RISK" }, waves)?.id).toBe("b");
    expect(waveOf({ department: "Finance", riskTier: "STANDARD" }, waves)?.id).toBe("a");
    expect(waveOf({ department: "Sales", riskTier: "STANDARD" }, waves)?.id).toBe("c");
    expect(waveOf({ department: "Sales", riskTier: "STANDARD" }, [finance, privileged])).toBeNull();
  });

  it("needs both the department and the tier when a wave names both", () => {
    const financeHighRisk = wave("d", { departments: ["Finance"], tiers: ["HIGH_RISK"] });
    expect(waveOf({ department: "Finance", riskTier: "STANDARD" }, [financeHighRisk])).toBeNull();
    expect(waveOf({ department: "Legal", riskTier: "HIGH_RISK" }, [financeHighRisk])).toBeNull();
    expect(waveOf({ department: "Finance", riskTier: "HIGH_RISK" }, [financeHighRisk])?.id).toBe(
      "d",
    );
  });

  it("breaks a tie of start dates by creation, and leaves retired waves out", () => {
    const later = wave("e", { createdAt: new Date("2026-11-02T00:00:00Z") });
    const earlier = wave("f", { createdAt: new Date("2026-10-30T00:00:00Z") });
    expect(waveOf({ department: "Sales", riskTier: "STANDARD" }, [later, earlier])?.id).toBe("f");
    const retired = { ...earlier, retiredAt: now };
    expect(waveOf({ department: "Sales", riskTier: "STANDARD" }, [later, retired])?.id).toBe("e");
  });

  it("says where a wave stands", () => {
    const w = {
      startsOn: new Date("2026-11-24T00:00:00Z"),
      windowEndsOn: new Date("2026-11-30T00:00:00Z"),
      retiredAt: null,
    };
    expect(wavePhase(w, now)).toBe("in-window");
    expect(wavePhase({ ...w, startsOn: new Date("2026-11-25T00:00:00Z") }, now)).toBe("upcoming");
    expect(wavePhase({ ...w, windowEndsOn: new Date("2026-11-23T00:00:00Z") }, now)).toBe(
      "overdue",
    );
    expect(wavePhase({ ...w, retiredAt: now }, now)).toBe("retired");
  });
});
